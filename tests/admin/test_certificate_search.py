"""Admins find certificates by learner, course, code fragment or status, to open and revoke them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.auth.users import delete_account
from lms.certificates import issuing
from lms.certificates.codes import grouped
from lms.db import write_transaction
from lms.extensions import db
from lms.models import Certificate, Course, User
from tests.certificates.conftest import browser_as
from tests.factories import make_user, write_course

PEOPLE = [
    # (email, name, courses)
    ("ada@example.com", "Ada Lovelace", ["demo-course", "sql-basics"]),
    ("grace@example.com", "Grace Hopper", ["demo-course"]),
    ("under_score@example.com", "Tom 100% Sure", ["sql-basics"]),
    ("quiet@example.com", "Quiet Person", ["demo-course"]),
]


def page(response) -> str:
    return response.get_data(as_text=True)


def issue(user: User, slug: str) -> None:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    with write_transaction():
        issuing.issue_in_transaction(user, course.id, datetime.now(UTC))


@pytest.fixture
def admin(app):
    return browser_as(app, "admin@example.com", "admin")


@pytest.fixture
def certificates(app, admin, content_dir, runner):
    """Certificates of four people on two courses; Grace's revoked, Quiet Person's withdrawn."""
    write_course(content_dir)
    write_course(content_dir, "sql-basics", title="SQL basics")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        admin_user = db.session.scalar(select(User).where(User.role == "admin"))
        for email, name, slugs in PEOPLE:
            user = make_user(email, name=name)
            for slug in slugs:
                issue(user, slug)
        grace = db.session.scalar(
            select(Certificate).join(User).where(User.email == "grace@example.com")
        )
        issuing.revoke(grace, "Issued in error", admin_user)
        delete_account(db.session.scalar(select(User).where(User.email == "quiet@example.com")))
        return {
            (c.user.email, c.course.slug): grouped(c.code)
            for c in db.session.scalars(select(Certificate))
        }


def rows(text: str) -> list[str]:
    """The certificate codes listed, in order."""
    return re.findall(r'<a href="/certificates/([0-9A-Z-]+)">', text)


def find(admin, **params) -> str:
    response = admin.get("/admin/certificates", query_string=params)
    assert response.status_code == 200
    return page(response)


def test_with_no_criteria_every_certificate_is_listed(admin, certificates):
    text = find(admin)
    assert "5 certificates" in text
    assert sorted(rows(text)) == sorted(certificates.values())


def test_find_by_learner_name_or_email(admin, certificates):
    assert set(rows(find(admin, q="lovelace"))) == {
        certificates["ada@example.com", "demo-course"],
        certificates["ada@example.com", "sql-basics"],
    }
    assert rows(find(admin, q="GRACE@example")) == [
        certificates["grace@example.com", "demo-course"]
    ]


def test_find_by_course(app, admin, certificates):
    with app.app_context():
        sql = db.session.scalar(select(Course.id).where(Course.slug == "sql-basics"))
    text = find(admin, course=sql)
    assert set(rows(text)) == {
        certificates["ada@example.com", "sql-basics"],
        certificates["under_score@example.com", "sql-basics"],
    }
    assert "2 certificates found" in text


def test_find_by_a_fragment_of_the_code_as_typed(admin, certificates):
    code = certificates["grace@example.com", "demo-course"]
    # the middle of the code, lower case, with its dash: the way someone reads it off a page
    fragment = code[3:12].lower()
    assert rows(find(admin, code=fragment))[0] == code
    assert code in rows(find(admin, code=code.replace("-", " ")))


def test_find_by_status(admin, certificates):
    assert rows(find(admin, status="revoked")) == [certificates["grace@example.com", "demo-course"]]
    withdrawn = find(admin, status="withdrawn")
    assert rows(withdrawn) == [certificates[None, "demo-course"]]
    assert "Quiet Person" not in withdrawn  # a withdrawn certificate names no one
    assert len(rows(find(admin, status="valid"))) == 3


def test_criteria_combine(app, admin, certificates):
    text = find(admin, q="ada", status="revoked")
    assert rows(text) == [] and "No certificates match" in text


@pytest.mark.parametrize(("q", "expected"), [("%", 1), ("_", 1), ("100%", 1), ("\\", 0)])
def test_like_wildcards_are_searched_for_literally(admin, certificates, q, expected):
    # only "Tom 100% Sure" (under_score@...) has a % in the name or an _ in the email
    assert len(rows(find(admin, q=q))) == expected


def test_each_row_shows_who_what_and_the_status(admin, certificates):
    text = find(admin, q="grace")
    assert "Grace Hopper" in text and "grace@example.com" in text
    assert "Demo course" in text and "Revoked" in text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "x" * 255}, "q", "Search for at most 254 characters."),
        ({"code": "!!!!"}, "code", "A code has only letters and numbers"),
        ({"code": "A" * 41}, "code", "at most 28 letters and numbers"),
        ({"status": "lost"}, "status", "Choose a status from the list."),
        ({"course": "abc"}, "course", "Choose a course from the list."),
        ({"course": "99999"}, "course", "Choose a course from the list."),
    ],
)
def test_bad_criteria_are_explained_beside_their_field(admin, certificates, params, field, message):
    text = find(admin, **params)
    assert "There is a problem" in text
    assert f'id="{field}-error"' in text and message in text
    assert f'href="#{field}"' in text
    assert "5 certificates" in text  # the bad criterion filters nothing


def test_the_list_is_paged_and_pages_keep_the_criteria(admin, certificates, monkeypatch):
    monkeypatch.setattr("lms.admin.certificates.PAGE_SIZE", 2)
    first = find(admin, status="valid")
    assert "Page 1 of 2" in first and len(rows(first)) == 2
    assert 'href="/admin/certificates?status=valid&amp;page=2" rel="next"' in first
    second = find(admin, status="valid", page=2)
    assert len(rows(second)) == 1
    assert set(rows(first) + rows(second)) == {
        certificates["ada@example.com", "demo-course"],
        certificates["ada@example.com", "sql-basics"],
        certificates["under_score@example.com", "sql-basics"],
    }


def test_the_list_takes_the_same_queries_however_many_certificates(
    app, admin, certificates, count_statements
):
    with count_statements() as few:
        find(admin, q="grace")
    with count_statements() as many:
        find(admin)
    assert len(many.selects) == len(few.selects)


def test_each_certificate_page_is_where_admins_revoke(admin, certificates):
    code = certificates["ada@example.com", "demo-course"]
    text = page(admin.get(f"/certificates/{code}"))
    assert f'action="/certificates/{code}/revoke"' in text


def test_others_may_not_search(app, client, signed_in, certificates):
    assert client.get("/admin/certificates").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/certificates?q=ada%00",
        "/admin/users?q=ada%00",
        "/courses?q=python%00",
        "/admin/certificates?q=%1B%5B31m",  # an escape sequence
    ],
)
def test_control_characters_in_a_search_are_explained_not_a_crash(admin, certificates, path):
    # PostgreSQL refuses a NUL byte in text outright: the search must never reach it.
    response = admin.get(path)
    assert response.status_code == 200
    assert "Remove the control characters" in page(response)
