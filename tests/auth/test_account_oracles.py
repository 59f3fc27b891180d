"""The forms a stranger can fill in with any address (sign-up, a new confirmation link, a password
reset, sign-in) answer the same page, send the same number of emails and spend the same password
hashing work whatever the address's state, so neither the page nor the time it takes tells
whether an address has an account. Work is counted, never timed (timing is in bench/)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.auth import passwords
from lms.auth.users import delete_account
from lms.extensions import db
from lms.models import User
from tests.factories import PASSWORD, make_user

# Every state an address can be in, and how it is typed (case and spaces vary).
STATES = {
    "no account": "  Nobody@Example.COM ",
    "confirmed account": "  Confirmed@Example.COM ",
    "unconfirmed account": "  Pending@Example.COM ",
    "deleted account": "  Deleted@Example.COM ",
}


class CountingHasher:
    """The tests' argon2id hasher, counting what each request asks of it."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[str] = []

    def hash(self, *args, **kwargs):
        self.calls.append("hash")
        return self.inner.hash(*args, **kwargs)

    def verify(self, *args, **kwargs):
        self.calls.append("verify")
        return self.inner.verify(*args, **kwargs)

    def check_needs_rehash(self, *args, **kwargs):
        return self.inner.check_needs_rehash(*args, **kwargs)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    return counting


@pytest.fixture
def addresses(app):
    """One account per state (none for "no account")."""
    with app.app_context():
        make_user("confirmed@example.com")
        make_user("pending@example.com", verified=False)
        delete_account(make_user("deleted@example.com"))


def same_page(response, typed: str) -> str:
    """The page with what may differ between any two requests taken out: the CSRF token, and the
    address the person typed (normalised as shown in a message, or as typed in a form field)."""
    text = response.get_data(as_text=True).replace("<wbr>", "")  # invisible line-break hints
    text = re.sub(r'(name="csrf_token" type="hidden" value=")[^"]+', r"\1TOKEN", text)
    return text.replace(typed, "TYPED").replace(typed.strip().lower(), "ADDRESS")


def answers(app, outbox, hasher, path, form):
    """For each state: the normalised page, its status, and the mail and hashing it caused."""
    results = {}
    for state, typed in STATES.items():
        client = app.test_client()
        mails, hashing = len(outbox.messages), len(hasher.calls)
        response = client.post(path, data=dict(form, email=typed))
        results[state] = (
            response.status_code,
            same_page(response, typed),
            len(outbox.messages) - mails,
            hasher.calls[hashing:],
        )
    return results


def assert_all_alike(results, *, mails: int, hashing: list[str]):
    """One page for every state, and in each exactly ``mails`` emails and ``hashing`` work."""
    pages = {page for _status, page, _sent, _hashed in results.values()}
    work = {
        state: (status, sent, tuple(hashed)) for state, (status, _, sent, hashed) in results.items()
    }
    expected = (work["no account"][0], mails, tuple(hashing))
    assert (len(pages), set(work.values())) == (1, {expected}), work


def test_sign_up_answers_alike_for_every_address(app, outbox, hasher, addresses):
    results = answers(
        app, outbox, hasher, "/account/sign-up", {"name": "Someone", "region": "leeds"}
    )
    assert_all_alike(results, mails=1, hashing=[])
    status, text, _, _ = results["no account"]
    assert status == 200
    assert "We have sent an email to <strong>ADDRESS</strong>" in text


def test_a_sign_up_echoes_the_address_as_stored_whatever_was_typed(app, client, addresses):
    for typed in ("Confirmed@EXAMPLE.com", "NEW.person@Example.com"):
        text = client.post(
            "/account/sign-up", data={"name": "Someone", "region": "leeds", "email": typed}
        ).get_data(as_text=True)
        text = text.replace("<wbr>", "")
        assert f"<strong>{typed.lower()}</strong>" in text
        assert typed not in text


def test_sign_up_hashes_no_password_in_any_case_even_with_one_posted(
    app, outbox, hasher, addresses
):
    """A password posted by an old form or a script is ignored, not hashed for some addresses."""
    results = answers(
        app,
        outbox,
        hasher,
        "/account/sign-up",
        {"name": "Someone", "region": "leeds", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert_all_alike(results, mails=1, hashing=[])


def test_reset_request_answers_alike_for_every_address(app, outbox, hasher, addresses):
    assert_all_alike(answers(app, outbox, hasher, "/account/reset", {}), mails=1, hashing=[])


def test_new_confirmation_link_answers_alike_for_every_address(app, outbox, hasher, addresses):
    assert_all_alike(answers(app, outbox, hasher, "/account/verify", {}), mails=1, hashing=[])


def test_sign_in_fails_alike_for_every_address(app, outbox, hasher, addresses):
    """A wrong password for a confirmed account, and any password for an address with no account
    or with an account that has none yet: one generic answer, one argon2 verification each."""
    with app.app_context():
        pending = db.session.scalar(select(User).where(User.email == "pending@example.com"))
        pending.password_hash = None  # as a sign-up leaves it: no password until confirmed
        db.session.commit()
    results = answers(app, outbox, hasher, "/account/sign-in", {"password": "not the password"})
    assert_all_alike(results, mails=0, hashing=["verify"])
    status, text, _, _ = results["confirmed account"]
    assert status == 422
    assert "Enter a correct email address and password." in text
