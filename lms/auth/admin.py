"""Admins' work on other people's accounts: finding them, and changing their role.

A role change is one transaction: the new role, the end of the person's sessions (so the new
role applies from their next sign-in, not whenever an old cookie expires), the cancelling of any
pending email-change link, and the audit event. The admin gives the role to the account as it is,
at its current address: a change of address asked for before the role change, and confirmed after
it, would move a newly powerful account to an inbox nobody looked at. Reset and confirmation links
stay valid: they go to that same current address, so cancelling them would protect nothing and
only make the person ask again.
The web page and ``flask users set-role`` both come through ``change_role``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from lms.audit import record_audit, user_subject
from lms.auth.sessions import end_sessions_in_transaction
from lms.auth.tokens import void_links_in_transaction
from lms.auth.users import AccountError
from lms.db import LIKE_ESCAPE, contains_pattern, write_transaction
from lms.extensions import db
from lms.models import ROLES, User, UserSession

log = logging.getLogger(__name__)
ROLE_MESSAGE = f"Choose a role from the list: {', '.join(ROLES)}."


class RoleChangeError(AccountError):
    """A role change was refused; the message says why, for the admin or operator."""


@dataclass(frozen=True)
class UserQuery:
    text: str = ""
    role: str = ""
    include_deleted: bool = False


@dataclass(frozen=True)
class RoleChange:
    user: User
    old_role: str
    new_role: str

    @property
    def changed(self) -> bool:
        return self.old_role != self.new_role


def search_users(query: UserQuery) -> Select:
    """Accounts matching the query, newest first (the order is the same on every database)."""
    stmt = select(User)
    if not query.include_deleted:
        stmt = stmt.where(User.deleted_at.is_(None))
    if query.text:
        pattern = contains_pattern(query.text)
        stmt = stmt.where(
            or_(
                User.name.ilike(pattern, escape=LIKE_ESCAPE),
                User.email.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if query.role:
        stmt = stmt.where(User.role == query.role)
    return stmt.order_by(User.created_at.desc(), User.id.desc())


def newest_sessions(user_ids: Iterable[int]) -> dict[int, datetime]:
    """When each account's newest open session began, for a page of accounts in one query.

    Sessions are deleted on sign-out, so this is "signed in since", not a full sign-in history.
    """
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(UserSession.user_id, func.max(UserSession.created_at))
        .where(UserSession.user_id.in_(ids))
        .group_by(UserSession.user_id)
    )
    return dict(rows.all())


def change_role(user: User, new_role: str, *, actor: User | str) -> RoleChange:
    """Give ``user`` the role ``new_role``, end their sessions and audit it, in one transaction.

    ``actor`` is the admin making the change, or ``"cli"`` for the command line. Refused, with a
    ``RoleChangeError`` saying why, for an unknown role, a deleted account, or a change that
    would leave no admin. Giving someone the role they already have changes nothing.
    """
    if new_role not in ROLES:
        raise RoleChangeError(ROLE_MESSAGE)
    with write_transaction():
        # Lock the admins first, always in the same order, then the account: two admins demoting
        # each other at once queue here instead of both passing the "another admin is left"
        # check (SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the locks).
        admins = db.session.scalars(
            select(User.id)
            .where(User.role == "admin", User.deleted_at.is_(None))
            .order_by(User.id)
            .with_for_update()
        ).all()
        target = db.session.scalar(
            select(User)
            .where(User.id == user.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        # Checked under the lock: an admin demoted a moment ago can no longer change roles.
        if isinstance(actor, User) and actor.id not in admins:
            raise RoleChangeError("Only an admin can change someone's role.")
        if target is None or target.deleted_at is not None:
            raise RoleChangeError("This account has been deleted, so its role cannot be changed.")
        old_role = target.role
        if old_role == new_role:
            return RoleChange(target, old_role, new_role)
        if old_role == "admin" and admins == [target.id]:
            raise RoleChangeError(
                f"{target.name} is the only admin, so they must stay an admin. Make another "
                "account an admin first."
            )
        target.role = new_role
        end_sessions_in_transaction(target)
        void_links_in_transaction(target, purposes=["change-email"])
        details = {"old_role": old_role, "new_role": new_role}
        record_audit(actor, "user.role_change", user_subject(target), details)
    log.info(
        "role of user %s changed from %s to %s by %s",
        target.id,
        old_role,
        new_role,
        f"user {actor.id}" if isinstance(actor, User) else actor,
    )
    return RoleChange(target, old_role, new_role)
