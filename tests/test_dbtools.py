"""``flask db backup`` and ``flask db restore`` as an operator runs them: whole, consistent copies
of a live SQLite database, restores that bring data back, refusals that change nothing, and the
PostgreSQL commands to use instead."""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
import subprocess
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.db import write_transaction
from lms.extensions import db
from lms.models import CatalogueRevision, Course, Lesson, User
from tests.factories import make_user

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="backup and restore copy SQLite files; PostgreSQL uses pg_dump"
)
LESSONS_PER_COURSE = 5


def live_file(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


@pytest.fixture
def stamped(app, runner) -> str:
    """The test database (built by create_all) marked as being at the latest revision."""
    result = runner.invoke(args=["db", "stamp", "head"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def emails(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(User.email).order_by(User.email)))
        db.session.remove()
        return found


def leftovers(folder: Path) -> list[str]:
    """Temporary files the commands may have left: there must never be any."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", ".restore")))


class Writer(threading.Thread):
    """Adds courses of exactly five lessons, one transaction each, and bumps the catalogue
    revision in the same transaction: any consistent snapshot has revision == courses and
    five lessons per course."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.committed = 0
        self.warmed_up = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    self._add_course(self.committed + 1)
                    self.committed += 1
                    if self.committed >= 20:
                        self.warmed_up.set()
        except BaseException as exc:
            self.error = exc
            self.warmed_up.set()

    def _add_course(self, n: int):
        now = datetime.now(UTC)
        with write_transaction():
            course = Course(
                slug=f"bulk-{n}",
                title=f"Bulk {n}",
                summary="s",
                level="beginner",
                hours=1,
                pass_mark=70,
                status="published",
                created_at=now,
                updated_at=now,
            )
            course.lessons = [
                Lesson(
                    key=f"l{i}",
                    title="t",
                    minutes=1,
                    position=i,
                    body_html="<p>x</p>",
                    created_at=now,
                    updated_at=now,
                )
                for i in range(LESSONS_PER_COURSE)
            ]
            db.session.add(course)
            revision = db.session.get(CatalogueRevision, 1)
            if revision is None:
                db.session.add(CatalogueRevision(id=1, revision=n))
            else:
                revision.revision = n


@sqlite_only
def test_backup_while_another_connection_writes_is_whole_and_consistent(
    app, runner, stamped, tmp_path
):
    writer = Writer(app)
    writer.start()
    try:
        assert writer.warmed_up.wait(60) and writer.error is None, writer.error
        before = writer.committed
        result = runner.invoke(args=["db", "backup", str(tmp_path / "backup.sqlite3")])
        after = writer.committed
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(tmp_path / "backup.sqlite3")) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert backup.execute("PRAGMA foreign_key_check").fetchall() == []
        assert backup.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        courses = backup.execute("SELECT count(*) FROM course").fetchone()[0]
        revision = backup.execute("SELECT revision FROM catalogue_revision").fetchone()[0]
        per_course = backup.execute(
            "SELECT DISTINCT count(lesson.id) FROM course "
            "LEFT JOIN lesson ON lesson.course_id = course.id GROUP BY course.id"
        ).fetchall()
    # Everything committed before the backup started is in it, nothing is half there.
    assert before <= courses <= after
    assert revision == courses and per_course == [(LESSONS_PER_COURSE,)]
    assert re.fullmatch(
        rf"Backed up the database to {re.escape(str(tmp_path / 'backup.sqlite3'))}: "
        rf"[\d.]+ [kM]B; alembic revision {stamped}; 0 users, {courses} courses\.\n",
        result.output,
    )
    assert leftovers(tmp_path) == []


@sqlite_only
def test_restore_brings_back_what_was_deleted_after_the_backup(app, runner, stamped, tmp_path):
    with app.app_context():
        make_user("kept@example.com")
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["db", "backup", str(backup)]).exit_code == 0
    with app.app_context():
        with write_transaction():
            db.session.delete(db.session.scalar(select(User)))
        make_user("late@example.com")
        db.session.remove()
    assert emails(app) == ["late@example.com"]

    declined = runner.invoke(args=["db", "restore", str(backup)], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert "Every change made since the backup is lost. Stop the app servers first" in (
        declined.output
    )
    assert emails(app) == ["late@example.com"]

    result = runner.invoke(args=["db", "restore", str(backup)], input="y\n")
    assert result.exit_code == 0, result.output
    assert f"Backup {backup}: alembic revision {stamped}; 1 user, 0 courses." in result.output
    assert f"Restored {backup} into {live_file(app)}" in result.output
    assert emails(app) == ["kept@example.com"]
    assert app.test_client().get("/healthz").status_code == 200  # the app works on it
    assert leftovers(live_file(app).parent) == []
    with closing(sqlite3.connect(live_file(app))) as live:
        assert live.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _not_a_database(path: Path, app) -> None:
    path.write_text("id,email\n1,kept@example.com\n")


def _torn(path: Path, app) -> None:
    """The first half of a backup, as an interrupted copy leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _index_disagrees(path: Path, app) -> None:
    """An index whose entries no longer match its table: only integrity_check notices."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA writable_schema=ON")
        connection.execute(
            "UPDATE sqlite_master SET sql='CREATE INDEX ix_user_account_role "
            "ON user_account (region)' WHERE name='ix_user_account_role'"
        )
        connection.commit()


