"""Certificate forms: look up a code, revoke, employers' bulk check and API tokens."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from lms.certificates.codes import normalise


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only look-up by GET, shareable as a link

    code = StringField(
        "Certificate code",
        description="28 letters and numbers, as printed on the certificate, e.g. 7K3M-Q9XD-…",
        validators=[DataRequired("Enter the certificate code.")],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )

    def validate_code(self, field) -> None:
        if normalise(field.data or "") is None:
            raise ValidationError(
                "A certificate code has 28 letters and numbers. Check it and try again."
            )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason for revoking",
        description=(
            "Shown on the certificate's public page and in the API, even after the learner "
            "deletes their account. Say what happened; leave out names and other personal "
            "details."
        ),
        validators=[
            DataRequired("Give a reason for revoking this certificate."),
            Length(max=500, message="Keep the reason to 500 characters or fewer."),
        ],
    )


class BulkCheckForm(FlaskForm):
    file = FileField(
        "CSV file of certificate codes",
        description="One code per row, in the first column; a header row is fine. Up to 1,000.",
        validators=[FileRequired("Choose a CSV file to check.")],
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Name for the token",
        description="So you can tell your tokens apart, e.g. “Recruitment system”.",
        validators=[
            DataRequired("Give the token a name."),
            Length(max=100, message="Keep the name to 100 characters or fewer."),
        ],
    )


class ProfileForm(FlaskForm):
    public_profile = BooleanField("Show my valid certificates on a public skills profile")
