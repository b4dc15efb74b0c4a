"""The clocks of one request (docs/sla.md): response, plan, resolution, due and stale. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..calendar import WorkingCalendar
from ..record import Request
from ..vocab import OPEN_STATUSES
from .settings import SlaPolicy
from .state import State, stood, utc


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a request.

    `start` and `met_at` are the stored instants; `deadline` is in the calendar's zone (None:
    no deadline). `paused`: the clock is stopped at the moment it was evaluated (resolution
    only; the deadline then moves on with the pause). Subtract through the helpers: they work
    in UTC, so DST changes do not shift the result.
    """

    name: str
    start: datetime
    deadline: datetime | None
    met_at: datetime | None
    paused: bool = False
    paused_working_days: float = 0.0  # working time paused so far (resolution)

    @property
    def met(self) -> bool:
        """Whether the clock stopped because its target was reached (on time or late)."""
        return self.met_at is not None

    @property
    def was_late(self) -> bool:
        """Met after its deadline (a breach the report counts even though it is no longer overdue)."""
        return self.met_at is not None and self.deadline is not None and utc(self.met_at) > utc(self.deadline)

    def late_by(self, as_of: datetime) -> timedelta:
        """Calendar time from the deadline to the stop (met_at, else `as_of`): negative = time left."""
        if self.deadline is None:
            raise ValueError(f"the {self.name} clock has no deadline")
        end = self.met_at if self.met_at is not None else as_of
        return utc(end) - utc(self.deadline)

    def late_working_days(self, as_of: datetime, calendar: WorkingCalendar) -> float:
        """Working time from the deadline to the stop, in days: negative = working time left."""
        if self.deadline is None:
            raise ValueError(f"the {self.name} clock has no deadline")
        end = self.met_at if self.met_at is not None else as_of
        if utc(end) >= utc(self.deadline):
            return calendar.working_days_between(self.deadline, end)
        return -calendar.working_days_between(end, self.deadline)


_HOURS: dict[float, timedelta] = {}  # the few targets in hours, as timedeltas made once


def plus_hours(t: datetime, hours: float, calendar: WorkingCalendar) -> datetime:
    # In UTC: aware arithmetic within one ZoneInfo would add wall-clock time across DST changes.
    step = _HOURS.get(hours)
    if step is None:
        step = _HOURS[hours] = timedelta(hours=hours)
    return calendar.local(utc(t) + step)


def resolution_of(state: State, calendar: WorkingCalendar, policy: SlaPolicy) -> Clock:
    """The resolution clock of a replayed state (see `resolution_clock_of`)."""
    return resolution_clock_of(state.reopened or state.submitted, state.completed, state.as_of, state.priority,
                               state.pauses, calendar, policy)


def resolution_clock_of(
    start: datetime,
    completed: datetime | None,
    as_of: datetime,
    priority: str | None,
    pauses: Sequence[tuple[datetime, datetime | None]],
    calendar: WorkingCalendar,
    policy: SlaPolicy,
) -> Clock:
    """The resolution clock: a stopwatch of unpaused working time against the target, from
    `start` (submission or latest reopen) to `completed` (if at or after start), else `as_of`.

    The deadline is pushed back by each pause that begins before the (already pushed) deadline;
    a pause that begins after it does not undo the breach. All times UTC.
    """
    met = completed if completed is not None and completed >= start else None
    end = met or as_of
    deadline = calendar.add_working_time(start, policy.resolution_target(priority))
    paused_days = 0.0
    for begin, finish in pauses:
        begin = max(begin, start)
        stop = end if finish is None else min(finish, end)
        if begin >= utc(deadline):
            break
        if stop > begin:
            length = calendar.working_days_between(begin, stop)
            paused_days += length
            deadline = calendar.add_working_time(deadline, length)
    # Stopped now, even by a pause that began after the deadline (not overdue while paused).
    paused_now = met is None and bool(pauses) and pauses[-1][1] is None
    return Clock("resolution", start, deadline, met, paused_now, paused_days)


def clocks_of(state: State, calendar: WorkingCalendar, policy: SlaPolicy) -> list[Clock]:
    clocks = [Clock("response", state.submitted, plus_hours(state.submitted, policy.response_hours, calendar),
                    state.responded)]
    if state.priority == "high":
        clocks.append(Clock("plan", state.submitted, plus_hours(state.submitted, policy.plan_hours_high, calendar),
                            state.assigned))
    clocks.append(resolution_of(state, calendar, policy))
    if state.due is not None:
        met = state.completed if state.completed is not None else None
        clocks.append(Clock("due", state.due_set or state.submitted, calendar.local(state.due), met))
    if state.status == "in-progress":
        clocks.append(Clock("stale", state.last_event, plus_hours(state.last_event, policy.stale_hours, calendar), None))
    if state.status not in OPEN_STATUSES:
        # Work that ended (cancelled, or closed without a recorded completion) stops its unmet clocks.
        clocks = [c for c in clocks if c.met_at is not None]
    return clocks


def request_clocks(request: Request, calendar: WorkingCalendar, policy: SlaPolicy, as_of: datetime) -> list[Clock]:
    """The request's clocks at `as_of`, in the order response, plan, resolution, due, stale.

    plan appears for high priority only, due when a planned completion is set, stale for
    in-progress requests; a request that is no longer open keeps only its met clocks.
    """
    return clocks_of(stood(request, as_of), calendar, policy)


def paused_between(pauses: Sequence[tuple[datetime, datetime | None]], start: datetime, end: datetime,
                   calendar: WorkingCalendar) -> float:
    """Working days of the `pauses` ((begin, end or None = still paused), UTC) within [start, end]."""
    total = 0.0
    for begin, finish in pauses:
        begin, stop = max(begin, start), min(finish or end, end)
        if stop > begin:
            total += calendar.working_days_between(begin, stop)
    return total
