"""One pending cluster report per month, held by the database: overlapping pushes queue it once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from lms.db import write_transaction
from lms.extensions import db
from lms.models import ReportOutbox
from lms.reporting import cluster
from tests.learning.test_concurrency import run_at_once

PERIOD = "2026-10"
PUSHES = 6


def outbox_row(period: str = PERIOD, sent: bool = False, n: int = 0) -> ReportOutbox:
    now = datetime.now(UTC)
    return ReportOutbox(
        report_id=f"00000000-0000-4000-8000-{n:012d}",
        period=period,
        body="{}",
        created_at=now,
        attempts=0,
        next_attempt_at=now,
        sent_at=now if sent else None,
    )


def test_the_database_refuses_a_second_pending_report_for_a_month(app):
    with app.app_context():
        with write_transaction():
            db.session.add_all([outbox_row(sent=True, n=1), outbox_row(sent=True, n=2)])
            db.session.add_all([outbox_row(n=3), outbox_row("2026-11", n=4)])
        with pytest.raises(IntegrityError), write_transaction():
            db.session.add(outbox_row(n=5))
            db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(ReportOutbox)) == 4


def test_overlapping_pushes_queue_one_report(app, monkeypatch):
    """Six pushes for the same month at once. On PostgreSQL each one has checked for a pending
    report (and found none) before any of them inserts: the old check-then-insert queued six.
    SQLite's BEGIN IMMEDIATE queues writers, so there they overlap only as far as SQLite lets."""
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    all_checked = threading.Barrier(PUSHES)
    build = cluster.build_report

    def build_after_every_check(period, report_id=None):
        if postgresql:
            all_checked.wait(timeout=30)
        return build(period, report_id)

    monkeypatch.setattr(cluster, "build_report", build_after_every_check)

    def push():
        return cluster.queue_report(PERIOD).report_id

    results, errors = run_at_once(app, [push] * PUSHES)
    assert errors == []
    with app.app_context():
        queued = list(db.session.scalars(select(ReportOutbox.report_id)))
    assert len(queued) == 1
    assert results == queued * PUSHES  # every push answers with the one queued report


def test_upgrading_keeps_the_first_of_duplicate_pending_reports(app):
    """Databases that overlapping pushes left with two pending reports for a month upgrade: the
    first queued stays (the next push delivers it), later copies go, sent reports stay."""
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="0008")
            with db.engine.begin() as connection:
                for n, (period, sent) in enumerate(
                    [(PERIOD, None), (PERIOD, None), (PERIOD, "2026-11-01"), ("2026-11", None)]
                ):
                    connection.execute(
                        text(
                            "INSERT INTO report_outbox (report_id, period, body, created_at, "
                            "attempts, next_attempt_at, sent_at) VALUES (:id, :period, '{}', "
                            "'2026-11-01', 0, '2026-11-01', :sent)"
                        ),
                        {"id": f"id-{n}", "period": period, "sent": sent},
                    )
            db.session.remove()
            upgrade()
            with db.engine.connect() as connection:
                kept = connection.execute(
                    text("SELECT report_id FROM report_outbox ORDER BY report_id")
                ).scalars()
                assert list(kept) == ["id-0", "id-2", "id-3"]
        finally:
            db.session.remove()
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
