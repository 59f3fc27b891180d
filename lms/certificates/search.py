"""Finding certificates for admins: by learner, course, part of the code, or status.

Admins revoke from a certificate's own page; this is how they reach it without already knowing
the code. The query is built here, and paged by the view; one query per page and one count,
however many certificates there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import contains_eager, load_only

from lms.db import LIKE_ESCAPE, contains_pattern
from lms.extensions import db
from lms.models import Certificate, Course, User

# status -> the condition that selects it (see Certificate.status: withdrawn wins over revoked)
STATUSES = {
    "valid": lambda: (Certificate.revoked_at.is_(None), Certificate.withdrawn_at.is_(None)),
    "revoked": lambda: (Certificate.revoked_at.is_not(None), Certificate.withdrawn_at.is_(None)),
    "withdrawn": lambda: (Certificate.withdrawn_at.is_not(None),),
}


@dataclass(frozen=True)
class CertificateQuery:
    text: str = ""  # part of the learner's name (on the certificate or the account) or email
    course_id: int | None = None
    code: str = ""  # part of the code, canonical (upper case, no dashes)
    status: str = ""


def search_certificates(query: CertificateQuery) -> Select:
    """Certificates matching every given criterion, newest first, each with its learner's
    account loaded (for the email); the signed credential and skills are not loaded."""
    stmt = (
        select(Certificate)
        .join(Certificate.user)
        .options(
            contains_eager(Certificate.user).load_only(User.id, User.email, User.name),
            load_only(
                Certificate.id,
                Certificate.code,
                Certificate.user_id,
                Certificate.course_id,
                Certificate.learner_name,
                Certificate.course_title,
                Certificate.completed_at,
                Certificate.issued_at,
                Certificate.revoked_at,
                Certificate.withdrawn_at,
            ),
        )
    )
    if query.text:
        pattern = contains_pattern(query.text)
        stmt = stmt.where(
            or_(
                Certificate.learner_name.ilike(pattern, escape=LIKE_ESCAPE),
                User.name.ilike(pattern, escape=LIKE_ESCAPE),
                User.email.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if query.course_id is not None:
        stmt = stmt.where(Certificate.course_id == query.course_id)
    if query.code:
        stmt = stmt.where(Certificate.code.like(contains_pattern(query.code), escape=LIKE_ESCAPE))
    if query.status:
        stmt = stmt.where(*STATUSES[query.status]())
    return stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc())


def course_choices() -> list[tuple[int, str]]:
    """Every course that has issued a certificate, by title (retired ones too: their
    certificates stay)."""
    rows = db.session.execute(
        select(Course.id, Course.title)
        .where(select(Certificate.id).where(Certificate.course_id == Course.id).exists())
        .order_by(Course.title, Course.id)
    )
    return [(course_id, title) for course_id, title in rows]
