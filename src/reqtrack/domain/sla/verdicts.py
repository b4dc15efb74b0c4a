"""After the fact: a request's SLA verdicts over its whole record (what the report judges),
each replaying its history. The report's own path computes most of them directly
(domain.metrics: completion_fact, response_verdict); these are the definitions it is checked
against (tests/test_metrics.py, tests/test_sla.py). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..calendar import WorkingCalendar
from ..record import Request
from .clocks import Clock, paused_between, resolution_of
from .settings import SlaPolicy
from .state import recorded_end, stood, utc


def first_response_at(request: Request) -> datetime | None:
    """Time of the first response (see the response clock), None while unanswered."""
    return stood(request, recorded_end(request)).responded


def response_met_within(request: Request, policy: SlaPolicy, as_of: datetime | None = None) -> bool | None:
    """True: answered within `response_hours`; False: answered late, or unanswered past the
    deadline at `as_of`; None: unanswered and not (yet) late, or `as_of` not given."""
    state = stood(request, as_of or recorded_end(request))
    deadline = state.submitted + timedelta(hours=policy.response_hours)
    if state.responded is not None:
        return state.responded <= deadline
    return False if as_of is not None and utc(as_of) > deadline else None


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


def resolution_inputs(request: Request) -> tuple[datetime, datetime | None, datetime, str | None,
                                                datetime | None, tuple[tuple[datetime, datetime | None], ...]]:
    """(start, completed, as_of, priority, due, pauses) of the request's resolution clock as
    recorded (what `resolution_clock_of` and `paused_between` take; all times UTC)."""
    state = stood(request, recorded_end(request))
    return (state.reopened or state.submitted, state.completed, state.as_of, state.priority, state.due,
            state.pauses)


def resolution_met_within(request: Request, calendar: WorkingCalendar, policy: SlaPolicy) -> bool | None:
    """True/False: completed by/after its resolution deadline; None when not completed."""
    clock = resolution_clock(request, calendar, policy)
    return None if clock.met_at is None else not clock.was_late


def due_met(request: Request) -> bool | None:
    """On time against the planned completion: completed_at <= due; None without both."""
    if request.due is None or request.completed_at is None:
        return None
    return utc(request.completed_at) <= utc(request.due)
