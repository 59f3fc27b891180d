"""The course example in the README is itself a valid course."""

from __future__ import annotations

import re

from lms.config import PROJECT_ROOT
from lms.content.loader import load_catalogue


def test_readme_course_example_passes_the_checker(tmp_path):
    readme = (PROJECT_ROOT / "README.md").read_text()
    files = re.findall(
        r"`content/spreadsheets-basics/([\w.-]+)`:\n\n(`{3,4})markdown\n(.*?)\n\2\n", readme, re.S
    )
    assert [name for name, _, _ in files] == ["course.md", "01-tidy-tables.md"]
    folder = tmp_path / "content" / "spreadsheets-basics"
    folder.mkdir(parents=True)
    for name, _, text in files:
        (folder / name).write_text(text + "\n")
    catalogue = load_catalogue(tmp_path / "content")
    assert [str(p) for p in catalogue.problems] == []
    [lesson] = catalogue.courses[0].lessons
    assert len(lesson.quiz) == 2
    assert 'href="/courses/spreadsheets-basics"' in lesson.body_html
