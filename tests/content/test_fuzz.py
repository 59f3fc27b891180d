"""Any input to the course format either loads or yields path:line: message problems, never an
exception; any answers to a quiz are graded, never crash."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content.loader import load_catalogue
from lms.content.quiz import grade_quiz
from tests.factories import LESSONS, course_files

FRAGMENTS = [
    "---\n",
    "id: x\n",
    "title: T\n",
    "minutes: 5\n",
    "module: basics\n",
    "```quiz\n",
    "```\n",
    "Q: q?\n",
    "Q (multiple): q?\n",
    "Q (weird): q?\n",
    "- [x] a\n",
    "- [ ] b\n",
    "Explanation: e\n",
    "[l](02-second-steps.md)\n",
    "![i](images/missing.png)\n",
    "[j](javascript:alert(1))\n",
    "## Heading\n",
    '!!! tip "T"\n    x\n',
    "key: [unclosed\n",
    ": :\n",
    "\t\n",
    "\ufeff",
    "\x00",
    "<script>alert(1)</script>\n",
    "| a |\n|---|\n",
    "~~~\n",
    "````quiz\n",
    "- [X] c\n",
    "Explanation:\n",
    "...\n",
]
TEXT = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(string.printable, max_size=30)), max_size=40
).map("".join)


def _check(problems) -> None:
    for problem in problems:
        assert problem.path and problem.line >= 1 and problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lesson=TEXT, course_md=st.one_of(st.none(), TEXT))
def test_any_lesson_or_course_file_loads_or_reports_problems(lesson, course_md):
    files = course_files()
    files["02-second-steps.md"] = lesson.encode("utf-8", errors="replace")
    if course_md is not None:
        files["course.md"] = course_md.encode("utf-8", errors="replace")
    catalogue = load_catalogue({"demo-course": files}, root="content")
    _check(catalogue.problems)
    if catalogue.ok:
        assert [c.slug for c in catalogue.courses] == ["demo-course"]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_lesson_file(data):
    files = course_files() | {"03-going-further.md": data}
    _check(load_catalogue({"demo-course": files}, root="content").problems)


@settings(max_examples=200, deadline=None)
@given(
    path=st.text(max_size=40) | st.sampled_from(["../x.md", "/etc/x", "a\\b", "C:x", "a//b"]),
    target=st.text(max_size=40),
)
def test_any_file_name_or_link_target_loads_or_reports_problems(path, target):
    """Whatever a name or a link says, the loader answers with problems, never an exception."""
    files = course_files()
    files[path] = b"x"
    files["02-second-steps.md"] += f"\n[a link]({target}) and ![an image]({target})\n".encode(
        "utf-8", errors="replace"
    )
    catalogue = load_catalogue({"demo-course": files}, root="content")
    _check(catalogue.problems)
    for course in catalogue.courses:
        assert all(name in files for name in course.files)


QUESTIONS = [
    {
        "number": 1,
        "kind": "single",
        "options": [{"html": "a", "correct": True}, {"html": "b", "correct": False}],
    },
    {
        "number": 2,
        "kind": "multiple",
        "options": [
            {"html": "a", "correct": True},
            {"html": "b", "correct": True},
            {"html": "c", "correct": False},
        ],
    },
]


@given(
    answers=st.dictionaries(
        st.integers(-3, 5), st.lists(st.integers(-10, 10), max_size=5), max_size=4
    ),
    pass_mark=st.integers(1, 100),
)
def test_grading_never_crashes_and_never_overcounts(answers, pass_mark):
    result = grade_quiz(QUESTIONS, answers, pass_mark)
    assert 0 <= result.score <= result.total == 2
    assert result.passed == (result.score * 100 >= pass_mark * 2)


def test_the_fixture_course_is_valid_to_start_with():
    assert "02-second-steps.md" in LESSONS
