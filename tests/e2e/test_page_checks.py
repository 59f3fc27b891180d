"""The browser checks themselves: each fails on the defect it is for and passes what is fine."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.page_checks import assert_controls_contrast, assert_fits, assert_page_structure

pytestmark = pytest.mark.e2e

LONG = "x" * 80


def show(page, html: str) -> None:
    """Load a page in standards mode, as the site's pages are (quirks mode measures differently)."""
    page.set_content("<!doctype html>" + html)


def test_reflow_check_catches_a_page_wider_than_a_phone(page):
    page.set_viewport_size({"width": 320, "height": 640})
    show(page, f"<main><pre>{LONG}</pre></main>")
    with pytest.raises(AssertionError, match=r"320 px: the document is \d+ px wide"):
        assert_fits(page)


def test_reflow_check_catches_text_cut_off_where_the_page_does_not_scroll(page):
    # The document is no wider than the viewport, yet the paragraph runs off its edge.
    page.set_viewport_size({"width": 320, "height": 640})
    show(
        page,
        "<body style='margin:0;overflow-x:hidden'><main style='overflow-x:clip'>"
        "<p style='width:600px'>Sign out of every device</p></main></body>",
    )
    with pytest.raises(AssertionError, match="Sign out of every device"):
        assert_fits(page)


def test_reflow_check_catches_hidden_text_that_widens_the_page(page):
    page.set_viewport_size({"width": 320, "height": 640})
    show(
        page,
        "<div style='overflow-x:auto'><table><tr><td style='padding-left:600px'>"
        "<span style='position:absolute;width:1px;height:1px;overflow:hidden;"
        "clip:rect(0 0 0 0)'>Move up</span></td></tr></table></div>",
    )
    with pytest.raises(AssertionError, match="not visible"):
        assert_fits(page)


def test_reflow_check_lets_code_and_tables_scroll_in_their_own_box(page):
    page.set_viewport_size({"width": 320, "height": 640})
    show(
        page,
        f"<main><pre style='overflow-x:auto'>{LONG}</pre>"
        f"<div style='overflow-x:auto'><table><tr><td>{LONG}</td></tr></table></div></main>",
    )
    assert_fits(page)


def test_contrast_check_catches_white_on_white_buttons_that_axe_only_flags_for_review(page, axe):
    show(
        page,
        "<html lang='en'><head><title>t</title></head><body><main><h1>Files</h1><table>"
        "<tr><th>Lesson</th><td><button style='background:none;border:0;color:#fff'>Move up"
        "</button></td></tr></table></main></body></html>",
    )
    assert axe.run(page).violations_count == 0  # axe alone misses it
    with pytest.raises(AssertionError, match="1:1 contrast"):
        assert_no_axe_violations(axe, page)
    with pytest.raises(AssertionError, match=r"Move up.*1\.00:1"):
        assert_controls_contrast(page)


def test_contrast_check_blends_translucent_backgrounds(page):
    # White text on a 12% white wash over dark blue is fine; dark grey on the same is not.
    show(
        page,
        "<div style='background:#073763'><a href='/a' style='color:#fff;"
        "background:rgb(255 255 255 / 0.12)'>Courses</a></div>",
    )
    assert_controls_contrast(page)
    show(
        page,
        "<div style='background:#073763'><a href='/a' style='color:#4a5263;"
        "background:rgb(255 255 255 / 0.12)'>Courses</a></div>",
    )
    with pytest.raises(AssertionError, match="Courses"):
        assert_controls_contrast(page)


def test_structure_check_catches_two_h1_unnamed_links_and_ambiguous_names(page):
    show(
        page,
        "<h1>Edit lesson</h1><h1>Kinds of data</h1>"
        "<h2 id='k'>Kinds<a href='#k'>#</a></h2>"
        "<a href='/stats.csv'>CSV</a> <a href='/stats.csv?table=courses'>CSV</a>",
    )
    with pytest.raises(AssertionError) as failure:
        assert_page_structure(page)
    message = str(failure.value)
    assert "2 h1 elements" in message
    assert 'a link named \\"#\\"' in message
    assert '2 links named \\"CSV\\" go to different places' in message
