"""Signing up, confirming the email address, signing in and out, as a person does in a browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import AccountToken, User, UserSession
from tests.factories import PASSWORD, limited_app, make_user

GOOD = {"name": "Priya Shah", "email": "Priya@Example.com", "region": "sheffield"}
# What the confirmation link's page asks for: the details to check, and the password.
CHOSEN = {"name": "Priya Shah", "region": "sheffield", "password": PASSWORD, "confirm": PASSWORD}


def page(response) -> str:
    """The page's HTML as a person reads it: without the invisible line-break hints (``<wbr>``)."""
    return response.get_data(as_text=True).replace("<wbr>", "")


def users(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User)))


def test_sign_up_sends_a_confirmation_link(client, app, outbox):
    response = client.post("/account/sign-up", data=GOOD)
    assert response.status_code == 200
    assert "We have sent an email to <strong>priya@example.com</strong>" in page(response)
    [user] = users(app)
    assert (user.email, user.name, user.region, user.role) == (
        "priya@example.com",
        "Priya Shah",
        "sheffield",
        "learner",
    )
    assert user.email_verified_at is None
    assert user.password_hash is None  # chosen on the confirmation link's page
    mail = outbox.last("priya@example.com")
    assert mail["Subject"] == "Confirm your email address for TechNorth Skills"
    assert outbox.link().startswith("/account/verify/")
    assert client.get("/dashboard").status_code == 302  # not signed in until confirmed


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your name."),
        ("name", "x" * 121, "Your name must be 120 characters or fewer."),
        ("email", "", "Enter your email address."),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("region", "", "Choose your city region from the list."),
        ("region", "atlantis", "Choose your city region from the list."),
        ("email", "x" * 250 + "@example.com", "Enter an email address in the correct format"),
        # NUL is refused by PostgreSQL in text; a right-to-left override disguises an address
        ("email", "priya@example.com\x1b", "Enter an email address in the correct format"),
        ("email", "priya\u202e@example.com", "Enter an email address in the correct format"),
        ("name", "Priya\x01Shah", "Your name must not contain control characters."),
    ],
)
def test_sign_up_errors_are_shown_beside_the_field(client, app, field, value, message):
    data = dict(GOOD)
    data[field] = value
    response = client.post("/account/sign-up", data=data)
    text = page(response)
    assert response.status_code == 422
    assert "There is a problem" in text
    assert f'id="{field}-error"' in text
    assert message in text
    assert f'href="#{field}"' in text  # the summary links to the field
    assert users(app) == []


@pytest.mark.parametrize("path", ["/account/sign-in", "/account/reset", "/account/verify"])
def test_an_address_with_a_nul_character_is_refused_not_an_error(client, path):
    """No form accepts a NUL (PostgreSQL refuses it in any text): the whole request is a 400
    that says so, before any form or query sees it. Other control characters are refused beside
    the field, above."""
    response = client.post(path, data={"email": "a@example.com\x00", "password": PASSWORD})
    assert response.status_code == 400
    assert "Bad request" in page(response)
    other = client.post(path, data={"email": "a@example.com\x07", "password": PASSWORD})
    assert other.status_code == 422
    assert "Enter an email address in the correct format" in page(other)


def test_a_very_long_address_is_refused_before_the_pattern_sees_it(client, monkeypatch):
    """The pattern backtracks: on 800 KB of "a." it would run for hours. Length comes first."""
    from lms.auth import users

    real = users.EMAIL_RE

    class Watched:
        def match(self, text):
            assert len(text) <= 254, f"the pattern was run on {len(text)} characters"
            return real.match(text)

    monkeypatch.setattr(users, "EMAIL_RE", Watched())
    response = client.post("/account/sign-up", data=dict(GOOD, email="x@" + "a." * 400_000 + "@"))
    assert response.status_code == 422
    assert "Enter an email address in the correct format" in page(response)


def test_sign_up_keeps_what_was_typed_except_passwords(client, outbox):
    text = page(client.post("/account/sign-up", data=dict(GOOD, region="")))
    assert 'value="Priya Shah"' in text
    assert 'value="Priya@Example.com"' in text
    client.post("/account/sign-up", data=GOOD)
    refused = page(client.post(outbox.link(), data=dict(CHOSEN, confirm="different one!")))
    assert 'value="Priya Shah"' in refused
    assert PASSWORD not in refused and "different one!" not in refused
    assert refused.count('type="password"') == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your name."),
        ("region", "", "Choose your city region from the list."),
        ("password", "short", "at least 8 characters"),
        ("password", "password123", "one of the most common"),
        ("password", "x" * 129, "at most 128 characters"),
        ("password", "priya@example.com", "must not be your name or email address"),
        ("confirm", "something else entirely", "The passwords do not match."),
    ],
)
def test_confirmation_page_errors_are_shown_beside_the_field(
    client, app, outbox, field, value, message
):
    client.post("/account/sign-up", data=GOOD)
    data = dict(CHOSEN)
    data[field] = value
    if field == "password":
        data["confirm"] = value
    response = client.post(outbox.link(), data=data)
    text = page(response)
    assert response.status_code == 422
    assert "There is a problem" in text
    assert f'id="{field}-error"' in text
    assert message in text
    assert f'href="#{field}"' in text
    assert PASSWORD not in text and "priya@example.com" not in text.split("<form")[1]
    assert users(app)[0].email_verified_at is None  # nothing changed, the link still works
    assert client.post(outbox.link(), data=CHOSEN).status_code == 302


