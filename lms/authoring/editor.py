"""The Markdown editor: edit, preview and save a file; add, reorder and delete lessons; history.

Without JavaScript the editor is a form with two buttons: Preview (renders the unsaved text on the
server, beside the textarea) and Save draft. With JavaScript, ``studio.js`` posts the text to
``live_preview`` as the trainer types and swaps in the server's rendering. Either way the preview
is the learner's lesson template, filled from the same loader that publishing uses.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from lms.auth.roles import role_required
from lms.authoring import drafts
from lms.authoring.access import workspace_or_404
from lms.authoring.diffs import line_diff
from lms.authoring.forms import LessonForm, SourceForm
from lms.authoring.images import media_type
from lms.authoring.preview import preview_file
from lms.authoring.views import bp
from lms.content.quiz import QUESTION_KINDS
from lms.forms import ConfirmForm
from lms.security import ASSET_CSP


def _file_or_404(ws, file_id: int):
    item = drafts.file_or_404(ws, file_id)
    if item is None:
        abort(404)
    return item


def _revision_or_404(slug: str, file_id: int, revision_id: int):
    """The workspace, file and revision named in the URL, each checked to belong to the last."""
    ws = workspace_or_404(slug)
    item = _file_or_404(ws, file_id)
    chosen = drafts.revision_or_none(item, revision_id)
    if chosen is None:
        abort(404)
    return ws, item, chosen


@bp.route("/courses/<slug>/files/<int:file_id>", methods=["GET", "POST"])
@role_required("trainer")
def edit_file(slug: str, file_id: int):
    """Edit one Markdown file: Preview shows the unsaved text rendered; Save keeps a draft."""
    ws = workspace_or_404(slug)
    item = _file_or_404(ws, file_id)
    if item.kind == "asset" or item.path is None:
        return redirect(url_for("authoring.history", slug=slug, file_id=file_id))
    form = SourceForm()
    status = 200
    conflict = None
    if request.method == "GET":
        form.text.data = (item.data or b"").decode("utf-8", errors="replace")
        form.base.data = item.sha256
    elif form.validate_on_submit():
        text = (form.text.data or "").replace("\r\n", "\n")
        if request.form.get("action") == "save":
            try:
                saved = drafts.save_file(item, text.encode(), current_user, form.base.data)
            except drafts.DraftConflict as exc:
                conflict, status = str(exc), 409
            except drafts.DraftError as exc:
                flash(str(exc), "error")
                return redirect(url_for("authoring.workspace", slug=slug))
            else:
                flash("Draft saved." if saved else "No changes to save.")
                return redirect(url_for("authoring.edit_file", slug=slug, file_id=file_id))
    else:
        status = 422
    text = form.text.data if form.text.data is not None else ""
    preview = preview_file(ws, item, text.replace("\r\n", "\n").encode())
    return render_template(
        "authoring/editor.html",
        ws=ws,
        item=item,
        form=form,
        preview=preview,
        conflict=conflict,
        kinds=QUESTION_KINDS,
        source_lines=text.splitlines(),
    ), status


@bp.post("/courses/<slug>/files/<int:file_id>/preview")
@role_required("trainer")
def live_preview(slug: str, file_id: int):
    """The preview and problems for unsaved text, as an HTML fragment for the live preview."""
    ws = workspace_or_404(slug)
    item = _file_or_404(ws, file_id)
    form = SourceForm()
    if item.kind == "asset" or not form.validate_on_submit():
        abort(400)
    text = (form.text.data or "").replace("\r\n", "\n")
    preview = preview_file(ws, item, text.encode())
    return render_template(
        "authoring/_preview.html",
        ws=ws,
        item=item,
        preview=preview,
        kinds=QUESTION_KINDS,
        source_lines=text.splitlines(),
    )


@bp.post("/courses/<slug>/lessons")
@role_required("trainer")
def add_lesson(slug: str):
    """Add a lesson at the end of the course, from a template, and open it in the editor."""
    ws = workspace_or_404(slug)
    form = LessonForm()
    if not form.validate_on_submit():
        for error in form.title.errors:
            flash(f"Lesson not added: {error}", "error")
        return redirect(url_for("authoring.workspace", slug=slug) + "#lessons")
    try:
        item = drafts.add_lesson(ws, form.title.data.strip(), current_user)
    except drafts.DraftError as exc:
        flash(f"Lesson not added: {exc}", "error")
        return redirect(url_for("authoring.workspace", slug=slug) + "#lessons")
    flash(f"Lesson added as {item.path}. Write it, then publish the course.")
    return redirect(url_for("authoring.edit_file", slug=slug, file_id=item.id))


@bp.post("/courses/<slug>/files/<int:file_id>/move")
@role_required("trainer")
def move_lesson(slug: str, file_id: int):
    """Move a lesson up or down the course (renumbers the files; lesson ids stay)."""
    ws = workspace_or_404(slug)
    item = _file_or_404(ws, file_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if item.kind != "lesson" or item.path is None or step is None:
        abort(400)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    drafts.move_lesson(ws, item, step, current_user)
    return redirect(url_for("authoring.workspace", slug=slug) + f"#file-{item.id}")


@bp.post("/courses/<slug>/files/<int:file_id>/delete")
@role_required("trainer")
def delete_file(slug: str, file_id: int):
    """Take a lesson or image out of the draft; publishing then retires it (progress is kept)."""
    ws = workspace_or_404(slug)
    item = _file_or_404(ws, file_id)
    if item.path is None or not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        drafts.delete_file(item, current_user)
    except drafts.DraftError as exc:
        flash(str(exc), "error")
    else:
        flash("Deleted from the draft. Restore it from its history if that was a mistake.")
    return redirect(url_for("authoring.workspace", slug=slug))


@bp.get("/courses/<slug>/files/<int:file_id>/history")
@role_required("trainer")
def history(slug: str, file_id: int):
    """Every saved version of a file, newest first, with who saved it and why."""
    ws = workspace_or_404(slug)
    item = _file_or_404(ws, file_id)
    return render_template(
        "authoring/history.html",
        ws=ws,
        item=item,
        revisions=drafts.revisions(item),
        confirm=ConfirmForm(),
    )


@bp.get("/courses/<slug>/files/<int:file_id>/revisions/<int:revision_id>")
@role_required("trainer")
def revision(slug: str, file_id: int, revision_id: int):
    """One version compared with the current draft (or, on request, with the version before)."""
    ws, item, chosen = _revision_or_404(slug, file_id, revision_id)
    against = request.args.get("against", "draft")
    older = [r for r in drafts.revisions(item) if r.id < chosen.id]
    if against == "previous":
        base = older[0].data if older else b""
        left, right = base, chosen.data
        title = "Changes this version made"
    else:
        left, right = chosen.data, item.data or b""
        title = "This version compared with the current draft"
    textual = item.kind != "asset"
    return render_template(
        "authoring/revision.html",
        ws=ws,
        item=item,
        chosen=chosen,
        against=against,
        has_previous=bool(older),
        title=title,
        diff=line_diff(left, right) if textual else None,
        confirm=ConfirmForm(),
    )


@bp.post("/courses/<slug>/files/<int:file_id>/revisions/<int:revision_id>/restore")
@role_required("trainer")
def restore(slug: str, file_id: int, revision_id: int):
    """Make an earlier version the draft again; the current one stays in the history."""
    _, item, chosen = _revision_or_404(slug, file_id, revision_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        drafts.restore_revision(item, chosen, current_user)
    except drafts.DraftError as exc:
        flash(str(exc), "error")
        return redirect(url_for("authoring.history", slug=slug, file_id=file_id))
    flash(f"Version of {chosen.created_at:%d %B %Y %H:%M} restored to the draft.")
    if item.kind == "asset":
        return redirect(url_for("authoring.workspace", slug=slug))
    return redirect(url_for("authoring.edit_file", slug=slug, file_id=file_id))


@bp.get("/courses/<slug>/draft/<path:path>")
@role_required("trainer")
def draft_asset(slug: str, path: str):
    """A draft image, for previews: only the course's authors can load it."""
    ws = workspace_or_404(slug)
    item = next((f for f in ws.files if f.path == path and f.kind == "asset"), None)
    if item is None:
        abort(404)
    response = make_response(item.data)
    response.headers["Content-Type"] = media_type(path)
    response.headers["Content-Security-Policy"] = ASSET_CSP
    response.headers["Content-Disposition"] = "inline"
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.set_etag(item.sha256)
    return response.make_conditional(request)
