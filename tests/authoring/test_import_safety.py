"""A course zip, or a draft, can never put a file anywhere on the server.

The studio checks, previews, publishes and imports courses in memory: whatever a course.md says its
id is, and whatever names a zip's entries have, nothing is written to disk (not the project's
templates, not the virtual environment, not the temporary folder), the database is unchanged, and
the trainer is told which file and line is wrong.
"""

from __future__ import annotations

import io
import warnings
import zipfile

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AuditEvent, Course, Lesson, SourceFile, SourceRevision, Workspace
from tests.authoring.conftest import draft_text, file_id
from tests.disk import DiskWatch
from tests.factories import course_files

BASE = "/studio/courses/demo-course"


def database_state(app) -> dict:
    """What a refused import or a preview must leave exactly as it was."""
    with app.app_context():
        counts = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Workspace, SourceFile, SourceRevision, Course, Lesson, AuditEvent)
        }
        files = db.session.execute(
            select(SourceFile.id, SourceFile.path, SourceFile.sha256).order_by(SourceFile.id)
        ).all()
        return {"counts": counts, "files": [tuple(row) for row in files]}


def zip_bytes(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate names some tests need
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def course_zip(course_md: bytes, folder: str = "new-course") -> bytes:
    files = course_files("new-course") | {"course.md": course_md}
    return zip_bytes([(f"{folder}/{path}", data) for path, data in files.items()])


def with_id(value: str) -> bytes:
    """The demo course.md with its id line replaced by ``value`` (YAML, written as given)."""
    text = course_files("new-course")["course.md"].decode()
    return text.replace("id: new-course", f"id: {value}", 1).encode()


def upload(studio, data: bytes, url: str = "/studio/import"):
    return studio.post(
        url, data={"archive": (io.BytesIO(data), "course.zip")}, content_type="multipart/form-data"
    )


def refused_without_a_trace(app, studio, tmp_path, data: bytes, url: str = "/studio/import"):
    """Upload ``data``; assert it is refused, wrote nothing to disk and changed no row; return
    the page."""
    before = database_state(app)
    with DiskWatch(tmp_path / "scratch") as watch:
        response = upload(studio, data, url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert "Nothing was changed" in page
    assert watch.changes() == []
    assert database_state(app) == before
    return page


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("../../lms/templates/x", "&#39;../../lms/templates/x&#39;"),
        ("..", "&#39;..&#39;"),
        ('"a\\0b"', "&#39;a\\x00b&#39;"),  # a NUL, escaped so it is visible
        ('"new-course\\n"', "&#39;new-course\\n&#39;"),  # "$" in a pattern lets this through
        ("new-c\u043eurse", "&#39;new-c\\u043eurse&#39;"),  # a Cyrillic o that looks Latin
        ("new-course-" + "x" * 5000, "&#39;new-course-" + "x" * 49 + "...&#39;"),
        ("[../x]", "[&#39;../x&#39;]"),
    ],
)
def test_a_course_id_that_is_not_a_plain_id_writes_nothing_anywhere(
    app, studio, tmp_path, written, shown
):
    page = refused_without_a_trace(app, studio, tmp_path, course_zip(with_id(written)))
    assert (
        f"<code>course/course.md</code> line 2: field &#39;id&#39; {shown} is not a valid id"
        in (page)
    )


def test_an_absolute_course_id_writes_nothing_there(app, studio, tmp_path):
    target = tmp_path / "scratch" / "evil"
    page = refused_without_a_trace(app, studio, tmp_path, course_zip(with_id(str(target))))
    assert "<code>course/course.md</code> line 2: field &#39;id&#39;" in page
    assert "is not a valid id" in page
    assert not target.exists()


