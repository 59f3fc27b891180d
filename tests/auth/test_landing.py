"""Where each kind of user lands after signing in, confirming their address or resetting their
password: their own home, unless a safe ``next`` says otherwise."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user

HOMES = {
    "learner": "/dashboard",
    "trainer": "/studio",
    "employer": "/employer/check",
    "analyst": "/stats",
    "admin": "/admin",
}
NEW = "a brand new passphrase"


def account(app, role: str, *, verified: bool = True) -> str:
    email = f"{role}@example.com"
    with app.app_context():
        make_user(email, name=f"{role.title()} Person", role=role, verified=verified)
    return email


@pytest.mark.parametrize("role", list(HOMES))
def test_sign_in_lands_on_the_role_home(app, client, role):
    email = account(app, role)
    response = client.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == HOMES[role]
    assert client.get(response.location).status_code == 200  # a home they may see


@pytest.mark.parametrize("role", list(HOMES))
def test_the_sign_in_page_sends_someone_signed_in_home(app, client, role):
    email = account(app, role)
    client.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    assert client.get("/account/sign-in").location == HOMES[role]


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/courses", "/courses"),  # a safe local path wins
        ("https://evil.example/", "/studio"),  # never off the site: the home instead
        ("//evil.example/", "/studio"),
    ],
)
def test_a_safe_next_still_wins(app, client, next_path, expected):
    email = account(app, "trainer")
    response = client.post(
        "/account/sign-in",
        query_string={"next": next_path},
        data={"email": email, "password": PASSWORD},
    )
    assert response.location == expected


@pytest.mark.parametrize("role", ["learner", "employer"])
def test_confirming_the_email_address_lands_on_the_role_home(app, client, outbox, role):
    email = account(app, role, verified=False)
    client.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    response = client.post(
        outbox.link(email),
        data={"name": "Sam Person", "region": "leeds", "password": NEW, "confirm": NEW},
    )
    assert response.status_code == 302
    assert response.location == HOMES[role]


@pytest.mark.parametrize("role", ["learner", "analyst", "admin"])
def test_a_password_reset_lands_on_the_role_home(app, client, outbox, role):
    email = account(app, role)
    client.post("/account/reset", data={"email": email})
    response = client.post(outbox.link(email), data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert response.location == HOMES[role]


def test_the_admin_home_links_every_admin_page(app, client):
    email = account(app, "admin")
    client.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    page = client.get("/admin").get_data(as_text=True)
    for path in ("/admin/users", "/admin/audit", "/admin/certificates", "/stats", "/studio"):
        assert f'href="{path}"' in page, path
    assert 'action="/admin/certificates"' in page  # find a certificate straight from home
