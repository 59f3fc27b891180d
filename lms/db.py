"""The database's working rules: SQLite set-up, the one way to write, and upserts.

Every change to the database goes through ``write_transaction()``: one user action, one
transaction, committed when the block ends and rolled back on any exception. Helpers that run
inside a caller's transaction are named ``..._in_transaction`` and never commit. Nothing else in
the app calls ``commit()`` (``tests/test_transactions.py`` checks the source for it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from lms.extensions import db

_WRITING = "lms.write_transaction"


class NestedWriteError(RuntimeError):
    """A write transaction was opened inside another: the inner one would commit the outer."""


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


def in_write_transaction() -> bool:
    return bool(db.session().info.get(_WRITING))


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run the block as one write transaction: commit at its end, roll back on any exception.

    A read-only transaction still open from earlier queries in the request is ended first (its
    snapshot cannot be upgraded to a write safely on SQLite); unsaved changes made outside any
    write transaction are a bug and refused, never committed by accident. Opening a write
    transaction inside another raises ``NestedWriteError`` instead of committing the outer one.
    """
    session = db.session()
    if session.info.get(_WRITING):
        raise NestedWriteError(
            "write_transaction() opened inside another write transaction; "
            "call the ..._in_transaction helper instead"
        )
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes were made outside a write transaction; they were not saved")
    if session.in_transaction():
        session.rollback()  # a read-only transaction: nothing to lose, ends its snapshot
    session.info[_WRITING] = True
    try:
        session.connection(execution_options={"sqlite_immediate": True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_WRITING, None)


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


def paginate(stmt, *, page: int, per_page: int):
    """One page of ``stmt``'s rows; a page past the end shows the last page, not an empty one."""
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if result.page > max(result.pages, 1):
        result = db.paginate(stmt, page=max(result.pages, 1), per_page=per_page, error_out=False)
    return result


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in a route: a number the database's integer ids can hold (1 to 2^31 - 1).

    Werkzeug's own converter takes any length of digits, and a query for an id past the
    column's range fails (SQLite: OverflowError; PostgreSQL: out of range), a 500. Past the
    range, or in other digits than ASCII ones (``\\d`` matches "١٢"), the route does not match:
    a 404, as for any id that does not exist.
    """

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and backslash taken literally.

    Use it as ``column.ilike(contains_pattern(text), escape=LIKE_ESCAPE)``: a search for "100%"
    finds "100%", not everything starting with "100".
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
