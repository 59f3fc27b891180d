"""lms.content is a library: it imports, loads, checks and renders a course from its files in
memory with Flask, Flask's extensions and SQLAlchemy not installed, and touches no disk for it."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

from lms.config import PROJECT_ROOT
from tests.factories import course_files

SCRIPT = r"""
import base64, importlib, importlib.abc, json, os, pkgutil, sys

BLOCKED = {"flask", "flask_login", "flask_migrate", "flask_sqlalchemy", "flask_wtf",
           "flask_limiter", "sqlalchemy", "alembic", "werkzeug", "jinja2", "wtforms"}


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed here")
        return None


sys.meta_path.insert(0, NotInstalled())
files = {path: base64.b64decode(data) for path, data in json.loads(sys.stdin.read()).items()}

import lms.content

modules = sorted(m.name for m in pkgutil.walk_packages(lms.content.__path__, "lms.content."))
for name in modules:
    importlib.import_module(name)

touched = []


def audit(event, args):
    if event == "open":
        touched.append(("open", str(args[0]), args[1], args[2]))
    elif event.startswith(("os.", "shutil.", "tempfile.", "subprocess.")):
        touched.append((event, str(args[0]) if args else ""))


sys.addaudithook(audit)
from lms.content.loader import load_course

catalogue = load_course(files, folder="demo-course")
WRITES = ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.symlink", "os.link",
          "os.truncate", "os.chmod", "os.utime", "shutil.", "tempfile.", "subprocess.")
writes = [t for t in touched if t[0].startswith(WRITES) or (t[0] == "open" and (
    (t[2] and any(c in t[2] for c in "wax+")) or (t[3] or 0) & (os.O_WRONLY | os.O_RDWR)))]
# Reading the course from the working folder, which holds a copy of it, would name its files.
course_reads = [t for t in touched if "demo-course" in t[1] or "diagram" in t[1]]
print(json.dumps({
    "modules": modules,
    "blocked_loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
    "app_loaded": sorted(m for m in sys.modules if m.startswith("lms.") and
                         not m.startswith(("lms.content", "lms.config"))),
    "problems": [str(p) for p in catalogue.problems],
    "lessons": [lesson.key for course in catalogue.courses for lesson in course.lessons],
    "html": catalogue.courses[0].lessons[0].body_html if catalogue.courses else "",
    "asset": catalogue.courses[0].assets[0].data.decode() if catalogue.courses else "",
    "writes": writes,
    "course_reads": course_reads,
}))
"""


def test_the_course_format_needs_neither_flask_nor_a_database_nor_a_disk(tmp_path):
    files = course_files()
    # The working folder holds a different copy of the course: only the mapping may be read.
    (tmp_path / "demo-course" / "images").mkdir(parents=True)
    (tmp_path / "demo-course" / "images" / "diagram.svg").write_text("<svg>on disk</svg>")
    payload = json.dumps({p: base64.b64encode(d).decode() for p, d in files.items()})
    run = subprocess.run(
        [sys.executable, "-B", "-P", "-c", SCRIPT],
        input=payload,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert {"lms.content.loader", "lms.content.paths", "lms.content.render"} <= set(
        result["modules"]
    )
    assert result["blocked_loaded"] == []
    assert result["app_loaded"] == []
    assert result["problems"] == []
    assert result["lessons"] == ["first-steps", "second-steps", "going-further"]
    assert 'src="/courses/demo-course/assets/images/diagram.svg"' in result["html"]
    assert 'href="/courses/demo-course/lessons/second-steps"' in result["html"]
    assert result["asset"] == files["images/diagram.svg"].decode()
    assert result["writes"] == []
    assert result["course_reads"] == []
