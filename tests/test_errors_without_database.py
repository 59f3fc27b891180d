"""While the database is down, error pages still render in the site's layout with the request id
people quote to support, and each failure is logged once (not a second time by Flask, and never
as gunicorn's bare "Internal Server Error")."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from lms.extensions import db
from tests.logs import capture


@pytest.fixture
def database_down(app, tmp_path):
    """Every new connection fails, as when PostgreSQL is restarting: the app's engine is swapped
    for one pointing at a database that cannot be opened (OperationalError on connect)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: handlers, not the test, see it
    broken = create_engine(f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3")
    engines = db._app_engines[app]  # Flask-SQLAlchemy's engines for this app, by bind key
    working = engines[None]
    with app.app_context():
        db.session.remove()
    engines[None] = broken
    yield
    engines[None] = working
    broken.dispose()


def assert_site_page(response, status: int, title: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    request_id = response.headers["X-Request-ID"]
    assert '<a class="skip-link" href="#main">' in page  # the site's layout, not a bare page
    assert "TechNorth Skills" in page and f"<h1>{title}</h1>" in page
    assert f"Quote this reference if you contact us: <code>{request_id}</code>" in page
    return request_id


@pytest.mark.parametrize("signed_in_first", [True, False])
def test_the_500_page_renders_without_the_database(
    app, client, signed_in, database_down, signed_in_first
):
    browser = client if signed_in_first else app.test_client()
    lines = capture(app)
    response = browser.get("/courses")
    request_id = assert_site_page(response, 500, "Something went wrong")
    failures = [e for e in lines.entries if "exception" in e]
    assert len(failures) == 1, [e["message"] for e in failures]  # logged once, with its id
    assert failures[0]["logger"] == "lms.errors" and failures[0]["request_id"] == request_id
    assert "OperationalError" in failures[0]["exception"]
    [line] = lines.requests()
    assert (line["status"], line["request_id"]) == (500, request_id)


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("GET", "/no-such-page", 404, "Page not found"),
        ("POST", "/courses", 405, "Method not allowed"),
    ],
)
def test_404_and_405_pages_render_without_the_database(
    app, client, signed_in, database_down, method, path, status, title
):
    lines = capture(app)
    response = client.open(path, method=method)
    request_id = assert_site_page(response, status, title)
    assert [e for e in lines.entries if "exception" in e] == []  # not a failure of the app
    [line] = lines.requests()
    assert (line["status"], line["request_id"]) == (status, request_id)


def test_api_errors_stay_json_without_the_database(app, database_down):
    response = app.test_client().get("/api/v1/stats/regions")
    assert response.status_code == 500
    assert response.json["request_id"] == response.headers["X-Request-ID"]


@pytest.fixture
def database_goes_away(app, tmp_path):
    """A route during which the database goes away: after the user was loaded, before the end."""
    from flask_login import current_user
    from sqlalchemy.exc import OperationalError

    broken = create_engine(f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3")
    engines = db._app_engines[app]
    working = engines[None]

    def goes_away():
        assert current_user.is_authenticated  # the user is loaded while the database is up
        engines[None] = broken
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    # The dashboard's view is swapped for one during which the database goes away (the shared
    # test app has served requests, so it takes no new routes).
    real_view = app.view_functions["learning.dashboard"]
    app.view_functions["learning.dashboard"] = goes_away
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield "/dashboard"
    app.view_functions["learning.dashboard"] = real_view
    engines[None] = working
    broken.dispose()


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_the_database_failing_after_the_user_was_loaded(
    app, database_goes_away, client, signed_in, accept
):
    """PostgreSQL restarts in the middle of a signed-in person's request: the user was loaded,
    the rollback expires it, and nothing after that (page, headers, request log) may reload it."""
    lines = capture(app)
    response = client.get(database_goes_away, headers={"Accept": accept})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)
    assert len([e for e in lines.entries if "exception" in e]) == 1
    [line] = lines.requests()
    assert line["status"] == 500
