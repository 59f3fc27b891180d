"""TechNorth Skills: the course platform of the North's tech cluster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lms.config import Config, load_secret_key

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints -> CLI -> errors and headers."""
    # Flask is imported here rather than at the top so that importing a library inside the
    # package, such as the course format in lms.content, does not need Flask at all.
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.from_mapping(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", Config.database_url(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    from lms.urls import configure_public_url

    configure_public_url(app)  # production refuses to start without LMS_PUBLIC_URL
    if app.config["TRUSTED_PROXIES"]:
        # Behind a TLS proxy, take the client address and scheme from the proxy's headers, so rate
        # limits count real clients and redirects stay on https. X-Forwarded-Host is not taken:
        # nothing may follow a host named by a request (absolute URLs use PUBLIC_URL).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    # The app's loggers ("lms.*"): JSON or text lines with request ids; hooked before the
    # extensions so that a request they refuse is still logged with its id.
    from lms.requestlog import register_request_logging

    register_request_logging(app)

    from lms import db as _db_rules  # SQLite set-up, BEGIN IMMEDIATE for writers, id converter
    from lms import models  # noqa: F401 - registers every table with the metadata
    from lms.auth import sessions  # noqa: F401 - registers Flask-Login's user loader
    from lms.extensions import csrf, db, init_limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    init_limiter(app)
    login_manager.init_app(app)

    # Before any blueprint adds a route: every <int:...> in a URL fits the database's ids.
    app.url_map.converters["int"] = _db_rules.DatabaseIdConverter

    from lms.admin import bp as admin_bp
    from lms.api.views import bp as api_bp
    from lms.auth.views import bp as auth_bp
    from lms.authoring import bp as authoring_bp
    from lms.certificates.employer import bp as employer_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.health import bp as health_bp
    from lms.learning import bp as learning_bp
    from lms.reporting.views import bp as reporting_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(employer_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(reporting_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(admin_bp)
    if app.config["HUB_ENABLED"]:
        from lms.reporting.hub import bp as hub_bp

        app.register_blueprint(hub_bp)

    from lms.cli import register_cli

    register_cli(app)

    from lms.errors import register_error_handlers
    from lms.security import register_security_headers
    from lms.templating import register_template_helpers

    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    return app
