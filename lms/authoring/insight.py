"""Cohort insight for a course's trainers: enrolments over time, the lesson funnel, completion,
and how each quiz question fares on learners' first attempts.

Flask-free: every function takes a course id and reads with a fixed handful of aggregate queries
(none per learner or per lesson), the same on SQLite and PostgreSQL. Only counts leave this
module, never a learner's name or email. Trainers see their own cohort, so counts are exact (the
public open-data page is where small numbers are suppressed).

Every table is a ``Table`` whose rows are already the text shown in each cell: the page and its CSV
download are both built from it, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from markupsafe import Markup
from sqlalchemy import case, func, select

from lms.extensions import db
from lms.models import Enrolment, Lesson, LessonProgress, QuizAttempt
from lms.reporting.figures import Figures
from lms.reporting.months import month_of
from lms.reporting.rollups import _month_sql

NOT_AVAILABLE = "n/a"  # a rate with nothing to divide by: the same text on the page and in the CSV


@dataclass(frozen=True)
class Table:
    """One table of the page: its columns as (key, heading) and rows of cell text or counts.

    ``row_header`` names the column whose cell heads each row (``<th scope="row">``).
    """

    name: str
    caption: str
    columns: tuple[tuple[str, str], ...]
    rows: list[dict[str, str | int]]
    row_header: str

    @property
    def headings(self) -> list[str]:
        return [label for _, label in self.columns]

    def cells(self) -> list[list[str | int]]:
        """Each row's cells in column order: what the page shows and the CSV holds."""
        return [[row[key] for key, _ in self.columns] for row in self.rows]


@dataclass(frozen=True)
class Summary:
    enrolments: int
    completed: int
    left_without_completing: int
    completion_rate: str  # percent with one decimal, or NOT_AVAILABLE
    median_days: float | None  # whole days from enrolling to completing


@dataclass(frozen=True)
class Insight:
    summary: Summary
    enrolments: Table
    funnel: Table
    questions: Table


TABLE_NAMES = ("enrolments", "funnel", "questions")

ENROLMENT_COLUMNS = (("month", "Month"), ("enrolments", "Enrolments"))
FUNNEL_COLUMNS = (
    ("position", "Lesson number"),
    ("lesson", "Lesson"),
    ("reached", "Learners who opened it"),
    ("completed", "Learners who completed it"),
    ("reached_pct", "Opened, % of enrolments"),
    ("completed_pct", "Completed, % of enrolments"),
)
QUESTION_COLUMNS = (
    ("lesson", "Lesson"),
    ("number", "Question"),
    ("prompt", "Question text"),
    ("answered", "Learners who answered"),
    ("right", "Right first time"),
    ("right_pct", "Right first time, %"),
    ("wrong_option", "Wrong option chosen most"),
    ("wrong_count", "Learners who chose it"),
)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else NOT_AVAILABLE


def option_letter(index: int) -> str:
    """A, B, C ... in the order the options are written (Z+1 onwards: 27, 28 ...)."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def plain(html: str) -> str:
    """Stored question and option HTML as one line of plain text for a table cell."""
    # Markup only to strip tags and decode entities: the result is plain text that Jinja and the
    # CSV writer treat as untrusted again.
    return Markup(html).striptags()  # noqa: S704


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from ``first`` to ``last`` inclusive."""
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- the figures ---------------------------------------------------------------------------------


def summary(course_id: int) -> Summary:
    """Completion rate over every enrolment, including learners who later left, and median days.

    A learner who left still enrolled, so they stay in the denominator (and count as completed if
    they had finished first); re-enrolling keeps the first enrolment, so nobody counts twice.
    """
    total, completed, left = db.session.execute(
        select(
            func.count(Enrolment.id),
            func.count(Enrolment.completed_at),
            func.count(
                case((Enrolment.left_at.is_not(None) & Enrolment.completed_at.is_(None), 1))
            ),
        ).where(Enrolment.course_id == course_id)
    ).one()
    # Whole days are computed in Python as the rollups compute them (timedelta.days), one row per
    # completer in a single query: date arithmetic in SQL differs between SQLite and PostgreSQL.
    days = Counter(
        (done - enrolled).days
        for enrolled, done in db.session.execute(
            select(Enrolment.enrolled_at, Enrolment.completed_at).where(
                Enrolment.course_id == course_id, Enrolment.completed_at.is_not(None)
            )
        )
    )
    return Summary(
        enrolments=total,
        completed=completed,
        left_without_completing=left,
        completion_rate=percent(completed, total),
        median_days=Figures(days_histogram=dict(days)).median_days,  # the analysts' median
    )


def enrolments_table(course_id: int, today: date) -> Table:
    """Enrolments per calendar month (UTC), every month from the first enrolment to ``today``'s."""
    month = _month_sql(Enrolment.enrolled_at)
    counts = dict(
        db.session.execute(
            select(month, func.count(Enrolment.id))
            .where(Enrolment.course_id == course_id)
            .group_by(month)
        ).all()
    )
    rows: list[dict[str, str | int]] = []
    if counts:
        last = max(month_of(today), *counts)
        rows = [
            {"month": m, "enrolments": counts.get(m, 0)} for m in months_between(min(counts), last)
        ]
    return Table(
        "enrolments",
        "Enrolments per month, from the first enrolment to this month",
        ENROLMENT_COLUMNS,
        rows,
        row_header="month",
    )


