"""The cluster report: its schema, the CLI, and delivery from a provider to a hub over HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.extensions import db
from lms.learning import progress
from lms.models import Course, HubReport, Lesson, ReportOutbox
from lms.reporting.cluster import (
    HubAddressError,
    build_report,
    check_hub_url,
    deliver_pending,
    queue_report,
    signature,
)
from lms.reporting.report_checks import schema_errors
from tests.factories import PASSWORD, make_user, reading_lessons, write_course

PERIOD = datetime.now(UTC).strftime("%Y-%m")


@pytest.fixture
def activity(client, signed_in, synced):
    client.post("/courses/demo-course/enrol")
    client.post("/courses/demo-course/lessons/second-steps/complete")


def test_report_matches_its_schema_and_carries_only_controlled_figures(app, activity):
    with app.app_context():
        report = build_report(PERIOD)
    assert schema_errors(report) == []
    leeds = next(r for r in report["regions"] if r["region"] == "leeds")
    assert leeds["enrolments"] == "<5" and leeds["completion_rate"] is None
    assert "Sam Learner" not in json.dumps(report) and "@" not in json.dumps(report)
    broken = dict(report, period="2026-13", extra=1)
    errors = schema_errors(broken)
    assert any(e.startswith("period:") for e in errors) and any("extra" in e for e in errors)


def test_report_command_prints_json_and_csv(runner, activity):
    as_json = runner.invoke(args=["stats", "report", "--period", PERIOD, "--format", "json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.output)["period"] == PERIOD
    as_csv = runner.invoke(args=["stats", "report", "--period", PERIOD, "--format", "csv"])
    lines = as_csv.output.splitlines()
    assert lines[0].startswith("region,enrolments,active_learners")
    assert any(line.startswith("leeds,<5,<5") for line in lines)
    bad = runner.invoke(args=["stats", "report", "--period", "November"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hub.example.org", True),
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://hub.example.org", False),
        ("ftp://hub.example.org", False),
    ],
)
def test_hub_must_be_https_unless_on_loopback(url, allowed):
    if allowed:
        assert check_hub_url(url) == url
    else:
        with pytest.raises(HubAddressError):
            check_hub_url(url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Hub:
    """A second app instance in hub mode, on its own database, served on a loopback port."""

    def __init__(self, tmp_path, port: int):
        self.port = port
        self.app = create_app(
            settings_of(
                TestConfig,
                SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/hub.sqlite3",
                HUB_ENABLED=True,
            )
        )
        with self.app.app_context():
            db.create_all()
        result = self.app.test_cli_runner().invoke(args=["hub", "add-provider", "leeds-lms"])
        assert result.exit_code == 0, result.output
        self.secret = result.output.strip().splitlines()[-1]
        self.server = None

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()

    def reports(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count(HubReport.id)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def hub(tmp_path):
    hub = Hub(tmp_path, free_port())
    yield hub
    if hub.server is not None:
        hub.stop()


def test_report_waits_while_the_hub_is_down_then_arrives_exactly_once(app, runner, activity, hub):
    app.config.update(
        CLUSTER_HUB_URL=hub.url,
        CLUSTER_PROVIDER="leeds-lms",
        CLUSTER_SECRET=hub.secret,
        CLUSTER_TIMEOUT=2,
    )
    down = runner.invoke(args=["stats", "push", "--period", PERIOD])
    assert down.exit_code == 1
    assert "Delivered 0; 1 will be retried later." in down.output
    with app.app_context():
        row = db.session.scalar(select(ReportOutbox))
        assert row.sent_at is None and row.attempts == 1 and "ConnectError" in row.last_error
        assert row.next_attempt_at > datetime.now(UTC)  # backed off
        first_id = row.report_id
        db.session.execute(update(ReportOutbox).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
    hub.start()
    up = runner.invoke(args=["stats", "push", "--period", PERIOD])
    assert up.exit_code == 0, up.output
    assert f"Report {first_id}" in up.output  # the queued report, not a new one
    assert "Delivered 1; 0 will be retried later." in up.output
    assert hub.reports() == 1
    with app.app_context():
        assert db.session.scalar(select(ReportOutbox.sent_at)) is not None
    # pushing again queues a fresh report for the month: the hub keeps the newest per provider
    runner.invoke(args=["stats", "push", "--period", PERIOD])
    assert hub.reports() == 2
    with hub.app.test_client() as browser:
        with hub.app.app_context():
            make_user("analyst@example.com", role="analyst")
        browser.post(
            "/account/sign-in", data={"email": "analyst@example.com", "password": PASSWORD}
        )
        text = browser.get("/hub").get_data(as_text=True)
        assert "1 provider reported for" in text and "Leeds City Region" in text


def signed_post(hub, body: bytes, *, secret=None, stamp=None, report_id=None, provider="leeds-lms"):
    stamp = stamp or str(int(time.time()))
    report_id = report_id or json.loads(body)["report_id"]
    return httpx.post(
        hub.url + "/api/v1/cluster/reports",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-TechNorth-Provider": provider,
            "X-TechNorth-Report-Id": report_id,
            "X-TechNorth-Timestamp": stamp,
            "X-TechNorth-Signature": signature(secret or hub.secret, stamp, body),
        },
    )


@pytest.fixture
def report_body(app, activity) -> bytes:
    app.config["CLUSTER_PROVIDER"] = "leeds-lms"
    with app.app_context():
        return json.dumps(build_report(PERIOD)).encode()


def test_hub_accepts_a_signed_report_once(hub, report_body):
    hub.start()
    first = signed_post(hub, report_body)
    assert first.status_code == 201 and first.json()["status"] == "stored"
    again = signed_post(hub, report_body)  # a retry after a lost answer
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert hub.reports() == 1


def test_hub_rejects_tampering_replays_and_strangers(hub, report_body):
    hub.start()
    stamp = str(int(time.time()))
    good_signature = signature(hub.secret, stamp, report_body)
    tampered = report_body.replace(b'"leeds"', b'"sheffield"', 1)
    response = httpx.post(
        hub.url + "/api/v1/cluster/reports",
        content=tampered,
        headers={
            "X-TechNorth-Provider": "leeds-lms",
            "X-TechNorth-Report-Id": json.loads(report_body)["report_id"],
            "X-TechNorth-Timestamp": stamp,
            "X-TechNorth-Signature": good_signature,
        },
    )
    assert response.status_code == 401 and "signature" in response.json()["reason"]
    old = str(int(time.time()) - 3600)
    assert signed_post(hub, report_body, stamp=old).status_code == 401  # a replay from an hour ago
    assert signed_post(hub, report_body, secret="wrong").status_code == 401
    assert signed_post(hub, report_body, provider="nobody").status_code == 401
    invalid = json.dumps(dict(json.loads(report_body), period="2026-13")).encode()
    refused = signed_post(hub, invalid)
    assert refused.status_code == 422 and "period" in refused.json()["reason"]
    assert hub.reports() == 0


def test_hub_endpoints_exist_only_in_hub_mode(client):
    assert client.post("/api/v1/cluster/reports", data=b"{}").status_code == 404
    assert client.get("/hub").status_code == 404


def test_backoff_grows_with_each_failure(app, runner, activity):
    app.config.update(
        CLUSTER_HUB_URL=f"http://127.0.0.1:{free_port()}", CLUSTER_SECRET="s", CLUSTER_TIMEOUT=1
    )
    with app.app_context():
        now = queue_report(PERIOD).next_attempt_at
        gaps = []
        for _ in range(3):
            assert deliver_pending(now) == (0, 1)
            row = db.session.scalar(select(ReportOutbox))
            gaps.append(row.next_attempt_at - now)
            assert deliver_pending(now) == (0, 0)  # not due again until the gap has passed
            now = row.next_attempt_at
        assert gaps == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]


def test_a_month_completing_more_courses_than_it_enrols_is_reported(app, content_dir, runner):
    """Ten learners enrol in March and finish in April, when six others enrol: April's rate is
    167%. The report must carry it (the schema once capped rates at 100 and refused it)."""
    write_course(content_dir, "short-course", lessons=reading_lessons(1))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        course, lesson = db.session.scalar(select(Course)), db.session.scalar(select(Lesson))
        march = [make_user(f"m{n}@example.com") for n in range(10)]
        with time_machine.travel(datetime(2026, 3, 10, tzinfo=UTC), tick=False):
            for user in march:
                progress.enrol(user, course)
        with time_machine.travel(datetime(2026, 4, 10, tzinfo=UTC), tick=False):
            for user in march:
                progress.complete_lesson(user, lesson)
            for n in range(6):
                progress.enrol(make_user(f"a{n}@example.com"), course)
        row = queue_report("2026-04")
        leeds = next(r for r in json.loads(row.body)["regions"] if r["region"] == "leeds")
    assert (leeds["enrolments"], leeds["courses_completed"], leeds["completion_rate"]) == (
        5,
        10,
        167,
    )


def test_a_provider_name_must_fit_in_a_header(runner):
    refused = runner.invoke(args=["hub", "add-provider", "Leeds LMS\u00e9"])
    assert refused.exit_code == 2 and "letters, digits" in refused.output
    assert runner.invoke(args=["hub", "add-provider", "leeds-lms.2"]).exit_code == 0
