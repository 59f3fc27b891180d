"""The docs stay true: the README's course example is a valid course, and every file, function
and test that docs/SECURITY.md names as meeting a requirement exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from lms.catalogue.files import load_content_folder
from lms.config import PROJECT_ROOT

SECURITY_DOC = PROJECT_ROOT / "docs" / "SECURITY.md"
# A backticked reference to this repository: a path, optionally with "::name" or "::Class.attr".
REFERENCE = re.compile(r"`((?:lms|tests|docs|migrations|bench)/[\w./-]+)(?:::([\w.]+))?`")
# A test named without its file could not be checked, so the doc must not name one that way.
BARE_TEST_NAME = re.compile(r"`(test_\w+)`")
ASVS_ROW = re.compile(r"^\| (V\d+\.\d+\.\d+) \|", re.M)


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
    catalogue = load_content_folder(tmp_path / "content")
    assert [str(p) for p in catalogue.problems] == []
    [lesson] = catalogue.courses[0].lessons
    assert len(lesson.quiz) == 2
    assert 'href="/courses/spreadsheets-basics"' in lesson.body_html


def _defined_names(scope: ast.Module | ast.ClassDef) -> dict[str, ast.AST]:
    """The functions, classes and assigned names directly inside a module or class."""
    names: dict[str, ast.AST] = {}
    for node in scope.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            names.update((t.id, node) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def _defines(path: Path, dotted: str) -> bool:
    """Whether ``dotted`` (``name`` or ``Class.attribute``) is defined in the module at ``path``."""
    scope: ast.AST = ast.parse(path.read_text(encoding="utf-8"))
    for part in dotted.split("."):
        if not isinstance(scope, ast.Module | ast.ClassDef):
            return False
        scope = _defined_names(scope).get(part)
        if scope is None:
            return False
    return True


def security_doc_problems(text: str, root: Path = PROJECT_ROOT) -> list[str]:
    """Every reference in the security doc that leads nowhere, and every repeated row, in words."""
    problems = []
    for path_text, name in sorted(set(REFERENCE.findall(text))):
        path = root / path_text
        shown = f"{path_text}::{name}" if name else path_text
        if not path.exists():
            problems.append(f"{shown}: no such file")
        elif name and (path.suffix != ".py" or not _defines(path, name)):
            problems.append(f"{shown}: {path_text} defines no {name}")
    for bare in sorted(set(BARE_TEST_NAME.findall(text))):
        problems.append(f"{bare}: name the test as tests/<file>.py::{bare}")
    rows = ASVS_ROW.findall(text)
    problems += [
        f"{row}: more than one row" for row in sorted({r for r in rows if rows.count(r) > 1})
    ]
    return problems


def test_every_file_function_and_test_the_security_doc_names_exists():
    text = SECURITY_DOC.read_text(encoding="utf-8")
    assert len(set(REFERENCE.findall(text))) > 100  # requirements are mapped to code and tests
    assert len(set(ASVS_ROW.findall(text))) > 150  # one row per applicable L1/L2 requirement
    assert security_doc_problems(text) == []


def test_the_security_doc_check_finds_what_has_rotted(tmp_path):
    (tmp_path / "lms").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "lms" / "mod.py").write_text("class Config:\n    LIMIT = 1\n\n\ndef guard(): ...\n")
    (tmp_path / "tests" / "test_mod.py").write_text("def test_guard(): ...\n")
    good = [
        "| V1.1.1 | `lms/mod.py::guard` `lms/mod.py::Config.LIMIT` | `tests/test_mod.py` |",
        "| V1.1.2 | `lms/mod.py` | `tests/test_mod.py::test_guard` |",
    ]
    assert security_doc_problems("\n".join(good), tmp_path) == []
    rotted = [
        "| V1.1.1 | `lms/gone.py::guard` | `tests/test_mod.py::test_renamed` |",
        "| V1.1.1 | `lms/mod.py::Config.OTHER` | `test_guard` |",
    ]
    assert security_doc_problems("\n".join(rotted), tmp_path) == [
        "lms/gone.py::guard: no such file",
        "lms/mod.py::Config.OTHER: lms/mod.py defines no Config.OTHER",
        "tests/test_mod.py::test_renamed: tests/test_mod.py defines no test_renamed",
        "test_guard: name the test as tests/<file>.py::test_guard",
        "V1.1.1: more than one row",
    ]
