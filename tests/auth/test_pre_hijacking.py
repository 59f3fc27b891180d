"""Account pre-hijacking: someone signs up with another person's address before they do. Whoever
proves the address (a confirmation link, a reset link) must end up the only person who can sign
in. Played through the pages with two browsers: the intruder's and the owner's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import AccountToken, User, UserSession
from tests.factories import make_user

OWNER = "owner@example.com"
INTRUDERS_PASSWORD = "intruder's own passphrase"
OWNERS_PASSWORD = "the owner's passphrase"
INTRUDERS_SIGN_UP = {
    "name": "Not The Owner",
    "email": OWNER,
    "region": "leeds",
    # What the form asked for before sign-up stopped taking a password; now ignored.
    "password": INTRUDERS_PASSWORD,
    "confirm": INTRUDERS_PASSWORD,
}
OWNERS_SIGN_UP = {
    "name": "Olu Owner",
    "email": OWNER,
    "region": "liverpool",
    "password": OWNERS_PASSWORD,  # ignored, as above
    "confirm": OWNERS_PASSWORD,
}
OWNERS_CHOICE = {
    "name": "Olu Owner",
    "region": "liverpool",
    "password": OWNERS_PASSWORD,
    "confirm": OWNERS_PASSWORD,
}


def page(response) -> str:
    """The page's HTML as a person reads it: without the invisible line-break hints (``<wbr>``)."""
    return response.get_data(as_text=True).replace("<wbr>", "")


def sign_in(app, password, email=OWNER):
    browser = app.test_client()
    response = browser.post("/account/sign-in", data={"email": email, "password": password})
    return browser, response


def accounts(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).where(User.email == OWNER)))


def test_the_owner_confirming_an_intruders_sign_up_is_the_only_one_who_can_sign_in(app, outbox):
    app.test_client().post("/account/sign-up", data=INTRUDERS_SIGN_UP)
    owner = app.test_client()
    response = owner.post(outbox.link(OWNER), data=OWNERS_CHOICE)
    assert response.location == "/dashboard"
    assert owner.get("/dashboard").status_code == 200
    _, attempt = sign_in(app, INTRUDERS_PASSWORD)
    assert attempt.status_code == 422
    assert "Enter a correct email address and password." in page(attempt)
    _, attempt = sign_in(app, OWNERS_PASSWORD)
    assert attempt.location == "/dashboard"
    [account] = accounts(app)
    assert (account.name, account.region) == ("Olu Owner", "liverpool")


def test_a_confirmation_link_cannot_be_used_without_choosing_a_password(app, outbox):
    intruder = app.test_client()
    intruder.post("/account/sign-up", data=INTRUDERS_SIGN_UP)
    # Before the owner acts, nothing the intruder holds opens the account.
    attempt = intruder.post(
        "/account/sign-in", data={"email": OWNER, "password": INTRUDERS_PASSWORD}
    )
    assert attempt.status_code == 422
    assert intruder.get("/dashboard").status_code == 302
    owner = app.test_client()
    link = outbox.link(OWNER)
    assert 'type="password"' in page(owner.get(link))
    refused = owner.post(link)
    assert refused.status_code == 422
    assert "Enter a password." in page(refused)
    assert owner.get("/dashboard").status_code == 302
    assert accounts(app)[0].email_verified_at is None


def test_the_owner_signing_up_later_gets_a_working_link(app, outbox):
    """An unconfirmed account never holds an address back: the owner's own sign-up takes it over
    and sends the owner a confirmation link, whatever the intruder did first."""
    app.test_client().post("/account/sign-up", data=INTRUDERS_SIGN_UP)
    intruders_link = outbox.link(OWNER)
    owner = app.test_client()
    answer = owner.post("/account/sign-up", data=OWNERS_SIGN_UP)
    assert "We have sent an email to <strong>owner@example.com</strong>" in page(answer)
    mail = outbox.last(OWNER)
    assert mail["Subject"] == "Confirm your email address for TechNorth Skills"
    assert "Not The Owner" not in mail.get_content()  # what a stranger typed is never mailed
    link = outbox.link(OWNER)
    assert link != intruders_link
    assert 'value="Olu Owner"' in page(owner.get(link))  # the owner's details, to check
    assert owner.post(link, data=OWNERS_CHOICE).location == "/dashboard"
    assert len(accounts(app)) == 1
    assert sign_in(app, INTRUDERS_PASSWORD)[1].status_code == 422
    assert sign_in(app, OWNERS_PASSWORD)[1].location == "/dashboard"
    # The earlier link, from the intruder's sign-up, cannot set another password now.
    again = app.test_client().post(intruders_link, data=dict(OWNERS_CHOICE, password="x" * 20))
    assert again.status_code == 400


