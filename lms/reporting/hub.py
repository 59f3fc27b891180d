"""Hub mode: receive signed cluster reports from providers, and add them up per city.

Registered only when ``LMS_HUB_ENABLED=1``. A report is accepted when its provider is known, its
HMAC signature matches, its timestamp is within the window (older replays are refused), and it
matches the schema; each report id is stored once, so a provider's retry is harmless.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from sqlalchemy import select

from lms.auth.roles import role_required
from lms.db import insert_new, write_transaction
from lms.extensions import csrf, db
from lms.models import HubProvider, HubReport
from lms.reporting.cluster import HUB_PATH, PROVIDER_NAME, signature
from lms.reporting.figures import region_labels
from lms.reporting.report_checks import MAX_DEPTH, report_errors, too_deep
from lms.reporting.rollups import COUNTERS

bp = Blueprint("hub", __name__)
csrf.exempt(bp)
log = logging.getLogger(__name__)

# Every header is checked against a strict pattern before it is used: ASCII digits only for the
# timestamp (str.isdigit() also accepts "²", which int() refuses), lowercase hex of SHA-256's
# length for the signature (hmac.compare_digest refuses non-ASCII strings with a TypeError).
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"[0-9a-f]{64}")
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# A report is about 2 KB (one row per city region); 64 KiB leaves room and bounds the work an
# authenticated provider can ask of the parser.
MAX_REPORT_BYTES = 64 * 1024
AUTH_SCHEME = 'TechNorth-HMAC-SHA256 realm="TechNorth cluster hub"'


def _refuse(status: int, reason: str):
    log.warning("report refused (%s): %s", status, reason)
    response = jsonify(error="Report refused", reason=reason, status=status)
    if status == 401:  # RFC 9110: a 401 names the scheme that would be accepted
        response.headers["WWW-Authenticate"] = AUTH_SCHEME
    return response, status


def _authenticate() -> tuple[HubProvider | None, bytes | str]:
    """The signing provider and the body it signed, or None and why the request is refused.

    Nothing of the body is parsed before the signature over it has been checked.
    """
    name = request.headers.get("X-TechNorth-Provider", "")
    stamp = request.headers.get("X-TechNorth-Timestamp", "")
    given = request.headers.get("X-TechNorth-Signature", "")
    if not PROVIDER_NAME.fullmatch(name):
        return None, "X-TechNorth-Provider is missing or not a provider name."
    if not TIMESTAMP.fullmatch(stamp):
        return None, "X-TechNorth-Timestamp must be Unix time in ASCII digits."
    if not SIGNATURE.fullmatch(given):
        return None, "X-TechNorth-Signature must be 64 lowercase hex digits (HMAC-SHA256)."
    provider = db.session.scalar(select(HubProvider).where(HubProvider.name == name))
    if provider is None:
        return None, "Unknown provider."
    if abs(time.time() - int(stamp)) > current_app.config["HUB_TIMESTAMP_WINDOW"]:
        return None, "The timestamp is missing or outside the accepted window."
    request.max_content_length = MAX_REPORT_BYTES  # larger: 413, before a byte is kept
    body = request.get_data()
    if not hmac.compare_digest(signature(provider.secret, stamp, body), given):
        return None, "The signature does not match the body."
    return provider, body


@bp.post(HUB_PATH)
def receive():
    """Accept one signed report from a registered provider."""
    provider, body = _authenticate()
    if provider is None:
        return _refuse(401, body)
    if too_deep(body):
        return _refuse(400, f"The JSON nests deeper than {MAX_DEPTH} levels.")
    try:
        report = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: unreachable after too_deep()
        return _refuse(400, "The body is not JSON.")
    errors = report_errors(report, leeway=current_app.config["HUB_TIMESTAMP_WINDOW"])
    if errors:
        return _refuse(422, "; ".join(errors))
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
    if period is not None and not PERIOD.fullmatch(period):
        abort(400, "Choose a month from the list.")
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