def _unknown_revision(path: Path, app) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
        connection.commit()


def _no_revision(path: Path, app) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("DROP TABLE alembic_version")
        connection.commit()


@sqlite_only
@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_not_a_database, "it is not a SQLite database"),
        (_torn, "it is damaged: SQLite cannot read it (database disk image is malformed)"),
        (
            _index_disagrees,
            "it fails SQLite's integrity check: row 1 missing from index ix_user_account_role",
        ),
        (
            _unknown_revision,
            "its alembic revision 9999_from_the_future is unknown to this version of the app",
        ),
        (_no_revision, "it carries no alembic revision"),
    ],
)
def test_a_file_that_is_not_a_sound_backup_is_refused_and_nothing_changes(
    app, runner, stamped, tmp_path, spoil, reason
):
    with app.app_context():
        make_user("kept@example.com")
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["db", "backup", str(backup)]).exit_code == 0
    spoil(backup, app)
    with app.app_context():
        make_user("late@example.com")
    result = runner.invoke(args=["db", "restore", "--yes", str(backup)])
    assert result.exit_code == 1
    assert f"Error: {backup} cannot be restored: {reason}" in result.output
    assert "Nothing was changed." in result.output
    assert emails(app) == ["kept@example.com", "late@example.com"]
    assert leftovers(live_file(app).parent) == []


@sqlite_only
def test_the_live_database_file_itself_is_not_taken_for_a_backup(app, runner, stamped):
    with app.app_context():
        make_user()  # the database is open, with its write-ahead log beside it
    result = runner.invoke(args=["db", "restore", "--yes", str(live_file(app))])
    assert result.exit_code == 1
    assert "it has a write-ahead log beside it" in result.output
    assert "Nothing was changed." in result.output


@sqlite_only
def test_backup_never_overwrites_without_force(app, runner, stamped, tmp_path):
    existing = tmp_path / "backup.sqlite3"
    existing.write_text("last week's backup")
    refused = runner.invoke(args=["db", "backup", str(existing)])
    assert refused.exit_code == 1
    assert f"Error: {existing} already exists; use --force to replace it." in refused.output
    assert existing.read_text() == "last week's backup"
    forced = runner.invoke(args=["db", "backup", "--force", str(existing)])
    assert forced.exit_code == 0, forced.output
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")
    assert leftovers(tmp_path) == []


@sqlite_only
def test_a_failed_backup_leaves_the_old_file_and_no_partial_one(
    app, runner, stamped, tmp_path, monkeypatch
):
    existing = tmp_path / "backup.sqlite3"
    existing.write_text("last week's backup")
    monkeypatch.setattr("lms.dbtools._integrity_problems", lambda _c: ["page 3 is never used"])
    result = runner.invoke(args=["db", "backup", "--force", str(existing)])
    assert result.exit_code == 1
    assert "the copy failed SQLite's integrity check (page 3 is never used)" in result.output
    assert existing.read_text() == "last week's backup"
    assert leftovers(tmp_path) == []


def test_on_postgresql_both_commands_give_the_exact_pg_commands(tmp_path):
    app = create_app(
        settings_of(
            TestConfig,
            SQLALCHEMY_DATABASE_URI="postgresql+psycopg://lms:s3cret@db.example:5432/lms",
        )
    )
    runner = app.test_cli_runner()
    dump = tmp_path / "lms backup.dump"
    backup = runner.invoke(args=["db", "backup", str(dump)])
    assert backup.exit_code == 1
    assert f"  pg_dump -Fc --file='{dump}' postgresql://lms@db.example:5432/lms\n" in (
        backup.output
    )
    assert "PGPASSWORD" in backup.output and "s3cret" not in backup.output
    dump.write_bytes(b"PGDMP")
    restore = runner.invoke(args=["db", "restore", str(dump)])
    assert restore.exit_code == 1
    assert "stop the app servers" in restore.output
    assert (
        "  pg_restore --clean --if-exists --single-transaction "
        f"--dbname=postgresql://lms@db.example:5432/lms '{dump}'\n"
    ) in restore.output
    assert "s3cret" not in restore.output


def _printed_command(output: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith("  pg_"))
    return shlex.split(line)


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_printed_postgresql_commands_back_up_and_restore(app, runner, tmp_path):
    with app.app_context():
        make_user("kept@example.com")
    dump = tmp_path / "lms.dump"
    backup = runner.invoke(args=["db", "backup", str(dump)])
    assert backup.exit_code == 1
    subprocess.run(_printed_command(backup.output), check=True)
    with app.app_context():
        db.session.delete(db.session.scalar(select(User)))
        db.session.commit()
        assert db.session.scalar(select(func.count(User.id))) == 0
        db.session.remove()
        db.engine.dispose()  # pg_restore --clean drops tables: no session may hold them
    restore = runner.invoke(args=["db", "restore", str(dump)])
    assert restore.exit_code == 1
    subprocess.run(_printed_command(restore.output), check=True)
    assert emails(app) == ["kept@example.com"]
