"""The analysts' dashboard, its exports, the open-data page and API, and disclosure control."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from lms.extensions import db
from lms.learning import progress
from lms.models import Course, Lesson
from lms.reporting import charts, disclosure
from tests.certificates.conftest import browser_as
from tests.factories import make_user, reading_lessons, write_course


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def activity(app, content_dir, runner):
    """Seven Leeds learners and one in Sheffield, across two courses and two months."""
    write_course(
        content_dir,
        "data-course",
        title="Data course",
        skill="Data analysis",
        lessons=reading_lessons(2),
    )
    write_course(
        content_dir,
        "web-course",
        title="Web course",
        skill="Web development",
        lessons=reading_lessons(1),
    )
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        data = db.session.scalar(select(Course).where(Course.slug == "data-course"))
        web = db.session.scalar(select(Course).where(Course.slug == "web-course"))
        data_lessons = list(db.session.scalars(select(Lesson).where(Lesson.course_id == data.id)))
        web_lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == web.id))
        for n in range(7):
            learner = make_user(f"leeds{n}@example.com", region="leeds")
            with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
                progress.enrol(learner, data)
            if n < 6:  # six finish in February, 20 days later
                with time_machine.travel(datetime(2026, 1, 30, tzinfo=UTC), tick=False):
                    for lesson in data_lessons:
                        progress.complete_lesson(learner, lesson)
        sheffield = make_user("sheff@example.com", region="sheffield")
        with time_machine.travel(datetime(2026, 2, 3, tzinfo=UTC), tick=False):
            progress.enrol(sheffield, web)
            progress.complete_lesson(sheffield, web_lesson)
        return data.id


def rows_by_region(text_csv: str) -> dict[str, dict]:
    return {row["region"]: row for row in csv.DictReader(io.StringIO(text_csv))}


def test_dashboard_is_for_analysts_and_admins(app, client, signed_in):
    assert client.get("/stats").status_code == 403
    assert browser_as(app, "analyst@example.com", "analyst").get("/stats").status_code == 200
    assert browser_as(app, "admin@example.com", "admin").get("/stats").status_code == 200
    assert app.test_client().get("/stats").status_code == 302


def test_cities_side_by_side_with_charts_and_tables(app, activity):
    analyst = browser_as(app, "analyst@example.com", "analyst")
    text = page(analyst.get("/stats"))
    assert "City regions side by side" in text
    assert '<th scope="row">Greater Manchester</th>' in text
    assert text.count('<svg role="img"') == 2
    assert "Courses completed per month" in text
    exported = rows_by_region(page(analyst.get("/stats/export.csv")))
    leeds = exported["leeds"]
    assert (leeds["enrolments"], leeds["courses_completed"], leeds["lessons_completed"]) == (
        "7",
        "6",
        "12",
    )
    assert leeds["completion_rate"] == "85.7"
    assert leeds["median_days_to_complete"] == "20.0"
    assert exported["sheffield"]["certificates_issued"] == "1"
    assert exported["liverpool"]["enrolments"] == "0"  # every region shown, even with nothing


@pytest.mark.parametrize(
    ("query", "region", "enrolments"),
    [
        ("start=2026-02", "leeds", "0"),
        ("end=2026-01", "leeds", "7"),
        ("start=2026-02&end=2026-02", "sheffield", "1"),
        ("skill=Web+development", "leeds", "0"),
        ("skill=Data+analysis", "leeds", "7"),
    ],
)
def test_filters_change_the_figures_and_the_export_matches(
    app, activity, query, region, enrolments
):
    analyst = browser_as(app, "analyst@example.com", "analyst")
    exported = rows_by_region(page(analyst.get(f"/stats/export.csv?{query}")))
    assert exported[region]["enrolments"] == enrolments
    as_json = analyst.get(f"/stats/export.json?{query}").json
    json_row = next(r for r in as_json["regions"] if r["region"] == region)
    assert str(json_row["enrolments"]) == enrolments
    screen = page(analyst.get(f"/stats?{query}"))
    assert "Region not recorded" in screen


def test_course_filter(app, activity):
    analyst = browser_as(app, "analyst@example.com", "analyst")
    exported = rows_by_region(page(analyst.get(f"/stats/export.csv?course={activity}")))
    assert exported["sheffield"]["enrolments"] == "0"
    assert exported["leeds"]["enrolments"] == "7"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=January", "start", "Enter a month as YYYY-MM"),
        ("start=2026-05&end=2026-01", "end", "must not be before the first"),
        ("course=999", "course", "Choose a course from the list."),
    ],
)
def test_bad_filters_are_explained_beside_the_field(app, activity, query, field, message):
    analyst = browser_as(app, "analyst@example.com", "analyst")
    response = analyst.get(f"/stats?{query}")
    assert response.status_code == 422
    assert f'id="{field}-error"' in page(response) and message in page(response)


def test_open_data_applies_disclosure_control(app, client, activity):
    text = page(client.get("/open-data"))
    assert "How these figures are made" in text
    data = client.get("/api/v1/stats/regions").json
    regions = {r["region"]: r for r in data["regions"]}
    assert data["threshold"] == 5
    assert regions["leeds"]["enrolments"] == 5  # 7 rounded to the nearest 5
    assert regions["leeds"]["courses_completed"] == 5  # 6
    assert regions["leeds"]["lessons_completed"] == 10  # 12
    assert regions["leeds"]["completion_rate"] == 86  # 6/7, denominator above 5
    assert regions["sheffield"]["enrolments"] == "<5"
    assert regions["sheffield"]["completion_rate"] is None
    assert regions["liverpool"]["enrolments"] == 0
    bad = client.get("/api/v1/stats/regions?end=2026-1")
    assert bad.status_code == 400 and "YYYY-MM" in bad.json["reason"]


def test_small_counts_are_suppressed_and_others_rounded():
    assert [disclosure.count(n, 5) for n in range(0, 13)] == [
        0,
        "<5",
        "<5",
        "<5",
        "<5",
        5,
        5,
        5,
        10,
        10,
        10,
        10,
        10,
    ]
    assert disclosure.rate(3, 5, 5) is None and disclosure.rate(3, 6, 5) == 50


def test_no_learner_can_be_singled_out_by_comparing_two_figures():
    """Published values for n and n + 1 learners are always also explained by other counts
    that do not differ by one, so a difference never proves one person's presence."""
    threshold = 5
    published = {n: disclosure.count(n, threshold) for n in range(0, 520)}
    for n in range(0, 498):
        pair = (published[n], published[n + 1])
        explanations = {
            (a, b)
            for a in range(max(0, n - 5), n + 6)
            for b in range(max(0, n - 5), n + 7)
            if (published[a], published[b]) == pair
        }
        assert any(b - a != 1 for a, b in explanations), (n, pair)


