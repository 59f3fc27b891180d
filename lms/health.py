"""Liveness and readiness for load balancers and uptime checks."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Report whether the app can reach its database: 200 when it can, 503 when it cannot."""
    try:
        db.session.execute(text("SELECT 1"))
        database = {"status": "ok", "dialect": db.engine.dialect.name}
        code = 200
    except SQLAlchemyError as exc:
        db.session.rollback()
        database = {"status": "error", "error": exc.__class__.__name__}
        code = 503
    status = "ok" if code == 200 else "unavailable"
    return jsonify(status=status, database=database), code
