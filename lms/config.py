"""Configuration: defaults, environment overrides (LMS_*, DATABASE_URL) and the test profile."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Point plain ``postgres://`` URLs (as hosting platforms hand them out) at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, else one generated once into ``instance/``.

    The generated file is created with owner-only permissions (0600) and reused on every start, so
    sessions survive restarts without a key ever living in the repository.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        # O_EXCL: if two workers start at once, only one writes; the other reads the winner's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Config:
    """Defaults for development and production; the environment overrides any of them."""

    # hide_parameters: a failed statement's log line must not carry emails or password hashes.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    CONTENT_DIR = os.environ.get("LMS_CONTENT_DIR", str(PROJECT_ROOT / "content"))
    SITE_NAME = "TechNorth Skills"
    CATALOGUE_PAGE_SIZE = int(os.environ.get("LMS_CATALOGUE_PAGE_SIZE", "12"))
    RATELIMIT_STORAGE_URI = os.environ.get("LMS_RATELIMIT_STORAGE_URI", "memory://")
    # Generous per address: a training room shares one public address; sign-in and other sensitive
    # routes get their own tight limits.
    RATELIMIT_DEFAULT = os.environ.get("LMS_RATELIMIT_DEFAULT", "1200 per minute")
    # How many reverse proxies to trust for the client address (X-Forwarded-For); 0 trusts none.
    TRUSTED_PROXIES = int(os.environ.get("LMS_TRUSTED_PROXIES", "0"))
    RATELIMIT_HEADERS_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("LMS_SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: no lost form on a slow lesson
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # The cookie is re-signed only when the session changes; sessions end by their database row
    # (14 days after sign-in, or on sign-out), not by the cookie's date.
    SESSION_REFRESH_EACH_REQUEST = False
    # Mail: SMTP when LMS_MAIL_SERVER is set, else messages are saved under instance/mail/.
    MAIL_SERVER = os.environ.get("LMS_MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("LMS_MAIL_PORT", "587"))
    MAIL_USE_TLS = _env_bool("LMS_MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("LMS_MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("LMS_MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("LMS_MAIL_FROM", "TechNorth Skills <no-reply@technorth.example>")
    # "production" (the default) or "development": production refuses to start without
    # PUBLIC_URL and answers only to its host. See lms/urls.py.
    ENV = os.environ.get("LMS_ENV", "production").strip().lower()
    # The site's public address, for every absolute URL made outside a page (mail, credentials,
    # QR codes, the OpenAPI servers entry); never the request's Host header.
    PUBLIC_URL = os.environ.get("LMS_PUBLIC_URL", "")
    # Further host names production answers to (comma-separated), besides PUBLIC_URL's own.
    EXTRA_TRUSTED_HOSTS = [h for h in os.environ.get("LMS_TRUSTED_HOSTS", "").split(",") if h]
    API_VERIFY_LIMIT = os.environ.get("LMS_API_VERIFY_LIMIT", "60 per minute")
    # Published figures: counts below this are shown as "<N"; see lms/reporting/disclosure.py.
    DISCLOSURE_THRESHOLD = int(os.environ.get("LMS_DISCLOSURE_THRESHOLD", "5"))
    # The cluster report: this platform's name at the hub, the secret the hub issued, the hub.
    CLUSTER_HUB_URL = os.environ.get("LMS_CLUSTER_HUB_URL", "")
    CLUSTER_PROVIDER = os.environ.get("LMS_CLUSTER_PROVIDER", "technorth-skills")
    CLUSTER_SECRET = os.environ.get("LMS_CLUSTER_SECRET", "")
    CLUSTER_TIMEOUT = float(os.environ.get("LMS_CLUSTER_TIMEOUT", "10"))
    # Hub mode: this app also receives reports from providers.
    HUB_ENABLED = _env_bool("LMS_HUB_ENABLED", False)
    HUB_TIMESTAMP_WINDOW = int(os.environ.get("LMS_HUB_TIMESTAMP_WINDOW", "300"))
    # /healthz says "degraded" once a queued cluster report has waited longer than this.
    HEALTH_OUTBOX_MAX_AGE_HOURS = float(os.environ.get("LMS_HEALTH_OUTBOX_MAX_AGE_HOURS", "24"))
    # Logs: "json" (one object per line) or "text"; unset: text under test or debug, else json.
    LOG_FORMAT = os.environ.get("LMS_LOG_FORMAT", "").strip().lower()
    LOG_LEVEL = os.environ.get("LMS_LOG_LEVEL", "INFO")
    # The trainer studio: largest image a trainer may upload, and largest course zip to import.
    STUDIO_MAX_IMAGE_BYTES = int(os.environ.get("LMS_STUDIO_MAX_IMAGE_BYTES", str(1024 * 1024)))
    STUDIO_MAX_ZIP_BYTES = int(os.environ.get("LMS_STUDIO_MAX_ZIP_BYTES", str(20 * 1024 * 1024)))
    VERIFY_TOKEN_HOURS = 48
    RESET_TOKEN_MINUTES = 60
    SIGN_IN_LIMIT = os.environ.get("LMS_SIGN_IN_LIMIT", "10 per minute;50 per hour")
    RESET_LIMIT = os.environ.get("LMS_RESET_LIMIT", "5 per 15 minutes")
    # New accounts per client address. A classroom of 30 shares one public address and signs up
    # at once; every form sent counts (a typo or a refused password too), so 60 an hour lets a
    # class of 30 in with a retry each, while a script is held to 60 accounts an hour, each
    # needing a confirmed mailbox before it can do anything.
    SIGN_UP_LIMIT = os.environ.get("LMS_SIGN_UP_LIMIT", "60 per hour")

    @staticmethod
    def database_url(instance_path: str) -> str:
        url = os.environ.get("DATABASE_URL")
        if url:
            return normalise_database_url(url)
        return f"sqlite:///{Path(instance_path) / 'lms.sqlite3'}"


class TestConfig(Config):
    """Settings for the test suite: its own database, no rate limits, no CSRF by default."""

    TESTING = True
    SECRET_KEY = "test-only-secret-not-for-production"  # noqa: S105 - the test profile alone
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_SERVER = ""
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None
    PUBLIC_URL = "http://localhost"


def settings_of(config: type, **overrides) -> dict:
    """A config class's settings as a dict, with overrides: for ``create_app(dict)``."""
    return {key: getattr(config, key) for key in dir(config) if key.isupper()} | overrides
