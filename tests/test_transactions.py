"""One way to write: ``write_transaction()`` commits whole user actions or nothing of them.

Each atomic action is made to fail at its last step; nothing of its earlier steps may remain.
"""

from __future__ import annotations

import ast

import pytest
from sqlalchemy import func, select

from lms.config import PROJECT_ROOT
from lms.db import NestedWriteError, write_transaction
from lms.extensions import db
from lms.models import AccountToken, AuditEvent, Certificate, Course, User, UserSession, Workspace
from tests.certificates.conftest import complete_demo_course
from tests.factories import PASSWORD, make_user, zip_of

NEW = "a brand new passphrase"


class Injected(RuntimeError):
    """The failure a test injects into an action's last step."""


def fail(*_args, **_kwargs):
    raise Injected("the last step failed")


# -- the primitive ----------------------------------------------------------------------------


def test_no_code_outside_the_primitive_commits_or_uses_begin_write():
    """A static check over lms/: only lms/db.py may call commit(); begin_write is gone."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "lms").rglob("*.py")):
        if path == PROJECT_ROOT / "lms" / "db.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
            if name in {"commit", "begin_write"}:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {name}()")
    assert offenders == []


def test_a_write_transaction_commits_and_rolls_back_as_a_whole(app):
    with app.app_context():
        with write_transaction():
            make_user_row("kept@example.com")
        with pytest.raises(Injected), write_transaction():
            make_user_row("lost@example.com")
            db.session.flush()  # written to the database, then rolled back
            raise Injected
        db.session.remove()
        assert emails() == ["kept@example.com"]


def test_a_write_transaction_refuses_to_open_inside_another(app):
    with app.app_context():
        with pytest.raises(NestedWriteError), write_transaction():
            make_user_row("outer@example.com")
            db.session.flush()
            with write_transaction():  # would have committed the outer one
                pass
        db.session.remove()
        assert emails() == []


def test_changes_made_outside_a_write_transaction_are_never_committed_by_one(app):
    with app.app_context():
        make_user("sam@example.com")
        user = db.session.scalar(select(User))
        user.name = "Changed outside"
        with pytest.raises(RuntimeError, match="outside a write transaction"), write_transaction():
            pass
        db.session.rollback()
        db.session.remove()
        assert db.session.scalar(select(User.name)) == "Sam Learner"


def make_user_row(email: str) -> None:
    from datetime import UTC, datetime

    db.session.add(
        User(
            email=email,
            name="N",
            password_hash="x",
            role="learner",
            session_version=1,
            created_at=datetime.now(UTC),
        )
    )


def emails() -> list[str]:
    return sorted(db.session.scalars(select(User.email)))


# -- account actions --------------------------------------------------------------------------


def counts(app, email="learner@example.com") -> dict:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return {
            "hash": user.password_hash,
            "verified": user.email_verified_at is not None,
            "email": user.email,
            "role": user.role,
            "version": user.session_version,
            "sessions": db.session.scalar(
                select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
            ),
            "unused links": db.session.scalar(
                select(func.count())
                .select_from(AccountToken)
                .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
            ),
        }


def test_a_password_reset_that_fails_at_its_last_step_changes_nothing(
    app, client, outbox, monkeypatch
):
    with app.app_context():
        make_user(verified=False)
    client.post("/account/reset", data={"email": "learner@example.com"})
    link = outbox.link()
    before = counts(app)
    monkeypatch.setattr("lms.auth.users.start_session_in_transaction", fail)
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 500
    assert counts(app) == before  # same hash, still unconfirmed, link unspent, sessions kept
    monkeypatch.undo()
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 302


def test_an_email_confirmation_that_fails_at_its_last_step_changes_nothing(
    app, client, auth, outbox, monkeypatch
):
    with app.app_context():
        make_user(verified=False)
    auth.sign_in()
    link = outbox.link()
    before = counts(app)
    monkeypatch.setattr("lms.auth.users.start_session_in_transaction", fail)
    chosen = {"name": "Sam", "region": "leeds", "password": NEW, "confirm": NEW}
    assert client.post(link, data=chosen).status_code == 500
    assert counts(app) == before
    assert before["verified"] is False


def test_an_email_change_that_fails_at_commit_changes_nothing(
    app, client, auth, outbox, monkeypatch
):
    with app.app_context():
        make_user()
    auth.sign_in()
    client.post("/account/email", data={"email": "new@example.com", "current_password": PASSWORD})
    link = outbox.link("new@example.com")
    before = counts(app)
    with app.app_context():
        engine_session = db.session
        from sqlalchemy import event

        event.listen(engine_session, "before_commit", fail)
        try:
            assert client.post(link, data={"current_password": PASSWORD}).status_code == 500
        finally:
            event.remove(engine_session, "before_commit", fail)
    assert counts(app) == before
    assert before["email"] == "learner@example.com"


def test_a_role_change_that_fails_at_its_audit_changes_nothing(app, monkeypatch):
    from lms.auth.admin import change_role

    with app.app_context():
        make_user("admin@example.com", role="admin")
        make_user()
    before = counts(app)
    monkeypatch.setattr("lms.auth.admin.record_audit", fail)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "learner@example.com"))
        with pytest.raises(Injected):
            change_role(user, "trainer", actor="cli")
    assert counts(app) == before
    assert before["role"] == "learner"


# -- certificates and the studio ----------------------------------------------------------------


def test_a_revocation_that_fails_at_its_audit_changes_nothing(
    app, client, signed_in, synced, monkeypatch
):
    from tests.certificates.conftest import browser_as

    complete_demo_course(client)
    admin = browser_as(app, "admin@example.com", "admin")
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    monkeypatch.setattr("lms.certificates.issuing.record_audit", fail)
    response = admin.post(f"/certificates/{code}/revoke", data={"reason": "Copied work"})
    assert response.status_code == 500
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert (certificate.revoked_at, certificate.revoked_reason) == (None, None)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    # the status list, rebuilt before the audit record failed, rolled back with it
    api = client.get(f"/api/v1/certificates/{code}").json
    assert api["status"] == "valid" and api["status_list"]["revoked"] is False


@pytest.fixture
def studio_trainer(app, client):
    with app.app_context():
        make_user("trainer@example.com", role="trainer")
    response = client.post(
        "/account/sign-in", data={"email": "trainer@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def course_zip(slug: str = "atomic-course") -> bytes:
    from tests.factories import COURSE_MD, LESSONS, SVG

    folder = {
        "course.md": COURSE_MD.format(
            slug=slug,
            title="Atomic course",
            level="beginner",
            hours=2,
            skill="Programming",
            status="published",
            featured="false",
            first="01-first-steps.md",
        ),
        **LESSONS,
        "images/diagram.svg": SVG,
    }
    return zip_of({f"{slug}/{name}": data for name, data in folder.items()})


def test_an_import_that_fails_at_its_audit_leaves_no_course(app, studio_trainer, monkeypatch):
    monkeypatch.setattr("lms.authoring.transfer.record_audit", fail)
    response = studio_trainer.post(
        "/studio/import",
        data={"archive": (__import__("io").BytesIO(course_zip()), "course.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Workspace)) == 0


def test_a_publish_that_fails_at_its_audit_publishes_nothing(app, studio_trainer, monkeypatch):
    import io

    response = studio_trainer.post(
        "/studio/import",
        data={"archive": (io.BytesIO(course_zip()), "course.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    monkeypatch.setattr("lms.authoring.publishing.record_audit", fail)
    response = studio_trainer.post("/studio/courses/atomic-course/publish")
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0
        workspace = db.session.scalar(select(Workspace))
        assert workspace.published_at is None
        assert all(item.published_path is None for item in workspace.files)
