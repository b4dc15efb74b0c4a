"""Overdue: why an open request is listed by `overdue` (docs/sla.md), from its replayed clocks
or from the running deadlines the services store. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..calendar import WorkingCalendar
from ..record import Request
from ..vocab import OPEN_STATUSES
from .clocks import plus_hours, resolution_clock_of
from .settings import SlaPolicy
from .state import UTC, State, recorded_end, stood, utc

# Order of reasons with the same lateness, and of the three groups (breaches, stale, due soon).
REASON_ORDER = {"response": 0, "plan": 1, "resolution": 2, "due": 3, "stale": 4, "due-soon": 5}
_BREACHES = frozenset({"response", "plan", "resolution", "due"})


@dataclass(frozen=True)
class OverdueReason:
    """Why an open request is listed: the clock, its deadline, and how late (negative: not yet due).

    `clock` names the clock behind a "due-soon" (for the other reasons it equals `reason`).
    """

    reason: str  # response | plan | resolution | due | due-soon | stale
    deadline: datetime
    late_calendar: timedelta
    late_working_days: float
    clock: str = ""


def _reason_key(reason: OverdueReason) -> tuple[int, float, int]:
    group = 0 if reason.reason in _BREACHES else 1 if reason.reason == "stale" else 2
    return group, -reason.late_calendar.total_seconds(), REASON_ORDER[reason.reason]


def overdue_reasons(
    request: Request,
    calendar: WorkingCalendar,
    policy: SlaPolicy,
    as_of: datetime,
    within: timedelta | None = None,
    include_stale: bool = False,
) -> list[OverdueReason]:
    """Every reason the request is overdue at `as_of` (empty: not overdue), most urgent first.

    Only open requests (pending, in-progress, verifying) are ever overdue. A reason is an unmet,
    unpaused clock whose deadline passed (response, plan, resolution, due). `within` adds
    "due-soon" for unmet deadlines in (as_of, as_of + within]; `include_stale` adds "stale".
    Order: breaches first, most late first; then stale; then due-soon, soonest first; ties in
    the order response, plan, resolution, due.
    """
    return state_reasons(stood(request, as_of), calendar, policy, within, include_stale)


def state_reasons(state: State, calendar: WorkingCalendar, policy: SlaPolicy, within: timedelta | None = None,
                  include_stale: bool = False) -> list[OverdueReason]:
    """`overdue_reasons` of a request from the state its clocks read at `state.as_of` (replayed,
    or stored with its timeline: domain.metrics.timeline)."""
    if state.status not in OPEN_STATUSES:
        return []
    return reasons_at(running(state, calendar, policy), calendar, state.as_of, within, include_stale)


def running(state: State, calendar: WorkingCalendar, policy: SlaPolicy) -> dict[str, datetime]:
    """The clocks still running (unmet, unpaused, with a deadline) → their deadlines: those of
    `clocks_of` (in its order), without computing the clocks that are met or paused."""
    if state.status not in OPEN_STATUSES:
        return {}  # work that ended keeps only its met clocks
    found: dict[str, datetime] = {}
    if state.responded is None:
        found["response"] = plus_hours(state.submitted, policy.response_hours, calendar)
    if state.priority == "high" and state.assigned is None:
        found["plan"] = plus_hours(state.submitted, policy.plan_hours_high, calendar)
    start, completed, pauses = state.reopened or state.submitted, state.completed, state.pauses
    if not (completed is not None and completed >= start) and not (pauses and pauses[-1][1] is None):
        deadline = resolution_clock_of(start, completed, state.as_of, state.priority, pauses, calendar, policy).deadline
        assert deadline is not None  # the resolution clock always has one
        found["resolution"] = deadline
    if state.due is not None and completed is None:
        found["due"] = calendar.local(state.due)
    if state.status == "in-progress":
        found["stale"] = plus_hours(state.last_event, policy.stale_hours, calendar)
    return found


@dataclass(frozen=True)
class RunningDeadlines:
    """What an open request's overdue check needs, from `valid_from` on (see `running_deadlines`).

    `deadlines` maps each running clock (response, plan, resolution, due, stale) to its deadline.
    """

    valid_from: datetime
    deadlines: dict[str, datetime]

    @property
    def next_breach(self) -> datetime | None:
        """The earliest deadline of response, plan, resolution and due (stale is not a breach)."""
        return min((utc(t) for name, t in self.deadlines.items() if name != "stale"), default=None)


def running_deadlines(request: Request, calendar: WorkingCalendar, policy: SlaPolicy) -> RunningDeadlines | None:
    """The running clocks of an open request as they stand after everything recorded about it;
    None for a request that is not open.

    Until the request changes again these deadlines are fixed: for every `as_of` at or after
    `valid_from`, `overdue_reasons(request, ..., as_of)` equals
    `reasons_at(result.deadlines, ..., as_of)`. A paused resolution clock is left out (its
    deadline moves on with the pause, and a paused clock is never overdue). The services store
    this per open request, so that `overdue` reads deadlines instead of replaying every history
    (tests/unit/test_sla.py checks the equality as a Hypothesis property).
    """
    end = recorded_end(request)
    state = stood(request, end)
    if state.status not in OPEN_STATUSES:
        return None
    return RunningDeadlines(end, running(state, calendar, policy))


def reasons_at(
    deadlines: Mapping[str, datetime],
    calendar: WorkingCalendar,
    as_of: datetime,
    within: timedelta | None = None,
    include_stale: bool = False,
) -> list[OverdueReason]:
    """The overdue reasons of running clocks (name → deadline) at `as_of`, most urgent first
    (the order of `overdue_reasons`)."""
    now = utc(as_of)
    horizon = now + within if within is not None else None
    until_now = calendar.working_days_to(now)  # the same for every request of a list: made once
    reasons: list[OverdueReason] = []
    for name, deadline in deadlines.items():
        due_at = deadline if deadline.tzinfo is UTC else utc(deadline)
        if name == "stale":
            if include_stale and now > due_at:
                reasons.append(OverdueReason("stale", deadline, now - due_at, until_now(deadline), name))
        elif now > due_at:  # late: Clock.late_by and late_working_days, inline (a list asks thousands)
            reasons.append(OverdueReason(name, deadline, now - due_at, until_now(deadline), name))
        elif horizon is not None and due_at <= horizon:
            late = now - due_at  # zero or less: at the deadline the working days are 0.0, not -0.0
            working = until_now(deadline) if late.days >= 0 else -calendar.working_days_between(now, deadline)
            reasons.append(OverdueReason("due-soon", deadline, late, working, name))
    if len(reasons) > 1:
        reasons.sort(key=_reason_key)
    return reasons
