"""Simulated learners for the load test: each is one browser, with its own cookies, on real pages.

A learner signs up (and confirms the emailed link) or signs in, then takes courses lesson by
lesson: the course page, enrolling, each lesson and its quiz, answered wrongly first now and then
and now and then sent twice at once (a double click). Every form is fetched first and its CSRF
token sent back, as a browser does; redirects are followed as separate requests, so each kind of
request is timed on its own.

Each identity keeps a ``Ledger`` of what the site acknowledged (enrolments, saved quiz attempts,
completed lessons and courses, certificates) for the database checks afterwards, and checks what a
person would see on the way: the quiz result their answers deserve, their attempt count, and the
"Continue" link pointing at the first lesson they have not completed.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import httpx

from bench.load_data import REGIONS, CourseKey, Ledger, LessonKey, Returning

CSRF_INPUT = re.compile(r"<input[^>]*name=\"csrf_token\"[^>]*>")
VALUE = re.compile(r'value="([^"]+)"')
VERIFY_LINK = re.compile(r"https?://\S+/account/verify/\S+")
CONTINUE = re.compile(r'href="/courses/([^/"]+)/lessons/([^"#]+)">(?:Continue|Start the first)')
CERTIFICATE = re.compile(
    r'<li><a href="/courses/([^"]+)">[^<]*</a>, completed on [^:<]*: '
    r'<a href="/certificates/([^"]+)"'
)
ATTEMPTS = re.compile(r"You have made (\d+) attempts?")


class Unexpected(Exception):
    """A response a browser would not expect; the learner stops and the run fails."""


@dataclass
class Recorder:
    """Every request's kind, status (or transport error) and latency, and every problem seen."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # (seconds from the start of the run when the answer came, latency, kind) per request
    timeline: list[tuple[float, float, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ledgers: list[Ledger] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def record(self, kind: str, status: int | str, seconds: float) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[kind][status] += 1
        self.timeline.append((time.perf_counter() - self.started, seconds, kind))


class Mailbox:
    """Confirmation links from the app's mail outbox (``instance/mail/*.eml``), by address."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.links: dict[str, str] = {}
        self.read: set[str] = set()

    def link_for(self, email: str) -> str | None:
        if email not in self.links:
            self._scan()
        return self.links.get(email)

    def _scan(self) -> None:
        for path in sorted(self.folder.glob("*.eml")):
            if path.name in self.read:
                continue
            message = message_from_bytes(path.read_bytes(), policy=default_policy)
            body = message.get_content()
            found = VERIFY_LINK.search(body)
            # A file a worker is still writing lacks the closing line: it is read again next time.
            if found and "you can ignore this email" in body:
                self.links[str(message["To"]).lower()] = found.group(0)
                self.read.add(path.name)


def csrf_token(response: httpx.Response) -> str:
    tag = CSRF_INPUT.search(response.text)
    if tag is None:
        raise Unexpected(f"no CSRF token on {response.request.url.path}")
    return VALUE.search(tag.group(0)).group(1)


@dataclass
class Options:
    wrong_rate: float = 0.3  # share of quizzes answered wrongly before the right answers
    double_rate: float = 0.05  # share of submissions sent twice at once
    sign_out_rate: float = 0.25  # share of finished courses after which the learner signs out
    browse_rate: float = 0.3  # share of courses picked from the catalogue page first
    think: float = 0.0  # mean pause between actions, seconds (0: as fast as the site answers)


class Learner:
    """One simulated browser: a returning learner who signs in, or someone new who signs up."""

    def __init__(
        self,
        number: int,
        http: httpx.AsyncClient,
        courses: list[CourseKey],
        recorder: Recorder,
        mailbox: Mailbox,
        options: Options,
        returning: Returning | None,
        seed: int,
    ):
        self.number, self.http, self.courses = number, http, courses
        self.recorder, self.mailbox, self.options = recorder, mailbox, options
        self.rng = random.Random(seed)
        self.account = (returning.email, returning.password) if returning else None
        self.ledger = returning.ledger() if returning else None
        if self.ledger:
            recorder.ledgers.append(self.ledger)
        self.identities = 0

    async def run(self, deadline: float) -> None:
        try:
            await (self.sign_in() if self.account else self.sign_up())
            while time.monotonic() < deadline:
                course = self.next_course()
                if course is None:  # finished the whole catalogue: someone new takes the seat
                    await self.sign_out()
                    await self.sign_up()
                    continue
                await self.take_course(course, deadline)
                done = self.ledger.courses_completed[course.slug]
                if done and self.rng.random() < self.options.sign_out_rate:
                    await self.sign_out()
                    await self.sign_in()
        except Unexpected as exc:
            self.recorder.problems.append(f"learner {self.number}: {exc}")
        except Exception as exc:  # a page so wrong the learner cannot go on: still a finding
            self.recorder.problems.append(f"learner {self.number}: {exc!r}")

    # --- requests ---------------------------------------------------------------------------

    async def pause(self) -> None:
        """A person's pause before the next click (none by default: a stress test)."""
        if self.options.think:
            await asyncio.sleep(self.rng.expovariate(1 / self.options.think))

    async def call(self, kind: str, method: str, url: str, data=None, expect=200, pause=True):
        if pause:
            await self.pause()
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, data=data)
        except httpx.HTTPError as exc:
            self.recorder.record(kind, type(exc).__name__, time.perf_counter() - started)
            raise Unexpected(f"{kind} {method} {url}: {exc!r}") from exc
        self.recorder.record(kind, response.status_code, time.perf_counter() - started)
        if response.status_code != expect:
            raise Unexpected(
                f"{kind} {method} {url}: status {response.status_code}, expected {expect}"
            )
        return response

    async def follow(self, response: httpx.Response, kind: str) -> httpx.Response:
        return await self.call(kind, "GET", response.headers["location"])

    async def twice_maybe(self, kind: str, url: str, data: dict, expect: int) -> list:
        """Submit a form, or (now and then) submit it twice at once like a double click.

        Both answers are returned even if one fails, so the ledger records what was acknowledged.
        """
        if self.rng.random() >= self.options.double_rate:
            return [await self.call(kind, "POST", url, data, expect)]
        await self.pause()
        results = await asyncio.gather(
            self.call(kind, "POST", url, data, expect, pause=False),
            self.call(kind, "POST", url, data, expect, pause=False),
            return_exceptions=True,
        )
        return list(results)

    @staticmethod
    def expect_text(response: httpx.Response, text: str) -> None:
        if text not in response.text:
            raise Unexpected(f"{response.request.url.path}: page does not say {text!r}")

    # --- accounts ---------------------------------------------------------------------------

    async def sign_up(self) -> None:
        self.identities += 1
        email = f"learner{self.number}-{self.identities}@load.example"
        password = f"load test passphrase {self.number} {self.identities}"
        region = self.rng.choice(REGIONS)
        form = await self.call("sign-up form", "GET", "/account/sign-up")
        answer = await self.call(
            "sign-up",
            "POST",
            "/account/sign-up",
            {
                "csrf_token": csrf_token(form),
                "name": f"Learner {self.number}",
                "email": email,
                "region": region,
            },
        )
        self.expect_text(answer, "Check your email")
        link = self.mailbox.link_for(email)
        if link is None:
            raise Unexpected(f"no confirmation email for {email}")
        path = httpx.URL(link).path
        page = await self.call("confirmation link", "GET", path)
        # The password is chosen on the confirmation link's page, where the name and region
        # given at sign-up come back to be checked; they are sent back unchanged.
        confirmed = await self.call(
            "confirm email",
            "POST",
            path,
            {
                "csrf_token": csrf_token(page),
                "name": f"Learner {self.number}",
                "region": region,
                "password": password,
                "confirm": password,
            },
            302,
        )
        dashboard = await self.follow(confirmed, "dashboard")
        self.expect_text(dashboard, "Your email address is confirmed")
        self.account = (email, password)
        self.ledger = Ledger(email)
        self.recorder.ledgers.append(self.ledger)

    async def sign_in(self) -> None:
        email, password = self.account
        form = await self.call("sign-in form", "GET", "/account/sign-in")
        data = {"csrf_token": csrf_token(form), "email": email, "password": password}
        signed_in = await self.call("sign-in", "POST", "/account/sign-in", data, 302)
        dashboard = await self.follow(signed_in, "dashboard")
        self.expect_text(dashboard, "My learning")
        self.check_resume_links(dashboard)

    async def sign_out(self) -> None:
        page = await self.call("dashboard", "GET", "/dashboard")
        signed_out = await self.call(
            "sign-out", "POST", "/account/sign-out", {"csrf_token": csrf_token(page)}, 302
        )
        home = await self.follow(signed_out, "home")
        self.expect_text(home, "You have signed out.")

    # --- learning ---------------------------------------------------------------------------

    def next_course(self) -> CourseKey | None:
        """The course in progress, else a random one not yet completed."""
        left = [c for c in self.courses if not self.ledger.courses_completed[c.slug]]
        started = [c for c in left if c.slug in self.ledger.enrolled]
        if started:
            return started[0]
        return self.rng.choice(left) if left else None

    def first_open_lesson(self, course: CourseKey) -> str | None:
        return next(
            (
                lesson.key
                for lesson in course.lessons
                if (course.slug, lesson.key) not in self.ledger.completed
            ),
            None,
        )

    def check_resume_links(self, page: httpx.Response) -> None:
        """Each "Continue" link must point at the first lesson this learner has not completed."""
        for slug, key in CONTINUE.findall(page.text):
            course = next(c for c in self.courses if c.slug == slug)
            expected = self.first_open_lesson(course)
            if key != expected:
                raise Unexpected(f"{slug}: Continue goes to {key}, expected {expected}")

    async def take_course(self, course: CourseKey, deadline: float) -> None:
        if self.rng.random() < self.options.browse_rate:
            await self.call("catalogue", "GET", "/courses")
        page = await self.call("course page", "GET", f"/courses/{course.slug}")
        if course.slug in self.ledger.enrolled:
            self.check_resume_links(page)
        else:
            self.expect_text(page, "Enrol in this course")
            url = f"/courses/{course.slug}/enrol"
            answers = await self.twice_maybe("enrol", url, {"csrf_token": csrf_token(page)}, 302)
            for answer in answers:
                if isinstance(answer, httpx.Response):
                    self.ledger.enrolled.add(course.slug)
            _raise_first(answers)
            enrolled = await self.follow(answers[0], "course page")
            self.expect_text(enrolled, f"You are enrolled in {course.title}")
        for lesson in course.lessons:
            if time.monotonic() >= deadline:
                return
            if (course.slug, lesson.key) not in self.ledger.completed:
                await self.take_lesson(course, lesson)
        if not self.ledger.courses_completed[course.slug]:
            raise Unexpected(f"{course.slug}: every lesson passed but no congratulations")
        dashboard = await self.call("dashboard", "GET", "/dashboard")
        codes = dict(CERTIFICATE.findall(dashboard.text))
        if course.slug not in codes:
            raise Unexpected(f"{course.slug}: completed, but no certificate on the dashboard")
        shown = await self.call("certificate page", "GET", f"/certificates/{codes[course.slug]}")
        self.expect_text(shown, "Valid certificate.")
        self.expect_text(shown, "Verified")
        self.ledger.certificates[course.slug] = codes[course.slug]

    async def take_lesson(self, course: CourseKey, lesson: LessonKey) -> None:
        url = f"/courses/{course.slug}/lessons/{lesson.key}"
        page = await self.call("lesson", "GET", url)
        self.expect_text(page, "In progress")
        token = csrf_token(page)
        if self.rng.random() < self.options.wrong_rate:
            await self.answer(
                course, lesson, lesson.wrong, "quiz, wrong", lesson.wrong_passes, token
            )
        if (course.slug, lesson.key) not in self.ledger.completed:
            await self.answer(course, lesson, lesson.right, "quiz, right", True, token)

    async def answer(self, course, lesson, answers, kind, passes, token) -> None:
        """Submit the quiz; record what each answer acknowledged, then check what it showed."""
        url = f"/courses/{course.slug}/lessons/{lesson.key}/quiz"
        where = (course.slug, lesson.key)
        results = await self.twice_maybe(kind, url, {"csrf_token": token, **answers}, 200)
        pages = [r for r in results if isinstance(r, httpx.Response)]
        for page in pages:
            if "Your result is saved." in page.text:
                self.ledger.attempts[where] += 1
                if "You passed" in page.text:
                    self.ledger.completed.add(where)
            if f"Congratulations: you have completed {course.title}!" in page.text:
                self.ledger.courses_completed[course.slug] += 1
        for page in pages:
            self.expect_text(page, "Your result is saved.")
            if ("You passed" in page.text) != passes:
                raise Unexpected(f"{url}: {kind} shown as {'not ' if passes else ''}passed")
        if len(results) == 1 and pages:  # with a double click either count may show
            shown = ATTEMPTS.search(pages[0].text)
            made = self.ledger.attempts[where]
            if shown is None or int(shown.group(1)) != made:
                raise Unexpected(f"{url}: shows {shown and shown.group(0)!r} after {made}")
        _raise_first(results)


def _raise_first(results: list) -> None:
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def run_learners(
    base_url: str,
    courses: list[CourseKey],
    learners: list[Returning | None],
    mailbox: Mailbox,
    seconds: float,
    options: Options,
    seed: int,
    ramp: float = 0.0,
) -> tuple[Recorder, float]:
    """Run one learner per entry of ``learners`` until ``seconds`` have passed; wait for all.

    Learners arrive evenly over the first ``ramp`` seconds rather than all in the same instant.
    Returns the recorder and the wall time from the first request to the last answer (learners
    finish what they are doing, so it is a little longer than ``seconds``).
    """
    recorder = Recorder()
    started = time.monotonic()
    deadline = started + seconds
    timeout = httpx.Timeout(120.0)  # a slow answer is measured, not turned into an error

    async def one(number: int, returning: Returning | None) -> None:
        await asyncio.sleep(ramp * (number - 1) / len(learners))
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as http:
            learner = Learner(
                number, http, courses, recorder, mailbox, options, returning, seed * 1000 + number
            )
            await learner.run(deadline)

    await asyncio.gather(*(one(n, who) for n, who in enumerate(learners, start=1)))
    return recorder, time.monotonic() - started
