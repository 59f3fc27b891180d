"""Load a content folder into validated, rendered course sources, collecting every problem.

``load_catalogue(path)`` accepts the catalogue root (one folder per course) or a single course
folder. It never stops at the first mistake: authors see every problem in one run.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from lms.content import quiz as quiz_format
from lms.content.frontmatter import Document, parse_document
from lms.content.links import LESSON_FILE_RE, LinkResolver, find_links
from lms.content.problems import Problem, ProblemList
from lms.content.render import Rendered, render_inline, render_markdown
from lms.content.schema import COURSE_FIELDS, LESSON_FIELDS, check_document

COURSE_FILE = "course.md"


@dataclass
class LessonSource:
    key: str
    title: str
    minutes: int
    module: str | None
    position: int
    path: str
    body_html: str
    toc: list[dict]
    quiz: list[dict]


@dataclass
class AssetSource:
    path: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class CourseSource:
    slug: str
    title: str
    summary: str
    level: str
    hours: float
    skills: list[dict]
    pass_mark: int
    authors: list[dict]
    status: str
    featured: bool
    modules: list[dict]
    overview_html: str
    path: str
    lessons: list[LessonSource] = field(default_factory=list)
    assets: list[AssetSource] = field(default_factory=list)
    # The course's files exactly as read (course.md, lessons, referenced assets), keyed by their
    # path inside the course folder: what the studio keeps, edits and exports.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Catalogue:
    courses: list[CourseSource]
    problems: list[Problem]
    whole: bool  # True when the catalogue root was loaded, False for a single course folder

    @property
    def ok(self) -> bool:
        return not self.problems


class _Reader:
    """Reads files once, reports paths relative to the folder the user named.

    It also carries the load's options: the asset URL prefix, and which files to render (a
    preview renders one file; every file is still checked).
    """

    def __init__(
        self, base: Path, asset_base: str | None = None, render_only: set[str] | None = None
    ):
        self.base = base
        self.asset_base = asset_base
        self.render_only = render_only
        self._docs: dict[Path, Document | None] = {}

    def renders(self, path: Path) -> bool:
        return self.render_only is None or path.name in self.render_only

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base.parent))
        except ValueError:
            return str(path)

    def document(self, path: Path, problems: ProblemList | None = None) -> Document | None:
        if path not in self._docs or problems is not None:
            sink = problems if problems is not None else ProblemList(self.display(path))
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                sink.add(1, f"file is not valid UTF-8 text ({exc.reason} at byte {exc.start})")
                text = None
            self._docs[path] = parse_document(text, sink) if text is not None else None
        return self._docs[path]

    def lesson_ref(self, path: Path) -> tuple[str, str | None] | None:
        """The (course slug, lesson key) a link to ``path`` means; (slug, None) for course.md."""
        if not path.is_file():
            return None
        course_file = path.parent / COURSE_FILE
        if not course_file.is_file():
            return None
        course_doc = self.document(course_file)
        slug = course_doc.meta.get("id") if course_doc else None
        if not isinstance(slug, str):
            slug = path.parent.name  # course.md is broken; it is reported on its own
        if path.name == COURSE_FILE:
            return slug, None
        if not LESSON_FILE_RE.match(path.name):
            return None
        doc = self.document(path)
        key = doc.meta.get("id") if doc else None
        if not isinstance(key, str):
            # The target lesson is broken and reported on its own; the link itself is fine.
            key = path.stem.split("-", 1)[1]
        return slug, key


def load_catalogue(
    path: str | Path, *, asset_base: str | None = None, render_only: set[str] | None = None
) -> Catalogue:
    """Load and check every course under ``path`` (or the single course folder ``path``).

    ``asset_base`` replaces the published asset URL prefix (the studio's preview of draft images).
    ``render_only`` names the files (e.g. ``{"02-loops.md"}``) whose HTML is wanted: the others
    are checked in full but not rendered, so a preview costs one file's rendering.
    """
    base = Path(path).resolve()
    problems: list[Problem] = []
    if not base.is_dir():
        return Catalogue([], [Problem(str(path), 1, "no such content folder")], whole=True)
    reader = _Reader(base, asset_base, render_only)
    whole = not (base / COURSE_FILE).is_file()
    if whole:
        folders = sorted(p for p in base.iterdir() if p.is_dir() and p.name[0] not in "._")
        for folder in folders:
            if not (folder / COURSE_FILE).is_file():
                problems.append(
                    Problem(reader.display(folder), 1, f"course folder has no {COURSE_FILE}")
                )
        folders = [folder for folder in folders if (folder / COURSE_FILE).is_file()]
    else:
        folders = [base]
    courses = []
    for folder in folders:
        course = _load_course(folder, reader, problems)
        if course is not None:
            courses.append(course)
    _check_unique_course_ids(courses, reader, problems)
    return Catalogue(courses, sorted(set(problems)), whole)


def _check_unique_course_ids(
    courses: list[CourseSource], reader: _Reader, problems: list[Problem]
) -> None:
    seen: dict[str, str] = {}
    for course in courses:
        if course.slug in seen:
            course_file = reader.base.parent / course.path / COURSE_FILE
            doc = reader.document(course_file)
            line = doc.key_lines.get("id", 1) if doc else 1
            problems.append(
                Problem(
                    reader.display(course_file),
                    line,
                    f"duplicate course id '{course.slug}': also used by {seen[course.slug]}",
                )
            )
        else:
            seen[course.slug] = course.path


def _load_course(folder: Path, reader: _Reader, problems: list[Problem]) -> CourseSource | None:
    course_file = folder / COURSE_FILE
    course_problems = ProblemList(reader.display(course_file))
    doc = reader.document(course_file, course_problems)
    meta = check_document(doc, COURSE_FIELDS, course_problems) if doc else None
    lesson_files = _lesson_files(folder, reader, problems)
    if not lesson_files:
        course_problems.add(1, "course has no lessons: add files named like 01-introduction.md")
    # Without a valid course.md the lessons are still checked in full (under the folder's name),
    # so one bad course file does not hide the lessons' own mistakes.
    resolver = LinkResolver(
        folder, meta["id"] if meta else folder.name, reader.lesson_ref, reader.asset_base
    )
    if doc is not None:
        _check_links(doc, course_file, resolver, course_problems)
    problems.extend(course_problems)
    if doc is None or meta is None:
        for position, lesson_file in enumerate(lesson_files, start=1):
            _load_lesson(lesson_file, position, [], resolver, reader, problems, check_modules=False)
        return None
    overview = (
        render_markdown(doc.body, resolver.for_renderer(course_file)).html
        if reader.renders(course_file)
        else ""
    )
    course = CourseSource(
        slug=meta["id"],
        title=meta["title"],
        summary=meta["summary"],
        level=meta["level"],
        hours=float(meta["hours"]),
        skills=meta["skills"],
        pass_mark=meta["pass_mark"],
        authors=meta["authors"],
        status=meta["status"],
        featured=meta["featured"],
        modules=meta["modules"],
        overview_html=overview,
        path=reader.display(folder),
    )
    module_ids = [module["id"] for module in course.modules]
    seen_keys: dict[str, str] = {}
    for position, lesson_file in enumerate(lesson_files, start=1):
        lesson = _load_lesson(lesson_file, position, module_ids, resolver, reader, problems)
        if lesson is None:
            continue
        if lesson.key in seen_keys:
            problems.append(
                Problem(
                    lesson.path,
                    reader.document(lesson_file).key_lines.get("id", 1),
                    f"duplicate lesson id '{lesson.key}': also used by {seen_keys[lesson.key]}",
                )
            )
            continue
        seen_keys[lesson.key] = lesson_file.name
        course.lessons.append(lesson)
    _check_module_order(course, problems)
    course.assets = [_asset(folder, relative) for relative in sorted(resolver.assets)]
    course.files = {path.name: path.read_bytes() for path in [course_file, *lesson_files]} | {
        asset.path: asset.data for asset in course.assets
    }
    return course


def _lesson_files(folder: Path, reader: _Reader, problems: list[Problem]) -> list[Path]:
    files = []
    numbers: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name == COURSE_FILE:
            continue
        if not LESSON_FILE_RE.match(path.name):
            problems.append(
                Problem(
                    reader.display(path),
                    1,
                    "lesson file names must look like '01-introduction.md' "
                    "(a number, a hyphen, lowercase words)",
                )
            )
            continue
        number = path.name.split("-", 1)[0]
        if number in numbers:
            problems.append(
                Problem(
                    reader.display(path),
                    1,
                    f"lesson number {number} is also used by {numbers[number]}: "
                    "the order is unclear",
                )
            )
        numbers.setdefault(number, path.name)
        files.append(path)
    return files


def _load_lesson(
    path: Path,
    position: int,
    module_ids: list[str],
    resolver: LinkResolver,
    reader: _Reader,
    problems: list[Problem],
    *,
    check_modules: bool = True,
) -> LessonSource | None:
    lesson_problems = ProblemList(reader.display(path))
    doc = reader.document(path, lesson_problems)
    meta = check_document(doc, LESSON_FIELDS, lesson_problems) if doc else None
    if doc is None or meta is None:
        problems.extend(lesson_problems)
        return None
    module = meta["module"]
    if not check_modules:
        pass
    elif module_ids and module is None:
        lesson_problems.add(1, "field 'module' is required: the course declares modules")
    elif module is not None and module not in module_ids:
        known = ", ".join(module_ids) if module_ids else "none (course.md declares no modules)"
        lesson_problems.add(
            doc.key_lines.get("module", 1), f"unknown module '{module}'; known: {known}"
        )
    body, block = quiz_format.extract_quiz(doc.body, doc.body_line, lesson_problems)
    questions: list[dict] = []
    renderer = resolver.for_renderer(path)
    if block is not None:
        drafts = quiz_format.parse_quiz(block, lesson_problems)
        inline = (lambda text: render_inline(text, renderer)) if reader.renders(path) else str
        questions = quiz_format.build_questions(drafts, inline)
    _check_links(doc, path, resolver, lesson_problems)
    if not body.strip():
        lesson_problems.add(doc.body_line, "lesson has no text")
    problems.extend(lesson_problems)
    rendered = render_markdown(body, renderer) if reader.renders(path) else Rendered("", [])
    return LessonSource(
        key=meta["id"],
        title=meta["title"],
        minutes=meta["minutes"],
        module=module,
        position=position,
        path=reader.display(path),
        body_html=rendered.html,
        toc=rendered.toc,
        quiz=questions,
    )


def _check_links(
    doc: Document, path: Path, resolver: LinkResolver, file_problems: ProblemList
) -> None:
    for link in find_links(doc.body, doc.body_line):
        message = resolver.check(path, link)
        if message:
            file_problems.add(link.line, message)


def _check_module_order(course: CourseSource, problems: list[Problem]) -> None:
    """Each module's lessons must be numbered together, modules in course.md's order."""
    if not course.modules:
        return
    order = {module["id"]: i for i, module in enumerate(course.modules)}
    highest = -1
    for lesson in course.lessons:
        if lesson.module is None or lesson.module not in order:
            continue
        rank = order[lesson.module]
        if rank < highest:
            problems.append(
                Problem(
                    lesson.path,
                    1,
                    f"lesson is in module '{lesson.module}' but is numbered after lessons of a "
                    "later module: renumber the files so each module's lessons come together, "
                    "in the order course.md lists the modules",
                )
            )
        highest = max(highest, rank)


def _asset(folder: Path, relative: str) -> AssetSource:
    media_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    return AssetSource(relative, media_type, (folder / relative).read_bytes())
