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
