"""People with an account: learners, trainers, employers and admins."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

ROLES = ("learner", "trainer", "employer", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'trainer', 'employer', 'admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see auth.passwords.normalise_email) so the unique index is case-blind.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="learner", index=True)
    region: Mapped[str | None] = mapped_column(String(40), index=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on sign-out everywhere and password change; part of the session id, so old
    # sessions die.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def get_id(self) -> str:
        """The id kept in the session: "<user id>:<session version>".

        Bumping ``session_version`` makes every session carrying the old value resolve to nobody,
        which is how sign-out everywhere and password changes end other sessions.
        """
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
