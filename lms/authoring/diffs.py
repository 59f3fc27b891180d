"""Line diffs between two versions of a file, shaped for an accessible table."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "gap"
    old: int | None
    new: int | None
    text: str


def line_diff(before: bytes, after: bytes, context: int = 3) -> list[DiffLine]:
    """The changed lines with ``context`` unchanged lines around each change; gaps marked."""
    old = before.decode("utf-8", errors="replace").splitlines()
    new = after.decode("utf-8", errors="replace").splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index:
            lines.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(
                    DiffLine("same", i + 1, j + 1, old[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            if tag in ("replace", "delete"):
                lines.extend(DiffLine("removed", i + 1, None, old[i]) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                lines.extend(DiffLine("added", None, j + 1, new[j]) for j in range(j1, j2))
    return lines
