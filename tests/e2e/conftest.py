"""Browser fixtures: the app served on a real port, driven by Debian's Chromium via Playwright.

Browser tests run whenever Chromium is found (``/usr/bin/chromium`` or ``CHROMIUM_PATH``) and are
skipped, with a message saying how to install it, when it is not.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from lms.certificates.codes import grouped
from lms.config import PROJECT_ROOT
from lms.content.quiz import grade_quiz
from lms.extensions import db
from lms.learning import progress
from lms.models import Certificate, Course, CourseAuthor, SourceFile, Workspace
from tests.factories import PASSWORD, make_user

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
    """Run every axe-core rule (WCAG 2.x A/AA and best practice) and fail on any violation.

    axe files text whose colour equals its background's (1:1) under "needs review", guessing it is
    hidden on purpose; here nothing is hidden that way, so that counts as a violation too.
    """
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    invisible = [
        node["html"]
        for rule in results.response["incomplete"]
        if rule["id"] == "color-contrast"
        for node in rule["nodes"]
        if any(check.get("data", {}).get("messageKey") == "equalRatio" for check in node["any"])
    ]
    assert not invisible, "text the colour of its background (1:1 contrast): " + "; ".join(
        invisible
    )


@pytest.fixture
def people(app):
    """One account of each role; the learner holds a certificate; the trainer authors a course."""
    with app.app_context():
        learner = make_user("ada@example.com", name="Ada Learner")
        trainer = make_user("tara@example.com", name="Tara Trainer", role="trainer")
        make_user("hr@example.com", name="Hiring Manager", role="employer")
        make_user("ana@example.com", name="Ana Analyst", role="analyst")
        make_user("admin@example.com", name="Site Admin", role="admin")
        progress.enrol(
            learner, db.session.scalar(select(Course).filter_by(slug="python-fundamentals"))
        )
        course = db.session.scalar(select(Course).filter_by(slug="cyber-security-essentials"))
        progress.enrol(learner, course)
        for lesson in course.active_lessons:
            answers = {
                q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]}
                for q in lesson.quiz
            }
            progress.record_attempt(learner, lesson, grade_quiz(lesson.quiz, answers, 70))
        code = db.session.scalar(select(Certificate.code).filter_by(user_id=learner.id))
        workspace = db.session.scalar(select(Workspace).filter_by(slug="python-fundamentals"))
        db.session.add(
            CourseAuthor(workspace_id=workspace.id, user_id=trainer.id, added_at=datetime.now(UTC))
        )
        db.session.commit()
        files = {
            f.path: f.id
            for f in db.session.scalars(select(SourceFile).filter_by(workspace_id=workspace.id))
        }
        return {
            "certificate": f"/certificates/{grouped(code)}",
            "certificate_code": grouped(code),
            "lesson_file": files["01-running-python.md"],
            "course_file": files["course.md"],
        }


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the form, and wait until the page says so."""
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def broken_zip() -> dict:
    """A course zip the studio refuses (course.md lacks most of its fields), for set_input_files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.md", "---\ntitle: no\n---\n")
    return {"name": "broken.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}
