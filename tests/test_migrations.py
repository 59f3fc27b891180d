"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms.extensions import db


def test_migrations_match_the_models_and_downgrade_cleanly(app):
    with app.app_context():
        db.drop_all()
        try:
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                assert compare_metadata(context, db.metadata) == []
            downgrade(revision="base")
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
        finally:
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()


def test_upgrading_a_database_with_data_keeps_it(app, runner, demo_course):
    """Later revisions rebuild SQLite tables that other rows point at; nothing may be lost.

    The rows are written in SQL as revision 0005 knew them (today's code expects later tables).
    """
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="0005")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO course (slug, title, summary, overview_html, level, hours, "
                        "pass_mark, status, featured, authors, source_path, created_at, updated_at)"
                        " VALUES ('old', 'Old', 'S', '', 'beginner', 1, 70, 'published', false, "
                        "'[]', 'old', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO user_account (email, name, password_hash, role, region, "
                        "created_at, session_version) VALUES ('a@example.com', 'A', 'x', "
                        "'learner', 'manchester', '2026-01-01 00:00:00', 1)"
                    )
                )
                user_id = connection.execute(text("SELECT id FROM user_account")).scalar()
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO user_session (user_id, token_hash, created_at, expires_at) "
                        "VALUES (:u, 'abc', '2026-01-01 00:00:00', '2026-02-01 00:00:00')"
                    ),
                    {"u": user_id},
                )
                connection.execute(
                    text(
                        "INSERT INTO enrolment (user_id, course_id, enrolled_at) "
                        "VALUES (:u, (SELECT id FROM course LIMIT 1), '2026-01-01 00:00:00')"
                    ),
                    {"u": user_id},
                )
            db.session.remove()
            upgrade()
            # Today's sync runs on the upgraded database and keeps the enrolled course's row.
            assert runner.invoke(args=["content", "sync"]).exit_code == 0
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM user_account")).scalar() == 1
                assert connection.execute(text("SELECT count(*) FROM user_session")).scalar() == 1
                assert connection.execute(text("SELECT count(*) FROM enrolment")).scalar() == 1
                if connection.dialect.name == "sqlite":
                    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            db.session.remove()
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
