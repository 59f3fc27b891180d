"""Issuing, revoking and withdrawing certificates; re-issuing old credentials; finding them.

A certificate is issued inside the transaction that completes the course, which holds the
learner's enrolment lock; the unique (learner, course) constraint and an insert that ignores a
conflict make it exactly once even if two completions race. The same insert draws the
certificate's random status-list entry: if another certificate took it first, the database
refuses it without error and another is drawn.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.audit import record_audit
from lms.certificates import status_list
from lms.certificates.codes import grouped, new_code, normalise
from lms.certificates.credentials import (
    ISSUER_NAME,
    build_credential,
    hashed_email,
    sign,
    urls_for,
)
from lms.certificates.keys import current_key
from lms.db import dialect_insert, write_transaction
from lms.extensions import db
from lms.models import Certificate, Course, User

log = logging.getLogger(__name__)

# Draws of a free status-list entry before giving up. Lists are at most half full, so each draw
# collides with probability under 1/2; 40 collisions in a row would take a broken random source.
MAX_DRAWS = 40


class CertificateError(ValueError):
    """A certificate action was refused; the message says why."""


def _signed(certificate: Certificate, course: Course, email: str) -> str:
    credential = build_credential(
        certificate,
        course.summary,
        course.pass_mark,
        urls_for(certificate.code, course.slug),
        recipient=hashed_email(email),
        status=status_list.entry(certificate.status_list_index),
    )
    return sign(credential, current_key(), certificate.issued_at)


def _exists(user_id: int, course_id: int) -> bool:
    return (
        db.session.scalar(
            select(Certificate.id).where(
                Certificate.user_id == user_id, Certificate.course_id == course_id
            )
        )
        is not None
    )


def issue_in_transaction(user: User, course_id: int, completed_at: datetime) -> bool:
    """Issue the certificate for a completed course; False if it already existed."""
    if _exists(user.id, course_id):
        return False
    course = db.session.get(Course, course_id)
    issued_at = completed_at  # the completion's own instant: one timestamp per action
    for _draw in range(MAX_DRAWS):
        certificate = Certificate(
            code=new_code(),
            user_id=user.id,
            course_id=course.id,
            learner_name=user.name,
            course_title=course.title,
            skills=[
                {"name": s.name, "sfia": s.sfia_code, "level": s.sfia_level} for s in course.skills
            ],
            completed_at=completed_at,
            issued_at=issued_at,
            issuer_name=ISSUER_NAME,
            status_list_index=status_list.draw_index_in_transaction(),
        )
        certificate.key_id = current_key().kid
        certificate.credential_jwt = _signed(certificate, course, user.email)
        values = {
            column.key: getattr(certificate, column.key)
            for column in Certificate.__table__.columns
            if column.key != "id" and getattr(certificate, column.key) is not None
        }
        # No conflict target: a clash on (learner, course), the code or the status-list entry
        # inserts nothing and raises nothing, on SQLite and PostgreSQL alike.
        inserted = db.session.execute(
            dialect_insert(Certificate)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(Certificate.id)
        ).first()
        if inserted is not None:
            number, _ = status_list.split(certificate.status_list_index)
            status_list.ensure_published_in_transaction(number)
            # The code is the certificate's secret address: it is never written to the logs.
            log.info("certificate issued to user %s for course %s", user.id, course.slug)
            return True
        if _exists(user.id, course_id):
            return False  # a concurrent completion issued it first
    raise RuntimeError(f"no free status-list entry after {MAX_DRAWS} draws")


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


def certified_course(slug: str) -> Course | None:
    """A course whose Achievement answers at its id: any published course, and any course a
    certificate was issued for (retired, or back in draft), so no credential's id goes dead."""
    issued = select(Certificate.id).where(Certificate.course_id == Course.id).exists()
    return db.session.scalar(
        select(Course)
        .where(Course.slug == slug, or_(Course.status == "published", issued))
        .options(selectinload(Course.skills))
    )


def revoke(certificate: Certificate, reason: str, actor: User) -> None:
    """Revoke with the admin's reason, shown publicly; the status list changes in the same
    transaction. A withdrawn certificate can still be revoked: its credential may be in a wallet.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise CertificateError("Give a reason for revoking this certificate.")
    now = datetime.now(UTC)
    with write_transaction():
        # The condition makes the check and the change one step: of two admins revoking at
        # once, the second is told it is already revoked instead of overwriting the reason.
        changed = db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason[:500])
            .returning(Certificate.status_list_index)
        ).first()
        if changed is None:
            raise CertificateError("This certificate is already revoked.")
        if changed.status_list_index is not None:
            status_list.publish_in_transaction(status_list.split(changed.status_list_index)[0])
        record_audit(
            actor,
            "certificate.revoke",
            f"certificate {certificate.code}",
            {"reason": reason[:500]},
            at=now,
        )
    db.session.expire(certificate)


def withdraw_all_in_transaction(user: User, now: datetime) -> None:
    """The learner deleted their account: certificates stay findable, but say nothing of them.

    The revocation (date, the admin's reason) and the status-list entry stay: a revoked
    certificate must read "revoked" after its holder leaves, and its old credential may still be
    in a wallet, checked against the list.
    """
    db.session.execute(
        update(Certificate)
        .where(Certificate.user_id == user.id)
        .values(learner_name=None, credential_jwt=None, withdrawn_at=now)
    )


def _reissue_one(certificate_id: int) -> bool:
    """Give one certificate a status-list entry and a re-issued credential (one transaction)."""
    with write_transaction():
        certificate = db.session.get(Certificate, certificate_id)
        if certificate.status_list_index is not None or certificate.withdrawn:
            return False
        certificate.status_list_index = status_list.draw_index_in_transaction()
        certificate.key_id = current_key().kid
        certificate.credential_jwt = _signed(
            certificate, certificate.course, certificate.user.email
        )
        db.session.flush()  # a taken entry fails here, and the transaction is retried
        number, _ = status_list.split(certificate.status_list_index)
        if certificate.revoked_at is not None:
            status_list.publish_in_transaction(number)
        else:
            status_list.ensure_published_in_transaction(number)
    return True


def reissue_credentials() -> int:
    """Certificates issued before status lists get an entry and a new credential that names it.

    Their old credentials keep verifying (the keys are unchanged) but carry no status, so a
    revocation cannot reach a verifier who checks them offline; the re-issued credential, on the
    certificate's page, does. Withdrawn certificates have no credential left to re-issue.
    Idempotent: a certificate that already has an entry is left alone.
    """
    ids = db.session.scalars(
        select(Certificate.id).where(
            Certificate.status_list_index.is_(None), Certificate.withdrawn_at.is_(None)
        )
    ).all()
    count = 0
    for certificate_id in ids:
        for _draw in range(MAX_DRAWS):
            try:
                count += _reissue_one(certificate_id)
                break
            except IntegrityError:
                continue  # the drawn entry was taken meanwhile: draw again
        else:
            raise RuntimeError(f"no free status-list entry after {MAX_DRAWS} draws")
    return count
