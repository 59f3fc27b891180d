"""Keeping the statistics rollups current, inside the learner's own write transaction.

Every learner action that the figures count calls one function here before its transaction
commits, so a figure and the action behind it are saved together or not at all. What counts:

- an enrolment, in the month the learner first enrolled (leaving and coming back is not new);
- an active learner, once per course and month in which they enrolled, opened a lesson,
  completed one or answered a quiz;
- a lesson completed, a course completed (with whole days from enrolling), a certificate issued.

``rebuild()`` recomputes all of it from those raw records.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, literal, select, union

from lms.db import dialect_insert, insert_new, write_transaction
from lms.extensions import db
from lms.models import (
    Certificate,
    Enrolment,
    Lesson,
    LessonProgress,
    QuizAttempt,
    StatActiveLearner,
    StatCompletionDays,
    StatRollup,
    User,
)
from lms.models.reporting import UNKNOWN_REGION
from lms.reporting.months import month_of

COUNTERS = (
    "enrolments",
    "active_learners",
    "lessons_completed",
    "courses_completed",
    "certificates_issued",
)


def _region(user: User) -> str:
    return user.region or UNKNOWN_REGION


def _bump(region: str, course_id: int, month: str, counter: str, by: int = 1) -> None:
    values = {"region": region, "course_id": course_id, "month": month}
    values.update({name: (by if name == counter else 0) for name in COUNTERS})
    stmt = dialect_insert(StatRollup).values(**values)
    table = StatRollup.__table__
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["region", "course_id", "month"],
            set_={counter: table.c[counter] + stmt.excluded[counter]},
        )
    )


def record_activity(user: User, course_id: int, at: datetime) -> None:
    """The learner did something in the course this month; counted once per month."""
    month = month_of(at)
    if insert_new(
        StatActiveLearner,
        {"user_id": user.id, "course_id": course_id, "month": month},
        ["user_id", "course_id", "month"],
    ):
        _bump(_region(user), course_id, month, "active_learners")


def record_enrolment(user: User, course_id: int, at: datetime) -> None:
    _bump(_region(user), course_id, month_of(at), "enrolments")
    record_activity(user, course_id, at)


def record_lesson_completed(user: User, course_id: int, at: datetime) -> None:
    _bump(_region(user), course_id, month_of(at), "lessons_completed")
    record_activity(user, course_id, at)


def record_course_completed(
    user: User, course_id: int, enrolled_at: datetime, completed_at: datetime
) -> None:
    region, month = _region(user), month_of(completed_at)
    _bump(region, course_id, month, "courses_completed")
    days = (completed_at - enrolled_at).days
    stmt = dialect_insert(StatCompletionDays).values(
        region=region, course_id=course_id, month=month, days=days, learners=1
    )
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["region", "course_id", "month", "days"],
            set_={"learners": StatCompletionDays.__table__.c.learners + 1},
        )
    )


def record_certificate(user: User, course_id: int, at: datetime) -> None:
    _bump(_region(user), course_id, month_of(at), "certificates_issued")


# --- rebuilding from raw records -------------------------------------------------------------


def _month_sql(column):
    """The UTC calendar month of a timestamp column, as 'YYYY-MM', in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _region_sql():
    return func.coalesce(User.region, literal(UNKNOWN_REGION))


def _counted_events() -> dict:
    """Each counter's raw events as (user_id, course_id, month) rows, exactly as counted live."""
    completed = LessonProgress.completed_at.is_not(None)
    return {
        "enrolments": select(
            Enrolment.user_id, Enrolment.course_id, _month_sql(Enrolment.enrolled_at).label("month")
        ),
        "lessons_completed": select(
            LessonProgress.user_id,
            Lesson.course_id,
            _month_sql(LessonProgress.completed_at).label("month"),
        )
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(completed),
        "courses_completed": select(
            Enrolment.user_id,
            Enrolment.course_id,
            _month_sql(Enrolment.completed_at).label("month"),
        ).where(Enrolment.completed_at.is_not(None)),
        # A certificate is issued in the completing transaction, at the completion's instant,
        # and counted live in that month. Older certificates could carry an issued_at a moment
        # later (the clock was read twice), possibly in the next month: completed_at is the
        # instant the live count used for every certificate, old and new.
        "certificates_issued": select(
            Certificate.user_id,
            Certificate.course_id,
            _month_sql(Certificate.completed_at).label("month"),
        ),
    }


