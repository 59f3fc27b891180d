"""Regional statistics: the analysts' dashboard with exports, and the public open-data page."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from sqlalchemy import select

from lms.auth.roles import role_required
from lms.extensions import db
from lms.models import Course, CourseSkill
from lms.regions import cluster_regions
from lms.reporting import charts
from lms.reporting.figures import by_course, by_region, monthly, open_rows, region_labels
from lms.reporting.forms import StatsFilterForm
from lms.spreadsheets import spreadsheet_cell

bp = Blueprint("reporting", __name__)

COLUMNS = (
    ("enrolments", "Enrolments"),
    ("active_learners", "Active learners"),
    ("lessons_completed", "Lessons completed"),
    ("courses_completed", "Courses completed"),
    ("certificates_issued", "Certificates issued"),
)


def _form() -> StatsFilterForm:
    courses = list(db.session.execute(select(Course.id, Course.title).order_by(Course.title)))
    skills = list(
        db.session.scalars(select(CourseSkill.name).distinct().order_by(CourseSkill.name))
    )
    form = StatsFilterForm(courses=courses, skills=skills, formdata=request.args)
    if request.args:
        form.validate()
    return form


def table_rows(figures: dict, key: str = "region") -> list[dict]:
    """The dashboard's rows, exactly as shown and exported (unrounded: analysts only)."""
    if key == "region":
        labels = region_labels()
    else:
        labels = dict(db.session.execute(select(Course.id, Course.title)).all())
    rows = []
    for code, f in figures.items():
        rows.append(
            {
                key: code,
                f"{key}_name": labels.get(code, code),
                **{name: getattr(f, name) for name, _ in COLUMNS},
                "completion_rate": None
                if f.completion_rate is None
                else round(100 * f.completion_rate, 1),
                "median_days_to_complete": f.median_days,
            }
        )
    return rows


@bp.get("/stats")
@role_required("analyst")
def dashboard():
    """Cities side by side, monthly trend, filters; charts with their data beside them."""
    form = _form()
    filters = form.filters()
    # The filters for the export links, re-encoded: never the raw query string (bytes that are
    # not UTF-8 made a 500) nor request.args as url_for keywords (?table=x made a 500).
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "table"]
    rows = table_rows(by_region(filters))
    course_rows = sorted(
        table_rows(by_course(filters), "course"), key=lambda r: str(r["course_name"])
    )
    trend = monthly(filters)
    months = list(trend)
    cities = cluster_regions()
    series = {r.city: [trend[m].get(r.code, 0) for m in months] for r in cities}
    bar = charts.bar_chart(
        "Courses completed by city region",
        "Horizontal bars: courses completed in the selected period, one bar per city region.",
        [(row["region_name"], row["courses_completed"]) for row in rows],
    )
    line = charts.line_chart(
        "Courses completed per month",
        "Lines: courses completed each month in the five city regions of the cluster.",
        months,
        series,
    )
    return render_template(
        "reporting/dashboard.html",
        form=form,
        rows=rows,
        course_rows=course_rows,
        columns=COLUMNS,
        bar=bar,
        line=line,
        months=months,
        series=series,
        query=urlencode(args),
        course_query=urlencode([*args, ("table", "courses")]),
    ), (422 if form.errors else 200)


@bp.get("/stats/export.<fmt>")
@role_required("analyst")
def export(fmt: str):
    """One of the dashboard's tables (``?table=regions|courses``) as CSV or JSON, same filters."""
    form = _form()
    if request.args.get("table") == "courses":
        table, rows = "courses", table_rows(by_course(form.filters()), "course")
    else:
        table, rows = "regions", table_rows(by_region(form.filters()))
    if fmt == "json":
        return jsonify({"filters": form.filters().__dict__, table: rows})
    if fmt != "csv":
        return jsonify(error="Not found", reason="Use export.csv or export.json.", status=404), 404
    out = io.StringIO()
    if not rows:
        return Response("", mimetype="text/csv")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    # Course titles are written by trainers: never let a spreadsheet run one as a formula.
    writer.writerows({key: spreadsheet_cell(value) for key, value in row.items()} for row in rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="regional-statistics.csv"'
    return response


@bp.get("/open-data")
def open_data():
    """Public regional figures with disclosure control, and the method explained."""
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    form = _form()
    rows = open_rows(by_region(form.filters()), threshold)
    return render_template(
        "reporting/open_data.html", form=form, rows=rows, columns=COLUMNS, threshold=threshold
    ), (422 if form.errors else 200)
