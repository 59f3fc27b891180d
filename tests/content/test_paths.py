"""The names a course may use, and links resolved on names alone: the loader takes a mapping of
path -> bytes, checks every path first and never turns one into a place on a disk."""

from __future__ import annotations

import os

import pytest

from lms.content.loader import load_catalogue, load_course
from lms.content.paths import path_problem, quoted
from tests.factories import course_files


@pytest.mark.parametrize(
    "path",
    ["course.md", "01-intro.md", "images/diagram.svg", "img/Team_Photo-2.v1.png", "a/b/c/d.png"],
)
def test_plain_relative_names_are_allowed(path):
    assert path_problem(path) is None


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "is empty"),
        ("../x.png", "contains '..'"),
        ("images/../../x.png", "contains '..'"),
        ("./x.png", "contains '.'"),
        ("/etc/passwd", "is an absolute path"),
        ("C:/x.png", "starts with a drive letter"),
        ("c:x.png", "starts with a drive letter"),
        ("images\\x.png", "contains a backslash"),
        ("x\0.png", "contains a control character"),
        ("x.png\n", "contains a control character"),
        ("images//x.png", "has an empty part"),
        ("images/", "has an empty part"),
        (".hidden.png", "names a hidden file"),
        ("images/.git/config", "names a hidden file"),
        ("-rf.png", "uses characters"),
        ("x.png.", "uses characters"),
        ("team photo.png", "uses characters"),
        ("caf\u00e9.png", "uses characters"),
        ("\u0430.png", "uses characters"),  # a Cyrillic a
        ("x%2e.png", "uses characters"),
        ("CON.md", "Windows reserves"),
        ("images/lpt1.png", "Windows reserves"),
        ("a/b/c/d/e.png", "is nested 4 folders deep"),
        ("x" * 101 + ".png", "characters long; the limit is 100"),
        ("x" * 90 + "/" + "y" * 90 + "/" + "z" * 30, "characters long; the limit is 200"),
    ],
)
def test_names_that_could_lead_elsewhere_are_refused_with_the_reason(path, reason):
    assert reason in path_problem(path)


def test_quoting_makes_hidden_characters_visible_and_long_names_short():
    assert quoted("demo") == "'demo'"
    assert quoted("dem\u043e\x00") == "'dem\\u043e\\x00'"
    assert quoted("x" * 100) == "'" + "x" * 60 + "...'"
    assert quoted(["../x"]) == "['../x']"


def test_bad_paths_in_the_mapping_are_problems_and_never_loaded():
    files = course_files() | {
        "../../lms/templates/x.html": b"{{ 7 * 7 }}",
        "/etc/cron.d/x": b"x",
        "images/a\\b.png": b"x",
    }
    catalogue = load_catalogue({"demo-course": files}, root="content")
    assert [str(p) for p in catalogue.problems] == [
        "content/demo-course:1: file '../../lms/templates/x.html' contains '..': a path may not "
        "step out of its folder",
        "content/demo-course:1: file '/etc/cron.d/x' is an absolute path: paths are relative to "
        "the course folder",
        "content/demo-course:1: file 'images/a\\\\b.png' contains a backslash: folders are "
        "separated by '/'",
    ]
    [course] = catalogue.courses  # the rest of the course is still checked in full
    assert sorted(course.files) == sorted(course_files())


@pytest.mark.parametrize(
    ("folder", "reason"),
    [("..", "contains '..'"), ("/tmp", "is an absolute path"), ("a/b", "contains '/'")],  # noqa: S108
)
def test_bad_course_folder_names_are_problems(folder, reason):
    catalogue = load_catalogue({folder: course_files()}, root="content")
    [problem] = catalogue.problems
    assert problem.path == "content" and reason in problem.message
    assert catalogue.courses == []


def test_a_link_is_resolved_among_the_given_files_never_on_disk(tmp_path, monkeypatch):
    # The same names exist on disk, where the working folder is: none of them may be found.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "other-course").mkdir()
    (tmp_path / "other-course" / "course.md").write_text("---\nid: other\n---\n")
    (tmp_path / "other-course" / "01-a.md").write_text("---\nid: a\n---\n")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "only-on-disk.png").write_bytes(b"x")
    files = course_files()
    files["02-second-steps.md"] += (
        b"\n[a](../secret.txt) [b](../other-course/01-a.md) [c](%2e%2e/%2e%2e/secret.txt)\n"
        b"[d](images/only-on-disk.png) [e](..%2F..%2Fsecret.txt) [f](%2Fetc%2Fpasswd)\n"
    )
    problems = [p.message for p in load_course(files, folder="demo-course").problems]
    assert problems == [
        "link '%2e%2e/%2e%2e/secret.txt' points outside the course folder",
        "link '../other-course/01-a.md' points to a lesson that does not exist",
        "link '../secret.txt' points outside the course folder",
        "file 'images/only-on-disk.png' does not exist",
        "link '%2Fetc%2Fpasswd' points outside the course folder",
        "link '..%2F..%2Fsecret.txt' points outside the course folder",
    ]
    assert os.getcwd() == str(tmp_path)


def test_assets_come_from_the_mapping_byte_for_byte():
    files = course_files() | {"images/diagram.svg": b"<svg>from memory</svg>"}
    [course] = load_course(files, folder="demo-course").courses
    [asset] = course.assets
    assert (asset.path, asset.data) == ("images/diagram.svg", b"<svg>from memory</svg>")
    assert course.path == "demo-course"
    assert course.lessons[0].path == "demo-course/01-first-steps.md"


def test_carriage_returns_count_as_line_breaks_as_they_did_on_disk():
    files = course_files()
    lesson = files["02-second-steps.md"].replace(b"minutes: 15", b"minutes: x")
    files["02-second-steps.md"] = lesson.replace(b"\n", b"\r\n")
    [problem] = load_course(files, folder="demo-course").problems
    assert (
        str(problem) == "demo-course/02-second-steps.md:4: field 'minutes' must be a whole number"
    )
