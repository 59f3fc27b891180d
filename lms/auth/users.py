"""Account lifecycle: create, authenticate, change password or email, delete.

Domain functions take plain values, do one transaction, and raise ``AccountError`` with a message
meant for the person when something is not allowed. They never send mail themselves; the views
send it after the transaction commits, so a rolled-back change never emails anyone.
"""

from __future__ import annotations

import logging
import re
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
from lms.auth.tokens import spend_token_in_transaction
from lms.certificates.issuing import withdraw_all_in_transaction
from lms.db import write_transaction
from lms.extensions import db
from lms.models import ROLES, AccountToken, User, UserSession
from lms.regions import region_codes

log = logging.getLogger(__name__)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified against when no account matches, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = hash_password("not a real password, only for timing")


class AccountError(ValueError):
    """An account change was refused; the message says why, in words for the person."""


def email_problem(email: str) -> str | None:
    if not EMAIL_RE.match(email) or len(email) > 254:
        return "Enter an email address in the correct format, like name@example.com."
    return None


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str = "learner",
    region: str | None = None,
    verified: bool = False,
) -> User:
    email = normalise_email(email)
    name = " ".join(name.split())
    if problem := email_problem(email):
        raise AccountError(problem)
    if not name or len(name) > 120:
        raise AccountError("Enter a name of 1 to 120 characters.")
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    if region is not None and region not in region_codes():
        raise AccountError("Choose your region from the list.")
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
        raise AccountError("Your current password is not right.")


def _checked_hash(user: User, new_password: str) -> str:
    if problem := password_problem(new_password, email=user.email or "", name=user.name or ""):
        raise AccountError(problem)
    return hash_password(new_password)


def change_password(user: User, new_password: str) -> str:
    """Store a new password and end every session but a fresh one for this browser.

    One transaction; returns the new session's token for ``sign_in_browser``.
    """
    password_hash = _checked_hash(user, new_password)
    with write_transaction():
        user.password_hash = password_hash
        end_sessions_in_transaction(user)
        return start_session_in_transaction(user)


def reset_password(secret: str, new_password: str) -> tuple[User, str]:
    """Use a reset link: spend it, set the password, confirm the address (the link proved the
    person reads it), end every session and start one for this browser, all in one transaction.

    Raises ``TokenError`` or ``AccountError``; either way nothing changes and the link still works.
    """
    with write_transaction():
        user = spend_token_in_transaction(secret, "reset-password").user
        user.password_hash = _checked_hash(user, new_password)
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
        end_sessions_in_transaction(user)
        return user, start_session_in_transaction(user)


def confirm_email(secret: str) -> tuple[User, str]:
    """Use a confirmation link: spend it, mark the address confirmed and start a session."""
    with write_transaction():
        user = spend_token_in_transaction(secret, "verify-email").user
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
        return user, start_session_in_transaction(user)


def confirm_email_change(secret: str) -> User:
    """Use an email-change link: spend it and make its address the account's, confirmed."""
    try:
        with write_transaction():
            spent = spend_token_in_transaction(secret, "change-email")
            spent.user.email = normalise_email(spent.new_email)
            spent.user.email_verified_at = datetime.now(UTC)
            db.session.flush()
    except IntegrityError:
        raise AccountError("Another account now uses that email address.") from None
    return spent.user


def delete_account(user: User) -> None:
    """Remove the person's data for good, keeping an anonymous row for aggregate figures.

    Name, email and password hash are erased; sessions and pending links are deleted. Progress
    and quiz attempts stay, no longer attached to anyone identifiable, so completion figures that
    counted this learner stay right.
    """
    with write_transaction():
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
    log.info("account %s deleted at the person's request", user.id)
