"""Public pages: home, catalogue, course, lesson, course assets, and checking a quiz."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template, request
from sqlalchemy import select

from lms.content.quiz import QUESTION_KINDS, grade_quiz
from lms.extensions import db
from lms.learning import catalogue
from lms.learning.forms import CatalogueForm
from lms.models import Asset, Course

bp = Blueprint("learning", __name__)
# An SVG opened on its own must not run script in the site's origin.
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


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
    page = db.paginate(
        catalogue.search_courses(form.to_query()),
        per_page=current_app.config["CATALOGUE_PAGE_SIZE"],
        error_out=False,
    )
    return render_template("learning/catalogue.html", form=form, page=page, filtered=filtered)


@bp.get("/courses/<slug>")
def course(slug: str):
    """A course's overview: outline by module, skills, hours, authors."""
    course = catalogue.get_course_or_404(slug)
    return render_template("learning/course.html", course=course, outline=catalogue.outline(course))


@bp.get("/courses/<slug>/lessons/<key>")
def lesson(slug: str, key: str):
    """A lesson with its table of contents, quiz and previous/next navigation."""
    view = catalogue.get_lesson_or_404(slug, key)
    return render_template("learning/lesson.html", view=view, kinds=QUESTION_KINDS)


@bp.post("/courses/<slug>/lessons/<key>/quiz")
def check_quiz(slug: str, key: str):
    """Grade a quiz on the server and show per-question feedback and explanations."""
    view = catalogue.get_lesson_or_404(slug, key)
    questions = view.lesson.quiz
    if not questions:
        abort(404)
    answers, errors = parse_answers(questions, request.form)
    if errors:
        response = render_template(
            "learning/lesson.html",
            view=view,
            kinds=QUESTION_KINDS,
            answers=answers,
            quiz_errors=errors,
        )
        return response, 422
    result = grade_quiz(questions, answers, view.course.pass_mark)
    return render_template(
        "learning/lesson.html", view=view, kinds=QUESTION_KINDS, answers=answers, result=result
    )


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
