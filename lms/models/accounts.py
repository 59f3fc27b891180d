"""People with an account: learners, trainers, employers and admins."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.types import UTCDateTime

ROLES = ("learner", "trainer", "employer", "analyst", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(
            "role IN ('learner', 'trainer', 'employer', 'analyst', 'admin')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see auth.passwords.normalise_email) so the unique index is case-blind.
    # Email, name and password hash are emptied when the person deletes their account; the row
    # stays, anonymous, so aggregate figures and withdrawn certificates still add up.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="learner", index=True)
    region: Mapped[str | None] = mapped_column(String(40), index=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on sign-out everywhere and password change; part of the session id, so old
    # sessions die.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The learner's public skills profile (off by default) lives at /profiles/<profile_slug>.
    public_profile: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    profile_slug: Mapped[str | None] = mapped_column(String(40), unique=True)

    @property
    def is_active(self) -> bool:
        """Flask-Login: a deleted account can never be signed in to."""
        return self.deleted_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        """The id kept in the session: "<user id>:<session version>".

        Bumping ``session_version`` makes every session carrying the old value resolve to nobody,
        which is how sign-out everywhere and password changes end other sessions.
        """
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One signed-in browser. Signing out deletes its row; "sign out everywhere" deletes them all.

    The browser holds a random token in its (signed) session cookie; only its SHA-256 is stored, so
    a copy of the database cannot be used to sign in.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccountToken(db.Model):
    """A single-use, time-limited link sent by email. Only the token's SHA-256 is stored."""

    __tablename__ = "account_token"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('verify-email', 'reset-password', 'change-email')", name="purpose_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
