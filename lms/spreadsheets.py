"""CSV for people who open it in a spreadsheet: cells that can never run as formulas."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """Text for a spreadsheet cell that a spreadsheet will never run as a formula (CWE-1236)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text
