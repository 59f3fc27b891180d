"""Months as "YYYY-MM": the one pattern the statistics form and the CLI check them against."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.reporting.months import MONTH_RE, month_of, previous_month


@pytest.mark.parametrize("text", ["2026-11", "1999-01", "2026-12"])
def test_months_that_pass(text):
    assert MONTH_RE.match(text)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-11", "2026-11\n", " 2026-11"])
def test_months_that_do_not(text):
    assert not MONTH_RE.match(text)


def test_the_last_whole_month_crosses_the_year():
    assert previous_month(datetime(2027, 1, 31, 23, 59, tzinfo=UTC)) == "2026-12"
    assert month_of(datetime(2027, 1, 1, tzinfo=UTC)) == "2027-01"


def test_the_cli_refuses_a_month_with_a_line_break(runner):
    result = runner.invoke(args=["stats", "report", "--period", "2026-11\n"])
    assert result.exit_code == 2 and "use YYYY-MM" in result.output
