"""Studio files in and out: image uploads, zip export, zip import and the round trip with files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from lms import create_app
from lms.authoring.transfer import export_zip
from lms.config import TestConfig, settings_of
from lms.extensions import db
from lms.models import Asset, Course, Lesson, SourceFile, Workspace
from tests.authoring.conftest import draft_text, file_id
from tests.factories import write_course, zip_of

BASE = "/studio/courses/demo-course"


def image_bytes(kind: str = "PNG", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def upload(studio, data: bytes, name: str):
    return studio.post(
        f"{BASE}/images",
        data={"image": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def folder_files(folder: Path) -> dict[str, bytes]:
    """A course folder's files, named as in a zip of the folder."""
    folder = Path(folder)
    return {
        f"{folder.name}/{p.relative_to(folder).as_posix()}": p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def import_zip(studio, data: bytes, url=f"{BASE}/import"):
    return studio.post(
        url, data={"archive": (io.BytesIO(data), "course.zip")}, content_type="multipart/form-data"
    )


def test_images_are_checked_by_content(app, studio, client):
    page = upload(studio, image_bytes("WEBP"), "Team Photo.webp").get_data(as_text=True)
    assert "Image uploaded as images/team-photo.webp (40 x 30 pixels)" in page
    # A JPEG named .png is stored as what it is.
    assert "images/chart.jpg" in upload(studio, image_bytes("JPEG"), "chart.png").get_data(
        as_text=True
    )
    for data, name, message in (
        (b"<script>alert(1)</script>", "evil.png", "The file is not a PNG, JPEG or WebP image."),
        (image_bytes("GIF"), "anim.gif", "GIF images are not accepted"),
        (image_bytes("PNG")[:60], "cut.png", "The image is damaged"),
        (image_bytes("PNG", (1200, 1200)) + b"\0" * 1024 * 1024, "big.png", "the limit is 1.0 MB"),
    ):
        page = upload(studio, data, name).get_data(as_text=True)
        assert "Image not uploaded: " in page and message in page, name
    with app.app_context():
        paths = db.session.scalars(select(SourceFile.path).where(SourceFile.kind == "asset")).all()
        assert sorted(paths) == ["images/chart.jpg", "images/diagram.svg", "images/team-photo.webp"]
    response = studio.get(f"{BASE}/draft/images/team-photo.webp")
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "private" in response.headers["Cache-Control"]
    assert client.get(f"{BASE}/draft/images/team-photo.webp").status_code == 302  # not signed in
    # Published once a lesson shows it, then served publicly with the same safe headers.
    path = "02-second-steps.md"
    text = draft_text(app, path) + "\n![A red square](images/team-photo.webp)\n"
    studio.post(f"{BASE}/files/{file_id(app, path)}", data={"text": text, "action": "save"})
    assert studio.post(f"{BASE}/publish").status_code == 302
    public = client.get("/courses/demo-course/assets/images/team-photo.webp")
    assert public.status_code == 200 and public.data == image_bytes("WEBP")
    assert "sandbox" in public.headers["Content-Security-Policy"]
    with app.app_context():
        assets = db.session.scalars(select(Asset.path)).all()
        assert "images/chart.jpg" not in assets  # no lesson shows it: not published


def test_export_is_the_synced_files_byte_for_byte(app, studio, demo_course):
    first = studio.get(f"{BASE}/export.zip")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == "attachment; filename=demo-course.zip"
    assert unzip(first.data) == folder_files(demo_course)
    assert studio.get(f"{BASE}/export.zip").data == first.data  # unchanged content, same bytes


def test_edited_course_exported_and_synced_from_files_is_the_same_course(app, studio, tmp_path):
    path = "02-second-steps.md"
    text = draft_text(app, path).replace("Loops repeat things.", "Loops *repeat* things.")
    studio.post(f"{BASE}/files/{file_id(app, path)}", data={"text": text, "action": "save"})
    studio.post(f"{BASE}/lessons", data={"title": "Wrapping up"})
    assert studio.post(f"{BASE}/publish").status_code == 422  # wrapping-up needs its module
    new = file_id(app, "04-wrapping-up.md")
    text = draft_text(app, "04-wrapping-up.md").replace(
        "minutes: 15\n", "minutes: 15\nmodule: more\n"
    )
    studio.post(f"{BASE}/files/{new}", data={"text": text, "action": "save"})
    assert studio.post(f"{BASE}/publish").status_code == 302
    exported = studio.get(f"{BASE}/export.zip").data
    content = tmp_path / "elsewhere"
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        archive.extractall(content)
    other = create_app(
        {
            **settings_of(TestConfig),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "CONTENT_DIR": str(content),
        }
    )
    with other.app_context():
        db.create_all()
    assert other.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0

    def snapshot(application):
        with application.app_context():
            course = db.session.scalar(select(Course))
            lessons = [
                (x.key, x.title, x.minutes, x.position, x.body_html, x.quiz, x.toc, x.module.key)
                for x in db.session.scalars(select(Lesson).order_by(Lesson.position))
            ]
            assets = sorted(db.session.execute(select(Asset.path, Asset.sha256)).all())
            fields = ("slug", "title", "summary", "overview_html", "level", "hours", "authors")
            return [getattr(course, f) for f in fields], lessons, assets

    assert snapshot(other) == snapshot(app)
    with other.app_context():
        assert export_zip(db.session.scalar(select(Workspace))) == exported
        db.drop_all()
        db.engine.dispose()


def test_a_broken_zip_changes_nothing_and_names_every_problem(app, studio, demo_course):
    before = draft_text(app, "02-second-steps.md")
    files = folder_files(demo_course)
    files["demo-course/02-second-steps.md"] = files["demo-course/02-second-steps.md"].replace(
        b"minutes: 15", b"minutes: many"
    )
    files["demo-course/course.md"] += b"\nSee [nowhere](09-missing.md).\n"
    link_line = files["demo-course/course.md"].count(b"\n")
    files["demo-course/03-going-further.md"] = b"---\nid: going-further\ntitle: [unclosed\n---\nx\n"
    response = import_zip(studio, zip_of(files))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was changed: 3 problems found" in page
    assert "<code>demo-course/02-second-steps.md</code> line 4: field &#39;minutes&#39;" in page
    assert (
        f"<code>demo-course/course.md</code> line {link_line}: link &#39;09-missing.md&#39; "
        "points to a lesson that does not exist"
    ) in page
    assert "<code>demo-course/03-going-further.md</code> line 3:" in page
    assert draft_text(app, "02-second-steps.md") == before
    for data, message in (
        (b"not a zip at all", "this file is not a zip archive"),
        (zip_of({"../../etc/passwd": "x", "demo-course/course.md": "x"}), "has an unsafe path"),
        (zip_of({"notes/readme.txt": "hello"}), "has no course.md"),
        (zip_of({"a/course.md": "x", "b/course.md": "y"}), "one course folder"),
    ):
        page = import_zip(studio, data).get_data(as_text=True)
        assert message in page, message
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SourceFile)) == 5


