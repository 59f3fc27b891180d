"""Employers' API tokens: created (the secret shown once), listed and revoked by their owner."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update

from lms.auth.tokens import token_hash
from lms.db import write_transaction
from lms.extensions import db
from lms.models import ApiToken, User

PREFIX = "tn_"


def create_token(user: User, name: str) -> str:
    """Create a token named ``name`` for ``user``; returns the secret (only its hash is kept)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        db.session.add(
            ApiToken(
                user_id=user.id,
                name=" ".join(name.split()),
                token_hash=token_hash(secret),
                created_at=datetime.now(UTC),
            )
        )
    return secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of ``user``'s tokens; None when they have no token with this id."""
    with write_transaction():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            return None
        if token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
        return token


def note_use(token_id: int) -> None:
    """Record when a token was last used (one UPDATE, its own transaction)."""
    with write_transaction():
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=datetime.now(UTC))
        )
