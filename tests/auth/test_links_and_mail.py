"""Every emailed link (confirm, reset, change email) refuses forged, reused and expired tokens;
and mail goes through SMTP when it is configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from lms.extensions import db
from lms.mail import send_mail
from lms.models import AccountToken
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"


def start_flow(purpose, app, client, auth, outbox) -> tuple[str, dict]:
    """Trigger the email for ``purpose``; return the link path and the form to post to it."""
    if purpose == "verify":
        with app.app_context():
            make_user(verified=False)
        auth.sign_in()  # an unconfirmed sign-in sends a fresh link
        return outbox.link(), {"name": "Sam", "region": "leeds", "password": NEW, "confirm": NEW}
    with app.app_context():
        make_user()
    if purpose == "reset":
        client.post("/account/reset", data={"email": "learner@example.com"})
        return outbox.link(), {"password": NEW, "confirm": NEW}
    auth.sign_in()
    client.post("/account/email", data={"email": "new@example.com", "current_password": PASSWORD})
    return outbox.link("new@example.com"), {"current_password": PASSWORD}


PURPOSES = ["verify", "reset", "change"]


@pytest.mark.parametrize("purpose", PURPOSES)
def test_forged_links_are_refused(purpose, app, client, auth, outbox):
    link, data = start_flow(purpose, app, client, auth, outbox)
    forged = link.rsplit("/", 1)[0] + "/" + "A" * 43
    for response in (client.get(forged), client.post(forged, data=data)):
        assert response.status_code == 400
        assert "This link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_links_work_once(purpose, app, client, auth, outbox):
    link, data = start_flow(purpose, app, client, auth, outbox)
    assert client.post(link, data=data).status_code == 302
    again = client.post(link, data=data)
    assert again.status_code == 400
    assert "This link has already been used" in again.get_data(as_text=True)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_expired_links_are_refused(purpose, app, client, auth, outbox):
    link, data = start_flow(purpose, app, client, auth, outbox)
    with app.app_context():
        db.session.execute(
            update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    response = client.post(link, data=data)
    assert response.status_code == 400
    assert "This link has expired." in response.get_data(as_text=True)


def test_tokens_are_stored_only_as_hashes(app, client, auth, outbox):
    link, _ = start_flow("reset", app, client, auth, outbox)
    secret = link.rsplit("/", 1)[1]
    with app.app_context():
        [token] = db.session.scalars(db.select(AccountToken))
        assert secret not in token.token_hash and len(token.token_hash) == 64
    assert len(secret) >= 43  # 256 random bits, URL-safe base64


@pytest.mark.parametrize(
    ("path", "field"), [("/account/reset", "email"), ("/account/verify", "email")]
)
def test_email_forms_explain_a_bad_address(client, path, field):
    response = client.post(path, data={"email": "not an address"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text
    assert "Enter an email address in the correct format" in text


def test_mail_goes_through_smtp_when_configured(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"]))

    monkeypatch.setattr("lms.mail.smtplib.SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.net", MAIL_PORT=2525, MAIL_USERNAME="lms")
    with app.app_context():
        send_mail("someone@example.com", "Hello", "Body")
    assert sent == [
        ("connect", "smtp.example.net", 2525),
        ("starttls",),
        ("login", "lms"),
        ("send", "someone@example.com", "Hello"),
    ]
