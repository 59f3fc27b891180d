"""axe-core over every page a person can reach, signed in as each kind of user."""

from __future__ import annotations

import pytest

from lms.content.quiz import grade_quiz
from lms.extensions import db
from lms.learning import progress
from lms.models import Course
from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

PUBLIC = [
    "/",
    "/courses?level=expert",  # with a filter error
    "/courses/web-accessibility-essentials",
    "/courses/data-literacy-sql/lessons/group-by-and-having",
    "/account/sign-in",
    "/account/reset",
    "/account/verify",
    "/verify?code=123",  # with a form error
    "/account/verify/not-a-token",  # a bad link
    "/open-data",
    "/open-data?start=2026-13",  # with a filter error
    "/api/v1/docs",
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
    "/courses/data-literacy-sql",  # completed: "Course complete" and the certificate
    "/courses/data-literacy-sql/lessons/presenting-findings-honestly",
]
EMPLOYER = ["/employer/check", "/employer/tokens", "/verify"]
ADMIN = [
    "/admin",
    "/admin/certificates",
    "/admin/certificates?q=ada&code=!!&status=lost",  # with errors
    "/admin/audit",
    "/admin/users",
    "/admin/users?role=boss",
    "/stats",
    "/stats?course=999",
]


def sign_in(page, base, email):
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sweep(page, axe, base, paths):
    for path in paths:
        page.goto(base + path)
        assert page.url == base + path, f"{path} redirected to {page.url}"  # really reached
        assert_no_axe_violations(axe, page)


def test_every_page_passes_axe(live_server, browser, axe, app):
    with app.app_context():
        learner = make_user("ada@example.com", name="Ada Learner")
        make_user("hr@example.com", name="Hiring Manager", role="employer")
        make_user("admin@example.com", name="Site Admin", role="admin")
        course = db.session.query(Course).filter_by(slug="python-fundamentals").one()
        progress.enrol(learner, course)
        finished = db.session.query(Course).filter_by(slug="data-literacy-sql").one()
        progress.enrol(learner, finished)
        for lesson in finished.active_lessons:
            answers = {
                q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]}
                for q in lesson.quiz
            }
            progress.record_attempt(learner, lesson, grade_quiz(lesson.quiz, answers, 100))

    context = browser.new_context()
    page = context.new_page()
    sweep(page, axe, live_server, PUBLIC)
    for email, paths in (
        ("ada@example.com", LEARNER),
        ("hr@example.com", EMPLOYER),
        ("admin@example.com", ADMIN),
    ):
        context.clear_cookies()
        sign_in(page, live_server, email)
        sweep(page, axe, live_server, paths)
    # forms shown with their errors
    context.clear_cookies()
    sign_in(page, live_server, "ada@example.com")
    page.goto(live_server + "/account/password")
    page.get_by_role("button", name="Change password").click()
    assert_no_axe_violations(axe, page)
    page.goto(live_server + "/account/delete")
    page.get_by_role("button", name="Delete my account").click()
    assert_no_axe_violations(axe, page)
    context.close()
