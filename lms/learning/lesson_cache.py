"""Lesson pages' catalogue data, cached per app process.

A lesson page needs its course, the course's lesson list (for numbering and previous/next) and the
lesson's rendered content. None of it changes between syncs, so it is loaded once and kept as
plain frozen dataclasses. Every request checks the catalogue revision (one single-row query); a
sync bumps it, and the next request in every process starts afresh.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer_group

from lms.extensions import db
from lms.learning.catalogue import visible_courses
from lms.models import CatalogueRevision, Course, Lesson


@dataclass(frozen=True)
class CourseInfo:
    id: int
    slug: str
    title: str
    pass_mark: int


@dataclass(frozen=True)
class LessonLink:
    key: str
    title: str


@dataclass(frozen=True)
class LessonContent:
    id: int
    course_id: int
    key: str
    title: str
    minutes: int
    module_title: str | None
    body_html: str
    toc: tuple[dict, ...]
    quiz: tuple[dict, ...]


@dataclass(frozen=True)
class LessonView:
    course: CourseInfo
    lesson: LessonContent
    previous: LessonLink | None
    next: LessonLink | None
    number: int
    count: int


class LessonCache:
    """Lesson views of one app, valid for one catalogue revision."""

    def __init__(self):
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._views: dict[tuple[str, str], LessonView] = {}

    def get(self, slug: str, key: str) -> LessonView | None:
        revision = current_revision()
        with self._lock:
            if revision != self._revision:
                self._views.clear()
                self._revision = revision
            view = self._views.get((slug, key))
        if view is not None:
            return view
        view = _load(slug, key)
        # Cache only what was read under the revision checked above; unknown addresses are
        # never cached, so made-up URLs cannot grow the cache.
        if view is not None and current_revision() == revision:
            with self._lock:
                if self._revision == revision:
                    self._views[(slug, key)] = view
        return view


_REVISION = select(CatalogueRevision.revision).where(CatalogueRevision.id == 1)


def current_revision() -> int:
    return db.session.scalar(_REVISION) or 0


def get_lesson_or_404(slug: str, key: str) -> LessonView:
    """A lesson of a visible course, with its neighbours for previous/next navigation."""
    cache = current_app.extensions.setdefault("lms.lesson_cache", LessonCache())
    view = cache.get(slug, key)
    if view is None:
        abort(404)
    return view


def _load(slug: str, key: str) -> LessonView | None:
    course = db.session.scalar(
        visible_courses()
        .where(Course.slug == slug)
        .options(selectinload(Course.lessons).selectinload(Lesson.module))
    )
    if course is None:
        return None
    lessons = course.active_lessons
    index = next((i for i, lesson in enumerate(lessons) if lesson.key == key), None)
    if index is None:
        return None
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.id == lessons[index].id).options(undefer_group("content"))
    )

    def link(i: int) -> LessonLink | None:
        return LessonLink(lessons[i].key, lessons[i].title) if 0 <= i < len(lessons) else None

    return LessonView(
        course=CourseInfo(course.id, course.slug, course.title, course.pass_mark),
        lesson=LessonContent(
            id=lesson.id,
            course_id=course.id,
            key=lesson.key,
            title=lesson.title,
            minutes=lesson.minutes,
            module_title=lesson.module.title if lesson.module else None,
            body_html=lesson.body_html,
            toc=tuple(lesson.toc),
            quiz=tuple(lesson.quiz),
        ),
        previous=link(index - 1),
        next=link(index + 1),
        number=index + 1,
        count=len(lessons),
    )
