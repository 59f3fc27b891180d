"""Every page a person can reach, signed out and as each kind of user, checked in Chromium.

On each page: axe-core (WCAG 2.x A/AA and best practice) and the page's structure at 1280 px; at
320x640, 390x844 and 1280x800 the layout reflows (nothing wider than the viewport, nothing cut off
at its edge) and every link and button has enough contrast. Every shipped lesson is checked on a
phone too. One browser and one page per kind of user; the viewport is resized, never reloaded.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, Lesson
from tests.e2e.conftest import assert_no_axe_violations, broken_zip, sign_in
from tests.e2e.page_checks import (
    VIEWPORTS,
    assert_controls_contrast,
    assert_fits,
    assert_page_structure,
    check_every_width,
)

pytestmark = pytest.mark.e2e

PUBLIC = [
    "/",
    "/courses",
    "/courses?level=expert",  # with a filter error
    "/courses/web-accessibility-essentials",
    "/courses/data-literacy-sql/lessons/group-by-and-having",
    "/account/sign-in",
    "/account/sign-up",
    "/account/reset",
    "/account/verify",
    "/verify",
    "/verify?code=123",  # with a form error
    "/account/verify/not-a-token",  # a bad link
    "/open-data",
    "/open-data?start=2026-13",  # with a filter error
    "/api/v1/docs",
    "{certificate}",
]
LEARNER = [
    "/dashboard",
    "/dashboard/history",
    "/dashboard/certificates",
    "/account",
    "/account/password",
    "/account/email",
    "/account/delete",
    "/courses/python-fundamentals",
    "/courses/python-fundamentals/lessons/strings",
    "/courses/python-fundamentals/lessons/running-python",
    "/courses/cyber-security-essentials",  # completed: "Course complete" and the certificate
    "/courses/cyber-security-essentials/lessons/incident-response",
    "{certificate}",
]
TRAINER = [
    "/studio",
    "/studio/new",
    "/studio/courses/python-fundamentals",
    "/studio/courses/python-fundamentals/files/{lesson_file}",
    "/studio/courses/python-fundamentals/files/{course_file}",
    "/studio/courses/python-fundamentals/files/{lesson_file}/history",
    "/studio/courses/python-fundamentals/publish",
    "/studio/courses/python-fundamentals/insight",
]
EMPLOYER = ["/employer/check", "/employer/tokens", "/verify", "{certificate}"]
ANALYST = ["/stats", "/stats?course=999", "/open-data"]
ADMIN = [
    "/admin",
    "/admin/certificates",
    "/admin/certificates?q=ada&code=!!&status=lost",  # with errors
    "/admin/audit",
    "/admin/users",
    "/admin/users?role=boss",
    "/stats",
    "/studio/courses/python-fundamentals",
    "{certificate}",
]


def check_page(page, axe, label=""):
    """axe and structure at the desktop width, then reflow and contrast at every width."""
    assert page.viewport_size["width"] == VIEWPORTS["desktop"][0]
    assert_no_axe_violations(axe, page)
    assert_page_structure(page, label)
    check_every_width(page, label)


def sweep(page, axe, base, paths, names):
    for template in paths:
        path = template.format(**names)
        page.goto(base + path)
        assert page.url == base + path, f"{path} redirected to {page.url}"  # really reached
        check_page(page, axe, path)


def test_every_page_passes_axe_reflows_and_has_contrast(live_server, browser, axe, people):
    context = browser.new_context(
        locale="en-GB", viewport=dict(zip(("width", "height"), VIEWPORTS["desktop"], strict=True))
    )
    page = context.new_page()
    sweep(page, axe, live_server, PUBLIC, people)
    for email, paths in (
        ("ada@example.com", LEARNER),
        ("tara@example.com", TRAINER),
        ("hr@example.com", EMPLOYER),
        ("ana@example.com", ANALYST),
        ("admin@example.com", ADMIN),
    ):
        context.clear_cookies()
        sign_in(page, live_server, email)
        sweep(page, axe, live_server, paths, people)
        if email == "tara@example.com":
            studio_forms(page, axe, live_server, people)
        if email == "ada@example.com":
            learner_forms(page, axe, live_server)
        if email == "hr@example.com":
            employer_forms(page, axe, live_server, people)
    context.close()


def learner_forms(page, axe, base):
    """Forms shown with their errors, and a quiz with its result."""
    page.goto(base + "/account/password")
    page.get_by_role("button", name="Change password").click()
    check_page(page, axe, "change password with errors")
    page.goto(base + "/account/delete")
    page.get_by_role("button", name="Delete my account").click()
    check_page(page, axe, "delete account with errors")
    page.goto(base + "/courses/python-fundamentals/lessons/strings")
    page.get_by_role("button", name="Check my answers").click()
    check_page(page, axe, "quiz with errors")
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("input").first.check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator(".quiz-result")).to_be_visible()
    check_page(page, axe, "quiz with its result")


def employer_forms(page, axe, base, names):
    """An API token listed, and a CSV of codes checked."""
    page.goto(base + "/employer/tokens")
    page.get_by_label("Name for the token").fill("Applicant tracking system")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("cell", name="Applicant tracking system", exact=True)).to_be_visible()
    check_page(page, axe, "a new API token")
    page.goto(base + "/employer/check")
    page.get_by_label("CSV file of certificate codes").set_input_files(
        {
            "name": "codes.csv",
            "mimeType": "text/csv",
            "buffer": f"code\n{names['certificate_code']}\nNOT-A-CODE\n".encode(),
        }
    )
    page.get_by_role("button", name="Check certificates").click()
    expect(page.get_by_role("heading", name="Results: 1 of 2 valid")).to_be_visible()
    check_page(page, axe, "certificate check results")


def studio_forms(page, axe, base, names):
    """The editor with problems and after a save, a file's history and a version, a bad zip."""
    page.goto(base + "/studio/courses/python-fundamentals/files/{lesson_file}".format(**names))
    editor = page.get_by_label("File text")
    editor.fill(editor.input_value().replace("minutes:", "minutes: ten\nold_minutes:", 1))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#problems")).to_contain_text("problem")
    check_page(page, axe, "editor with problems")
    editor.fill(
        editor.input_value().replace("minutes: ten\nold_minutes:", "minutes:", 1) + "\nMore.\n"
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("link", name="History of this file").click()
    expect(page.get_by_role("button", name=re.compile("^Restore"))).to_be_visible()
    check_page(page, axe, "history with a version to restore")
    page.get_by_role("link", name=re.compile("^Compare")).last.click()
    check_page(page, axe, "a version compared with the draft")
    page.goto(base + "/studio")
    page.get_by_label("Course zip").set_input_files(broken_zip())
    page.get_by_role("button", name="Import as a new course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The zip was not imported")
    check_page(page, axe, "a zip import with problems")


def test_every_shipped_lesson_fits_a_phone(live_server, browser, app):
    """All shipped lessons, quiz fieldsets included, at 320 and 390 px: reflow and contrast."""
    with app.app_context():
        lessons = db.session.execute(
            select(Course.slug, Lesson.key)
            .join(Lesson.course)
            .where(Lesson.retired_at.is_(None))
            .order_by(Course.slug, Lesson.position)
        ).all()
    assert len(lessons) == 56
    context = browser.new_context(locale="en-GB", viewport={"width": 320, "height": 640})
    page = context.new_page()
    for slug, key in lessons:
        page.goto(f"{live_server}/courses/{slug}/lessons/{key}")
        for width, height in (VIEWPORTS["phone-320"], VIEWPORTS["phone-390"]):
            page.set_viewport_size({"width": width, "height": height})
            assert_fits(page, f"{slug}/{key}")
            assert_controls_contrast(page, f"{slug}/{key}")
        page.set_viewport_size({"width": 320, "height": 640})
    context.close()


def test_lesson_headings_read_as_their_titles(live_server, page):
    """In the accessibility tree a heading is its title alone; its permalink names the section."""
    page.goto(live_server + "/courses/python-fundamentals/lessons/strings")
    heading = page.get_by_role("heading", name="Writing strings", exact=True)
    expect(heading).to_have_count(1)
    link = page.get_by_role("link", name="Link to section: Writing strings", exact=True)
    expect(link).to_have_attribute("href", "#writing-strings")
    expect(link).to_be_visible()
    assert link.evaluate("el => getComputedStyle(el, '::before').content") != "none"  # the "#"
    expect(page.get_by_role("link", name="#", exact=True)).to_have_count(0)
