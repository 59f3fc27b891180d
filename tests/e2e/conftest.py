"""Browser fixtures: the app served on a real port, driven by Debian's Chromium via Playwright.

Browser tests run whenever Chromium is found (``/usr/bin/chromium`` or ``CHROMIUM_PATH``) and are
skipped, with a message saying how to install it, when it is not.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.config import PROJECT_ROOT

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    skip = pytest.mark.skip(
        reason="Chromium not found: install it with 'apt-get install -y chromium' "
        "or set CHROMIUM_PATH to a Chromium binary"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live_server(app, tmp_path):
    """The app with the shipped catalogue, served on a free loopback port in a thread."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "sync", str(PROJECT_ROOT / "content")])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def assert_no_axe_violations(axe, page) -> None:
    """Run every axe-core rule (WCAG 2.x A/AA and best practice) and fail on any violation."""
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
