"""The statistics filter: period, course and skill, sent by GET so views can be shared."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.fields.choices import SelectChoice

from lms.forms import ChoiceField
from lms.reporting.figures import Filters
from lms.reporting.months import MONTH_RE


def _month(form, field) -> None:
    if field.data and not MONTH_RE.match(field.data):
        raise ValidationError("Enter a month as YYYY-MM, for example 2026-11.")


class StatsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = StringField(
        "From month", description="YYYY-MM, for example 2026-01", validators=[_month]
    )
    end = StringField("To month", description="YYYY-MM, for example 2026-12", validators=[_month])
    course = ChoiceField("Course", message="Choose a course from the list.")
    skill = ChoiceField("Skill", message="Choose a skill from the list.")

    def __init__(self, courses: list[tuple[int, str]], skills: list[str], **kwargs):
        super().__init__(**kwargs)
        self.course.choices = [SelectChoice("", "All courses")] + [
            SelectChoice(str(course_id), title) for course_id, title in courses
        ]
        self.skill.choices = [SelectChoice("", "All skills")] + [
            SelectChoice(name, name) for name in skills
        ]

    def validate_end(self, field) -> None:
        start = self.start.data
        if field.data and start and MONTH_RE.match(start) and field.data < start:
            raise ValidationError("The last month must not be before the first.")

    def filters(self) -> Filters:
        """The filters that passed validation; a field with an error filters nothing."""

        def ok(field) -> str | None:
            return None if field.errors or not field.data else field.data

        course = ok(self.course)
        return Filters(
            start=ok(self.start),
            end=ok(self.end),
            course_id=int(course) if course else None,
            skill=ok(self.skill),
        )
