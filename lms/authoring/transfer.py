"""Courses as zip files in the ``content/`` format: export, and import into a draft.

An export holds the course folder (``<id>/course.md``, lesson files, images) with fixed timestamps
and permissions and entries in name order, so the same content always gives the same bytes and
each file is exactly the bytes that were synced, imported or saved. An import is checked in full
by the course-format loader first; a zip with any problem changes nothing.

A zip is read in memory and never unpacked to disk. No name in it is used as a path: entry names
are checked by the course format's allow-list, the folder the course sits in is dropped, and the
course is named by its id once course.md has passed the schema.
"""

from __future__ import annotations

import io
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lms.audit import record_audit
from lms.authoring.drafts import DraftError, new_workspace, slug_taken
from lms.authoring.images import RASTER_EXTENSIONS, ImageError, check_image
from lms.authoring.publishing import DraftCheck, check_files, course_file_first
from lms.catalogue.workspace import add_revision, file_kind, sha256
from lms.content.frontmatter import front_matter_id
from lms.content.paths import COURSE_FILE, escape_problem, quoted
from lms.content.problems import Problem
from lms.content.schema import MAX_SLUG, SLUG_RE
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
    """Read a course zip in memory, refusing anything unsafe, then check it as the CLI would."""
    result = ZipImport()

    def fail(message: str) -> ZipImport:
        result.problems.append(Problem(name, 1, message))
        return result

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return fail("this file is not a zip archive")
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ENTRIES:
            return fail(f"the zip holds {len(infos)} files; the limit is {MAX_ENTRIES}")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            return fail(f"the zip unpacks to more than {MAX_TOTAL_BYTES // 1024 // 1024} MB")
        entries = _read_entries(archive, infos, result.problems, name)
    if result.problems:
        return result
    roots = {p.split("/", 1)[0] for p in entries if "/" in p}
    if COURSE_FILE in entries:
        files = entries
    elif len(roots) == 1 and all("/" in p for p in entries):
        # The folder the course sits in is only dropped: its name is never used for anything.
        root = roots.pop()
        files = {p.split("/", 1)[1]: d for p, d in entries.items()}
        if COURSE_FILE not in files:
            return fail(f"the folder {quoted(root)} in the zip has no {COURSE_FILE}")
    else:
        return fail(f"the zip must hold one course folder with a {COURSE_FILE} in it")
    course_id = front_matter_id(files[COURSE_FILE])[0]
    # Problems name the course by its id when that id is valid; the schema reports it otherwise.
    label = course_id if _valid_id(course_id) else "course"
    check = check_files(label, files)
    result.check = check
    result.slug = check.course.slug if check.course is not None else None
    for path, problems in sorted(check.problems.items()):
        result.problems.extend(
            Problem(f"{label}/{path}" if path else label, p.line, p.message) for p in problems
        )
    if result.ok and check.course is not None:
        result.files = check.course.files
        result.ignored = sorted(set(files) - set(result.files))
        result.problems.extend(_check_images(label, result.files, max_image_bytes))
    return result


def _valid_id(value: str | None) -> bool:
    return value is not None and bool(SLUG_RE.match(value)) and len(value) <= MAX_SLUG


def _read_entries(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], problems: list[Problem], name: str
) -> dict[str, bytes]:
    """Every entry's bytes by its name, after refusing names that could lead anywhere else."""
    entries: dict[str, bytes] = {}
    # Two names one computer would store as one file (case, or composed and decomposed accents).
    same_file: dict[str, str] = {}
    for info in infos:
        entry = info.filename
        if unsafe := escape_problem(entry):
            problems.append(
                Problem(name, 1, f"{quoted(entry)} has an unsafe path: it {unsafe}; not unpacked")
            )
            continue
        parts = entry.split("/")
        if any(part.startswith(".") for part in parts) or "__MACOSX" in parts:
            continue  # operating-system clutter, not course content
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(Problem(name, 1, f"{quoted(entry)} is a symbolic link"))
            continue
        key = unicodedata.normalize("NFC", entry).casefold()
        if key in same_file:
            earlier = same_file[key]
            problems.append(
                Problem(
                    name,
                    1,
                    f"{quoted(entry)} appears twice in the zip"
                    if earlier == entry
                    else f"{quoted(earlier)} and {quoted(entry)} differ only in upper and lower "
                    "case or in how an accent is encoded: most computers would see one file",
                )
            )
            continue
        same_file[key] = entry
        try:
            entries[entry] = archive.read(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            problems.append(Problem(name, 1, f"{quoted(entry)} cannot be read: {exc}"))
    return entries


def _check_images(label: str, files: dict[str, bytes], max_bytes: int) -> list[Problem]:
    """Images in a zip get the same content check as uploads: a renamed file is refused."""
    problems = []
    for path, data in files.items():
        if path.rsplit(".", 1)[-1].lower() not in RASTER_EXTENSIONS:
            continue
        try:
            check_image(path, data, max_bytes)
        except ImageError as exc:
            problems.append(Problem(f"{label}/{path}", 1, str(exc)))
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