def test_signing_up_twice_reveals_nothing_and_creates_nothing(client, app, outbox, auth):
    client.post("/account/sign-up", data=GOOD)
    client.post(outbox.link(), data=CHOSEN)
    auth.sign_out()
    again = client.post("/account/sign-up", data=dict(GOOD, name="Someone Else"))
    assert again.status_code == 200
    assert "We have sent an email to" in page(again)
    [user] = users(app)
    assert user.name == "Priya Shah"
    mail = outbox.last()
    assert mail["Subject"] == "You already have a TechNorth Skills account"
    assert "Someone Else" not in mail.get_content()
    # its link lets the owner choose a new password, should they have forgotten theirs
    assert outbox.link().startswith("/account/reset/")


def test_confirming_the_email_signs_the_person_in(client, app, outbox, auth):
    client.post("/account/sign-up", data=GOOD)
    link = outbox.link()
    confirm_page = page(client.get(link))
    assert "Confirm my email address" in confirm_page
    assert 'value="Priya Shah"' in confirm_page  # the details given at sign-up, to check
    assert '<option selected value="sheffield">' in confirm_page
    [user] = users(app)
    assert user.email_verified_at is None  # a GET changes nothing
    response = client.post(link, data=dict(CHOSEN, name="Priya K. Shah", region="leeds"))
    assert response.status_code == 302 and response.location == "/dashboard"
    [user] = users(app)
    assert user.email_verified_at is not None
    assert (user.name, user.region) == ("Priya K. Shah", "leeds")
    assert "Your email address is confirmed" in page(client.get("/dashboard"))
    auth.sign_out()
    assert auth.sign_in("priya@example.com").status_code == 302  # the password chosen there


def test_a_confirmation_link_works_once(client, outbox):
    client.post("/account/sign-up", data=GOOD)
    link = outbox.link()
    client.post(link, data=CHOSEN)
    reused = client.post(link, data=CHOSEN)
    assert reused.status_code == 400
    assert "This link has already been used" in page(reused)
    assert client.get(link).status_code == 400


def test_a_forged_link_is_refused(client):
    response = client.get("/account/verify/not-a-real-token")
    assert response.status_code == 400
    assert "This link is not valid" in page(response)
    assert client.post("/account/verify/not-a-real-token").status_code == 400


def test_an_expired_link_is_refused(client, app, outbox):
    client.post("/account/sign-up", data=GOOD)
    with app.app_context():
        db.session.execute(
            update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    response = client.post(outbox.link())
    assert response.status_code == 400
    assert "This link has expired." in page(response)
    assert users(app)[0].email_verified_at is None


def test_a_link_for_one_purpose_cannot_be_used_for_another(client, outbox):
    client.post("/account/sign-up", data=GOOD)
    token = outbox.link().rsplit("/", 1)[1]
    response = client.get(f"/account/reset/{token}")
    assert response.status_code == 400


def test_unconfirmed_account_cannot_sign_in_and_gets_a_new_link(client, app, auth, outbox):
    with app.app_context():
        make_user(verified=False)
    response = auth.sign_in()
    assert "You need to confirm your email address" in page(response)
    assert outbox.last()["Subject"] == "Confirm your email address for TechNorth Skills"
    assert client.get("/dashboard").status_code == 302


def test_sign_in_and_out(client, learner, auth):
    response = auth.sign_in()
    assert response.status_code == 302 and response.location == "/dashboard"
    assert "My learning" in page(client.get("/dashboard"))
    out = auth.sign_out()
    assert out.status_code == 302
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("learner@example.com", "wrong password here"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_credentials_get_one_generic_message(client, learner, auth, email, password):
    response = auth.sign_in(email=email, password=password)
    assert response.status_code == 422
    assert "Enter a correct email address and password." in page(response)


def test_sign_in_attempts_are_logged_without_secrets(client, learner, auth, caplog):
    caplog.set_level("INFO", logger="lms.auth.users")
    auth.sign_in(password="wrong password here")
    auth.sign_in()
    logged = caplog.text
    assert "sign-in failed: wrong password for user" in logged
    assert "sign-in succeeded for user" in logged
    assert "wrong password here" not in logged and PASSWORD not in logged


def test_sign_in_starts_a_fresh_session(client, learner, auth):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.sign_in()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/courses", "/courses"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_next_only_goes_to_local_paths(client, learner, auth, next_url, expected):
    response = auth.sign_in(query_string={"next": next_url})
    assert response.location == expected


def test_pages_that_need_an_account_send_people_to_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.location.startswith("/account/sign-in?next=")


def test_a_copied_cookie_is_dead_after_sign_out(app, learner):
    browser = app.test_client()
    browser.post("/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD})
    stolen = browser.get_cookie("session").value
    browser.post("/account/sign-out")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_sign_out_everywhere_ends_every_session(app, learner):
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        browser.post(
            "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
        )
    assert phone.get("/dashboard").status_code == 200
    response = laptop.post("/account/sign-out-everywhere")
    assert response.location == "/account/sign-in"
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 302


def test_forms_need_a_csrf_token(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_sign_in_is_rate_limited(tmp_path):
    app = limited_app(tmp_path, SIGN_IN_LIMIT="3 per minute")
    client = app.test_client()
    data = {"email": "someone@example.com", "password": "wrong password here"}
    statuses = [client.post("/account/sign-in", data=data).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert client.get("/account/sign-in").status_code == 200  # reading the page is not limited


def test_a_sign_up_cannot_choose_its_own_role(client, app, outbox):
    client.post("/account/sign-up", data=dict(GOOD, role="admin", is_admin="1"))
    [user] = users(app)
    assert user.role == "learner"


def test_production_password_hashing_is_argon2id_at_rfc_9106_cost(cheap_password_hashing):
    from argon2 import Type

    production = cheap_password_hashing
    assert production.type is Type.ID
    assert (production.memory_cost, production.time_cost) == (65536, 3)
    assert production.hash("a password").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