def _activity_events() -> list:
    """Everything that makes a learner active in a course and month (see the module docstring)."""
    lesson = (Lesson, Lesson.id == LessonProgress.lesson_id)
    return [
        select(Enrolment.user_id, Enrolment.course_id, _month_sql(Enrolment.enrolled_at)),
        select(
            LessonProgress.user_id, Lesson.course_id, _month_sql(LessonProgress.started_at)
        ).join(*lesson),
        select(LessonProgress.user_id, Lesson.course_id, _month_sql(LessonProgress.completed_at))
        .join(*lesson)
        .where(LessonProgress.completed_at.is_not(None)),
        select(QuizAttempt.user_id, Lesson.course_id, _month_sql(QuizAttempt.submitted_at)).join(
            Lesson, Lesson.id == QuizAttempt.lesson_id
        ),
    ]


def rebuild() -> dict[str, int]:
    """Recompute every rollup from the raw records in one write transaction; return totals."""
    with write_transaction():
        for model in (StatRollup, StatActiveLearner, StatCompletionDays):
            db.session.execute(delete(model))
        figures: dict[tuple[str, int, str], dict[str, int]] = {}

        def add(rows, counter):
            for region, course_id, month, count in rows:
                figures.setdefault((region, course_id, month), dict.fromkeys(COUNTERS, 0))[
                    counter
                ] += count

        region = _region_sql()

        def grouped(events):
            """Count (user, course, month) event rows per region, course and month."""
            sub = events.subquery()
            return db.session.execute(
                select(region, sub.c.course_id, sub.c.month, func.count())
                .select_from(sub)
                .join(User, User.id == sub.c.user_id)
                .group_by(region, sub.c.course_id, sub.c.month)
            )

        for counter, events in _counted_events().items():
            add(grouped(events), counter)
        # Activity marks: INSERT ... SELECT, so millions of rows never pass through Python.
        db.session.execute(
            StatActiveLearner.__table__.insert().from_select(
                ["user_id", "course_id", "month"], union(*_activity_events())
            )
        )
        active = db.session.scalar(select(func.count()).select_from(StatActiveLearner))
        add(
            grouped(
                select(
                    StatActiveLearner.user_id, StatActiveLearner.course_id, StatActiveLearner.month
                )
            ),
            "active_learners",
        )
        if figures:
            db.session.execute(
                StatRollup.__table__.insert(),
                [
                    {"region": r, "course_id": c, "month": m, **counts}
                    for (r, c, m), counts in figures.items()
                ],
            )
        days: dict[tuple[str, int, str, int], int] = {}
        completed = db.session.execute(
            select(region, Enrolment.course_id, Enrolment.enrolled_at, Enrolment.completed_at)
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.completed_at.is_not(None))
        )
        for reg, course_id, enrolled_at, completed_at in completed:
            # Whole days are computed in Python, exactly as the live rollup computes them.
            key = (reg, course_id, month_of(completed_at), (completed_at - enrolled_at).days)
            days[key] = days.get(key, 0) + 1
        if days:
            db.session.execute(
                StatCompletionDays.__table__.insert(),
                [
                    {"region": r, "course_id": c, "month": m, "days": d, "learners": n}
                    for (r, c, m, d), n in days.items()
                ],
            )
    return {
        "rollup rows": len(figures),
        "active learner marks": active,
        "completion-day rows": len(days),
    }
