"""Studio files in and out: image uploads, course zips exported and imported."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from lms.auth.roles import role_required
from lms.authoring import drafts, transfer
from lms.authoring.access import workspace_or_404
from lms.authoring.forms import ImageForm, ZipForm
from lms.authoring.images import ImageError, check_image, store_image
from lms.authoring.views import bp


@bp.post("/courses/<slug>/images")
@role_required("trainer")
def upload_image(slug: str):
    """Add a PNG, JPEG or WebP image to the draft (checked by its content and size)."""
    ws = workspace_or_404(slug)
    form = ImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        data = upload.read(current_app.config["STUDIO_MAX_IMAGE_BYTES"] + 1)
        try:
            image = check_image(
                upload.filename or "", data, current_app.config["STUDIO_MAX_IMAGE_BYTES"]
            )
        except ImageError as exc:
            form.image.errors.append(str(exc))
        else:
            replaced = store_image(ws, image, data, current_user)
            verb = "replaced" if replaced else "uploaded"
            flash(
                f"Image {verb} as {image.path} ({image.width} x {image.height} pixels). "
                f"Show it in a lesson with ![Describe the image]({image.path})."
            )
            return redirect(url_for("authoring.workspace", slug=slug) + "#images")
    for error in form.image.errors:
        flash(f"Image not uploaded: {error}", "error")
    return redirect(url_for("authoring.workspace", slug=slug) + "#images")


@bp.get("/courses/<slug>/export.zip")
@role_required("trainer")
def export(slug: str):
    """The course as a zip in the content folder format: published by default, or the draft."""
    ws = workspace_or_404(slug)
    version = request.args.get("version", "published")
    if version not in ("published", "draft"):
        abort(400, "version must be 'published' or 'draft'")
    if version == "published" and not any(f.published_path for f in ws.files):
        flash("This course has never been published: export the draft instead.", "error")
        return redirect(url_for("authoring.workspace", slug=slug))
    data = transfer.export_zip(ws, version)
    name = f"{ws.slug}.zip" if version == "published" else f"{ws.slug}-draft.zip"
    response = send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=name,
    )
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _read_upload(form: ZipForm) -> transfer.ZipImport | None:
    limit = current_app.config["STUDIO_MAX_ZIP_BYTES"]
    upload = form.archive.data
    data = upload.read(limit + 1)
    if len(data) > limit:
        form.archive.errors.append(f"The zip is larger than {limit // 1024 // 1024} MB.")
        return None
    return transfer.read_zip(
        data,
        upload.filename or "upload.zip",
        max_image_bytes=current_app.config["STUDIO_MAX_IMAGE_BYTES"],
    )


def _allow_large_upload() -> None:
    # Zips with images are bigger than the site's usual request limit; only these routes allow it.
    request.max_content_length = current_app.config["STUDIO_MAX_ZIP_BYTES"] + 64 * 1024


@bp.post("/courses/<slug>/import")
@role_required("trainer")
def import_zip(slug: str):
    """Replace the draft with a zip's course files, after checking every file; not published."""
    ws = workspace_or_404(slug)
    _allow_large_upload()
    form = ZipForm()
    result = _read_upload(form) if form.validate_on_submit() else None
    if result is not None and result.ok and result.slug != ws.slug:
        form.archive.errors.append(
            f"The zip holds the course '{result.slug}', not '{ws.slug}'. "
            "Import it from the studio's home page as a new course."
        )
    elif result is not None and result.ok:
        _, changed = transfer.import_zip(result, current_user, ws)
        flash(_imported_message(changed, result))
        return redirect(url_for("authoring.workspace", slug=slug))
    return render_template("authoring/import.html", ws=ws, form=form, result=result), 422


@bp.post("/import")
@role_required("trainer")
def import_new():
    """Start a new course from a zip of course files; it stays a draft until published."""
    _allow_large_upload()
    form = ZipForm()
    result = _read_upload(form) if form.validate_on_submit() else None
    if result is not None and result.ok:
        try:
            ws, _ = transfer.import_zip(result, current_user)
        except drafts.DraftError as exc:
            form.archive.errors.append(str(exc))
        else:
            flash(_imported_message(len(result.files), result))
            return redirect(url_for("authoring.workspace", slug=ws.slug))
    return render_template("authoring/import.html", ws=None, form=form, result=result), 422


def _imported_message(changed: int, result: transfer.ZipImport) -> str:
    message = f"Imported into the draft: {changed} file(s) changed. Review it, then publish."
    if result.ignored:
        message += f" Not imported (no lesson uses them): {', '.join(result.ignored)}."
    return message
