"""Load courses from their files into validated, rendered course sources, collecting every problem.

The files come as a mapping of relative path -> bytes per course folder, from wherever the
caller keeps them: ``lms/catalogue/files.py`` reads them from a folder on disk for the CLI, the
studio hands over the database's copy. Nothing here touches a disk: every path in the mapping is
checked against the allow-list in ``paths.py`` first, and links are resolved between the
mapping's own names. Loading never stops at the first mistake: authors see every problem in one
run, each as ``path:line: message`` with the path as the author knows it
(``content/python-fundamentals/03-loops.md:12: ...``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping

from lms.content import quiz as quiz_format
from lms.content.frontmatter import Document, parse_document
from lms.content.links import LinkResolver, find_links
from lms.content.paths import (
    COURSE_FILE,
    LESSON_FILE_RE,
    case_clashes,
    folder_problem,
    path_problem,
    quoted,
)
from lms.content.problems import Problem, ProblemList
from lms.content.render import Rendered, render_inline, render_markdown
from lms.content.schema import COURSE_FIELDS, LESSON_FIELDS, SLUG_RE, check_document
from lms.content.sources import AssetSource, Catalogue, CourseSource, LessonSource

__all__ = [
    "Catalogue",
    "CourseFiles",
    "CourseSource",
    "LessonSource",
    "load_catalogue",
    "load_course",
]

# One course's files: path inside the course folder ("01-intro.md", "images/a.png") -> bytes.
CourseFiles = Mapping[str, bytes]


class _Reader:
    """The catalogue's files, each parsed once, with the paths problems are reported under.

    It also carries the load's options: the asset URL prefix, and which files to render (a
    preview renders one file; every file is still checked).
    """

    def __init__(self, root: str, asset_base: str | None, render_only: set[str] | None):
        self.root = root
        self.asset_base = asset_base
        self.render_only = render_only
        self.courses: dict[str, CourseFiles] = {}  # folder -> its files whose paths passed
        self._docs: dict[tuple[str, str], Document | None] = {}

    def renders(self, name: str) -> bool:
        return self.render_only is None or name in self.render_only

    def display(self, folder: str, name: str = "") -> str:
        """The path an author knows: ``content/<folder>/<name>`` for a catalogue."""
        return "/".join(part for part in (self.root, folder, name) if part)

    def document(
        self, folder: str, name: str, problems: ProblemList | None = None
    ) -> Document | None:
        key = (folder, name)
        if key not in self._docs or problems is not None:
            sink = problems if problems is not None else ProblemList(self.display(folder, name))
            self._docs[key] = _parse(self.courses[folder][name], sink)
        return self._docs[key]

    def lesson_ref(self, location: str) -> tuple[str, str | None] | None:
        """The (course slug, lesson key) a link to ``location`` (``folder/file.md``) means;
        (slug, None) for a course.md. None when no such course file was given."""
        folder, _, name = location.partition("/")
        files = self.courses.get(folder)
        if files is None or "/" in name or name not in files or COURSE_FILE not in files:
            return None
        course_doc = self.document(folder, COURSE_FILE)
        slug = course_doc.meta.get("id") if course_doc else None
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            slug = folder  # course.md is broken; it is reported on its own
        if name == COURSE_FILE:
            return slug, None
        if not LESSON_FILE_RE.match(name):
            return None
        doc = self.document(folder, name)
        key = doc.meta.get("id") if doc else None
        if not isinstance(key, str) or not SLUG_RE.match(key):
            # The target lesson is broken and reported on its own; the link itself is fine.
            key = name.split("-", 1)[1].removesuffix(".md")
        return slug, key


def _parse(data: bytes, problems: ProblemList) -> Document | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(1, f"file is not valid UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    # Universal newlines, as reading the file as text always did: line numbers count the same.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_document(text, problems)


def load_course(
    files: CourseFiles,
    *,
    folder: str,
    root: str = "",
    asset_base: str | None = None,
    render_only: set[str] | None = None,
) -> Catalogue:
    """Load and check one course, its files named ``folder/...`` in problems (see
    ``load_catalogue``). Links to other courses' lessons find nothing: only this course is here."""
    return load_catalogue(
        {folder: files}, root=root, whole=False, asset_base=asset_base, render_only=render_only
    )


