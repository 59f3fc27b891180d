"""Account actions that race each other: each outcome is whole, one of the racers wins, and the
losers get the message a person would see, never an error page. Meaningful on PostgreSQL above
all (row locks; SQLite lets one writer in at a time): run with TEST_DATABASE_URL too."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from lms.auth import users as accounts
from lms.auth.passwords import verify_password
from lms.auth.tokens import TokenError, issue_token
from lms.db import write_transaction
from lms.extensions import db
from lms.models import User, UserSession
from tests.factories import PASSWORD, make_user
from tests.learning.test_concurrency import run_at_once

OWNER = "owner@example.com"


def link(app, user_id: int, purpose: str, new_email: str | None = None) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        with write_transaction():
            return issue_token(user, purpose, new_email)


def outcome(job):
    """Run ``job``; a refusal is an answer (the person sees why), anything else an error."""

    def run():
        try:
            return ("done", job())
        except (TokenError, accounts.AccountError) as exc:
            return ("refused", str(exc))

    return run


def the_account(app, email=OWNER) -> tuple[User, int]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        sessions = db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
        )
        db.session.expunge(user)
        return user, sessions


def test_two_confirmation_links_used_at_once_leave_one_password(app):
    with app.app_context():
        pending = accounts.sign_up(email=OWNER, name="First", region="leeds")
        second = accounts.sign_up(email=OWNER, name="Second", region="leeds")
    choices = {pending.secret: "first passphrase here", second.secret: "second passphrase here"}
    jobs = [
        outcome(
            lambda secret=secret, password=password: (
                accounts.confirm_email(secret, name="Owner", region="leeds", password=password)[
                    0
                ].id
            )
        )
        for secret, password in choices.items()
    ]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert Counter(kind for kind, _ in results) == {"done": 1, "refused": 1}
    user, sessions = the_account(app)
    assert sessions == 1
    assert sum(verify_password(user.password_hash, p) for p in choices.values()) == 1


def test_one_link_clicked_twice_at_once_works_once(app):
    with app.app_context():
        secret = accounts.sign_up(email=OWNER, name="Owner", region="leeds").secret
    job = outcome(
        lambda: (
            accounts.confirm_email(
                secret, name="Owner", region="leeds", password="a passphrase here"
            )[0].id
        )
    )
    results, errors = run_at_once(app, [job, job])
    assert errors == []
    assert Counter(kind for kind, _ in results) == {"done": 1, "refused": 1}
    assert the_account(app)[1] == 1


def test_a_reset_and_an_email_change_at_once_leave_one_of_them(app):
    with app.app_context():
        user_id = make_user(OWNER).id
    reset = link(app, user_id, "reset-password")
    change = link(app, user_id, "change-email", "moved@example.com")
    jobs = [
        outcome(lambda: ("reset", accounts.reset_password(reset, "a brand new passphrase")[1])),
        outcome(lambda: ("change", accounts.confirm_email_change(change, PASSWORD).email)),
    ]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert Counter(kind for kind, _ in results) == {"done": 1, "refused": 1}
    [(winner, _)] = [value for kind, value in results if kind == "done"]
    with app.app_context():
        user = db.session.get(User, user_id)
        moved = user.email == "moved@example.com"
        new_password = verify_password(user.password_hash, "a brand new passphrase")
        assert (moved, new_password) == (winner == "change", winner == "reset")


def test_two_sign_ups_for_a_new_address_at_once_make_one_account(app):
    jobs = [
        outcome(lambda n=n: accounts.sign_up(email=OWNER, name=f"Person {n}", region="leeds").kind)
        for n in range(4)
    ]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert Counter(kind for _, kind in results) == {"new": 1, "pending": 3}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_password_change_and_an_email_change_at_once(app):
    with app.app_context():
        user_id = make_user(OWNER).id
    change = link(app, user_id, "change-email", "moved@example.com")

    def change_password():
        accounts.change_password(db.session.get(User, user_id), "a brand new passphrase")
        return "password"

    jobs = [
        outcome(change_password),
        outcome(lambda: accounts.confirm_email_change(change, PASSWORD).email),
    ]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    # The password always changes; the email change either came first, or found its link
    # cancelled (or the old password no longer right): whole outcomes, never an error.
    assert ("done", "password") in results
    with app.app_context():
        user = db.session.get(User, user_id)
        assert verify_password(user.password_hash, "a brand new passphrase")
        assert (user.email == "moved@example.com") == (("done", "moved@example.com") in results)


def test_a_sign_up_while_the_owner_confirms_leaves_the_owner_in(app):
    with app.app_context():
        secret = accounts.sign_up(email=OWNER, name="Owner", region="leeds").secret
    jobs = [
        outcome(
            lambda: (
                accounts.confirm_email(
                    secret, name="Owner", region="leeds", password="the owner's passphrase"
                )[0].id
            )
        ),
        outcome(lambda: accounts.sign_up(email=OWNER, name="Intruder", region="sheffield").kind),
    ]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert [kind for kind, _ in results] == ["done", "done"]
    user, sessions = the_account(app)
    assert user.email_verified_at is not None and sessions == 1
    assert (user.name, user.region) == (
        "Owner",
        "leeds",
    )  # the confirmation's, whichever came first
    assert verify_password(user.password_hash, "the owner's passphrase")
