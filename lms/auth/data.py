"""'Download my data': everything held about one person, as JSON (UK GDPR right of access)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.certificates.codes import grouped
from lms.extensions import db
from lms.models import (
    AccountToken,
    ApiToken,
    Certificate,
    Enrolment,
    Lesson,
    LessonProgress,
    QuizAttempt,
    User,
    UserSession,
)
from lms.regions import all_regions


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_user_data(user: User) -> dict:
    region_names = {region.code: region.name for region in all_regions()}
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.course))
        .order_by(Enrolment.enrolled_at)
    )
    progress = db.session.scalars(
        select(LessonProgress)
        .where(LessonProgress.user_id == user.id)
        .options(selectinload(LessonProgress.lesson).selectinload(Lesson.course))
        .order_by(LessonProgress.started_at)
    )
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id)
        .options(selectinload(QuizAttempt.lesson).selectinload(Lesson.course))
        .order_by(QuizAttempt.submitted_at)
    )
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at)
    )
    api_tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    tokens = db.session.scalars(select(AccountToken).where(AccountToken.user_id == user.id))
    return {
        "exported_by": "TechNorth Skills",
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "email_verified_at": _when(user.email_verified_at),
            "role": user.role,
            "region": {"code": user.region, "name": region_names.get(user.region)},
            "created_at": _when(user.created_at),
            "public_skills_profile": user.public_profile,
        },
        "certificates": [
            {
                "code": grouped(c.code),
                "course": c.course_title,
                "name_on_certificate": c.learner_name,
                "skills": c.skills,
                "completed_at": _when(c.completed_at),
                "issued_at": _when(c.issued_at),
                "status": c.status,
                "revoked_reason": c.revoked_reason,
            }
            for c in certificates
        ],
        "api_tokens": [
            {"name": t.name, "created_at": _when(t.created_at), "revoked_at": _when(t.revoked_at)}
            for t in api_tokens
        ],
        "enrolments": [
            {
                "course": e.course.slug,
                "course_title": e.course.title,
                "enrolled_at": _when(e.enrolled_at),
                "left_at": _when(e.left_at),
                "completed_at": _when(e.completed_at),
            }
            for e in enrolments
        ],
        "lesson_progress": [
            {
                "course": p.lesson.course.slug,
                "lesson": p.lesson.key,
                "lesson_title": p.lesson.title,
                "started_at": _when(p.started_at),
                "completed_at": _when(p.completed_at),
            }
            for p in progress
        ],
        "quiz_attempts": [
            {
                "course": a.lesson.course.slug,
                "lesson": a.lesson.key,
                "submitted_at": _when(a.submitted_at),
                "score": a.score,
                "total": a.total,
                "passed": a.passed,
                "answers": a.answers,
            }
            for a in attempts
        ],
        "sessions": [
            {"signed_in_at": _when(s.created_at), "expires_at": _when(s.expires_at)}
            for s in sessions
        ],
        "email_links": [
            {"purpose": t.purpose, "sent_at": _when(t.created_at), "used_at": _when(t.used_at)}
            for t in tokens
        ],
    }
