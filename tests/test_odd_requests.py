"""The requests the page fuzzer (tests/test_fuzz_pages.py) found answering 500, each pinned as
the person would meet it: a shared link with a page number of 23 digits, a filter link with an
unexpected parameter, an id too large for the database, a query string that is not UTF-8."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import User
from tests.factories import PASSWORD, make_user, write_course

HUGE = "99999999999999999999999"


def signed_in_as(app, email: str, role: str):
    with app.app_context():
        make_user(email, role=role)
    browser = app.test_client()
    browser.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    return browser


@pytest.fixture
def two_pages(app, content_dir, runner):
    """Two courses, one per catalogue page."""
    write_course(content_dir, "first-course", title="First course")
    write_course(content_dir, "second-course", title="Second course")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    app.config["CATALOGUE_PAGE_SIZE"] = 1


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        (HUGE, "Page 1 of 2"),  # too big for any list: the first page
        ("3", "Page 2 of 2"),  # past the end: the last page
        ("2", "Page 2 of 2"),
        ("-5", "Page 1 of 2"),
        ("0", "Page 1 of 2"),
        ("²", "Page 1 of 2"),
        ("\u0662", "Page 1 of 2"),  # Arabic-Indic two, which int() reads as 2
        ("100000", "Page 2 of 2"),
        ("100001", "Page 1 of 2"),
        ("1e3", "Page 1 of 2"),
        (" 2", "Page 1 of 2"),
    ],
)
def test_any_page_number_shows_a_page_of_the_catalogue(client, two_pages, page, shown):
    response = client.get("/courses", query_string={"page": page})
    assert response.status_code == 200
    assert shown in response.get_data(as_text=True)


def test_unexpected_parameters_never_reach_the_page_links(client, two_pages):
    response = client.get(
        "/courses?q=course&endpoint=x&_external=1&_scheme=javascript&_anchor=a&page=1"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/courses?q=course&amp;page=2" rel="next"' in page


def test_the_accounts_list_takes_any_page_number(app):
    admin = signed_in_as(app, "admin@example.com", "admin")
    for page in (HUGE, "-1", "²", "x"):
        response = admin.get("/admin/users", query_string={"page": page})
        assert response.status_code == 200 and "Page" not in response.get_data(as_text=True)[:0]


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/users/{HUGE}/role",
        "/admin/users/2147483648/role",  # one past PostgreSQL's integer
        "/admin/users/0/role",
        "/admin/users/\u0661/role",
        f"/employer/tokens/{HUGE}/revoke",
    ],
)
def test_an_id_the_database_cannot_hold_is_not_found(app, path):
    admin = signed_in_as(app, "admin@example.com", "admin")
    assert admin.post(path, data={"role": "trainer"}).status_code == 404


def test_the_largest_id_the_database_holds_still_routes(app):
    admin = signed_in_as(app, "admin@example.com", "admin")
    with app.app_context():
        own_id = db.session.scalar(select(User.id))
    assert admin.post("/admin/users/2147483647/role", data={"role": "trainer"}).status_code == 404
    assert admin.post(f"/admin/users/{own_id}/role", data={}).status_code == 422  # a real id


@pytest.mark.parametrize(
    "query",
    ["table=x", "fmt=x", "endpoint=x", "_external=1", "start=2026-01&table=courses"],
)
def test_the_statistics_page_takes_any_query(app, client, signed_in, synced, query):
    client.post("/courses/demo-course/enrol")  # a course with figures: its table has links
    analyst = signed_in_as(app, "analyst@example.com", "analyst")
    # As the server hands it over: bytes (here \xff\xfe, not UTF-8) are not re-encoded.
    response = analyst.get("/stats", environ_overrides={"QUERY_STRING": query})
    assert response.status_code in (200, 422)
    assert "/stats/export.csv?" in response.get_data(as_text=True)


def test_a_query_string_that_is_not_utf8_is_a_400(app, client):
    """What a client sends as raw bytes arrives undecoded: Werkzeug's request.args decodes it
    strictly, so every page that reads a parameter answered 500."""
    analyst = signed_in_as(app, "analyst@example.com", "analyst")
    for browser, path in ((client, "/courses"), (analyst, "/stats"), (client, "/verify")):
        response = browser.get(path, environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
        assert response.status_code == 400, path
        assert "Bad request" in response.get_data(as_text=True)
    api = client.get("/api/v1/stats/regions", environ_overrides={"QUERY_STRING": "start=\xff"})
    assert api.status_code == 400 and api.json["reason"] == "The query string is not UTF-8."


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/courses/%00", None),
        ("GET", "/profiles/%00", None),
        ("POST", "/account/sign-in", {"email": "a\x00@example.com", "password": "x"}),
        ("POST", "/account/reset", {"email": "a\x00@example.com"}),
    ],
)
def test_a_nul_character_is_a_400_on_every_database(client, method, path, data):
    """PostgreSQL refuses NUL in text (psycopg.DataError): a slug or a field holding one answered
    500 there, while SQLite let it through. (A NUL in a search is explained beside the search
    field, by the forms' own no_control_characters.)"""
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)
