"""Factories: course folders written to disk in the real format, and accounts."""

from __future__ import annotations

import io
import textwrap
import zipfile
from pathlib import Path

from lms.auth.users import create_user
from lms.models import User

COURSE_MD = """\
---
id: {slug}
title: {title}
summary: A short course used by the tests.
level: {level}
hours: {hours}
skills:
  - name: {skill}
    sfia: PROG
    level: 2
pass_mark: 70
authors:
  - name: Test Author
    role: Trainer, Leeds
status: {status}
featured: {featured}
modules:
  - id: basics
    title: The basics
  - id: more
    title: Going further
---
An overview of **{title}**. Start with [the first lesson]({first}).
"""

LESSONS = {
    "01-first-steps.md": """\
---
id: first-steps
title: First steps
minutes: 20
module: basics
---
Welcome to the course.

## Getting started

Read on, then look at this picture: ![A diagram](images/diagram.svg)

### A detail

```python
print("hello")
```

Next: [second steps](02-second-steps.md).

```quiz
Q: What does `print("hello")` show?
- [x] hello
- [ ] print
Explanation: It prints the text between the quotes.

Q (multiple): Which are Python keywords?
- [x] `for`
- [x] `if`
- [ ] `loop`
Explanation: `loop` is not a keyword.

Q: Is Python a programming language?
- [x] Yes
- [ ] No
Explanation: It is.
```
""",
    "02-second-steps.md": """\
---
id: second-steps
title: Second steps
minutes: 15
module: basics
---
The second lesson.

## Loops

Loops repeat things.
""",
    "03-going-further.md": """\
---
id: going-further
title: Going further
minutes: 30
module: more
---
The last lesson.

## Next

Go back to [the start](01-first-steps.md#getting-started).
""",
}

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


def course_files(
    slug: str = "demo-course",
    *,
    title: str = "Demo course",
    level: str = "beginner",
    hours: float = 2,
    skill: str = "Programming",
    status: str = "published",
    featured: bool = True,
    lessons: dict[str, str] | None = None,
) -> dict[str, bytes]:
    """A complete, valid course as the loader takes it: path inside the folder -> bytes."""
    lessons = LESSONS if lessons is None else lessons
    course_md = COURSE_MD.format(
        slug=slug,
        title=title,
        level=level,
        hours=hours,
        skill=skill,
        status=status,
        featured=str(featured).lower(),
        first=min(lessons),
    )
    files = {"course.md": course_md.encode()}
    files |= {name: textwrap.dedent(text).encode() for name, text in lessons.items()}
    files["images/diagram.svg"] = SVG
    return files


def write_course(root: Path, slug: str = "demo-course", **options) -> Path:
    """Write a complete, valid course folder under ``root`` and return it (see course_files)."""
    folder = root / slug
    for path, data in course_files(slug, **options).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


PASSWORD = "correct horse battery"


def make_user(
    email: str = "learner@example.com",
    *,
    name: str = "Sam Learner",
    password: str = PASSWORD,
    role: str = "learner",
    verified: bool = True,
    region: str = "leeds",
) -> User:
    """An account created the way the CLI and sign-up create one (call inside an app context)."""
    return create_user(
        email=email, name=name, password=password, role=role, region=region, verified=verified
    )


def reading_lessons(count: int) -> dict[str, str]:
    """``count`` lessons without quizzes, for courses that complete by "Mark as complete"."""
    return {
        f"{n:02d}-part-{n}.md": (
            f"---\nid: part-{n}\ntitle: Part {n}\nminutes: 5\nmodule: basics\n---\n"
            f"Part {n} of the course.\n\n## Section {n}\n\nText.\n"
        )
        for n in range(1, count + 1)
    }


def limited_app(tmp_path: Path, **config):
    """An app of its own (SQLite in ``tmp_path``) with rate limiting on, for limit tests."""
    from lms import create_app
    from lms.config import TestConfig, settings_of
    from lms.extensions import db

    app = create_app(
        settings_of(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/limits.sqlite3",
            RATELIMIT_ENABLED=True,
            **config,
        )
    )
    with app.app_context():
        db.create_all()
    return app


def zip_of(files: dict[str, str | bytes]) -> bytes:
    """A zip archive holding ``files`` (name -> content), as a trainer would upload."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def complete_course(email: str = "learner@example.com", slug: str = "demo-course") -> None:
    """Finish a synced course as ``email`` through the progress functions, as the pages would:
    enrol, pass every quiz with the right answers, mark reading lessons complete (call inside an
    app context). For tests about what follows completion; tests about the pages post forms."""
    from sqlalchemy import select

    from lms.content.quiz import grade_quiz
    from lms.extensions import db
    from lms.learning import progress
    from lms.models import Course

    user = db.session.scalar(select(User).where(User.email == email))
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    progress.enrol(user, course)
    for lesson in course.active_lessons:
        if lesson.quiz:
            right = {
                question["number"]: [i for i, o in enumerate(question["options"]) if o["correct"]]
                for question in lesson.quiz
            }
            result = grade_quiz(lesson.quiz, right, course.pass_mark)
            progress.record_attempt(user, lesson, result)
        else:
            progress.complete_lesson(user, lesson)
