"""Learner progress: enrol, leave, start and complete lessons, record quiz attempts.

Each function is one write transaction. Uniqueness lives in the database (one enrolment per
learner and course, one progress row per learner and lesson) and inserts are upserts, so double
clicks and parallel requests neither duplicate nor lose anything. Completing a lesson locks the
learner's enrolment row first, so when the last two lessons finish at the same moment exactly one
transaction sees the course complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import func, select, update

from lms.certificates.issuing import issue_in_transaction
from lms.content.quiz import QuizResult
from lms.db import insert_new, write_transaction
from lms.extensions import db
from lms.models import Course, Enrolment, Lesson, LessonProgress, QuizAttempt, User
from lms.reporting import rollups


class LessonRef(Protocol):
    """What progress needs of a lesson: an ORM ``Lesson`` or a cached lesson view's content."""

    id: int
    course_id: int
    quiz: Sequence[dict]


class ProgressError(ValueError):
    """The learner cannot do that (yet); the message says why."""


@dataclass(frozen=True)
class Completion:
    lesson_newly_completed: bool
    course_newly_completed: bool


def enrol(user: User, course: Course) -> None:
    """Enrol (or re-enrol after leaving); enrolling twice changes nothing.

    Coming back keeps the first enrolment's date: the figures count an enrolment once.
    """
    if not user.is_verified:
        raise ProgressError("Confirm your email address before you enrol.")
    now = datetime.now(UTC)
    with write_transaction():
        if insert_new(
            Enrolment,
            {"user_id": user.id, "course_id": course.id, "enrolled_at": now},
            ["user_id", "course_id"],
        ):
            rollups.record_enrolment(user, course.id, now)
        db.session.execute(
            update(Enrolment)
            .where(
                Enrolment.user_id == user.id,
                Enrolment.course_id == course.id,
                Enrolment.left_at.is_not(None),
            )
            .values(left_at=None)
        )


def leave(user: User, course: Course) -> None:
    """Leave a course. Lesson progress is kept, so re-enrolling later resumes where they were."""
    with write_transaction():
        db.session.execute(
            update(Enrolment)
            .where(
                Enrolment.user_id == user.id,
                Enrolment.course_id == course.id,
                Enrolment.left_at.is_(None),
            )
            .values(left_at=datetime.now(UTC))
        )


def active_enrolment(user: User, course_id: int, *, lock: bool = False) -> Enrolment | None:
    stmt = select(Enrolment).where(
        Enrolment.user_id == user.id,
        Enrolment.course_id == course_id,
        Enrolment.left_at.is_(None),
    )
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def _mark_started(user: User, lesson: LessonRef, now: datetime) -> None:
    if insert_new(
        LessonProgress,
        {"user_id": user.id, "lesson_id": lesson.id, "started_at": now},
        ["user_id", "lesson_id"],
    ):
        rollups.record_activity(user, lesson.course_id, now)


def record_start(user: User, lesson: LessonRef) -> datetime:
    """Note that the learner opened a lesson; a second open (or a race) changes nothing."""
    now = datetime.now(UTC)
    with write_transaction():
        _mark_started(user, lesson, now)
    return now


def _complete_in_transaction(user: User, lesson: LessonRef, now: datetime) -> Completion:
    enrolment = active_enrolment(user, lesson.course_id, lock=True)
    if enrolment is None:
        raise ProgressError("Enrol in this course to record your progress.")
    _mark_started(user, lesson, now)
    newly = db.session.execute(
        update(LessonProgress)
        .where(
            LessonProgress.user_id == user.id,
            LessonProgress.lesson_id == lesson.id,
            LessonProgress.completed_at.is_(None),
        )
        .values(completed_at=now)
    ).rowcount
    course_done = False
    if newly:
        rollups.record_lesson_completed(user, lesson.course_id, now)
    if newly and enrolment.completed_at is None:
        remaining = db.session.scalar(
            select(func.count(Lesson.id))
            .outerjoin(
                LessonProgress,
                (LessonProgress.lesson_id == Lesson.id) & (LessonProgress.user_id == user.id),
            )
            .where(
                Lesson.course_id == lesson.course_id,
                Lesson.retired_at.is_(None),
                LessonProgress.completed_at.is_(None),
            )
        )
        if remaining == 0:
            enrolment.completed_at = now
            course_done = True
            rollups.record_course_completed(user, lesson.course_id, enrolment.enrolled_at, now)
            if issue_in_transaction(user, lesson.course_id, now):
                rollups.record_certificate(user, lesson.course_id, now)
    return Completion(lesson_newly_completed=bool(newly), course_newly_completed=course_done)


def complete_lesson(user: User, lesson: LessonRef) -> Completion:
    """Mark a lesson complete ("Mark as complete", or a passed quiz); idempotent."""
    if lesson.quiz:
        raise ProgressError("This lesson completes when you pass its quiz.")
    with write_transaction():
        return _complete_in_transaction(user, lesson, datetime.now(UTC))


def record_attempt(user: User, lesson: LessonRef, result: QuizResult) -> Completion:
    """Store a quiz attempt; a pass completes the lesson in the same transaction."""
    now = datetime.now(UTC)
    with write_transaction():
        if active_enrolment(user, lesson.course_id) is None:
            raise ProgressError("Enrol in this course to save your quiz results.")
        db.session.add(
            QuizAttempt(
                user_id=user.id,
                lesson_id=lesson.id,
                submitted_at=now,
                score=result.score,
                total=result.total,
                passed=result.passed,
                answers={
                    str(q.number): {"chosen": sorted(q.selected), "correct": q.correct}
                    for q in result.questions
                },
            )
        )
        _mark_started(user, lesson, now)  # answering a quiz means the lesson has been started
        rollups.record_activity(user, lesson.course_id, now)
        completion = Completion(False, False)
        if result.passed:
            completion = _complete_in_transaction(user, lesson, now)
    return completion
