"""The starter catalogue in content/ meets the bar it promises learners."""

from __future__ import annotations

import re

import pytest

from lms.catalogue.files import load_content_folder
from lms.config import PROJECT_ROOT
from lms.content.loader import load_course

CATALOGUE = load_content_folder(PROJECT_ROOT / "content")
COURSES = {course.slug: course for course in CATALOGUE.courses}


def words(html: str) -> int:
    """Words a learner reads: tags and code blocks removed."""
    html = re.sub(r"<pre>.*?</pre>", " ", html, flags=re.S)
    return len(re.sub(r"<[^>]+>", " ", html).split())


def test_the_catalogue_has_no_problems():
    assert [str(p) for p in CATALOGUE.problems] == []


def test_at_least_six_published_courses():
    published = [c for c in CATALOGUE.courses if c.status == "published"]
    assert len(published) >= 6
    assert sum(c.featured for c in published) >= 3  # the home page has something to feature


@pytest.mark.parametrize("slug", sorted(COURSES))
def test_each_course_is_substantial(slug):
    course = COURSES[slug]
    assert len(course.lessons) >= 5
    assert len(course.authors) >= 1 and len(course.skills) >= 1
    assert any(q["kind"] == "multiple" for lesson in course.lessons for q in lesson.quiz)
    for lesson in course.lessons:
        assert words(lesson.body_html) >= 500, f"{lesson.path} is short"
        assert len(lesson.quiz) >= 3, f"{lesson.path} has too few quiz questions"
        assert all(q["explanation_html"].strip() for q in lesson.quiz)
        assert lesson.toc, f"{lesson.path} has no headings for a table of contents"


@pytest.mark.parametrize("slug", sorted(COURSES))
def test_the_studio_renders_each_course_exactly_as_the_cli_does(slug):
    """The files a sync keeps, loaded from memory as the studio loads a draft, give the same
    course byte for byte: publishing from the studio never changes what learners see."""
    course = COURSES[slug]
    [again] = load_course(course.files, folder=slug).courses
    assert again.overview_html == course.overview_html
    assert again.files == course.files
    assert [(x.key, x.body_html, x.toc, x.quiz) for x in again.lessons] == [
        (x.key, x.body_html, x.toc, x.quiz) for x in course.lessons
    ]
