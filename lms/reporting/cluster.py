"""The cluster report: built from the rollups, queued in an outbox, signed and pushed to the hub.

A report covers one calendar month and carries only disclosure-controlled figures. Delivery is
at-least-once from the platform and exactly-once at the hub: each report has an id, the hub stores
an id once, and the platform marks a report sent only when the hub answers 2xx.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from flask import current_app
from sqlalchemy import select

from lms.db import dialect_insert, write_transaction
from lms.extensions import db
from lms.models import ReportOutbox
from lms.reporting.figures import Filters, by_region, open_rows
from lms.reporting.report_checks import report_errors

log = logging.getLogger(__name__)
HUB_PATH = "/api/v1/cluster/reports"
MAX_BACKOFF = timedelta(hours=6)
# What a provider may be called: it travels in a header (X-TechNorth-Provider), so plain ASCII.
PROVIDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def build_report(period: str, report_id: str | None = None) -> dict:
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    rows = open_rows(by_region(Filters(start=period, end=period)), threshold)
    return {
        "schema_version": "1.0",
        "report_id": report_id or str(uuid.uuid4()),
        "provider": current_app.config["CLUSTER_PROVIDER"],
        "period": period,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "disclosure": {"threshold": threshold, "rounding": 5},
        "regions": [{k: v for k, v in row.items() if k != "region_name"} for row in rows],
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what the hub recomputes to trust a report."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _pending(period: str) -> ReportOutbox | None:
    return db.session.scalar(
        select(ReportOutbox).where(ReportOutbox.period == period, ReportOutbox.sent_at.is_(None))
    )


def queue_report(period: str) -> ReportOutbox:
    """Put the report for ``period`` in the outbox (once per period until it is sent).

    The check below only saves building a report for nothing; what makes it once is the partial
    unique index on pending reports: when two pushes overlap, the later insert does nothing (on
    PostgreSQL it waits for the earlier transaction first) and the report queued first is returned.
    """
    with write_transaction():
        pending = _pending(period)
        if pending is not None:
            return pending
        report = build_report(period)
        errors = report_errors(report)
        if errors:  # a bug here, never the hub's problem
            raise ValueError("the report breaks its own rules: " + "; ".join(errors))
        now = datetime.now(UTC)
        inserted = db.session.execute(
            dialect_insert(ReportOutbox)
            .values(
                report_id=report["report_id"],
                period=period,
                body=json.dumps(report, sort_keys=True, separators=(",", ":")),
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=["period"], index_where=ReportOutbox.sent_at.is_(None)
            )
            .returning(ReportOutbox.id)
        ).scalar()
        return db.session.get(ReportOutbox, inserted) if inserted else _pending(period)


class HubAddressError(ValueError):
    """The hub URL is not allowed (plain HTTP to somewhere other than this machine)."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_hub_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return url.rstrip("/")
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return url.rstrip("/")
    raise HubAddressError(f"the hub must be reached over HTTPS (or HTTP on loopback): {url!r}")


def deliver_pending(now: datetime | None = None) -> tuple[int, int]:
    """Send every due report; returns (sent, failed). Never raises for a hub that is down."""
    config = current_app.config
    base = check_hub_url(config["CLUSTER_HUB_URL"])
    secret = config["CLUSTER_SECRET"]
    if not secret:
        raise ValueError("LMS_CLUSTER_SECRET is not set: ask the hub for this provider's secret")
    now = now or datetime.now(UTC)
    due = list(
        db.session.scalars(
            select(ReportOutbox)
            .where(ReportOutbox.sent_at.is_(None), ReportOutbox.next_attempt_at <= now)
            .order_by(ReportOutbox.created_at)
        )
    )
    sent = failed = 0
    with httpx.Client(timeout=config["CLUSTER_TIMEOUT"], follow_redirects=False) as client:
        for row in due:
            body = row.body.encode()
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-TechNorth-Provider": config["CLUSTER_PROVIDER"],
                "X-TechNorth-Report-Id": row.report_id,
                "X-TechNorth-Timestamp": timestamp,
                "X-TechNorth-Signature": signature(secret, timestamp, body),
            }
            try:
                response = client.post(base + HUB_PATH, content=body, headers=headers)
                ok = 200 <= response.status_code < 300
                error = None if ok else f"hub answered {response.status_code}: {response.text}"
            except httpx.HTTPError as exc:
                ok, error = False, f"{exc.__class__.__name__}: {exc}"
            with write_transaction():
                row = db.session.get(ReportOutbox, row.id)
                row.attempts += 1
                if ok:
                    row.sent_at = datetime.now(UTC)
                    row.last_error = None
                    sent += 1
                    log.info("cluster report %s for %s delivered", row.report_id, row.period)
                else:
                    backoff = min(timedelta(minutes=2 ** min(row.attempts, 12)), MAX_BACKOFF)
                    row.next_attempt_at = now + backoff
                    row.last_error = error[:500]
                    failed += 1
                    log.warning("cluster report %s not delivered: %s", row.report_id, error)
    return sent, failed
