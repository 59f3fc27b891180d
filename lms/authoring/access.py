"""Who may author what. Every studio request checks it on the server, object by object.

Admins may open every workspace; a trainer only those they are an author of. A workspace a user
may not author answers 404, so its existence (a draft course, say) is not revealed.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from lms.extensions import db
from lms.models import CourseAuthor, User, Workspace


def is_author(user: User, workspace: Workspace) -> bool:
    if user.role == "admin":
        return True
    if user.role != "trainer":
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CourseAuthor.workspace_id == workspace.id, CourseAuthor.user_id == user.id
                )
            )
        )
    )


def workspace_or_404(slug: str) -> Workspace:
    """The workspace ``slug`` if the signed-in user may author it; else 404."""
    workspace = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None or not is_author(current_user, workspace):
        abort(404)
    return workspace


def authored_workspaces(user: User) -> list[Workspace]:
    """The workspaces ``user`` may edit, by slug (admins: all of them)."""
    query = select(Workspace).order_by(Workspace.slug)
    if user.role != "admin":
        query = query.join(CourseAuthor).where(CourseAuthor.user_id == user.id)
    return list(db.session.scalars(query))
