"""Draft editing: new courses, saving files, adding, reordering and deleting lessons, restoring.

Every change is one write transaction and every saved version becomes a revision, so nothing a
trainer wrote is ever lost. Saves carry the version they started from; if a co-author saved in
between, the save is refused as a conflict instead of silently overwriting their work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import yaml
from sqlalchemy import exists, select

from lms.audit import record_audit
from lms.catalogue.workspace import add_revision, sha256
from lms.content.paths import COURSE_FILE, LESSON_FILE_RE
from lms.db import write_transaction
from lms.extensions import db
from lms.models import Course, CourseAuthor, SourceFile, SourceRevision, User, Workspace

LESSON_NUMBER_RE = re.compile(r"^(\d{2,3})-(.+)$")
WORD_RE = re.compile(r"[a-z0-9]+")


class DraftError(ValueError):
    """A change the studio refuses; the message says why and what to do."""


class DraftConflict(DraftError):
    """The file changed since the editor loaded it (a co-author saved)."""


@dataclass(frozen=True)
class NewCourse:
    slug: str
    title: str
    summary: str
    level: str
    hours: float
    author_name: str


def _now() -> datetime:
    return datetime.now(UTC)


def _front_matter(meta: dict, body: str) -> bytes:
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{text}---\n{body}".encode()


def slug_taken(slug: str) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Workspace.slug == slug)))
        or db.session.scalar(select(exists().where(Course.slug == slug)))
    )


def create_course(user: User, new: NewCourse) -> Workspace:
    """A workspace with a course.md and a first lesson, ``user`` its author. Nothing is public."""
    now = _now()
    with write_transaction():
        if slug_taken(new.slug):
            raise DraftError(f"The id '{new.slug}' is already used by another course.")
        workspace = new_workspace(new.slug, user, now)
        course_md = _front_matter(
            {
                "id": new.slug,
                "title": new.title,
                "summary": new.summary,
                "level": new.level,
                "hours": new.hours,
                "skills": [{"name": "Digital skills"}],
                "pass_mark": 70,
                "authors": [{"name": new.author_name}],
                "status": "published",
            },
            f"\n{new.summary}\n\nWho this course is for, and what learners will be able to do.\n",
        )
        _new_file(workspace, COURSE_FILE, "course", course_md, user, now)
        first = lesson_template("Introduction", "introduction")
        _new_file(workspace, "01-introduction.md", "lesson", first, user, now)
    return workspace


def new_workspace(slug: str, user: User, now: datetime) -> Workspace:
    """A studio-managed workspace with ``user`` as its author, inside the caller's transaction."""
    workspace = Workspace(slug=slug, managed_in="studio", created_at=now)
    workspace.authors.append(CourseAuthor(user_id=user.id, added_at=now))
    db.session.add(workspace)
    db.session.flush()
    return workspace


def lesson_key(title: str, taken: set[str]) -> str:
    """An id for a new lesson from its title, not already used in the course."""
    base = "-".join(WORD_RE.findall(title.lower()))[:60].strip("-") or "lesson"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def lesson_template(title: str, key: str) -> bytes:
    body = (
        "\nWrite the lesson here in Markdown. Start with what the learner will be able to do.\n\n"
        "## A first section\n\nExplain one idea at a time, with an example.\n"
    )
    return _front_matter({"id": key, "title": title, "minutes": 15}, body)


def _new_file(
    workspace: Workspace, path: str, kind: str, data: bytes, user: User | None, now: datetime
) -> SourceFile:
    item = SourceFile(kind=kind, path=path, data=data, sha256=sha256(data), updated_at=now)
    workspace.files.append(item)
    db.session.flush()
    add_revision(item, data, "created", now, user.id if user else None)
    return item


def draft_files(workspace: Workspace) -> list[SourceFile]:
    """The files in the draft, course.md first, then lessons by number, then assets by path."""
    order = {"course": 0, "lesson": 1, "asset": 2}
    files = [item for item in workspace.files if item.in_draft]
    return sorted(files, key=lambda item: (order[item.kind], item.path))


def file_or_404(workspace: Workspace, file_id: int) -> SourceFile | None:
    """The file ``file_id`` if it belongs to ``workspace`` (the caller answers 404 if not)."""
    item = db.session.get(SourceFile, file_id)
    return item if item is not None and item.workspace_id == workspace.id else None


def save_file(item: SourceFile, data: bytes, user: User, base_sha: str | None) -> bool:
    """Save a new draft version of ``item``; False when nothing changed.

    ``base_sha`` is the version the editor started from; a different current version means a
    co-author saved meanwhile, and this save is refused rather than overwriting theirs.
    """
    with write_transaction():
        db.session.refresh(item)
        if item.path is None:
            raise DraftError("This file was deleted from the draft. Restore it from its history.")
        if base_sha is not None and item.sha256 != base_sha:
            raise DraftConflict(
                "Someone else saved this file after you opened it. Your text is below, unsaved: "
                "compare it with theirs in the history, then save again."
            )
        digest = sha256(data)
        if digest == item.sha256:
            return False
        now = _now()
        item.data, item.sha256, item.updated_at = data, digest, now
        add_revision(item, data, "saved", now, user.id)
    return True


