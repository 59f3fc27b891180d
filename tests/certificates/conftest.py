"""Fixtures for certificates: a learner who has completed the demo course, an employer, an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Certificate
from tests.factories import PASSWORD, complete_course, make_user

RIGHT = {"q1": "0", "q2": ["0", "1"], "q3": "0"}


def complete_demo_course(client) -> None:
    client.post("/courses/demo-course/enrol")
    client.post("/courses/demo-course/lessons/first-steps/quiz", data=RIGHT)
    client.post("/courses/demo-course/lessons/second-steps/complete")
    client.post("/courses/demo-course/lessons/going-further/complete")


@pytest.fixture
def certificate_code(app, client, signed_in, synced) -> str:
    """The grouped code of the signed-in learner's certificate for the demo course."""
    from lms.certificates.codes import grouped

    with app.app_context():
        complete_course()
        return grouped(db.session.scalar(select(Certificate.code)))


def browser_as(app, email: str, role: str):
    with app.app_context():
        make_user(email, name=f"{role.title()} Person", role=role)
    browser = app.test_client()
    response = browser.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


@pytest.fixture
def employer(app):
    return browser_as(app, "hr@example.com", "employer")


@pytest.fixture
def admin(app):
    return browser_as(app, "admin@example.com", "admin")
