"""Studio fixtures: a trainer who authors the synced demo course, signed in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import CourseAuthor, SourceFile, Workspace
from tests.factories import make_user


@pytest.fixture
def trainer(app):
    """A trainer account (trainer@example.com)."""
    with app.app_context():
        return make_user("trainer@example.com", name="Tara Trainer", role="trainer").id


@pytest.fixture
def author(app, synced, trainer):
    """The trainer, made an author of the synced demo course."""
    with app.app_context():
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == "demo-course"))
        workspace.authors.append(CourseAuthor(user_id=trainer, added_at=datetime.now(UTC)))
        db.session.commit()
    return trainer


@pytest.fixture
def studio(app, author):
    """A browser signed in as the demo course's author."""
    browser = app.test_client()
    response = browser.post(
        "/account/sign-in",
        data={"email": "trainer@example.com", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    return browser


def file_id(app, path: str, slug: str = "demo-course") -> int:
    with app.app_context():
        return db.session.scalar(
            select(SourceFile.id)
            .join(Workspace)
            .where(Workspace.slug == slug, SourceFile.path == path)
        )


def draft_text(app, path: str, slug: str = "demo-course") -> str:
    with app.app_context():
        item = db.session.get(SourceFile, file_id(app, path, slug))
        return item.data.decode()
