"""Finishing a course in Chromium: the last pass says "Course complete" and leads to the
certificate and the certificates list; the dashboard lists the course under "Completed". The same
with JavaScript off. Every page on the way fits a 320 px wide screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.content.quiz import grade_quiz
from lms.extensions import db
from lms.learning import progress
from lms.models import Course
from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e
SLUG = "data-literacy-sql"
TITLE = "Data literacy: from spreadsheets to SQL"


def all_but_the_last_lesson(app, email: str) -> tuple[str, list[dict]]:
    """A learner who has passed every lesson of the course but the last."""
    with app.app_context():
        learner = make_user(email, name="Nadia Hussain")
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        progress.enrol(learner, course)
        *done, last = course.active_lessons
        for lesson in done:
            answers = {
                q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]}
                for q in lesson.quiz
            }
            progress.record_attempt(learner, lesson, grade_quiz(lesson.quiz, answers, 100))
        return last.key, last.quiz


def sign_in(page, base, email):
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def pass_quiz(page, questions):
    for question in questions:
        for i, option in enumerate(question["options"]):
            if option["correct"]:
                page.locator(f"#q{question['number']}-{i}").check()
    page.get_by_role("button", name="Check my answers").click()


def assert_fits(page, selector: str, width: int) -> None:
    """What ``selector`` holds wraps within it on a ``width`` px screen (WCAG 1.4.10).

    Checked inside the element, not against the window: the site header's navigation and the
    lesson layout (code and tables in lesson text) are another change's work at these widths.
    """
    page.set_viewport_size({"width": width, "height": 800})
    for element in page.locator(selector).all():
        overflow = element.evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"{selector} on {page.url} overflows by {overflow}px at {width}px"


def test_finish_a_course_then_find_the_certificate(live_server, page, app, axe):
    last_key, questions = all_but_the_last_lesson(app, "nadia@example.com")
    sign_in(page, live_server, "nadia@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    page.goto(f"{live_server}/courses/{SLUG}/lessons/{last_key}")
    pass_quiz(page, questions)

    result = page.locator(".quiz-result")
    expect(result).to_contain_text("Course complete")
    expect(result).to_contain_text(f"Congratulations! You have completed {TITLE}.")
    assert_no_axe_violations(axe, page)
    for width in (320, 390):
        assert_fits(page, ".course-complete", width)
    page.set_viewport_size({"width": 1280, "height": 800})

    result.get_by_role("link", name=re.compile("^View your certificate")).click()
    expect(page).to_have_url(re.compile(r"/certificates/[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$"))
    expect(page.get_by_text("Valid certificate.")).to_be_visible()
    expect(page.get_by_text("Nadia Hussain")).to_be_visible()

    # The lesson, opened again later, says the course is complete and links both ways.
    page.goto(f"{live_server}/courses/{SLUG}/lessons/{last_key}")
    header = page.locator(".lesson-header")
    expect(header).to_contain_text("Course complete")
    expect(header.get_by_role("link", name=re.compile("^View your certificate"))).to_be_visible()
    assert_no_axe_violations(axe, page)
    header.get_by_role("link", name="All your certificates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My certificates")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_text("You are not taking any courses yet")).to_have_count(0)
    completed = page.locator("section", has=page.get_by_role("heading", name="Completed"))
    expect(completed.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(completed.get_by_role("link", name=re.compile("view your certificate"))).to_be_visible()
    assert_no_axe_violations(axe, page)
    assert_fits(page, "main", 320)
    page.set_viewport_size({"width": 1280, "height": 800})

    completed.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_text("You completed this course on")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^View your certificate"))).to_be_visible()
    assert_no_axe_violations(axe, page)


def test_finishing_works_without_javascript(live_server, browser, app):
    last_key, questions = all_but_the_last_lesson(app, "tom@example.com")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "tom@example.com")
    page.goto(f"{live_server}/courses/{SLUG}/lessons/{last_key}")
    pass_quiz(page, questions)
    result = page.locator(".quiz-result")
    expect(result).to_contain_text("Course complete")
    result.get_by_role("link", name=re.compile("^View your certificate")).click()
    expect(page.get_by_text("Valid certificate.")).to_be_visible()
    context.close()
