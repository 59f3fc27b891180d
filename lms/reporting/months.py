"""Months as the statistics count them: "YYYY-MM" strings, in UTC."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# \Z, not $: "$" would also accept "2026-11" followed by a line break.
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\Z")


def month_of(moment: datetime) -> str:
    """The month ``moment`` falls in, as "YYYY-MM"."""
    return f"{moment:%Y-%m}"


def previous_month(moment: datetime) -> str:
    """The month before the one ``moment`` falls in (the last whole month), as "YYYY-MM"."""
    return month_of(moment.replace(day=1) - timedelta(days=1))
