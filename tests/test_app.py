"""The app shell: configuration, health check, error pages and security headers."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import text

from lms import create_app
from lms.config import load_secret_key, normalise_database_url
from lms.extensions import db
from tests.factories import limited_app


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["status"] == "ok"


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "database": {"status": "error", "error": "OperationalError"},
        "outbox": {"status": "unknown"},
    }


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (403, "Access denied"),
        (404, "Page not found"),
        (500, "Something went wrong"),
    ],
)
def test_error_pages_fit_the_site(fresh_app, code, title):
    app = fresh_app

    @app.get(f"/test-error-{code}")
    def fail():
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get(f"/test-error-{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert f"<h1>{title}</h1>" in page
    assert 'class="skip-link"' in page  # the site's own layout
    assert "boom" not in page  # no internals leak


def test_errors_are_json_for_api_clients(client):
    response = client.get("/courses/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"] == "Page not found"
    assert response.json["reason"]


def test_rate_limit_gives_the_429_page(tmp_path):
    client = _limited_app(tmp_path).test_client()
    statuses = [client.get("/courses").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "<h1>Too many requests</h1>" in client.get("/courses").get_data(as_text=True)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # only with secure cookies


def test_production_cookies_and_hsts(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_SECURE_COOKIES", "1")
    import importlib

    import lms.config

    importlib.reload(lms.config)
    try:
        assert lms.config.Config.SESSION_COOKIE_SECURE is True
        assert lms.config.Config.SESSION_COOKIE_HTTPONLY is True
        assert lms.config.Config.SESSION_COOKIE_SAMESITE == "Lax"
    finally:
        monkeypatch.delenv("LMS_SECURE_COOKIES")
        importlib.reload(lms.config)


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(str(tmp_path))
    second = load_secret_key(str(tmp_path))
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert load_secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_default_database_is_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from lms.config import Config

    assert Config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000
    else:
        pytest.skip("SQLite only")


def _redis_answers() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def _limited_app(tmp_path, **config):
    return limited_app(tmp_path, **{"RATELIMIT_DEFAULT": "2 per minute", **config})


def test_static_files_do_not_count_against_the_limit(tmp_path):
    client = _limited_app(tmp_path).test_client()
    assert all(client.get("/static/css/site.css").status_code == 200 for _ in range(5))
    assert client.get("/courses").status_code == 200


def test_trusted_proxy_gives_each_client_its_own_limit(tmp_path):
    client = _limited_app(tmp_path, TRUSTED_PROXIES=1).test_client()
    for _ in range(2):
        client.get("/courses", headers={"X-Forwarded-For": "203.0.113.1"})
    assert client.get("/courses", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    assert client.get("/courses", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limits_can_be_shared_through_redis(tmp_path):
    import secrets

    app = _limited_app(
        tmp_path,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=f"test-{secrets.token_hex(8)}",
    )
    client = app.test_client()
    assert [client.get("/courses").status_code for _ in range(3)] == [200, 200, 429]


def test_database_errors_do_not_log_statement_parameters(app):
    """A failed INSERT's message names the statement, never its values (names, hashes)."""
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db
    from lms.models import User
    from tests.factories import make_user

    with app.app_context():
        first = make_user("twice@example.com")
        copy = User(
            email=first.email,
            name="Copy",
            password_hash=first.password_hash,
            role="learner",
            region="leeds",
            created_at=first.created_at,
        )
        db.session.add(copy)
        with pytest.raises(IntegrityError) as failure:
            db.session.commit()
        db.session.rollback()
        message = str(failure.value)
        # The bound values (password hash, name...) never appear. (PostgreSQL's own DETAIL line
        # still names the conflicting key, here the email address.)
        assert "$argon2id$" not in message and "'Copy'" not in message
        assert "[SQL parameters hidden due to hide_parameters=True]" in message


def test_pages_for_a_signed_in_person_are_not_stored(client, signed_in):
    for path in ("/dashboard", "/account", "/courses/missing"):
        cache = client.get(path).headers.get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, path
    anonymous = client.application.test_client()
    assert "no-store" not in anonymous.get("/courses").headers.get("Cache-Control", "")


def test_requests_over_the_size_limit_are_refused(client):
    response = client.post(
        "/account/sign-in", data={"email": "x" * (3 * 1024 * 1024)}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)


def test_every_error_summary_takes_focus_when_the_page_loads():
    # autofocus needs no script: after a form with errors, the keyboard starts at what went
    # wrong. (The editor's problems panel takes focus only after its Preview button: see
    # tests/e2e/test_focus_and_menu.py.)
    templates = Path(__file__).parent.parent / "lms" / "templates"
    summaries = [
        (path.relative_to(templates), tag)
        for path in templates.rglob("*.html")
        for tag in re.findall(r'<div class="error-summary"[^>]*>', path.read_text())
        if path.name != "_preview.html"
    ]
    assert len(summaries) >= 3
    assert [s for s in summaries if "autofocus" not in s[1] or 'tabindex="-1"' not in s[1]] == []
