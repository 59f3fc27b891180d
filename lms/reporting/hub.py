"""Hub mode: receive signed cluster reports from providers, and add them up per city.

Registered only when ``LMS_HUB_ENABLED=1``. A report is accepted when its provider is known, its
HMAC signature matches, its timestamp is within the window (older replays are refused), and it
matches the schema; each report id is stored once, so a provider's retry is harmless.
"""

from __future__ import annotations

import hmac
import json
import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import select

from lms.auth.roles import role_required
from lms.db import insert_new, write_transaction
from lms.extensions import csrf, db
from lms.models import HubProvider, HubReport
from lms.reporting.cluster import HUB_PATH, schema_errors, signature
from lms.reporting.figures import region_labels
from lms.reporting.rollups import COUNTERS

bp = Blueprint("hub", __name__)
csrf.exempt(bp)


def _refuse(status: int, reason: str):
    return jsonify(error="Report refused", reason=reason, status=status), status


@bp.post(HUB_PATH)
def receive():
    """Accept one signed report from a registered provider."""
    name = request.headers.get("X-TechNorth-Provider", "")
    stamp = request.headers.get("X-TechNorth-Timestamp", "")
    given = request.headers.get("X-TechNorth-Signature", "")
    provider = db.session.scalar(select(HubProvider).where(HubProvider.name == name))
    if provider is None:
        return _refuse(401, "Unknown provider.")
    if (
        not stamp.isdigit()
        or abs(time.time() - int(stamp)) > current_app.config["HUB_TIMESTAMP_WINDOW"]
    ):
        return _refuse(401, "The timestamp is missing or outside the accepted window.")
    body = request.get_data()
    if not hmac.compare_digest(signature(provider.secret, stamp, body), given):
        return _refuse(401, "The signature does not match the body.")
    try:
        report = json.loads(body)
    except ValueError:
        return _refuse(400, "The body is not JSON.")
    errors = schema_errors(report)
    if errors:
        return jsonify(error="Report refused", reason="; ".join(errors), status=422), 422
    if report["provider"] != provider.name:
        return _refuse(422, "provider: does not match the signing provider.")
    if report["report_id"] != request.headers.get("X-TechNorth-Report-Id"):
        return _refuse(422, "report_id: does not match the X-TechNorth-Report-Id header.")
    stored = store_report(provider, report)
    status = "stored" if stored else "duplicate"
    return jsonify(status=status, report_id=report["report_id"]), 201 if stored else 200


def store_report(provider: HubProvider, report: dict) -> bool:
    """Keep a checked report once: False when this report id was stored before (a retry)."""
    with write_transaction():
        return insert_new(
            HubReport,
            {
                "report_id": report["report_id"],
                "provider_id": provider.id,
                "period": report["period"],
                "body": report,
                "received_at": datetime.now(UTC),
            },
            ["report_id"],
        )


@bp.get("/hub")
@role_required("analyst")
def dashboard():
    """Every provider's latest report for a month, added up per city region."""
    periods = list(
        db.session.scalars(select(HubReport.period).distinct().order_by(HubReport.period.desc()))
    )
    period = request.args.get("period") or (periods[0] if periods else None)
    latest: dict[int, HubReport] = {}
    for report in db.session.scalars(
        select(HubReport).where(HubReport.period == period).order_by(HubReport.received_at)
    ):
        latest[report.provider_id] = report  # a later report for the month replaces the earlier
    totals: dict[str, dict] = {}
    for report in latest.values():
        for row in report.body["regions"]:
            entry = totals.setdefault(row["region"], dict.fromkeys(COUNTERS, 0) | {"suppressed": 0})
            for name in COUNTERS:
                if isinstance(row[name], int):
                    entry[name] += row[name]
                else:
                    entry["suppressed"] += 1
    return render_template(
        "reporting/hub.html",
        period=period,
        periods=periods,
        providers=len(latest),
        totals=totals,
        labels=region_labels(),
        counters=COUNTERS,
    )
