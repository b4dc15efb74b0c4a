"""Reference definitions the tests compare the product with: the after-the-fact SLA verdicts of a
whole record, each replaying the request's history through the domain's clocks. The product
computes these figures another way (domain.metrics' facts and direct verdicts); nothing in src/
uses these, so they live here."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta, timezone
from typing import Any

from reqtrack.domain.calendar import WorkingCalendar
from reqtrack.domain.metrics.history import as_completed
from reqtrack.domain.metrics.period import Period, rate
from reqtrack.domain.metrics.verdicts import Completion
from reqtrack.domain.record import Request
from reqtrack.domain.sla import SlaPolicy, overdue_reasons
from reqtrack.domain.sla.clocks import Clock, paused_between, resolution_of
from reqtrack.domain.sla.state import recorded_end, stood, utc


def plan_met_within(request: Request, policy: SlaPolicy, as_of: datetime | None = None) -> bool | None:
    """Like `response_met_within` for the high-priority plan (assignment); None when not high."""
    state = stood(request, as_of or recorded_end(request))
    if state.priority != "high":
        return None
    deadline = state.submitted + timedelta(hours=policy.plan_hours_high)
    if state.assigned is not None:
        return state.assigned <= deadline
    return False if as_of is not None and utc(as_of) > deadline else None


def resolution_clock(request: Request, calendar: WorkingCalendar, policy: SlaPolicy,
                     as_of: datetime | None = None) -> Clock:
    """The resolution clock (also for a request that is no longer open)."""
    return resolution_of(stood(request, as_of or recorded_end(request)), calendar, policy)


def paused_working_days(request: Request, calendar: WorkingCalendar, as_of: datetime | None = None) -> float:
    """All working time paused (deferred or waiting) between the resolution start and its stop."""
    state = stood(request, as_of or recorded_end(request))
    start = state.reopened or state.submitted
    end = state.completed if state.completed is not None and state.completed >= start else state.as_of
    return paused_between(state.pauses, start, end, calendar)


def resolution_working_days(request: Request, calendar: WorkingCalendar) -> float | None:
    """Working days from the resolution start (submission or latest reopen) to completed_at,
    minus the working time paused in between; None when not completed."""
    state = stood(request, recorded_end(request))
    start = state.reopened or state.submitted
    if state.completed is None or state.completed < start:
        return None
    return max(0.0, calendar.working_days_between(start, state.completed)
               - paused_between(state.pauses, start, state.completed, calendar))


def resolution_met_within(request: Request, calendar: WorkingCalendar, policy: SlaPolicy) -> bool | None:
    """True/False: completed by/after its resolution deadline; None when not completed."""
    clock = resolution_clock(request, calendar, policy)
    return None if clock.met_at is None else not clock.was_late


def due_met(request: Request) -> bool | None:
    """On time against the planned completion: completed_at <= due; None without both."""
    if request.due is None or request.completed_at is None:
        return None
    return utc(request.completed_at) <= utc(request.due)


def completion_by_sla(request: Request, at: datetime, position: int | None, calendar: WorkingCalendar,
                      policy: SlaPolicy) -> Completion:
    """metrics' `completion` through the helpers above, on the request as it stood right after it."""
    resolved = as_completed(request, position, at) if position is not None else request
    return Completion(
        at, resolution_working_days(resolved, calendar), resolved.priority or "medium",
        resolution_met_within(resolved, calendar, policy), due_met(resolved),
        request.owner, request.department)


def is_overdue(request: Request, calendar: WorkingCalendar, policy: SlaPolicy, as_of: datetime) -> bool:
    """Whether the request is overdue at `as_of` (due soon and stale do not count)."""
    return bool(overdue_reasons(request, calendar, policy, as_of))


def clock_overdue(clock: Clock, as_of: datetime) -> bool:
    """Unmet, not paused, and its deadline passed before `as_of`."""
    return (clock.met_at is None and not clock.paused and clock.deadline is not None
            and utc(as_of) > utc(clock.deadline))


def clock_breached(clock: Clock, as_of: datetime) -> bool:
    """Met late, or still unmet past its deadline at `as_of`."""
    return clock.was_late or clock_overdue(clock, as_of)


def monthly_trend(boundaries: list[datetime], submitted: list[datetime], completed: list[datetime],
                  period: Period) -> list[dict[str, Any]]:
    """The trend as first written (domain.metrics.monthly_trend before it could take counts made
    in SQL): every time of the twelve months bisected into its month, a month the cut falls
    inside compared with the same time from the start of the month before."""
    edges = [b.astimezone(timezone.utc) for b in boundaries]
    first, stop = edges[0], min(edges[-1], period.end, period.as_of + timedelta(microseconds=1))

    def per_month(times: list[datetime]) -> list[int]:
        counts = [0] * (len(edges) - 1)
        for at in times:
            if first <= at < stop:
                counts[bisect_right(edges, at) - 1] += 1
        return counts

    new, done = per_month(submitted), per_month(completed)
    rows = []
    for i in range(1, len(boundaries) - 1):
        row: dict[str, Any] = {"month": boundaries[i].strftime("%Y-%m"), "new": new[i], "completed": done[i]}
        before_new, before_done = new[i - 1], done[i - 1]
        if edges[i] < stop < edges[i + 1]:
            until = min(edges[i - 1] + (stop - edges[i]), edges[i])
            before_new = sum(1 for at in submitted if edges[i - 1] <= at < until)
            before_done = sum(1 for at in completed if edges[i - 1] <= at < until)
            row["partial"] = True
        row["new_growth"] = rate(new[i] - before_new, before_new)
        row["completed_growth"] = rate(done[i] - before_done, before_done)
        rows.append(row)
    return rows
