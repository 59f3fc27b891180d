"""Single-use, time-limited tokens for links sent by email (verify, reset, change email).

The link carries 256 random bits from ``secrets``; the database keeps only their SHA-256. A token
is spent by one conditional UPDATE (unused and unexpired), so two clicks at once cannot both win.
A change that makes pending links dangerous (a new password or email address, signing out
everywhere) cancels them in its own transaction with ``void_links_in_transaction``.

Lock order: every helper here that spends or cancels links locks the account's row first, as
``end_sessions_in_transaction`` does, so two actions on one account queue one behind the other
instead of each holding a row the other needs (a deadlock on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import AccountToken, User


def token_hash(secret: str) -> str:
    """What is stored for any secret we hand out (links, sessions, API tokens): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


PURPOSES = ("verify-email", "reset-password", "change-email")
USED_OR_CANCELLED = (
    "This link has already been used, or was cancelled by a later change to the account."
)


class TokenError(ValueError):
    """The link cannot be used; the message says why, for the person who clicked it."""


def lifetime(purpose: str) -> timedelta:
    """How long a link for ``purpose`` works: 60 minutes for a reset, 48 hours otherwise."""
    config = current_app.config
    if purpose == "reset-password":
        return timedelta(minutes=config["RESET_TOKEN_MINUTES"])
    return timedelta(hours=config["VERIFY_TOKEN_HOURS"])


def lock_account_in_transaction(user_id: int) -> User | None:
    """Lock the account's row for the rest of the caller's transaction and return it, fresh.

    ``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already lets one writer in at a time.
    """
    return db.session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def void_links_in_transaction(user: User, purposes: Iterable[str] = PURPOSES) -> int:
    """Cancel every pending link of ``user`` for ``purposes``, inside the caller's transaction.

    A cancelled link is marked used, so it answers like a spent one. Links already expired are
    left alone (they say "expired"). Returns how many were cancelled.
    """
    purposes = list(purposes)
    if unknown := set(purposes) - set(PURPOSES):
        raise ValueError(f"unknown link purposes: {sorted(unknown)}")
    lock_account_in_transaction(user.id)
    now = datetime.now(UTC)
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose.in_(purposes),
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass(frozen=True)
class SpentToken:
    user: User
    new_email: str | None


def issue_token(user: User, purpose: str, new_email: str | None = None) -> str:
    """Create a token (within the caller's transaction) and return the secret for the link."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(secret),
            new_email=new_email,
            created_at=now,
            expires_at=now + lifetime(purpose),
        )
    )
    return secret


def peek_token(secret: str, purpose: str) -> AccountToken:
    """Check a token without spending it (to show the confirmation page); raise if unusable."""
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(secret), AccountToken.purpose == purpose
        )
    )
    _check(token)
    return token


def peek_user(secret: str, purpose: str) -> User:
    """The account a usable link belongs to, without spending it; raise ``TokenError`` if none.

    For checks made before the transaction that spends the link (a new password's policy, the
    current password), which the spend then repeats under the account's lock.
    """
    user = db.session.get(User, peek_token(secret, purpose).user_id)
    if user is None or user.deleted_at is not None:
        raise TokenError("This link is not valid.")
    return user


def spend_token_in_transaction(secret: str, purpose: str) -> SpentToken:
    """Use a token once, inside the caller's write transaction; raise ``TokenError`` if unusable.

    The raise rolls the caller's transaction back, so nothing of a failed action remains.
    """
    owner = db.session.scalar(
        select(AccountToken.user_id).where(
            AccountToken.token_hash == token_hash(secret), AccountToken.purpose == purpose
        )
    )
    if owner is None:
        _check(None)
    # The account first (see the lock order above), then the link, checked again under the lock.
    lock_account_in_transaction(owner)
    now = datetime.now(UTC)
    spent = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.token_hash == token_hash(secret),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(AccountToken.user_id, AccountToken.new_email)
    ).first()
    if spent is None:
        token = db.session.scalar(
            select(AccountToken)
            .where(AccountToken.token_hash == token_hash(secret), AccountToken.purpose == purpose)
            .execution_options(populate_existing=True)
        )
        _check(token)
        raise TokenError(USED_OR_CANCELLED)  # pragma: no cover - raced
    user = db.session.get(User, spent.user_id)
    if user is None or user.deleted_at is not None:
        raise TokenError("This link is not valid.")
    return SpentToken(user=user, new_email=spent.new_email)


def _check(token: AccountToken | None) -> None:
    if token is None:
        raise TokenError("This link is not valid. Check you copied the whole link from the email.")
    if token.used_at is not None:
        raise TokenError(USED_OR_CANCELLED)
    if token.expires_at <= datetime.now(UTC):
        raise TokenError("This link has expired.")
