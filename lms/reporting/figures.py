"""Regional figures read from the rollups: per city region, with filters by period, course, skill.

Nothing here touches raw progress rows: every function is a handful of GROUP BY queries over
``stat_rollup`` and ``stat_completion_days``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import CourseSkill, StatCompletionDays, StatRollup
from lms.models.reporting import UNKNOWN_REGION
from lms.regions import all_regions
from lms.reporting import disclosure
from lms.reporting.rollups import COUNTERS


@dataclass(frozen=True)
class Filters:
    start: str | None = None  # first month, "YYYY-MM", inclusive
    end: str | None = None  # last month, inclusive
    course_id: int | None = None
    skill: str | None = None

    def apply(self, stmt, table):
        if self.start:
            stmt = stmt.where(table.month >= self.start)
        if self.end:
            stmt = stmt.where(table.month <= self.end)
        if self.course_id:
            stmt = stmt.where(table.course_id == self.course_id)
        if self.skill:
            courses = select(CourseSkill.course_id).where(CourseSkill.name == self.skill)
            stmt = stmt.where(table.course_id.in_(courses))
        return stmt


@dataclass
class Figures:
    enrolments: int = 0
    active_learners: int = 0
    lessons_completed: int = 0
    courses_completed: int = 0
    certificates_issued: int = 0
    days_histogram: dict[int, int] = field(default_factory=dict)

    @property
    def completion_rate(self) -> float | None:
        """Courses completed per enrolment in the period, or None when nobody enrolled."""
        return self.courses_completed / self.enrolments if self.enrolments else None

    @property
    def median_days(self) -> float | None:
        """Median whole days from enrolling to completing, from the histogram."""
        total = sum(self.days_histogram.values())
        if not total:
            return None
        ordered = sorted(self.days_histogram.items())

        def nth(n: int) -> int:  # the n-th smallest value, 0-based
            seen = 0
            for days, count in ordered:
                seen += count
                if n < seen:
                    return days
            raise IndexError(n)

        middle = total // 2
        return float(nth(middle)) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


def region_labels() -> dict[str, str]:
    labels = {region.code: region.name for region in all_regions()}
    labels[UNKNOWN_REGION] = "Region not recorded"
    return labels


def _grouped(filters: Filters, key) -> dict:
    """Figures grouped by one rollup column (region or course)."""
    result: dict = {}
    counters = [func.coalesce(func.sum(getattr(StatRollup, name)), 0) for name in COUNTERS]
    stmt = filters.apply(select(getattr(StatRollup, key), *counters).group_by(key), StatRollup)
    for group, *values in db.session.execute(stmt):
        figures = result.setdefault(group, Figures())
        for name, value in zip(COUNTERS, values, strict=True):
            setattr(figures, name, int(value))
    days_column = getattr(StatCompletionDays, key)
    days = filters.apply(
        select(
            days_column, StatCompletionDays.days, func.sum(StatCompletionDays.learners)
        ).group_by(days_column, StatCompletionDays.days),
        StatCompletionDays,
    )
    for group, day_count, learners in db.session.execute(days):
        result.setdefault(group, Figures()).days_histogram[int(day_count)] = int(learners)
    return result


def by_region(filters: Filters) -> dict[str, Figures]:
    """Figures per region code, every known region present (zeros included), in list order."""
    result = {code: Figures() for code in region_labels()}
    result.update(_grouped(filters, "region"))
    return result


def by_course(filters: Filters) -> dict[int, Figures]:
    """Figures per course id, for courses with any activity in the filters."""
    return _grouped(filters, "course_id")


def monthly(filters: Filters, counter: str = "courses_completed") -> dict[str, dict[str, int]]:
    """One counter per month and region: {month: {region: value}}, months in order."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    column = getattr(StatRollup, counter)
    stmt = filters.apply(
        select(StatRollup.month, StatRollup.region, func.sum(column))
        .group_by(StatRollup.month, StatRollup.region)
        .order_by(StatRollup.month),
        StatRollup,
    )
    trend: dict[str, dict[str, int]] = {}
    for month, region, value in db.session.execute(stmt):
        trend.setdefault(month, {})[region] = int(value)
    return trend


def open_rows(figures: dict[str, Figures], threshold: int) -> list[dict]:
    """Rows for publication: small counts suppressed, others rounded to the nearest 5."""
    labels = region_labels()
    return [
        {
            "region": code,
            "region_name": labels.get(code, code),
            **{name: disclosure.count(getattr(f, name), threshold) for name in COUNTERS},
            "completion_rate": disclosure.rate(f.courses_completed, f.enrolments, threshold),
        }
        for code, f in figures.items()
    ]
