"""Every Flask extension, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

import sqlite3

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic's batch mode alter SQLite tables and keep migrations reviewable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# The default limit is read from the running app's config on each request (Flask-Limiter would
# otherwise keep the first app's). Static files are exempt: a page pulls several, and a classroom
# of learners behind one address must not exhaust the limit by loading stylesheets.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[lambda: current_app.config["RATELIMIT_DEFAULT"]],
    default_limits_exempt_when=lambda: request.endpoint == "static",
)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    """WAL, enforced foreign keys and a busy timeout on every SQLite connection.

    pysqlite's own transaction handling is switched off (isolation_level=None) so that the ``begin``
    listener below decides how each transaction starts.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Start SQLite transactions: ``BEGIN IMMEDIATE`` for writers, plain ``BEGIN`` for readers.

    A writer that takes the write lock up front queues on the busy timeout; one that starts as a
    reader and upgrades later can fail at once with "database is locked". Readers stay deferred so
    pages never wait on each other.
    """
    if conn.dialect.name == "sqlite":
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Open the session's next transaction as a write transaction (``BEGIN IMMEDIATE`` on SQLite).

    Call it before the first query of a unit of work that writes. Any read-only transaction still
    open is ended first, since its snapshot cannot be upgraded safely.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"sqlite_immediate": True})


def dialect_insert(model):
    """``INSERT`` with ``ON CONFLICT`` support for the database in use (SQLite or PostgreSQL)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_new(model, values: dict, unique: list[str]) -> bool:
    """Insert a row unless one with the same ``unique`` columns exists; True if inserted.

    The answer comes from ``RETURNING``, not ``rowcount``: psycopg reports -1 for
    ``INSERT ... ON CONFLICT DO NOTHING``, which would read as "inserted" every time.
    """
    stmt = (
        dialect_insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(model.__table__.c.id)
    )
    return db.session.execute(stmt).first() is not None


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and backslash taken literally.

    Use it as ``column.ilike(contains_pattern(text), escape=LIKE_ESCAPE)``: a search for "100%"
    finds "100%", not everything starting with "100".
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
