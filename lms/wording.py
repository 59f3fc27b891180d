"""Small helpers for wording shown to people: one place, so pages and commands agree."""

from __future__ import annotations


def plural(number: int, noun: str, plural_form: str | None = None) -> str:
    """'1 course', '6 courses', '0 courses and lessons' (with an explicit plural form)."""
    return f"{number} {noun if number == 1 else plural_form or noun + 's'}"
