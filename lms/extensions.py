"""Every Flask extension, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic's batch mode alter SQLite tables and keep migrations reviewable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# The default limit is read from the running app's config on each request (Flask-Limiter would
# otherwise keep the first app's). Static files are exempt: a page pulls several, and a classroom
# of learners behind one address must not exhaust the limit by loading stylesheets.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[lambda: current_app.config["RATELIMIT_DEFAULT"]],
    default_limits_exempt_when=lambda: request.endpoint == "static",
)

log = logging.getLogger(__name__)


def init_limiter(app: Flask) -> None:
    """Bind the limiter, and make its headers say what applies to each request.

    Flask-Limiter puts Retry-After on every response, and its X-RateLimit-* headers describe the
    first limit it checked: on the verify API that was the generous per-address default rather
    than the per-token limit that refuses first. This hook is registered before the limiter's
    own, so it runs after it (Flask runs after-request hooks in reverse order).
    """

    @app.after_request
    def rate_limit_headers(response: Response) -> Response:
        if response.status_code not in (429, 503):  # RFC 9110: meaningful when refused
            response.headers.pop("Retry-After", None)
        limits = limiter.current_limits
        if response.status_code == 429 or len(limits) < 2:
            return response  # refused: the limiter already names the limit that refused
        if "X-RateLimit-Limit" not in response.headers:
            return response  # headers switched off (RATELIMIT_HEADERS_ENABLED)
        try:
            # The limit closest to refusing this client is the one that applies to it.
            binding = min(limits, key=lambda limit: (limit.remaining, -limit.reset_at))
            response.headers["X-RateLimit-Limit"] = str(binding.limit.amount)
            response.headers["X-RateLimit-Remaining"] = str(binding.remaining)
            response.headers["X-RateLimit-Reset"] = str(binding.reset_at)
        except Exception:  # the limit storage failed: keep the limiter's own headers
            log.warning("could not read the rate limit storage for the headers", exc_info=True)
        return response

    limiter.init_app(app)
