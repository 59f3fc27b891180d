"""Studio forms. Each field says what is wrong beside it; every form carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from lms.auth.forms import valid_email
from lms.content.schema import LEVELS, SLUG_RE
from lms.forms import ChoiceField

MAX_SOURCE_CHARS = 200_000


class NewCourseForm(FlaskForm):
    title = StringField(
        "Course title", validators=[DataRequired("Enter the course title."), Length(max=200)]
    )
    slug = StringField(
        "Course id",
        description="Part of the course's web address, and permanent: lowercase letters, digits "
        "and hyphens, for example intro-to-python.",
        validators=[
            DataRequired("Enter an id for the course."),
            Length(max=80, message="The id can be at most 80 characters."),
            Regexp(SLUG_RE, message="Use lowercase letters, digits and single hyphens only."),
        ],
    )
    summary = TextAreaField(
        "Summary",
        description="One or two sentences shown in the catalogue.",
        validators=[DataRequired("Enter a summary."), Length(max=300)],
    )
    level = ChoiceField(
        "Level",
        choices=[SelectChoice("", "Choose a level")]
        + [SelectChoice(level, level.capitalize()) for level in LEVELS],
        message="Choose the course's level.",
    )
    hours = DecimalField(
        "Hours of study",
        places=None,
        validators=[
            DataRequired("Enter the hours of study as a number, for example 6 or 1.5."),
            NumberRange(0.25, 500, "Hours must be between 0.25 and 500."),
        ],
    )


class SourceForm(FlaskForm):
    """The Markdown editor: the whole file, front matter included, as in the content folder."""

    text = TextAreaField(
        "File text (Markdown with front matter)",
        validators=[Length(max=MAX_SOURCE_CHARS, message="The file is too long to save.")],
    )
    base = HiddenField()


class LessonForm(FlaskForm):
    title = StringField(
        "New lesson title",
        validators=[DataRequired("Enter the new lesson's title."), Length(max=200)],
    )


class ImageForm(FlaskForm):
    image = FileField(
        "Image (PNG, JPEG or WebP)", validators=[FileRequired("Choose an image to upload.")]
    )


class ZipForm(FlaskForm):
    archive = FileField(
        "Course zip", validators=[FileRequired("Choose a .zip file exported from the studio.")]
    )


class AuthorForm(FlaskForm):
    email = EmailField(
        "Trainer's email address",
        validators=[DataRequired("Enter the trainer's email address."), valid_email],
    )
