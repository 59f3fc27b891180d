"""Admin forms: searching the accounts list, and one role form per account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SearchField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from lms.auth.admin import ROLE_MESSAGE, UserQuery
from lms.forms import ChoiceField
from lms.models import ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in ROLES]


class UserFilterForm(FlaskForm):
    """Search and filters, sent by GET so a list can be bookmarked."""

    class Meta:
        csrf = False  # a read-only GET form changes nothing

    q = SearchField(
        "Name or email",
        validators=[Optional(), Length(max=254, message="Search for at most 254 characters.")],
    )
    role = ChoiceField(
        "Role",
        message="Choose a role from the list.",
        choices=[SelectChoice("", "Any role"), *ROLE_CHOICES],
    )
    deleted = BooleanField("Include deleted accounts")

    def to_query(self) -> UserQuery:
        """The criteria that passed validation; a field with an error filters nothing."""
        return UserQuery(
            text="" if self.q.errors else (self.q.data or "").strip(),
            role="" if self.role.errors else (self.role.data or ""),
            include_deleted=bool(self.deleted.data),
        )


class RoleForm(FlaskForm):
    """One account's role. Built with ``prefix=f"user-{id}"`` so every row's ids are unique."""

    role = ChoiceField("Role", message=ROLE_MESSAGE, choices=ROLE_CHOICES)
