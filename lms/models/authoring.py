"""The trainer studio's records: each course's source files as drafts, published copies and history.

The course file format stays the single truth. A workspace holds a course's files (``course.md``,
lesson files, images) exactly as bytes: the draft a trainer edits and the copy last published. Every
saved version of a file is kept in ``source_revision``. Publishing loads the draft files with the
same loader and sync code ``flask content sync`` uses, so a course looks the same whichever way it
arrived. A file keeps its row (and history) when it is renamed, so reordering lessons keeps both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.accounts import User
from lms.models.catalogue import Course
from lms.models.types import UTCDateTime

# Where a course's published content comes from: files synced by the CLI, or the studio.
MANAGED_IN = ("files", "studio")
FILE_KINDS = ("course", "lesson", "asset")


class Workspace(db.Model):
    """One course's sources. A course begun in the studio has no ``course`` row until published."""

    __tablename__ = "course_workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), unique=True)
    managed_in: Mapped[str] = mapped_column(String(10), default="files")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course | None] = relationship()
    files: Mapped[list[SourceFile]] = relationship(
        back_populates="workspace", order_by="SourceFile.id", cascade="all, delete-orphan"
    )
    authors: Mapped[list[CourseAuthor]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Workspace {self.slug}>"


class CourseAuthor(db.Model):
    """A trainer who may edit a workspace's course. Admins assign co-authors."""

    __tablename__ = "course_author"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("course_workspace.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship(back_populates="authors")
    user: Mapped[User] = relationship()


class SourceFile(db.Model):
    """One file of a course: its draft (``path``/``data``) and its published copy.

    ``path`` is None when the file was deleted from the draft; ``published_path`` is None when the
    file is not part of the published course (new, or removed at the last publish).
    """

    __tablename__ = "source_file"
    __table_args__ = (UniqueConstraint("workspace_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("course_workspace.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    path: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    published_path: Mapped[str | None] = mapped_column(String(300))
    published_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    published_sha256: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship(back_populates="files")

    @property
    def in_draft(self) -> bool:
        return self.path is not None

    @property
    def is_published(self) -> bool:
        return self.published_path is not None

    @property
    def has_changes(self) -> bool:
        """The draft differs from the published copy (content, name, or presence)."""
        return (self.path, self.sha256) != (self.published_path, self.published_sha256)

    def __repr__(self) -> str:
        return f"<SourceFile {self.path or self.published_path}>"


class SourceRevision(db.Model):
    """A saved version of a file, kept for its history, diff view and restore."""

    __tablename__ = "source_revision"
    __table_args__ = (Index("ix_source_revision_file_created", "file_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # saved, restored, created, imported, synced (from content files), published
    reason: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship()