def load_catalogue(
    courses: Mapping[str, CourseFiles],
    *,
    root: str = "",
    whole: bool = True,
    asset_base: str | None = None,
    render_only: set[str] | None = None,
) -> Catalogue:
    """Load and check every course in ``courses`` (course folder name -> its files).

    ``root`` prefixes every path in problems (the catalogue folder's name, ``content``).
    ``whole`` says these are all the courses there are (a sync then retires any other).
    ``asset_base`` replaces the published asset URL prefix (the studio's preview of draft images).
    ``render_only`` names the files (e.g. ``{"02-loops.md"}``) whose HTML is wanted: the others
    are checked in full but not rendered, so a preview costs one file's rendering.
    """
    problems: list[Problem] = []
    reader = _Reader(root, asset_base, render_only)
    for folder in sorted(courses):
        if problem := folder_problem(folder):
            problems.append(Problem(root or ".", 1, f"course folder {quoted(folder)} {problem}"))
            continue
        reader.courses[folder] = _accepted_files(folder, courses[folder], reader, problems)
    loaded: list[tuple[str, CourseSource]] = []
    for folder, files in reader.courses.items():
        if COURSE_FILE not in files:
            problems.append(
                Problem(reader.display(folder), 1, f"course folder has no {COURSE_FILE}")
            )
            continue
        course = _load_course(folder, reader, problems)
        if course is not None:
            loaded.append((folder, course))
    _check_unique_course_ids(loaded, reader, problems)
    return Catalogue([course for _, course in loaded], sorted(set(problems)), whole)


def _accepted_files(
    folder: str, files: CourseFiles, reader: _Reader, problems: list[Problem]
) -> dict[str, bytes]:
    """The files whose paths pass the allow-list; every other path is a problem, never opened."""
    accepted = {}
    where = reader.display(folder)
    for path, data in files.items():
        if problem := path_problem(path):
            problems.append(Problem(where, 1, f"file {quoted(path)} {problem}"))
        else:
            accepted[path] = data
    for first, second in case_clashes(accepted):
        problems.append(
            Problem(
                where,
                1,
                f"files '{first}' and '{second}' differ only in upper and lower case: "
                "most computers would see one file; rename one of them",
            )
        )
    return accepted


def _check_unique_course_ids(
    loaded: list[tuple[str, CourseSource]], reader: _Reader, problems: list[Problem]
) -> None:
    seen: dict[str, str] = {}
    for folder, course in loaded:
        if course.slug in seen:
            doc = reader.document(folder, COURSE_FILE)
            line = doc.key_lines.get("id", 1) if doc else 1
            problems.append(
                Problem(
                    reader.display(folder, COURSE_FILE),
                    line,
                    f"duplicate course id '{course.slug}': also used by {seen[course.slug]}",
                )
            )
        else:
            seen[course.slug] = course.path


