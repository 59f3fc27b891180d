"""What a cluster report must be, beyond its JSON: bounded, unique per region, and consistent.

Both ends use these checks: the platform before it queues a report (a failure is its own bug) and
the hub before it stores one (a failure is the provider's). JSON Schema says what each field looks
like (``schema/cluster-report-v1.json``); the rules here relate fields to each other, and each of
them holds for every report ``build_report`` can make (``tests/reporting/test_hub_input.py`` checks
that with generated figures):

- one row per region: the figures are grouped by region, so a region twice is a forgery or a bug;
- a suppressed count is exactly ``"<threshold"`` for the report's own threshold, and a shown count
  is 0 or at least the threshold rounded to 5 (smaller ones are suppressed);
- ``certificates_issued == courses_completed``: a certificate is issued in the same transaction,
  at the same instant and for the same learner as the completion (lms/learning/progress.py), is
  counted at that instant live and in a rebuild (lms/reporting/rollups.py), and nothing deletes
  either;
- ``lessons_completed >= courses_completed``: a course completes when its last lesson does, in the
  same transaction and month;
- ``completion_rate`` is given exactly when more than ``threshold`` people enrolled, and lies
  between what the rounded counts allow (it is computed from the true counts).

Not a rule, because it does not hold: ``courses_completed <= enrolments`` (or a rate of at most
100%). A month's completions come from earlier months' enrolments too, so a month in which few
people enrolled can complete more courses than it enrolled. Nor ``active_learners >= ...``: an
activity is counted in the learner's region of the moment, which could change between actions.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import jsonschema
from jsonschema import validators

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "cluster-report-v1.json"
# A report nests three deep (report, regions list, region); anything much deeper is an attack on
# the parser, refused before parsing so that no recursion limit is ever reached.
MAX_DEPTH = 8
ROUNDING = 5
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


@cache
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _ecma_pattern(validator, pattern: str, instance, schema):
    """JSON Schema patterns are ECMA-262 regular expressions, where ``$`` ends the string.

    Python's ``$`` also matches before a final newline, which would let "leeds\\n" or
    "2026-11\\n" through; the patterns of the report schema end in ``$`` and mean ``\\Z``.
    """
    if not validator.is_type(instance, "string"):
        return
    python = pattern
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        python = pattern[:-1] + r"\Z"
    if not re.search(python, instance):
        yield jsonschema.ValidationError(f"{_shown(instance)} does not match {pattern!r}")


_Validator = validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})


def _shown(value: object, limit: int = 60) -> str:
    """A value as a reason quotes it: short, so that a huge value never makes a huge answer."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def schema_errors(report: object) -> list[str]:
    """Where the report breaks its JSON Schema, one short line per problem (at most 20)."""
    errors = sorted(_Validator(schema()).iter_errors(report), key=lambda e: list(e.absolute_path))
    lines = []
    for error in errors[:20]:
        where = "/".join(str(p) for p in error.absolute_path) or "(report)"
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        lines.append(f"{where}: {message}")
    return lines


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects more than ``limit`` deep (strings skipped)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        depth += 1 if match[0] in b"[{" else -1
        if depth > limit:
            return True
    return False


def _bounds(value: int | str, threshold: int) -> tuple[int, int]:
    """The true counts a published value can stand for (see lms/reporting/disclosure.py)."""
    if isinstance(value, str):  # "<threshold"
        return 1, threshold - 1
    if value == 0:  # a true 0, or a true count of 2 rounded down when the threshold is 2
        return 0, 2 if threshold <= 2 else 0
    return max(value - ROUNDING // 2, threshold), value + ROUNDING // 2


def _row_problems(row: dict, where: str, threshold: int) -> list[str]:
    counters = ("enrolments", "active_learners", "lessons_completed")
    counters += ("courses_completed", "certificates_issued")
    problems = []
    for name in counters:
        value = row[name]
        if isinstance(value, float):
            problems.append(f"{where}/{name}: a count is a whole number, not {value!r}")
        elif isinstance(value, str) and value != f"<{threshold}":
            problems.append(
                f"{where}/{name}: a suppressed count is written <{threshold} "
                f"(the report's threshold), not {_shown(value)}"
            )
        elif isinstance(value, int) and value > 0 and value + ROUNDING // 2 < threshold:
            problems.append(
                f"{where}/{name}: {value} is below the threshold; it must be shown as <{threshold}"
            )
    if problems:
        return problems
    bounds = {name: _bounds(row[name], threshold) for name in counters}
    if row["certificates_issued"] != row["courses_completed"]:
        problems.append(
            f"{where}: certificates_issued ({row['certificates_issued']}) must equal "
            f"courses_completed ({row['courses_completed']}): each completion issues one"
        )
    if bounds["lessons_completed"][1] < bounds["courses_completed"][0]:
        problems.append(
            f"{where}: lessons_completed ({row['lessons_completed']}) cannot be fewer than "
            f"courses_completed ({row['courses_completed']}): a course completes with its last "
            "lesson"
        )
    problems.extend(_rate_problems(row, where, threshold, bounds))
    return problems


def _rate_problems(row: dict, where: str, threshold: int, bounds: dict) -> list[str]:
    rate = row["completion_rate"]
    low_e, high_e = bounds["enrolments"]
    if rate is None:
        if low_e > threshold:
            return [
                f"{where}/completion_rate: missing, but {row['enrolments']} enrolments are above "
                f"the threshold of {threshold}"
            ]
        return []
    if high_e <= threshold:
        return [
            f"{where}/completion_rate: given, but the rate is published only where more than "
            f"{threshold} people enrolled (enrolments: {row['enrolments']})"
        ]
    low_c, high_c = bounds["courses_completed"]
    lowest = round(100 * low_c / high_e)
    highest = round(100 * high_c / max(low_e, threshold + 1))
    if not lowest <= rate <= highest:
        return [
            f"{where}/completion_rate: {rate} does not fit {row['courses_completed']} courses "
            f"completed of {row['enrolments']} enrolments (it can be {lowest} to {highest})"
        ]
    return []


def rule_problems(report: dict, now: datetime | None = None, leeway: int = 0) -> list[str]:
    """Where a report that matches its schema breaks the rules above (see the module docstring).

    ``now`` and ``leeway`` (seconds of clock difference allowed) refuse a month that has not
    begun yet: a report from the future would otherwise become the hub's latest month.
    """
    threshold = report["disclosure"]["threshold"]
    if isinstance(threshold, float):  # JSON Schema counts 5.0 as an integer; "<5.0" is nonsense
        return [f"disclosure/threshold: a whole number, not {threshold!r}"]
    problems = []
    now = now or datetime.now(UTC)
    if report["period"] > f"{now + timedelta(seconds=leeway):%Y-%m}":
        problems.append(f"period: {report['period']} has not begun yet")
    seen: set[str] = set()
    for index, row in enumerate(report["regions"]):
        where = f"regions/{index}"
        if row["region"] in seen:
            problems.append(f"{where}/region: {row['region']} appears more than once")
        seen.add(row["region"])
        problems.extend(_row_problems(row, where, threshold))
    return problems[:20]


def report_errors(report: object, now: datetime | None = None, leeway: int = 0) -> list[str]:
    """Everything wrong with a report: its schema first, then (if that passes) the rules."""
    return schema_errors(report) or rule_problems(report, now, leeway)
