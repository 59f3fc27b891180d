"""Reading a content folder from disk: what `flask content check` and `flask content sync` will and
will not read. Only the directory listing decides; a symbolic link leading out of its course,
a symlinked course folder, a pipe or an oversized file is a problem, never read or imported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.catalogue import files as content_files
from lms.catalogue.files import load_content_folder, read_content_folder
from lms.extensions import db
from lms.models import Asset, Course, Lesson
from tests.disk import DiskWatch
from tests.factories import LESSONS, write_course

SECRET_LESSON = LESSONS["03-going-further.md"].replace("The last lesson.", "Outside text.")


def rows(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Course, Lesson, Asset)
        )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the catalogue: what no link inside it may reach."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "04-secret.md").write_text(SECRET_LESSON.replace("going-further", "secret"))
    (folder / "secret.svg").write_text("<svg/>")
    write_course(folder, "elsewhere")
    return folder


def test_symlinks_out_of_a_course_are_refused_by_check_and_sync(
    app, runner, demo_course, content_dir, outside, tmp_path
):
    (demo_course / "04-secret.md").symlink_to(outside / "04-secret.md")
    (demo_course / "images" / "secret.svg").symlink_to(outside / "secret.svg")
    (content_dir / "elsewhere").symlink_to(outside / "elsewhere", target_is_directory=True)
    expected = [
        "content/demo-course/04-secret.md:1: is a symbolic link to a place outside the course "
        "folder: not read",
        "content/demo-course/images/secret.svg:1: is a symbolic link to a place outside the "
        "course folder: not read",
        "content/elsewhere:1: is a symbolic link: a course folder must be a real folder inside "
        "the catalogue; it was not read",
    ]
    with DiskWatch(tmp_path / "scratch") as watch:
        check = runner.invoke(args=["content", "check"])
        sync = runner.invoke(args=["content", "sync"])
    assert watch.changes() == []
    assert check.exit_code == 1
    assert check.output.splitlines()[:3] == expected
    assert sync.exit_code == 1
    assert "Nothing was imported" in sync.output
    assert rows(app) == (0, 0, 0)


def test_a_symlinked_course_folder_checked_on_its_own_is_refused_too(runner, demo_course, outside):
    (demo_course / "course.md").unlink()
    (demo_course / "course.md").symlink_to(outside / "elsewhere" / "course.md")
    result = runner.invoke(args=["content", "check", str(demo_course)])
    assert result.exit_code == 1
    assert (
        "demo-course/course.md:1: is a symbolic link to a place outside the course folder: "
        "not read" in result.output
    )
    assert "demo-course:1: course folder has no course.md" in result.output


def test_a_symlink_to_a_file_in_its_own_course_is_read(app, runner, demo_course):
    (demo_course / "images" / "alias.svg").symlink_to("diagram.svg")
    lesson = demo_course / "02-second-steps.md"
    lesson.write_text(lesson.read_text() + "\n![Again](images/alias.svg)\n")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        assert "images/alias.svg" in db.session.scalars(select(Asset.path)).all()


def test_hidden_entries_and_underscore_folders_are_not_read(demo_course, content_dir):
    (demo_course / ".git").mkdir()
    (demo_course / ".git" / "config").write_text("[core]")
    (demo_course / ".DS_Store").write_bytes(b"\0")
    write_course(content_dir, "_drafts")
    folder = read_content_folder(content_dir)
    assert list(folder.courses) == ["demo-course"]
    assert sorted(folder.courses["demo-course"]) == [
        "01-first-steps.md",
        "02-second-steps.md",
        "03-going-further.md",
        "course.md",
        "images/diagram.svg",
    ]
    assert folder.problems == []


def test_pipes_oversized_files_and_deep_folders_are_problems_not_reads(
    demo_course, content_dir, monkeypatch
):
    os.mkfifo(demo_course / "04-pipe.md")  # reading it would wait forever
    monkeypatch.setattr(content_files, "MAX_FILE_BYTES", 5000)
    (demo_course / "images" / "big.png").write_bytes(b"\0" * 5001)
    deep = demo_course / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (deep / "x.png").write_bytes(b"\0")
    (demo_course / "My Pictures").mkdir()
    (demo_course / "My Pictures" / "x.png").write_bytes(b"\0")
    problems = [str(p) for p in load_content_folder(content_dir).problems]
    assert problems == [
        "content/demo-course/04-pipe.md:1: is not a regular file (a device, pipe or socket): "
        "not read",
        "content/demo-course/My Pictures:1: folder uses characters a course file name may not "
        "have: use letters a-z and A-Z, digits, '-', '_' and '.', starting with a letter, digit "
        "or '_' and not ending with '.': its files were not read",
        "content/demo-course/a/b/c/d:1: folder is 4 folders deep; the limit is 3: its files "
        "were not read",
        "content/demo-course/images/big.png:1: is 5,001 bytes; a course file may be at most "
        "5,000 bytes: not read",
    ]


def test_a_course_too_big_to_read_stops_with_one_problem(demo_course, content_dir, monkeypatch):
    monkeypatch.setattr(content_files, "MAX_COURSE_FILES", 2)
    problems = [str(p) for p in load_content_folder(content_dir).problems]
    assert (
        "content/demo-course:1: the course folder holds more than 2 files or 100.0 MB: the "
        "rest was not read" in problems
    )


def test_file_names_the_format_cannot_hold_are_problems(demo_course, content_dir):
    (demo_course / "images" / "team photo.png").write_bytes(b"\0")
    (demo_course / "images" / "Diagram.svg").write_bytes(b"<svg/>")
    (demo_course / "images" / "x\\y.png").write_bytes(b"\0")
    assert [str(p) for p in load_content_folder(content_dir).problems] == [
        "content/demo-course:1: file 'images/team photo.png' uses characters a course file "
        "name may not have: use letters a-z and A-Z, digits, '-', '_' and '.', starting with a "
        "letter, digit or '_' and not ending with '.'",
        "content/demo-course:1: file 'images/x\\\\y.png' contains a backslash: folders are "
        "separated by '/'",
        "content/demo-course:1: files 'images/Diagram.svg' and 'images/diagram.svg' differ only "
        "in upper and lower case: most computers would see one file; rename one of them",
    ]
