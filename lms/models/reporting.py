"""Rollups for regional statistics, kept up to date in the learner's own transactions.

Dashboards read these small tables and never scan progress rows. ``flask stats rebuild``
recomputes them from the raw records; a test proves both give the same figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.types import UTCDateTime

UNKNOWN_REGION = "unknown"  # accounts made without a region (staff created from the CLI)


class StatRollup(db.Model):
    """Counts per city region, course and calendar month (UTC)."""

    __tablename__ = "stat_rollup"
    __table_args__ = (UniqueConstraint("region", "course_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(40), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    enrolments: Mapped[int] = mapped_column(Integer, default=0)
    active_learners: Mapped[int] = mapped_column(Integer, default=0)
    lessons_completed: Mapped[int] = mapped_column(Integer, default=0)
    courses_completed: Mapped[int] = mapped_column(Integer, default=0)
    certificates_issued: Mapped[int] = mapped_column(Integer, default=0)


class StatActiveLearner(db.Model):
    """Marks a learner as counted active for a course and month, so they count only once."""

    __tablename__ = "stat_active_learner"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))


class StatCompletionDays(db.Model):
    """How many learners took N whole days from enrolling to completing: medians come from here."""

    __tablename__ = "stat_completion_days"
    __table_args__ = (UniqueConstraint("region", "course_id", "month", "days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(40), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    days: Mapped[int] = mapped_column(Integer)
    learners: Mapped[int] = mapped_column(Integer, default=0)


# The report for a month is queued once until it is sent, whoever queues it: two overlapping
# ``flask stats push`` runs both find nothing pending, and the database lets only one insert.
PENDING_ONLY = text("sent_at IS NULL")


class ReportOutbox(db.Model):
    """A cluster report waiting to be delivered, or delivered (``sent_at``) and kept as a record.

    The outbox holds this platform's reports, as the one provider it is to the hub
    (``LMS_CLUSTER_PROVIDER``): at most one pending report per month, enforced by a partial
    unique index. Sent reports are kept, any number per month.
    """

    __tablename__ = "report_outbox"
    __table_args__ = (
        Index(
            "uq_report_outbox_pending_period",
            "period",
            unique=True,
            sqlite_where=PENDING_ONLY,
            postgresql_where=PENDING_ONLY,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(String(36), unique=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HubProvider(db.Model):
    """Hub mode: a course platform allowed to send reports, with the secret it signs them with.

    The hub must hold the secret itself to recompute the HMAC, so it is stored as issued; treat
    the hub's database as holding credentials.
    """

    __tablename__ = "hub_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HubReport(db.Model):
    """Hub mode: a report received, stored once per report id."""

    __tablename__ = "hub_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(String(36), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("hub_provider.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    body: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
