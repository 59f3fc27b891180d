"""Read course files from a folder on disk: the only code that takes course content off a disk.

``flask content check`` and ``flask content sync`` name a folder: a catalogue (one folder per
course) or a single course folder. This module lists it and hands the bytes to the course-format
loader as a mapping of path -> bytes; the loader checks every name against its allow-list.

What is read is decided by the directory listing alone, never by anything a file says:
- hidden entries (``.git``, ``.DS_Store``) are skipped, and catalogue folders starting with ``_``;
- a symbolic link is read only when it leads to a file inside its own course folder; one leading
  anywhere else, a symlinked course folder, a device, pipe or socket is a problem, never read;
- folders are opened one level at a time with ``O_NOFOLLOW``, relative to their parent, so a
  folder swapped for a link while the catalogue is read is refused, not followed;
- sizes are capped per file and per course before anything is read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from lms.content.loader import Catalogue, load_catalogue
from lms.content.paths import COURSE_FILE, MAX_DEPTH, path_problem
from lms.content.problems import Problem

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_COURSE_BYTES = 100 * 1024 * 1024
MAX_COURSE_FILES = 1000
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a pipe swapped in must not block the read


@dataclass
class ContentFolder:
    """A folder's courses as the loader takes them, and what could not be read."""

    root: str  # shown before each course folder in problems ("content"); "" for one course
    courses: dict[str, dict[str, bytes]] = field(default_factory=dict)
    whole: bool = True
    problems: list[Problem] = field(default_factory=list)


def load_content_folder(path: str | Path, **options) -> Catalogue:
    """Read ``path`` (a catalogue, or one course folder) and load it; every problem, read or
    loaded, is in the result. ``options`` are ``load_catalogue``'s."""
    folder = read_content_folder(path)
    catalogue = load_catalogue(folder.courses, root=folder.root, whole=folder.whole, **options)
    if folder.problems:
        catalogue.problems = sorted(set(catalogue.problems) | set(folder.problems))
    return catalogue


def read_content_folder(path: str | Path) -> ContentFolder:
    """The files of every course under ``path``, or of the single course folder ``path``."""
    try:
        # The folder the operator named (a setting or an argument) may itself be a link.
        base = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        base = None
    if base is None or not base.is_dir():
        return ContentFolder(str(path), problems=[Problem(str(path), 1, "no such content folder")])
    if not os.path.lexists(base / COURSE_FILE):
        result = ContentFolder(base.name, whole=True)
        try:
            entries = sorted(os.scandir(base), key=lambda e: e.name)
        except OSError as exc:
            result.problems.append(Problem(base.name, 1, f"cannot be read: {exc.strerror}"))
            entries = []
        for entry in entries:
            if entry.name[0] in "._":
                continue
            where = f"{base.name}/{entry.name}"
            if entry.is_symlink():
                if entry.is_dir():
                    result.problems.append(
                        Problem(
                            where,
                            1,
                            "is a symbolic link: a course folder must be a real "
                            "folder inside the catalogue; it was not read",
                        )
                    )
                continue
            if entry.is_dir(follow_symlinks=False):
                result.courses[entry.name] = _read_course(Path(entry.path), where, result.problems)
        return result
    result = ContentFolder("", whole=False)
    result.courses[base.name] = _read_course(base, base.name, result.problems)
    return result


@dataclass
class _Walk:
    """One course folder being read: where it is, what was read, what is left of the budget."""

    real: str  # the course folder's real path, to tell where a symbolic link leads
    where: str  # its path as problems show it
    problems: list[Problem]
    files: dict[str, bytes] = field(default_factory=dict)
    total: int = 0
    full: bool = False

    def problem(self, relative: str, message: str) -> None:
        self.problems.append(Problem(f"{self.where}/{relative}", 1, message))


def _read_course(folder: Path, where: str, problems: list[Problem]) -> dict[str, bytes]:
    walk = _Walk(os.path.realpath(folder), where, problems)
    try:
        fd = os.open(folder, _DIRECTORY)
    except OSError as exc:
        problems.append(Problem(where, 1, f"cannot be read: {exc.strerror}"))
        return {}
    try:
        _read_folder(fd, "", walk)
    finally:
        os.close(fd)
    return walk.files


def _read_folder(dir_fd: int, prefix: str, walk: _Walk) -> None:
    with os.scandir(dir_fd) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if walk.full:
            return
        if entry.name.startswith("."):
            continue
        relative = prefix + entry.name
        try:
            if entry.is_symlink():
                _read_link(relative, walk)
            elif entry.is_dir(follow_symlinks=False):
                _read_subfolder(dir_fd, entry.name, relative, walk)
            elif entry.is_file(follow_symlinks=False):
                _add(relative, os.open(entry.name, _FILE, dir_fd=dir_fd), walk)
            else:
                walk.problem(relative, "is not a regular file (a device, pipe or socket): not read")
        except OSError as exc:
            walk.problem(relative, f"cannot be read: {exc.strerror or exc}")


def _read_subfolder(dir_fd: int, name: str, relative: str, walk: _Walk) -> None:
    problem = path_problem(relative)
    if problem is None and relative.count("/") + 2 > MAX_DEPTH:
        problem = f"is {relative.count('/') + 1} folders deep; the limit is {MAX_DEPTH - 1}"
    if problem:
        walk.problem(relative, f"folder {problem}: its files were not read")
        return
    fd = os.open(name, _DIRECTORY, dir_fd=dir_fd)
    try:
        _read_folder(fd, relative + "/", walk)
    finally:
        os.close(fd)


def _read_link(relative: str, walk: _Walk) -> None:
    """Read a symbolic link's file only if it is inside the same course folder."""
    target = os.path.realpath(os.path.join(walk.real, relative))
    if os.path.commonpath([walk.real, target]) != walk.real:
        walk.problem(relative, "is a symbolic link to a place outside the course folder: not read")
    elif not os.path.isfile(target):
        walk.problem(relative, "is a symbolic link that does not lead to a file: not read")
    else:
        _add(relative, os.open(target, _FILE), walk)


def _add(relative: str, fd: int, walk: _Walk) -> None:
    with open(fd, "rb") as file:  # takes over the descriptor, and closes it
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            walk.problem(relative, "is not a regular file: not read")
            return
        if info.st_size > MAX_FILE_BYTES:
            walk.problem(
                relative,
                f"is {_size(info.st_size)}; a course file may be at most "
                f"{_size(MAX_FILE_BYTES)}: not read",
            )
            return
        if len(walk.files) >= MAX_COURSE_FILES or walk.total + info.st_size > MAX_COURSE_BYTES:
            walk.problems.append(
                Problem(
                    walk.where,
                    1,
                    f"the course folder holds more than {MAX_COURSE_FILES} files or "
                    f"{_size(MAX_COURSE_BYTES)}: the rest was not read",
                )
            )
            walk.full = True
            return
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        walk.problem(relative, "changed size while it was read: not read")
        return
    walk.total += len(data)
    walk.files[relative] = data


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"
