"""Account lifecycle: sign up, confirm, authenticate, change password or email, delete.

Domain functions take plain values, do one transaction, and raise ``AccountError`` with a message
meant for the person when something is not allowed. They never send mail themselves; the views
send it after the transaction commits, so a rolled-back change never emails anyone.

Whoever proves an address chooses the password. Sign-up asks for none: the confirmation link asks
for it, so a stranger who signs up with someone else's address never holds a password that works
once the owner confirms (account pre-hijacking). Every change that could leave a pending link in
the wrong hands (a new password, a new address) cancels all of them in the same transaction.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.auth.passwords import (
    hash_password,
    needs_rehash,
    normalise_email,
    password_problem,
    verify_password,
)
from lms.auth.sessions import end_sessions_in_transaction, start_session_in_transaction
from lms.auth.tokens import (
    issue_token,
    lock_account_in_transaction,
    peek_user,
    spend_token_in_transaction,
    void_links_in_transaction,
)
from lms.certificates.issuing import withdraw_all_in_transaction
from lms.db import insert_new, write_transaction
from lms.extensions import db
from lms.models import ROLES, AccountToken, User, UserSession
from lms.regions import region_codes

log = logging.getLogger(__name__)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified against when no account matches, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = hash_password("not a real password, only for timing")


class AccountError(ValueError):
    """An account change was refused; the message says why, in words for the person, and
    ``field`` names the form field it belongs beside (when there is one)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AddressTakenError(AccountError):
    """The new email address became another account's while its link was waiting."""


@dataclass(frozen=True)
class SignUp:
    """What a sign-up did. ``kind`` is "new", "pending" (an unconfirmed account for the address,
    now carrying this sign-up's details) or "existing" (a confirmed account: nothing changed).
    ``secret`` is the link to mail: a confirmation link, or a reset link for an existing account.
    """

    user: User
    kind: str
    secret: str


def _has_characters_of(text: str, categories: set[str]) -> bool:
    return any(unicodedata.category(ch) in categories for ch in text)


def email_problem(email: str) -> str | None:
    """Why ``email`` cannot be an account's address, or None.

    The length is checked first: the pattern backtracks, so a long address made of many dots
    would tie up a worker for hours. Control characters (NUL, which PostgreSQL refuses in text)
    and invisible formatting characters (right-to-left overrides, zero-width spaces, which make
    one address look like another) are refused.
    """
    if len(email) > 254 or _has_characters_of(email, {"Cc", "Cf"}) or not EMAIL_RE.match(email):
        return "Enter an email address in the correct format, like name@example.com."
    return None


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise AccountError("Enter a name of 1 to 120 characters.", "name")
    if _has_characters_of(name, {"Cc"}):
        raise AccountError("Your name must not contain control characters.", "name")
    return name


def _checked_region(region: str | None) -> str | None:
    if region is not None and region not in region_codes():
        raise AccountError("Choose your region from the list.", "region")
    return region


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str = "learner",
    region: str | None = None,
    verified: bool = False,
) -> User:
    """An account with a password, made by an operator (``flask users create``) or a test."""
    email = normalise_email(email)
    if problem := email_problem(email):
        raise AccountError(problem)
    name = _clean_name(name)
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    region = _checked_region(region)
    if problem := password_problem(password, email=email, name=name):
        raise AccountError(problem)
    now = datetime.now(UTC)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        region=region,
        email_verified_at=now if verified else None,
        session_version=1,
        created_at=now,
    )
    try:
        with write_transaction():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        # The unique index decides, so two simultaneous sign-ups cannot both win. Any other
        # integrity error is a real fault and is raised as such, not dressed up as a duplicate.
        if find_by_email(email) is not None:
            raise AccountError("An account with that email address already exists.") from None
        raise
    return user


def sign_up(*, email: str, name: str, region: str) -> SignUp:
    """Record a sign-up and issue the link to mail, in one transaction; never a password.

    Every outcome costs the same (one row written, one link, no password hashing) and the view
    sends exactly one email for each, so neither the page nor its timing tells a stranger whether
    the address has an account. An unconfirmed account never holds the address back: it cannot
    be signed in to and has no password, so a new sign-up takes it over at any age (its details
    replaced, a new link sent), and whoever opens a link first sets the password.
    """
    email = normalise_email(email)
    if problem := email_problem(email):
        raise AccountError(problem, "email")
    name, region = _clean_name(name), _checked_region(region)
    now = datetime.now(UTC)
    with write_transaction():
        # The unique index decides between two sign-ups at once: the loser finds the winner's row.
        inserted = insert_new(
            User,
            {"email": email, "name": name, "region": region, "created_at": now},
            ["email"],
        )
        user = lock_account_in_transaction(
            db.session.scalar(select(User.id).where(User.email == email))
        )
        if inserted:
            kind = "new"
        elif user.email_verified_at is None:
            kind = "pending"
            user.name, user.region = name, region
        else:
            kind = "existing"
        secret = issue_token(user, "reset-password" if kind == "existing" else "verify-email")
    return SignUp(user=user, kind=kind, secret=secret)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )


def authenticate(email: str, password: str, *, client: str = "") -> User | None:
    """The account for these credentials, or None. Logs the attempt, never the password."""
    user = find_by_email(email)
    if user is None or user.password_hash is None:
        verify_password(_DUMMY_HASH, password)
        log.info("sign-in failed: no such account (client %s)", client)
        return None
    if not verify_password(user.password_hash, password):
        log.info("sign-in failed: wrong password for user %s (client %s)", user.id, client)
        return None
    if needs_rehash(user.password_hash):
        with write_transaction():
            user.password_hash = hash_password(password)
    log.info("sign-in succeeded for user %s (client %s)", user.id, client)
    return user


