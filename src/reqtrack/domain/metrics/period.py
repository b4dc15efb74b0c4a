"""The report's period and the small numbers its figures are made with (docs/metrics.md).

The period is half-open, [start, end). What happened after `as_of` has not happened yet, so an
event counts when `start <= at < end` and `at <= as_of` ("in the period"), and every request is
judged as it stood at the *cut*: after its last event before `end` and not after `as_of`
(`Period.has_happened`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..vocab import PRIORITY, SATISFACTION

PRIORITIES = PRIORITY.keys
SATISFACTIONS = SATISFACTION.keys
UNSET = "unset"  # the distribution key of a field that has no value
UNASSIGNED = "unassigned"
FUNNEL_STAGES = ("received", "assessed", "assigned", "completed", "verified", "closed")

TREND_MONTHS = 12
RATE_DIGITS = 4
DAY_DIGITS = 2


@dataclass(frozen=True)
class Period:
    """[start, end) judged at `as_of` (aware datetimes)."""

    start: datetime
    end: datetime
    as_of: datetime

    def has_happened(self, at: datetime) -> bool:
        """Before the end of the period and not after as_of: visible to this report."""
        return at < self.end and at <= self.as_of

    def contains(self, at: datetime) -> bool:
        """In the period: start <= at < end, and not after as_of."""
        return self.start <= at and self.has_happened(at)


# -- small numeric helpers -----------------------------------------------------------------------
def rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator rounded to 4 decimals; None when there is nothing to divide."""
    return round(numerator / denominator, RATE_DIGITS) if denominator else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (Excel's PERCENTILE.INC): the value at
    position (n − 1)·fraction of the sorted values, counted from 0."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """statistics.median: the middle value, or the mean of the two middle ones (here, because the
    statistics module loads fractions, decimal and random: some 5 ms of every command that writes)."""
    ordered = sorted(values)
    count = len(ordered)
    if not count:
        raise ValueError("no median of no values")
    middle = count // 2
    return ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def day_stats(values: Sequence[float]) -> dict[str, float | int | None]:
    """{mean, median, p90, count} of working-day durations, days rounded to 2 decimals."""
    if not values:
        return {"mean": None, "median": None, "p90": None, "count": 0}
    ordered = sorted(values)  # once: median and percentile sort again, which is one pass on sorted values
    return {
        # fsum ÷ n: statistics.mean's exact fractions cost a tenth of a year's report, and the
        # two differ by at most a unit in the last place, far below the two decimals shown.
        "mean": round(math.fsum(ordered) / len(ordered), DAY_DIGITS),
        "median": round(median(ordered), DAY_DIGITS),
        "p90": round(percentile(ordered, 0.9), DAY_DIGITS),  # type: ignore[arg-type]
        "count": len(ordered),
    }


def round_days(value: float | None) -> float | None:
    return None if value is None else round(value, DAY_DIGITS)
