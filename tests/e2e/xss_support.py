"""Helpers for ``test_xss.py``: the corpus packed into each field, a Chromium page that records
any payload that runs and checks each page's markup, course files and accounts full of vectors.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.passwords import hash_password
from lms.auth.users import create_user
from lms.certificates.codes import grouped
from lms.content.links import SAFE_SCHEMES, find_links
from lms.content.render import render_markdown
from lms.extensions import db
from lms.learning import progress
from lms.models import Certificate, Course, SourceFile, SourceRevision, User, Workspace
from tests.factories import PASSWORD
from tests.xss import XSS_VECTORS, one_line, packs

# Each field gets the whole corpus, packed into values as long as the field accepts.
TITLES = packs(200, "xss-title-")  # course, lesson and module titles; author roles
SUMMARIES = packs(300, "xss-summary-")
NAMES = packs(120, "xss-name-")  # account names, and author names in course files
SKILLS = packs(120, "xss-skill-")
REASONS = packs(500, "xss-reason-")
TOKEN_NAMES = packs(100, "xss-token-")
EVERYTHING = "\n".join(XSS_VECTORS)  # for forms that echo what was typed when it is refused


def _refused_at_publishing(vector: str) -> bool:
    """Markdown links to javascript:, data: or missing files stop a sync or a publish (the
    content checks' own defence), so published pages never hold them; studio previews do."""
    return any(urlsplit(link.target).scheme not in SAFE_SCHEMES for link in find_links(vector, 1))


PUBLISHABLE = [v for v in XSS_VECTORS if not _refused_at_publishing(v)]

WATCH = """
(() => {
  const report = (kind, detail) => {
    try { window.__xssReport(kind, String(detail)); } catch (e) { /* page is unloading */ }
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const original = window[name];
    window[name] = function (...args) {
      report(name, args.length ? args[0] : "");
      // The dialog opens too, so the page's dialog handler sees it as well.
      return name === "print" ? undefined : original.apply(window, args);
    };
  }
  window.__xss = (detail) => report("__xss", detail);
  // For the page check: a rendering frame and a task, with the page's own timers kept from
  // anything on the page that replaces them (and capped, so a page with no frames cannot hang).
  const frame = window.requestAnimationFrame.bind(window);
  const later = window.setTimeout.bind(window);
  window.__xssSettle = () => new Promise((done) => {
    frame(() => later(done, 0));
    later(done, 1000);
  });
})();
"""

# The page's text, and everything on it that could run script. It first lets events the page
# queued (image errors, autofocus, toggles) fire. The check of the markup does not depend on
# timing at all.
STRUCTURE = r"""async () => {
  if (window.__xssSettle) await window.__xssSettle();
  const problems = [];
  const own = /^\/static\/js\/[\w.-]+\.js$/;
  const urlAttributes = new Set(["href", "src", "action", "formaction", "data", "poster",
    "background", "codebase", "cite", "lowsrc", "dynsrc", "ping", "srcset", "xlink:href"]);
  const scripted = /javascript:|vbscript:|expression\s*\(|@import|url\s*\(/i;
  const badUrl = (value) => {
    for (const part of value.split(",")) {
      try {
        const url = new URL(part.trim().split(/\s+/)[0] || "", document.baseURI);
        if (["javascript:", "data:", "vbscript:"].includes(url.protocol)) return true;
      } catch (e) { /* not a URL at all: nothing a browser would load */ }
    }
    return false;
  };
  const show = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName.toLowerCase();
    if (tag === "script") {
      const src = el.getAttribute("src") || el.getAttribute("xlink:href")
        || el.getAttribute("href");
      let path = "";
      try {
        const url = new URL(src || "", document.baseURI);
        if (url.origin === location.origin) path = url.pathname;
      } catch (e) { /* a broken URL is not the site's own script */ }
      if (!src || !own.test(path) || el.textContent.trim()) problems.push("script: " + show(el));
    }
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"]
        .includes(tag)) problems.push(tag + ": " + show(el));
    if (tag === "meta" && el.hasAttribute("http-equiv")) problems.push("meta: " + show(el));
    if (tag === "style" && scripted.test(el.textContent)) problems.push("style: " + show(el));
    if (["animate", "set"].includes(tag)
        && /href|^on/i.test(el.getAttribute("attributeName") || "")) {
      problems.push("animation of a link: " + show(el));
    }
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) problems.push(name + " attribute: " + show(el));
      else if (name === "srcdoc") problems.push("srcdoc: " + show(el));
      else if (name === "style" && scripted.test(attribute.value)) {
        problems.push("scripted style: " + show(el));
      } else if ((urlAttributes.has(name) || name.endsWith(":href")) && badUrl(attribute.value)) {
        problems.push(name + " URL: " + show(el));
      }
    }
  }
  return [document.body.textContent, problems];
}"""


# Files of a course (an SVG and an HTML page) that mark the document if their script runs; a
# sandboxed document cannot open dialogs, so the mark is the signal. Their scripts would run
# while the page loads; read the mark synchronously, since a document without script runs no
# timers either.
MARK = "document.documentElement.setAttribute('data-xss', 'ran')"
ASSET_SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" onload="{MARK}">'
    f"<script>{MARK}; alert(1)</script><circle r='1'/></svg>"
)
ASSET_HTML = f'<!doctype html><body onload="{MARK}"><script>{MARK}; alert(1)</script></body>'
MARKED = "() => document.documentElement.getAttribute('data-xss')"


