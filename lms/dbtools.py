"""``flask db backup`` and ``flask db restore``: whole, checked copies of the SQLite database.

Both use SQLite's online backup API. A backup reads one consistent snapshot while the app keeps
serving (in WAL mode a reader never blocks writers), is written to a temporary file beside its
destination and renamed into place only once complete and checked: PATH is either absent, the
old file, or a whole new backup. A restore checks the file first (a SQLite database, intact, at
an Alembic revision this code knows) and changes nothing when it is refused.

On PostgreSQL both commands refuse and print the equivalent ``pg_dump``/``pg_restore`` commands:
the server's own tools take consistent dumps and restore them in one transaction.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_cli

from lms.extensions import db
from lms.wording import plural

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Snapshot:
    """What an operator checks a database by: its schema revision and how much it holds."""

    revision: str | None
    users: int | None
    courses: int | None

    def describe(self) -> str:
        revision = f"alembic revision {self.revision}" if self.revision else "no alembic revision"
        counts = [
            plural(n, noun)
            for n, noun in ((self.users, "user"), (self.courses, "course"))
            if n is not None
        ]
        return "; ".join([revision, ", ".join(counts) or "no tables of this app"])


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


def _postgres_url() -> str:
    """The database address for libpq tools: plain ``postgresql://``, password left out."""
    # URL.set() ignores None, so the password is cleared with the named tuple's _replace.
    url = db.engine.url._replace(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def _live_sqlite_file(path: Path, action: str) -> Path:
    """The live database's file; on PostgreSQL, print the equivalent command and exit 1."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        target = shlex.quote(_postgres_url())
        where = shlex.quote(str(path))
        password = " (the password is read from PGPASSWORD or ~/.pgpass)" if url.password else ""
        if action == "backup":
            _fail(
                "the database is PostgreSQL: back it up with pg_dump, which takes a consistent "
                f"snapshot while the app runs{password}:\n"
                f"  pg_dump -Fc --file={where} {target}"
            )
        _fail(
            "the database is PostgreSQL: stop the app servers, then restore the pg_dump file "
            f"in one transaction with pg_restore{password}:\n"
            f"  pg_restore --clean --if-exists --single-transaction --dbname={target} {where}"
        )
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        _fail(f"flask db {action} works on a SQLite database file, not on {url.drivername}.")
    return Path(url.database).resolve()


def _snapshot(connection: sqlite3.Connection) -> Snapshot:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}

    def scalar(table: str, sql: str):
        return connection.execute(sql).fetchone()[0] if table in tables else None

    return Snapshot(
        revision=scalar("alembic_version", "SELECT max(version_num) FROM alembic_version"),
        users=scalar("user_account", "SELECT count(*) FROM user_account"),
        courses=scalar("course", "SELECT count(*) FROM course"),
    )


def _integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """SQLite's own checks: page structure and indexes, then foreign keys."""
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems == ["ok"]:
        problems = [
            f"row {rowid} of {table} points at a missing {parent} row"
            for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check")
        ]
    return problems


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _temporary_file_beside(path: Path, suffix: str) -> Iterator[Path]:
    """A new empty file in ``path``'s folder, removed on the way out unless renamed away."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _put_in_place(temporary: Path, path: Path, force: bool) -> None:
    """Rename the finished backup to ``path`` atomically; never clobber it without --force."""
    _fsync(temporary)
    if force:
        os.replace(temporary, path)
    else:
        try:
            os.link(temporary, path)  # fails if PATH appeared meanwhile: nothing is overwritten
        except FileExistsError:
            _fail(f"{path} already exists; use --force to replace it.")
        except OSError:  # a filesystem without hard links: check, then rename
            if path.exists():
                _fail(f"{path} already exists; use --force to replace it.")
            os.replace(temporary, path)
        temporary.unlink(missing_ok=True)
    _fsync(path.parent)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the live SQLite database to PATH, consistently, while the app keeps running."""
    live = _live_sqlite_file(path, "backup")
    path = path.absolute()
    if not path.parent.is_dir():
        _fail(f"the folder {path.parent} does not exist.")
    if path.resolve() == live:
        _fail(f"{path} is the live database itself; choose another file.")
    if path.exists() and not force:
        _fail(f"{path} already exists; use --force to replace it.")
    with _temporary_file_beside(path, ".partial") as temporary:
        with db.engine.connect() as connection, closing(sqlite3.connect(temporary)) as copy:
            # One step (pages=-1): the whole copy comes from a single read snapshot, so rows
            # committed meanwhile are either all in it or all out of it.
            connection.connection.driver_connection.backup(copy)
            # A backup is one self-contained file, whatever journal mode the live database uses.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = _integrity_problems(copy)
            snapshot = _snapshot(copy)
        if problems:
            _fail(f"the copy failed SQLite's integrity check ({problems[0]}); nothing was written.")
        _put_in_place(temporary, path, force)
    click.echo(f"Backed up the database to {path}: {_size(path)}; {snapshot.describe()}.")
    if snapshot.revision is None:
        click.echo(
            "Warning: with no alembic revision, flask db restore will refuse this backup. "
            "Run flask db upgrade (or flask db stamp head if the schema is current) first.",
            err=True,
        )


def _known_revisions() -> tuple[set[str], str | None]:
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    return {script.revision for script in scripts.walk_revisions()}, scripts.get_current_head()


def _refusal(candidate: Path, shown: Path) -> tuple[str | None, Snapshot | None]:
    """Why the file at ``candidate`` cannot be restored (None if it can), and what it holds."""
    with candidate.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            return "it is not a SQLite database", None
    if Path(f"{shown}-wal").exists():
        return (
            f"it has a write-ahead log beside it ({shown}-wal), so it is a live database's file "
            "rather than a backup; make a backup of it with flask db backup",
            None,
        )
    try:
        with closing(sqlite3.connect(candidate)) as connection:
            problems = _integrity_problems(connection)
            snapshot = _snapshot(connection)
    except sqlite3.DatabaseError as exc:
        return f"it is damaged: SQLite cannot read it ({exc})", None
    if problems:
        more = f" and {plural(len(problems) - 1, 'more problem')}" if len(problems) > 1 else ""
        return f"it fails SQLite's integrity check: {problems[0]}{more}", None
    known, head = _known_revisions()
    if snapshot.revision is None:
        return "it carries no alembic revision, so it is not a backup of this app's database", None
    if snapshot.revision not in known:
        return (
            f"its alembic revision {snapshot.revision} is unknown to this version of the app "
            f"(latest known: {head}); restore it with the version of the app that made it",
            None,
        )
    return None, snapshot


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the live SQLite database with the backup at PATH. Stop the app servers first."""
    live = _live_sqlite_file(path, "restore")
    # Every check runs on a private copy, so the file checked is the file restored and the
    # operator's backup is never opened for writing.
    with _temporary_file_beside(live, ".restore") as candidate:
        shutil.copyfile(path, candidate)
        reason, backup = _refusal(candidate, path)
        if reason:
            _fail(f"{path} cannot be restored: {reason}. Nothing was changed.")
        with db.engine.connect() as connection:
            current = _snapshot(connection.connection.driver_connection)
        click.echo(f"Backup {path}: {backup.describe()}.")
        click.echo(f"Live database {live}: {current.describe()}.")
        if not yes:
            click.confirm(
                "Replace the live database with the backup? Every change made since the backup "
                "is lost. Stop the app servers first",
                abort=True,
            )
        db.session.remove()
        with closing(sqlite3.connect(candidate)) as source, db.engine.connect() as connection:
            try:
                source.backup(connection.connection.driver_connection)
            except sqlite3.Error as exc:
                _fail(f"the restore failed ({exc}); the live database is unchanged.")
    db.engine.dispose()  # no pooled connection keeps state from before the restore
    with db.engine.connect() as connection:
        restored = _snapshot(connection.connection.driver_connection)
    click.echo(f"Restored {path} into {live}: {restored.describe()}.")
    _, head = _known_revisions()
    if restored.revision != head:
        click.echo(f"Run flask db upgrade to bring it to the current revision {head}.")


def register_db_commands() -> None:
    """Add backup and restore to Flask-Migrate's ``flask db`` group."""
    db_cli.add_command(backup_command)
    db_cli.add_command(restore_command)
