"""A learner's whole journey in Chromium: sign up, confirm, enrol, learn, quiz, come back later."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
COURSE = "/courses/git-collaboration"


def answer_quiz(page, *, correctly: bool, questions: list[dict]) -> None:
    for question in questions:
        right = [i for i, option in enumerate(question["options"]) if option["correct"]]
        n = question["number"]
        if correctly:
            chosen = right
        else:
            chosen = [next(i for i in range(len(question["options"])) if i not in right)]
        for i in chosen:
            page.locator(f"#q{n}-{i}").check()
    page.get_by_role("button", name=re.compile("Check my answers")).click()


def test_sign_up_learn_and_resume(live_server, page, axe, outbox, app):
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models import Lesson

    page.goto(live_server + "/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your name.")
    assert_no_axe_violations(axe, page)

    page.get_by_label("Full name").fill("Aisha Khan")
    page.get_by_label("Email address").fill("aisha@example.com")
    page.get_by_label("Where do you live or work?").select_option("greater-manchester")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_no_axe_violations(axe, page)

    page.goto(live_server + outbox.link("aisha@example.com"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    assert_no_axe_violations(axe, page)  # the empty dashboard

    page.goto(live_server + COURSE)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(
        page.get_by_text("You are enrolled in Git and collaborative development")
    ).to_be_visible()
    page.get_by_role("link", name="Start the first lesson").click()
    expect(page.get_by_text("Lesson 1 of")).to_be_visible()
    assert_no_axe_violations(axe, page)

    with app.app_context():
        first = db.session.scalar(select(Lesson).where(Lesson.key == "why-version-control"))
        questions = first.quiz
    answer_quiz(page, correctly=False, questions=questions)
    expect(page.get_by_role("heading", name=re.compile("Not passed yet"))).to_be_visible()
    assert_no_axe_violations(axe, page)
    answer_quiz(page, correctly=True, questions=questions)
    expect(page.get_by_role("heading", name=re.compile("You passed"))).to_be_visible()
    expect(page.get_by_text("Your result is saved. You have made 2 attempts.")).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_text(re.compile(r"1 of \d+ lessons complete"))).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill("aisha@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")

    page.get_by_role("link", name=re.compile("^Continue")).click()
    expect(page.get_by_text("Lesson 2 of")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/courses/git-collaboration/lessons/first-repository$"))


def test_journey_works_without_javascript(live_server, browser, outbox):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/account/sign-up")
    page.get_by_label("Full name").fill("Tom Hill")
    page.get_by_label("Email address").fill("tom@example.com")
    page.get_by_label("Where do you live or work?").select_option("north-east")
    page.get_by_role("button", name="Create account").click()
    page.goto(live_server + outbox.link("tom@example.com"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm my email address").click()
    page.goto(live_server + "/courses/python-fundamentals")
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_text("0 of 9 lessons complete")).to_be_visible()
    context.close()