def check_current_password(user: User, password: str) -> None:
    if not user.password_hash or not verify_password(user.password_hash, password):
        raise AccountError("Your current password is not right.", "current_password")


def _checked_hash(user: User, new_password: str) -> str:
    if problem := password_problem(new_password, email=user.email or "", name=user.name or ""):
        raise AccountError(problem, "password")
    return hash_password(new_password)


def change_password(user: User, new_password: str) -> str:
    """Store a new password, end every session but a fresh one for this browser and cancel every
    pending link (a reset or email-change link in someone else's hands dies with the old password).

    One transaction; returns the new session's token for ``sign_in_browser``.
    """
    password_hash = _checked_hash(user, new_password)
    with write_transaction():
        user.password_hash = password_hash
        end_sessions_in_transaction(user)
        void_links_in_transaction(user)
        return start_session_in_transaction(user)


def _set_password_in_transaction(user: User, password_hash: str) -> str:
    """The address is proven and the password chosen: confirm the address, end every session
    (any from before are someone else's until now), cancel every other link, start this browser's
    session and return its token."""
    user.password_hash = password_hash
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)
    end_sessions_in_transaction(user)
    void_links_in_transaction(user)
    return start_session_in_transaction(user)


def reset_password(secret: str, new_password: str) -> tuple[User, str]:
    """Use a reset link: spend it, set the password, confirm the address (the link proved the
    person reads it), end every session, cancel every other pending link and start a session for
    this browser, all in one transaction.

    The password is checked and hashed before the transaction, so the write lock is not held
    through argon2. Raises ``TokenError`` or ``AccountError``; either way nothing changes and the
    link still works.
    """
    password_hash = _checked_hash(peek_user(secret, "reset-password"), new_password)
    with write_transaction():
        user = spend_token_in_transaction(secret, "reset-password").user
        return user, _set_password_in_transaction(user, password_hash)


def confirm_email(secret: str, *, name: str, region: str, password: str) -> tuple[User, str]:
    """Use a confirmation link: the person who proves the address chooses the password (and may
    correct the name and region given at sign-up). Spends the link, confirms the address, ends
    every earlier session, cancels every other link and starts a session, in one transaction.

    Raises ``TokenError`` or ``AccountError``; either way nothing changes and the link still works.
    """
    name, region = _clean_name(name), _checked_region(region)
    pending = peek_user(secret, "verify-email")
    if problem := password_problem(password, email=pending.email or "", name=name):
        raise AccountError(problem, "password")
    password_hash = hash_password(password)
    with write_transaction():
        user = spend_token_in_transaction(secret, "verify-email").user
        user.name, user.region = name, region
        return user, _set_password_in_transaction(user, password_hash)


def confirm_email_change(secret: str, current_password: str) -> User:
    """Use an email-change link: spend it, make its address the account's, confirmed, and cancel
    every other pending link (those sent to the old address, and other changes), in one
    transaction. An unconfirmed account holding the address gives it up: this link proves the
    address, that account's sign-up never did.

    The account's password is asked for: the link proves the new address, the password proves
    the account, so nobody can attach their address to an account someone else controls by
    clicking a link they were sent. Raises ``TokenError`` or ``AccountError``.
    """
    check_current_password(peek_user(secret, "change-email"), current_password)
    try:
        with write_transaction():
            spent = spend_token_in_transaction(secret, "change-email")
            new_email = normalise_email(spent.new_email)
            _release_address_in_transaction(new_email, to=spent.user)
            spent.user.email = new_email
            spent.user.email_verified_at = datetime.now(UTC)
            void_links_in_transaction(spent.user)
            db.session.flush()
    except IntegrityError:
        raise AddressTakenError("Another account now uses that email address.") from None
    return spent.user


def _release_address_in_transaction(email: str, *, to: User) -> None:
    """Erase an unconfirmed account holding ``email``: nobody ever proved the address for it, so
    it cannot be signed in to and holds nothing of anyone's. A confirmed one stays (and the
    unique index refuses the change)."""
    holder = db.session.scalar(
        select(User)
        .where(User.email == email, User.email_verified_at.is_(None), User.id != to.id)
        .with_for_update()
    )
    if holder is not None:
        _erase_in_transaction(holder)
        db.session.flush()  # the address is free before the new holder's row is written
        log.info("unconfirmed account %s gave up its address to account %s", holder.id, to.id)


def delete_account(user: User) -> None:
    """Remove the person's data for good, keeping an anonymous row for aggregate figures.

    Name, email and password hash are erased; sessions and pending links are deleted. Progress
    and quiz attempts stay, no longer attached to anyone identifiable, so completion figures that
    counted this learner stay right.
    """
    with write_transaction():
        _erase_in_transaction(user)
    log.info("account %s deleted at the person's request", user.id)


def _erase_in_transaction(user: User) -> None:
    """Deletion's work, inside the caller's transaction (see ``delete_account``)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    user.email = None
    user.name = None
    user.password_hash = None
    user.email_verified_at = None
    user.deleted_at = datetime.now(UTC)
    user.session_version += 1
    user.public_profile = False
    user.profile_slug = None
    withdraw_all_in_transaction(user, user.deleted_at)
