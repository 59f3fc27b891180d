"""Forms of the public pages: catalogue search and filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from lms.forms import ChoiceField, no_control_characters
from lms.learning.catalogue import DURATIONS, LEVEL_LABELS, CatalogueQuery


class CatalogueForm(FlaskForm):
    """Search and filters, sent by GET so results can be bookmarked and shared."""

    class Meta:
        csrf = False  # a read-only GET form changes nothing

    q = SearchField(
        "Search courses",
        validators=[
            Optional(),
            Length(max=100, message="Search for at most 100 characters."),
            no_control_characters,
        ],
    )
    level = ChoiceField(
        "Level",
        message="Choose a level from the list.",
        choices=[SelectChoice("", "Any level")]
        + [SelectChoice(key, label) for key, label in LEVEL_LABELS.items()],
    )
    skill = ChoiceField(
        "Skill",
        message="Choose a skill from the list.",
        choices=[SelectChoice("", "Any skill")],
    )
    duration = ChoiceField(
        "Duration",
        message="Choose a duration from the list.",
        choices=[SelectChoice("", "Any duration")]
        + [SelectChoice(key, label) for key, (label, *_) in DURATIONS.items()],
    )

    def __init__(self, skills: list[str], **kwargs):
        super().__init__(**kwargs)
        self.skill.choices = [SelectChoice("", "Any skill")] + [
            SelectChoice(name, name) for name in skills
        ]

    def to_query(self) -> CatalogueQuery:
        """The criteria that passed validation; a field with an error filters nothing."""

        def valid(field) -> str:
            return "" if field.errors else (field.data or "").strip()

        return CatalogueQuery(
            text=valid(self.q),
            level=valid(self.level),
            skill=valid(self.skill),
            duration=valid(self.duration),
        )
