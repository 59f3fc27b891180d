"""The names a course may give its files: one strict allow-list, checked before anything else.

A course reaches the loader as a mapping of relative path -> bytes, whether it came from a folder
on disk (the CLI), from the database (the studio) or from a zip (an import). The paths in that
mapping are never opened on any disk here, but they become asset URLs, database rows and the
entries of exported zips that trainers unpack on their own computers. So every one of them must
be a plain relative name: no ``..``, no absolute path or drive letter, no backslash, NUL or other
control character, no empty or hidden part, no name two computers would spell differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

COURSE_FILE = "course.md"
# A lesson is a top-level file named like 01-introduction.md: a number, a hyphen, lowercase words.
LESSON_FILE_RE = re.compile(r"^\d{2,3}-[a-z0-9][a-z0-9-]*\.md\Z")
# One part of a path: ASCII letters, digits, '-', '_' and '.', starting with a letter, digit or
# '_' (so never hidden, never '.' or '..', never read as a command-line option) and not ending
# with '.' (Windows drops a trailing dot, so two names would become one).
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?\Z")
# (Patterns end with \Z: "$" would also accept a name ending in a line break.)
# Names Windows reserves for devices, with any extension: unpacking an export there would fail.
WINDOWS_DEVICE_RE = re.compile(r"^(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?\Z", re.I | re.S)
DRIVE_RE = re.compile(r"^[A-Za-z]:")
MAX_DEPTH = 4  # e.g. images/diagrams/2026/loop.svg
MAX_SEGMENT = 100
MAX_PATH = 200
ALLOWED = "letters a-z and A-Z, digits, '-', '_' and '.'"


def quoted(name: object, limit: int = 60) -> str:
    """A name as a message may show it: quoted, cut when long, every non-ASCII or control
    character escaped (so a look-alike letter or a NUL is visible, never hidden or printed raw)."""
    if not isinstance(name, str):
        shown = ascii(name)  # a list or a number, as YAML gave it
        return shown if len(shown) <= limit else f"{shown[:limit]}..."
    shown = ascii(name[:limit])
    return f"{shown[:-1]}...{shown[-1]}" if len(name) > limit else shown


def escape_problem(path: str) -> str | None:
    """Why ``path`` could lead outside the folder it is meant to be in, or None: an absolute path
    or drive letter, a '.', '..' or empty part, a backslash or a control character."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return "contains a control character (such as NUL or a line break)"
    if "\\" in path:
        return "contains a backslash: folders are separated by '/'"
    if path.startswith("/"):
        return "is an absolute path: paths are relative to the course folder"
    if DRIVE_RE.match(path):
        return "starts with a drive letter: paths are relative to the course folder"
    for part in path.split("/"):
        if part == "":
            return "has an empty part ('//', or '/' at the end)"
        if part in {".", ".."}:
            return f"contains '{part}': a path may not step out of its folder"
    return None


def path_problem(path: object) -> str | None:
    """Why ``path`` is not an acceptable file path inside a course folder, or None if it is."""
    if not isinstance(path, str):
        return "is not a text name"
    if not path:
        return "is empty"
    if len(path) > MAX_PATH:
        return f"is {len(path)} characters long; the limit is {MAX_PATH}"
    if problem := escape_problem(path):
        return problem
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        return f"is nested {len(parts) - 1} folders deep; the limit is {MAX_DEPTH - 1}"
    for part in parts:
        if problem := _segment_problem(part):
            return problem
    return None


def folder_problem(name: object) -> str | None:
    """Why ``name`` is not an acceptable course folder name (one path part), or None."""
    if problem := path_problem(name):
        return problem
    return "contains '/': a course folder name is a single name" if "/" in name else None


def _segment_problem(part: str) -> str | None:
    if part.startswith("."):
        return "names a hidden file or folder (starting with '.')"
    if len(part) > MAX_SEGMENT:
        return f"has a part {len(part)} characters long; the limit is {MAX_SEGMENT}"
    if not SEGMENT_RE.match(part):
        return (
            f"uses characters a course file name may not have: use {ALLOWED}, "
            "starting with a letter, digit or '_' and not ending with '.'"
        )
    if WINDOWS_DEVICE_RE.match(part):
        return f"uses the name '{part}', which Windows reserves for a device"
    return None


def case_clashes(paths: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of paths that differ only in upper and lower case: one file on macOS and Windows."""
    seen: dict[str, str] = {}
    clashes = []
    for path in sorted(paths):
        key = path.lower()
        if key in seen:
            clashes.append((seen[key], path))
        else:
            seen[key] = path
    return clashes
