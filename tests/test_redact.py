"""Secrets in addresses never reach the logs: reset links, certificate codes, secret parameters."""

from __future__ import annotations

import logging

import pytest
from werkzeug.routing import IntegerConverter

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.redact import (
    PUBLIC_URL_ARGS,
    SECRET_ENDPOINT_ARGS,
    SECRET_URL_ARGS,
    mask_bearer,
    mask_target,
    secret_args,
)
from tests.factories import PASSWORD
from tests.logs import capture

NEW = "a brand new passphrase"
CODE = "7K3M-Q9XD-2B4F-HJ8N-5RTV-WX0Y-Z1A6"


def everything_logged(caplog, lines) -> str:
    """Every record's every attribute, and every line the app's handler wrote."""
    records = "\n".join(repr(r.__dict__) + r.getMessage() for r in caplog.records)
    return records + caplog.text + lines.text


@pytest.fixture
def all_routes_app(tmp_path):
    """The app with every optional blueprint on (hub mode), for walking the URL map."""
    return create_app(
        settings_of(
            TestConfig, HUB_ENABLED=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db"
        )
    )


def test_a_reset_links_token_is_never_logged(client, learner, outbox, caplog, app):
    lines = capture(app)
    caplog.set_level(logging.DEBUG)
    client.post("/account/reset", data={"email": "learner@example.com"})
    link = outbox.link()
    token = link.rsplit("/", 1)[1]
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(link + "/oops").status_code == 404  # a mangled link still carries it
    assert client.delete(link).status_code == 405

    logged = everything_logged(caplog, lines)
    assert token not in logged
    assert "GET /account/reset/[redacted] 200" in caplog.text
    assert "POST /account/reset/[redacted] 302" in caplog.text
    assert "GET /account/reset/[redacted]/oops 404" in caplog.text
    assert "DELETE /account/reset/[redacted] 405" in caplog.text
    assert [e["path"] for e in lines.requests()][1:3] == ["/account/reset/[redacted]"] * 2


def test_email_confirmation_and_change_links_are_masked(client, app, caplog):
    caplog.set_level(logging.INFO, logger="lms.request")
    client.get("/account/verify/Sup3rSecretT0ken")
    client.get("/account/email/An0therSecretT0ken")
    # Signed out on a link, then sent to sign in: the token rides along in ?next=.
    client.get("/account/sign-in?next=/account/email/An0therSecretT0ken")
    assert "Sup3rSecretT0ken" not in caplog.text
    assert "An0therSecretT0ken" not in caplog.text
    assert "GET /account/verify/[redacted] 400" in caplog.text
    assert "GET /account/sign-in?next=/account/email/[redacted] 200" in caplog.text


def test_certificate_codes_and_secret_parameters_are_masked(client, app, caplog):
    caplog.set_level(logging.INFO, logger="lms.request")
    client.get(f"/certificates/{CODE}/qr.svg")
    client.get(f"/api/v1/certificates/{CODE}")
    client.get(f"/verify?code={CODE}")
    client.get("/courses?page=2&api_key=hunter22&password=letmein")
    logged = caplog.text
    for secret in (CODE, "hunter22", "letmein"):
        assert secret not in logged
    assert "GET /certificates/[redacted]/qr.svg 404" in logged
    assert "GET /verify?code=[redacted]" in logged
    assert "GET /courses?page=2&api_key=[redacted]&password=[redacted] 200" in logged


def test_a_bearer_token_and_a_password_are_never_logged(client, app, learner, caplog):
    lines = capture(app)
    caplog.set_level(logging.DEBUG)
    client.post(
        "/api/v1/certificates/verify",
        json={"codes": [CODE]},
        headers={"Authorization": "Bearer tn_abcdefghijklmnopqrstuvwxyz"},
    )
    client.post("/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD})
    logging.getLogger("lms.test").warning("hub said: Authorization: Bearer tn_zyxwvutsrq")
    logged = everything_logged(caplog, lines)
    assert "tn_abcdefghijklmnopqrstuvwxyz" not in logged
    assert PASSWORD not in logged
    assert "tn_zyxwvutsrq" not in lines.text
    assert "Bearer [redacted]" in lines.text
    assert "POST /api/v1/certificates/verify 401" in caplog.text
    assert "POST /account/sign-in 302" in caplog.text


def test_the_session_cookie_is_never_logged(client, app, learner, caplog):
    lines = capture(app)
    caplog.set_level(logging.DEBUG)
    client.post("/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD})
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.get("/dashboard")
    assert cookie.value not in everything_logged(caplog, lines)


def test_the_development_servers_access_lines_are_masked(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    # What werkzeug's dev server logs for each request (``flask run``, ``make run``).
    logging.getLogger("werkzeug").info(
        '127.0.0.1 - - [26/Nov/2026 09:00:00] "%s" %s %s',
        "POST /account/reset/Sup3rSecretT0ken?next=/x HTTP/1.1",
        "302",
        "-",
    )
    assert "Sup3rSecretT0ken" not in caplog.text
    assert '"POST /account/reset/[redacted]?next=/x HTTP/1.1" 302' in caplog.text


def test_every_url_argument_is_classified_secret_or_public(all_routes_app):
    """A new route's arguments must be listed in lms/redact.py before this passes."""
    unclassified = []
    for rule in all_routes_app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                continue  # row ids are not secrets
            known = (
                SECRET_URL_ARGS | PUBLIC_URL_ARGS | SECRET_ENDPOINT_ARGS.get(rule.endpoint, set())
            )
            if name not in known:
                unclassified.append(f"{rule.rule}: <{name}>")
    assert unclassified == [], "list each in lms/redact.py as secret or public"


def test_the_token_routes_are_secret(all_routes_app):
    rules = {rule.endpoint: rule for rule in all_routes_app.url_map.iter_rules()}
    for endpoint in ("auth.reset_password", "auth.verify_email", "auth.confirm_email_change"):
        assert secret_args(rules[endpoint]) == {"token"}
    assert secret_args(rules["certificates.show"]) == {"code"}
    assert secret_args(rules["certificates.profile"]) == {"slug"}
    assert secret_args(rules["learning.lesson"]) == set()


@pytest.mark.parametrize(
    ("target", "method", "expected"),
    [
        ("/account/reset/abc", "GET", "/account/reset/[redacted]"),
        ("/api/v1/certificates/verify", "POST", "/api/v1/certificates/verify"),
        ("/profiles/r4nd0m", "GET", "/profiles/[redacted]"),
        ("/courses/python-basics/lessons/intro", "GET", "/courses/python-basics/lessons/intro"),
        ("/courses?q=excel&page=2", "GET", "/courses?q=excel&page=2"),
        ("/verify?Code=abc&x=1", "GET", "/verify?Code=[redacted]&x=1"),
    ],
)
def test_mask_target(all_routes_app, target, method, expected):
    assert mask_target(target, all_routes_app.url_map, method) == expected


def test_mask_bearer():
    assert mask_bearer("sent authorization: bearer abc.DEF-123") == (
        "sent authorization: bearer [redacted]"
    )
