"""A learner earns a certificate; an employer in another browser checks it by code and by CSV."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.certificates.codes import grouped
from lms.content.quiz import grade_quiz
from lms.extensions import db
from lms.learning import progress
from lms.models import Certificate, Course
from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def sign_in(page, base, email):
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_learner_earns_and_employer_verifies(live_server, browser, app, axe, tmp_path):
    with app.app_context():
        learner = make_user("nadia@example.com", name="Nadia Hussain")
        make_user("hr@example.com", name="Hiring Manager", role="employer")
        course = db.session.scalar(select(Course).where(Course.slug == "cyber-security-essentials"))
        progress.enrol(learner, course)
        *done, last = course.active_lessons
        # every lesson but the last is passed already; the learner finishes in the browser
        for lesson in done:
            answers = {
                q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]}
                for q in lesson.quiz
            }
            progress.record_attempt(learner, lesson, grade_quiz(lesson.quiz, answers, 70))
        last_key, last_questions = last.key, last.quiz

    learner_context = browser.new_context()
    page = learner_context.new_page()
    sign_in(page, live_server, "nadia@example.com")
    page.goto(f"{live_server}/courses/cyber-security-essentials/lessons/{last_key}")
    for question in last_questions:
        for i, option in enumerate(question["options"]):
            if option["correct"]:
                page.locator(f"#q{question['number']}-{i}").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(
        page.get_by_text("Congratulations! You have completed Cyber security essentials.")
    ).to_be_visible()
    page.get_by_role("link", name="My learning").click()
    page.get_by_role("link", name=re.compile("view your certificate")).click()
    expect(page.get_by_text("Valid certificate.")).to_be_visible()
    expect(page.get_by_text("Nadia Hussain")).to_be_visible()
    expect(page.get_by_text(re.compile("Signature verified"))).to_be_visible()
    assert_no_axe_violations(axe, page)
    code = page.locator("dd code").inner_text()
    learner_context.close()

    employer_context = browser.new_context()
    page = employer_context.new_page()
    sign_in(page, live_server, "hr@example.com")
    page.get_by_role("link", name="Check a certificate").click()
    assert_no_axe_violations(axe, page)
    page.get_by_label("Certificate code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check certificate").click()
    expect(page.get_by_text("Valid certificate.")).to_be_visible()
    expect(page.get_by_text("Nadia Hussain")).to_be_visible()

    page.get_by_role("link", name="Check certificates").click()
    csv = tmp_path / "candidates.csv"
    csv.write_text(f"code\n{code}\nNOT-A-CODE\n")
    page.get_by_label("CSV file of certificate codes").set_input_files(str(csv))
    page.get_by_role("button", name="Check certificates").click()
    expect(page.get_by_role("heading", name="Results: 1 of 2 valid")).to_be_visible()
    expect(page.get_by_role("cell", name="Nadia Hussain")).to_be_visible()
    assert_no_axe_violations(axe, page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these results as CSV").click()
    assert "Nadia Hussain" in download.value.path().read_text()
    employer_context.close()


def test_a_revocation_outlives_the_learners_account(live_server, browser, app, axe):
    """An admin revokes in one browser, the learner deletes their account in another; anyone
    then sees "revoked" with the reason, no green "Verified", and no name, at any width."""
    with app.app_context():
        learner = make_user("nadia@example.com", name="Nadia Hussain")
        make_user("admin@example.com", name="Ada Admin", role="admin")
        course = db.session.scalar(select(Course).where(Course.slug == "cyber-security-essentials"))
        progress.enrol(learner, course)
        for lesson in course.active_lessons:
            answers = {
                q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]}
                for q in lesson.quiz
            }
            progress.record_attempt(learner, lesson, grade_quiz(lesson.quiz, answers, 70))
        code = grouped(db.session.scalar(select(Certificate.code)))
    url = f"{live_server}/certificates/{code}"

    admin_context = browser.new_context()
    page = admin_context.new_page()
    sign_in(page, live_server, "admin@example.com")
    page.goto(url)
    expect(page.get_by_text("Verified", exact=True)).to_be_visible()
    page.get_by_label("Reason for revoking").fill("Quiz answers were shared in a group chat")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_text(re.compile("^Revoked on"))).to_be_visible()
    admin_context.close()

    learner_context = browser.new_context()
    page = learner_context.new_page()
    sign_in(page, live_server, "nadia@example.com")
    page.goto(f"{live_server}/account/delete")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()
    learner_context.close()

    for width in (320, 390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_text(re.compile("^Revoked on"))).to_be_visible()
        expect(page.get_by_text("Quiz answers were shared in a group chat")).to_be_visible()
        expect(page.get_by_text(re.compile("also deleted their account"))).to_be_visible()
        expect(
            page.get_by_text(
                re.compile(
                    "signature is valid, but the issuer has revoked|erased when the learner deleted"
                )
            )
        ).to_be_visible()
        expect(page.get_by_text("revocation list marks it as revoked", exact=False)).to_be_visible()
        assert page.locator(".status-complete").count() == 0
        assert page.get_by_text("Nadia Hussain").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 320:
            assert_no_axe_violations(axe, page)
        context.close()
