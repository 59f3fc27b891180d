"""After a load-test run: the database against what the simulated learners saw acknowledged.

Each check compares sets keyed by (learner, lesson) or (learner, course), so a row the site lost
(acknowledged to a browser, missing from the database), a row it invented (in the database, never
acknowledged) and a doubled row each show up by name. The statistics rollups, kept up to date inside
each learner's own transaction, are compared with a rebuild from the raw records, which would show
a lost or doubled counter update.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from bench.load_data import Ledger
from lms.extensions import db
from lms.models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    QuizAttempt,
    StatActiveLearner,
    StatCompletionDays,
    StatRollup,
    User,
)
from lms.reporting import rollups


@dataclass
class Check:
    ok: bool
    text: str


def _compare(name: str, seen: Counter, stored: Counter) -> Check:
    """Acknowledged (``seen``) against stored rows, as multisets: lost, never acknowledged."""
    lost = seen - stored
    extra = stored - seen
    text = (
        f"{name}: {sum(seen.values()):,} acknowledged, {sum(stored.values()):,} in the database, "
        f"{sum(lost.values())} lost, {sum(extra.values())} never acknowledged"
    )
    if lost or extra:
        text += f" (e.g. lost {list(lost)[:3]}, extra {list(extra)[:3]})"
    return Check(not lost and not extra, text)


def _duplicates(*columns) -> int:
    """Groups of rows that share ``columns`` (the unique constraint should make this 0)."""
    grouped = select(*columns).group_by(*columns).having(func.count() > 1).subquery()
    return db.session.scalar(select(func.count()).select_from(grouped))


def _rollup_snapshot() -> tuple:
    return (
        sorted(tuple(row) for row in db.session.execute(select(StatRollup.__table__)).all()),
        sorted(tuple(row) for row in db.session.execute(select(StatActiveLearner.__table__)).all()),
        sorted(
            tuple(row) for row in db.session.execute(select(StatCompletionDays.__table__)).all()
        ),
    )


def _without_ids(snapshot: tuple) -> tuple:
    """Rollup rows without their surrogate ids, which a rebuild renumbers."""
    return tuple(sorted(row[1:] for row in table) for table in snapshot)


def check_database(ledgers: list[Ledger]) -> list[Check]:
    """Run every check inside the caller's app context; return them in reading order."""
    users = dict(db.session.execute(select(User.email, User.id)).all())
    lessons = {
        (slug, key): lesson_id
        for slug, key, lesson_id in db.session.execute(
            select(Course.slug, Lesson.key, Lesson.id).join(Lesson.course)
        )
    }
    courses = dict(db.session.execute(select(Course.slug, Course.id)).all())
    missing = [ledger.email for ledger in ledgers if ledger.email not in users]
    checks = [Check(not missing, f"every learner's account exists ({len(missing)} missing)")]

    def per_lesson(ledger: Ledger, pairs) -> list[tuple[int, int]]:
        return [(users[ledger.email], lessons[pair]) for pair in pairs]

    def per_course(ledger: Ledger, slugs) -> list[tuple[int, int]]:
        return [(users[ledger.email], courses[slug]) for slug in slugs]

    found = [ledger for ledger in ledgers if ledger.email in users]
    completed_seen = Counter(pair for lg in found for pair in per_lesson(lg, lg.completed))
    completed_stored = Counter(
        db.session.execute(
            select(LessonProgress.user_id, LessonProgress.lesson_id).where(
                LessonProgress.completed_at.is_not(None)
            )
        ).all()
    )
    checks.append(_compare("lesson completions", completed_seen, completed_stored))
    doubled = _duplicates(LessonProgress.user_id, LessonProgress.lesson_id)
    checks.append(Check(doubled == 0, f"progress rows per learner and lesson: {doubled} doubled"))

    attempts_seen = Counter()
    for ledger in found:
        for pair, count in ledger.attempts.items():
            attempts_seen[per_lesson(ledger, [pair])[0]] += count
    attempts_stored = Counter(
        {
            (user_id, lesson_id): count
            for user_id, lesson_id, count in db.session.execute(
                select(QuizAttempt.user_id, QuizAttempt.lesson_id, func.count()).group_by(
                    QuizAttempt.user_id, QuizAttempt.lesson_id
                )
            )
        }
    )
    checks.append(_compare("quiz attempts", attempts_seen, attempts_stored))

    enrolled_seen = Counter(pair for lg in found for pair in per_course(lg, lg.enrolled))
    enrolled_stored = Counter(
        db.session.execute(select(Enrolment.user_id, Enrolment.course_id)).all()
    )
    checks.append(_compare("enrolments", enrolled_seen, enrolled_stored))

    # A course completion is acknowledged by its "Congratulations": exactly once per course.
    congratulated = Counter(
        pair
        for lg in found
        for slug, times in lg.courses_completed.items()
        for pair in per_course(lg, [slug] * times)
    )
    completions_stored = Counter(
        db.session.execute(
            select(Enrolment.user_id, Enrolment.course_id).where(
                Enrolment.completed_at.is_not(None)
            )
        ).all()
    )
    checks.append(_compare("course completions", congratulated, completions_stored))
    twice = sum(1 for times in congratulated.values() if times > 1)
    checks.append(Check(not twice, f"courses congratulated more than once: {twice}"))

    certificates = Counter(
        db.session.execute(select(Certificate.user_id, Certificate.course_id)).all()
    )
    equal = certificates == completions_stored and max(certificates.values(), default=1) == 1
    checks.append(
        Check(
            equal,
            f"certificates: {sum(certificates.values()):,} for "
            f"{sum(completions_stored.values()):,} completed courses, "
            f"{sum(n - 1 for n in certificates.values())} doubled, "
            f"{len(set(completions_stored) - set(certificates))} missing",
        )
    )
    codes = {
        (user_id, course_id): code
        for user_id, course_id, code in db.session.execute(
            select(Certificate.user_id, Certificate.course_id, Certificate.code)
        )
    }
    wrong_codes = [
        (lg.email, slug)
        for lg in found
        for slug, shown in lg.certificates.items()
        if codes.get(per_course(lg, [slug])[0], "") != shown.replace("-", "").upper()
    ]
    checks.append(
        Check(
            not wrong_codes,
            f"certificate pages the learners opened: "
            f"{sum(len(lg.certificates) for lg in found):,}, {len(wrong_codes)} not their own",
        )
    )

    live = _rollup_snapshot()
    db.session.rollback()
    rollups.rebuild()
    rebuilt = _rollup_snapshot()
    same = _without_ids(live) == _without_ids(rebuilt)
    checks.append(
        Check(
            same,
            f"statistics rollups ({len(live[0])} rows, {len(live[1]):,} active-learner marks) "
            f"{'equal' if same else 'DIFFER FROM'} a rebuild from the raw records",
        )
    )
    return checks
