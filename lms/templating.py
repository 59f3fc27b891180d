"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from lms.regions import all_regions, cluster_regions
from lms.urls import public_url
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


def format_date(moment: datetime | None) -> str:
    """'26 November 2026', as GOV.UK writes dates."""
    return f"{moment.day} {moment:%B %Y}" if moment else ""


def region_name(code: str | None) -> str:
    names = {region.code: region.name for region in all_regions()}
    return names.get(code, "Not given") if code else "Not given"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["hours"] = format_hours
    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.globals["region_name"] = region_name
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["cities"] = cluster_regions()
