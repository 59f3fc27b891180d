"""Public pages: home, catalogue, course, lesson, course assets, and checking a quiz."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.certificates.credentials import achievement_document, course_urls
from lms.certificates.issuing import certificate_codes, certified_course
from lms.content.quiz import QUESTION_KINDS, grade_quiz
from lms.db import paginate
from lms.extensions import db
from lms.forms import ConfirmForm, page_number
from lms.learning import catalogue, dashboard
from lms.learning import progress as progress_service
from lms.learning.forms import CatalogueForm
from lms.learning.lesson_cache import get_lesson_or_404
from lms.models import Asset, Course
from lms.security import ASSET_CSP

bp = Blueprint("learning", __name__)
# What a course's address answers with: the page for browsers (listed first, so "*/*" gets it),
# the Open Badges Achievement for clients that ask for JSON.
ACHIEVEMENT_TYPES = ["text/html", "application/json", "application/ld+json"]


@bp.get("/")
def home():
    """What TechNorth Skills is, the five cities, and featured courses."""
    courses, lessons = catalogue.catalogue_counts()
    return render_template(
        "learning/home.html",
        featured=catalogue.featured_courses(),
        course_count=courses,
        lesson_count=lessons,
    )


@bp.get("/courses")
def course_list():
    """The catalogue with search and filters (level, skill, duration)."""
    form = CatalogueForm(skills=catalogue.skill_names(), formdata=request.args)
    filtered = any(request.args.get(name) for name in ("q", "level", "skill", "duration"))
    if filtered:
        form.validate()
    page = paginate(
        catalogue.search_courses(form.to_query()),
        page=page_number(request.args),
        per_page=current_app.config["CATALOGUE_PAGE_SIZE"],
    )
    # The search's own fields only, for the page links: the rest of the query string must not
    # reach url_for as keywords (?endpoint=x was a 500, ?_external=1 an absolute link).
    args = {name: request.args.get(name, "") for name in ("q", "level", "skill", "duration")}
    return render_template(
        "learning/catalogue.html",
        form=form,
        page=page,
        filtered=filtered,
        page_args={name: value for name, value in args.items() if value},
    )


@bp.get("/courses/<slug>")
def course(slug: str):
    """A course's overview: outline by module, skills, hours, authors; the learner's progress.

    Asked for JSON (``Accept: application/json``), the course's Open Badges Achievement instead:
    the ``achievement.id`` in its certificates' credentials is this address.
    """
    wanted = request.accept_mimetypes.best_match(ACHIEVEMENT_TYPES, default="text/html")
    if wanted != "text/html":
        certified = certified_course(slug)
        if certified is None:
            abort(404)
        response = jsonify(achievement_document(certified, course_urls(slug)))
        response.mimetype = wanted
        response.vary.add("Accept")
        return response
    course = catalogue.get_course_or_404(slug)
    progress, enrolment, certificate_code = {}, None, None
    if current_user.is_authenticated:
        enrolment = progress_service.active_enrolment(current_user, course.id)
        progress = dashboard.lesson_progress(current_user, course)
        if enrolment is not None and enrolment.completed_at is not None:
            certificate_code = certificate_codes(current_user).get(course.id)
    lessons = course.active_lessons
    done = sum(1 for lesson in lessons if getattr(progress.get(lesson.id), "completed_at", None))
    upcoming = next(
        (
            lesson
            for lesson in lessons
            if not getattr(progress.get(lesson.id), "completed_at", None)
        ),
        None,
    )
    response = make_response(
        render_template(
            "learning/course.html",
            course=course,
            outline=catalogue.outline(course),
            enrolment=enrolment,
            progress=progress,
            done=done,
            upcoming=upcoming,
            certificate_code=certificate_code,
            form=ConfirmForm(),
        )
    )
    response.vary.add("Accept")  # the same address also answers JSON
    return response


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str):
    """Enrol the signed-in learner; enrolling twice is harmless."""
    course = catalogue.get_course_or_404(slug)
    try:
        progress_service.enrol(current_user, course)
    except progress_service.ProgressError as exc:
        flash(str(exc), "error")
        return redirect(url_for("learning.course", slug=slug))
    flash(f"You are enrolled in {course.title}.", "success")
    return redirect(url_for("learning.course", slug=slug))


@bp.post("/courses/<slug>/leave")
@login_required
def leave(slug: str):
    """Leave a course; progress is kept in case the learner comes back."""
    course = catalogue.get_course_or_404(slug)
    progress_service.leave(current_user, course)
    flash(f"You have left {course.title}. Your progress is kept if you enrol again.", "success")
    return redirect(url_for("learning.dashboard"))


def _lesson_page(view, status: int = 200, state=None, **context):
    if state is None and current_user.is_authenticated:
        state = dashboard.lesson_state(current_user, view.lesson)
    return (
        render_template(
            "learning/lesson.html", view=view, kinds=QUESTION_KINDS, state=state, **context
        ),
        status,
    )


@bp.get("/courses/<slug>/lessons/<key>")
def lesson(slug: str, key: str):
    """A lesson with its table of contents, quiz and previous/next navigation."""
    view = get_lesson_or_404(slug, key)
    state = None
    if current_user.is_authenticated:
        state = dashboard.lesson_state(current_user, view.lesson)
        if state.enrolled and state.started_at is None:
            # Opening a lesson marks it started; only the first visit writes anything.
            started = progress_service.record_start(current_user, view.lesson)
            state = replace(state, started_at=started)
    return _lesson_page(view, state=state)


@bp.post("/courses/<slug>/lessons/<key>/complete")
@login_required
def complete(slug: str, key: str):
    """Mark a reading lesson complete, then go on to the next one."""
    view = get_lesson_or_404(slug, key)
    try:
        completion = progress_service.complete_lesson(current_user, view.lesson)
    except progress_service.ProgressError as exc:
        flash(str(exc), "error")
        return redirect(url_for("learning.lesson", slug=slug, key=key))
    return _after_completion(view, completion)


def _after_completion(view, completion):
    if completion.course_newly_completed:
        # The course page says "Course complete" and links the new certificate.
        flash(f"Congratulations: you have completed {view.course.title}!", "success")
        return redirect(url_for("learning.course", slug=view.course.slug))
    if view.next is not None:
        flash(f"“{view.lesson.title}” is complete.", "success")
        return redirect(url_for("learning.lesson", slug=view.course.slug, key=view.next.key))
    return redirect(url_for("learning.course", slug=view.course.slug))


@bp.post("/courses/<slug>/lessons/<key>/quiz")
def check_quiz(slug: str, key: str):
    """Grade a quiz on the server; for an enrolled learner, store the attempt (a pass completes)."""
    view = get_lesson_or_404(slug, key)
    questions = view.lesson.quiz
    if not questions:
        abort(404)
    answers, errors = parse_answers(questions, request.form)
    if errors:
        return _lesson_page(view, 422, answers=answers, quiz_errors=errors)
    result = grade_quiz(questions, answers, view.course.pass_mark)
    saved = completion = None
    if current_user.is_authenticated:
        try:
            completion = progress_service.record_attempt(current_user, view.lesson, result)
            saved = True
        except progress_service.ProgressError:
            saved = False
    # The result box says when this pass finished the course (the learner's eyes are there, at
    # #quiz), with the certificate's link; a flash at the top of the page would go unseen.
    finished = bool(completion and completion.course_newly_completed)
    return _lesson_page(view, answers=answers, result=result, saved=saved, finished=finished)


@bp.get("/dashboard", endpoint="dashboard")
@login_required
def dashboard_page():
    """The learner's courses with progress bars and a Continue button, and completed courses."""
    courses = dashboard.course_progress(current_user)
    return render_template(
        "learning/dashboard.html",
        certificate_codes=certificate_codes(current_user),
        in_progress=[c for c in courses if c.enrolment.completed_at is None],
        completed=[c for c in courses if c.enrolment.completed_at is not None],
    )


