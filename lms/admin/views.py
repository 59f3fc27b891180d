"""Admin pages: every account with its role (changed here, one form per account), the audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from sqlalchemy import select

from lms.admin.forms import RoleForm, UserFilterForm
from lms.audit import describe
from lms.auth import admin
from lms.auth.roles import role_required
from lms.db import paginate
from lms.extensions import db
from lms.forms import page_number
from lms.models import AuditEvent, User

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The list's own query arguments: kept on a role form's address so the admin returns to the
# same search and page after a change.
LIST_ARGS = ("q", "role", "deleted", "page")
ARTICLES = {"admin": "an", "analyst": "an", "employer": "an"}
PAGE_SIZE = 50  # accounts per page


def _list_args() -> dict[str, str]:
    return {name: request.args[name] for name in LIST_ARGS if request.args.get(name)}


def _role_form(user: User) -> RoleForm:
    return RoleForm(prefix=f"user-{user.id}", formdata=None, role=user.role)


def _users_page(failed: tuple[int, RoleForm] | None = None, status: int = 200):
    """Render the list; ``failed`` is a role form to show with its errors beside its field."""
    filters = UserFilterForm(formdata=request.args)
    filtered = any(request.args.get(name) for name in ("q", "role", "deleted"))
    if filtered:
        filters.validate()
    page = paginate(
        admin.search_users(filters.to_query()), page=page_number(request.args), per_page=PAGE_SIZE
    )
    forms = {user.id: _role_form(user) for user in page.items if user.deleted_at is None}
    errors = [(f.id, message) for f in filters if f.errors for message in f.errors]
    if failed is not None:
        user_id, form = failed
        if user_id not in forms:
            # The account is not on this page (deleted, or filtered out): say so at the top.
            for message in form.role.errors:
                flash(message, "error")
            return redirect(url_for("admin.users", **_list_args()))
        forms[user_id] = form
        errors += [(form.role.id, message) for message in form.role.errors]
    return render_template(
        "admin/users.html",
        filters=filters,
        filtered=filtered,
        page=page,
        forms=forms,
        sessions=admin.newest_sessions(user.id for user in page.items),
        errors=errors,
        list_args=_list_args(),
    ), status


@bp.get("/users")
@role_required("admin")
def users():
    """Every account, newest first: search by name or email, filter by role, change a role."""
    return _users_page()


@bp.post("/users/<int:user_id>/role")
@role_required("admin")
def change_role(user_id: int):
    """Change one account's role: audited, and the person's sessions end so it applies at once."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleForm(prefix=f"user-{user_id}")
    if form.validate_on_submit():
        acting_on_self = user.id == current_user.id
        try:
            change = admin.change_role(
                user, form.role.data, actor=current_user._get_current_object()
            )
        except admin.RoleChangeError as exc:
            form.role.errors.append(str(exc))
        else:
            role = change.new_role
            article = ARTICLES.get(role, "a")
            if not change.changed:
                flash(f"{user.name} is already {article} {role}; nothing changed.", "info")
            elif acting_on_self:
                # This browser's session ended with the others: sign in again with the new role.
                logout_user()
                session.clear()
                flash(f"You are now {article} {role}. Sign in again to carry on.", "success")
                return redirect(url_for("auth.sign_in"))
            else:
                flash(
                    f"{user.name} is now {article} {role}. They have been signed out everywhere, "
                    "so the new role applies from their next sign-in.",
                    "success",
                )
            return redirect(url_for("admin.users", **_list_args()))
    return _users_page(failed=(user_id, form), status=422)


@bp.get("/audit")
@role_required("admin")
def audit():
    """The audit log: every kind of admin and trainer action, newest first, in words."""
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(500)
    )
    return render_template("admin/audit.html", lines=describe(events))
