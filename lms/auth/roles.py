"""Role checks for views (every object and page is authorised on the server), and each role's
home page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, url_for
from flask_login import current_user, login_required

# Where each kind of user starts: their own work, not the learner's dashboard.
ROLE_HOMES = {
    "learner": "learning.dashboard",
    "trainer": "authoring.home",
    "employer": "employer.bulk_check",  # which also offers the one-code check and the API
    "analyst": "reporting.dashboard",
    "admin": "admin.home",
}


def home_for(user) -> str:
    """The path of ``user``'s home page, by role (an unknown role gets the learner's)."""
    return url_for(ROLE_HOMES.get(user.role, "learning.dashboard"))


def role_required(*roles: str) -> Callable:
    """Signed in, and one of ``roles`` (admins may do everything); else 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles and current_user.role != "admin":
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
