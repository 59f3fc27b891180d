"""Studio pages for cohort insight: a course's figures on screen and each table as CSV.

Both views check that the signed-in trainer authors the course (``workspace_or_404``). The page
and the CSV downloads come from the same ``Table`` rows, so a download holds exactly what the
page shows.
"""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template

from lms.auth.roles import role_required
from lms.authoring import insight
from lms.authoring.access import workspace_or_404
from lms.authoring.views import bp
from lms.reporting import charts
from lms.spreadsheets import spreadsheet_cell

# Long lesson titles are cut in chart labels only; the tables beside the charts show them whole.
CHART_LABEL_CHARS = 26


def _short(text: str) -> str:
    return text if len(text) <= CHART_LABEL_CHARS else text[: CHART_LABEL_CHARS - 1] + "…"


def _charts(data: insight.Insight) -> dict[str, str]:
    """Inline SVG for each table, drawn from the same rows as the table beside it."""
    months = [row["month"] for row in data.enrolments.rows]
    funnel_bars: list[tuple[str, float]] = []
    for row in data.funnel.rows:
        label = _short(f"{row['position']}. {row['lesson']}")
        funnel_bars += [
            (f"{label}: opened", row["reached"]),
            (f"{label}: completed", row["completed"]),
        ]
    question_bars = [
        (_short(f"{row['lesson']} Q{row['number']}"), float(row["right_pct"]))
        for row in data.questions.rows
        if row["answered"]
    ]
    return {
        "enrolments": charts.line_chart(
            "Enrolments per month",
            "A line: how many learners enrolled in each month, from the first enrolment to now.",
            months,
            {"Enrolments": [row["enrolments"] for row in data.enrolments.rows]},
        ),
        "funnel": charts.bar_chart(
            "Learners who opened and completed each lesson",
            "Horizontal bars, two per lesson in course order: learners who opened it, then "
            "learners who completed it.",
            funnel_bars,
        ),
        "questions": charts.bar_chart(
            "Questions answered right first time",
            "Horizontal bars, one per answered quiz question: the percentage of learners who "
            "answered it right on their first attempt.",
            question_bars,
            unit="%",
        ),
    }


@bp.get("/courses/<slug>/insight")
@role_required("trainer")
def insight_page(slug: str):
    """How the course's cohort is doing: enrolments, the lesson funnel, completion, questions."""
    ws = workspace_or_404(slug)
    course = ws.course
    data = insight.course_insight(course.id) if course is not None else None
    return render_template(
        "authoring/insight.html",
        ws=ws,
        course=course,
        data=data,
        charts=_charts(data) if data is not None and data.summary.enrolments else {},
    )


@bp.get("/courses/<slug>/insight/<table>.csv")
@role_required("trainer")
def insight_csv(slug: str, table: str):
    """One of the insight page's tables (enrolments, funnel, questions) as CSV, row for row."""
    ws = workspace_or_404(slug)
    if table not in insight.TABLE_NAMES:
        abort(404, description=f"No table {table!r}: use {', '.join(insight.TABLE_NAMES)}.")
    if ws.course is None:
        abort(404, description="This course has never been published, so it has no learners.")
    found = insight.build_table(ws.course.id, table)
    out = io.StringIO()
    writer = csv.writer(out)
    # A lesson title or question may start with "=" or "+": never let a spreadsheet run it.
    for cells in [found.headings, *found.cells()]:
        writer.writerow(spreadsheet_cell(value) for value in cells)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{ws.slug}-{table}.csv"'
    return response