def test_per_course_table_and_its_export(app, activity):
    analyst = browser_as(app, "analyst@example.com", "analyst")
    text = page(analyst.get("/stats"))
    assert "By course" in text and "Data course" in text and "Web course" in text
    rows = {
        r["course_name"]: r
        for r in csv.DictReader(io.StringIO(page(analyst.get("/stats/export.csv?table=courses"))))
    }
    assert rows["Data course"]["enrolments"] == "7"
    assert rows["Data course"]["courses_completed"] == "6"
    assert rows["Web course"]["certificates_issued"] == "1"
    as_json = analyst.get("/stats/export.json?table=courses&skill=Web+development").json
    assert [r["course_name"] for r in as_json["courses"]] == ["Web course"]


def test_each_download_link_names_its_table(app, activity):
    # Two links named just "CSV" (and two "JSON") for different tables read the same in a list of
    # links; the visible word comes first in each name (WCAG 2.5.3).
    text = page(browser_as(app, "analyst@example.com", "analyst").get("/stats"))
    names = re.findall(r'<a href="/stats/export\.[a-z]+[^"]*">(.*?)</a>', text)
    assert names == [
        'CSV<span class="visually-hidden">: figures per city region</span>',
        'JSON<span class="visually-hidden">: figures per city region</span>',
        'CSV<span class="visually-hidden">: figures per course</span>',
        'JSON<span class="visually-hidden">: figures per course</span>',
    ]


def test_course_csv_never_hands_a_spreadsheet_a_formula(app, content_dir, runner):
    write_course(content_dir, "sheet-course", title="=HYPERLINK(evil)", lessons=reading_lessons(1))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        course = db.session.scalar(select(Course))
        progress.enrol(make_user("leeds@example.com"), course)
    analyst = browser_as(app, "analyst@example.com", "analyst")
    rows = list(csv.DictReader(io.StringIO(page(analyst.get("/stats/export.csv?table=courses")))))
    assert rows[0]["course_name"] == "'=HYPERLINK(evil)"


def test_a_bar_chart_label_column_fits_its_longest_label():
    # Labels end where the bars begin; a column narrower than a label pushed its first letters
    # off the chart's left edge (the studio's lesson funnel on a phone).
    label = "4. Making decisions with …: completed"
    svg = charts.bar_chart("Funnel", "Bars", [(label, 3), ("short", 1)])
    label_end = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg).group(1))
    assert label_end >= len(label) * charts.LABEL_CHAR_WIDTH
    assert charts.bar_chart("Regions", "Bars", [("Leeds", 1)]).count('<text x="222"') == 1
