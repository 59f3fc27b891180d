"""Absolute URLs made outside a page come from the one configured public address, never from the
request's Host or X-Forwarded-Host; production refuses to start without that address."""

from __future__ import annotations

import json

import jwt
import pytest
from sqlalchemy import select

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.extensions import db
from lms.models import Certificate
from lms.urls import PublicUrlError
from tests.certificates.conftest import complete_demo_course
from tests.factories import PASSWORD, make_user

FORGED = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
ATTACKER = "http://attacker.example/"


class ForgedHost:
    """A browser whose every request names the attacker's host (cookies follow that host)."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **kwargs):
        return self.client.get(path, base_url=ATTACKER, **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, base_url=ATTACKER, **kwargs)


def test_a_reset_link_ignores_a_forged_host(app, client, outbox):
    with app.app_context():
        make_user()
    client.post("/account/reset", data={"email": "learner@example.com"}, headers=FORGED)
    body = outbox.last().get_content()
    assert "attacker.example" not in body
    assert "http://localhost/account/reset/" in body


def test_behind_the_proxy_setting_x_forwarded_host_is_not_followed(tmp_path, content_dir):
    app = create_app(
        settings_of(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/proxy.sqlite3",
            TRUSTED_PROXIES=1,
            PUBLIC_URL="https://skills.technorth.example",
        )
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.create_all()
        make_user(verified=False)
    client = app.test_client()
    forwarded = {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "https"}
    client.post("/account/verify", data={"email": "learner@example.com"}, headers=forwarded)
    from tests.conftest import Outbox

    body = Outbox(app).last().get_content()
    assert "attacker.example" not in body
    assert "https://skills.technorth.example/account/verify/" in body


def test_every_account_link_uses_the_public_address(app, client, outbox):
    client = ForgedHost(client)
    client.post(
        "/account/sign-up",
        data={
            "name": "New Person",
            "email": "new@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "region": "leeds",
        },
    )
    with app.app_context():
        make_user()
    signed_in = client.post(
        "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    response = client.post(
        "/account/email",
        data={"email": "other@example.com", "current_password": PASSWORD},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    bodies = [message.get_content() for message in outbox.messages]
    assert len(bodies) == 3  # confirm the new account; confirm the new address; notice to the old
    for body in bodies:
        assert "attacker.example" not in body


def test_a_certificate_issued_under_a_forged_host_names_the_real_issuer(app, client, synced):
    with app.app_context():
        make_user()
    client = ForgedHost(client)
    client.post("/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD})
    complete_demo_course(client)
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        token, code = certificate.credential_jwt, certificate.code
    claims = jwt.decode(token, options={"verify_signature": False})
    assert "attacker.example" not in json.dumps(claims)
    assert claims["iss"] == "http://localhost/issuer"
    assert claims["credentialSubject"]["achievement"]["id"].startswith("http://localhost/courses/")
    from lms.certificates.codes import grouped
    from lms.certificates.documents import qr_svg

    page = client.get(f"/certificates/{grouped(code)}/qr.svg")
    with app.app_context():
        assert page.get_data(as_text=True) == qr_svg(
            f"http://localhost/certificates/{grouped(code)}"
        )
    issuer = client.get("/issuer").get_json()
    assert issuer["id"] == "http://localhost/issuer"


def test_the_openapi_document_names_the_public_address(client):
    document = client.get("/api/v1/openapi.json", headers=FORGED).get_json()
    assert document["servers"] == [{"url": "http://localhost/"}]


# -- start-up rules -----------------------------------------------------------------------------


def production(**overrides):
    settings = {"TESTING": False, "ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    return settings_of(TestConfig, **(settings | overrides))


def test_production_refuses_to_start_without_a_public_address():
    with pytest.raises(PublicUrlError, match="LMS_PUBLIC_URL is not set"):
        create_app(production(PUBLIC_URL=""))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("skills.technorth.example", "must start with https://"),
        ("ftp://skills.technorth.example", "must start with https://"),
        ("http://skills.technorth.example", "production serves over HTTPS"),
        ("https://user:pw@skills.technorth.example", "user name or password"),
        ("https://skills.technorth.example/?next=x", "query"),
        ("https://skills.technorth.example:99999", "port"),
        ("https://bad_host!.example", "not a valid host name"),
        ("https://skills.technorth.example/a b", "path"),
    ],
)
def test_a_public_address_that_cannot_be_used_is_refused_with_the_reason(url, reason):
    with pytest.raises(PublicUrlError, match=reason):
        create_app(production(PUBLIC_URL=url))


def test_production_answers_only_to_its_own_host():
    app = create_app(production(PUBLIC_URL="https://skills.technorth.example/"))
    assert app.config["PUBLIC_URL"] == "https://skills.technorth.example"
    assert app.config["TRUSTED_HOSTS"] == ["skills.technorth.example"]
    client = app.test_client()
    refused = client.get("/healthz", headers={"Host": "attacker.example"})
    assert refused.status_code == 400
    page = client.get("/courses", headers={"Host": "attacker.example"})
    assert page.status_code == 400
    assert "Bad request" in page.get_data(as_text=True)  # the site's own page, not a crash
    assert client.get("/healthz", headers={"Host": "skills.technorth.example"}).status_code == 200


def test_extra_trusted_hosts_are_added_for_health_checks():
    app = create_app(
        production(PUBLIC_URL="https://skills.technorth.example", EXTRA_TRUSTED_HOSTS=["10.0.0.7"])
    )
    assert app.config["TRUSTED_HOSTS"] == ["skills.technorth.example", "10.0.0.7"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_development_defaults_to_the_loopback_address_it_serves_on(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    app = create_app(production(ENV="development", PUBLIC_URL=""))
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:8123"
    assert app.config.get("TRUSTED_HOSTS") is None
    monkeypatch.setenv("PORT", "not-a-port")
    app = create_app(production(ENV="development", PUBLIC_URL=""))
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"


def test_links_can_be_built_outside_a_request(app):
    from lms.urls import public_url

    with app.app_context():
        assert public_url("auth.reset_password", token="abc") == (
            "http://localhost/account/reset/abc"
        )
