"""In production configuration every page carries the security headers, and the session cookie
is Secure, HttpOnly and SameSite."""

from __future__ import annotations

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.extensions import db
from tests.factories import PASSWORD, make_user, write_course
from tests.test_access_matrix import MATRIX

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def test_every_page_has_the_headers_and_secure_cookies(tmp_path, content_dir):
    write_course(content_dir)
    app = create_app(
        settings_of(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.sqlite3",
            CONTENT_DIR=str(content_dir),
            TESTING=False,
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
        )
    )
    with app.app_context():
        db.create_all()
        make_user()
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    client = app.test_client()
    response = client.post(
        "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie, cookie
    for method, path, _ in MATRIX:
        if method != "GET" or "{" in path:
            continue
        response = client.get(path)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
        for name, value in REQUIRED.items():
            assert response.headers.get(name) == value, (path, name)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path


def test_the_session_cookie_is_host_only_and_signed_with_sha256(tmp_path):
    import hashlib

    app = create_app(
        settings_of(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.sqlite3",
            SESSION_COOKIE_SECURE=True,
        )
    )
    with app.app_context():
        db.create_all()
        make_user()
    client = app.test_client()
    response = client.post(
        "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
    )
    assert response.headers["Set-Cookie"].startswith("__Host-session=")
    assert "Path=/" in response.headers["Set-Cookie"]
    assert "Domain" not in response.headers["Set-Cookie"]
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer.signer_kwargs["digest_method"] is hashlib.sha256
    assert client.get("/dashboard").status_code == 200  # the prefixed cookie signs the user in
