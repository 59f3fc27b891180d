"""Fault injection: the process is killed with SIGKILL in the middle of its work, and nothing is
half done afterwards.

- ``flask content sync`` killed while it writes a large catalogue: the database is intact, holds
  the whole earlier catalogue or the whole new one, and a rerun completes and is idempotent.
- ``flask stats push`` killed while the hub is receiving the report: the next push delivers it,
  the hub holds it exactly once and the outbox shows it sent.

The commands run as real subprocesses against the test database (SQLite file, or PostgreSQL with
TEST_DATABASE_URL). The test waits for evidence that the work is under way (bytes written to the
database, the hub holding the request), never for a fixed time; where the kill lands decides
which outcome is checked, never whether the test passes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import and_, func, select, text

from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.models import Course, HubReport, Lesson, ReportOutbox
from lms.reporting.cluster import HUB_PATH
from tests.reporting.test_cluster_report import Hub, free_port

COURSES, LESSONS, IMAGE_BYTES = 16, 5, 24 * 1024
DEADLINE = 180  # seconds: a stuck process fails the test instead of hanging the suite
COURSE_MD = """\
---
id: {slug}
title: Course {number} v{version}
summary: A generated course for the fault-injection tests.
level: beginner
hours: 2
skills:
  - name: Programming
    sfia: PROG
    level: 2
pass_mark: 70
authors:
  - name: Test Author
    role: Trainer, Leeds
status: published
featured: false
modules:
  - id: basics
    title: The basics
---
Version {version} of course {number}.
"""


def write_catalogue(root: Path, version: int) -> Path:
    """A whole catalogue; each version changes every course, lesson and image, retires the
    first course of the previous version and adds a new last one."""
    folder = root / f"catalogue-v{version}"
    for number in range(version, version + COURSES):
        course = folder / f"course-{number:03d}"
        (course / "images").mkdir(parents=True)
        (course / "course.md").write_text(
            COURSE_MD.format(slug=course.name, number=number, version=version)
        )
        for n in range(1, LESSONS + 1):
            text_ = f"Paragraph of lesson {n}, version {version}. " * 40
            (course / f"{n:02d}-lesson-{n}.md").write_text(
                f"---\nid: lesson-{n}\ntitle: Lesson {n} v{version}\nminutes: 5\n"
                f"module: basics\n---\n![Figure {n}](images/figure-{n}.png)\n\n{text_}\n"
            )
            seed = hashlib.sha256(f"{course.name}/{n}/{version}".encode()).digest()
            (course / "images" / f"figure-{n}.png").write_bytes(
                b"\x89PNG\r\n\x1a\n" + seed * (IMAGE_BYTES // len(seed))
            )
    return folder


def flask_process(app, *args: str, **environment: str) -> subprocess.Popen:
    """``flask --app wsgi ARGS`` in a new process on the test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "fault-injection-tests-only",
        **environment,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill(process: subprocess.Popen) -> str:
    """SIGKILL (no clean-up of any kind); the process's output so far."""
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=DEADLINE)
    return output


