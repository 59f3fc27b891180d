"""Admins' accounts page and ``flask users set-role``: role changes, audit, sessions, refusals."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.audit import record_audit
from lms.auth import admin as admin_domain
from lms.auth.users import delete_account
from lms.extensions import db
from lms.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, make_user

ROLE_ERROR = "Choose a role from the list: learner, trainer, employer, analyst, admin."


def page(response) -> str:
    return response.get_data(as_text=True)


def browser_for(app, email: str):
    browser = app.test_client()
    response = browser.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


@pytest.fixture
def admin_id(app) -> int:
    with app.app_context():
        return make_user("admin@example.com", name="Ada Admin", role="admin").id


@pytest.fixture
def admin(app, admin_id):
    return browser_for(app, "admin@example.com")


def set_role(browser, user_id: int, role: str, query: str = ""):
    return browser.post(f"/admin/users/{user_id}/role{query}", data={f"user-{user_id}-role": role})


def audit_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def role_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).role


# --- changing a role from the page -----------------------------------------------------------


def test_admin_changes_a_role_audited_and_the_new_role_applies_at_once(
    app, client, signed_in, admin, admin_id
):
    learner = signed_in
    assert client.get("/stats").status_code == 403  # a learner may not see the statistics
    listing = page(admin.get("/admin/users"))
    assert "Sam Learner" in listing and "learner@example.com" in listing
    assert (
        f'<label for="user-{learner}-role" class="visually-hidden">Role of Sam Learner' in listing
    )

    response = set_role(admin, learner, "analyst")
    assert response.status_code == 302 and response.location == "/admin/users"
    shown = page(admin.get("/admin/users"))
    assert "Sam Learner is now an analyst. They have been signed out everywhere" in shown

    with app.app_context():
        user = db.session.get(User, learner)
        assert user.role == "analyst"
        assert user.session_version == 2
        assert db.session.scalar(select(func.count()).where(UserSession.user_id == learner)) == 0
    [event] = audit_events(app)
    assert (event.actor_id, event.action, event.target) == (
        admin_id,
        "user.role_change",
        f"user {learner}",
    )
    assert event.detail == {"old_role": "learner", "new_role": "analyst"}
    assert abs(event.created_at - datetime.now(UTC)) < timedelta(minutes=1)

    # the learner's old browser is signed out; signing in again gives the new role
    assert client.get("/dashboard").status_code == 302
    assert (
        client.post(
            "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/stats").status_code == 200

    audit = page(admin.get("/admin/audit"))
    assert "Role changed" in audit and "From learner to analyst" in audit
    assert "Ada Admin (admin@example.com)" in audit and "Sam Learner (learner@example.com)" in audit


def test_the_admins_own_session_survives_a_change_to_someone_else(app, admin, learner):
    set_role(admin, learner, "trainer")
    assert admin.get("/admin/users").status_code == 200


def test_the_list_search_and_page_are_kept_after_a_change(app, admin, learner):
    response = set_role(admin, learner, "trainer", "?q=sam&role=learner&page=1")
    assert response.location == "/admin/users?q=sam&role=learner&page=1"


def test_giving_the_same_role_changes_nothing(app, admin, learner):
    response = set_role(admin, learner, "learner")
    assert response.status_code == 302
    assert "Sam Learner is already a learner; nothing changed." in page(admin.get("/admin/users"))
    assert audit_events(app) == []


def test_a_bad_role_is_explained_beside_the_field(app, admin, learner):
    response = set_role(admin, learner, "superuser")
    assert response.status_code == 422
    text = page(response)
    assert "<title>Error: Users" in text
    # in the error summary, linked to the field, and beside the field itself
    assert f'<a href="#user-{learner}-role">{ROLE_ERROR}</a>' in text
    assert (
        f'id="user-{learner}-role-error"><span class="visually-hidden">Error:</span> {ROLE_ERROR}'
        in text
    )
    select_tag = re.search(rf'<select[^>]*id="user-{learner}-role"[^>]*>', text)[0]
    assert 'aria-invalid="true"' in select_tag
    assert f'aria-describedby="user-{learner}-role-error"' in select_tag
    assert role_of(app, learner) == "learner" and audit_events(app) == []


def test_a_missing_role_is_explained_too(app, admin, learner):
    response = admin.post(f"/admin/users/{learner}/role", data={})
    assert response.status_code == 422 and ROLE_ERROR in page(response)


def test_the_last_admin_cannot_be_removed(app, runner, admin, admin_id):
    response = set_role(admin, admin_id, "learner")
    assert response.status_code == 422
    message = (
        "Ada Admin is the only admin, so they must stay an admin. "
        "Make another account an admin first."
    )
    assert f'<a href="#user-{admin_id}-role">{message}</a>' in page(response)
    assert role_of(app, admin_id) == "admin" and audit_events(app) == []
    assert admin.get("/admin/users").status_code == 200  # still signed in

    # with a second admin, the first may step down; their own session ends with the change
    with app.app_context():
        make_user("second@example.com", name="Second Admin", role="admin")
    response = set_role(admin, admin_id, "trainer")
    assert response.status_code == 302 and response.location == "/account/sign-in"
    assert "You are now a trainer. Sign in again to carry on." in page(
        admin.get("/account/sign-in")
    )
    assert admin.get("/admin/users").status_code == 302
    assert role_of(app, admin_id) == "trainer"


def test_a_deleted_account_cannot_be_changed(app, admin, learner):
    with app.app_context():
        delete_account(db.session.get(User, learner))
    listing = page(admin.get("/admin/users?deleted=y"))
    assert f"Deleted account (id {learner})" in listing
    assert f'action="/admin/users/{learner}/role' not in listing  # no form for it

    response = set_role(admin, learner, "trainer")
    assert response.status_code == 302
    assert "This account has been deleted, so its role cannot be changed." in page(
        admin.get(response.location)
    )
    assert role_of(app, learner) == "learner" and audit_events(app) == []


def test_a_missing_account_is_not_found(admin):
    assert set_role(admin, 999, "trainer").status_code == 404


def test_only_admins_may_see_or_change_accounts(app, client, signed_in, learner):
    with app.app_context():
        make_user("analyst@example.com", name="An Analyst", role="analyst")
    analyst = browser_for(app, "analyst@example.com")
    for browser in (client, analyst):
        assert browser.get("/admin/users").status_code == 403
        assert set_role(browser, learner, "admin").status_code == 403
    assert app.test_client().get("/admin/users").status_code == 302  # to sign in
    assert role_of(app, learner) == "learner" and audit_events(app) == []
    assert "/admin/users" not in page(client.get("/dashboard"))  # no link in their navigation


def test_the_domain_function_checks_the_actor_too(app, learner):
    with app.app_context():
        trainer = make_user("trainer@example.com", role="trainer")
        user = db.session.get(User, learner)
        with pytest.raises(admin_domain.RoleChangeError, match="Only an admin"):
            admin_domain.change_role(user, "admin", actor=trainer)


def test_role_forms_need_their_csrf_token(app, admin, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    assert set_role(admin, learner, "trainer").status_code == 400
    assert role_of(app, learner) == "learner"
    listing = page(admin.get("/admin/users"))
    token = re.search(rf'name="user-{learner}-csrf_token" type="hidden" value="([^"]+)"', listing)
    response = admin.post(
        f"/admin/users/{learner}/role",
        data={f"user-{learner}-role": "trainer", f"user-{learner}-csrf_token": token[1]},
    )
    assert response.status_code == 302 and role_of(app, learner) == "trainer"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, admin_id):
    with app.app_context():
        other_id = make_user("second@example.com", name="Second Admin", role="admin").id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor_id: int, target_id: int) -> None:
        with app.app_context():
            try:
                actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
                barrier.wait(timeout=30)
                admin_domain.change_role(target, "learner", actor=actor)
                outcomes.append("changed")
            except admin_domain.RoleChangeError as exc:
                outcomes.append(str(exc))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=demote, args=(admin_id, other_id)),
        threading.Thread(target=demote, args=(other_id, admin_id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # one wins; the other is refused (its actor is no longer an admin, or the target is the last)
    assert len(outcomes) == 2 and outcomes.count("changed") == 1, outcomes
    [refusal] = [outcome for outcome in outcomes if outcome != "changed"]
    assert "Only an admin" in refusal or "the only admin" in refusal
    with app.app_context():
        admins = db.session.scalar(select(func.count()).where(User.role == "admin"))
    assert admins == 1


# --- the list ------------------------------------------------------------------------------


def add_people(app, count: int, role: str = "learner", prefix: str = "person") -> None:
    """Accounts straight into the table (hashing a password per account would be slow)."""
    with app.app_context():
        now = datetime.now(UTC)
        for n in range(count):
            db.session.add(
                User(
                    email=f"{prefix}{n}@example.com",
                    name=f"{prefix.title()} {n}",
                    role=role,
                    session_version=1,
                    created_at=now - timedelta(minutes=n),
                    email_verified_at=now if n % 2 else None,
                )
            )
        db.session.commit()


def test_search_by_name_or_email_and_filter_by_role(app, admin):
    add_people(app, 3, prefix="pat")
    add_people(app, 2, role="trainer", prefix="tess")
    by_name = page(admin.get("/admin/users?q=PAT 1"))
    assert "1 account found" in by_name and "pat1@example.com" in by_name
    by_email = page(admin.get("/admin/users?q=tess0@"))
    assert "1 account found" in by_email and "Tess 0" in by_email
    trainers = page(admin.get("/admin/users?role=trainer"))
    assert "2 accounts found" in trainers and "pat0@example.com" not in trainers
    assert "0 accounts found" in page(admin.get("/admin/users?q=%25"))  # % is a character
    everyone = page(admin.get("/admin/users"))
    assert "6 accounts" in everyone
    assert "<td>Yes</td>" in everyone and "<td>No</td>" in everyone  # email confirmed?


def test_a_bad_filter_is_explained(app, admin):
    response = admin.get("/admin/users?role=boss")
    text = page(response)
    assert '<a href="#role">Choose a role from the list.</a>' in text
    assert "1 account found" in text  # the bad filter filters nothing


def test_deleted_accounts_are_listed_only_on_request(app, admin, learner):
    with app.app_context():
        delete_account(db.session.get(User, learner))
    assert "Deleted account" not in page(admin.get("/admin/users"))
    assert f"Deleted account (id {learner})" in page(admin.get("/admin/users?deleted=y"))


def test_the_list_is_paged_and_pages_keep_the_filters(app, admin, monkeypatch):
    monkeypatch.setattr("lms.admin.views.PAGE_SIZE", 2)
    add_people(app, 5)
    first = page(admin.get("/admin/users?role=learner"))
    assert "5 accounts found" in first and "Page 1 of 3" in first
    assert 'href="/admin/users?role=learner&amp;page=2" rel="next"' in first
    last = page(admin.get("/admin/users?role=learner&page=3"))
    assert "Person 4" in last and "Person 0" not in last


def test_signed_in_since_shows_the_newest_open_session(app, admin, learner):
    text = page(admin.get("/admin/users?q=learner@"))
    assert "No open session" in text
    browser_for(app, "learner@example.com")
    today = datetime.now(UTC)
    assert f"<td>{today.day} {today:%B %Y}</td>" in page(admin.get("/admin/users?q=learner@"))


def test_the_list_takes_the_same_queries_however_many_accounts(app, admin, count_statements):
    add_people(app, 2)
    with count_statements() as few:
        assert admin.get("/admin/users").status_code == 200
    add_people(app, 40, prefix="more")
    with app.app_context():  # every one of them signed in
        now = datetime.now(UTC)
        for user_id in db.session.scalars(select(User.id).where(User.email.like("more%"))):
            db.session.add(
                UserSession(
                    user_id=user_id,
                    token_hash=f"{user_id:064d}",
                    created_at=now,
                    expires_at=now + timedelta(days=1),
                )
            )
        db.session.commit()
    with count_statements() as many:
        text = page(admin.get("/admin/users"))
    assert "43 accounts" in text and "More 39" in text
    assert text.count("No open session") == 2  # only the first two never signed in
    assert len(many.selects) == len(few.selects)


def test_admins_find_the_page_in_their_navigation(admin):
    text = page(admin.get("/admin/audit"))
    assert '<a href="/admin" aria-current="page">Admin</a>' in text  # the admin home
    assert 'href="/admin/users"' in page(admin.get("/admin"))  # which links the accounts


# --- the audit page and its helper ---------------------------------------------------------


def test_audit_helper_refuses_kinds_the_page_cannot_show(app, learner):
    with app.app_context():
        user = db.session.get(User, learner)
        with pytest.raises(ValueError, match=r"unknown audit action 'course\.explode'"):
            record_audit(user, "course.explode", "course x")
        with pytest.raises(ValueError, match="unknown actor 'cron'"):
            record_audit("cron", "user.role_change", "user 1")


def test_audit_page_lists_every_kind_and_keeps_deleted_people_anonymous(app, admin, learner):
    with app.app_context():
        user = db.session.get(User, learner)
        admin_domain.change_role(user, "trainer", actor="cli")
        # an event from before its kind was named: shown as stored, not dropped
        db.session.add(
            AuditEvent(
                action="legacy.thing",
                target="something",
                detail={"note": "kept"},
                created_at=datetime.now(UTC),
            )
        )
        db.session.commit()
        delete_account(db.session.get(User, learner))
    text = page(admin.get("/admin/audit"))
    assert "Command line" in text and "From learner to trainer" in text
    assert f"Deleted account (id {learner})" in text and "learner@example.com" not in text
    assert "legacy.thing" in text and "note: kept" in text


# --- flask users set-role ------------------------------------------------------------------


def test_set_role_command_changes_audits_and_ends_sessions(app, runner, client, signed_in):
    result = runner.invoke(args=["users", "set-role", "Learner@Example.com", "employer"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Changed learner@example.com from learner to employer; their sessions have ended, "
        "so the new role applies from their next sign-in."
    )
    assert role_of(app, signed_in) == "employer"
    assert client.get("/dashboard").status_code == 302
    [event] = audit_events(app)
    assert event.actor_id is None and event.detail == {
        "old_role": "learner",
        "new_role": "employer",
        "actor": "cli",
    }


def test_set_role_command_refusals(app, runner, admin_id, learner):
    unknown = runner.invoke(args=["users", "set-role", "nobody@example.com", "admin"])
    assert unknown.exit_code == 1
    assert "Error: no account has the email address nobody@example.com." in unknown.output
    bad = runner.invoke(args=["users", "set-role", "learner@example.com", "boss"])
    assert bad.exit_code == 2 and "'boss' is not one of" in bad.output
    last = runner.invoke(args=["users", "set-role", "admin@example.com", "learner"])
    assert last.exit_code == 1
    assert "Error: Ada Admin is the only admin" in last.output
    same = runner.invoke(args=["users", "set-role", "learner@example.com", "learner"])
    assert same.exit_code == 0
    assert same.output.strip() == "learner@example.com is already learner; nothing changed."
    assert audit_events(app) == []
