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

from lms.extensions import db, dialect_insert, insert_new
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

COUNTERS = (
    "enrolments",
    "active_learners",
    "lessons_completed",
    "courses_completed",
    "certificates_issued",
)


def month_of(moment: datetime) -> str:
    return f"{moment:%Y-%m}"


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


def rebuild() -> dict[str, int]:
    """Recompute every rollup from the raw records in one write transaction; return totals."""
    from lms.extensions import begin_write

    begin_write()
    for model in (StatRollup, StatActiveLearner, StatCompletionDays):
        db.session.execute(delete(model))
    figures: dict[tuple[str, int, str], dict[str, int]] = {}

    def add(rows, counter):
        for region, course_id, month, count in rows:
            figures.setdefault((region, course_id, month), dict.fromkeys(COUNTERS, 0))[counter] += (
                count
            )

    region = _region_sql()
    enrol_month = _month_sql(Enrolment.enrolled_at)
    add(
        db.session.execute(
            select(region, Enrolment.course_id, enrol_month, func.count())
            .join(User, User.id == Enrolment.user_id)
            .group_by(region, Enrolment.course_id, enrol_month)
        ),
        "enrolments",
    )
    done_month = _month_sql(LessonProgress.completed_at)
    add(
        db.session.execute(
            select(region, Lesson.course_id, done_month, func.count())
            .select_from(LessonProgress)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(User, User.id == LessonProgress.user_id)
            .where(LessonProgress.completed_at.is_not(None))
            .group_by(region, Lesson.course_id, done_month)
        ),
        "lessons_completed",
    )
    course_month = _month_sql(Enrolment.completed_at)
    add(
        db.session.execute(
            select(region, Enrolment.course_id, course_month, func.count())
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.completed_at.is_not(None))
            .group_by(region, Enrolment.course_id, course_month)
        ),
        "courses_completed",
    )
    cert_month = _month_sql(Certificate.issued_at)
    add(
        db.session.execute(
            select(region, Certificate.course_id, cert_month, func.count())
            .join(User, User.id == Certificate.user_id)
            .group_by(region, Certificate.course_id, cert_month)
        ),
        "certificates_issued",
    )
    activity = union(
        select(Enrolment.user_id, Enrolment.course_id, enrol_month.label("month")),
        select(
            LessonProgress.user_id, Lesson.course_id, _month_sql(LessonProgress.started_at)
        ).join(Lesson, Lesson.id == LessonProgress.lesson_id),
        select(LessonProgress.user_id, Lesson.course_id, done_month)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.completed_at.is_not(None)),
        select(QuizAttempt.user_id, Lesson.course_id, _month_sql(QuizAttempt.submitted_at)).join(
            Lesson, Lesson.id == QuizAttempt.lesson_id
        ),
    ).subquery()
    # INSERT ... SELECT: the marks never pass through Python (millions of rows at cluster scale).
    db.session.execute(
        StatActiveLearner.__table__.insert().from_select(
            ["user_id", "course_id", "month"], select(activity)
        )
    )
    active = db.session.scalar(select(func.count()).select_from(StatActiveLearner))
    add(
        db.session.execute(
            select(region, activity.c.course_id, activity.c.month, func.count())
            .select_from(activity)
            .join(User, User.id == activity.c.user_id)
            .group_by(region, activity.c.course_id, activity.c.month)
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
    db.session.commit()
    return {
        "rollup rows": len(figures),
        "active learner marks": active,
        "completion-day rows": len(days),
    }
