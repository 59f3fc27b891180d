"""What loading a course gives: its checked metadata, rendered lessons, assets and files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lms.content.problems import Problem


@dataclass
class LessonSource:
    key: str
    title: str
    minutes: int
    module: str | None
    position: int
    path: str
    body_html: str
    toc: list[dict]
    quiz: list[dict]


@dataclass
class AssetSource:
    path: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class CourseSource:
    slug: str
    title: str
    summary: str
    level: str
    hours: float
    skills: list[dict]
    pass_mark: int
    authors: list[dict]
    status: str
    featured: bool
    modules: list[dict]
    overview_html: str
    path: str
    lessons: list[LessonSource] = field(default_factory=list)
    assets: list[AssetSource] = field(default_factory=list)
    # The course's files exactly as read (course.md, lessons, referenced assets), keyed by their
    # path inside the course folder: what the studio keeps, edits and exports.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Catalogue:
    courses: list[CourseSource]
    problems: list[Problem]
    whole: bool  # True when a whole catalogue was loaded, False for a single course

    @property
    def ok(self) -> bool:
        return not self.problems
