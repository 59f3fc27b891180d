"""Form pieces shared by every feature package."""

from __future__ import annotations

from wtforms import SelectField, ValidationError


class ChoiceField(SelectField):
    """A select whose wrong value gets a message naming the field, not WTForms' generic one."""

    def __init__(self, label: str, *, message: str, **kwargs):
        super().__init__(label, default="", **kwargs)
        self.message = message

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


MAX_PAGE = 100_000  # beyond any real list; a longer number would overflow the database's integers


def page_number(args) -> int:
    """The ``page`` query argument as a page number; anything odd (too big, zero, negative, not a
    number) means the first page rather than an error."""
    raw = args.get("page", "")
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PAGE:
        return int(raw)
    return 1
