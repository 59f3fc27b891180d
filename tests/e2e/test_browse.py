"""A visitor browses the catalogue and reads a lesson in Chromium; axe-core checks each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_axe_violations

pytestmark = pytest.mark.e2e


def test_catalogue_search_course_and_lesson(live_server, page, axe):
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Learn the skills")
    assert_no_axe_violations(axe, page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page).to_have_url(live_server + "/courses")
    assert_no_axe_violations(axe, page)

    page.get_by_label("Search courses").fill("python")
    page.get_by_role("button", name="Show courses").click()
    expect(page.get_by_role("heading", name=re.compile(r"match your search"))).to_be_visible()
    page.get_by_role("link", name="Python programming fundamentals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Python programming fundamentals")
    assert_no_axe_violations(axe, page)

    page.get_by_role("link", name="Start the first lesson").click()
    expect(page.get_by_text("Lesson 1 of")).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.get_by_role("link", name=re.compile("^Next lesson")).click()
    expect(page.get_by_text("Lesson 2 of")).to_be_visible()


def test_keyboard_user_can_skip_to_content(live_server, page):
    page.goto(live_server + "/courses")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_quiz_feedback_and_errors_are_accessible(live_server, page, axe):
    page.goto(live_server + "/courses/python-fundamentals/lessons/running-python")
    page.get_by_role("button", name="Check my answers").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Answer question 1.")
    assert_no_axe_violations(axe, page)

    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("input").first.check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_role("status")).to_contain_text("correct")
    assert_no_axe_violations(axe, page)


def test_pages_work_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/courses?level=beginner")
    expect(page.get_by_role("heading", level=2, name=re.compile("courses? match"))).to_be_visible()
    page.get_by_role("link", name="Cyber security essentials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cyber security essentials")
    context.close()


def test_error_page_is_accessible(live_server, page, axe):
    response = page.goto(live_server + "/courses/no-such-course")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_no_axe_violations(axe, page)


def test_the_axe_check_does_catch_violations(page, axe):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_no_axe_violations(axe, page)
