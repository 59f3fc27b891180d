"""Cohort insight in the studio: figures from real learner activity, on the page and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
import time_machine
from sqlalchemy import select

from lms.authoring.insight import course_insight
from lms.content.quiz import grade_quiz
from lms.extensions import db
from lms.learning import progress
from lms.models import Course, CourseAuthor, Lesson, User, Workspace
from tests.certificates.conftest import browser_as
from tests.factories import make_user, reading_lessons, write_course

TODAY = datetime(2026, 5, 15, 12, tzinfo=UTC)
PAGE = "/studio/courses/demo-course/insight"
# The demo quiz (tests/factories.py): Q1 single, A right; Q2 multiple, A and B right, C "loop"
# wrong; Q3 single, A right.
ALL_RIGHT = {1: [0], 2: [0, 1], 3: [0]}


def page(response) -> str:
    return response.get_data(as_text=True)


def make_author(app, slug: str, email: str = "trainer@example.com"):
    """A trainer who authors the workspace ``slug``, signed in."""
    browser = browser_as(app, email, "trainer")
    with app.app_context():
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
        user = db.session.scalar(select(User).where(User.email == email))
        workspace.authors.append(CourseAuthor(user_id=user.id, added_at=datetime.now(UTC)))
        db.session.commit()
    return browser


def at(day: datetime):
    return time_machine.travel(day, tick=False)


def attempt(user, lesson, answers: dict[int, list[int]]) -> None:
    result = grade_quiz(lesson.quiz, answers, lesson.course.pass_mark)
    progress.record_attempt(user, lesson, result)


def learners_do(app, n_extra: int = 0) -> None:
    """Four learners (plus ``n_extra`` who open the first lesson), by the learner domain functions.

    Ann and Ben complete (20 and 12 days); Cat answers everything wrong and leaves; Dan only enrols.
    """
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "demo-course"))
        quiz, second, third = course.active_lessons
        ann, ben, cat, dan = (
            make_user(f"{name}@example.com") for name in ("ann", "ben", "cat", "dan")
        )
        with at(datetime(2026, 1, 10, 9, tzinfo=UTC)):
            progress.enrol(ann, course)
            attempt(ann, quiz, {1: [0], 2: [0, 2], 3: [0]})  # Q2 wrong with C first: fails
            attempt(ann, quiz, ALL_RIGHT)  # then right: passes, counts nothing new
        with at(datetime(2026, 1, 30, 9, tzinfo=UTC)):
            progress.complete_lesson(ann, second)
            progress.complete_lesson(ann, third)
        with at(datetime(2026, 1, 20, 9, tzinfo=UTC)):
            progress.enrol(ben, course)
            attempt(ben, quiz, ALL_RIGHT)
        with at(datetime(2026, 2, 1, 10, tzinfo=UTC)):
            progress.complete_lesson(ben, second)
            progress.complete_lesson(ben, third)
        with at(datetime(2026, 3, 5, 9, tzinfo=UTC)):
            progress.enrol(cat, course)
            progress.record_start(cat, quiz)
            attempt(cat, quiz, {1: [1], 2: [2], 3: [1]})
            progress.leave(cat, course)
        with at(datetime(2026, 3, 6, 9, tzinfo=UTC)):
            progress.enrol(dan, course)
        for n in range(n_extra):
            extra = make_user(f"extra{n}@example.com")
            with at(datetime(2026, 4, 2, 9, tzinfo=UTC)):
                progress.enrol(extra, course)
                progress.record_start(extra, quiz)


@pytest.fixture
def cohort(app, synced):
    learners_do(app)
    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.slug == "demo-course"))


class Tables(HTMLParser):
    """Every table on a page by id, as rows of cell text (header row first)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(page(response))))


def test_figures_from_learner_activity(app, cohort):
    with app.app_context():
        data = course_insight(cohort, today=date(2026, 5, 15))
    s = data.summary
    assert (s.enrolments, s.completed, s.left_without_completing) == (4, 2, 1)
    assert s.completion_rate == "50.0"
    assert s.median_days == 16  # 20 and 12 whole days
    assert [(r["month"], r["enrolments"]) for r in data.enrolments.rows] == [
        ("2026-01", 2),
        ("2026-02", 0),
        ("2026-03", 2),
        ("2026-04", 0),
        ("2026-05", 0),
    ]
    assert [
        (r["position"], r["lesson"], r["reached"], r["completed"], r["reached_pct"])
        for r in data.funnel.rows
    ] == [
        (1, "First steps", 3, 2, "75.0"),
        (2, "Second steps", 2, 2, "50.0"),
        (3, "Going further", 2, 2, "50.0"),
    ]
    q1, q2, q3 = data.questions.rows
    # Ann got Q2 right on her second attempt: only her first (wrong, with C) counts.
    assert (q2["answered"], q2["right"], q2["right_pct"]) == (3, 1, "33.3")
    assert (q2["wrong_option"], q2["wrong_count"]) == ("C: loop", 2)
    assert q2["prompt"] == "Which are Python keywords?"
    assert (q1["right"], q1["wrong_option"], q1["wrong_count"]) == (2, "B: print", 1)
    assert (q3["right_pct"], q3["wrong_option"]) == ("66.7", "B: No")


