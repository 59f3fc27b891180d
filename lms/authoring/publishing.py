"""Check, preview and publish drafts.

All of it goes through the course-format loader and the sync that ``flask content check`` and
``flask content sync`` use, so the studio can never accept a course the CLI would refuse, or
render it differently. The loader is handed the draft's files from the database as a mapping of
path -> bytes: nothing the studio checks, previews or publishes is ever written to disk.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lms.audit import record_audit
from lms.catalogue.sync import SyncSummary, apply_catalogue
from lms.content.frontmatter import front_matter_id
from lms.content.loader import load_course
from lms.content.paths import COURSE_FILE
from lms.content.problems import Problem
from lms.content.sources import Catalogue, CourseSource, LessonSource
from lms.db import write_transaction
from lms.models import SourceFile, User, Workspace


@dataclass
class DraftCheck:
    """The loaded draft and its problems by file path (``""``: the course as a whole)."""

    catalogue: Catalogue
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def course(self) -> CourseSource | None:
        return self.catalogue.courses[0] if self.catalogue.courses else None

    def count(self) -> int:
        return sum(len(items) for items in self.problems.values())

    def lesson(self, path: str) -> LessonSource | None:
        course = self.course
        if course is None:
            return None
        return next((x for x in course.lessons if x.path.split("/", 1)[-1] == path), None)


def draft_contents(workspace: Workspace, override: tuple[SourceFile, bytes] | None = None):
    contents = {item.path: item.data for item in workspace.files if item.path}
    if override is not None:
        contents[override[0].path] = override[1]
    return contents


def check_files(
    label: str,
    files: dict[str, bytes],
    asset_base: str | None = None,
    render_only: set[str] | None = None,
) -> DraftCheck:
    """Load ``files`` as one course exactly as ``flask content check`` would, in memory.

    ``label`` is the name problems give the course folder (``<label>/02-loops.md:4: ...``): a
    validated course id, never a path. ``render_only`` (for previews) renders just those files;
    every file is still checked.
    """
    catalogue = load_course(files, folder=label, asset_base=asset_base, render_only=render_only)
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for problem in catalogue.problems:
        path = problem.path.split("/", 1)[1] if "/" in problem.path else ""
        grouped[path].append(problem)
    return DraftCheck(catalogue, dict(grouped))


def check_draft(
    workspace: Workspace,
    override: tuple[SourceFile, bytes] | None = None,
    asset_base: str | None = None,
) -> DraftCheck:
    """Check the draft (with one file's unsaved text, for previews) plus the studio's own rules.

    With ``override`` (a preview) only that file is rendered; the result must not be published.
    """
    render_only = {override[0].path} if override is not None else None
    files = draft_contents(workspace, override)
    check = check_files(workspace.slug, files, asset_base, render_only)
    _check_stable_ids(workspace, check, override)
    return check


def _check_stable_ids(
    workspace: Workspace, check: DraftCheck, override: tuple[SourceFile, bytes] | None
) -> None:
    """Course and published lesson ids may not change: learners' records point at them."""
    for item in workspace.files:
        if item.kind == "asset" or not item.path:
            continue
        data = override[1] if override and override[0] is item else item.data
        new_id, line = front_matter_id(data)
        if item.kind == "course":
            old_id, why = workspace.slug, "certificates and learners' records use it"
        elif item.published_data is not None:
            old_id, _ = front_matter_id(item.published_data)
            why = "learners' progress on the published lesson is recorded against it"
        else:
            continue
        if new_id is not None and old_id is not None and new_id != old_id:
            message = f"the id must stay '{old_id}' ({why}); add a new lesson instead"
            if item.kind == "course":
                message = f"the course id must stay '{old_id}' ({why})"
            check.problems.setdefault(item.path, []).append(
                Problem(f"{workspace.slug}/{item.path}", line, message)
            )


@dataclass
class PublishResult:
    check: DraftCheck
    summary: SyncSummary | None = None

    @property
    def published(self) -> bool:
        return self.summary is not None


def publish(workspace: Workspace, user: User) -> PublishResult:
    """Validate the whole draft and, if it is clean, make it what learners see: one transaction."""
    check = check_draft(workspace)
    if not check.ok:
        return PublishResult(check)
    now = datetime.now(UTC)
    with write_transaction():
        summary = apply_catalogue(check.catalogue, now, managed_in="studio", author_id=user.id)
        record_audit(
            user,
            "course.published",
            f"course {workspace.slug}",
            {
                "added": summary.added,
                "updated": summary.updated,
                "retired": summary.retired,
                "restored": summary.restored,
            },
        )
    return PublishResult(check, summary)


def unpublished_changes(workspace: Workspace) -> list[SourceFile]:
    return [item for item in workspace.files if item.has_changes]


def course_file_first(paths) -> list[str]:
    return sorted(paths, key=lambda path: (path != COURSE_FILE, path))
