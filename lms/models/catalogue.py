"""The course catalogue as imported from ``content/``: courses, modules, lessons, skills, assets.

Rows are keyed by the stable ids written in the course files (``slug`` for courses, ``key`` for
lessons and modules), never by file names, so renaming or reordering files keeps learner records.
Nothing here is ever deleted by a sync: removed courses and lessons are retired (hidden).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.types import UTCDateTime

LEVELS = ("beginner", "intermediate", "advanced")
STATUSES = ("draft", "published")


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300))
    overview_html: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20), index=True)
    hours: Mapped[float] = mapped_column(Float)
    pass_mark: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    authors: Mapped[list] = mapped_column(JSON, default=list)
    source_path: Mapped[str] = mapped_column(String(500), default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    skills: Mapped[list[CourseSkill]] = relationship(
        back_populates="course", order_by="CourseSkill.position", cascade="all, delete-orphan"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position"
    )

    @property
    def is_visible(self) -> bool:
        """Shown to the public: published and still present in the content folder."""
        return self.status == "published" and self.retired_at is None

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.retired_at is None]

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseSkill(db.Model):
    """A skill a course teaches, optionally mapped to an SFIA 8 code and level."""

    __tablename__ = "course_skill"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120), index=True)
    sfia_code: Mapped[str | None] = mapped_column(String(4))
    sfia_level: Mapped[int | None] = mapped_column(Integer)

    course: Mapped[Course] = relationship(back_populates="skills")


class Module(db.Model):
    """An optional section of a course grouping consecutive lessons."""

    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    course: Mapped[Course] = relationship(back_populates="modules")


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        Index("ix_lesson_course_position", "course_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("module.id", ondelete="SET NULL"), index=True
    )
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    # The heavy columns load only when a page shows the lesson itself, not for outlines.
    body_html: Mapped[str] = mapped_column(Text, deferred=True, deferred_group="content")
    toc: Mapped[list] = mapped_column(JSON, default=list, deferred=True, deferred_group="content")
    quiz: Mapped[list] = mapped_column(JSON, default=list, deferred=True, deferred_group="content")
    source_path: Mapped[str] = mapped_column(String(500), default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship(back_populates="lessons")
    module: Mapped[Module | None] = relationship()

    def __repr__(self) -> str:
        return f"<Lesson {self.key}>"


class Asset(db.Model):
    """An image or file a course references, stored so it is served without the content tree."""

    __tablename__ = "asset"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CatalogueRevision(db.Model):
    """One row whose number goes up whenever a sync (or publish) changes the catalogue.

    Each app process caches lesson pages and checks this number, one tiny query, per request.
    """

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
