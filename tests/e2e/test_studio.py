"""A trainer writes a lesson with a quiz in the studio, previews and publishes; a learner takes it.

Runs in Chromium with JavaScript (the live preview) and without it (the Preview button), and
checks every studio page with axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

LESSON = """---
id: introduction
title: Why we test
minutes: 10
---
Automated tests **check** your code for you, every time it changes.

## A first test

A test calls your code and compares the result with what you expect.

```quiz
Q: When do automated tests run?
- [ ] Only once, before the first release
- [x] Every time the code changes
Explanation: That is what makes them worth writing.
```
"""


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_trainer_writes_previews_and_publishes_and_a_learner_takes_it(
    live_server, browser, page, axe, app
):
    with app.app_context():
        make_user("trainer@example.com", name="Tara Trainer", role="trainer")
        make_user("learner@example.com", name="Lee Learner")

    sign_in(page, live_server, "trainer@example.com")
    page.get_by_role("link", name="Studio").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainer studio")
    assert_no_axe_violations(axe, page)
    page.get_by_role("link", name="Start a new course").click()
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the course title.")
    assert_no_axe_violations(axe, page)
    page.get_by_label("Course title").fill("Testing your code")
    page.get_by_label("Course id").fill("testing-your-code")
    page.get_by_label("Summary").fill("Why and how to write automated tests.")
    page.get_by_label("Level").select_option("beginner")
    page.get_by_label("Hours of study").fill("2")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text("Nothing is public until you publish")).to_be_visible()
    assert_no_axe_violations(axe, page)

    # With JavaScript: the preview follows the text as it is typed.
    page.get_by_role("link", name="Introduction", exact=True).click()
    editor = page.get_by_label("File text")
    editor.fill(LESSON.replace("minutes: 10", "minutes: ten"))
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Line 4: field 'minutes' must be a whole number")
    assert_no_axe_violations(axe, page)
    page.get_by_role("link", name="Line 4").click()
    assert (
        page.evaluate(
            "() => { const t = document.getElementById('source-text');"
            " return t.value.substring(t.selectionStart, t.selectionEnd); }"
        )
        == "minutes: ten"
    )
    editor.fill(LESSON)
    expect(problems).to_contain_text("No problems in this file")
    preview = page.locator(".preview-pane")
    expect(preview.get_by_role("heading", name="Why we test")).to_be_visible()
    expect(preview.locator(".prose strong")).to_have_text("check")
    expect(preview.get_by_text("When do automated tests run?")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert_no_axe_violations(axe, page)

    # Nobody else sees the draft.
    assert page.request.get(live_server + "/courses/testing-your-code").status == 404

    page.get_by_role("link", name="History of this file").click()
    expect(page.get_by_role("cell", name="Saved")).to_be_visible()
    assert_no_axe_violations(axe, page)
    page.get_by_role("link", name=re.compile("^Compare")).last.click()
    expect(page.locator("ins").first).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.get_by_role("link", name="Testing your code").click()
    page.get_by_role("link", name="Check and publish").click()
    expect(page.get_by_text("The whole course passes every check")).to_be_visible()
    assert_no_axe_violations(axe, page)
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text(re.compile(r"^Published\. Added 1 course, 1 lesson"))).to_be_visible()

    learner = browser.new_context(locale="en-GB").new_page()
    sign_in(learner, live_server, "learner@example.com")
    learner.goto(live_server + "/courses/testing-your-code")
    learner.get_by_role("button", name="Enrol in this course").click()
    learner.get_by_role("link", name="Why we test").first.click()
    learner.get_by_label("Every time the code changes").check()
    learner.get_by_role("button", name="Check my answers").click()
    expect(learner.get_by_role("heading", name=re.compile("You passed"))).to_be_visible()
    learner.context.close()

    page.goto(live_server + "/studio/courses/testing-your-code/insight")
    expect(page.get_by_role("heading", level=1)).to_contain_text("insight")
    assert_no_axe_violations(axe, page)


def test_the_editor_works_without_javascript(live_server, browser, app):
    with app.app_context():
        make_user("trainer@example.com", name="Tara Trainer", role="admin")
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "trainer@example.com")
    page.goto(live_server + "/studio/courses/python-fundamentals")
    page.get_by_role("link", name="Running your first Python program", exact=True).click()
    editor = page.get_by_label("File text")
    editor.fill(
        editor.input_value().replace(
            "Python is a programming language", "Python is a fine language"
        )
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview-pane")).to_contain_text("Python is a fine language")
    expect(page.get_by_label("File text")).to_have_value(re.compile("Python is a fine language"))
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.goto(live_server + "/courses/python-fundamentals/lessons/running-python")
    expect(page.locator(".prose")).to_contain_text("Python is a programming language")
    context.close()
