"""Shared fixtures: the app on an empty database for each test (SQLite, or PostgreSQL via
TEST_DATABASE_URL; one database per xdist worker), its test client and CLI runner, and small
course folders to sync. The app and schema are built once per process; rows are deleted after
each test."""

from __future__ import annotations

import os
import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError

from lms import create_app
from lms.config import TestConfig, normalise_database_url, settings_of
from lms.extensions import db, limiter
from lms.requestlog import configure_logging
from tests.factories import PASSWORD, make_user, write_course

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _worker() -> str:
    """The pytest-xdist worker running this process ("gw0", ...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(folder: Path) -> str:
    """This worker's own database: a SQLite file, or a PostgreSQL database made for it."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{folder / 'test.sqlite3'}"
    url = make_url(normalise_database_url(TEST_DATABASE_URL))
    if _worker() == "main":
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{_worker()}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """argon2id with the smallest cost for the tests: the same algorithm and code path, without
    spending a quarter of a second of CPU on every account the suite creates and signs in. The
    production parameters are argon2-cffi's defaults (RFC 9106), set in lms/auth/passwords.py."""
    from argon2 import PasswordHasher

    from lms.auth import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield production
    passwords._hasher = production


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """An empty catalogue folder; tests write courses into it with ``write_course``."""
    path = tmp_path / "content"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def _shared_app(tmp_path_factory):
    """The app and its schema, built once per test process (per xdist worker)."""
    folder = tmp_path_factory.mktemp("app")
    app = create_app(
        {
            **settings_of(TestConfig),
            "SQLALCHEMY_DATABASE_URI": _database_url(folder),
            "CONTENT_DIR": str(folder / "content"),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    # The rate limiter is one object for every app in the process: a test that builds an app of
    # its own with limits on re-initialises it. Each test starts from the shared app's set-up.
    app.extensions["tests.limiter_state"] = dict(vars(limiter))
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_tables() -> None:
    """Delete every row, keeping the schema: far cheaper than dropping and creating tables.

    A test that dropped or altered tables (migrations, fault tests) gets the schema rebuilt.
    """
    tables = db.metadata.sorted_tables
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                quote = connection.dialect.identifier_preparer.quote
                names = ", ".join(quote(table.name) for table in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())
            # A test that ran the migrations leaves Alembic's stamp: the next would skip them.
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    except DBAPIError:
        db.drop_all()
        db.create_all()


@pytest.fixture
def app(_shared_app, tmp_path: Path, content_dir: Path):
    """The app on an empty database, with this test's own instance folder and content folder.

    Whatever a test changes on the app (settings, the WSGI wrapper, caches, log handlers) is put
    back afterwards, and every row it wrote is deleted.
    """
    app = _shared_app
    settings = dict(app.config)
    wsgi_app = app.wsgi_app
    vars(limiter).update(app.extensions["tests.limiter_state"])
    configure_logging(app)  # apps made by other tests took over the "lms" logger
    app.instance_path = str(tmp_path / "instance")
    app.config["CONTENT_DIR"] = str(content_dir)
    app.extensions.pop("lms.lesson_cache", None)
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables()
    app.config.clear()
    app.config.update(settings)
    app.wsgi_app = wsgi_app
    app.extensions.pop("lms.lesson_cache", None)


@pytest.fixture
def fresh_app(tmp_path: Path, content_dir: Path):
    """An app of the test's own (SQLite in ``tmp_path``), for tests that add routes to it:
    Flask refuses new routes on an app that has served requests."""
    app = create_app(
        {
            **settings_of(TestConfig),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "CONTENT_DIR": str(content_dir),
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo_course(content_dir: Path) -> Path:
    """A small valid course: three lessons, two modules, a quiz and an image."""
    return write_course(content_dir)


@pytest.fixture
def synced(app, demo_course, runner):
    """The demo course imported into the database."""
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return demo_course


class StatementCounter:
    """Counts SQL statements an engine runs, by kind, while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def writes(self) -> list[str]:
        verbs = ("INSERT", "UPDATE", "DELETE")
        return [s for s in self.statements if s.lstrip().upper().startswith(verbs)]

    @property
    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def count_statements(app):
    with app.app_context():
        engine = db.engine

    def make():
        return StatementCounter(engine)

    return make


class Outbox:
    """The mail the app wrote to instance/mail/, oldest first."""

    def __init__(self, app):
        self.app = app

    @property
    def messages(self) -> list[EmailMessage]:
        folder = Path(self.app.instance_path) / "mail"
        if not folder.is_dir():
            return []
        return [
            message_from_bytes(path.read_bytes(), policy=default_policy)
            for path in sorted(folder.glob("*.eml"))
        ]

    def last(self, to: str | None = None) -> EmailMessage:
        messages = [m for m in self.messages if to is None or m["To"] == to]
        assert messages, f"no mail to {to}"
        return messages[-1]

    def link(self, to: str | None = None) -> str:
        """The path of the first link in the last message (to ``to``)."""
        body = self.last(to).get_content()
        match = re.search(r"https?://[^/\s]+(/\S+)", body)
        assert match, body
        return match.group(1)


@pytest.fixture
def outbox(app):
    return Outbox(app)


class Auth:
    """Sign in and out through the pages, as a person does."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, email="learner@example.com", password=PASSWORD, **kwargs):
        return self.client.post(
            "/account/sign-in", data={"email": email, "password": password}, **kwargs
        )

    def sign_out(self):
        return self.client.post("/account/sign-out")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def learner(app):
    """A verified learner account (learner@example.com)."""
    with app.app_context():
        user = make_user()
        return user.id


@pytest.fixture
def signed_in(learner, auth):
    response = auth.sign_in()
    assert response.status_code == 302, response.get_data(as_text=True)
    return learner
