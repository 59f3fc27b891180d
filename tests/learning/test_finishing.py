"""Finishing a course, as the learner sees it: the last pass or "Mark as complete" says the course
is complete and links to the certificate; lesson and course pages and the dashboard say so after."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.certificates.codes import grouped
from lms.extensions import db
from lms.models import Certificate
from tests.certificates.conftest import RIGHT

COURSE = "/courses/demo-course"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def certificate_path(app) -> str:
    with app.app_context():
        return "/certificates/" + grouped(db.session.scalar(select(Certificate.code)))


def finish_with_the_quiz(client):
    """Read the two reading lessons first, so passing the quiz completes the course."""
    client.post(COURSE + "/enrol")
    client.post(COURSE + "/lessons/second-steps/complete")
    client.post(COURSE + "/lessons/going-further/complete")
    return client.post(COURSE + "/lessons/first-steps/quiz", data=RIGHT)


def test_the_pass_that_completes_the_course_says_so_with_certificate_links(
    app, client, signed_in, synced
):
    response = finish_with_the_quiz(client)
    page = text_of(response)
    assert response.status_code == 200
    result = page.split('class="quiz-result passed"')[1].split("</div>")[0]
    assert "Course complete" in result
    assert "You have completed Demo course" in result
    assert f'href="{certificate_path(app)}"' in result
    assert 'href="/dashboard/certificates"' in result


def test_a_pass_that_does_not_complete_the_course_makes_no_such_claim(client, signed_in, synced):
    client.post(COURSE + "/enrol")
    page = text_of(client.post(COURSE + "/lessons/first-steps/quiz", data=RIGHT))
    assert "You passed" in page
    assert "Course complete" not in page
    assert "/certificates/" not in page


def test_marking_the_last_lesson_complete_shows_the_completion_and_certificate(
    app, client, signed_in, synced
):
    client.post(COURSE + "/enrol")
    client.post(COURSE + "/lessons/first-steps/quiz", data=RIGHT)
    client.post(COURSE + "/lessons/second-steps/complete")
    response = client.post(COURSE + "/lessons/going-further/complete", follow_redirects=True)
    page = text_of(response)
    assert "Congratulations: you have completed Demo course!" in page
    assert "Course complete" in page
    assert f'href="{certificate_path(app)}"' in page
    assert 'href="/dashboard/certificates"' in page


def test_every_lesson_page_of_a_completed_course_says_it_is_complete(
    app, client, signed_in, synced
):
    finish_with_the_quiz(client)
    code_link = f'href="{certificate_path(app)}"'
    for key in ("first-steps", "second-steps", "going-further"):
        page = text_of(client.get(f"{COURSE}/lessons/{key}"))
        header = page.split('class="lesson-header"')[1].split("</header>")[0]
        assert "Course complete" in header, key
        assert re.search(r"You completed Demo course on \d", header), key
        assert code_link in header, key


def test_the_course_page_of_a_completed_course_links_the_certificate(
    app, client, signed_in, synced
):
    finish_with_the_quiz(client)
    page = text_of(client.get(COURSE))
    assert "You completed this course on" in page
    assert f'href="{certificate_path(app)}"' in page
    assert "Leave this course" not in page  # nothing left to leave; it stays under "Completed"


def test_the_lesson_page_of_a_course_in_progress_claims_no_completion(client, signed_in, synced):
    client.post(COURSE + "/enrol")
    page = text_of(client.get(COURSE + "/lessons/second-steps"))
    assert "Course complete" not in page


def test_the_dashboard_lists_completed_courses_and_no_empty_message(app, client, signed_in, synced):
    finish_with_the_quiz(client)
    page = text_of(client.get("/dashboard"))
    assert "You are not taking any courses yet" not in page
    completed = page.split('id="done-title"')[1].split("</section>")[0]
    assert "Demo course" in completed
    assert f'href="{certificate_path(app)}"' in completed
    assert "No courses in progress" in page


def test_the_dashboard_of_a_new_learner_says_they_take_no_courses(client, signed_in, synced):
    page = text_of(client.get("/dashboard"))
    assert "You are not taking any courses yet" in page
    assert 'id="done-title"' not in page  # no empty "Completed" section beside it


def test_the_dashboard_with_one_course_in_progress(client, signed_in, synced):
    client.post(COURSE + "/enrol")
    page = text_of(client.get("/dashboard"))
    assert "You are not taking any courses yet" not in page
    assert "0 of 3 lessons complete" in page


def test_the_lesson_page_costs_the_same_queries_before_and_after_completion(
    app, client, signed_in, synced, count_statements
):
    client.post(COURSE + "/enrol")
    client.get(COURSE + "/lessons/second-steps")  # the first visit writes "started"
    with count_statements() as before:
        client.get(COURSE + "/lessons/second-steps")
    finish_with_the_quiz(client)
    with count_statements() as after:
        client.get(COURSE + "/lessons/second-steps")
    assert len(after.selects) == len(before.selects)
    assert after.writes == []
