"""What a learner sees of their own progress: dashboard, course and lesson status, history.

Every function costs a fixed number of queries however many courses a learner has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import load_only, selectinload

from lms.certificates.codes import grouped
from lms.extensions import db
from lms.models import Certificate, Course, Enrolment, Lesson, LessonProgress, QuizAttempt, User


@dataclass(frozen=True)
class CourseProgress:
    enrolment: Enrolment
    course: Course
    done: int
    total: int
    next_lesson: Lesson | None  # the first unfinished lesson: where "Continue" goes

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def course_progress(user: User) -> list[CourseProgress]:
    """Active enrolments with counts and the next lesson, newest enrolment first. Three queries."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user.id, Enrolment.left_at.is_(None))
            .options(selectinload(Enrolment.course))
            .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        )
    )
    course_ids = [e.course_id for e in enrolments]
    lessons = db.session.scalars(
        select(Lesson)
        .options(load_only(Lesson.id, Lesson.course_id, Lesson.key, Lesson.title, Lesson.position))
        .where(Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None))
        .order_by(Lesson.course_id, Lesson.position)
    )
    completed = completed_lesson_ids(user, course_ids)
    by_course: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        by_course.setdefault(lesson.course_id, []).append(lesson)
    result = []
    for enrolment in enrolments:
        course_lessons = by_course.get(enrolment.course_id, [])
        done = sum(1 for lesson in course_lessons if lesson.id in completed)
        upcoming = next((lesson for lesson in course_lessons if lesson.id not in completed), None)
        result.append(
            CourseProgress(enrolment, enrolment.course, done, len(course_lessons), upcoming)
        )
    return result


def completed_lesson_ids(user: User, course_ids: list[int]) -> set[int]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(
                LessonProgress.user_id == user.id,
                LessonProgress.completed_at.is_not(None),
                Lesson.course_id.in_(course_ids),
            )
        )
    )


def lesson_progress(user: User, course: Course) -> dict[int, LessonProgress]:
    """The learner's progress rows for a course's lessons, by lesson id."""
    rows = db.session.scalars(
        select(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, Lesson.course_id == course.id)
    )
    return {row.lesson_id: row for row in rows}


@dataclass(frozen=True)
class LessonState:
    enrolled: bool
    started_at: datetime | None
    completed_at: datetime | None
    attempts: int
    # Set once the whole course is complete: the lesson page then says so and links the
    # certificate (its grouped code; None only if no certificate exists).
    course_completed_at: datetime | None = None
    certificate_code: str | None = None


# Built once: the lesson page runs this on every request, and building a statement costs more
# than running it. Parameters are bound per call.
_LESSON_STATE = (
    select(
        Enrolment.id,
        LessonProgress.started_at,
        LessonProgress.completed_at,
        select(func.count(QuizAttempt.id))
        .where(
            QuizAttempt.user_id == bindparam("user_id"),
            QuizAttempt.lesson_id == bindparam("lesson_id"),
        )
        .scalar_subquery(),
        Enrolment.completed_at,
        select(Certificate.code)
        .where(
            Certificate.user_id == bindparam("user_id"),
            Certificate.course_id == bindparam("course_id"),
        )
        .scalar_subquery(),
    )
    .select_from(Enrolment)
    .outerjoin(
        LessonProgress,
        (LessonProgress.user_id == bindparam("user_id"))
        & (LessonProgress.lesson_id == bindparam("lesson_id")),
    )
    .where(
        Enrolment.user_id == bindparam("user_id"),
        Enrolment.course_id == bindparam("course_id"),
        Enrolment.left_at.is_(None),
    )
)


def lesson_state(user: User, lesson) -> LessonState:
    """Where a learner stands on one lesson: one query."""
    row = db.session.execute(
        _LESSON_STATE,
        {"user_id": user.id, "lesson_id": lesson.id, "course_id": lesson.course_id},
    ).first()
    if row is None:
        return LessonState(False, None, None, 0)
    code = row[5] if row[4] is not None else None
    return LessonState(True, row[1], row[2], row[3], row[4], grouped(code) if code else None)


def history(user: User) -> list[LessonProgress]:
    """Every lesson the learner has completed, newest first, with lesson and course loaded."""
    return list(
        db.session.scalars(
            select(LessonProgress)
            .where(LessonProgress.user_id == user.id, LessonProgress.completed_at.is_not(None))
            .options(selectinload(LessonProgress.lesson).selectinload(Lesson.course))
            .order_by(LessonProgress.completed_at.desc())
        )
    )
