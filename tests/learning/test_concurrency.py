"""Many learners clicking at once: nothing is duplicated, nothing is lost, nothing errors."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from lms.extensions import db
from lms.learning import progress
from lms.models import Certificate, Course, Enrolment, Lesson, LessonProgress, User
from tests.factories import make_user, reading_lessons, write_course

USERS = 4
LESSONS = 8
THREADS = USERS * LESSONS  # 32: every learner completes every lesson, all at the same moment


def run_at_once(app, jobs):
    """Run each job in its own thread with its own app context, released by one barrier."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def worker(job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(job())
            except Exception as exc:  # collected and asserted on below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def setup_learners(app, content_dir, runner):
    write_course(content_dir, "busy-course", lessons=reading_lessons(LESSONS))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        course = db.session.scalar(select(Course))
        user_ids = []
        for n in range(USERS):
            user = make_user(f"learner{n}@example.com")
            progress.enrol(user, course)
            user_ids.append(user.id)
        lesson_ids = list(db.session.scalars(select(Lesson.id).order_by(Lesson.position)))
    return user_ids, lesson_ids


def complete_job(user_id, lesson_id):
    def job():
        user = db.session.get(User, user_id)
        lesson = db.session.get(Lesson, lesson_id)
        return user_id, progress.complete_lesson(user, lesson)

    return job


def test_32_threads_completing_lessons_at_once(app, content_dir, runner):
    user_ids, lesson_ids = setup_learners(app, content_dir, runner)
    jobs = [complete_job(u, lesson) for u in user_ids for lesson in lesson_ids]
    assert len(jobs) == THREADS
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert len(results) == THREADS
    # every lesson completed once per learner, and each course completed exactly once
    assert all(c.lesson_newly_completed for _, c in results)
    finished = Counter(user for user, c in results if c.course_newly_completed)
    assert finished == dict.fromkeys(user_ids, 1)
    with app.app_context():
        rows = db.session.execute(
            select(
                LessonProgress.user_id, func.count(), func.count(LessonProgress.completed_at)
            ).group_by(LessonProgress.user_id)
        ).all()
        assert sorted(rows) == [(u, LESSONS, LESSONS) for u in sorted(user_ids)]
        completed = db.session.scalar(
            select(func.count()).where(Enrolment.completed_at.is_not(None))
        )
        assert completed == USERS
        # exactly one certificate per learner, however the last lessons raced
        rows = db.session.execute(
            select(Certificate.user_id, func.count()).group_by(Certificate.user_id)
        ).all()
        assert sorted(rows) == [(u, 1) for u in sorted(user_ids)]


def test_double_clicks_in_parallel_neither_duplicate_nor_lose(app, content_dir, runner):
    user_ids, lesson_ids = setup_learners(app, content_dir, runner)
    user = user_ids[0]
    # the same learner hits "Mark as complete" on the same two lessons 16 times each, at once
    jobs = [complete_job(user, lesson) for lesson in lesson_ids[:2] for _ in range(16)]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert sum(c.lesson_newly_completed for _, c in results) == 2
    assert not any(c.course_newly_completed for _, c in results)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(LessonProgress)
                .where(LessonProgress.user_id == user)
            )
            == 2
        )


def test_parallel_enrolments_make_one_row(app, content_dir, runner):
    write_course(content_dir, "popular-course")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        user_id = make_user().id
        course_id = db.session.scalar(select(Course.id))

    def job():
        progress.enrol(db.session.get(User, user_id), db.session.get(Course, course_id))

    _, errors = run_at_once(app, [job] * 16)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 1
