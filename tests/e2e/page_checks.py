"""Checks run inside Chromium on a loaded page, for what axe-core does not (or cannot) judge.

- ``assert_fits``: WCAG 1.4.10 Reflow. The document is no wider than the viewport and no visible
  box or line of text reaches past its right (or left) edge. Content inside an element that scrolls
  or clips on its own (a code block or table wrapper with ``overflow-x: auto``) is that element's
  business: only the element's own box must fit.
- ``assert_controls_contrast``: WCAG 1.4.3 for every visible link and button, against the colour
  really behind it (ancestors' backgrounds walked up and alpha-blended down to the first opaque
  one; the canvas is white). axe files a 1:1 ratio under "needs review", which is how white-on-white
  buttons passed it.
- ``assert_page_structure``: one h1; no link without a letter or digit in its name (a heading
  permalink named "#"); links that share a name share a destination (WCAG 2.4.4/2.4.9: two
  "CSV" links to different tables cannot be told apart in a list of links).
"""

from __future__ import annotations

import json
from pathlib import Path

CHECKS = Path(__file__).with_name("checks")


def _script(name: str) -> str:
    """A check's JavaScript: one arrow function, evaluated in the page."""
    return (CHECKS / name).read_text()


VIEWPORTS = {"phone-320": (320, 640), "phone-390": (390, 844), "desktop": (1280, 800)}

_FITS_JS = _script("reflow.js")

_CONTRAST_JS = _script("contrast.js")

_STRUCTURE_JS = _script("structure.js")


def assert_fits(page, label: str = "") -> None:
    """The page reflows to the viewport: no horizontal scrolling and nothing cut off at the edge."""
    found = page.evaluate(_FITS_JS)
    where = f"{label or page.url} at {page.viewport_size['width']} px"
    assert found["scrollWidth"] <= found["width"], (
        f"{where}: the document is {found['scrollWidth']} px wide in a "
        f"{found['width']} px viewport; " + json.dumps(found["problems"], indent=1)
    )
    assert not found["problems"], f"{where}: " + json.dumps(found["problems"], indent=1)


def assert_controls_contrast(page, label: str = "") -> None:
    """Every visible link and button's text has WCAG AA contrast with what is behind it."""
    failures = page.evaluate(_CONTRAST_JS)
    assert not failures, f"{label or page.url}: " + json.dumps(failures, indent=1)


def assert_page_structure(page, label: str = "") -> None:
    """One h1, and every link has a name that says where it goes."""
    problems = page.evaluate(_STRUCTURE_JS)
    assert not problems, f"{label or page.url}: " + json.dumps(problems, indent=1)


def check_every_width(page, label: str = "") -> None:
    """Reflow and contrast at 320, 390 and 1280 px wide; the page is left at 1280 px."""
    for width, height in VIEWPORTS.values():
        page.set_viewport_size({"width": width, "height": height})
        assert_fits(page, label)
        assert_controls_contrast(page, label)