def add_lesson(workspace: Workspace, title: str, user: User) -> SourceFile:
    """A new lesson file numbered after the last one, from the lesson template."""
    with write_transaction():
        lessons = [item for item in workspace.files if item.kind == "lesson" and item.path]
        numbers = [int(LESSON_NUMBER_RE.match(item.path)[1]) for item in lessons]
        number = max(numbers, default=0) + 1
        taken = {LESSON_NUMBER_RE.match(item.path)[2].removesuffix(".md") for item in lessons}
        key = lesson_key(title, taken)
        data = lesson_template(title, key)
        path = f"{number:02d}-{key}.md"
        if not LESSON_FILE_RE.match(path):
            raise DraftError("That title gives no usable file name: use letters or digits.")
        item = _new_file(workspace, path, "lesson", data, user, _now())
    return item


def move_lesson(workspace: Workspace, item: SourceFile, step: int, user: User) -> None:
    """Move a lesson up (-1) or down (+1) by renumbering the lesson files; ids do not change."""
    with write_transaction():
        lessons = sorted(
            (f for f in workspace.files if f.kind == "lesson" and f.path), key=lambda f: f.path
        )
        index = lessons.index(item)
        target = index + step
        if not 0 <= target < len(lessons):
            return
        lessons[index], lessons[target] = lessons[target], lessons[index]
        width = max(2, len(str(len(lessons))))
        names = [LESSON_NUMBER_RE.match(f.path)[2] for f in lessons]
        old_paths = {f.id: f.path for f in lessons}
        # Two steps, so no two files ever share a name inside the transaction.
        for f in lessons:
            f.path = f"~moving-{f.id}"
        db.session.flush()
        now = _now()
        renames = {}
        for number, (f, name) in enumerate(zip(lessons, names, strict=True), start=1):
            new_path = f"{number:0{width}d}-{name}"
            if new_path != old_paths[f.id]:
                renames[old_paths[f.id]] = new_path
            f.path = new_path
            f.updated_at = now
        _relink(workspace, renames, user, now)


def _relink(workspace: Workspace, renames: dict[str, str], user: User, now: datetime) -> None:
    """Point links between the course's files at their new names, as a new revision of each."""
    if not renames:
        return
    target = "|".join(re.escape(old) for old in sorted(renames, key=len, reverse=True))
    pattern = re.compile(
        rf"(\]\(\s*<?(?:\./)?|^\s{{0,3}}\[[^\]]+\]:\s*<?(?:\./)?)({target})(?=[)#\s>]|$)",
        re.MULTILINE,
    )
    for item in workspace.files:
        if item.kind == "asset" or not item.path:
            continue
        try:
            text = item.data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # the check reports the file; there is nothing to relink in it
        relinked = pattern.sub(lambda m: m[1] + renames[m[2]], text)
        if relinked != text:
            data = relinked.encode()
            item.data, item.sha256 = data, sha256(data)
            db.session.flush()
            add_revision(item, data, "relinked", now, user.id)


def delete_file(item: SourceFile, user: User) -> None:
    """Take a lesson or image out of the draft. Its history stays; publishing retires the lesson."""
    if item.kind == "course":
        raise DraftError("course.md cannot be deleted: every course needs one.")
    with write_transaction():
        now = _now()
        item.path = item.data = item.sha256 = None
        item.updated_at = now


def revisions(item: SourceFile) -> list[SourceRevision]:
    return list(
        db.session.scalars(
            select(SourceRevision)
            .where(SourceRevision.file_id == item.id)
            .order_by(SourceRevision.id.desc())
        )
    )


def revision_or_none(item: SourceFile, revision_id: int) -> SourceRevision | None:
    revision = db.session.get(SourceRevision, revision_id)
    return revision if revision is not None and revision.file_id == item.id else None


def restore_revision(item: SourceFile, revision: SourceRevision, user: User) -> None:
    """Make an earlier version the draft again (as a new revision: history only grows)."""
    with write_transaction():
        db.session.refresh(item)
        now = _now()
        if item.path is None:
            taken = db.session.scalar(
                select(
                    exists().where(
                        SourceFile.workspace_id == item.workspace_id,
                        SourceFile.path == revision.path,
                    )
                )
            )
            if taken:
                raise DraftError(
                    f"Another file is now called {revision.path}: delete or rename it first."
                )
            item.path = revision.path
        item.data, item.sha256, item.updated_at = revision.data, revision.sha256, now
        add_revision(item, revision.data, "restored", now, user.id)


def set_authors(
    workspace: Workspace, actor: User, *, add: User | None = None, remove: User | None = None
) -> None:
    """Add or remove a co-author, audited (admins only: the view checks the role)."""
    with write_transaction():
        subject = f"course {workspace.slug}"
        if add is not None:
            if add.role != "trainer":
                raise DraftError(f"{add.email} is not a trainer: give them the trainer role first.")
            if not any(a.user_id == add.id for a in workspace.authors):
                workspace.authors.append(CourseAuthor(user_id=add.id, added_at=_now()))
                record_audit(actor, "course.author_added", subject, {"user_id": add.id})
        if remove is not None:
            for author in list(workspace.authors):
                if author.user_id == remove.id:
                    workspace.authors.remove(author)
                    record_audit(actor, "course.author_removed", subject, {"user_id": remove.id})
