"""What the simulated learners know before a load-test run, and what they keep during it.

The answer key to every quiz (from the shipped ``content/``, loaded with the app's own loader),
the returning learners who have accounts and progress from before the run, and the ``Ledger`` in
which each identity records what the site acknowledged to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lms.catalogue.files import load_content_folder
from lms.content.quiz import grade_quiz

REGIONS = ("greater-manchester", "leeds", "sheffield", "liverpool", "north-east")


@dataclass(frozen=True)
class LessonKey:
    """One lesson and the answers that pass or fail its quiz (from the shipped content)."""

    key: str
    right: dict[str, list[str]]
    wrong: dict[str, list[str]]
    wrong_passes: bool  # True only if the quiz cannot be failed by a single wrong pick per question


@dataclass(frozen=True)
class CourseKey:
    slug: str
    title: str
    lessons: tuple[LessonKey, ...]


def _wrong_choice(question: dict) -> list[int]:
    correct = [i for i, option in enumerate(question["options"]) if option["correct"]]
    incorrect = [i for i, option in enumerate(question["options"]) if not option["correct"]]
    if incorrect:
        return incorrect[:1]
    return correct[:-1] or correct  # every option right: ticking fewer than all is wrong


def answer_key(content_dir: Path) -> list[CourseKey]:
    """The published courses, their lessons in order, and right and wrong answers to each quiz."""
    catalogue = load_content_folder(content_dir)
    if not catalogue.ok:
        raise RuntimeError(f"the content does not load: {catalogue.problems[:3]}")
    courses = []
    for course in catalogue.courses:
        if course.status != "published":
            continue
        lessons = []
        for lesson in sorted(course.lessons, key=lambda item: item.position):
            right = {
                q["number"]: [i for i, o in enumerate(q["options"]) if o["correct"]]
                for q in lesson.quiz
            }
            wrong = {q["number"]: _wrong_choice(q) for q in lesson.quiz}
            lessons.append(
                LessonKey(
                    key=lesson.key,
                    right={f"q{n}": [str(i) for i in chosen] for n, chosen in right.items()},
                    wrong={f"q{n}": [str(i) for i in chosen] for n, chosen in wrong.items()},
                    wrong_passes=grade_quiz(lesson.quiz, wrong, course.pass_mark).passed,
                )
            )
        if any(not lesson.right for lesson in lessons):
            raise RuntimeError(f"{course.slug}: the load test expects a quiz in every lesson")
        courses.append(CourseKey(course.slug, course.title, tuple(lessons)))
    return courses


@dataclass
class Ledger:
    """What the site acknowledged to one identity, as that browser saw it."""

    email: str
    enrolled: set[str] = field(default_factory=set)
    completed: set[tuple[str, str]] = field(default_factory=set)  # (course slug, lesson key)
    attempts: Counter = field(default_factory=Counter)  # (slug, key) -> attempts shown as saved
    courses_completed: Counter = field(default_factory=Counter)  # slug -> "Congratulations" seen
    certificates: dict[str, str] = field(default_factory=dict)  # slug -> code, seen valid


@dataclass(frozen=True)
class Returning:
    """A learner with an account from before the run, part-way through one course."""

    email: str
    password: str
    region: str
    course: str  # slug
    done: tuple[str, ...]  # lesson keys passed (one quiz attempt each) before the run

    def ledger(self) -> Ledger:
        done = {(self.course, key) for key in self.done}
        return Ledger(self.email, enrolled={self.course}, completed=done, attempts=Counter(done))


def returning_learners(count: int, courses: list[CourseKey]) -> list[Returning]:
    """Returning learners spread over the courses, each one to three lessons from the end."""
    plan = []
    for n in range(1, count + 1):
        course = courses[n % len(courses)]
        left = 1 + n % 3
        plan.append(
            Returning(
                email=f"returning{n}@load.example",
                password=f"returning learner passphrase {n}",
                region=REGIONS[n % len(REGIONS)],
                course=course.slug,
                done=tuple(lesson.key for lesson in course.lessons[:-left]),
            )
        )
    return plan
