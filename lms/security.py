"""Security headers on every response (CSP, nosniff, referrer policy, framing, permissions,
caching), the stricter policy for course files served on their own, and the session cookie's
signing and name."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g
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
