"""Proof that code under test wrote nothing to disk: Python's audit hooks report every file opened
for writing, every folder made, file renamed or removed and every temporary file or program
started; listings of the project, the virtual environment and the test's temporary folder are
compared before and after, so a write that slipped past the hooks still shows.

    with DiskWatch(tmp_path) as watch:
        client.post(...)
    assert watch.changes() == []
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path

from lms.config import PROJECT_ROOT

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
WRITE_EVENTS = {
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.chmod",
    "os.utime",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "shutil.rmtree",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
    "subprocess.Popen",
    "os.system",
    "os.posix_spawn",
}
# Caches that tools keep beside the code, written by Python and the test runner, not the app.
IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".git", ".venv"}
_watching: list[list[tuple[str, str]]] = []


def _audit(event: str, args: tuple) -> None:
    if not _watching:
        return
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
            (flags or 0) & WRITE_FLAGS
        )
        if writes and "__pycache__" not in str(path):
            _watching[-1].append((event, str(path)))
    elif event in WRITE_EVENTS:
        _watching[-1].append((event, str(args[0]) if args else ""))


sys.addaudithook(_audit)  # once per process (hooks cannot be removed); idle unless watching


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in IGNORED_PARTS]
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            found[path] = (info.st_size, info.st_mtime_ns)
    return found


class DiskWatch:
    """Records writes while active; ``changes()`` lists them, and every file that appeared,
    vanished or changed under the project, site-packages and ``scratch`` (a folder of the test's
    own, whose ``tmp`` becomes the temporary-files folder while watching)."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.roots = [PROJECT_ROOT, Path(sysconfig.get_paths()["purelib"]), scratch]
        self.events: list[tuple[str, str]] = []

    def __enter__(self) -> DiskWatch:
        self._tempdir = tempfile.tempdir
        (self.scratch / "tmp").mkdir(parents=True, exist_ok=True)
        tempfile.tempdir = str(self.scratch / "tmp")
        self.before = [_listing(root) for root in self.roots]
        _watching.append(self.events)
        return self

    def __exit__(self, *exc) -> None:
        _watching.remove(self.events)
        tempfile.tempdir = self._tempdir
        self.after = [_listing(root) for root in self.roots]

    def changes(self) -> list[str]:
        found = [f"{event} {path}" for event, path in self.events]
        for before, after in zip(self.before, self.after, strict=True):
            for path in sorted(before.keys() | after.keys()):
                if before.get(path) != after.get(path):
                    found.append(f"changed on disk: {path}")
        return found
