"""Form pieces shared by every feature package."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict
from wtforms import SelectField, ValidationError

PAGE_NUMBER = re.compile(r"[0-9]+")  # ASCII digits: int() also takes "١٢" and " 3 "
MAX_PAGE = 1_000_000


class ChoiceField(SelectField):
    """A select whose wrong value gets a message naming the field, not WTForms' generic one."""

    def __init__(self, label: str, *, message: str, **kwargs):
        super().__init__(label, default="", **kwargs)
        self.message = message

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


def page_number(args: MultiDict) -> int:
    """The ``?page=`` of a list: a whole number from 1, in ASCII digits; anything else is page 1.

    Flask-SQLAlchemy reads ``page`` with int(), so ``?page=99999999999999999999999`` reached the
    database as an OFFSET too large for it (a 500). A number past the end asks for the last page
    (see ``lms.db.paginate``); past a million it is read as a million, more pages than any list.
    """
    raw = args.get("page", "")
    if not PAGE_NUMBER.fullmatch(raw):
        return 1
    return max(1, int(raw) if len(raw) <= 7 else MAX_PAGE)
