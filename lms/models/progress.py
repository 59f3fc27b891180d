"""Learner progress: enrolments, lesson progress and quiz attempts.

Idempotency lives in the database: one enrolment per learner and course, one progress row per
learner and lesson. Rows point at lessons by id, and lessons are never deleted, so progress
survives content edits and re-syncs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.catalogue import Course, Lesson
from lms.models.types import UTCDateTime


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Leaving keeps the row (and the learner's lesson progress), so re-enrolling resumes.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    course: Mapped[Course] = relationship()


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lesson: Mapped[Lesson] = relationship()


class QuizAttempt(db.Model):
    """Every submitted quiz, kept: the learner's history and trainers' question analytics."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (Index("ix_quiz_attempt_user_lesson", "user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    # {"1": [0], "2": [0, 2]}: question number -> chosen option indexes; plus per-question result
    answers: Mapped[dict] = mapped_column(JSON)

    lesson: Mapped[Lesson] = relationship()
