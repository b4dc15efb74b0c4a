"""The second way to the figures: the facts the services store for each request (none of them
depending on the settings), read back for the requests whose whole record ends before the
report's cut, so that a report judges them without reading their histories. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .. import sla
from ..calendar import WorkingCalendar
from ..lifecycle import RESPONSE_ACTIONS
from ..links import registered_as_recurrence
from ..record import Request
from ..sla import SlaPolicy
from ..sla.state import in_time_order
from ..vocab import OPEN_STATUSES
from .history import completion_times
from .period import Period
from .tally import EventFact, NewCounts, NewRequest, OpenRequest, Tally, event_facts, funnel_flags
from .timeline import CompletionSpan, Segment, completion_spans, timeline
from .verdicts import Completion, CompletionFact, completion_fact, judge_completion


@dataclass(frozen=True)
class RequestFacts:
    """What a report needs of a request whose whole record is before the report's cut, none of
    it depending on the settings (the services keep these per request: tables report_fact,
    report_completion, report_event).

    `recorded_end`: the last moment recorded about it (sla.recorded_end); `responded`: its first
    response (sla.first_response_at); the funnel flags; its standing completions; its event facts;
    whether it is linked as the recurrence of another (links.registered_as_recurrence). For a cut
    before its later changes: `timeline`, the request as it stood from each recorded moment to
    the next (metrics.timeline), and `spans`, every completion with its `complete` entry and
    when it stood (table request_state and the rows of report_completion not standing now).
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
    timeline: tuple[Segment, ...] = ()
    spans: tuple[CompletionSpan, ...] = ()
    in_order: bool = True  # the history is in time order (sla.state.in_time_order): else a cut before its end replays it


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
        tuple(event_facts(request.history)), registered_as_recurrence(request),
        tuple(timeline(request)), tuple(completion_spans(request)), in_time_order(request))


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


def count_new(new: Iterable[QuietNew], as_of: datetime, policy: SlaPolicy) -> NewCounts:
    """The counts of the new requests whose record ends before the cut, from their stored facts
    (what the storage layer counts in SQL: report_queries.quiet_new_counts)."""
    counts = NewCounts()
    allowed = timedelta(hours=policy.response_hours)
    for r in new:
        # The first-response verdict at as_of (response_verdict, from the first response time):
        # in time, late, or None while unanswered and not yet late.
        if r.responded is not None:
            met: bool | None = r.responded - r.submitted <= allowed
        else:
            met = False if as_of - r.submitted > allowed else None
        counts.append(NewRequest(r.type, r.source, r.priority, r.customer, r.owner, r.assigned, r.completed,
                                 r.verified, r.closed, met, r.recurrence))
    return counts


def tally_quiet(new: NewCounts | Iterable[QuietNew], backlog: Iterable[OpenRequest],
                completions: Iterable[tuple[CompletionFact, str | None, str | None]] | list[Completion],
                period: Period, calendar: WorkingCalendar, policy: SlaPolicy) -> Tally:
    """The tally of the requests whose whole record is before the cut, from their stored facts:
    what `tally_requests` gives for them (the request at the cut is the request as it stands),
    without their histories. The event counts are left to the caller (`count_events`, or SQL).

    `new`: those submitted in the period (counted, or to count: `count_new`); `backlog`: those
    open; `completions`: their standing completions in the period with the request's owner and
    department, to judge, or judged already (stored verdicts under the current settings).
    """
    tally = Tally()
    tally.new = new if isinstance(new, NewCounts) else count_new(new, period.as_of, policy)
    tally.backlog = list(backlog)
    tally.completions = [c if isinstance(c, Completion) else judge_completion(c[0], calendar, policy, c[1], c[2])
                         for c in completions]
    return tally


@dataclass(frozen=True)
class AtCut:
    """A request whose record goes on after the report's cut, as it stood at the cut: its
    segment then (metrics.timeline, stored) with its current fields, which the segment's
    `fields` override where they then differed."""

    request_id: str
    submitted: datetime  # now
    current: dict[str, Any]  # type, source, priority, customer, owner, department now
    status: str
    fields: dict[str, Any]
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    recurrence: bool
    responded: datetime | None

    def field(self, name: str) -> Any:
        """The field's value at the cut."""
        return self.fields[name] if name in self.fields else self.current[name]


def tally_at_cut(rows: Iterable[AtCut], spans: Iterable[tuple[str, CompletionSpan]],
                 responses: Mapping[str, tuple[datetime | None, dict[str, Any]]] | None, period: Period,
                 calendar: WorkingCalendar, policy: SlaPolicy) -> Tally:
    """The tally of requests changed after the cut from their segments at the cut: what
    `tally_requests` gives for them without their histories (the event counts are left to the
    caller, as in `tally_quiet`).

    `spans`: (request ID, span) of their completions; `responses`: request ID → (first response,
    fields then differing) of the segment at as_of of the new ones, when as_of is after the
    period's end (None: as_of is the cut, and the cut's segment answers).
    """
    tally = Tally()
    allowed = timedelta(hours=policy.response_hours)
    as_of, start = period.as_of, period.start
    at_cut: dict[str, AtCut] = {}
    for row in rows:
        at_cut[row.request_id] = row
        owner, department = row.field("owner"), row.field("department")
        if row.status in OPEN_STATUSES:
            tally.backlog.append(OpenRequest(row.status, owner, department))
        if row.submitted < start:
            continue
        responded, then = (row.responded, row.fields) if responses is None else responses.get(
            row.request_id, (row.responded, row.fields))
        submitted = then.get("submitted_at", row.submitted)
        # The first-response verdict at as_of (metrics.response_verdict), as tally_quiet reads it.
        if responded is not None:
            met: bool | None = responded - submitted <= allowed
        else:
            met = False if as_of - submitted > allowed else None
        tally.new.append(NewRequest(row.field("type"), row.field("source"), row.field("priority"),
                                    row.field("customer"), owner, row.assigned, row.completed, row.verified,
                                    row.closed, met, row.recurrence))
    for rid, span in spans:
        stood = at_cut.get(rid)
        if stood is not None and stood_at(span, period) and period.contains(span.fact.at):
            tally.completions.append(judge_completion(span.fact, calendar, policy, stood.field("owner"),
                                                      stood.field("department")))
    return tally


def stood_at(span: CompletionSpan, period: Period) -> bool:
    """Whether the completion stood at the period's cut."""
    return period.has_happened(span.valid_from) and (span.valid_until is None
                                                     or not period.has_happened(span.valid_until))


def trend_times(spans: Iterable[tuple[str, CompletionSpan]], period: Period) -> list[datetime]:
    """The times of the completions the trend counts for requests changed after the cut (what
    `trend_inputs` reads of their histories): those with a `complete` entry that stood at the cut,
    and a completion time without one that the request has now."""
    return [span.fact.at for _, span in spans
            if (stood_at(span, period) if span.fact.seq else span.valid_until is None)
            and period.has_happened(span.fact.at)]
