"""Validation: every authoring mistake is reported as path:line: message, all in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.catalogue.files import load_content_folder
from tests.factories import write_course


def problems_for(content_dir: Path) -> list[str]:
    return [str(problem) for problem in load_content_folder(content_dir).problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_valid_course_has_no_problems(demo_course, content_dir):
    catalogue = load_content_folder(content_dir)
    assert catalogue.problems == []
    [course] = catalogue.courses
    assert [lesson.key for lesson in course.lessons] == [
        "first-steps",
        "second-steps",
        "going-further",
    ]
    assert [lesson.module for lesson in course.lessons] == ["basics", "basics", "more"]
    assert course.skills == [{"name": "Programming", "sfia": "PROG", "level": 2}]


def test_bad_yaml_names_file_and_line(demo_course, content_dir):
    edit(demo_course / "course.md", "level: beginner", "level: [beginner")
    assert problems_for(content_dir)[0].startswith("content/demo-course/course.md:")
    [problem] = [p for p in problems_for(content_dir) if "course.md" in p]
    assert "invalid YAML" in problem
    line = int(problem.split(":")[1])
    assert (demo_course / "course.md").read_text().splitlines()[line - 1] == "level: [beginner"


def test_missing_front_matter(demo_course, content_dir):
    (demo_course / "02-second-steps.md").write_text("Just text\n")
    assert (
        "content/demo-course/02-second-steps.md:1: missing front matter: "
        "the file must start with a line '---'" in problems_for(content_dir)
    )


def test_missing_required_field(demo_course, content_dir):
    edit(demo_course / "course.md", "pass_mark: 70\n", "")
    assert "content/demo-course/course.md:1: field 'pass_mark' is required" in problems_for(
        content_dir
    )


def test_unknown_field_suggests_the_right_one(demo_course, content_dir):
    edit(demo_course / "course.md", "summary:", "sumary:")
    problems = problems_for(content_dir)
    assert (
        "content/demo-course/course.md:4: field 'sumary' is an unknown field "
        "(did you mean 'summary'?)" in problems
    )
    assert "content/demo-course/course.md:1: field 'summary' is required" in problems


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("level: beginner", "level: expert", "field 'level' 'expert' is not one of"),
        ("hours: 2", "hours: lots", "field 'hours' must be a number"),
        ("pass_mark: 70", "pass_mark: 170", "field 'pass_mark' must be between 1 and 100"),
        ("id: demo-course", "id: Demo Course", "is not a valid id"),
        ("status: published", "status: live", "field 'status' 'live' is not one of"),
        ("sfia: PROG", "sfia: programming", "is not an SFIA code"),
        ("featured: true", "featured: maybe", "field 'featured' must be true or false"),
    ],
)
def test_wrong_values_are_explained(demo_course, content_dir, old, new, message):
    edit(demo_course / "course.md", old, new)
    problems = problems_for(content_dir)
    assert any(message in p and p.startswith("content/demo-course/course.md:") for p in problems), (
        problems
    )


def test_lesson_field_problems_point_at_the_line(demo_course, content_dir):
    edit(demo_course / "02-second-steps.md", "minutes: 15", "minutes: soon")
    assert "content/demo-course/02-second-steps.md:4: field 'minutes' must be a whole number" in (
        problems_for(content_dir)
    )


def test_duplicate_lesson_ids(demo_course, content_dir):
    edit(demo_course / "03-going-further.md", "id: going-further", "id: second-steps")
    assert (
        "content/demo-course/03-going-further.md:2: duplicate lesson id 'second-steps': "
        "also used by 02-second-steps.md" in problems_for(content_dir)
    )


def test_duplicate_course_ids(demo_course, content_dir):
    write_course(content_dir, "another-course")
    edit(content_dir / "another-course" / "course.md", "id: another-course", "id: demo-course")
    # Folders are read in name order, so the second one to claim the id is reported.
    assert problems_for(content_dir) == [
        "content/demo-course/course.md:2: duplicate course id 'demo-course': "
        "also used by content/another-course"
    ]


def test_quiz_question_without_a_correct_answer(demo_course, content_dir):
    edit(demo_course / "01-first-steps.md", "- [x] hello", "- [ ] hello")
    problems = problems_for(content_dir)
    lines = (demo_course / "01-first-steps.md").read_text().splitlines()
    [problem] = [p for p in problems if "no correct answer" in p]
    line = int(problem.split(":")[1])
    assert lines[line - 1].startswith('Q: What does `print("hello")` show?')


def test_single_choice_with_two_correct_answers(demo_course, content_dir):
    edit(demo_course / "01-first-steps.md", "- [ ] print", "- [x] print")
    assert any(
        "single-choice question needs exactly one correct option marked [x], found 2" in p
        for p in problems_for(content_dir)
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Explanation: It is.", "", "question has no 'Explanation:' line"),
        ("- [ ] No\n", "", "question needs at least two options"),
        ("Q (multiple):", "Q (many):", "unknown question kind 'many'"),
        ("```quiz\n", "```quiz\nIntro text\n", "text before the first question"),
    ],
)
def test_quiz_syntax_problems(demo_course, content_dir, old, new, message):
    edit(demo_course / "01-first-steps.md", old, new)
    assert any(
        message in p and p.startswith("content/demo-course/01-first-steps.md:")
        for p in problems_for(content_dir)
    ), problems_for(content_dir)


def test_unclosed_quiz_block(demo_course, content_dir):
    path = demo_course / "01-first-steps.md"
    path.write_text(path.read_text().rstrip().removesuffix("```"))
    assert any("quiz block is not closed" in p for p in problems_for(content_dir))


def test_link_to_missing_lesson(demo_course, content_dir):
    edit(demo_course / "02-second-steps.md", "Loops repeat things.", "See [later](09-later.md).")
    assert (
        "content/demo-course/02-second-steps.md:11: link '09-later.md' points to a lesson "
        "that does not exist" in problems_for(content_dir)
    )


def test_missing_image(demo_course, content_dir):
    (demo_course / "images" / "diagram.svg").unlink()
    assert (
        "content/demo-course/01-first-steps.md:11: image 'images/diagram.svg' does not exist"
        in problems_for(content_dir)
    )


def test_links_inside_code_are_not_checked(demo_course, content_dir):
    edit(
        demo_course / "02-second-steps.md",
        "Loops repeat things.",
        "Write `[x](missing.md)` or:\n\n```markdown\n![alt](missing.png)\n```",
    )
    assert problems_for(content_dir) == []


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,hi", "vbscript:x"])
def test_unsafe_link_schemes_are_problems(demo_course, content_dir, target):
    edit(demo_course / "02-second-steps.md", "Loops repeat things.", f"[click]({target})")
    assert any("unsafe or unsupported scheme" in p for p in problems_for(content_dir))


def test_link_outside_the_course_folder(demo_course, content_dir):
    (content_dir / "secret.txt").write_text("x")
    edit(demo_course / "02-second-steps.md", "Loops repeat things.", "[s](../secret.txt)")
    assert any("points outside the course folder" in p for p in problems_for(content_dir))


def test_link_to_lesson_of_another_course(demo_course, content_dir):
    write_course(content_dir, "other-course")
    edit(
        demo_course / "02-second-steps.md",
        "Loops repeat things.",
        "[other](../other-course/02-second-steps.md)",
    )
    catalogue = load_content_folder(content_dir)
    assert catalogue.problems == []
    lesson = catalogue.courses[0].lessons[1]
    assert 'href="/courses/other-course/lessons/second-steps"' in lesson.body_html


def test_misnamed_lesson_file(demo_course, content_dir):
    (demo_course / "notes.md").write_text("---\nid: notes\n---\n")
    assert any(
        p.startswith("content/demo-course/notes.md:1: lesson file names must look like")
        for p in problems_for(content_dir)
    )


def test_two_lessons_with_the_same_number(demo_course, content_dir):
    text = (demo_course / "02-second-steps.md").read_text().replace("second-steps", "also-two")
    (demo_course / "02-also-two.md").write_text(text)
    assert any("lesson number 02 is also used by" in p for p in problems_for(content_dir))


def test_unknown_module(demo_course, content_dir):
    edit(demo_course / "02-second-steps.md", "module: basics", "module: extras")
    assert (
        "content/demo-course/02-second-steps.md:5: unknown module 'extras'; known: basics, more"
        in problems_for(content_dir)
    )


def test_modules_must_be_contiguous(demo_course, content_dir):
    edit(demo_course / "02-second-steps.md", "module: basics", "module: more")
    edit(demo_course / "03-going-further.md", "module: more", "module: basics")
    assert any("numbered after lessons of a later module" in p for p in problems_for(content_dir))


def test_folder_without_course_file(demo_course, content_dir):
    (content_dir / "stray").mkdir()
    assert "content/stray:1: course folder has no course.md" in problems_for(content_dir)


def test_every_problem_is_reported_in_one_run(demo_course, content_dir):
    edit(demo_course / "course.md", "summary:", "sumary:")
    edit(demo_course / "02-second-steps.md", "minutes: 15", "minutes: 0")
    edit(demo_course / "01-first-steps.md", "- [x] hello", "- [ ] hello")
    problems = problems_for(content_dir)
    assert {p.split(":")[0] for p in problems} == {
        "content/demo-course/course.md",
        "content/demo-course/02-second-steps.md",
        "content/demo-course/01-first-steps.md",
    }


def test_a_single_course_folder_can_be_checked(demo_course):
    catalogue = load_content_folder(demo_course)
    assert catalogue.ok and not catalogue.whole
    assert [course.slug for course in catalogue.courses] == ["demo-course"]


def test_missing_folder(tmp_path):
    [problem] = load_content_folder(tmp_path / "nowhere").problems
    assert problem.message == "no such content folder"


def test_file_that_is_not_utf8(demo_course, content_dir):
    (demo_course / "02-second-steps.md").write_bytes(b"---\nid: x\xff\n---\n")
    assert any("not valid UTF-8" in p for p in problems_for(content_dir))
