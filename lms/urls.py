"""The site's one public address, for every absolute URL made outside a page.

Links in mail, the ids inside signed credentials, QR codes and the OpenAPI ``servers`` entry are
built from ``PUBLIC_URL`` (``LMS_PUBLIC_URL``), never from the request's ``Host`` or
``X-Forwarded-Host``: a forged header must not put an attacker's host into a password-reset link
or a signed certificate. Production refuses to start without it and accepts requests only for its
host (Flask's ``TRUSTED_HOSTS``); development defaults to the loopback address it serves on.
"""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import MapAdapter

# A DNS name (IDNA already applied) or an IPv4 address; IPv6 literals in brackets.
_HOST_RE = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
_PREFIX_RE = re.compile(r"^(?:/[A-Za-z0-9._~-]+)*$")


class PublicUrlError(RuntimeError):
    """``LMS_PUBLIC_URL`` is missing where it must be set, or is not a usable address."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_development(app: Flask) -> bool:
    return bool(app.debug or app.testing or app.config.get("ENV") == "development")


def parse_public_url(url: str, *, production: bool) -> str:
    """The address normalised to ``scheme://host[:port][/prefix]``; raises with the reason."""
    parts = urlsplit(url.strip())
    problem = None
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port, problem = None, "its port is not a number from 1 to 65535"
    if parts.scheme not in {"http", "https"}:
        problem = "it must start with https:// (or http:// on this machine)"
    elif not host:
        problem = "it has no host name"
    elif parts.username or parts.password:
        problem = "it must not contain a user name or password"
    elif parts.query or parts.fragment:
        problem = "it must not contain a query (?) or fragment (#)"
    elif not (_HOST_RE.match(host) or _is_ip(host)):
        problem = f"'{host}' is not a valid host name"
    elif not _PREFIX_RE.match(parts.path.rstrip("/")):
        problem = "its path may hold only letters, digits and . _ ~ - between slashes"
    elif production and parts.scheme != "https" and not is_loopback(host):
        problem = "production serves over HTTPS: use https://"
    if problem:
        raise PublicUrlError(f"LMS_PUBLIC_URL={url!r} cannot be used: {problem}.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _development_default() -> str:
    port = os.environ.get("PORT") or os.environ.get("FLASK_RUN_PORT") or "5000"
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        port = "5000"
    return f"http://127.0.0.1:{port}"


def configure_public_url(app: Flask) -> None:
    """Check ``PUBLIC_URL`` at start-up and, in production, trust only its host.

    Production (``LMS_ENV`` unset or ``production``, and not debug or testing) refuses to start
    without it. ``LMS_TRUSTED_HOSTS`` adds names the app must also answer to (for example the
    address a load balancer's health check uses).
    """
    development = is_development(app)
    url = (app.config.get("PUBLIC_URL") or "").strip()
    if not url:
        if not development:
            raise PublicUrlError(
                "LMS_PUBLIC_URL is not set. Production needs the site's public address, such as "
                "https://skills.technorth.example, for links in mail, certificates and QR codes "
                "(set LMS_ENV=development to run on this machine instead)."
            )
        url = _development_default()
    app.config["PUBLIC_URL"] = parse_public_url(url, production=not development)
    if not development and app.config.get("TRUSTED_HOSTS") is None:
        host = urlsplit(app.config["PUBLIC_URL"]).hostname
        extra = [h.strip().lower() for h in app.config.get("EXTRA_TRUSTED_HOSTS", []) if h.strip()]
        app.config["TRUSTED_HOSTS"] = [host, *extra]


def public_base() -> str:
    """The public address with a trailing slash: ``https://skills.example/``."""
    return current_app.config["PUBLIC_URL"] + "/"


def public_adapter() -> MapAdapter:
    """A URL adapter bound to the public address (not to any request)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    return current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for ``endpoint`` at the public address, inside a request or outside one."""
    return public_adapter().build(endpoint, values, force_external=True)