def test_the_same_ids_are_refused_when_importing_into_a_course(app, studio, tmp_path):
    for written in ("../../lms/templates/x", str(tmp_path / "scratch" / "evil"), ".."):
        page = refused_without_a_trace(
            app, studio, tmp_path, course_zip(with_id(written)), url=f"{BASE}/import"
        )
        assert "<code>course/course.md</code> line 2: field &#39;id&#39;" in page


def symlink(name: str) -> zipfile.ZipInfo:
    """A zip entry marked as a symbolic link (its content is where it points)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info


GOOD = [(f"new-course/{path}", data) for path, data in course_files("new-course").items()]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([("new-course/../../lms/templates/x.html", b"x")], "contains &#39;..&#39;"),
        ([("/srv/evil.md", b"x")], "is an absolute path"),
        ([("new-course\\..\\..\\evil.md", b"x")], "contains a backslash"),
        ([("C:/Windows/evil.md", b"x")], "starts with a drive letter"),
        ([("new-course//images/x.png", b"x")], "has an empty part"),
        ([(symlink("new-course/images/x.svg"), b"/etc/passwd")], "symbolic link"),
        (
            [("new-course/images/Diagram.svg", b"<svg/>")],
            "&#39;new-course/images/diagram.svg&#39; and &#39;new-course/images/Diagram.svg&#39; "
            "differ only in upper and lower case",
        ),
        (
            [("new-course/caf\u00e9.md", b"x"), ("new-course/cafe\u0301.md", b"y")],
            "differ only in upper and lower case or in how an accent is encoded",
        ),
        ([("new-course/01-first-steps.md", b"again")], "appears twice in the zip"),
        (
            [("new-course/images/\u0430.png", b"x")],  # a Cyrillic a
            "<code>new-course</code> line 1: file &#39;images/\\u0430.png&#39; uses characters",
        ),
        (
            [("new-course/images/a b.png", b"x")],
            "file &#39;images/a b.png&#39; uses characters a course file name may not have",
        ),
        ([("new-course/aux.md", b"x")], "which Windows reserves for a device"),
        ([("new-course/a/b/c/d/e.png", b"x")], "is nested 4 folders deep; the limit is 3"),
    ],
)
def test_zip_entries_that_could_land_elsewhere_are_refused_unwritten(
    app, studio, tmp_path, entries, message
):
    page = refused_without_a_trace(app, studio, tmp_path, zip_bytes(GOOD + entries))
    assert message in page


def test_the_folder_inside_a_zip_names_nothing(app, studio, tmp_path):
    """Only the checked course id names the course: the zip's folder name is dropped unused."""
    files = course_files("new-course")
    data = zip_bytes([(f"My Course (2)/{path}", body) for path, body in files.items()])
    with DiskWatch(tmp_path / "scratch") as watch:
        assert upload(studio, data).status_code == 302
    assert watch.changes() == []
    with app.app_context():
        assert db.session.scalar(select(Workspace.slug).where(Workspace.slug != "demo-course")) == (
            "new-course"
        )


def test_preview_and_publish_write_nothing_to_disk(app, studio, tmp_path):
    path = "02-second-steps.md"
    item = file_id(app, path)
    text = draft_text(app, path).replace("Loops repeat things.", "Loops *repeat* things.")
    with DiskWatch(tmp_path / "scratch") as watch:
        preview = studio.post(f"{BASE}/files/{item}/preview", data={"text": text})
        edit = studio.post(f"{BASE}/files/{item}", data={"text": text, "action": "preview"})
        saved = studio.post(f"{BASE}/files/{item}", data={"text": text, "action": "save"})
        checked = studio.get(f"{BASE}/publish")
        published = studio.post(f"{BASE}/publish")
    assert preview.status_code == 200 and "<em>repeat</em>" in preview.get_data(as_text=True)
    assert edit.status_code == 200 and saved.status_code == 302 and checked.status_code == 200
    assert published.status_code == 302
    assert watch.changes() == []
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.key == "second-steps"))
        assert "Loops <em>repeat</em> things." in lesson.body_html
