"""Error pages that fit the site, or JSON for API and JSON clients."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db, login_manager
from lms.requestlog import current_request_id, loggable_path
from lms.urls import public_adapter

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please check it and try again."),
    401: ("Not signed in", "Sign in to see this page."),
    403: ("Access denied", "You do not have permission to see this page."),
    404: ("Page not found", "We could not find that page. It may have moved or been retired."),
    405: ("Method not allowed", "That action is not available at this address."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    429: ("Too many requests", "You have made too many requests. Please wait a minute and retry."),
    500: (
        "Something went wrong",
        "An unexpected error happened. Nothing you did was lost; please try again in a moment.",
    ),
}


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _page(
    code: int, title: str, request_id: str, *, message: str | None, database_failed: bool
) -> str:
    """The error page in the site's layout, even while the database is down.

    The layout's navigation asks who is signed in, which loads the user from the database. When
    the failure being shown came from the database, or the page fails on it, the page is drawn
    as for a visitor instead: the person still sees the site, the message and their reference,
    rather than the server's bare "Internal Server Error".
    """
    _, default = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    context = {
        "code": code,
        "title": title,
        "message": message or default,
        "request_id": request_id,
    }
    if request_ctx.url_adapter is None:
        # The request's Host was refused (production's TRUSTED_HOSTS), so Flask could not route
        # it: the page's own links are built against the public address instead.
        request_ctx.url_adapter = public_adapter()
    if not database_failed:
        try:
            return render_template("errors/error.html", **context)
        except SQLAlchemyError:
            _forget_session()
            _as_visitor()
    return render_template("errors/error.html", **context)


def _as_visitor() -> None:
    """From here on, the request is treated as a visitor's.

    Flask-Login keeps the request's user in g. After a rollback that user's attributes are
    expired, so anything that asks about them (the navigation, the cache headers, the request
    log) would query the database again; an anonymous user never touches it.
    """
    g._login_user = login_manager.anonymous_user()


def _forget_session() -> None:
    """End the failed transaction; if the connection itself is gone, the pool discards it."""
    with suppress(SQLAlchemyError):
        db.session.rollback()


def _render(
    code: int,
    description: str | None = None,
    *,
    page_message: str | None = None,
    database_failed: bool = False,
):
    title, default = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    # The request id lets support find this request's log lines from what the person quotes.
    request_id = current_request_id()
    if _wants_json():
        body = jsonify(
            error=title, reason=description or default, status=code, request_id=request_id
        )
        return body, code
    page = _page(code, title, request_id, message=page_message, database_failed=database_failed)
    return page, code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        # Werkzeug's own descriptions are fine for JSON clients; pages use the site's wording,
        # or a rate limit's own message when the route wrote one for people.
        page_message = None
        if isinstance(exc, RateLimitExceeded) and exc.limit.error_message:
            page_message = exc.description
        response = app.make_response(_render(exc.code, exc.description, page_message=page_message))
        # Headers the exception carries: Allow on a 405, WWW-Authenticate on a 401.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        # The path as logged everywhere else: a failing reset link must not leak its token.
        log.exception(
            "unhandled error on %s %s",
            request.method,
            loggable_path(),
            extra={"request_id": current_request_id()},
        )
        _forget_session()
        database_failed = isinstance(exc, SQLAlchemyError)
        if database_failed:
            _as_visitor()
        return _render(500, InternalServerError.description, database_failed=database_failed)
