"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from flask import Flask

from lms.regions import cluster_regions
from lms.wording import plural


def format_hours(hours: float) -> str:
    """'1 hour', '6 hours', '1.5 hours': durations as people say them."""
    value = f"{hours:g}"
    return f"{value} hour" if hours == 1 else f"{value} hours"


def format_minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["hours"] = format_hours
    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["cities"] = cluster_regions()
