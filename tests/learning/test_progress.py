"""Enrolment, lesson progress, quizzes and course completion, through the pages and the domain."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning import progress
from lms.models import Course, Enrolment, LessonProgress, QuizAttempt
from tests.factories import PASSWORD, make_user, reading_lessons, write_course

RIGHT = {"q1": "0", "q2": ["0", "1"], "q3": "0"}
WRONG = {"q1": "1", "q2": ["0"], "q3": "1"}
QUIZ = "/courses/demo-course/lessons/first-steps/quiz"


def page(response) -> str:
    return response.get_data(as_text=True)


def count(app, model, **where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)


@pytest.fixture
def enrolled(client, signed_in, synced):
    assert client.post("/courses/demo-course/enrol").status_code == 302
    return signed_in


def test_course_page_offers_enrolment(client, signed_in, synced):
    text = page(client.get("/courses/demo-course"))
    assert "Enrol in this course" in text


def test_anonymous_visitors_are_invited_to_sign_up(client, synced):
    text = page(client.get("/courses/demo-course"))
    assert "Create an account" in text and "Enrol in this course" not in text
    assert client.post("/courses/demo-course/enrol").status_code == 302
    assert count(client.application, Enrolment) == 0


def test_enrolling_twice_makes_one_enrolment(client, enrolled, app):
    client.post("/courses/demo-course/enrol")
    assert count(app, Enrolment) == 1
    text = page(client.get("/courses/demo-course"))
    assert "0 of 3 lessons complete" in text
    assert "Not started" in text


def test_unconfirmed_learner_cannot_enrol(app, synced):
    # An unconfirmed account cannot sign in at all, so the rule is checked on the domain function.
    with app.app_context():
        person = make_user("new@example.com", verified=False)
        course = db.session.scalar(select(Course))
        with pytest.raises(progress.ProgressError, match="Confirm your email"):
            progress.enrol(person, course)
        assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_opening_a_lesson_records_it_started_once(client, enrolled, app, count_statements):
    client.get("/courses/demo-course/lessons/second-steps")
    assert count(app, LessonProgress) == 1
    with count_statements() as counter:
        client.get("/courses/demo-course/lessons/second-steps")
    assert counter.writes == []
    assert "Started" in page(client.get("/courses/demo-course"))


def test_reading_a_lesson_without_enrolling_records_nothing(client, signed_in, synced, app):
    text = page(client.get("/courses/demo-course/lessons/second-steps"))
    assert "You are not enrolled in this course" in text
    assert "Mark as complete" not in text
    assert count(app, LessonProgress) == 0


def test_mark_as_complete_moves_on_to_the_next_lesson(client, enrolled, app):
    text = page(client.get("/courses/demo-course/lessons/second-steps"))
    assert "Mark as complete" in text
    response = client.post("/courses/demo-course/lessons/second-steps/complete")
    assert response.location == "/courses/demo-course/lessons/going-further"
    again = client.post("/courses/demo-course/lessons/second-steps/complete")
    assert again.status_code == 302
    assert count(app, LessonProgress, lesson_id=2) == 1
    text = page(client.get("/courses/demo-course/lessons/second-steps"))
    assert "You completed this lesson on" in text and "Mark as complete" not in text


def test_a_quiz_lesson_completes_only_by_passing(client, enrolled, app):
    response = client.post("/courses/demo-course/lessons/first-steps/complete")
    assert response.status_code == 302
    assert count(app, LessonProgress) == 0
    assert "completes when you pass its quiz" in page(client.get(response.location))


def test_every_attempt_is_stored_and_a_pass_completes_the_lesson(client, enrolled, app):
    failed = page(client.post(QUIZ, data=WRONG))
    assert "Not passed yet" in failed and "Your result is saved." in failed
    assert count(app, LessonProgress) == 1  # started, not complete
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.completed_at)) is None
    passed = page(client.post(QUIZ, data=RIGHT))
    assert "You passed" in passed
    assert "You have made 2 attempts." in passed
    assert count(app, QuizAttempt) == 2
    assert count(app, QuizAttempt, passed=True) == 1
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.completed_at)) is not None
        attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)).first()
        assert attempt.answers["2"] == {"chosen": [0], "correct": False}
    # retries after a pass are stored too, and never undo the completion
    client.post(QUIZ, data=WRONG)
    assert count(app, QuizAttempt) == 3
    assert "Complete" in page(client.get("/courses/demo-course"))


def test_quiz_results_of_a_signed_in_learner_not_enrolled_are_not_saved(client, signed_in, synced):
    text = page(client.post(QUIZ, data=RIGHT))
    assert "You passed" in text
    assert "Your result is not saved because you are not enrolled" in text
    assert count(client.application, QuizAttempt) == 0


def test_completing_every_lesson_completes_the_course(client, enrolled, app):
    client.post(QUIZ, data=RIGHT)
    client.post("/courses/demo-course/lessons/second-steps/complete")
    response = client.post("/courses/demo-course/lessons/going-further/complete")
    assert response.location == "/courses/demo-course"  # "Course complete", and the certificate
    assert "Congratulations: you have completed Demo course!" in page(client.get(response.location))
    dashboard = page(client.get("/dashboard"))
    assert re.search(r"Demo course</a>, completed on \d+ \w+ \d{4}", dashboard)
    with app.app_context():
        assert db.session.scalar(select(Enrolment.completed_at)) is not None
    assert "You completed this course on" in page(client.get("/courses/demo-course"))


def test_continue_opens_the_next_unfinished_lesson(client, enrolled):
    client.post(QUIZ, data=RIGHT)
    dashboard = page(client.get("/dashboard"))
    assert "1 of 3 lessons complete" in dashboard
    assert 'value="1" max="3"' in dashboard
    assert re.search(r'href="/courses/demo-course/lessons/second-steps">Continue', dashboard)
    course = page(client.get("/courses/demo-course"))
    assert 'href="/courses/demo-course/lessons/second-steps">Continue</a>' in course


def test_history_lists_completed_lessons(client, enrolled):
    client.post("/courses/demo-course/lessons/second-steps/complete")
    text = page(client.get("/dashboard/history"))
    assert "Second steps" in text and "Demo course" in text
    assert "UTC" in text


def test_leaving_keeps_progress_for_a_return(client, enrolled, app):
    client.post("/courses/demo-course/lessons/second-steps/complete")
    response = client.post("/courses/demo-course/leave")
    assert response.location == "/dashboard"
    assert "You are not taking any courses yet" in page(client.get("/dashboard"))
    client.post("/courses/demo-course/enrol")
    assert count(app, Enrolment) == 1
    assert "1 of 3 lessons complete" in page(client.get("/dashboard"))


def test_progress_survives_a_content_edit_and_resync(client, enrolled, app, runner, synced):
    client.post("/courses/demo-course/lessons/second-steps/complete")
    path = synced / "02-second-steps.md"
    path.write_text(path.read_text().replace("title: Second steps", "title: Second steps, revised"))
    path.rename(synced / "02-second-steps-revised.md")
    first = synced / "01-first-steps.md"  # the checker insists links follow the rename
    first.write_text(first.read_text().replace("02-second-steps.md", "02-second-steps-revised.md"))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    text = page(client.get("/courses/demo-course"))
    assert "Second steps, revised" in text
    assert "1 of 3 lessons complete" in text


def test_a_learner_sees_only_their_own_progress(client, enrolled, app):
    client.post("/courses/demo-course/lessons/second-steps/complete")
    with app.app_context():
        make_user("other@example.com", name="Other Person")
    other = app.test_client()
    other.post("/account/sign-in", data={"email": "other@example.com", "password": PASSWORD})
    assert "You are not taking any courses yet" in page(other.get("/dashboard"))
    assert "You have not completed any lessons yet" in page(other.get("/dashboard/history"))
    assert "Enrol in this course" in page(other.get("/courses/demo-course"))
    assert "Second steps" not in page(other.get("/account/data.json"))


def test_dashboard_costs_the_same_queries_for_1_or_20_courses(
    client, signed_in, content_dir, runner, count_statements
):
    for n in range(20):
        write_course(content_dir, f"course-{n:02d}", title=f"Course {n}")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    client.post("/courses/course-00/enrol")
    with count_statements() as one:
        assert client.get("/dashboard").status_code == 200
    for n in range(1, 20):
        client.post(f"/courses/course-{n:02d}/enrol")
        client.post(f"/courses/course-{n:02d}/lessons/second-steps/complete")
    with count_statements() as twenty:
        text = page(client.get("/dashboard"))
    assert text.count("Continue<span") == 20
    # user, enrolments, their courses, lessons, completions, certificate codes
    assert len(twenty.selects) == len(one.selects) <= 6, twenty.selects


def test_reading_course_completes_by_marking(client, signed_in, content_dir, runner, app):
    write_course(content_dir, "reading-course", lessons=reading_lessons(3))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    client.post("/courses/reading-course/enrol")
    for n in (1, 2, 3):
        client.post(f"/courses/reading-course/lessons/part-{n}/complete")
    with app.app_context():
        assert db.session.scalar(select(Enrolment.completed_at)) is not None
