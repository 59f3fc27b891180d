"""Catalogue queries: what the public may see, search and filters, lesson navigation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from lms.db import LIKE_ESCAPE, contains_pattern
from lms.extensions import db
from lms.models import Course, CourseSkill, Lesson

# Duration filter: label -> (min hours inclusive, max hours exclusive)
DURATIONS: dict[str, tuple[str, float, float]] = {
    "short": ("Under 5 hours", 0, 5),
    "medium": ("5 to 10 hours", 5, 10.000001),
    "long": ("Over 10 hours", 10.000001, float("inf")),
}
LEVEL_LABELS = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    level: str = ""
    skill: str = ""
    duration: str = ""


def visible_courses() -> Select:
    return select(Course).where(Course.status == "published", Course.retired_at.is_(None))


def search_courses(query: CatalogueQuery) -> Select:
    """The published courses matching every given criterion, alphabetically, skills preloaded."""
    stmt = visible_courses().options(selectinload(Course.skills))
    if query.text:
        pattern = contains_pattern(query.text)
        skill_match = (
            select(CourseSkill.id)
            .where(
                CourseSkill.course_id == Course.id,
                CourseSkill.name.ilike(pattern, escape=LIKE_ESCAPE),
            )
            .exists()
        )
        lesson_match = (
            select(Lesson.id)
            .where(
                Lesson.course_id == Course.id,
                Lesson.retired_at.is_(None),
                Lesson.title.ilike(pattern, escape=LIKE_ESCAPE),
            )
            .exists()
        )
        stmt = stmt.where(
            or_(
                Course.title.ilike(pattern, escape=LIKE_ESCAPE),
                Course.summary.ilike(pattern, escape=LIKE_ESCAPE),
                skill_match,
                lesson_match,
            )
        )
    if query.level:
        stmt = stmt.where(Course.level == query.level)
    if query.skill:
        stmt = stmt.where(
            select(CourseSkill.id)
            .where(CourseSkill.course_id == Course.id, CourseSkill.name == query.skill)
            .exists()
        )
    if query.duration:
        _, low, high = DURATIONS[query.duration]
        stmt = stmt.where(Course.hours >= low, Course.hours < high)
    return stmt.order_by(Course.title)


def skill_names() -> list[str]:
    """Every skill taught by a visible course, for the skill filter."""
    stmt = (
        select(CourseSkill.name)
        .join(Course)
        .where(Course.status == "published", Course.retired_at.is_(None))
        .distinct()
        .order_by(CourseSkill.name)
    )
    return list(db.session.scalars(stmt))


def featured_courses(limit: int = 3) -> list[Course]:
    stmt = (
        visible_courses()
        .options(selectinload(Course.skills))
        .order_by(Course.featured.desc(), Course.title)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def catalogue_counts() -> tuple[int, int]:
    """(visible courses, their active lessons), for the home page."""
    courses = db.session.scalar(select(func.count()).select_from(visible_courses().subquery()))
    lessons = db.session.scalar(
        select(func.count(Lesson.id))
        .join(Course)
        .where(Course.status == "published", Course.retired_at.is_(None))
        .where(Lesson.retired_at.is_(None))
    )
    return courses or 0, lessons or 0


def get_course_or_404(slug: str, *, with_skills: bool = True) -> Course:
    """A visible course with its modules and lessons (and skills); 404 for drafts and retired."""
    options = [selectinload(Course.modules), selectinload(Course.lessons)]
    if with_skills:
        options.append(selectinload(Course.skills))
    course = db.session.scalar(visible_courses().where(Course.slug == slug).options(*options))
    if course is None:
        abort(404)
    return course


def outline(course: Course) -> list[tuple[str | None, list[Lesson]]]:
    """Active lessons grouped by module, in order: [(module title or None, lessons)]."""
    groups: list[tuple[str | None, list[Lesson]]] = []
    for lesson in course.active_lessons:
        title = lesson.module.title if lesson.module else None
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(lesson)
    return groups
