"""Certificates, their published revocation lists and employers' API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.accounts import User
from lms.models.catalogue import Course
from lms.models.types import UTCDateTime


class Certificate(db.Model):
    """Proof that a learner completed a course: issued once, on completion, and never edited.

    What it certifies is copied at issue (name, course title, skills), so later edits to the
    account or the course cannot change it. Revoking keeps the row; withdrawing (the learner
    deleted their account) erases the personal data and the signed credential, but never the
    revocation: status says "revoked" whether or not the learner later withdrew.

    ``status_list_index`` is the certificate's entry in the issuer's Bitstring Status Lists (list
    ``index // LIST_SIZE``, position ``index % LIST_SIZE``), drawn at random and unique here, so no
    two credentials ever share a revocation bit.
    """

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # canonical: no dashes, upper case
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    learner_name: Mapped[str | None] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list] = mapped_column(JSON)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issuer_name: Mapped[str] = mapped_column(String(120))
    key_id: Mapped[str | None] = mapped_column(String(64))
    credential_jwt: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_list_index: Mapped[int | None] = mapped_column(unique=True)

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()

    @property
    def status(self) -> str:
        """valid, revoked or withdrawn: a revocation outranks a later withdrawal."""
        if self.revoked_at is not None:
            return "revoked"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "valid"

    @property
    def withdrawn(self) -> bool:
        """The learner deleted their account: nothing personal about it may be shown."""
        return self.withdrawn_at is not None


class StatusList(db.Model):
    """A published Bitstring Status List credential (revocation), signed as a VC-JWT.

    It is rebuilt in the transaction that revokes a certificate listed in it, so the list that
    verifiers fetch never disagrees with the certificate pages; requests only read this row.
    """

    __tablename__ = "status_list"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    credential_jwt: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(db.Model):
    """An employer's key for the verification API. Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
