"""Flask-Login wiring: session ids carry a per-user version so old sessions can be ended."""

from __future__ import annotations

from lms.extensions import db, login_manager
from lms.models import User


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