@bp.get("/dashboard/history")
@login_required
def history():
    """When the learner completed each lesson."""
    return render_template("learning/history.html", rows=dashboard.history(current_user))


def parse_answers(questions: list[dict], form) -> tuple[dict[int, set[int]], dict[int, str]]:
    """Read ``q<number>`` fields into option indexes; name every unanswered or invalid question."""
    answers: dict[int, set[int]] = {}
    errors: dict[int, str] = {}
    for question in questions:
        number = question["number"]
        raw = form.getlist(f"q{number}")
        try:
            chosen = {int(value) for value in raw}
        except ValueError:
            chosen = {-1}
        if not chosen:
            errors[number] = f"Answer question {number}."
        elif not all(0 <= i < len(question["options"]) for i in chosen):
            errors[number] = f"Question {number} has an answer that is not one of its options."
            chosen = set()
        elif QUESTION_KINDS[question["kind"]].input_type == "radio" and len(chosen) > 1:
            errors[number] = f"Choose only one answer to question {number}."
        answers[number] = chosen
    return answers, errors


@bp.get("/courses/<slug>/assets/<path:path>")
def asset(slug: str, path: str):
    """An image or file a lesson links to, stored at sync time."""
    found = db.session.execute(
        select(Asset)
        .join(Course)
        .where(Course.slug == slug, Asset.path == path)
        .where(Course.status == "published", Course.retired_at.is_(None))
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    response = make_response(found.data)
    response.headers["Content-Type"] = found.media_type
    response.set_etag(found.sha256)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.headers["Content-Security-Policy"] = ASSET_CSP
    return response.make_conditional(request)
