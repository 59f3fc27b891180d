"""Regional statistics at cluster scale: rollups against raw records, and the rebuild.

    .venv/bin/python bench/stats_scale.py --database sqlite:////tmp/scale.sqlite3
    .venv/bin/python bench/stats_scale.py --database postgresql+psycopg://postgres@127.0.0.1/scale
    # smaller, for a quick look: --learners 40000 --enrolments 150000 --completions 1000000

Generates (into an empty database it creates the tables in) learners spread over the regions,
courses of 10 lessons, enrolments and lesson completions, with course completions and
certificates where a learner finished every lesson. Then measures, in one run:

1. ``flask stats rebuild`` (recomputing every rollup from the raw records);
2. the regional dashboard's figures from the rollups (``by_region``, and the whole ``/stats``
   page through the test client, signed in as an analyst);
3. the same figures computed straight from the raw records.

Prints the times and the ratio raw / rollup. Times are medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REGIONS = (
    ["greater-manchester"] * 28
    + ["leeds"] * 23
    + ["sheffield"] * 14
    + ["liverpool"] * 15
    + ["north-east"] * 12
    + ["north-other"] * 4
    + ["outside-north"] * 2
    + ["not-stated"] * 2
)
LESSONS_PER_COURSE = 10
START = datetime(2025, 1, 1, tzinfo=UTC)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def generate(args, db, engine) -> None:
    from lms.certificates.codes import new_code
    from lms.models import Certificate, Course, Enrolment, Lesson, LessonProgress, User

    rng = random.Random(2026)
    now = datetime.now(UTC)
    postgres = engine.dialect.name == "postgresql"

    def bulk(model, columns, rows):
        rows = list(rows)
        if not rows:
            return
        if postgres:
            raw = engine.raw_connection()
            try:
                with (
                    raw.cursor() as cur,
                    cur.copy(
                        f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
                    ) as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
                raw.commit()
            finally:
                raw.close()
        else:
            with engine.begin() as conn:
                conn.execute(
                    model.__table__.insert(), [dict(zip(columns, r, strict=True)) for r in rows]
                )

    print(f"generating {args.courses} courses, {args.learners:,} learners ...", flush=True)
    bulk(
        Course,
        [
            "id",
            "slug",
            "title",
            "summary",
            "overview_html",
            "level",
            "hours",
            "pass_mark",
            "status",
            "featured",
            "authors",
            "source_path",
            "created_at",
            "updated_at",
        ],
        [
            (
                c,
                f"course-{c}",
                f"Course {c}",
                "A course",
                "",
                "beginner",
                6.0,
                70,
                "published",
                False,
                "[]",
                "",
                now,
                now,
            )
            for c in range(1, args.courses + 1)
        ],
    )
    bulk(
        Lesson,
        [
            "id",
            "course_id",
            "key",
            "title",
            "minutes",
            "position",
            "body_html",
            "toc",
            "quiz",
            "source_path",
            "created_at",
            "updated_at",
        ],
        [
            (
                (c - 1) * LESSONS_PER_COURSE + n,
                c,
                f"lesson-{n}",
                f"Lesson {n}",
                20,
                n,
                "<p>x</p>",
                "[]",
                "[]",
                "",
                now,
                now,
            )
            for c in range(1, args.courses + 1)
            for n in range(1, LESSONS_PER_COURSE + 1)
        ],
    )
    bulk(
        User,
        [
            "id",
            "email",
            "name",
            "password_hash",
            "role",
            "region",
            "email_verified_at",
            "session_version",
            "created_at",
            "public_profile",
        ],
        (
            (
                u,
                f"learner{u}@example.com",
                f"Learner {u}",
                "!",
                "learner",
                rng.choice(REGIONS),
                now,
                1,
                now,
                False,
            )
            for u in range(1, args.learners + 1)
        ),
    )
    # Lesson completions per enrolment average completions / enrolments; a learner who does
    # all 10 lessons completes the course and gets a certificate.
    mean = args.completions / args.enrolments
    print(
        f"generating {args.enrolments:,} enrolments, ~{args.completions:,} completions ...",
        flush=True,
    )
    pairs = set()
    while len(pairs) < args.enrolments:
        pairs.add((rng.randint(1, args.learners), rng.randint(1, args.courses)))
    enrolments, progress, certificates = [], [], []
    total_progress = 0
    for eid, (user, course) in enumerate(sorted(pairs), start=1):
        enrolled = START + timedelta(minutes=rng.randint(0, 60 * 24 * 660))
        done = min(LESSONS_PER_COURSE, max(0, round(rng.gauss(mean, 2.5))))
        completed_at = None
        when = enrolled
        for n in range(1, done + 1):
            when += timedelta(hours=rng.randint(1, 72))
            progress.append((user, (course - 1) * LESSONS_PER_COURSE + n, when, when))
        total_progress += done
        if done == LESSONS_PER_COURSE:
            completed_at = when
            certificates.append(
                (
                    new_code(),
                    user,
                    course,
                    f"Learner {user}",
                    f"Course {course}",
                    "[]",
                    when,
                    when,
                    "TechNorth Skills",
                )
            )
        enrolments.append((eid, user, course, enrolled, None, completed_at))
        if len(progress) >= 500_000:
            bulk(LessonProgress, ["user_id", "lesson_id", "started_at", "completed_at"], progress)
            progress = []
    bulk(LessonProgress, ["user_id", "lesson_id", "started_at", "completed_at"], progress)
    bulk(
        Enrolment,
        ["id", "user_id", "course_id", "enrolled_at", "left_at", "completed_at"],
        enrolments,
    )
    bulk(
        Certificate,
        [
            "code",
            "user_id",
            "course_id",
            "learner_name",
            "course_title",
            "skills",
            "completed_at",
            "issued_at",
            "issuer_name",
        ],
        certificates,
    )
    if postgres:
        with engine.begin() as conn:
            for table in ("course", "lesson", "user_account", "enrolment"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(
        f"generated {len(enrolments):,} enrolments, {total_progress:,} lesson completions, "
        f"{len(certificates):,} course completions",
        flush=True,
    )


def raw_by_region(db):
    """The dashboard's region figures computed from the raw records, with no rollups."""
    from sqlalchemy import func, select, union

    from lms.models import Certificate, Enrolment, Lesson, LessonProgress, QuizAttempt, User

    region = func.coalesce(User.region, "unknown")
    result = {}
    for name, stmt in {
        "enrolments": select(region, func.count()).select_from(Enrolment).join(User),
        "lessons_completed": select(region, func.count())
        .select_from(LessonProgress)
        .join(User)
        .where(LessonProgress.completed_at.is_not(None)),
        "courses_completed": select(region, func.count())
        .select_from(Enrolment)
        .join(User)
        .where(Enrolment.completed_at.is_not(None)),
        "certificates_issued": select(region, func.count()).select_from(Certificate).join(User),
    }.items():
        for reg, count in db.session.execute(stmt.group_by(region)):
            result.setdefault(reg, {})[name] = count
    from lms.reporting.rollups import _month_sql

    activity = union(
        select(Enrolment.user_id, Enrolment.course_id, _month_sql(Enrolment.enrolled_at)),
        select(
            LessonProgress.user_id, Lesson.course_id, _month_sql(LessonProgress.started_at)
        ).join(Lesson, Lesson.id == LessonProgress.lesson_id),
        select(LessonProgress.user_id, Lesson.course_id, _month_sql(LessonProgress.completed_at))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.completed_at.is_not(None)),
        select(QuizAttempt.user_id, Lesson.course_id, _month_sql(QuizAttempt.submitted_at)).join(
            Lesson, Lesson.id == QuizAttempt.lesson_id
        ),
    ).subquery()
    users = select(User.id, region.label("region")).subquery()
    for reg, count in db.session.execute(
        select(users.c.region, func.count())
        .select_from(activity)
        .join(users, users.c.id == activity.c.user_id)
        .group_by(users.c.region)
    ):
        result.setdefault(reg, {})["active_learners"] = count
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--learners", type=int, default=400_000)
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--enrolments", type=int, default=1_500_000)
    parser.add_argument("--completions", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ["LMS_ENV"] = "development"
    os.environ["LMS_RATELIMIT_DEFAULT"] = "1000000 per minute"

    from lms import create_app
    from lms.auth.users import create_user
    from lms.extensions import db
    from lms.reporting.figures import Filters, by_region
    from lms.reporting.rollups import rebuild

    app = create_app({"SECRET_KEY": "bench-only", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        generate(args, db, db.engine)
        print(f"generation took {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        totals = rebuild()
        rebuild_s = time.perf_counter() - started
        print(f"flask stats rebuild: {rebuild_s:.1f} s ({totals})", flush=True)
        create_user(
            email="analyst@example.com",
            name="Analyst",
            password="bench analyst pass",
            role="analyst",
            verified=True,
        )
        rollup_s, rolled = timed(lambda: by_region(Filters()), args.repeat)
        raw_s, raw = timed(lambda: raw_by_region(db), max(1, args.repeat // 2))
        for region, figures in raw.items():  # the two agree
            for name, value in figures.items():
                assert getattr(rolled[region], name) == value, (region, name)
    client = app.test_client()
    client.post(
        "/account/sign-in", data={"email": "analyst@example.com", "password": "bench analyst pass"}
    )
    page_s, response = timed(lambda: client.get("/stats"), args.repeat)
    assert response.status_code == 200
    print(f"database: {db.engine.dialect.name if False else args.database.split(':')[0]}")
    print(f"dashboard figures from rollups (by_region): {rollup_s * 1000:.1f} ms")
    print(f"whole /stats page, signed in:               {page_s * 1000:.1f} ms")
    print(f"same figures from raw records:              {raw_s * 1000:.1f} ms")
    print(f"raw / rollup: {raw_s / rollup_s:.0f}x; rebuild: {rebuild_s:.1f} s")


if __name__ == "__main__":
    main()
