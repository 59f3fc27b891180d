"""Sync: idempotent import; changes update, removals retire, nothing is ever deleted."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from lms.catalogue.files import load_content_folder
from lms.catalogue.sync import sync_catalogue
from lms.extensions import db
from lms.models import Asset, Course, Lesson
from tests.factories import write_course


def sync(path):
    catalogue = load_content_folder(path)
    assert catalogue.ok, catalogue.problems
    return sync_catalogue(catalogue)


def lessons_by_key():
    return {lesson.key: lesson for lesson in db.session.scalars(select(Lesson))}


def test_first_sync_adds_everything(app, demo_course, content_dir):
    with app.app_context():
        summary = sync(content_dir)
        assert summary.added == [
            "course demo-course",
            "lesson demo-course/first-steps",
            "lesson demo-course/second-steps",
            "lesson demo-course/going-further",
        ]
        course = db.session.scalar(select(Course))
        assert course.title == "Demo course" and course.is_visible
        assert [s.name for s in course.skills] == ["Programming"]
        assert [m.key for m in course.modules] == ["basics", "more"]
        lesson = lessons_by_key()["first-steps"]
        assert lesson.module.key == "basics"
        assert 'src="/courses/demo-course/assets/images/diagram.svg"' in lesson.body_html
        assert 'href="/courses/demo-course/lessons/second-steps"' in lesson.body_html
        assert len(lesson.quiz) == 3
        assert db.session.scalar(select(Asset.path)) == "images/diagram.svg"


def test_second_sync_writes_nothing(app, demo_course, content_dir, count_statements):
    with app.app_context():
        sync(content_dir)
        db.session.remove()
        with count_statements() as counter:
            summary = sync(content_dir)
        assert not summary.changed
        assert summary.unchanged == 4
        assert counter.writes == []


def test_changed_lesson_is_updated_and_keeps_its_row(app, demo_course, content_dir):
    with app.app_context():
        sync(content_dir)
        original_id = lessons_by_key()["second-steps"].id
        path = demo_course / "02-second-steps.md"
        path.write_text(path.read_text().replace("Loops repeat things.", "Loops repeat work."))
        summary = sync(content_dir)
        assert summary.updated == ["lesson demo-course/second-steps"]
        lesson = lessons_by_key()["second-steps"]
        assert lesson.id == original_id
        assert "Loops repeat work." in lesson.body_html


def test_a_sync_re_renders_lessons_when_the_renderer_changes(app, demo_course, content_dir):
    # Stored HTML comes from the renderer at sync time. Every sync renders every file again and
    # compares, so HTML from an older renderer (here: permalinks inside the headings) is replaced
    # even though no file changed.
    with app.app_context():
        sync(content_dir)
        lesson = lessons_by_key()["second-steps"]
        current = lesson.body_html
        lesson.body_html = current.replace("</h2>", '<a class="headerlink" href="#x">#</a></h2>')
        db.session.commit()
        summary = sync(content_dir)
        assert summary.updated == ["lesson demo-course/second-steps"]
        assert lessons_by_key()["second-steps"].body_html == current


def test_renamed_file_with_same_id_keeps_the_lesson(app, demo_course, content_dir):
    with app.app_context():
        sync(content_dir)
        original_id = lessons_by_key()["going-further"].id
        (demo_course / "03-going-further.md").rename(demo_course / "04-going-further.md")
        sync(content_dir)
        assert lessons_by_key()["going-further"].id == original_id


def test_removed_lesson_is_retired_not_deleted_and_comes_back(app, demo_course, content_dir):
    with app.app_context():
        sync(content_dir)
        saved = (demo_course / "02-second-steps.md").read_text()
        (demo_course / "02-second-steps.md").unlink()
        path = demo_course / "01-first-steps.md"
        path.write_text(path.read_text().replace("Next: [second steps](02-second-steps.md).", ""))
        summary = sync(content_dir)
        assert summary.retired == ["lesson demo-course/second-steps"]
        lesson = lessons_by_key()["second-steps"]
        assert lesson.retired_at is not None
        (demo_course / "02-second-steps.md").write_text(saved)
        summary = sync(content_dir)
        assert summary.restored == ["lesson demo-course/second-steps"]
        assert lessons_by_key()["second-steps"].retired_at is None


def test_removed_course_is_retired_and_hidden(app, demo_course, content_dir):
    with app.app_context():
        write_course(content_dir, "second-course", title="Second course")
        sync(content_dir)
        shutil.rmtree(content_dir / "second-course")
        summary = sync(content_dir)
        assert summary.retired == ["course second-course"]
        course = db.session.scalar(select(Course).where(Course.slug == "second-course"))
        assert course.retired_at is not None and not course.is_visible
        assert len(course.lessons) == 3  # lessons of a retired course stay for learner records


def test_syncing_one_course_folder_retires_no_other_course(app, demo_course, content_dir):
    with app.app_context():
        write_course(content_dir, "second-course")
        sync(content_dir)
        summary = sync(content_dir / "second-course")
        assert summary.retired == []
        assert all(c.retired_at is None for c in db.session.scalars(select(Course)))


def test_course_metadata_changes_update_skills_and_modules(app, demo_course, content_dir):
    with app.app_context():
        sync(content_dir)
        path = demo_course / "course.md"
        text = path.read_text().replace("name: Programming", "name: Software development")
        text = text.replace("title: Going further", "title: Taking it further")
        path.write_text(text)
        summary = sync(content_dir)
        assert summary.updated == ["course demo-course"]
        course = db.session.scalar(select(Course))
        assert [s.name for s in course.skills] == ["Software development"]
        assert [m.title for m in course.modules] == ["The basics", "Taking it further"]


def test_changed_image_is_replaced(app, demo_course, content_dir):
    with app.app_context():
        sync(content_dir)
        (demo_course / "images" / "diagram.svg").write_bytes(
            b"<svg xmlns='http://www.w3.org/2000/svg'/>"
        )
        summary = sync(content_dir)
        assert summary.updated == ["course demo-course"]
        assert db.session.scalar(select(Asset.data)) == b"<svg xmlns='http://www.w3.org/2000/svg'/>"