def _load_course(folder: str, reader: _Reader, problems: list[Problem]) -> CourseSource | None:
    files = reader.courses[folder]
    course_problems = ProblemList(reader.display(folder, COURSE_FILE))
    doc = reader.document(folder, COURSE_FILE, course_problems)
    meta = check_document(doc, COURSE_FIELDS, course_problems) if doc else None
    lesson_files = _lesson_files(folder, reader, problems)
    if not lesson_files:
        course_problems.add(1, "course has no lessons: add files named like 01-introduction.md")
    # Without a valid course.md the lessons are still checked in full (under the folder's name),
    # so one bad course file does not hide the lessons' own mistakes.
    resolver = LinkResolver(
        folder, files, meta["id"] if meta else folder, reader.lesson_ref, reader.asset_base
    )
    if doc is not None:
        _check_links(doc, COURSE_FILE, resolver, course_problems)
    problems.extend(course_problems)
    if doc is None or meta is None:
        for position, name in enumerate(lesson_files, start=1):
            _load_lesson(
                folder, name, position, [], resolver, reader, problems, check_modules=False
            )
        return None
    overview = (
        render_markdown(doc.body, resolver.for_renderer(COURSE_FILE)).html
        if reader.renders(COURSE_FILE)
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
    for position, name in enumerate(lesson_files, start=1):
        lesson = _load_lesson(folder, name, position, module_ids, resolver, reader, problems)
        if lesson is None:
            continue
        if lesson.key in seen_keys:
            problems.append(
                Problem(
                    lesson.path,
                    reader.document(folder, name).key_lines.get("id", 1),
                    f"duplicate lesson id '{lesson.key}': also used by {seen_keys[lesson.key]}",
                )
            )
            continue
        seen_keys[lesson.key] = name
        course.lessons.append(lesson)
    _check_module_order(course, problems)
    course.assets = [_asset(files, relative) for relative in sorted(resolver.assets)]
    course.files = {name: files[name] for name in [COURSE_FILE, *lesson_files]} | {
        asset.path: asset.data for asset in course.assets
    }
    return course


def _lesson_files(folder: str, reader: _Reader, problems: list[Problem]) -> list[str]:
    names = []
    numbers: dict[str, str] = {}
    top_level = (p for p in reader.courses[folder] if "/" not in p and p.endswith(".md"))
    for name in sorted(top_level):
        if name == COURSE_FILE:
            continue
        if not LESSON_FILE_RE.match(name):
            problems.append(
                Problem(
                    reader.display(folder, name),
                    1,
                    "lesson file names must look like '01-introduction.md' "
                    "(a number, a hyphen, lowercase words)",
                )
            )
            continue
        number = name.split("-", 1)[0]
        if number in numbers:
            problems.append(
                Problem(
                    reader.display(folder, name),
                    1,
                    f"lesson number {number} is also used by {numbers[number]}: "
                    "the order is unclear",
                )
            )
        numbers.setdefault(number, name)
        names.append(name)
    return names


def _load_lesson(
    folder: str,
    name: str,
    position: int,
    module_ids: list[str],
    resolver: LinkResolver,
    reader: _Reader,
    problems: list[Problem],
    *,
    check_modules: bool = True,
) -> LessonSource | None:
    lesson_problems = ProblemList(reader.display(folder, name))
    doc = reader.document(folder, name, lesson_problems)
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
    renderer = resolver.for_renderer(name)
    if block is not None:
        drafts = quiz_format.parse_quiz(block, lesson_problems)
        inline = (lambda text: render_inline(text, renderer)) if reader.renders(name) else str
        questions = quiz_format.build_questions(drafts, inline)
    _check_links(doc, name, resolver, lesson_problems)
    if not body.strip():
        lesson_problems.add(doc.body_line, "lesson has no text")
    problems.extend(lesson_problems)
    rendered = render_markdown(body, renderer) if reader.renders(name) else Rendered("", [])
    return LessonSource(
        key=meta["id"],
        title=meta["title"],
        minutes=meta["minutes"],
        module=module,
        position=position,
        path=reader.display(folder, name),
        body_html=rendered.html,
        toc=rendered.toc,
        quiz=questions,
    )


def _check_links(
    doc: Document, name: str, resolver: LinkResolver, file_problems: ProblemList
) -> None:
    for link in find_links(doc.body, doc.body_line):
        message = resolver.check(name, link)
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


def _asset(files: CourseFiles, relative: str) -> AssetSource:
    media_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    return AssetSource(relative, media_type, bytes(files[relative]))