def test_an_unconfirmed_account_whose_links_expired_is_taken_over(app, outbox):
    app.test_client().post("/account/sign-up", data=INTRUDERS_SIGN_UP)
    with app.app_context():
        db.session.execute(
            update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    owner = app.test_client()
    owner.post("/account/sign-up", data=OWNERS_SIGN_UP)
    assert outbox.last(OWNER)["Subject"] == "Confirm your email address for TechNorth Skills"
    assert owner.post(outbox.link(OWNER), data=OWNERS_CHOICE).location == "/dashboard"
    assert sign_in(app, OWNERS_PASSWORD)[1].location == "/dashboard"


def test_an_account_pre_hijacked_before_this_change_needs_a_new_password_to_confirm(app, outbox):
    """Accounts made when sign-up took a password: the intruder's password is still stored, and
    the owner's confirmation link must not keep it."""
    with app.app_context():
        make_user(OWNER, name="Not The Owner", password=INTRUDERS_PASSWORD, verified=False)
    owner = app.test_client()
    owner.post("/account/verify", data={"email": OWNER})
    assert owner.post(outbox.link(OWNER), data=OWNERS_CHOICE).location == "/dashboard"
    assert sign_in(app, INTRUDERS_PASSWORD)[1].status_code == 422
    assert sign_in(app, OWNERS_PASSWORD)[1].location == "/dashboard"


def test_a_reset_by_the_owner_leaves_only_the_owner(app, outbox):
    with app.app_context():
        make_user(OWNER, name="Not The Owner", password=INTRUDERS_PASSWORD, verified=False)
    owner = app.test_client()
    owner.post("/account/reset", data={"email": OWNER})
    response = owner.post(
        outbox.link(OWNER), data={"password": OWNERS_PASSWORD, "confirm": OWNERS_PASSWORD}
    )
    assert response.location == "/dashboard"
    assert sign_in(app, INTRUDERS_PASSWORD)[1].status_code == 422
    assert sign_in(app, OWNERS_PASSWORD)[1].location == "/dashboard"


def test_sessions_from_before_the_confirmation_end_with_it(app, outbox):
    """However a session came to exist before the address was proven, it is not the owner's."""
    with app.app_context():
        make_user(OWNER, password=INTRUDERS_PASSWORD)
    intruder, _ = sign_in(app, INTRUDERS_PASSWORD)
    assert intruder.get("/dashboard").status_code == 200
    with app.app_context():
        db.session.execute(update(User).values(email_verified_at=None))
        db.session.commit()
    owner = app.test_client()
    owner.post("/account/verify", data={"email": OWNER})
    assert owner.post(outbox.link(OWNER), data=OWNERS_CHOICE).location == "/dashboard"
    assert intruder.get("/dashboard").status_code == 302
    assert owner.get("/dashboard").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_nobody_can_attach_their_address_to_an_account_someone_else_controls(app, outbox):
    """The email-change variant: an intruder asks to move their own account to the owner's
    address. The owner's click alone must not do it: the link page asks for the account's
    password, which only the intruder knows."""
    with app.app_context():
        make_user("intruder@example.com", password=INTRUDERS_PASSWORD)
    intruder, _ = sign_in(app, INTRUDERS_PASSWORD, email="intruder@example.com")
    intruder.post("/account/email", data={"email": OWNER, "current_password": INTRUDERS_PASSWORD})
    link = outbox.link(OWNER)
    owner = app.test_client()
    assert "Your password" in page(owner.get(link))
    for form in ({}, {"current_password": OWNERS_PASSWORD}):
        refused = owner.post(link, data=form)
        assert refused.status_code == 422
    assert accounts(app) == []
    # Signing up is still open to the owner, who then holds the only password.
    owner.post("/account/sign-up", data=OWNERS_SIGN_UP)
    assert owner.post(outbox.link(OWNER), data=OWNERS_CHOICE).location == "/dashboard"
    assert sign_in(app, INTRUDERS_PASSWORD)[1].status_code == 422


def test_an_unconfirmed_sign_up_does_not_keep_the_owner_from_moving_to_their_address(app, outbox):
    """The owner already has an account at another address and moves it to theirs: the
    intruder's unconfirmed sign-up gives the address up when the owner's link is confirmed."""
    with app.app_context():
        make_user("owner.old@example.com", password=OWNERS_PASSWORD)
    app.test_client().post("/account/sign-up", data=INTRUDERS_SIGN_UP)
    owner, _ = sign_in(app, OWNERS_PASSWORD, email="owner.old@example.com")
    asked = owner.post("/account/email", data={"email": OWNER, "current_password": OWNERS_PASSWORD})
    assert asked.status_code == 200, page(asked)
    response = owner.post(outbox.link(OWNER), data={"current_password": OWNERS_PASSWORD})
    assert response.location == "/account"
    [account] = accounts(app)
    assert account.name == "Sam Learner"  # the owner's account, not the intruder's sign-up
    assert sign_in(app, OWNERS_PASSWORD)[1].location == "/dashboard"
    with app.app_context():
        erased = db.session.scalar(select(User).where(User.name == "Not The Owner"))
        assert erased is None
