"""Courses as zip files in the ``content/`` format: export, and import into a draft.

An export holds the course folder (``<id>/course.md``, lesson files, images) with fixed timestamps
and permissions and entries in name order, so the same content always gives the same bytes and
each file is exactly the bytes that were synced, imported or saved. An import is checked in full
by the course-format loader first; a zip with any problem changes nothing.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath

from lms.audit import record_audit
from lms.authoring.drafts import DraftError, new_workspace, slug_taken
from lms.authoring.images import RASTER_EXTENSIONS, ImageError, check_image
from lms.authoring.publishing import (
    DraftCheck,
    check_files,
    course_file_first,
    front_matter_id,
)
from lms.content.loader import COURSE_FILE
from lms.content.problems import Problem
from lms.content.workspace import add_revision, file_kind, sha256
from lms.db import write_transaction
from lms.extensions import db
from lms.models import SourceFile, User, Workspace

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: no build time leaks in
MAX_ENTRIES = 500
MAX_TOTAL_BYTES = 50 * 1024 * 1024


def export_zip(workspace: Workspace, version: str = "published") -> bytes:
    """The published (or draft) course as a zip; deterministic for unchanged content."""
    if version == "published":
        files = {
            item.published_path: item.published_data
            for item in workspace.files
            if item.published_path
        }
    else:
        files = {item.path: item.data for item in workspace.files if item.path}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in course_file_first(files):
            info = zipfile.ZipInfo(f"{workspace.slug}/{path}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3  # unix, so the permissions above are read everywhere
            archive.writestr(info, files[path], compresslevel=9)
    return buffer.getvalue()


@dataclass
class ZipImport:
    """What an uploaded zip holds: the course files, or every reason it cannot be imported."""

    slug: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    check: DraftCheck | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_zip(
    data: bytes, name: str = "upload.zip", *, max_image_bytes: int = 1024 * 1024
) -> ZipImport:
    """Unpack a course zip in memory, refusing anything unsafe, then check it as the CLI would."""
    result = ZipImport()

    def fail(message: str) -> ZipImport:
        result.problems.append(Problem(name, 1, message))
        return result

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return fail("this file is not a zip archive")
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ENTRIES:
            return fail(f"the zip holds {len(infos)} files; the limit is {MAX_ENTRIES}")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            return fail(f"the zip unpacks to more than {MAX_TOTAL_BYTES // 1024 // 1024} MB")
        entries: dict[str, bytes] = {}
        for info in infos:
            path = PurePosixPath(info.filename)
            if path.name.startswith(".") or "__MACOSX" in path.parts:
                continue  # operating-system clutter, not course content
            if info.filename.startswith("/") or ".." in path.parts or "\\" in info.filename:
                result.problems.append(
                    Problem(name, 1, f"'{info.filename}' has an unsafe path: it was not unpacked")
                )
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                result.problems.append(Problem(name, 1, f"'{info.filename}' is a symbolic link"))
                continue
            try:
                entries[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                result.problems.append(Problem(name, 1, f"'{info.filename}' cannot be read: {exc}"))
    if result.problems:
        return result
    roots = {PurePosixPath(p).parts[0] for p in entries if "/" in p}
    if COURSE_FILE in entries:
        files = entries
    elif len(roots) == 1 and all("/" in p for p in entries):
        root = roots.pop()
        files = {p.split("/", 1)[1]: d for p, d in entries.items()}
        if COURSE_FILE not in files:
            return fail(f"the folder '{root}' in the zip has no {COURSE_FILE}")
    else:
        return fail(f"the zip must hold one course folder with a {COURSE_FILE} in it")
    slug = front_matter_id(files[COURSE_FILE])[0] or "course"
    check = check_files(slug, files)
    result.slug, result.check = slug, check
    for path, problems in sorted(check.problems.items()):
        result.problems.extend(
            Problem(f"{slug}/{path}" if path else slug, p.line, p.message) for p in problems
        )
    if result.ok and check.course is not None:
        result.files = check.course.files
        result.ignored = sorted(set(files) - set(result.files))
        result.problems.extend(_check_images(slug, result.files, max_image_bytes))
    return result


def _check_images(slug: str, files: dict[str, bytes], max_bytes: int) -> list[Problem]:
    """Images in a zip get the same content check as uploads: a renamed file is refused."""
    problems = []
    for path, data in files.items():
        if path.rsplit(".", 1)[-1].lower() not in RASTER_EXTENSIONS:
            continue
        try:
            check_image(path, data, max_bytes)
        except ImageError as exc:
            problems.append(Problem(f"{slug}/{path}", 1, str(exc)))
    return problems


def import_zip(upload: ZipImport, user: User, workspace: Workspace | None = None):
    """Make the zip's files the draft of ``workspace`` (or of a new course ``user`` authors).

    Returns (workspace, files changed). Nothing is published; a zip with problems is refused.
    """
    if not upload.ok:
        raise ValueError("refusing to import a zip with problems")
    if workspace is not None and upload.slug != workspace.slug:
        raise ValueError(f"the zip holds course '{upload.slug}', not '{workspace.slug}'")
    now = datetime.now(UTC)
    with write_transaction():
        if workspace is None:
            if slug_taken(upload.slug):
                raise DraftError(
                    f"A course with the id '{upload.slug}' exists already: open it in the studio "
                    "and import the zip there, or change the id in course.md."
                )
            workspace = new_workspace(upload.slug, user, now)
        changed = _replace_draft(workspace, upload.files, user, now)
        record_audit(user, "course.imported", f"course {workspace.slug}", {"files": changed})
    return workspace, changed


def _replace_draft(workspace: Workspace, files: dict[str, bytes], user: User, now: datetime) -> int:
    """Make ``files`` the draft; each file keeps its row (and history) when renamed or reordered.

    A lesson is matched by its path, else by its id, so renumbered files stay the same lesson.
    """
    before = {item.id: (item.path, item.sha256) for item in workspace.files}
    current = {item.path: item for item in workspace.files if item.path}
    leaving = [item for path, item in current.items() if path not in files]
    by_key = {front_matter_id(item.data)[0]: item for item in leaving if item.kind == "lesson"}
    for item in leaving:
        item.path = item.data = item.sha256 = None
        item.updated_at = now
    db.session.flush()
    for path, data in files.items():
        digest = sha256(data)
        item = current.get(path)
        if item is not None and item.sha256 == digest:
            continue
        if item is None and file_kind(path) == "lesson":
            item = by_key.pop(front_matter_id(data)[0], None)
        if item is None:
            # A file published under this name and since deleted from the draft comes back.
            item = next(
                (f for f in workspace.files if f.path is None and f.published_path == path), None
            )
        if item is None:
            item = SourceFile(kind=file_kind(path), updated_at=now)
            workspace.files.append(item)
        item.path, item.data, item.sha256, item.updated_at = path, data, digest, now
        db.session.flush()
        add_revision(item, data, "imported", now, user.id)
    return sum(
        1
        for item in workspace.files
        if before.get(item.id, (None, None)) != (item.path, item.sha256)
    )
