"""Front-matter schemas for course and lesson files.

Each field is a small spec (required or not, and a checker that returns the cleaned value or raises
``FieldError``). Checking reports every problem at once, each on the line of the offending key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lms.content.frontmatter import Document
from lms.content.paths import quoted
from lms.content.problems import ProblemList

# \Z, not $: "$" also matches before a final line break, which an id must not end with.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
MAX_SLUG = 80
SFIA_RE = re.compile(r"^[A-Z]{4}\Z")
LEVELS = ("beginner", "intermediate", "advanced")
STATUSES = ("draft", "published")


class FieldError(ValueError):
    """A field's value is wrong; the message says what is expected."""


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], Any]
    required: bool = True
    default: Any = None


def text(max_length: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise FieldError("must be non-empty text")
        value = " ".join(value.split())
        if len(value) > max_length:
            raise FieldError(f"is {len(value)} characters long; the limit is {max_length}")
        return value

    return check


def slug(value: Any) -> str:
    """An id used in URLs and records: ASCII only, so no look-alike letter passes for another."""
    if not isinstance(value, str) or not SLUG_RE.match(value) or len(value) > MAX_SLUG:
        raise FieldError(
            f"{quoted(value)} is not a valid id: use lowercase letters a-z, digits and single "
            f"hyphens (at most {MAX_SLUG} characters)"
        )
    return value


def choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in allowed:
            raise FieldError(f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    return check


def number(minimum: float, maximum: float, *, whole: bool = False) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise FieldError("must be a whole number" if whole else "must be a number")
        if not minimum <= value <= maximum:
            raise FieldError(f"must be between {minimum:g} and {maximum:g}, not {value:g}")
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


def check_mapping(value: Any, fields: dict[str, Field], what: str) -> dict[str, Any]:
    """Check a nested mapping (a skill, an author, a module); raise on the first problem."""
    if not isinstance(value, dict):
        raise FieldError(f"each {what} must be a mapping with keys {', '.join(fields)}")
    errors = []
    clean = _check_fields(value, fields, lambda key, msg: errors.append(f"{key} {msg}"))
    if errors:
        raise FieldError(f"{what}: " + "; ".join(errors))
    return clean


def items_of(fields: dict[str, Field], what: str, *, minimum: int = 1) -> Callable[[Any], list]:
    def check(value: Any) -> list:
        if not isinstance(value, list) or len(value) < minimum:
            raise FieldError(f"must be a list of at least {minimum} {what}")
        return [check_mapping(item, fields, what) for item in value]

    return check


def _check_fields(meta: dict, fields: dict[str, Field], report: Callable[[str, str], None]) -> dict:
    clean: dict[str, Any] = {}
    for key in meta:
        if key not in fields:
            hint = difflib.get_close_matches(str(key), fields, n=1)
            suffix = f" (did you mean '{hint[0]}'?)" if hint else f"; known: {', '.join(fields)}"
            report(str(key), f"is an unknown field{suffix}")
    for key, spec in fields.items():
        if key not in meta or meta[key] is None:
            if spec.required:
                report(key, "is required")
            else:
                clean[key] = spec.default
            continue
        try:
            clean[key] = spec.check(meta[key])
        except FieldError as exc:
            report(key, str(exc))
    return clean


def check_document(doc: Document, fields: dict[str, Field], problems: ProblemList) -> dict | None:
    """Check front matter against ``fields``; return the cleaned values, or None if any problem."""
    before = len(problems)

    def report(key: str, message: str) -> None:
        problems.add(doc.key_lines.get(key, 1), f"field '{key}' {message}")

    clean = _check_fields(doc.meta, fields, report)
    return clean if len(problems) == before else None


def _sfia_level(value: Any) -> int:
    return int(number(1, 7, whole=True)(value))


def _sfia_code(value: Any) -> str:
    if not isinstance(value, str) or not SFIA_RE.match(value):
        raise FieldError(f"{value!r} is not an SFIA code (four capital letters, e.g. PROG)")
    return value


SKILL_FIELDS = {
    "name": Field(text(120)),
    "sfia": Field(_sfia_code, required=False),
    "level": Field(_sfia_level, required=False),
}
AUTHOR_FIELDS = {"name": Field(text(120)), "role": Field(text(200), required=False)}
MODULE_FIELDS = {"id": Field(slug), "title": Field(text(200))}


def _skills(value: Any) -> list:
    skills = items_of(SKILL_FIELDS, "skill")(value)
    for skill in skills:
        if skill["level"] is not None and skill["sfia"] is None:
            raise FieldError(f"skill {skill['name']!r} has an SFIA level but no 'sfia' code")
    names = [skill["name"].lower() for skill in skills]
    if len(set(names)) != len(names):
        raise FieldError("lists the same skill twice")
    return skills


def _modules(value: Any) -> list:
    modules = items_of(MODULE_FIELDS, "module")(value)
    ids = [module["id"] for module in modules]
    if len(set(ids)) != len(ids):
        raise FieldError("has two modules with the same id")
    return modules


COURSE_FIELDS: dict[str, Field] = {
    "id": Field(slug),
    "title": Field(text(200)),
    "summary": Field(text(300)),
    "level": Field(choice(*LEVELS)),
    "hours": Field(number(0.25, 500)),
    "skills": Field(_skills),
    "pass_mark": Field(number(1, 100, whole=True)),
    "authors": Field(items_of(AUTHOR_FIELDS, "author")),
    "status": Field(choice(*STATUSES)),
    "featured": Field(boolean, required=False, default=False),
    "modules": Field(_modules, required=False, default=[]),
}

LESSON_FIELDS: dict[str, Field] = {
    "id": Field(slug),
    "title": Field(text(200)),
    "minutes": Field(number(1, 600, whole=True)),
    "module": Field(slug, required=False),
}
