"""Import a loaded catalogue into the database, idempotently, in one write transaction.

New courses and lessons are added, changed ones updated, and ones whose files are gone are retired
(hidden, never deleted) so learners' records stay. A run with nothing changed writes nothing: every
field is compared before it is set, so the session has nothing to flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from lms.catalogue.workspace import record_published_files, workspaces_by_slug
from lms.content.sources import Catalogue, CourseSource, LessonSource
from lms.db import write_transaction
from lms.extensions import db
from lms.models import Asset, CatalogueRevision, Course, CourseSkill, Lesson, Module
from lms.wording import plural


@dataclass
class SyncSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    # Courses the studio now manages: the files would overwrite trainers' published work.
    skipped: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)

    def lines(self, limit: int = 10) -> list[str]:
        """A readable report: counts per action, and the names when there are only a few."""
        out = []
        for verb, items in (
            ("Added", self.added),
            ("Updated", self.updated),
            ("Retired", self.retired),
            ("Restored", self.restored),
        ):
            if not items:
                continue
            courses = sum(1 for item in items if item.startswith("course "))
            counts = [plural(courses, "course"), plural(len(items) - courses, "lesson")]
            listed = len(items) <= limit
            out.append(
                f"{verb} {', '.join(c for c in counts if not c.startswith('0 '))}"
                + (":" if listed else ".")
            )
            if listed:
                out.extend(f"  {item}" for item in items)
        out.append(
            f"Unchanged: {plural(self.unchanged, 'course or lesson', 'courses and lessons')}."
        )
        out.extend(self.skipped_line(slug) for slug in self.skipped)
        return out

    @staticmethod
    def skipped_line(slug: str) -> str:
        return (
            f"Skipped course {slug}: it is edited and published in the trainer studio now. "
            "Export it from the studio to update its files."
        )


# Where a row was loaded from: kept up to date, but not a change to the course itself (a studio
# publish names the draft "<id>/...", a sync from files "content/<folder>/...").
UNCOUNTED = frozenset({"source_path"})


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only the attributes whose values differ; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed |= name not in UNCOUNTED
    return changed


def sync_catalogue(catalogue: Catalogue, now: datetime | None = None) -> SyncSummary:
    """Write ``catalogue`` (from content files) to the database in one write transaction.

    The caller must have checked ``catalogue.ok``. Courses managed in the studio are skipped.
    """
    with write_transaction():
        summary = apply_catalogue(catalogue, now or datetime.now(UTC))
    return summary


def apply_catalogue(
    catalogue: Catalogue,
    now: datetime,
    *,
    managed_in: str = "files",
    author_id: int | None = None,
) -> SyncSummary:
    """Import ``catalogue`` inside the caller's write transaction; the caller commits.

    ``managed_in="studio"`` is a publish from the trainer studio: it imports courses the studio
    manages and marks them so. A sync from files leaves such courses alone.
    """
    if not catalogue.ok:
        raise ValueError("refusing to sync a catalogue with problems")
    summary = SyncSummary()
    existing = {
        course.slug: course
        for course in db.session.scalars(
            select(Course).options(
                selectinload(Course.lessons),
                selectinload(Course.skills),
                selectinload(Course.modules),
            )
        )
    }
    workspaces = workspaces_by_slug()
    studio_slugs = {slug for slug, ws in workspaces.items() if ws.managed_in == "studio"}
    for source in catalogue.courses:
        if managed_in == "files" and source.slug in studio_slugs:
            summary.skipped.append(source.slug)
            continue
        course = _sync_course(existing.get(source.slug), source, now, summary)
        record_published_files(
            workspaces.get(source.slug),
            course,
            source,
            now,
            managed_in=managed_in,
            author_id=author_id,
        )
    if catalogue.whole:
        present = {source.slug for source in catalogue.courses} | studio_slugs
        for slug, course in existing.items():
            if slug not in present and course.retired_at is None:
                course.retired_at = now
                summary.retired.append(f"course {slug}")
    if summary.changed:
        _bump_revision()
    return summary


def _bump_revision() -> None:
    """Tell every app process that cached lesson pages are stale."""
    bumped = db.session.execute(
        update(CatalogueRevision)
        .where(CatalogueRevision.id == 1)
        .values(revision=CatalogueRevision.revision + 1)
    ).rowcount
    if not bumped:
        db.session.add(CatalogueRevision(id=1, revision=1))


def _note_existing(row, label: str, changed: bool, now: datetime, summary: SyncSummary) -> None:
    """Bring back a retired course or lesson that reappeared, and count what happened to it."""
    if row.retired_at is not None:
        row.retired_at = None
        summary.restored.append(label)
    elif changed:
        summary.updated.append(label)
    else:
        summary.unchanged += 1
    if changed:
        row.updated_at = now


def _course_values(source: CourseSource) -> dict[str, Any]:
    return {
        "title": source.title,
        "summary": source.summary,
        "overview_html": source.overview_html,
        "level": source.level,
        "hours": source.hours,
        "pass_mark": source.pass_mark,
        "status": source.status,
        "featured": source.featured,
        "authors": source.authors,
        "source_path": source.path,
    }


def _sync_course(
    course: Course | None, source: CourseSource, now: datetime, summary: SyncSummary
) -> Course:
    label = f"course {source.slug}"
    if course is None:
        course = Course(slug=source.slug, created_at=now, updated_at=now, **_course_values(source))
        db.session.add(course)
        summary.added.append(label)
    else:
        changed = _assign(course, _course_values(source))
        changed |= _sync_skills(course, source)
        changed |= _sync_modules(course, source)
        _note_existing(course, label, changed, now, summary)
    if course.id is None:
        _sync_skills(course, source)
        _sync_modules(course, source)
        db.session.flush()
    counted = summary.added + summary.updated + summary.restored
    if _sync_assets(course, source) and label not in counted:
        summary.updated.append(label)
        summary.unchanged -= 1
        course.updated_at = now
    _sync_lessons(course, source, now, summary)
    return course


def _sync_children(
    collection: list, key: str, wanted: list[tuple[str, dict[str, Any]]], make: type
) -> bool:
    """Make an owned collection (skills, modules) match ``wanted`` [(key, values)], in place.

    Rows are matched by key and updated, so a unique (course, key) constraint never sees a
    delete-then-insert of the same key within one flush.
    """
    existing = {getattr(child, key): child for child in collection}
    keys = {item_key for item_key, _ in wanted}
    changed = False
    for child in list(collection):
        if getattr(child, key) not in keys:
            collection.remove(child)
            changed = True
    for item_key, values in wanted:
        child = existing.get(item_key)
        if child is None:
            collection.append(make(**{key: item_key}, **values))
            changed = True
        else:
            changed |= _assign(child, values)
    return changed


def _sync_skills(course: Course, source: CourseSource) -> bool:
    wanted = [
        (item["name"], {"position": i, "sfia_code": item["sfia"], "sfia_level": item["level"]})
        for i, item in enumerate(source.skills, start=1)
    ]
    return _sync_children(course.skills, "name", wanted, CourseSkill)


def _sync_modules(course: Course, source: CourseSource) -> bool:
    wanted = [
        (item["id"], {"title": item["title"], "position": i})
        for i, item in enumerate(source.modules, start=1)
    ]
    return _sync_children(course.modules, "key", wanted, Module)


def _sync_assets(course: Course, source: CourseSource) -> bool:
    stored = {
        asset.path: asset
        for asset in db.session.scalars(select(Asset).where(Asset.course_id == course.id))
    }
    changed = bool(stored.keys() - {item.path for item in source.assets})
    for item in source.assets:
        asset = stored.pop(item.path, None)
        values = {"media_type": item.media_type, "sha256": item.sha256}
        if asset is None:
            db.session.add(Asset(course_id=course.id, path=item.path, data=item.data, **values))
            changed = True
        elif asset.sha256 != item.sha256:
            changed |= _assign(asset, {**values, "data": item.data})
    for asset in stored.values():
        db.session.delete(asset)  # an asset holds no learner data; a dropped image can go
    return changed


def _lesson_values(source: LessonSource, modules: dict[str, Module]) -> dict[str, Any]:
    return {
        "title": source.title,
        "minutes": source.minutes,
        "position": source.position,
        "body_html": source.body_html,
        "toc": source.toc,
        "quiz": source.quiz,
        "source_path": source.path,
        "module": modules.get(source.module) if source.module else None,
    }


def _sync_lessons(
    course: Course, source: CourseSource, now: datetime, summary: SyncSummary
) -> None:
    modules = {module.key: module for module in course.modules}
    existing = {lesson.key: lesson for lesson in course.lessons}
    for item in source.lessons:
        label = f"lesson {source.slug}/{item.key}"
        lesson = existing.pop(item.key, None)
        values = _lesson_values(item, modules)
        if lesson is None:
            lesson = Lesson(key=item.key, created_at=now, updated_at=now, **values)
            course.lessons.append(lesson)
            summary.added.append(label)
            continue
        _note_existing(lesson, label, _assign(lesson, values), now, summary)
    for key, lesson in existing.items():
        if lesson.retired_at is None:
            lesson.retired_at = now
            summary.retired.append(f"lesson {source.slug}/{key}")
