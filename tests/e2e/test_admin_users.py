"""An admin changes roles in a real browser: with JavaScript off, and under axe-core."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def accounts(app):
    with app.app_context():
        make_user("ada@example.com", name="Ada Learner")
        make_user("admin@example.com", name="Site Admin", role="admin")


@pytest.fixture
def no_script_page(browser):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in_as_admin(page, base):
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def change_role(page, name, role):
    page.get_by_label(f"Role of {name}").select_option(role)
    page.get_by_role("button", name=f"Change role of {name}").click()


def test_roles_change_without_javascript(live_server, no_script_page, accounts):
    page = no_script_page
    sign_in_as_admin(page, live_server)  # lands on the admin home, which leads to the accounts
    page.get_by_role("main").get_by_role("link", name="Users").click()
    page.get_by_label("Name or email").fill("ada")
    page.get_by_role("button", name="Show accounts").click()
    change_role(page, "Ada Learner", "trainer")
    assert "Ada Learner is now a trainer." in page.locator(".flash-messages").inner_text()
    assert page.url == live_server + "/admin/users?q=ada"  # back on the same search
    assert page.get_by_label("Role of Ada Learner").input_value() == "trainer"

    page.goto(live_server + "/admin/users")
    change_role(page, "Site Admin", "learner")
    assert "Site Admin is the only admin" in page.locator(".error-summary").inner_text()
    assert "Site Admin is the only admin" in page.locator(".role-form .error-message").inner_text()

    page.get_by_role("link", name="audit log").click()
    row = page.get_by_role("row").filter(has_text="Role changed")
    assert "From learner to trainer" in row.inner_text()


def test_role_change_pages_pass_axe(live_server, page, axe, accounts):
    sign_in_as_admin(page, live_server)
    page.goto(live_server + "/admin/users")
    change_role(page, "Ada Learner", "employer")
    assert_no_axe_violations(axe, page)  # with the success message
    change_role(page, "Site Admin", "analyst")
    assert_no_axe_violations(axe, page)  # with the error summary and the error by the field
    page.locator(".error-summary").get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == page.get_by_label(
        "Role of Site Admin"
    ).get_attribute("id")
