"""Keep each course's source files beside its imported rows, so the studio can edit and export them.

Called by the sync inside its transaction: whatever was imported (from ``content/`` by the CLI, or
from a studio draft on publish) becomes the workspace's published copy. A draft nobody has touched
follows the published copy; a draft with unpublished edits is left alone, never overwritten.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.content.paths import COURSE_FILE
from lms.content.sources import CourseSource
from lms.extensions import db
from lms.models import Course, SourceFile, SourceRevision, Workspace


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_kind(path: str) -> str:
    if path == COURSE_FILE:
        return "course"
    return "lesson" if "/" not in path and path.endswith(".md") else "asset"


def workspaces_by_slug() -> dict[str, Workspace]:
    return {
        workspace.slug: workspace
        for workspace in db.session.scalars(
            select(Workspace).options(selectinload(Workspace.files))
        )
    }


def add_revision(
    source_file: SourceFile, data: bytes, reason: str, now: datetime, author_id: int | None
) -> SourceRevision:
    revision = SourceRevision(
        path=source_file.path or source_file.published_path or "",
        data=data,
        sha256=sha256(data),
        reason=reason,
        author_id=author_id,
        created_at=now,
    )
    revision.file_id = source_file.id
    db.session.add(revision)
    return revision


def record_published_files(
    workspace: Workspace | None,
    course: Course,
    source: CourseSource,
    now: datetime,
    *,
    managed_in: str,
    author_id: int | None = None,
) -> Workspace:
    """Make ``source.files`` the workspace's published copy; write nothing when nothing changed."""
    if workspace is None:
        workspace = Workspace(slug=source.slug, managed_in=managed_in, created_at=now)
        db.session.add(workspace)
    if workspace.course_id != course.id:
        workspace.course = course
    if workspace.managed_in != managed_in:
        workspace.managed_in = managed_in
    db.session.flush()
    by_published = {f.published_path: f for f in workspace.files if f.published_path}
    by_draft = {f.path: f for f in workspace.files if f.path}
    wanted = {path: sha256(data) for path, data in source.files.items()}
    changed = False
    for path, data in source.files.items():
        digest = wanted[path]
        item = by_published.get(path) or by_draft.get(path)
        if item is None:
            item = SourceFile(kind=file_kind(path), updated_at=now)
            workspace.files.append(item)
            _set_published(item, path, data, digest)
            _set_draft(item, path, data, digest)
            db.session.flush()
            reason = "synced" if managed_in == "files" else "created"
            add_revision(item, data, reason, now, author_id)
            changed = True
            continue
        if (item.published_path, item.published_sha256) == (path, digest):
            continue
        untouched = not item.has_changes
        _set_published(item, path, data, digest)
        if untouched and (item.path, item.sha256) != (path, digest):
            if by_draft.get(path, item) is not item:
                continue  # another draft file took this name meanwhile: leave both drafts alone
            _set_draft(item, path, data, digest)
            add_revision(item, data, "synced", now, author_id)
        item.updated_at = now
        changed = True
    for item in workspace.files:
        if item.published_path and item.published_path not in wanted:
            untouched = not item.has_changes
            item.published_path = item.published_data = item.published_sha256 = None
            if untouched:
                item.path = item.data = item.sha256 = None
            item.updated_at = now
            changed = True
    if changed or workspace.published_at is None:
        workspace.published_at = now
    return workspace


def _set_published(item: SourceFile, path: str, data: bytes, digest: str) -> None:
    item.published_path, item.published_data, item.published_sha256 = path, data, digest


def _set_draft(item: SourceFile, path: str, data: bytes, digest: str) -> None:
    item.path, item.data, item.sha256 = path, data, digest
