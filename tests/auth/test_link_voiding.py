"""A change that makes a pending link dangerous cancels it: a new password (changed or reset), a
new email address, "Sign out everywhere" and account deletion cancel every pending link of the
account; an admin's role change cancels pending email changes. Each pair of trigger and link kind
is tried through the pages, and the link then refuses, as its owner would see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth import emails
from lms.auth.admin import change_role
from lms.extensions import db
from lms.models import User
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"
CANCELLED = "This link has already been used, or was cancelled by a later change to the account."
DELETED = "This link is not valid."


def page(response) -> str:
    return response.get_data(as_text=True)


def signed_in_browser(app, email="learner@example.com", password=PASSWORD):
    browser = app.test_client()
    response = browser.post("/account/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302
    return browser


def learner(app) -> User:
    return db.session.scalar(select(User).where(User.email == "learner@example.com"))


# --- the pending links, one of each kind -----------------------------------------------------


def pending_reset(app, outbox) -> tuple[str, dict]:
    app.test_client().post("/account/reset", data={"email": "learner@example.com"})
    return outbox.link("learner@example.com"), {"password": NEW, "confirm": NEW}


def pending_change(app, outbox, to="elsewhere@example.com") -> tuple[str, dict]:
    browser = signed_in_browser(app)
    response = browser.post("/account/email", data={"email": to, "current_password": PASSWORD})
    assert response.status_code == 200
    return outbox.link(to), {"current_password": PASSWORD}


def pending_verify(app, outbox) -> tuple[str, dict]:
    # A confirmed account cannot ask for one through the pages; one sent while the account was
    # unconfirmed may still be waiting, so it is issued directly.
    with app.test_request_context():
        emails.send_verification(learner(app))
    form = {"name": "Sam", "region": "leeds", "password": NEW, "confirm": NEW}
    return outbox.link("learner@example.com"), form


KINDS = {"reset": pending_reset, "change": pending_change, "verify": pending_verify}


# --- the changes that must cancel them ---------------------------------------------------------


def change_password(app, outbox):
    browser = signed_in_browser(app)
    response = browser.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.location == "/account"


def reset_password(app, outbox):
    browser = app.test_client()
    browser.post("/account/reset", data={"email": "learner@example.com"})
    response = browser.post(
        outbox.link("learner@example.com"), data={"password": NEW, "confirm": NEW}
    )
    assert response.location == "/dashboard"


def change_email(app, outbox):
    browser = signed_in_browser(app)
    browser.post(
        "/account/email", data={"email": "moved@example.com", "current_password": PASSWORD}
    )
    response = browser.post(outbox.link("moved@example.com"), data={"current_password": PASSWORD})
    assert response.location == "/account"


def sign_out_everywhere(app, outbox):
    response = signed_in_browser(app).post("/account/sign-out-everywhere")
    assert response.location == "/account/sign-in"


def delete_account(app, outbox):
    response = signed_in_browser(app).post(
        "/account/delete", data={"current_password": PASSWORD, "understood": "y"}
    )
    assert response.location == "/"


TRIGGERS = {
    "password change": (change_password, CANCELLED),
    "password reset": (reset_password, CANCELLED),
    "email change": (change_email, CANCELLED),
    "sign out everywhere": (sign_out_everywhere, CANCELLED),
    "account deletion": (delete_account, DELETED),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_change_cancels_every_pending_link(app, outbox, trigger, kind):
    with app.app_context():
        make_user()
        link, form = KINDS[kind](app, outbox)
    do, message = TRIGGERS[trigger]
    with app.app_context():
        do(app, outbox)
    stranger = app.test_client()
    for response in (stranger.get(link), stranger.post(link, data=form)):
        assert response.status_code == 400
        assert message in page(response)
        assert "This link cannot be used" in page(response)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "elsewhere@example.com")) is None


def test_a_role_change_cancels_pending_email_changes_only(app, outbox):
    with app.app_context():
        make_user()
        change, change_form = pending_change(app, outbox)
        reset, reset_form = pending_reset(app, outbox)
        change_role(learner(app), "trainer", actor="cli")
    browser = app.test_client()
    refused = browser.post(change, data=change_form)
    assert refused.status_code == 400
    assert CANCELLED in page(refused)
    # the reset link goes to the address the admin saw, so it still works (and the new trainer
    # lands on the studio)
    assert browser.post(reset, data=reset_form).location == "/studio"


@pytest.mark.parametrize("kind", KINDS)
def test_a_link_that_nothing_cancelled_still_works(app, outbox, kind):
    """The control: without a trigger, each pending link kind is usable (so the test above fails
    for the right reason)."""
    with app.app_context():
        make_user()
        link, form = KINDS[kind](app, outbox)
    browser = app.test_client()
    assert browser.get(link).status_code == 200
    assert browser.post(link, data=form).status_code == 302
