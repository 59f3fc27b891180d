"""Statistical disclosure control for anything published outside the cluster's analysts.

- A count from 1 to ``threshold - 1`` (default 4) is shown as "<threshold" ("<5").
- Every other count is rounded to the nearest 5 (0 stays 0).
- A rate is shown only where its denominator is above ``threshold``, and is computed from the
  true counts, then rounded to a whole percent.

Rounding means two published figures never tell apart a difference of one learner: counts n and
n + 1 always share their published pair with counts that differ by something else.
"""

from __future__ import annotations

BASE = 5


def rounded(count: int) -> int:
    return BASE * round(count / BASE) if count else 0


def count(value: int, threshold: int) -> str | int:
    if 0 < value < threshold:
        return f"<{threshold}"
    return rounded(value)


def rate(numerator: int, denominator: int, threshold: int) -> int | None:
    """A whole percentage, or None (suppressed) for small or empty denominators."""
    if denominator <= threshold:
        return None
    return round(100 * numerator / denominator)
