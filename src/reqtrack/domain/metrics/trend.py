"""The trend: new and completed requests per month over the twelve months of the report. Pure."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ..record import Request
from .history import standing_completions, verification_failed
from .period import TREND_MONTHS, Period, rate

Step = tuple[datetime, str, bool]  # (at, action, verification failed)


@dataclass
class MonthlyInputs:
    """What the trend needs for its whole twelve months (not only the period), in the form the
    storage layer can fetch in bulk without loading every request: submission times; per
    request, its `complete` and `verify` entries in order; and the completion times of requests
    whose history has no `complete` entry (imported ones)."""

    submissions: list[datetime] = field(default_factory=list)
    completion_steps: list[list[Step]] = field(default_factory=list)
    completed_without_entry: list[datetime] = field(default_factory=list)
    # Completions the storage layer already found standing at the cut (the same rule as
    # `standing_completions`, in SQL), instead of `completion_steps`.
    standing: list[datetime] = field(default_factory=list)
    # Or counted by the storage layer (a year of submissions and completions is tens of thousands
    # of times): how many fall between each two consecutive `trend_cuts`, besides the lists above.
    submitted_between: list[int] | None = None
    standing_between: list[int] | None = None

    def completions(self, has_happened: Callable[[datetime], bool]) -> list[datetime]:
        """The times of the completions that stood at the cut."""
        times: list[datetime] = []
        for steps in self.completion_steps:
            seen = [step for step in steps if has_happened(step[0])]
            times.extend(seen[i][0] for i in standing_completions([(a, f) for _, a, f in seen]))
        times.extend(at for at in self.standing if has_happened(at))
        times.extend(at for at in self.completed_without_entry if has_happened(at))
        return times


def trend_inputs(requests: Iterable[Request]) -> MonthlyInputs:
    """The trend's inputs taken from full requests (what the storage query computes in bulk)."""
    inputs = MonthlyInputs()
    for request in requests:
        inputs.submissions.append(request.submitted_at)
        steps = [(e.at, e.action, verification_failed(e)) for e in request.history if e.action in ("complete", "verify")]
        if any(action == "complete" for _, action, _ in steps):
            inputs.completion_steps.append(steps)
        elif request.completed_at is not None:
            inputs.completed_without_entry.append(request.completed_at)
    return inputs


def month_starts(last_month: date, count: int, tz: ZoneInfo) -> list[datetime]:
    """Local midnights of the first day of `count` months ending with `last_month`, plus the
    start of the month after it (count + 1 boundaries)."""
    year, month = last_month.year, last_month.month
    starts = []
    for offset in range(count - 1, -2, -1):
        y, m = divmod((year * 12 + month - 1) - offset, 12)
        starts.append(datetime(y, m + 1, 1, tzinfo=tz))
    return starts


def trend_months(period: Period, tz: ZoneInfo, count: int = TREND_MONTHS) -> list[datetime]:
    """Boundaries of the trend's months: the `count` months that end with the month of the
    period's last moment (its end, or as_of if earlier), plus one month before them for the
    first month's growth."""
    last = min(period.end - timedelta(microseconds=1), period.as_of).astimezone(tz).date()
    return month_starts(last, count + 1, tz)


def _edges(boundaries: list[datetime], period: Period) -> tuple[list[datetime], datetime]:
    # Compared in UTC: the stored times are UTC, and comparing datetimes of different zones
    # costs a utcoffset() call each time.
    edges = [b.astimezone(timezone.utc) for b in boundaries]
    return edges, min(edges[-1], period.end, period.as_of + timedelta(microseconds=1))


def _partial(edges: list[datetime], stop: datetime, i: int) -> datetime | None:
    """For month i when the cut falls inside it: the end of the same length of time from the
    start of the month before (the comparison of a month that is not over); else None."""
    if edges[i] < stop < edges[i + 1]:
        return min(edges[i - 1] + (stop - edges[i]), edges[i])
    return None


def trend_cuts(boundaries: list[datetime], period: Period) -> list[datetime]:
    """The instants (UTC, ascending) between which the trend counts: its months' boundaries up
    to the cut, the cut (the end of what has happened: before the period's end, not after
    as_of), and for the month the cut falls inside, the end of the same time in the month
    before. The storage layer may count the times between each two (MonthlyInputs)."""
    edges, stop = _edges(boundaries, period)
    cuts = {edge for edge in edges if edge < stop} | {stop}
    for i in range(1, len(edges) - 1):
        until = _partial(edges, stop, i)
        if until is not None:
            cuts.add(until)
    return sorted(cuts)


def monthly_trend(boundaries: list[datetime], inputs: MonthlyInputs, period: Period) -> list[dict[str, Any]]:
    """New and completed per month with month-on-month growth ((this − previous) ÷ previous).

    Only what had happened by the cut counts; the first boundary month gives the first shown
    month its growth and is not shown itself. A month the cut falls inside (`partial`: True)
    is compared with the same time from the start of the month before.
    """
    edges, stop = _edges(boundaries, period)
    cuts = trend_cuts(boundaries, period)
    place = {cut: k for k, cut in enumerate(cuts)}

    def counted(times: Iterable[datetime], given: list[int] | None) -> list[int]:
        # How many fall between each two consecutive cuts (times outside [first cut, cut) not at all).
        counts = list(given) if given is not None else [0] * (len(cuts) - 1)
        first = cuts[0]
        for at in times:
            if first <= at < stop:
                counts[bisect_right(cuts, at) - 1] += 1
        return counts

    def between(counts: list[int], low: datetime, high: datetime) -> int:
        return sum(counts[place[min(low, stop)]:place[min(high, stop)]])

    new = counted(inputs.submissions, inputs.submitted_between)
    done = counted(inputs.completions(period.has_happened), inputs.standing_between)
    rows = []
    for i in range(1, len(boundaries) - 1):
        this_new, this_done = between(new, edges[i], edges[i + 1]), between(done, edges[i], edges[i + 1])
        row: dict[str, Any] = {"month": boundaries[i].strftime("%Y-%m"), "new": this_new, "completed": this_done}
        before_new, before_done = between(new, edges[i - 1], edges[i]), between(done, edges[i - 1], edges[i])
        until = _partial(edges, stop, i)
        if until is not None:
            # The month is not over at the cut: compare it with the same length of time from
            # the start of the month before (its first day and a half, on the 2nd at noon),
            # not with the whole of it, which would read as a fall every month's first days.
            before_new, before_done = between(new, edges[i - 1], until), between(done, edges[i - 1], until)
            row["partial"] = True
        row["new_growth"] = rate(this_new - before_new, before_new)
        row["completed_growth"] = rate(this_done - before_done, before_done)
        rows.append(row)
    return rows