def _active_lessons(course_id: int) -> list:
    """The course's active lessons in course order, as ``Course.active_lessons`` lists them.

    One query for columns only: through the relationship, each lesson's deferred quiz would be
    loaded by a query of its own.
    """
    return list(
        db.session.execute(
            select(Lesson.id, Lesson.title, Lesson.quiz)
            .where(Lesson.course_id == course_id, Lesson.retired_at.is_(None))
            .order_by(Lesson.position)
        )
    )


def funnel_table(course_id: int, lessons: list, enrolments: int) -> Table:
    """How many learners opened (a progress row) and completed each active lesson."""
    counts = {
        lesson_id: (reached, completed)
        for lesson_id, reached, completed in db.session.execute(
            select(
                LessonProgress.lesson_id,
                func.count(LessonProgress.id),
                func.count(LessonProgress.completed_at),
            )
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(Lesson.course_id == course_id)
            .group_by(LessonProgress.lesson_id)
        )
    }
    rows: list[dict[str, str | int]] = []
    for position, lesson in enumerate(lessons, start=1):
        reached, completed = counts.get(lesson.id, (0, 0))
        rows.append(
            {
                "position": position,
                "lesson": lesson.title,
                "reached": reached,
                "completed": completed,
                "reached_pct": percent(reached, enrolments),
                "completed_pct": percent(completed, enrolments),
            }
        )
    return Table(
        "funnel",
        "Learners who opened and completed each lesson, in course order",
        FUNNEL_COLUMNS,
        rows,
        row_header="lesson",
    )


def questions_table(course_id: int, lessons: list) -> Table:
    """Per quiz question: learners right on their first attempt, and the wrong option most chosen.

    Only each learner's first attempt at a lesson's quiz counts: after it they have been told
    which answers were wrong and read the explanations, so later attempts show what they
    remembered, not what they understood. Right or wrong is as graded when they answered; option
    letters follow the quiz as it is now.
    """
    first_ids = (
        select(func.min(QuizAttempt.id))
        .join(Lesson, Lesson.id == QuizAttempt.lesson_id)
        .where(Lesson.course_id == course_id)
        .group_by(QuizAttempt.user_id, QuizAttempt.lesson_id)
    )
    answered: Counter[tuple[int, str]] = Counter()
    right: Counter[tuple[int, str]] = Counter()
    wrong_choices: defaultdict[tuple[int, str], Counter[int]] = defaultdict(Counter)
    quizzes = {lesson.id: {str(q["number"]): q for q in lesson.quiz or ()} for lesson in lessons}
    for lesson_id, answers in db.session.execute(
        select(QuizAttempt.lesson_id, QuizAttempt.answers).where(QuizAttempt.id.in_(first_ids))
    ):
        questions = quizzes.get(lesson_id)
        if questions is None:  # a retired lesson: not in the table
            continue
        for number, answer in answers.items():
            question = questions.get(number)
            if question is None:  # a question since removed from the quiz
                continue
            answered[lesson_id, number] += 1
            if answer["correct"]:
                right[lesson_id, number] += 1
                continue
            options = question["options"]
            for index in answer["chosen"]:
                if 0 <= index < len(options) and not options[index]["correct"]:
                    wrong_choices[lesson_id, number][index] += 1
    rows: list[dict[str, str | int]] = []
    for lesson in lessons:
        for question in lesson.quiz or ():
            key = (lesson.id, str(question["number"]))
            picks = wrong_choices.get(key)
            # Most chosen; on a tie, the option written first.
            index, count = min(picks.items(), key=lambda p: (-p[1], p[0])) if picks else (None, 0)
            rows.append(
                {
                    "lesson": lesson.title,
                    "number": question["number"],
                    "prompt": plain(question["prompt_html"]),
                    "answered": answered[key],
                    "right": right[key],
                    "right_pct": percent(right[key], answered[key]),
                    "wrong_option": "none"
                    if index is None
                    else f"{option_letter(index)}: {plain(question['options'][index]['html'])}",
                    "wrong_count": count,
                }
            )
    return Table(
        "questions",
        "Each quiz question on learners' first attempts",
        QUESTION_COLUMNS,
        rows,
        row_header="prompt",
    )


def build_table(course_id: int, name: str, today: date | None = None) -> Table:
    """One table by name (see ``TABLE_NAMES``), with only the queries that table needs."""
    if name == "enrolments":
        return enrolments_table(course_id, today or datetime.now(UTC).date())
    lessons = _active_lessons(course_id)
    if name == "funnel":
        return funnel_table(course_id, lessons, summary(course_id).enrolments)
    if name == "questions":
        return questions_table(course_id, lessons)
    raise KeyError(f"no insight table {name!r}; tables: {', '.join(TABLE_NAMES)}")


def course_insight(course_id: int, today: date | None = None) -> Insight:
    """Everything the insight page shows for one course: six queries, whatever the cohort size."""
    today = today or datetime.now(UTC).date()
    lessons = _active_lessons(course_id)
    overall = summary(course_id)
    return Insight(
        summary=overall,
        enrolments=enrolments_table(course_id, today),
        funnel=funnel_table(course_id, lessons, overall.enrolments),
        questions=questions_table(course_id, lessons),
    )
