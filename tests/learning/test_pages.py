"""The public pages as a visitor sees them through the test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Course
from tests.factories import write_course


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_home_shows_the_cities_and_featured_courses(client, synced):
    page = text_of(client.get("/"))
    for city in ("Manchester", "Leeds", "Sheffield", "Liverpool", "Newcastle"):
        assert city in page
    assert "Featured courses" in page
    assert 'href="/courses/demo-course"' in page
    assert "See all 1 course and 3 lessons" in page


def test_home_without_courses_says_so(client):
    assert "No courses are published yet" in text_of(client.get("/"))


def test_catalogue_lists_published_courses_only(client, content_dir, app, runner):
    write_course(content_dir, "python-basics", title="Python basics")
    write_course(content_dir, "secret-draft", title="Secret draft", status="draft")
    runner.invoke(args=["content", "sync"])
    page = text_of(client.get("/courses"))
    assert "Python basics" in page
    assert "Secret draft" not in page
    assert client.get("/courses/secret-draft").status_code == 404


@pytest.fixture
def catalogue(content_dir, runner):
    write_course(
        content_dir,
        "python-basics",
        title="Python basics",
        skill="Programming",
        hours=8,
        level="beginner",
    )
    write_course(
        content_dir,
        "sql-for-analysts",
        title="SQL for analysts",
        skill="Data analysis",
        hours=4,
        level="intermediate",
    )
    write_course(
        content_dir,
        "cloud-architecture",
        title="Cloud architecture",
        skill="Solution architecture",
        hours=20,
        level="advanced",
    )
    assert runner.invoke(args=["content", "sync"]).exit_code == 0


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', text_of(response))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Cloud architecture", "Python basics", "SQL for analysts"]),
        ("?q=python", ["Python basics"]),
        ("?q=PYTHON", ["Python basics"]),
        ("?q=data+analysis", ["SQL for analysts"]),  # matches a skill
        ("?q=second+steps", ["Cloud architecture", "Python basics", "SQL for analysts"]),
        ("?q=100%25", []),  # a % is searched for literally, not as a wildcard
        ("?level=intermediate", ["SQL for analysts"]),
        ("?skill=Programming", ["Python basics"]),
        ("?duration=short", ["SQL for analysts"]),
        ("?duration=medium", ["Python basics"]),
        ("?duration=long", ["Cloud architecture"]),
        ("?level=beginner&duration=long", []),
    ],
)
def test_catalogue_search_and_filters(client, catalogue, query, expected):
    response = client.get(f"/courses{query}")
    assert response.status_code == 200
    assert titles(response) == expected


def test_catalogue_with_no_results_says_so(client, catalogue):
    page = text_of(client.get("/courses?q=underwater+basket+weaving"))
    assert "0 courses match your search" in page
    assert "No courses match" in page


def test_bad_filter_values_are_explained_beside_the_field(client, catalogue):
    response = client.get("/courses?level=expert&q=" + "x" * 101)
    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'id="level-error"' in page and "Choose a level from the list." in page
    assert 'id="skill-error"' not in page and 'id="duration-error"' not in page
    assert 'id="q-error"' in page and "Search for at most 100 characters." in page
    assert 'aria-invalid="true"' in page
    # invalid criteria filter nothing: every course is still listed
    assert len(titles(response)) == 3


def test_catalogue_pagination(client, catalogue, app):
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    first = client.get("/courses?level=")
    assert len(titles(first)) == 2
    assert "Page 1 of 2" in text_of(first)
    second = client.get("/courses?page=2")
    assert titles(second) == ["SQL for analysts"]
    assert 'rel="prev"' in text_of(second)


def test_course_page_shows_outline_skills_hours_and_authors(client, synced):
    page = text_of(client.get("/courses/demo-course"))
    assert "<h1>Demo course</h1>" in page
    assert "The basics" in page and "Going further" in page  # module headings
    assert page.index("First steps") < page.index("Second steps") < page.index("Going further")
    assert "SFIA PROG, level 2" in page
    assert "2 hours" in page
    assert "Test Author" in page and "Trainer, Leeds" in page
    assert "An overview of <strong>Demo course</strong>" in page


def test_unknown_course_and_lesson_are_404(client, synced):
    assert client.get("/courses/nope").status_code == 404
    assert client.get("/courses/demo-course/lessons/nope").status_code == 404


def test_lesson_page_has_content_toc_and_navigation(client, synced):
    response = client.get("/courses/demo-course/lessons/second-steps")
    page = text_of(response)
    assert response.status_code == 200
    assert '<h1 id="lesson-title" class="lesson-title">Second steps</h1>' in page
    assert "Lesson 2 of 3" in page
    assert '<a href="#loops">Loops</a>' in page  # table of contents
    assert 'rel="prev" href="/courses/demo-course/lessons/first-steps"' in page
    assert 'rel="next" href="/courses/demo-course/lessons/going-further"' in page


def test_first_and_last_lessons(client, synced):
    first = text_of(client.get("/courses/demo-course/lessons/first-steps"))
    assert 'rel="prev"' not in first
    last = text_of(client.get("/courses/demo-course/lessons/going-further"))
    assert 'rel="next"' not in last and "Back to the course outline" in last


def test_lesson_shows_the_quiz_as_a_form(client, synced):
    page = text_of(client.get("/courses/demo-course/lessons/first-steps"))
    assert 'action="/courses/demo-course/lessons/first-steps/quiz#quiz-result"' in page
    assert page.count('type="radio" id="q1-') == 2
    assert page.count('type="checkbox" id="q2-') == 3
    assert "Choose every answer that applies." in page
    assert "It prints the text between the quotes" not in page  # explanations come after


def test_retired_lesson_disappears_from_the_course(client, synced, runner):
    (synced / "03-going-further.md").unlink()
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    assert client.get("/courses/demo-course/lessons/going-further").status_code == 404
    assert "Going further</a>" not in text_of(client.get("/courses/demo-course"))


def test_retired_course_is_404(client, synced, runner, app):
    import shutil

    shutil.rmtree(synced)
    write_course(synced.parent, "other-course")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    assert client.get("/courses/demo-course").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Course).where(Course.slug == "demo-course")) is not None


QUIZ = "/courses/demo-course/lessons/first-steps/quiz"


def test_quiz_all_right_passes(client, synced):
    response = client.post(QUIZ, data={"q1": "0", "q2": ["0", "1"], "q3": "0"})
    page = text_of(response)
    assert response.status_code == 200
    assert "You passed: 3 of 3 correct (100%)" in page
    assert page.count('<span class="badge">Correct answer</span>') == 4
    assert "It prints the text between the quotes." in page  # explanations shown


def test_quiz_some_wrong_fails_with_feedback(client, synced):
    page = text_of(client.post(QUIZ, data={"q1": "1", "q2": ["0"], "q3": "0"}))
    assert "Not passed yet: 1 of 3 correct (33%)" in page
    assert "Correct answer" not in page  # a retry has to be earned, not copied
    assert "The pass mark is 70%" in page
    assert page.count("Not quite.") == 2
    assert "try the quiz again" in page
    # the learner's choices are kept
    assert re.search(r'id="q1-1" name="q1" value="1"\s*checked', page)


def test_unanswered_questions_are_errors_beside_the_question(client, synced):
    response = client.post(QUIZ, data={"q1": "0"})
    page = text_of(response)
    assert response.status_code == 422
    assert "There is a problem" in page
    assert '<a href="#q2-0">Answer question 2.</a>' in page
    assert 'id="q3-error"' in page
    assert "You passed" not in page and "Not passed" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q1": "7", "q2": "0", "q3": "0"}, "Question 1 has an answer that is not one of its"),
        ({"q1": "x", "q2": "0", "q3": "0"}, "Question 1 has an answer that is not one of its"),
        ({"q1": ["0", "1"], "q2": "0", "q3": "0"}, "Choose only one answer to question 1."),
    ],
)
def test_tampered_quiz_answers_are_refused(client, synced, data, message):
    response = client.post(QUIZ, data=data)
    assert response.status_code == 422
    assert message in text_of(response)


def test_lesson_without_a_quiz_has_no_quiz_endpoint(client, synced):
    response = client.post("/courses/demo-course/lessons/second-steps/quiz", data={})
    assert response.status_code == 404


def test_quiz_needs_a_csrf_token(client, synced, app):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(QUIZ, data={"q1": "0", "q2": "0", "q3": "0"})
    assert response.status_code == 400
    assert "Bad request" in text_of(response)


def test_lesson_image_is_served_with_a_locked_down_policy(client, synced):
    response = client.get("/courses/demo-course/assets/images/diagram.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    again = client.get(
        "/courses/demo-course/assets/images/diagram.svg",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
    assert client.get("/courses/demo-course/assets/images/missing.svg").status_code == 404


def test_lesson_page_costs_one_query_once_cached(client, synced, count_statements):
    with count_statements() as cold:
        assert client.get("/courses/demo-course/lessons/second-steps").status_code == 200
    with count_statements() as warm:
        assert client.get("/courses/demo-course/lessons/second-steps").status_code == 200
    # cold: revision, course, its lessons and their modules, the lesson's content, revision again
    assert len(cold.selects) <= 6, cold.selects
    assert len(warm.selects) == 1 and "catalogue_revision" in warm.selects[0]


def test_a_sync_in_another_process_refreshes_cached_lessons(app, client, synced, runner):
    from lms import create_app

    other_process = create_app(dict(app.config))
    other = other_process.test_client()
    assert "Loops repeat things." in text_of(other.get("/courses/demo-course/lessons/second-steps"))
    path = synced / "02-second-steps.md"
    path.write_text(path.read_text().replace("Loops repeat things.", "Loops repeat work."))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0  # the first process syncs
    page = text_of(other.get("/courses/demo-course/lessons/second-steps"))
    assert "Loops repeat work." in page
