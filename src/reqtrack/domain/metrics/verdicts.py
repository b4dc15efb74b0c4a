"""The per-request verdicts behind the figures: each completion judged against its resolution
target and planned completion, and each new request's first response.

They are those of domain.sla (the clocks `overdue` reads); `completion_fact` and
`response_verdict` compute them directly in the common case, and the tests check that the two
agree (tests/reference.py holds the reference the tests compare them with). Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from .. import sla
from ..calendar import WorkingCalendar
from ..lifecycle import RESPONSE_ACTIONS
from ..record import Request
from ..sla import SlaPolicy
from ..sla.state import State
from .history import as_completed, field_at


@dataclass
class Completion:
    """One actual completion in the period, as the SLA clocks of `domain.sla` judge it.

    `days`: the resolution's working days; `within_target`: met its resolution target (completed
    by the resolution deadline, which pauses push back: the same clock `overdue` reads);
    `on_time`: completed by the planned completion (None without one). All read the request as it stood
    right after this completion, so priority and planned completion are the ones of that cycle.
    `owner` and `department` are the request's at the cut (the owner table groups by them).
    """

    at: datetime
    days: float | None
    priority: str
    within_target: bool | None
    on_time: bool | None
    owner: str | None = None
    department: str | None = None


Pause = tuple[datetime, "datetime | None"]


class CompletionFact(NamedTuple):
    """What judging one completion needs, none of it depending on the settings: the services
    keep one per standing completion (table report_completion), so that a report judges a
    year's completions without reading their histories.

    `start`: the resolution clock's start (submission, or the latest reopen before the
    completion); `completed`: the completion as that clock reads it (normally `at`; None when
    the clock does not see one); `priority` and `due` as they were right after the completion;
    `pauses`: the deferred / waiting intervals up to then (UTC; an end of None = still paused
    at `as_of`, the last moment recorded).
    """

    at: datetime
    start: datetime
    completed: datetime | None
    priority: str | None
    due: datetime | None
    pauses: tuple[Pause, ...] = ()
    as_of: datetime | None = None
    seq: int = 0  # of the `complete` entry (0: an imported completion time without one)


def _never_paused(request: Request) -> bool:
    """No pause anywhere in the request's life: never deferred, never waiting on the customer."""
    if request.feasibility == "defer" or request.waiting:
        return False
    for entry in request.history:
        changes = entry.changes
        if "waiting" in changes:
            return False
        feasibility = changes.get("feasibility")
        if feasibility is not None and "defer" in feasibility:
            return False
    return True


def completion_fact(request: Request, at: datetime, position: int | None,
                    end_state: Callable[[], State] | None = None) -> CompletionFact:
    """The facts of the completion at `at` (history position `position`; None: an imported
    completion time without a `complete` entry) of `request`, as it stood right after it.

    They are those the domain.sla clocks replay (tests/reference.py). When the request was
    never paused and the completion has its `complete` entry they are read directly, without
    replaying the history: the start is the submission or the latest reopen before the
    completion, priority and planned completion the values of that moment. tests/unit/test_metrics.py
    checks that both give what the sla helpers give. `end_state` (for a completion without its
    entry): what gives the request's clocks at its recorded end, when the caller knows it
    without a replay (a timeline: sla.state.stood_at_end).
    """
    if position is None or not _never_paused(request):
        resolved = as_completed(request, position, at) if position is not None else request
        state = end_state() if position is None and end_state is not None else None
        start, completed, as_of, priority, due, pauses = sla.resolution_inputs(resolved, state)
        seq = request.history[position].seq if position is not None else 0
        return CompletionFact(at, start, completed, priority, due, pauses, as_of, seq)
    begin = request.submitted_at
    for entry in request.history[:position + 1]:
        if entry.action == "reopen" and entry.at > begin:
            begin = entry.at
    return CompletionFact(at, begin, at, field_at(request, "priority", at), field_at(request, "due", at), (), at,
                          request.history[position].seq)


def judge_completion(fact: CompletionFact, calendar: WorkingCalendar, policy: SlaPolicy,
                     owner: str | None = None, department: str | None = None) -> Completion:
    """The verdicts of one completion under the current calendar and SLA settings.

    Resolution = working days from the start to the completion, less the working time paused
    in between; met = completed by the resolution deadline (`start + target` working days,
    pushed back by pauses: sla.resolution_clock_of); on time = completed by the planned
    completion.
    """
    completed = fact.completed
    on_time = None if fact.due is None else fact.at <= fact.due
    priority = fact.priority or "medium"
    if completed is None or completed < fact.start:  # cannot happen with lifecycle histories
        return Completion(fact.at, None, priority, None, on_time, owner, department)
    days = calendar.working_days_between(fact.start, completed)
    if fact.pauses:
        clock = sla.resolution_clock_of(fact.start, completed, fact.as_of or completed, fact.priority, fact.pauses,
                                        calendar, policy)
        days -= sla.paused_between(fact.pauses, fact.start, completed, calendar)
        met = not clock.was_late
    else:
        target = policy.resolution_target(fact.priority)
        # The deadline is the moment the working time since the start reaches the target, and
        # working time never decreases: clearly below the target means met, clearly above means
        # late. Only near the boundary is the deadline itself computed, as the clock does.
        if abs(days - target) > 1e-6:
            met = days < target
        else:
            met = completed <= calendar.add_working_time(fact.start, target)
    return Completion(fact.at, max(0.0, days), priority, met, on_time, owner, department)


def completion(request: Request, at: datetime, position: int | None, calendar: WorkingCalendar, policy: SlaPolicy) -> Completion:
    """The completion at `at` of `request` (as it stood at the cut), judged
    (`judge_completion(completion_fact(...))`); owner and department are the request's."""
    return judge_completion(completion_fact(request, at, position), calendar, policy,
                            request.owner, request.department)


def response_verdict(request: Request, policy: SlaPolicy, as_of: datetime) -> bool | None:
    """sla.response_met_within(request, policy, as_of), computed directly when the history has a
    response entry by as_of: answered in time when the earliest one is within
    `response_hours` of the submission."""
    first: datetime | None = None
    for entry in request.history:
        if entry.action in RESPONSE_ACTIONS and entry.at <= as_of and (first is None or entry.at < first):
            first = entry.at
    if first is None:
        return sla.response_met_within(request, policy, as_of)
    return first - request.submitted_at <= timedelta(hours=policy.response_hours)