class Sweep:
    """A Chromium page that records every payload that runs and checks every page it shows."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.ran: list[str] = []
        self.unsafe: list[str] = []
        self.csp: list[str] = []
        self.checked: list[str] = []
        self.text = ""  # the text of the page checked last
        page.context.expose_binding("__xssReport", self._report)
        page.context.add_init_script(WATCH)
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _report(self, source, kind: str, detail: str) -> None:
        self.ran.append(f"{kind}({detail!r}) on {source['frame'].url}")

    def _dialog(self, dialog) -> None:
        self.ran.append(f"{dialog.type} dialog {dialog.message!r} on {self.page.url}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(f"{self.page.url}: {message.text}")

    # Pages

    def visit(self, path: str, *shows: str, status: int = 200) -> None:
        """Open ``path``, check it shows each of ``shows``, then check nothing on it can run."""
        response = self.page.goto(self.base + path)
        assert response is not None, path[:200]
        assert response.status == status, (path[:200], response.status)
        self.check(*shows, wait=False)

    def open_alone(self, path: str) -> None:
        """Open a course file on its own (not inside a page) and check its script did not run."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        marked = self.page.evaluate(MARKED)
        self.checked.append(path)
        assert not marked and not self.ran, f"{path}: its script ran\n{self.report()}"

    def check(self, *shows: str, wait: bool = True) -> None:
        """Check the page as it is now, waiting first (after a click, or a live preview) until
        it shows the first of ``shows``."""
        if wait and shows:
            expect(self.page.locator("body")).to_contain_text(shows[0])
        text, problems = self.page.evaluate(STRUCTURE)
        self.text = " ".join(text.split())
        label = self.page.url.removeprefix(self.base)
        self.unsafe += [f"{label}: {problem}" for problem in problems]
        self.checked.append(label)
        # Stop at the first page where something ran or could run: later steps may depend on
        # markup the payload broke.
        assert not self.ran and not self.unsafe, self.report()
        missing = [show for show in shows if " ".join(show.split()) not in self.text]
        assert not missing, f"{label} does not show {missing}"

    def report(self) -> str:
        return "\n".join(
            [
                "Payloads that ran:",
                *self.ran,
                "Markup that could run script:",
                *self.unsafe,
                "CSP reports (for information):",
                *self.csp,
            ]
        )

    def assert_clean(self, at_least: int) -> None:
        assert len(self.checked) >= at_least, self.checked
        assert not self.ran and not self.unsafe, self.report()

    # Requests that set things up without rendering (the pages they lead to are visited)

    def post(self, path: str, form: dict | None = None, **kwargs):
        response = self.page.context.request.post(
            self.base + path, form=form, max_redirects=0, **kwargs
        )
        assert response.status in (200, 302, 303), (path, response.status, response.text()[:500])
        return response

    def sign_in(self, email: str) -> None:
        response = self.post("/account/sign-in", {"email": email, "password": PASSWORD})
        assert response.status == 302, f"could not sign in as {email}"

    def sign_out(self) -> None:
        self.post("/account/sign-out")

    def set_value(self, selector: str, value: str) -> None:
        """Type into a field past its maxlength, as someone posting the form by hand could."""
        self.page.locator(selector).evaluate("(el, value) => { el.value = value; }", value)


# Course files


def document(meta: dict, body: str) -> str:
    """A course or lesson file: YAML front matter (quoted as YAML needs), then Markdown."""
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n{body}"


@cache
def _swallows_the_rest(vector: str) -> bool:
    """Whether Markdown or the sanitiser takes everything after this vector (as a block, or in a
    heading) into one unclosed element, so that nothing after it is shown."""
    return not all(
        re.search(r"<h2[^>]*>xss-probe", render_markdown(f"{text}\n\n## xss-probe\n").html)
        for text in (f"a\n\n{vector}", f"## {one_line(vector)}")
    )


def corpus_markdown(marker: str, vectors: list[str] = PUBLISHABLE) -> str:
    """Every vector as a block and in a heading, between two markers that prove the page shows
    the whole document. Vectors that swallow what follows them come after the end marker."""

    def blocks(chosen: list[str]) -> list[str]:
        return chosen + [f"## Heading {vectors.index(v) + 1}: {one_line(v)}" for v in chosen]

    last = [v for v in vectors if _swallows_the_rest(v)]
    first = [v for v in vectors if v not in last]
    parts = [f"{marker} starts here.", *blocks(first), f"{marker} ends here.", *blocks(last)]
    return "\n\n".join(parts) + "\n"


