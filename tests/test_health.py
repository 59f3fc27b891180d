"""/healthz for the load balancer and the operator: the database and the cluster-report outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from lms.extensions import db
from lms.models import ReportOutbox


def queue(app, *, age: timedelta, sent: bool = False, period: str = "2026-10") -> None:
    """A report queued ``age`` ago, delivered or still waiting (one waits per month)."""
    created = datetime.now(UTC) - age
    with app.app_context():
        db.session.add(
            ReportOutbox(
                report_id=str(uuid.uuid4()),
                period=period,
                body="{}",
                created_at=created,
                attempts=3,
                next_attempt_at=created,
                sent_at=created + timedelta(minutes=5) if sent else None,
            )
        )
        db.session.commit()


def test_an_empty_outbox_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["status"] == "ok"
    assert response.json["outbox"] == {
        "status": "ok",
        "unsent": 0,
        "oldest_unsent_age_seconds": None,
        "max_age_seconds": 24 * 3600,
    }


def test_a_report_waiting_less_than_the_threshold_is_ok(client, app):
    queue(app, age=timedelta(hours=1))
    queue(app, age=timedelta(days=40), sent=True)  # delivered long ago: not waiting
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    outbox = response.json["outbox"]
    assert (outbox["status"], outbox["unsent"]) == ("ok", 1)
    assert 3600 <= outbox["oldest_unsent_age_seconds"] < 24 * 3600


def test_a_report_stuck_past_the_threshold_is_degraded_but_still_200(client, app):
    queue(app, age=timedelta(hours=1))
    queue(app, age=timedelta(hours=30), period="2026-09")
    response = client.get("/healthz")
    assert response.status_code == 200  # the load balancer keeps the app in rotation
    assert response.json["status"] == "degraded"
    outbox = response.json["outbox"]
    assert (outbox["status"], outbox["unsent"]) == ("degraded", 2)
    assert outbox["oldest_unsent_age_seconds"] >= 30 * 3600


def test_the_threshold_is_configurable(client, app):
    app.config["HEALTH_OUTBOX_MAX_AGE_HOURS"] = 0.5
    queue(app, age=timedelta(hours=1))
    response = client.get("/healthz")
    assert response.json["status"] == "degraded"
    assert response.json["outbox"]["max_age_seconds"] == 1800


def test_a_missing_outbox_table_is_degraded_not_unavailable(client, app):
    with app.app_context():
        db.session.execute(text("DROP TABLE report_outbox"))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["database"]["status"] == "ok"
    assert response.json["outbox"]["status"] == "error"


def test_the_check_is_two_queries(client, app, count_statements):
    queue(app, age=timedelta(hours=1))
    with count_statements() as counter:
        assert client.get("/healthz").status_code == 200
    assert len(counter.selects) == 2, counter.statements
