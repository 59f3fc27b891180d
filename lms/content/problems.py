"""Problems found in course files, reported as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ProblemList(list):
    """Collects problems for one file, so callers need not repeat its path."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def add(self, line: int, message: str) -> None:
        self.append(Problem(self.path, max(line, 1), message))