def test_a_good_zip_replaces_the_draft_keeping_each_lessons_history(app, studio, demo_course):
    lesson = file_id(app, "03-going-further.md")
    files = folder_files(demo_course)
    files["demo-course/03-going-further.md"] += b"\nOne more line.\n"
    files["demo-course/.DS_Store"] = b"clutter"
    response = import_zip(studio, zip_of(files))
    assert response.status_code == 302
    assert file_id(app, "03-going-further.md") == lesson
    assert draft_text(app, "03-going-further.md").endswith("One more line.\n")
    history = studio.get(f"{BASE}/files/{lesson}/history").get_data(as_text=True)
    assert "Imported from a zip" in history
    page = studio.get(f"{BASE}/publish").get_data(as_text=True)
    assert "Updates <code>03-going-further.md</code>" in page
    with app.app_context():
        ids = dict(db.session.execute(select(Lesson.key, Lesson.id)).all())
    assert studio.post(f"{BASE}/publish").status_code == 302
    with app.app_context():
        assert dict(db.session.execute(select(Lesson.key, Lesson.id)).all()) == ids
    # Someone else's course cannot come in through this course's import.
    other = write_course(Path(demo_course).parent, "other-course")
    data = zip_of(folder_files(other))
    page = import_zip(studio, data).get_data(as_text=True)
    assert "The zip holds the course &#39;other-course&#39;, not &#39;demo-course&#39;" in page
    # ... but it can start a new course of the trainer's own.
    assert import_zip(studio, data, "/studio/import").status_code == 302
    assert studio.get("/studio/courses/other-course").status_code == 200


def test_images_in_a_zip_are_checked_by_content(app, studio, demo_course):
    files = folder_files(demo_course)
    files["demo-course/02-second-steps.md"] += b"\n![Team](images/team.png)\n"
    files["demo-course/images/team.png"] = b"<html><script>alert(1)</script></html>"
    page = import_zip(studio, zip_of(files)).get_data(as_text=True)
    assert (
        "<code>demo-course/images/team.png</code> line 1: "
        "The file is not a PNG, JPEG or WebP image." in page
    )
    files["demo-course/images/team.png"] = image_bytes("PNG")
    assert import_zip(studio, zip_of(files)).status_code == 302


def test_zips_that_could_harm_the_server_are_refused_unread(app, studio, monkeypatch):
    from lms.authoring import transfer

    monkeypatch.setattr(transfer, "MAX_ENTRIES", 3)
    many = zip_of({f"c/{n:02d}-x.md": "x" for n in range(4)})
    assert "the zip holds 4 files; the limit is 3" in import_zip(studio, many).get_data(True)
    monkeypatch.setattr(transfer, "MAX_TOTAL_BYTES", 1024 * 1024)
    bomb = zip_of({"c/course.md": "x" * (2 * 1024 * 1024)})  # compresses to a few KB
    assert "the zip unpacks to more than 1 MB" in import_zip(studio, bomb).get_data(True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("c/course.md")
        link.external_attr = (0o120777) << 16  # a symbolic link to /etc/passwd
        archive.writestr(link, "/etc/passwd")
    assert "&#39;c/course.md&#39; is a symbolic link" in import_zip(
        studio, buffer.getvalue()
    ).get_data(True)


def test_an_image_too_large_in_pixels_is_refused(app, studio, monkeypatch):
    from lms.authoring import images

    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    page = upload(studio, image_bytes("PNG", (50, 50)), "big.png").get_data(as_text=True)
    assert "Image not uploaded: The image is 50 x 50 pixels: too large." in page
