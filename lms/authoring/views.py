"""Studio pages: the trainer's courses, a new course, a course's workspace, publishing, co-authors.

Every view is for trainers (and admins) and checks, object by object, that the signed-in user
authors the course (``workspace_or_404``). Views parse the request, call one domain function and
render; the work happens in ``drafts``, ``publishing``, ``transfer`` and ``images``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lms.auth.roles import role_required
from lms.authoring import drafts
from lms.authoring.access import authored_workspaces, workspace_or_404
from lms.authoring.forms import AuthorForm, ImageForm, LessonForm, NewCourseForm, ZipForm
from lms.authoring.publishing import check_draft, publish, unpublished_changes
from lms.content.frontmatter import front_matter
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.models import CourseAuthor, User
from lms.wording import plural

bp = Blueprint("authoring", __name__, url_prefix="/studio")


@bp.get("")
@role_required("trainer")
def home():
    """The courses the trainer authors (every course for admins), with their draft status."""
    workspaces = authored_workspaces(current_user)
    return render_template(
        "authoring/home.html",
        workspaces=workspaces,
        changes={ws.id: len(unpublished_changes(ws)) for ws in workspaces},
        zip_form=ZipForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("trainer")
def new_course():
    """Start a course: a course.md and a first lesson in a draft only its authors can see."""
    form = NewCourseForm()
    if form.validate_on_submit():
        new = drafts.NewCourse(
            slug=form.slug.data,
            title=form.title.data.strip(),
            summary=" ".join(form.summary.data.split()),
            level=form.level.data,
            hours=float(form.hours.data),
            author_name=current_user.name or "Course author",
        )
        try:
            workspace = drafts.create_course(current_user, new)
        except drafts.DraftError as exc:
            form.slug.errors.append(str(exc))
        else:
            flash(f"Course “{new.title}” created as a draft. Nothing is public until you publish.")
            return redirect(url_for("authoring.workspace", slug=workspace.slug))
    status = 422 if form.errors else 200
    return render_template("authoring/new_course.html", form=form), status


def lesson_rows(workspace) -> list[dict]:
    """The draft's files for the workspace page, each course or lesson file with its title."""
    return [
        {"file": item, "title": _title(item.data) if item.kind != "asset" else None}
        for item in drafts.draft_files(workspace)
    ]


def _title(data: bytes | None) -> str | None:
    doc = front_matter(data)
    title = doc.meta.get("title") if doc else None
    return title if isinstance(title, str) else None


@bp.get("/courses/<slug>")
@role_required("trainer")
def workspace(slug: str):
    """One course in the studio: its files, images, draft changes, publishing and authors."""
    ws = workspace_or_404(slug)
    removed = [f for f in ws.files if f.path is None and f.published_path is not None]
    authors = db.session.scalars(
        select(User)
        .join(CourseAuthor)
        .where(CourseAuthor.workspace_id == ws.id)
        .order_by(User.name)
    ).all()
    return render_template(
        "authoring/workspace.html",
        ws=ws,
        rows=lesson_rows(ws),
        removed=removed,
        changes=unpublished_changes(ws),
        authors=authors,
        lesson_form=LessonForm(),
        image_form=ImageForm(),
        zip_form=ZipForm(),
        author_form=AuthorForm(),
        confirm=ConfirmForm(),
    )


@bp.route("/courses/<slug>/publish", methods=["GET", "POST"])
@role_required("trainer")
def publish_course(slug: str):
    """Check the whole draft (GET) and publish it if it is clean (POST)."""
    ws = workspace_or_404(slug)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        result = publish(ws, current_user)
        if result.published:
            lines = result.summary.lines()
            flash("Published. " + " ".join(line.strip() for line in lines))
            return redirect(url_for("authoring.workspace", slug=ws.slug))
        check, status = result.check, 422
    else:
        check, status = check_draft(ws), 200
    return render_template(
        "authoring/publish.html",
        ws=ws,
        check=check,
        files={f.path: f for f in ws.files if f.path},
        changes=unpublished_changes(ws),
        form=form,
    ), status


@bp.post("/courses/<slug>/authors")
@role_required("admin")
def add_author(slug: str):
    """Admins make a trainer a co-author of the course."""
    ws = workspace_or_404(slug)
    form = AuthorForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(
            select(User).where(func.lower(User.email) == email, User.deleted_at.is_(None))
        )
        if user is None:
            form.email.errors.append(f"No account uses {email}.")
        else:
            try:
                drafts.set_authors(ws, current_user, add=user)
            except drafts.DraftError as exc:
                form.email.errors.append(str(exc))
            else:
                flash(f"{user.name} can now edit this course.")
                return redirect(url_for("authoring.workspace", slug=ws.slug) + "#authors")
    for error in form.email.errors:
        flash(f"Co-author not added: {error}", "error")
    return redirect(url_for("authoring.workspace", slug=ws.slug) + "#authors")


@bp.post("/courses/<slug>/authors/<int:user_id>/remove")
@role_required("admin")
def remove_author(slug: str, user_id: int):
    """Admins take a co-author off the course."""
    ws = workspace_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None or not any(a.user_id == user_id for a in ws.authors):
        abort(404)
    drafts.set_authors(ws, current_user, remove=user)
    flash(f"{user.name or 'The account'} is no longer an author of this course.")
    return redirect(url_for("authoring.workspace", slug=ws.slug) + "#authors")


@bp.app_template_filter("ws_title")
def workspace_title(ws) -> str:
    """The course's title as its draft course.md has it (else the published one, else its id)."""
    item = next((f for f in ws.files if f.kind == "course" and f.path), None)
    title = _title(item.data) if item is not None else None
    return title or (ws.course.title if ws.course else ws.slug)


@bp.app_template_filter("changes")
def changes_filter(count: int) -> str:
    return plural(count, "unpublished change") if count else "No unpublished changes"
