"""Single-use, time-limited tokens for links sent by email (verify, reset, change email).

The link carries 256 random bits from ``secrets``; the database keeps only their SHA-256. A token
is spent by one conditional UPDATE (unused and unexpired), so two clicks at once cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from lms.extensions import db
from lms.models import AccountToken, User


def token_hash(secret: str) -> str:
    """What is stored for any secret we hand out (links, sessions, API tokens): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenError(ValueError):
    """The link cannot be used; the message says why, for the person who clicked it."""


@dataclass(frozen=True)
class SpentToken:
    user: User
    new_email: str | None


def issue_token(user: User, purpose: str, lifetime: timedelta, new_email: str | None = None) -> str:
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
            expires_at=now + lifetime,
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


def spend_token_in_transaction(secret: str, purpose: str) -> SpentToken:
    """Use a token once, inside the caller's write transaction; raise ``TokenError`` if unusable.

    The raise rolls the caller's transaction back, so nothing of a failed action remains.
    """
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
            select(AccountToken).where(
                AccountToken.token_hash == token_hash(secret), AccountToken.purpose == purpose
            )
        )
        _check(token)
        raise TokenError("This link has already been used.")  # pragma: no cover - raced
    user = db.session.get(User, spent.user_id)
    if user is None or user.deleted_at is not None:
        raise TokenError("This link is not valid.")
    return SpentToken(user=user, new_email=spent.new_email)


def _check(token: AccountToken | None) -> None:
    if token is None:
        raise TokenError("This link is not valid. Check you copied the whole link from the email.")
    if token.used_at is not None:
        raise TokenError("This link has already been used.")
    if token.expires_at <= datetime.now(UTC):
        raise TokenError("This link has expired.")
