"""Security headers on every response (CSP, nosniff, referrer policy, framing, permissions,
caching), the stricter policy for course files served on their own, the session cookie's signing
and name, and a 400 for input no page can read: a query string that is not UTF-8, or a NUL
character in the path or in a posted form field."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, abort, g, request
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

# For course files served on their own (published assets, studio draft images): an SVG opened
# directly must not run script in the site's origin.
ASSET_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; "
    "sandbox"
)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, signed with HMAC-SHA256 instead of the default SHA-1."""

    digest_method = staticmethod(hashlib.sha256)


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _holds_nul(fields) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in fields.items(multi=True))


def _signed_in() -> bool:
    """Whether this request was for a signed-in person (without loading the user just to ask)."""
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def register_security_headers(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config.get("SESSION_COOKIE_SECURE") and app.config["SESSION_COOKIE_NAME"] == "session":
        # Over HTTPS the cookie gets the __Host- prefix: browsers then refuse it unless it is
        # Secure, for this host only and path /, so a sibling subdomain cannot plant one.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"

    @app.before_request
    def refuse_unreadable_input() -> None:
        # Werkzeug decodes request.args strictly: raw bytes that are not UTF-8 (a client may
        # send them unescaped) raised UnicodeDecodeError in whichever view read a parameter.
        try:
            request.query_string.decode()
        except UnicodeDecodeError:
            abort(400, "The query string is not UTF-8.")
        # No text here ever holds a NUL, and PostgreSQL refuses one in any query parameter (a
        # DataError, so a 500, wherever a path segment or a field reached a query). Query
        # arguments are left to the forms that read them, which explain the problem beside
        # the field (no_control_characters on the searches).
        if "\x00" in request.path:
            abort(400, "The address holds a NUL character.")
        # Form fields only: the API and the hub take JSON (and the hub reads its body raw, to
        # check its signature, so it must not be parsed as a form here). Bodies above the
        # site's usual limit are left to the views that allow them (a studio zip): parsing
        # them here, under the usual limit, would refuse them with a 413.
        form = request.mimetype in FORM_TYPES and not request.path.startswith("/api/")
        limit = app.config.get("MAX_CONTENT_LENGTH")
        size = request.content_length
        usual = size is not None and (limit is None or size <= limit)
        if form and usual and _holds_nul(request.form):
            abort(400, "A field holds a NUL character.")

    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if _signed_in() and not response.cache_control:
            # A page for one signed-in person must not be kept by the browser or a proxy: on a
            # shared training-room computer the back button would show it to the next person.
            response.cache_control.private = True
            response.cache_control.no_store = True
        return response
