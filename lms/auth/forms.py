"""Account forms. Every message says what is wrong and how to put it right, beside the field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from lms.auth.passwords import MAX_LENGTH, password_problem
from lms.auth.users import email_problem
from lms.forms import ChoiceField
from lms.regions import all_regions


def valid_email(form, field) -> None:
    if field.data and (problem := email_problem(field.data.strip().lower())):
        raise ValidationError(problem)


def strong_password(form, field) -> None:
    email = form.email.data if hasattr(form, "email") and form.email.data else ""
    name = form.name.data if hasattr(form, "name") and form.name.data else ""
    if field.data and (problem := password_problem(field.data, email=email, name=name)):
        raise ValidationError(problem)


def _email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired("Enter your email address."), valid_email],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Password",
        description=f"At least 8 characters (up to {MAX_LENGTH}). A few unrelated words work well.",
        validators=[InputRequired("Enter a password."), strong_password],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            InputRequired("Enter the password again."),
            EqualTo("password", "The passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def _name_field() -> StringField:
    return StringField(
        "Full name",
        validators=[
            DataRequired("Enter your name."),
            Length(max=120, message="Your name must be 120 characters or fewer."),
        ],
        render_kw={"autocomplete": "name"},
    )


def _region_field() -> ChoiceField:
    return ChoiceField(
        "Where do you live or work?",
        message="Choose your city region from the list.",
        description="We report how each city region is doing, never who you are.",
        choices=[SelectChoice("", "Choose a region")]
        + [SelectChoice(region.code, region.name) for region in all_regions()],
    )


def chosen_region(form, field) -> None:
    if not field.data:
        raise ValidationError("Choose your city region from the list.")


class SignUpForm(FlaskForm):
    """No password here: it is chosen on the confirmation link's page, by whoever proves the
    address, so nobody can set one for an address that is not theirs."""

    name = _name_field()
    email = _email_field()
    region = _region_field()

    validate_region = chosen_region


class ConfirmSignUpForm(FlaskForm):
    """The confirmation link's page: check the details given at sign-up, choose the password."""

    name = _name_field()
    region = _region_field()
    password, confirm = _new_password_fields()

    validate_region = chosen_region


class SignInForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


class EmailOnlyForm(FlaskForm):
    """Ask for a reset link, or for a new verification email."""

    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = _email_field("New email address")
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password to confirm.")],
        render_kw={"autocomplete": "current-password"},
    )
    understood = BooleanField(
        "I understand that my account and personal data will be deleted and cannot be restored",
        validators=[DataRequired("Tick the box to confirm you want to delete your account.")],
    )


class ConfirmEmailChangeForm(FlaskForm):
    """The new address's link proves the address; the password proves the account."""

    current_password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
