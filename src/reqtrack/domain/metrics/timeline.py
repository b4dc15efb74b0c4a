"""A request's timeline: its record cut at every recorded moment into segments, over each of
which everything the report and the overdue clocks read of the request stands still, so that a
question about a past moment is answered from the segment that covers it instead of replaying
the history. Pure.

Every question about a moment `t` reads the request through the entries recorded by `t`
(`at <= t`; the report's cut is the latest such moment before the period's end and not after
as_of) and through a few recorded times compared with `t` (the actual completion, the first
response). Between two of those moments nothing of it moves, so the segment from one moment to
the next holds the answers, computed once by the very functions a replay calls
(`history.state_at`, `sla.state.stood`, `history.completion_times`, ...); the tests check that a
segment and a replay agree at random moments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from ..lifecycle import RESPONSE_ACTIONS
from ..links import registered_as_recurrence
from ..record import Request
from ..sla.state import State, as_datetime, in_time_order, replay_over, stood, stood_as, stood_at_end, utc
from ..vocab import OPEN_STATUSES
from .history import completion_times, state_at, undone, verification_failed
from .tally import funnel_flags
from .verdicts import CompletionFact, completion_fact

# The fields a report reads of a request as it stood (besides its status); a segment keeps
# those that differ from the request's current values.
SEGMENT_FIELDS = ("type", "source", "priority", "customer", "owner", "department", "description", "submitted_at")


@dataclass(frozen=True)
class Segment:
    """The request as it stood from `valid_from` (included) to `valid_until` (excluded; None:
    from then on, as it stands).

    `status`, `fields` (the SEGMENT_FIELDS whose value then differed from the current one), the
    funnel flags, `recurrence`: what the report reads of the request at a cut in the segment
    (`history.state_at`). `responded`: its first response as a report made at a moment in the
    segment judges it (metrics.response_verdict). `clocks`: the state the SLA clocks read at a
    moment in the segment (`sla.state.stood`), while open; `report_clocks`: the same state read
    from the request as it stood (what the report's "overdue now" evaluates; it differs only for
    requests whose history does not explain their fields, such as imported ones). Their `as_of`
    is `valid_from`: a reader sets the moment asked. `bare`: the completion without a `complete`
    entry that the request then had (an imported completion time), if any, while it can count at a
    cut in the segment: one at or after `valid_until` never does (a report counts a completion
    that has happened by its cut, and its cut in the segment is before `valid_until`), and an
    imported history, whose entries do not undo its completion time, would otherwise have one in
    every segment before its `complete` entry.
    """

    valid_from: datetime
    valid_until: datetime | None
    status: str
    fields: tuple[tuple[str, Any], ...]
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    recurrence: bool
    responded: datetime | None
    clocks: State | None
    report_clocks: State | None
    bare: CompletionFact | None = None

    def same_as(self, other: Segment) -> bool:
        """Whether the two segments say the same of the request (their moments aside)."""
        return _key(self) == _key(other)


_WITHOUT_AS_OF = attrgetter(*(f.name for f in fields(State) if f.name != "as_of"))


def _key(segment: Segment) -> tuple[Any, ...]:
    def clocks(state: State | None) -> Any:
        return None if state is None else _WITHOUT_AS_OF(state)

    return (segment.status, segment.fields, segment.assigned, segment.completed, segment.verified, segment.closed,
            segment.recurrence, segment.responded, clocks(segment.clocks), clocks(segment.report_clocks),
            segment.bare)


def moments(request: Request) -> list[datetime]:
    """The moments at which something a segment holds can change (UTC, oldest first, none before
    the submission): the submission, every entry, and the recorded completion and response
    times, current or in a change."""
    submitted = utc(request.submitted_at)
    times = {submitted}
    for entry in request.history:
        times.add(utc(entry.at))
        changes = entry.changes
        if not changes:
            continue
        for name in ("completed_at", "responded_at"):
            change = changes.get(name)
            if isinstance(change, (list, tuple)) and len(change) == 2:
                for value in change:
                    moment = as_datetime(value)
                    if isinstance(moment, datetime):
                        times.add(utc(moment))
    for value in (request.completed_at, request.responded_at, request.closed_at):
        if value is not None:
            times.add(utc(value))
    return sorted(t for t in times if t >= submitted)


def timeline(request: Request) -> list[Segment]:
    """The request's segments from its submission on, oldest first; the last one has no end.
    Neighbours that say the same are merged."""
    points = moments(request)
    if in_time_order(request):
        found = _segments_in_order(request, points)
    else:  # the history as it stood is not a first part of it: each moment replayed on its own
        found = [_segment(request, start, points[i + 1] if i + 1 < len(points) else None)
                 for i, start in enumerate(points)]
    segments: list[Segment] = []
    for segment in found:
        if segments and segments[-1].same_as(segment):
            segments[-1] = replace(segments[-1], valid_until=segment.valid_until)
        else:
            segments.append(segment)
    return segments


class _Read(NamedTuple):
    """What a segment reads of the history as it stood: whether a completion stood, the time of
    one without its `complete` entry (None: none), the funnel flags and the first response entry."""

    completed: bool
    bare_at: datetime | None
    assigned: bool
    verified: bool
    closed: bool
    first: datetime | None


def _read(view: Request, start: datetime) -> _Read:
    """The definition: history.completion_times, tally.funnel_flags, the earliest response entry."""
    stood_then = completion_times(view)
    assigned, verified, closed = funnel_flags(view.history)
    first = min((e.at for e in view.history if e.action in RESPONSE_ACTIONS and e.at <= start), default=None)
    bare = stood_then[0][0] if stood_then and stood_then[0][1] is None else None
    return _Read(bool(stood_then), bare, assigned, verified, closed, first)


def _segment(request: Request, start: datetime, until: datetime | None) -> Segment:
    """The segment from `start`, each answer replayed on its own (the definition)."""
    view = state_at(request, lambda at: at <= start)
    assert view is not None  # start is never before the submission
    clocks = stood(request, start)
    report_clocks = clocks if view is request else stood(view, start)
    return _made(request, view, start, until, clocks, report_clocks, _read(view, start))


def _segments_in_order(request: Request, points: list[datetime]) -> list[Segment]:
    """The segments of a request whose history is in time order, replayed once: at a moment its
    history as it stood is the entries up to it, and the request as it stood then is the one of
    the next moment with the next entry's changes undone (what `history.state_at` does); what
    `_read` reads of that history is gathered entry by entry, in the same order."""
    replayed = replay_over(request, points)
    history = request.history
    views: dict[int, Request] = {len(history): request}
    unchanged = {len(history): True}  # whether the view's fields are the request's (nothing undone changed any)
    lowest = len(history)
    segments = []
    fed = 0
    found = any_complete = assigned = verified = closed = False
    waiting = first = None
    for index, start in enumerate(points):
        kept = replayed.progress[index][0]
        while lowest > kept:
            lowest -= 1
            views[lowest] = undone(views[lowest + 1], history, lowest)
            unchanged[lowest] = unchanged[lowest + 1] and not history[lowest].changes
        while fed < kept:  # the entries up to `start`, oldest first (completion_times, funnel_flags)
            entry = history[fed]
            fed += 1
            action = entry.action
            if first is None and action in RESPONSE_ACTIONS:
                first = entry.at
            if action == "complete":
                waiting, any_complete = entry, True
            elif action == "verify":
                failed = verification_failed(entry)
                verified = verified or not failed
                if waiting is not None:
                    found = found or not failed
                    waiting = None
            elif action == "assign":
                assigned = True
            elif action == "close":
                closed = True
        view = views[kept]
        bare = view.completed_at if not any_complete else None
        read = _Read(bare is not None or found or waiting is not None, bare, assigned, verified, closed, first)
        clocks = replayed.states[index]
        report_clocks = clocks if view is request else (
            lambda view=view, index=index, start=start: stood_as(view, request, replayed, index, start))
        until = points[index + 1] if index + 1 < len(points) else None
        end_state = (lambda view=view, index=index: stood_at_end(view, replayed, index)) if bare is not None else None
        segments.append(_made(request, view, start, until, clocks, report_clocks, read, end_state, unchanged[kept]))
    return segments


def _made(request: Request, view: Request, start: datetime, until: datetime | None, clocks: State,
          report_clocks: State | Callable[[], State], read: _Read,
          end_state: Callable[[], State] | None = None, unchanged: bool = False) -> Segment:
    """The segment from `start` of the request whose view then is `view`, with the clocks' states
    of the request (`clocks`) and of the view (`report_clocks`, or what computes it when needed)
    at `start`, what it reads of the history then, and (`end_state`) what gives the view's clocks
    at its recorded end without a replay, when known. `unchanged`: the view's fields are known
    to be the request's (no entry undone to make it changed any)."""
    differ = () if unchanged else tuple((name, getattr(view, name)) for name in SEGMENT_FIELDS
                                        if getattr(view, name) != getattr(request, name))
    bare_at = read.bare_at
    bare = None if bare_at is None or (until is not None and bare_at >= until) else completion_fact(
        view, bare_at, None, end_state)
    first = read.first
    is_open = view.status in OPEN_STATUSES
    if callable(report_clocks) and (is_open or first is None):
        report_clocks = report_clocks()
    seen = report_clocks if isinstance(report_clocks, State) else None
    return Segment(
        start, until, view.status, differ, read.assigned, read.completed, read.verified, read.closed,
        registered_as_recurrence(view),
        first if first is not None or seen is None else seen.responded,  # metrics.response_verdict's rule
        clocks if clocks.status in OPEN_STATUSES else None,
        seen if is_open and seen is not None and seen.status in OPEN_STATUSES else None,
        bare)


@dataclass(frozen=True)
class CompletionSpan:
    """A completion with its `complete` entry, and when it stood: from `valid_from` (the moment
    its entry is in the history as it stood) until `valid_until` (excluded; None: for good),
    when the next completion or a failed verification set it aside (history.completion_times).
    `fact` is the completion's, as it stood right after it."""

    fact: CompletionFact
    valid_from: datetime
    valid_until: datetime | None


def completion_spans(request: Request) -> list[CompletionSpan]:
    """Every completion of the request with a `complete` entry, standing now or not."""
    history = request.history
    # The history as it stood at t is its entries up to the last one at or before t: an entry is
    # in it from the earliest time of the entries from it on.
    earliest: list[datetime] = [utc(e.at) for e in history]
    for index in range(len(history) - 2, -1, -1):
        earliest[index] = min(earliest[index], earliest[index + 1])
    spans = []
    for index, entry in enumerate(history):
        if entry.action != "complete":
            continue
        until = None
        for later in range(index + 1, len(history)):
            action = history[later].action
            if action == "complete" or (action == "verify" and verification_failed(history[later])):
                until = earliest[later]
                break
            if action == "verify":
                break
        spans.append(CompletionSpan(completion_fact(request, entry.at, index), earliest[index], until))
    return spans
