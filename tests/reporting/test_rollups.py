"""The live rollups equal a rebuild from raw records, whatever learners do and whenever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from lms.auth.users import delete_account
from lms.content.quiz import grade_quiz
from lms.extensions import db
from lms.learning import progress
from lms.models import (
    AccountToken,
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    QuizAttempt,
    StatActiveLearner,
    StatCompletionDays,
    StatRollup,
    User,
    UserSession,
)
from lms.reporting.rollups import rebuild
from tests.factories import make_user, reading_lessons, write_course

START = datetime(2026, 1, 30, 12, tzinfo=UTC)
USERS = ("leeds", "sheffield", None)  # None: an account without a region


def snapshot() -> tuple:
    rollup = sorted(
        (
            r.region,
            r.course_id,
            r.month,
            r.enrolments,
            r.active_learners,
            r.lessons_completed,
            r.courses_completed,
            r.certificates_issued,
        )
        for r in db.session.scalars(select(StatRollup))
    )
    days = sorted(
        (d.region, d.course_id, d.month, d.days, d.learners)
        for d in db.session.scalars(select(StatCompletionDays))
    )
    active = sorted(
        (a.user_id, a.course_id, a.month) for a in db.session.scalars(select(StatActiveLearner))
    )
    return rollup, days, active


def reset_learning() -> None:
    for model in (
        StatRollup,
        StatActiveLearner,
        StatCompletionDays,
        Certificate,
        QuizAttempt,
        LessonProgress,
        Enrolment,
        UserSession,
        AccountToken,
        User,
    ):
        db.session.execute(delete(model))
    db.session.commit()


# Weighted towards progress actions, with gaps that often cross a month boundary: that is where
# counting goes wrong if the live rollups and the rebuild disagree.
KINDS = ["enrol"] * 3 + ["open"] * 3 + ["complete"] * 3 + ["quiz_pass", "quiz_fail"] * 2
KINDS += ["leave", "delete"]
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, len(USERS) - 1),  # which learner
        st.integers(0, 1),  # which course
        st.integers(0, 2),  # which lesson
        st.sampled_from([0, 0, 1, 12, 20, 31, 45]),  # days after the previous action
    ),
    min_size=1,
    max_size=30,
)


def apply(action, user_ids, courses) -> None:
    kind, u, c, n, _ = action
    user = db.session.get(User, user_ids[u])
    if user is None or user.deleted_at is not None:
        return
    course = db.session.get(Course, courses[c])
    lesson = course.active_lessons[n]
    try:
        if kind == "enrol":
            progress.enrol(user, course)
        elif kind == "leave":
            progress.leave(user, course)
        elif kind == "open":
            if progress.active_enrolment(user, course.id):
                progress.record_start(user, lesson)
        elif kind == "complete":
            progress.complete_lesson(user, lesson)
        elif kind in ("quiz_pass", "quiz_fail") and lesson.quiz:
            right = kind == "quiz_pass"
            answers = {
                q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"] == right}
                for q in lesson.quiz
            }
            progress.record_attempt(user, lesson, grade_quiz(lesson.quiz, answers, 70))
        elif kind == "delete":
            delete_account(user)
    except progress.ProgressError:
        db.session.rollback()


def test_rollups_equal_a_rebuild_after_any_sequence_of_actions(app, content_dir, runner):
    write_course(content_dir, "quiz-course")  # lesson 1 has a quiz
    write_course(content_dir, "reading-course", lessons=reading_lessons(3))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        courses = list(db.session.scalars(select(Course.id).order_by(Course.slug)))

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ACTIONS)
    def check(actions):
        with app.app_context():
            reset_learning()
            user_ids = [
                make_user(f"l{i}@example.com", region=region).id for i, region in enumerate(USERS)
            ]
            moment = START
            for action in actions:
                moment += timedelta(days=action[4], minutes=7)
                with time_machine.travel(moment, tick=False):
                    apply(action, user_ids, courses)
            live = snapshot()
            rebuild()
            assert snapshot() == live

    check()


def test_deleting_an_account_keeps_the_figures(app, client, signed_in, synced):
    client.post("/courses/demo-course/enrol")
    client.post("/courses/demo-course/lessons/second-steps/complete")
    with app.app_context():
        before = snapshot()
        assert before[0][0][3:6] == (1, 1, 1)  # enrolment, active learner, lesson completed
    client.post(
        "/account/delete", data={"current_password": "correct horse battery", "understood": "y"}
    )
    with app.app_context():
        assert snapshot() == before
        rebuild()
        assert snapshot() == before


def test_stats_rebuild_command(app, runner, client, signed_in, synced):
    client.post("/courses/demo-course/enrol")
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0
    assert "Rebuilt the statistics in" in result.output and "1 rollup rows" in result.output


def test_completion_counts_whole_days_from_first_enrolment(app, content_dir, runner):
    write_course(content_dir, "reading-course", lessons=reading_lessons(1))
    runner.invoke(args=["content", "sync"])
    with app.app_context():
        user = make_user()
        course = db.session.scalar(select(Course))
        with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
            progress.enrol(user, course)
        with time_machine.travel(datetime(2026, 3, 4, 8, tzinfo=UTC), tick=False):
            progress.complete_lesson(user, db.session.scalar(select(Lesson)))
        [row] = db.session.scalars(select(StatCompletionDays))
        assert (row.region, row.month, row.days, row.learners) == ("leeds", "2026-03", 2, 1)
        [rollup] = db.session.scalars(select(StatRollup))
        assert (rollup.enrolments, rollup.courses_completed, rollup.certificates_issued) == (
            1,
            1,
            1,
        )


def test_a_course_completed_in_the_last_instant_of_a_month_counts_in_that_month(
    app, content_dir, runner
):
    """The clock runs on while the completion is saved: certificate, completion and figures all
    take the action's one timestamp, so a rebuild puts them in the same month as the live count."""
    write_course(content_dir, "reading-course", lessons=reading_lessons(1))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    last_instant = datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)
    with app.app_context():
        user = make_user()
        course, lesson = db.session.scalar(select(Course)), db.session.scalar(select(Lesson))
        progress.enrol(user, course)
        with time_machine.travel(last_instant, tick=True):
            assert progress.complete_lesson(user, lesson).course_newly_completed
        live = snapshot()
        [row] = [r for r in live[0] if r[2] == "2026-01"]
        assert row[6:] == (1, 1)  # courses completed, certificates issued: both in January
    assert runner.invoke(args=["stats", "rebuild"]).exit_code == 0
    with app.app_context():
        assert snapshot() == live
        certificate = db.session.scalar(select(Certificate))
        enrolment = db.session.scalar(select(Enrolment))
        assert certificate.issued_at == certificate.completed_at == enrolment.completed_at


def test_a_certificate_issued_a_moment_after_its_month_keeps_its_month_in_a_rebuild(
    app, content_dir, runner
):
    """Certificates issued before one timestamp per action could carry an issued_at a moment
    after the completion, in the next month; the live count put them in the completion's month,
    and so must a rebuild (else certificates and completions no longer match per month, and the
    platform refuses to queue that month's report)."""
    write_course(content_dir, "reading-course", lessons=reading_lessons(1))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with app.app_context():
        user = make_user()
        course, lesson = db.session.scalar(select(Course)), db.session.scalar(select(Lesson))
        progress.enrol(user, course)
        with time_machine.travel(datetime(2026, 1, 31, 23, 59, 59, 999000, tzinfo=UTC)):
            progress.complete_lesson(user, lesson)
        certificate = db.session.scalar(select(Certificate))
        certificate.issued_at = datetime(2026, 2, 1, 0, 0, 0, 2000, tzinfo=UTC)  # the old clock
        db.session.commit()
        live = snapshot()
        rebuild()
        assert snapshot() == live