def is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def sqlite_file(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def release_connections(app) -> None:
    """Close the test's own connections; on SQLite also empty the write-ahead log, so its size
    measures what the next writer has written."""
    with app.app_context():
        db.session.remove()
        if is_sqlite(app):
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()


class WriteProbe:
    """How many bytes the database has been written since the probe was made: the SQLite
    write-ahead log's size, or PostgreSQL's database size (tables grow as rows are written,
    committed or not)."""

    def __init__(self, app):
        self.wal = Path(f"{sqlite_file(app)}-wal") if is_sqlite(app) else None
        self.connection = None
        if self.wal is None:
            with app.app_context():
                engine = db.engine
            self.connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.start = self._size()

    def _size(self) -> int:
        if self.wal is not None:
            return self.wal.stat().st_size if self.wal.exists() else 0
        return self.connection.scalar(text("SELECT pg_database_size(current_database())"))

    def __call__(self) -> int:
        return self._size() - self.start

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def fingerprint(app) -> dict[str, str]:
    """A digest of every row of every table, per table: equal means the same database state."""
    with app.app_context(), db.engine.connect() as connection:
        digests = {}
        for table in db.metadata.sorted_tables:
            digest = hashlib.sha256()
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                for value in row:
                    digest.update(value if isinstance(value, bytes) else repr(value).encode())
            digests[table.name] = digest.hexdigest()
        return digests


def assert_intact(app) -> None:
    """SQLite's integrity and foreign-key checks; on PostgreSQL, no row points at a missing one."""
    if is_sqlite(app):
        with closing(sqlite3.connect(sqlite_file(app))) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        return
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for key in table.foreign_key_constraints:
                parent = key.referred_table
                joined = table.outerjoin(
                    parent, and_(*(e.column == e.parent for e in key.elements))
                )
                orphans = db.session.scalar(
                    select(func.count())
                    .select_from(joined)
                    .where(*(e.parent.isnot(None) for e in key.elements))
                    .where(*(e.column.is_(None) for e in key.elements))
                )
                assert orphans == 0, f"{table.name} rows point at missing {parent.name} rows"
        db.session.remove()


def assert_catalogue_is_version(app, version: int) -> None:
    wanted = {f"course-{n:03d}" for n in range(version, version + COURSES)}
    with app.app_context():
        query = select(Course.slug, Course.title).where(Course.retired_at.is_(None))
        live = dict(db.session.execute(query).all())
        assert set(live) == wanted
        assert all(title.endswith(f" v{version}") for title in live.values())
        titles = db.session.execute(
            select(Lesson.title).join(Course).where(Course.retired_at.is_(None))
        ).scalars()
        assert sorted({title.rsplit(" ", 1)[1] for title in titles}) == [f"v{version}"]
        db.session.remove()


def wait_for_writes(process: subprocess.Popen, probe: WriteProbe, threshold: int) -> None:
    """Poll until the process has written ``threshold`` bytes (at least one) or has exited."""
    deadline = time.monotonic() + DEADLINE
    while process.poll() is None and probe() < max(threshold, 1):
        assert time.monotonic() < deadline, "the sync neither wrote nor finished"
        time.sleep(0.002)


def measured_sync(app, runner, catalogue: Path) -> tuple[str, int]:
    """Sync in this process: what it printed and how many bytes it wrote."""
    release_connections(app)
    probe = WriteProbe(app)
    try:
        result = runner.invoke(args=["content", "sync", str(catalogue)])
        assert result.exit_code == 0, result.output
        return result.output, probe()
    finally:
        probe.close()


def test_sync_killed_while_writing_leaves_one_whole_catalogue(app, runner, tmp_path):
    """Kill at three points of the write: its first bytes, a third and two thirds of the way
    (measured against what the last whole sync wrote)."""
    _, whole_sync_bytes = measured_sync(app, runner, write_catalogue(tmp_path, 1))
    assert whole_sync_bytes > 0
    outcomes = []
    for version, fraction in ((2, 0), (3, 1 / 3), (4, 2 / 3)):
        catalogue = write_catalogue(tmp_path, version)
        before = fingerprint(app)
        release_connections(app)
        probe = WriteProbe(app)
        sync = flask_process(app, "content", "sync", str(catalogue))
        try:
            wait_for_writes(sync, probe, int(whole_sync_bytes * fraction))
        finally:
            output = kill(sync)
            probe.close()
        assert sync.returncode in (-signal.SIGKILL, 0), output

        assert_intact(app)
        after_kill = fingerprint(app)
        rerun, written = measured_sync(app, runner, catalogue)
        after_rerun = fingerprint(app)
        if after_kill == before:  # killed before its commit: the earlier catalogue, whole
            outcomes.append("earlier")
            assert rerun.startswith(f"Added 1 course, {LESSONS} lessons"), rerun
            assert after_rerun != before
            whole_sync_bytes = written
        else:  # committed before the kill: the new catalogue, whole, so the rerun has no work
            outcomes.append("new")
            assert rerun.startswith("Nothing changed"), (
                f"the killed sync left part of the new catalogue; the rerun did:\n{rerun}"
            )
            assert after_rerun == after_kill
        assert_catalogue_is_version(app, version)
        again = runner.invoke(args=["content", "sync", str(catalogue)])
        assert again.output.startswith("Nothing changed"), again.output
        assert fingerprint(app) == after_rerun
    print(f"sync killed at 0, 1/3, 2/3 of its writes left: {outcomes}")  # visible with -s


# --- the cluster report push --------------------------------------------------------------

PERIOD = datetime.now(UTC).strftime("%Y-%m")


class HoldingGate:
    """WSGI middleware in front of the hub: takes in the whole first report upload, then holds
    it at ``moment`` until the test has killed the pusher.

    ``received``: before the hub looks at it (the hub stores it after the pusher has died);
    ``stored``: after the hub stored it, before it answers; ``lost``: the hub never stores it.
    """

    def __init__(self, app, moment: str):
        self.app, self.moment = app, moment
        self.reached, self.release, self.finished = (threading.Event() for _ in range(3))
        self.armed = True

    def __call__(self, environ, start_response):
        if not (self.armed and environ["PATH_INFO"] == HUB_PATH):
            return self.app(environ, start_response)
        self.armed = False
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            environ["wsgi.input"] = BytesIO(environ["wsgi.input"].read(length))
            if self.moment == "stored":
                answer = []
                body = b"".join(self.app(environ, lambda *args: answer.append(args[:2])))
            self.reached.set()
            self.release.wait(DEADLINE)
            if self.moment == "stored":
                start_response(*answer[0])
                return [body]
            if self.moment == "lost":
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the hub went down"]
            return self.app(environ, start_response)
        finally:
            self.finished.set()


@pytest.fixture
def activity(client, signed_in, synced):
    client.post("/courses/demo-course/enrol")
    client.post("/courses/demo-course/lessons/second-steps/complete")


@pytest.fixture
def hub(tmp_path):
    hub = Hub(tmp_path, free_port())
    yield hub
    if hub.server is not None:
        hub.stop()


def hub_report_ids(hub) -> list[str]:
    with hub.app.app_context():
        ids = list(db.session.scalars(select(HubReport.report_id)))
        db.session.remove()
        return ids


def outbox(app) -> list[tuple[str, int, bool]]:
    with app.app_context():
        rows = [
            (row.report_id, row.attempts, row.sent_at is not None)
            for row in db.session.scalars(select(ReportOutbox))
        ]
        db.session.remove()
        return rows


@pytest.mark.parametrize("moment", ["received", "stored", "lost"])
def test_push_killed_while_the_hub_receives_is_delivered_once_by_the_next(
    app, runner, activity, hub, moment
):
    gate = HoldingGate(hub.app.wsgi_app, moment)
    hub.app.wsgi_app = gate
    hub.start()
    settings = {
        "LMS_CLUSTER_HUB_URL": hub.url,
        "LMS_CLUSTER_PROVIDER": "leeds-lms",
        "LMS_CLUSTER_SECRET": hub.secret,
        "LMS_CLUSTER_TIMEOUT": "600",  # the pusher is killed, never timed out
    }
    pusher = flask_process(app, "stats", "push", "--period", PERIOD, **settings)
    try:
        reached = gate.reached.wait(DEADLINE)
    finally:
        output = kill(pusher)
        gate.release.set()
    assert reached, output
    assert gate.finished.wait(DEADLINE)
    assert pusher.returncode == -signal.SIGKILL
    [(report_id, attempts, sent)] = outbox(app)
    assert (attempts, sent) == (0, False)  # queued, never marked: the pusher died first
    assert hub_report_ids(hub) == ([] if moment == "lost" else [report_id])

    app.config.update(
        CLUSTER_HUB_URL=hub.url, CLUSTER_PROVIDER="leeds-lms", CLUSTER_SECRET=hub.secret
    )
    again = runner.invoke(args=["stats", "push", "--period", PERIOD])
    assert again.exit_code == 0, again.output
    assert f"Report {report_id} for {PERIOD} is in the outbox." in again.output
    assert "Delivered 1; 0 will be retried later." in again.output
    assert hub_report_ids(hub) == [report_id]
    assert outbox(app) == [(report_id, 1, True)]
