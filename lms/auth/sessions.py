"""Signed-in sessions: one database row per browser, checked on every request.

The Flask session cookie carries Flask-Login's "<user id>:<session version>" and a random session
token. A request is signed in only if a live ``UserSession`` row matches the token and the user's
version still matches, so signing out (one row gone), signing out everywhere (all rows gone and
the version bumped) and changing the password each end the sessions they should.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, delete, select

from lms.auth.tokens import lock_account_in_transaction, token_hash, void_links_in_transaction
from lms.db import write_transaction
from lms.extensions import db, login_manager
from lms.models import User, UserSession

log = logging.getLogger(__name__)
SESSION_TOKEN_KEY = "sid"  # noqa: S105 - the name of a session key, not a secret


login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"


# Built once: it runs on every signed-in request. Parameters are bound per call.
_SESSION_USER = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.session_version == bindparam("version"),
        User.deleted_at.is_(None),
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.expires_at > bindparam("now", type_=UserSession.expires_at.type),
    )
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    token = session.get(SESSION_TOKEN_KEY)
    if not (user_id.isdigit() and version.isdigit() and isinstance(token, str)):
        return None
    return db.session.scalar(
        _SESSION_USER,
        {
            "user_id": int(user_id),
            "version": int(version),
            "token_hash": token_hash(token),
            "now": datetime.now(UTC),
        },
    )


def start_session_in_transaction(user: User) -> str:
    """Add a fresh session row for ``user`` inside the caller's transaction; returns its token.

    The browser gets the token (``sign_in_browser``) only after the transaction commits.
    """
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + current_app.permanent_session_lifetime,
        )
    )
    return token


def sign_in_browser(user: User, token: str) -> None:
    """Give this browser the committed session ``token``: nothing from before sign-in survives."""
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    login_user(user)


def start_session(user: User) -> None:
    """Sign ``user`` in with a fresh session: old session data is dropped, a new token issued."""
    with write_transaction():
        token = start_session_in_transaction(user)
    sign_in_browser(user, token)


def end_session() -> None:
    """Sign out this browser: its session row is deleted, so a copied cookie is worthless."""
    token = session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        with write_transaction():
            db.session.execute(
                delete(UserSession).where(UserSession.token_hash == token_hash(token))
            )
    logout_user()
    session.clear()


def end_sessions_in_transaction(user: User) -> None:
    """End every session of ``user`` inside the caller's write transaction.

    The rows go, and the version bump makes any cookie that still names the old version resolve
    to nobody. For changes made on someone else's behalf, such as an admin changing their role.
    The account's row is locked first (the lock order in ``lms.auth.tokens``); the bump is done by
    the database, so two of these at once both count.
    """
    lock_account_in_transaction(user.id)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_version = User.session_version + 1
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """Sign out everywhere: end every session of ``user``, this browser's included, and cancel
    every pending link.

    One transaction. "Sign out everywhere" is what a person does when they fear someone else has
    their account, so a reset or email-change link waiting in that someone's inbox dies too.
    """
    with write_transaction():
        end_sessions_in_transaction(user)
        void_links_in_transaction(user)
    log.info("all sessions ended and pending links cancelled for user %s", user.id)
    logout_user()
    session.clear()
