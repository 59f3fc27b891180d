"""Where keyboard focus goes, whether it can be seen, and the header menu on a phone.

Everything here works without JavaScript, so each test runs with it and without it where a page
could behave differently.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import broken_zip, sign_in
from tests.e2e.page_checks import VIEWPORTS, assert_fits

pytestmark = pytest.mark.e2e

# (who, page, button to press or None when the page itself shows the errors)
FORMS_WITH_ERRORS = [
    (None, "/account/sign-in", "Sign in"),
    (None, "/account/sign-up", "Create account"),
    (None, "/account/reset", "Send reset link"),
    (None, "/account/verify", "Send link"),
    (None, "/verify?code=123", None),
    (None, "/courses?level=expert", None),
    (None, "/open-data?start=2026-13", None),
    (None, "/courses/python-fundamentals/lessons/strings", "Check my answers"),
    ("ada@example.com", "/account/password", "Change password"),
    ("ada@example.com", "/account/email", "Send confirmation link"),
    ("ada@example.com", "/account/delete", "Delete my account"),
    ("tara@example.com", "/studio/new", "Create the draft"),
    ("tara@example.com", "/studio", "Import as a new course"),  # with a broken zip
    ("tara@example.com", "/studio/courses/python-fundamentals/files/{lesson_file}", "Preview"),
    ("hr@example.com", "/employer/check", "Check certificates"),
    ("hr@example.com", "/employer/tokens", "Create token"),
    ("ana@example.com", "/stats?course=999", None),
    ("admin@example.com", "/admin/users?role=boss", None),
    ("admin@example.com", "{certificate}", "Revoke certificate"),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_focus_moves_to_the_error_summary(live_server, browser, people, javascript):
    """After a form with errors, the keyboard starts at the error summary, not at the top."""
    context = browser.new_context(locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    signed_in_as = None
    for who, path, button in FORMS_WITH_ERRORS:
        if who != signed_in_as:
            context.clear_cookies()
            if who:
                sign_in(page, live_server, who)
            signed_in_as = who
        page.goto(live_server + path.format(**people))
        if path == "/studio":
            page.get_by_label("Course zip").first.set_input_files(broken_zip())
        if button == "Preview":  # a file with a problem, previewed
            editor = page.get_by_label("File text")
            editor.fill(editor.input_value().replace("minutes: 45", "minutes: ten"))
        if button:
            page.get_by_role("button", name=button).click()
        summary = page.locator(".error-summary")
        expect(summary).to_have_count(1)
        expect(summary, f"{path}: focus is not on the error summary").to_be_focused()
        expect(summary).to_be_in_viewport()
        # The next Tab reaches the summary's first link (the field to fix), where there is one.
        if summary.get_by_role("link").count():
            page.keyboard.press("Tab")
            expect(summary.get_by_role("link").first).to_be_focused()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_after_a_quiz_focus_lands_on_the_result(live_server, browser, javascript):
    context = browser.new_context(
        locale="en-GB", java_script_enabled=javascript, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(live_server + "/courses/python-fundamentals/lessons/running-python")
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("input").first.check()
    page.get_by_role("button", name="Check my answers").click()
    result = page.locator(".quiz-result")
    expect(result).to_contain_text("correct")
    expect(result).to_be_focused()
    expect(result).to_be_in_viewport()
    context.close()


FORCED_COLOURS_PAGES = [
    (None, "/courses/python-fundamentals/lessons/strings"),
    ("ada@example.com", "/dashboard"),
    ("tara@example.com", "/studio/courses/python-fundamentals"),
]
MENUS = [
    (None, ["Home", "Courses", "Sign in", "Create an account"]),
    ("ada@example.com", ["Home", "Courses", "My learning", "Account", "Sign out"]),
    (
        "admin@example.com",
        ["Home", "Courses", "Admin", "Studio", "Statistics", "My learning", "Account", "Sign out"],
    ),
]
TEXT_SPACING_PAGES = [
    (None, "/"),
    (None, "/courses/data-literacy-sql/lessons/group-by-and-having"),
    ("ada@example.com", "/dashboard"),
    ("ada@example.com", "{certificate}"),
    ("ana@example.com", "/stats"),
    ("tara@example.com", "/studio/courses/python-fundamentals"),
]
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def as_each(context, page, base, pages):
    """(who, path) in order, signing in afresh whenever the person changes."""
    current = "nobody yet"
    for who, path in pages:
        if who != current:
            context.clear_cookies()
            if who:
                sign_in(page, base, who)
            current = who
        yield who, path


def test_focus_is_visible_in_forced_colours(live_server, browser, people):
    """High-contrast themes drop backgrounds and shadows: every focused control keeps an outline."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    for _, path in as_each(context, page, live_server, FORCED_COLOURS_PAGES):
        page.emulate_media(forced_colors="active")
        page.goto(live_server + path)
        seen = 0
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                  const el = document.activeElement, style = getComputedStyle(el);
                  return {name: (el.innerText || el.value || el.tagName).trim().slice(0, 40),
                          body: el === document.body, style: style.outlineStyle,
                          width: parseFloat(style.outlineWidth), colour: style.outlineColor,
                          background: style.backgroundColor};
                }"""
            )
            if focused["body"]:
                break
            seen += 1
            assert focused["style"] not in ("none", "hidden") and focused["width"] >= 2, (
                f"{path}: no visible focus outline on {focused['name']!r} in forced colours: "
                f"{focused}"
            )
            assert focused["colour"] != focused["background"], focused
        assert seen >= 5, f"only {seen} focusable controls on {path}"
        page.emulate_media(forced_colors="none")
    context.close()


def test_the_header_menu_on_a_phone(live_server, browser, people):
    """Every menu item shows whole on a phone, without script, and the keyboard reaches Sign out."""
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 640})
        for who, items in MENUS:
            check_the_menu(context, page, live_server, who, items, width)
    context.close()


def check_the_menu(context, page, base, who, items, width):
    context.clear_cookies()
    if who:
        sign_in(page, base, who)
    page.goto(base + "/courses")
    assert_fits(page, f"/courses as {who}")
    menu = page.get_by_role("navigation", name="Main")
    controls = menu.locator("a, button")
    expect(controls).to_have_text(items)
    for control in controls.all():
        expect(control).to_be_in_viewport(ratio=1)
        box = control.bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, box  # WCAG 2.5.8 target size
        lines = control.evaluate(
            """el => { const range = document.createRange(); range.selectNodeContents(el);
                       const tops = [...range.getClientRects()].map(r => Math.round(r.top));
                       return new Set(tops).size; }"""
        )
        assert lines == 1, f"{control.inner_text()!r} breaks over {lines} lines at {width} px"
    # Keyboard: skip link, brand, then the menu in order; Enter on Sign out signs out.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    for index in range(len(items)):
        page.keyboard.press("Tab")
        expect(controls.nth(index)).to_be_focused()
    if who:
        page.keyboard.press("Enter")
        expect(menu.get_by_role("link", name="Sign in")).to_be_visible()


def test_text_spacing_and_400_percent_zoom(live_server, browser, people):
    """WCAG 1.4.12 text spacing at 320 px (1280 px at 400% zoom) and 1280 px: nothing cut off."""
    # The override is an inline style, as a bookmarklet or extension would add; the CSP allows none.
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    page = context.new_page()
    for _, path in as_each(context, page, live_server, TEXT_SPACING_PAGES):
        page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS["desktop"], strict=True)))
        page.goto(live_server + path.format(**people))
        page.add_style_tag(content=TEXT_SPACING)
        for name in ("phone-320", "desktop"):
            width, height = VIEWPORTS[name]
            page.set_viewport_size({"width": width, "height": height})
            assert_fits(page, f"{path} with text spacing")
    context.close()
