"""Split a Markdown file into YAML front matter and body, keeping line numbers for errors; read
one file's front matter (its title, its id) without checking the whole course."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from lms.content.problems import ProblemList


@dataclass
class Document:
    meta: dict[str, Any]
    key_lines: dict[str, int]  # front-matter key -> line in the file (1-based)
    body: str
    body_line: int  # line in the file where the body starts (1-based)
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # list key -> line of each item


def _yaml_line_map(text: str, first_line: int) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Lines of each top-level key, and of each item of top-level lists, from YAML's node tree."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    keys: dict[str, int] = {}
    items: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            keys[str(key_node.value)] = first_line + key_node.start_mark.line
            if isinstance(value_node, yaml.SequenceNode):
                items[str(key_node.value)] = [
                    first_line + item.start_mark.line for item in value_node.value
                ]
    return keys, items


def parse_document(text: str, problems: ProblemList) -> Document | None:
    """Parse ``---``-delimited YAML front matter; on failure add a problem and return None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        problems.add(1, "missing front matter: the file must start with a line '---'")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
    if end is None:
        problems.add(1, "front matter is not closed: add a line '---' after it")
        return None
    yaml_text = "".join(lines[1:end])
    try:
        meta = yaml.safe_load(yaml_text)
        key_lines, item_lines = _yaml_line_map(yaml_text, first_line=2)
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed "["), which is where
        # the author must look; the problem mark is where the parser gave up, often a line later.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add(line, f"invalid YAML in front matter: {reason}")
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.add(2, "front matter must be a mapping of 'key: value' lines")
        return None
    return Document(
        meta=meta,
        key_lines=key_lines,
        body="".join(lines[end + 1 :]),
        body_line=end + 2,
        item_lines=item_lines,
    )


def front_matter(data: bytes | None) -> Document | None:
    """A stored file's parsed front matter, or None if it has none that can be read."""
    if not data:
        return None
    try:
        return parse_document(data.decode("utf-8"), ProblemList("-"))
    except UnicodeDecodeError:
        return None


def front_matter_id(data: bytes | None) -> tuple[str | None, int]:
    """A file's ``id`` and the line it is on, or (None, 1)."""
    doc = front_matter(data)
    if doc is None or not isinstance(doc.meta.get("id"), str):
        return None, 1
    return doc.meta["id"], doc.key_lines.get("id", 1)