def corpus_quiz() -> str:
    """One question per vector: it is the prompt, then an option, then the explanation of others.
    The first option of every question is the right answer."""
    lines = ["```quiz"]
    vectors = [one_line(v) for v in XSS_VECTORS]
    for n in range(len(vectors)):
        pick = [vectors[(n + k) % len(vectors)] for k in range(4)]
        lines += [
            f"Q: {pick[0]}",
            f"- [x] {pick[1]}",
            f"- [ ] {pick[2]}",
            f"Explanation: {pick[3]}",
        ]
        lines.append("")
    return "\n".join(lines) + "```\n"


def course_meta(slug: str, n: int = 0, **extra) -> dict:
    """Front matter of a course with vectors in every text field."""
    return {
        "id": slug,
        "title": TITLES[n % len(TITLES)],
        "summary": SUMMARIES[n % len(SUMMARIES)],
        "level": "beginner",
        "hours": 2,
        "skills": [{"name": SKILLS[n % len(SKILLS)]}],
        "pass_mark": 70,
        "authors": [{"name": NAMES[n % len(NAMES)], "role": TITLES[(n + 1) % len(TITLES)]}],
        "status": "published",
        **extra,
    }


def corpus_course_files(slug: str = "xss-corpus") -> dict[str, str]:
    """The corpus course: every title, skill, author and module field filled with vectors; its
    overview and first lesson hold every vector; its second lesson a quiz of every vector."""
    meta = course_meta(
        slug,
        featured=True,
        skills=[{"name": skill} for skill in SKILLS],
        authors=[{"name": name, "role": TITLES[n % len(TITLES)]} for n, name in enumerate(NAMES)],
        modules=[{"id": f"m{n}", "title": title} for n, title in enumerate(TITLES)],
    )
    files = {"course.md": document(meta, corpus_markdown("xss-overview"))}
    lesson = {"minutes": 5}
    files["01-corpus.md"] = document(
        {"id": "corpus", "title": TITLES[0], "module": "m0", **lesson},
        corpus_markdown("xss-lesson-body"),
    )
    files["02-quiz.md"] = document(
        {"id": "quiz", "title": TITLES[1], "module": "m1", **lesson},
        "xss-quiz-lesson: answer every question.\n\n" + corpus_quiz(),
    )
    for n in range(2, len(TITLES)):
        files[f"{n + 1:02d}-title-{n}.md"] = document(
            {"id": f"title-{n}", "title": TITLES[n], "module": f"m{n}", **lesson},
            f"xss-reading-{n}.\n",
        )
    # A lesson shows an SVG and links to an HTML file, so both are published with the course.
    files["03-title-2.md"] += "\n![An image](images/xss.svg) and [a page](xss.html).\n"
    files |= {"images/xss.svg": ASSET_SVG, "xss.html": ASSET_HTML}
    return files


def small_courses() -> dict[str, dict[str, str]]:
    """One small course per title pack (one reading lesson each), so every pack is a course
    title on the catalogue, dashboards and certificates."""
    courses = {}
    for n in range(1, len(TITLES)):
        slug = f"xss-course-{n}"
        courses[slug] = {
            "course.md": document(course_meta(slug, n), f"xss-course-{n} overview.\n"),
            "01-only.md": document(
                {"id": "only", "title": TITLES[(n + 1) % len(TITLES)], "minutes": 5},
                f"xss-course-{n} lesson.\n",
            ),
        }
    return courses


def sync(app, root: Path, courses: dict[str, dict[str, str]]) -> None:
    for slug, files in courses.items():
        for name, text in files.items():
            (root / slug / name).parent.mkdir(parents=True, exist_ok=True)
            (root / slug / name).write_text(text)
    result = app.test_cli_runner().invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output


# Accounts


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


def make_users(app, names: list[str], role: str = "learner", emails: list[str] = ()) -> list[int]:
    """Accounts with these names (and emails, while they last), made by ``create_user`` as
    sign-up makes them, with one precomputed password hash: argon2 would take seconds each."""
    with app.app_context(), mock.patch("lms.auth.users.hash_password", _password_hash):
        return [
            create_user(
                email=emails[n] if n < len(emails) else f"{role}{n}@example.com",
                name=name,
                password=PASSWORD,
                role=role,
                region="leeds",
                verified=True,
            ).id
            for n, name in enumerate(names)
        ]


def complete_course(app, user_id: int, slug: str) -> str:
    """Enrol and complete every lesson as the learner would; the certificate's code, grouped."""
    with app.app_context():
        user = db.session.get(User, user_id)
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        progress.enrol(user, course)
        for lesson in course.active_lessons:
            progress.complete_lesson(user, lesson)
        code = db.session.scalar(
            select(Certificate.code).where(
                Certificate.user_id == user_id, Certificate.course_id == course.id
            )
        )
        return grouped(code)


# Studio


def studio_files(app, slug: str) -> dict[str, int]:
    """The ids of a studio course's draft files, by path."""
    with app.app_context():
        rows = db.session.execute(
            select(SourceFile.path, SourceFile.id)
            .join(Workspace)
            .where(Workspace.slug == slug, SourceFile.path.is_not(None))
        )
        return dict(rows.all())


def revision_ids(app, file_id: int) -> list[int]:
    """A file's saved versions, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(SourceRevision.id)
                .where(SourceRevision.file_id == file_id)
                .order_by(SourceRevision.id)
            )
        )
