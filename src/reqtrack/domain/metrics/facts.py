"""The second way to the figures: the facts the services store for each request (none of them
depending on the settings), read back for the requests whose whole record ends before the
report's cut, so that a report judges them without reading their histories. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from .. import sla
from ..calendar import WorkingCalendar
from ..lifecycle import RESPONSE_ACTIONS
from ..links import registered_as_recurrence
from ..record import Request
from ..sla import SlaPolicy
from .history import completion_times
from .period import Period
from .tally import EventFact, NewRequest, OpenRequest, Tally, event_facts, funnel_flags
from .verdicts import CompletionFact, completion_fact, judge_completion


@dataclass(frozen=True)
class RequestFacts:
    """What a report needs of a request whose whole record is before the report's cut, none of
    it depending on the settings (the services keep these per request: tables report_fact,
    report_completion, report_event).

    `recorded_end`: the last moment recorded about it (sla.recorded_end); `responded`: its first
    response (sla.first_response_at); the funnel flags; its standing completions; its event facts;
    whether it is linked as the recurrence of another (links.registered_as_recurrence).
    """

    recorded_end: datetime
    responded: datetime | None
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    completions: tuple[CompletionFact, ...]
    events: tuple[EventFact, ...]
    recurrence: bool = False


def request_facts(request: Request) -> RequestFacts:
    """The report facts of `request` (with its history) as it stands."""
    stood = completion_times(request)
    assigned, verified, closed = funnel_flags(request.history)
    # The first response is the earliest response entry (what sla.first_response_at replays
    # the history for); only a request without one needs the replay (imports, pending ones).
    responded = min((e.at for e in request.history if e.action in RESPONSE_ACTIONS), default=None)
    if responded is None:
        responded = sla.first_response_at(request)
    return RequestFacts(
        sla.recorded_end(request), responded, assigned, bool(stood), verified, closed,
        tuple(completion_fact(request, at, position) for at, position in stood),
        tuple(event_facts(request.history)), registered_as_recurrence(request))


class QuietNew(NamedTuple):
    """A new request of the period whose record ends before the cut: its fields and facts."""

    type: str | None
    source: str | None
    priority: str | None
    customer: str | None
    owner: str | None
    submitted: datetime
    responded: datetime | None
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    recurrence: bool = False


def tally_quiet(new: Iterable[QuietNew], backlog: Iterable[OpenRequest],
                completions: Iterable[tuple[CompletionFact, str | None, str | None]],
                period: Period, calendar: WorkingCalendar, policy: SlaPolicy) -> Tally:
    """The tally of the requests whose whole record is before the cut, from their stored facts:
    what `tally_requests` gives for them (the request at the cut is the request as it stands),
    without their histories. The event counts are left to the caller (`count_events`, or SQL).

    `new`: those submitted in the period; `backlog`: those open; `completions`: their standing
    completions in the period with the request's owner and department.
    """
    tally = Tally()
    as_of = period.as_of
    allowed = timedelta(hours=policy.response_hours)
    for r in new:
        # The first-response verdict at as_of (response_verdict, from the first response time):
        # in time, late, or None while unanswered and not yet late.
        if r.responded is not None:
            met: bool | None = r.responded - r.submitted <= allowed
        else:
            met = False if as_of - r.submitted > allowed else None
        tally.new.append(NewRequest(r.type, r.source, r.priority, r.customer, r.owner, r.assigned, r.completed,
                                    r.verified, r.closed, met, r.recurrence))
    tally.backlog = list(backlog)
    tally.completions = [judge_completion(fact, calendar, policy, owner, department)
                         for fact, owner, department in completions]
    return tally
