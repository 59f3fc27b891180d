"""Employers: check many certificates at once from a CSV file, and manage API tokens."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.auth.roles import role_required
from lms.certificates import api_tokens
from lms.certificates.checks import CsvError, check_codes, codes_from_csv, results_csv
from lms.certificates.codes import grouped
from lms.certificates.forms import BulkCheckForm, CodeForm, TokenForm

bp = Blueprint("employer", __name__, url_prefix="/employer")


@bp.route("/check", methods=["GET", "POST"])
@role_required("employer")
def bulk_check():
    """The employer's home: check one code, upload a CSV of codes (every row gets its own result,
    and a bad row never stops the rest), and the way to the API."""
    form = BulkCheckForm()
    results = None
    if form.validate_on_submit():
        try:
            codes = codes_from_csv(form.file.data.read())
        except CsvError as exc:
            form.file.errors.append(str(exc))
        else:
            results = check_codes(codes)
    status = 422 if form.errors else 200
    return render_template(
        "certificates/bulk_check.html",
        form=form,
        code_form=CodeForm(formdata=None),  # the one-code check: it sends the code to /verify
        results=results,
        grouped=grouped,
    ), status


@bp.post("/check.csv")
@role_required("employer")
def bulk_check_csv():
    """The results of a bulk check as a CSV file (the codes come back from the results page)."""
    codes = request.form.getlist("code")[:1000]
    if not codes:
        abort(400)
    response = Response(results_csv(check_codes(codes)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="certificate-checks.csv"'
    return response


@bp.route("/tokens", methods=["GET", "POST"])
@role_required("employer")
def tokens():
    """API tokens for the verification API: create (shown once), list, revoke."""
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        new_secret = api_tokens.create_token(current_user, form.name.data)
        form = TokenForm(formdata=None)
    mine = api_tokens.tokens_of(current_user)
    status = 422 if form.errors else 200
    return render_template(
        "certificates/tokens.html", form=form, tokens=mine, new_secret=new_secret
    ), status


@bp.post("/tokens/<int:token_id>/revoke")
@role_required("employer")
def revoke_token(token_id: int):
    """Revoke one of the employer's own tokens (someone else's is a 404, not a 403)."""
    token = api_tokens.revoke_token(current_user, token_id)
    if token is None:
        abort(404)
    flash(f"The token “{token.name}” has been revoked.", "success")
    return redirect(url_for("employer.tokens"))
