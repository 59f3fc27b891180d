"""Admin home, and finding certificates (to open one and revoke it on its own page)."""

from __future__ import annotations

from flask import render_template, request, url_for

from lms.admin.forms import CertificateFilterForm
from lms.admin.views import bp
from lms.auth.roles import role_required
from lms.certificates.codes import grouped
from lms.certificates.search import course_choices, search_certificates
from lms.extensions import db
from lms.forms import page_number

PAGE_SIZE = 50  # certificates per page
SEARCH_ARGS = ("q", "course", "code", "status")


@bp.get("")
@role_required("admin")
def home():
    """Where admins start: accounts, the audit log, certificates, statistics and the studio."""
    return render_template("admin/home.html", form=CertificateFilterForm(courses=[], formdata=None))


@bp.get("/certificates")
@role_required("admin")
def certificates():
    """Find certificates by learner, course, part of the code or status; each links to its page."""
    form = CertificateFilterForm(courses=course_choices(), formdata=request.args)
    searched = any(request.args.get(name) for name in SEARCH_ARGS)
    if searched:
        form.validate()
    page = db.paginate(
        search_certificates(form.to_query()),
        page=page_number(request.args),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    search_args = {name: request.args[name] for name in SEARCH_ARGS if request.args.get(name)}
    return render_template(
        "admin/certificates.html",
        form=form,
        searched=searched,
        page=page,
        grouped=grouped,
        page_url=lambda number: url_for("admin.certificates", **search_args, page=number),
    )
