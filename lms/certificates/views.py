"""Certificate pages: public verification, look-up by code, QR, PDF; the issuer's profile, keys
and revocation lists; the learner's certificates and public skills profile; admins' revocation
(the audit log is in ``lms/admin/views.py``)."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.roles import role_required
from lms.certificates import issuing, status_list
from lms.certificates.codes import grouped
from lms.certificates.credentials import (
    KID_RE,
    check_signature,
    issuer_profile,
    issuer_urls,
    public_jwk,
    published_jwks,
    urls_for,
)
from lms.certificates.documents import certificate_pdf, linkedin_url, qr_svg
from lms.certificates.forms import CodeForm, ProfileForm, RevokeForm
from lms.certificates.keys import find_key
from lms.certificates.profiles import set_public_profile
from lms.extensions import db
from lms.models import Certificate, StatusList, User

bp = Blueprint("certificates", __name__)


def _certificate_or_404(code: str) -> Certificate:
    certificate = issuing.find(code)
    if certificate is None:
        abort(404)
    if code != grouped(certificate.code):
        # One address per certificate: lower case, spaces or look-alikes go to the canonical one.
        abort(redirect(url_for("certificates.show", code=grouped(certificate.code)), 301))
    return certificate


def _page_url(certificate: Certificate) -> str:
    return urls_for(certificate.code, certificate.course.slug).certificate


def _show(certificate: Certificate, revoke_form: RevokeForm, status: int = 200):
    page_url = _page_url(certificate)
    return render_template(
        "certificates/show.html",
        certificate=certificate,
        code=grouped(certificate.code),
        page_url=page_url,
        signature=check_signature(certificate.credential_jwt),
        listed=status_list.listed_status(certificate),
        qr=qr_svg(page_url) if not certificate.withdrawn else None,
        linkedin=linkedin_url(certificate, page_url),
        is_owner=current_user.is_authenticated and current_user.id == certificate.user_id,
        revoke_form=revoke_form,
    ), status


@bp.get("/certificates/<code>")
def show(code: str):
    """The public verification page: every certified field, the status and the signature check."""
    return _show(_certificate_or_404(code), RevokeForm())


@bp.get("/certificates/<code>/qr.svg")
def qr(code: str):
    """The QR code on its own, for printing or slides."""
    certificate = _certificate_or_404(code)
    return Response(qr_svg(_page_url(certificate)), mimetype="image/svg+xml")


@bp.get("/certificates/<code>/certificate.pdf")
def pdf(code: str):
    """An A4 PDF of a valid certificate."""
    certificate = _certificate_or_404(code)
    if certificate.status != "valid":
        abort(404)
    response = Response(
        certificate_pdf(certificate, _page_url(certificate)), mimetype="application/pdf"
    )
    filename = f"technorth-certificate-{grouped(certificate.code)}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/certificates/<code>/credential.jwt")
def credential(code: str):
    """The signed Open Badges 3.0 credential (VC-JWT), for wallets and verifiers."""
    certificate = _certificate_or_404(code)
    if not certificate.credential_jwt:
        abort(404)
    return Response(certificate.credential_jwt, mimetype="application/jwt")


@bp.get("/verify")
def verify():
    """Type in a certificate code to check it."""
    form = CodeForm(formdata=request.args if "code" in request.args else None)
    if "code" in request.args and form.validate():
        certificate = issuing.find(form.code.data)
        if certificate is not None:
            return redirect(url_for("certificates.show", code=grouped(certificate.code)))
        form.code.errors.append("No certificate has this code. Check it and try again.")
    status = 422 if form.errors else 200
    return render_template("certificates/verify.html", form=form), status


@bp.get("/issuer")
def issuer():
    """The issuer's Open Badges profile."""
    return jsonify(issuer_profile(issuer_urls()))


def _public(response: Response, max_age: int = 300) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


@bp.get("/.well-known/jwks.json")
def jwks_document():
    """Every public key the issuer has signed with, current and retired."""
    return _public(jsonify(published_jwks()))


@bp.get("/issuer/keys/<kid>")
def issuer_key(kid: str):
    """One public key as a JWK: what the ``kid`` URL in a credential's JOSE header answers."""
    key = find_key(kid) if KID_RE.match(kid) else None
    if key is None:
        abort(404)
    response = jsonify(public_jwk(key))
    response.mimetype = "application/jwk+json"
    return _public(response)


@bp.get(
    f"/credentials/status/<int(min=0, max={status_list.MAX_NUMBER}):number>", endpoint="status_list"
)
def status_list_credential(number: int):
    """A signed Bitstring Status List (revocation) that credentials point to; public, cached
    for as long as the list's ``ttl`` says, and answered 304 when unchanged."""
    published = db.session.get(StatusList, number)
    if published is None:
        abort(404)
    response = Response(published.credential_jwt, mimetype="application/jwt")
    response.set_etag(hashlib.sha256(published.credential_jwt.encode()).hexdigest())
    response.last_modified = published.updated_at
    return _public(response, status_list.TTL_SECONDS).make_conditional(request)


@bp.get("/dashboard/certificates")
@login_required
def mine():
    """The learner's certificates, with share links, and their public profile setting."""
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == current_user.id)
            .order_by(Certificate.issued_at.desc())
        )
    )
    form = ProfileForm(public_profile=current_user.public_profile)
    return render_template(
        "certificates/mine.html",
        certificates=certificates,
        form=form,
        share_url=lambda c: _page_url(c),
        grouped=grouped,
    )


@bp.post("/dashboard/certificates/profile")
@login_required
def set_profile():
    """Switch the public skills profile on or off."""
    form = ProfileForm()
    if form.validate_on_submit():
        public = set_public_profile(current_user._get_current_object(), form.public_profile.data)
        flash(
            "Your public skills profile is on." if public else "Your public skills profile is off.",
            "success",
        )
    return redirect(url_for("certificates.mine"))


@bp.get("/profiles/<slug>")
def profile(slug: str):
    """A learner's public skills profile: their valid certificates, if they chose to share them."""
    user = db.session.scalar(
        select(User).where(
            User.profile_slug == slug, User.public_profile.is_(True), User.deleted_at.is_(None)
        )
    )
    if user is None:
        abort(404)
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.user_id == user.id,
                Certificate.revoked_at.is_(None),
                Certificate.withdrawn_at.is_(None),
            )
            .order_by(Certificate.issued_at.desc())
        )
    )
    return render_template(
        "certificates/profile.html", person=user, certificates=certificates, grouped=grouped
    )


@bp.post("/certificates/<code>/revoke")
@role_required("admin")
def revoke(code: str):
    """Revoke a certificate with a reason; the action is audit-logged."""
    certificate = issuing.find(code)
    if certificate is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            issuing.revoke(certificate, form.reason.data, current_user._get_current_object())
        except issuing.CertificateError as exc:
            flash(str(exc), "error")
        else:
            flash("The certificate has been revoked.", "success")
        return redirect(url_for("certificates.show", code=grouped(certificate.code)))
    return _show(certificate, form, 422)
