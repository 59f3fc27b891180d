"""Form pieces shared by every feature package."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, ValidationError


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: for actions that must not happen on a GET."""


class ChoiceField(SelectField):
    """A select whose wrong value gets a message naming the field, not WTForms' generic one."""

    def __init__(self, label: str, *, message: str, **kwargs):
        super().__init__(label, default="", **kwargs)
        self.message = message

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


def no_control_characters(form, field) -> None:
    """Refuse control characters (a NUL byte, escape sequences) in free text: PostgreSQL refuses
    NUL in text outright, and none of them belongs in a name, an email or a search."""
    if field.data and any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in field.data):
        raise ValidationError(
            "Remove the control characters (such as a null byte) from what you typed."
        )


MAX_PAGE = 100_000  # beyond any real list; a longer number would overflow the database's integers


def page_number(args) -> int:
    """The ``page`` query argument as a page number; anything odd (too big, zero, negative, not a
    number) means the first page rather than an error."""
    raw = args.get("page", "")
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PAGE:
        return int(raw)
    return 1