def test_page_shows_figures_with_charts_and_explains_first_attempts(app, cohort):
    with at(TODAY):
        text = page(make_author(app, "demo-course").get(PAGE))
    assert "Cohort insight: Demo course" in text
    assert "<dt>Completion rate</dt><dd>50.0%</dd>" in text
    assert "<dt>Median days from enrolling to completing</dt><dd>16</dd>" in text
    assert "<dt>Left without completing</dt><dd>1</dd>" in text
    assert "Learners who left the course still count as enrolled" in text
    assert "first attempt at a quiz only" in text
    assert text.count('<svg role="img"') == 3
    assert '<th scope="col">Wrong option chosen most</th>' in text
    tables = Tables(text).tables
    assert ["2026-05", "0"] in tables["table-enrolments"]
    assert ["Which are Python keywords?" in row for row in tables["table-questions"]].count(
        True
    ) == 1
    q2 = next(row for row in tables["table-questions"] if "Which are Python keywords?" in row)
    assert q2 == [
        "First steps",
        "2",
        "Which are Python keywords?",
        "3",
        "1",
        "33.3",
        "C: loop",
        "2",
    ]
    # Aggregates only: no learner's name or email anywhere on the page.
    assert "ann@example.com" not in text and "Sam Learner" not in text


@pytest.mark.parametrize("table", ["enrolments", "funnel", "questions"])
def test_each_csv_is_the_table_on_screen(app, cohort, table):
    with at(TODAY):
        trainer = make_author(app, "demo-course")
        screen = Tables(page(trainer.get(PAGE))).tables[f"table-{table}"]
        download = trainer.get(f"{PAGE}/{table}.csv")
    assert csv_rows(download) == screen
    assert len(screen) > 1
    assert f'filename="demo-course-{table}.csv"' in download.headers["Content-Disposition"]


def test_unknown_table_is_not_found(app, cohort):
    trainer = make_author(app, "demo-course")
    assert trainer.get(f"{PAGE}/learners.csv").status_code == 404


def test_spreadsheet_formulas_in_titles_are_neutralised(app, content_dir, runner):
    lessons = reading_lessons(1)
    lessons["01-part-1.md"] = lessons["01-part-1.md"].replace(
        "title: Part 1", "title: '=HYPERLINK(\"http://x.example\")'"
    )
    write_course(content_dir, "sheet-course", title="Sheets", lessons=lessons)
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    trainer = make_author(app, "sheet-course")
    rows = csv_rows(trainer.get("/studio/courses/sheet-course/insight/funnel.csv"))
    assert rows[1][1] == '\'=HYPERLINK("http://x.example")'


def test_queries_do_not_grow_with_the_cohort(app, synced, count_statements):
    trainer = make_author(app, "demo-course")
    learners_do(app)
    with count_statements() as small:
        assert trainer.get(PAGE).status_code == 200
    with app.app_context():
        # Ten more learners, in a month of their own: more rows, not more queries.
        for n in range(10):
            extra = make_user(f"more{n}@example.com")
            course = db.session.scalar(select(Course).where(Course.slug == "demo-course"))
            lesson = db.session.scalar(select(Lesson).where(Lesson.key == "first-steps"))
            progress.enrol(extra, course)
            attempt(extra, lesson, {1: [1], 2: [0], 3: [0]})
    with count_statements() as large:
        text = page(trainer.get(PAGE))
    assert "<dt>Enrolments</dt><dd>14</dd>" in text
    assert len(large.selects) == len(small.selects)


def test_course_without_learners_explains_instead_of_charting(app, synced):
    text = page(make_author(app, "demo-course").get(PAGE))
    assert "No learners yet" in text
    assert "Nobody has enrolled in this course yet" in text
    assert "<svg" not in text and "<table" not in text


def test_never_published_course_explains_and_has_no_csv(app):
    with app.app_context():
        db.session.add(
            Workspace(
                slug="new-course", course=None, managed_in="studio", created_at=datetime.now(UTC)
            )
        )
        db.session.commit()
    trainer = make_author(app, "new-course")
    response = trainer.get("/studio/courses/new-course/insight")
    assert response.status_code == 200
    assert "This course has never been published" in page(response)
    assert "<svg" not in page(response)
    assert trainer.get("/studio/courses/new-course/insight/funnel.csv").status_code == 404


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}/funnel.csv"])
def test_only_the_course_authors_and_admins_see_insight(app, cohort, client, path):
    other_trainer = browser_as(app, "other-trainer@example.com", "trainer")
    assert other_trainer.get(path).status_code == 404
    learner = browser_as(app, "someone@example.com", "learner")
    assert learner.get(path).status_code == 403
    assert client.get(path).status_code == 302  # anonymous: to sign in
    assert browser_as(app, "admin@example.com", "admin").get(path).status_code == 200
    assert make_author(app, "demo-course").get(path).status_code == 200
