"""Liveness and readiness for load balancers and uptime checks.

``/healthz`` answers 503 only when the database is unreachable: that is the one failure a load
balancer can route around. A cluster report stuck in the outbox makes it "degraded" with a 200,
so the app stays in rotation while the status tells the operator something needs attention.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from lms.extensions import db, limiter
from lms.models import ReportOutbox

bp = Blueprint("health", __name__)


def outbox_health(now: datetime | None = None) -> dict:
    """How many cluster reports wait to be delivered, and for how long the oldest has waited.

    One aggregate over ``report_outbox``, which holds one row per reported month: a scan of it
    costs less than an index lookup would save.
    """
    max_age = round(current_app.config["HEALTH_OUTBOX_MAX_AGE_HOURS"] * 3600)
    try:
        unsent, oldest = db.session.execute(
            select(func.count(ReportOutbox.id), func.min(ReportOutbox.created_at)).where(
                ReportOutbox.sent_at.is_(None)
            )
        ).one()
    except SQLAlchemyError as exc:  # e.g. migrations not applied: worth saying, not a 503
        db.session.rollback()
        return {"status": "error", "error": exc.__class__.__name__}
    age = None if oldest is None else int(((now or datetime.now(UTC)) - oldest).total_seconds())
    return {
        "status": "degraded" if age is not None and age > max_age else "ok",
        "unsent": unsent,
        "oldest_unsent_age_seconds": age,
        "max_age_seconds": max_age,
    }


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Report the database (503 when unreachable) and the cluster-report outbox (else 200)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        database = {"status": "error", "error": exc.__class__.__name__}
        return jsonify(status="unavailable", database=database, outbox={"status": "unknown"}), 503
    database = {"status": "ok", "dialect": db.engine.dialect.name}
    outbox = outbox_health()
    status = "ok" if outbox["status"] == "ok" else "degraded"
    return jsonify(status=status, database=database, outbox=outbox), 200
