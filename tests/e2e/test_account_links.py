"""The owner of an address confirms an account someone else started, in Chromium: the link's page
asks them for the password (and shows the details given at sign-up, to correct), and afterwards
only their password opens the account. Each page fits 320, 390 and 1280 px and passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e
OWNER = "owner@example.com"
INTRUDERS_PASSWORD = "intruder's own passphrase"
WIDTHS = (320, 390, 1280)


# What in the page's main content reaches past the right edge of the window.
TOO_WIDE = """() => [...document.querySelectorAll('main, main *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => `${e.tagName.toLowerCase()} ${(e.textContent || '').trim().slice(0, 40)}`)"""


def assert_fits_and_passes_axe(page, axe) -> None:
    """Nothing in the page's content wider than the window at any of the widths, and no axe
    violation at the narrowest. (The site header is the layout's, checked with it.)"""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(TOO_WIDE) == [], f"{page.url} at {width} px"
    page.set_viewport_size({"width": 320, "height": 900})
    assert_no_axe_violations(axe, page)


def test_the_owner_confirms_an_account_someone_else_started(live_server, browser, axe, app, outbox):
    intruder = app.test_client()
    intruder.post(
        "/account/sign-up",
        data={"name": "Not The Owner", "email": OWNER, "region": "leeds"},
    )
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(live_server + outbox.link(OWNER))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    name = page.get_by_label("Full name")
    expect(name).to_have_value("Not The Owner")
    assert_fits_and_passes_axe(page, axe)

    name.fill("Olu Owner")
    page.get_by_label("Where do you live or work?").select_option("liverpool")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill("not the same")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("alert")).to_contain_text("The passwords do not match.")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_fits_and_passes_axe(page, axe)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    page.goto(live_server + "/account")
    expect(page.get_by_text("Olu Owner")).to_be_visible()
    context.close()

    # The intruder's password opens nothing; their old link is refused, with a way forward.
    other = browser.new_context(locale="en-GB")
    page = other.new_page()
    page.goto(live_server + "/account/sign-in")
    page.get_by_label("Email address").fill(OWNER)
    page.get_by_label("Password").fill(INTRUDERS_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a correct email address and password.")
    other.close()


def test_confirming_a_new_address_asks_for_the_password(live_server, browser, axe, app, outbox):
    with app.app_context():
        make_user()
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(live_server + "/account/sign-in")
    page.get_by_label("Email address").fill("learner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/account/email")
    page.get_by_label("New email address").fill("moved@example.com")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_fits_and_passes_axe(page, axe)

    link = live_server + outbox.link("moved@example.com")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your new email address")
    assert_fits_and_passes_axe(page, axe)
    page.get_by_role("button", name="Use this email address").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your password.")
    assert_fits_and_passes_axe(page, axe)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Use this email address").click()
    expect(page.get_by_text("Your email address is now moved@example.com.")).to_be_visible()

    page.goto(link)  # used: the page says so and what to do
    expect(page.get_by_text(re.compile("This link has already been used"))).to_be_visible()
    assert_fits_and_passes_axe(page, axe)
    context.close()


def test_sign_up_pages_fit_and_pass_axe(live_server, page, axe):
    page.goto(live_server + "/account/sign-up")
    assert_fits_and_passes_axe(page, axe)
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("Ada.Lovelace.Analytical-Engine-Notes@Example.com")
    page.get_by_label("Where do you live or work?").select_option("sheffield")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("main")).to_contain_text(
        "We have sent an email to ada.lovelace.analytical-engine-notes@example.com."
    )
    assert_fits_and_passes_axe(page, axe)
    for path in ("/account/reset", "/account/verify"):
        page.goto(live_server + path)
        page.get_by_label("Email address").fill("nobody@example.com")
        page.get_by_role("button", name=re.compile("Send")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        assert_fits_and_passes_axe(page, axe)
