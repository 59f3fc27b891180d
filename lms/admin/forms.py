"""Admin forms: searching the accounts list, one role form per account, finding certificates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SearchField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from lms.auth.admin import ROLE_MESSAGE, UserQuery
from lms.certificates.codes import ALPHABET, LENGTH, fragment
from lms.certificates.search import STATUSES, CertificateQuery
from lms.forms import ChoiceField, no_control_characters
from lms.models import ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in ROLES]


class UserFilterForm(FlaskForm):
    """Search and filters, sent by GET so a list can be bookmarked."""

    class Meta:
        csrf = False  # a read-only GET form changes nothing

    q = SearchField(
        "Name or email",
        validators=[
            Optional(),
            Length(max=254, message="Search for at most 254 characters."),
            no_control_characters,
        ],
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


CODE_TOO_LONG = f"Enter at most {LENGTH} letters and numbers: that is a whole certificate code."


class CertificateFilterForm(FlaskForm):
    """Finding certificates, sent by GET so a search can be bookmarked or shared."""

    class Meta:
        csrf = False  # a read-only GET form changes nothing

    q = SearchField(
        "Name or email of the learner",
        validators=[
            Optional(),
            Length(max=254, message="Search for at most 254 characters."),
            no_control_characters,
        ],
    )
    course = ChoiceField("Course", message="Choose a course from the list.")
    code = SearchField(
        "Part of the code",
        description="Any part, with or without dashes, e.g. 7K3M-Q9.",
        # Long enough for a whole grouped code with spaces; the cleaned code is checked below.
        validators=[Optional(), Length(max=64, message=CODE_TOO_LONG)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    status = ChoiceField(
        "Status",
        message="Choose a status from the list.",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(status, status.capitalize()) for status in STATUSES],
    )

    def __init__(self, courses: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.course.choices = [SelectChoice("", "Any course")] + [
            SelectChoice(str(course_id), title) for course_id, title in courses
        ]

    def validate_code(self, field) -> None:
        cleaned = fragment(field.data or "")
        if any(ch not in ALPHABET for ch in cleaned):
            raise ValidationError(
                "A code has only letters and numbers (dashes and spaces are fine). "
                "Check what you typed."
            )
        if len(cleaned) > LENGTH:
            raise ValidationError(CODE_TOO_LONG)

    def to_query(self) -> CertificateQuery:
        """The criteria that passed validation; a field with an error filters nothing."""

        def ok(field) -> str:
            return "" if field.errors else (field.data or "").strip()

        course = ok(self.course)
        return CertificateQuery(
            text=ok(self.q),
            course_id=int(course) if course else None,
            code=fragment(ok(self.code)),
            status=ok(self.status),
        )
