"""After the fact: a request's SLA verdicts over its whole record (what the report judges),
each replaying its history. The report's own path computes most of them directly
(domain.metrics: completion_fact, response_verdict); these are the definitions it
builds on (the rest of the reference verdicts: tests/reference.py). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..record import Request
from .settings import SlaPolicy
from .state import State, recorded_end, stood, utc


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


def resolution_inputs(request: Request, state: State | None = None) -> tuple[
        datetime, datetime | None, datetime, str | None, datetime | None, tuple[tuple[datetime, datetime | None], ...]]:
    """(start, completed, as_of, priority, due, pauses) of the request's resolution clock as
    recorded (what `resolution_clock_of` and `paused_between` take; all times UTC). `state`: the
    request's `stood(request, recorded_end(request))`, when the caller has it already."""
    if state is None:
        state = stood(request, recorded_end(request))
    return (state.reopened or state.submitted, state.completed, state.as_of, state.priority, state.due,
            state.pauses)
