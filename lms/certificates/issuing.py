"""Issuing, revoking and withdrawing certificates; finding them by code.

A certificate is issued inside the transaction that completes the course, which holds the
learner's enrolment lock; the unique (learner, course) constraint and an insert that ignores a
conflict make it exactly once even if two completions race.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from sqlalchemy import select, update

from lms.audit import record_audit
from lms.certificates.codes import grouped, new_code, normalise
from lms.certificates.credentials import ISSUER_NAME, Urls, build_credential, sign
from lms.certificates.keys import current_key
from lms.db import insert_new, write_transaction
from lms.extensions import db
from lms.models import Certificate, Course, User

log = logging.getLogger(__name__)


def public_base_url() -> str:
    """Where the site is reachable, for links inside credentials, QR codes and emails."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/") + "/"
    if has_request_context():
        return request.host_url
    return "http://127.0.0.1:5000/"


def urls_for(code: str, course_slug: str) -> Urls:
    base = public_base_url()
    return Urls(
        base=base,
        issuer=f"{base}issuer",
        certificate=f"{base}certificates/{grouped(code)}",
        course=f"{base}courses/{course_slug}",
    )


def issue_in_transaction(user: User, course_id: int, completed_at: datetime) -> bool:
    """Issue the certificate for a completed course; False if it already existed."""
    course = db.session.get(Course, course_id)
    code = new_code()
    certificate = Certificate(
        code=code,
        user_id=user.id,
        course_id=course.id,
        learner_name=user.name,
        course_title=course.title,
        skills=[
            {"name": s.name, "sfia": s.sfia_code, "level": s.sfia_level} for s in course.skills
        ],
        completed_at=completed_at,
        issued_at=completed_at,  # the completion's own instant: one timestamp per action
        issuer_name=ISSUER_NAME,
    )
    key = current_key()
    credential = build_credential(
        certificate, course.summary, course.pass_mark, urls_for(code, course.slug)
    )
    values = {
        column.key: getattr(certificate, column.key)
        for column in Certificate.__table__.columns
        if column.key != "id" and getattr(certificate, column.key) is not None
    }
    values.update(key_id=key.kid, credential_jwt=sign(credential, key, certificate.issued_at))
    inserted = insert_new(Certificate, values, ["user_id", "course_id"])
    if inserted:
        # The code is the certificate's secret address: it is never written to the logs.
        log.info("certificate issued to user %s for course %s", user.id, course.slug)
    return bool(inserted)


def certificate_codes(user: User) -> dict[int, str]:
    """The learner's certificate codes (grouped for display) by course id: one query."""
    rows = db.session.execute(
        select(Certificate.course_id, Certificate.code).where(Certificate.user_id == user.id)
    )
    return {course_id: grouped(code) for course_id, code in rows}


def find(code_text: str) -> Certificate | None:
    code = normalise(code_text)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


class CertificateError(ValueError):
    """A certificate action was refused; the message says why."""


def revoke(certificate: Certificate, reason: str, actor: User) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise CertificateError("Give a reason for revoking this certificate.")
    if certificate.status != "valid":
        raise CertificateError(f"This certificate is already {certificate.status}.")
    now = datetime.now(UTC)
    with write_transaction():
        certificate.revoked_at = now
        certificate.revoked_reason = reason[:500]
        record_audit(
            actor,
            "certificate.revoke",
            f"certificate {certificate.code}",
            {"reason": certificate.revoked_reason},
            at=now,
        )


def withdraw_all_in_transaction(user: User, now: datetime) -> None:
    """The learner deleted their account: certificates stay findable, but say nothing of them."""
    db.session.execute(
        update(Certificate)
        .where(Certificate.user_id == user.id)
        .values(learner_name=None, credential_jwt=None, withdrawn_at=now)
    )
