"""Changing password or email, resetting a password, and the data rights: export and deletion."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from lms.auth.passwords import verify_password
from lms.extensions import db
from lms.models import AccountToken, LessonProgress, QuizAttempt, User, UserSession
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"


def page(response) -> str:
    """The page's HTML as a person reads it: without the invisible line-break hints (``<wbr>``)."""
    return response.get_data(as_text=True).replace("<wbr>", "")


def user(app, user_id) -> User:
    with app.app_context():
        return db.session.get(User, user_id)


def signed_in_browser(app, email="learner@example.com", password=PASSWORD):
    browser = app.test_client()
    response = browser.post("/account/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302
    return browser


# --- password change -------------------------------------------------------------------------


def test_change_password_needs_the_current_one(client, signed_in, app):
    response = client.post(
        "/account/password",
        data={"current_password": "not my password", "password": NEW, "confirm": NEW},
    )
    assert response.status_code == 422
    assert 'id="current_password-error"' in page(response)
    assert "Your current password is not right." in page(response)
    assert verify_password(user(app, signed_in).password_hash, PASSWORD)


def test_change_password_signs_out_other_browsers_but_not_this_one(client, signed_in, app, outbox):
    phone = signed_in_browser(app)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.location == "/account"
    assert "Other browsers have been signed out" in page(client.get("/account"))
    assert phone.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert outbox.last()["Subject"] == "Your TechNorth Skills password has changed"
    assert signed_in_browser(app, password=NEW)


def test_new_password_must_meet_the_policy(client, signed_in):
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "qwerty123", "confirm": "qwerty123"},
    )
    assert response.status_code == 422
    assert 'id="password-error"' in page(response)


# --- password reset --------------------------------------------------------------------------


def test_reset_request_says_the_same_for_unknown_addresses(client, learner, outbox):
    unknown = client.post("/account/reset", data={"email": "nobody@example.com"})
    assert [m["Subject"] for m in outbox.messages] == [
        "There is no TechNorth Skills account for this email address"
    ]
    known = client.post("/account/reset", data={"email": "learner@example.com"})
    assert page(unknown).replace("nobody@example.com", "X") == page(known).replace(
        "learner@example.com", "X"
    )
    assert outbox.last()["Subject"] == "Reset your TechNorth Skills password"


def test_reset_sets_the_password_and_ends_other_sessions(client, learner, app, outbox):
    other = signed_in_browser(app)
    client.post("/account/reset", data={"email": "learner@example.com"})
    link = outbox.link()
    assert "Choose a new password" in page(client.get(link))
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.location == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    assert verify_password(user(app, learner).password_hash, NEW)
    reused = client.post(
        link, data={"password": "yet another passphrase", "confirm": "yet another passphrase"}
    )
    assert reused.status_code == 400
    assert "already been used" in page(reused)


def test_a_rejected_new_password_does_not_spend_the_link(client, learner, app, outbox):
    client.post("/account/reset", data={"email": "learner@example.com"})
    link = outbox.link()
    bad = client.post(link, data={"password": "short", "confirm": "short"})
    assert bad.status_code == 422
    assert 'id="password-error"' in page(bad)
    good = client.post(link, data={"password": NEW, "confirm": NEW})
    assert good.status_code == 302


def test_an_expired_reset_link_is_refused(client, learner, app, outbox):
    client.post("/account/reset", data={"email": "learner@example.com"})
    with app.app_context():
        db.session.execute(
            update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        db.session.commit()
    response = client.post(outbox.link(), data={"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert "This link has expired." in page(response)
    assert verify_password(user(app, learner).password_hash, PASSWORD)


# --- email change ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "new@example.com", "current_password": "wrong one"},
            "current_password",
            "Your current password is not right.",
        ),
        (
            {"email": "learner@example.com", "current_password": PASSWORD},
            "email",
            "That is already your email address.",
        ),
        (
            {"email": "taken@example.com", "current_password": PASSWORD},
            "email",
            "Another account uses that email address.",
        ),
        (
            {"email": "nonsense", "current_password": PASSWORD},
            "email",
            "Enter an email address in the correct format",
        ),
    ],
)
def test_change_email_errors(client, signed_in, app, data, field, message):
    with app.app_context():
        make_user("taken@example.com")
    response = client.post("/account/email", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page(response)
    assert message in page(response)


def test_change_email_takes_effect_when_confirmed(client, signed_in, app, outbox):
    client.post("/account/email", data={"email": "New@Example.com", "current_password": PASSWORD})
    assert user(app, signed_in).email == "learner@example.com"  # not until confirmed
    assert outbox.last("learner@example.com")["Subject"].startswith("Your TechNorth Skills email")
    link = outbox.link("new@example.com")
    assert "Your password" in page(client.get(link))
    wrong = client.post(link, data={"current_password": "not my password"})
    assert wrong.status_code == 422
    assert "Your current password is not right." in page(wrong)
    assert user(app, signed_in).email == "learner@example.com"
    response = client.post(link, data={"current_password": PASSWORD})
    assert response.location == "/account"
    assert user(app, signed_in).email == "new@example.com"
    assert client.post(link, data={"current_password": PASSWORD}).status_code == 400


# --- data rights -----------------------------------------------------------------------------


def test_download_my_data(client, signed_in, synced, app):
    client.post("/courses/demo-course/enrol")
    client.get("/courses/demo-course/lessons/first-steps")
    client.post(
        "/courses/demo-course/lessons/first-steps/quiz",
        data={"q1": "0", "q2": ["0", "1"], "q3": "0"},
    )
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "learner@example.com"
    assert data["account"]["region"] == {"code": "leeds", "name": "Leeds City Region"}
    assert [e["course"] for e in data["enrolments"]] == ["demo-course"]
    assert data["lesson_progress"][0]["lesson"] == "first-steps"
    assert data["lesson_progress"][0]["completed_at"]
    assert data["quiz_attempts"][0]["passed"] is True
    assert len(data["sessions"]) == 1
    assert "token" not in json.dumps(data["email_links"])
    assert "password" not in json.dumps(data)


def test_delete_account_needs_password_and_the_box_ticked(client, signed_in, app):
    wrong = client.post("/account/delete", data={"current_password": "nope", "understood": "y"})
    assert "Your current password is not right." in page(wrong)
    unticked = client.post("/account/delete", data={"current_password": PASSWORD})
    assert "Tick the box to confirm" in page(unticked)
    assert user(app, signed_in).deleted_at is None


def test_delete_account_erases_personal_data_and_keeps_the_figures(client, signed_in, synced, app):
    client.post("/courses/demo-course/enrol")
    client.post(
        "/courses/demo-course/lessons/first-steps/quiz",
        data={"q1": "0", "q2": ["0", "1"], "q3": "0"},
    )
    response = client.post(
        "/account/delete", data={"current_password": PASSWORD, "understood": "y"}
    )
    assert response.location == "/"
    gone = user(app, signed_in)
    assert (gone.email, gone.name, gone.password_hash) == (None, None, None)
    assert gone.deleted_at is not None
    assert client.get("/dashboard").status_code == 302
    assert (
        client.post(
            "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
        ).status_code
        == 422
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 0
        # completions and attempts still count, attached to no one identifiable
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
    # the address is free to sign up again
    again = client.post(
        "/account/sign-up",
        data={
            "name": "New Me",
            "email": "learner@example.com",
            "region": "leeds",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert again.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2
