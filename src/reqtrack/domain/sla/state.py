"""The request as it stood at a moment: what the clocks need, replayed from its history.

Every clock is computed from what the request has stored: `submitted_at` and the history
entries (their times, actions and `changes` {field: [old, new]}), falling back on the stored
fields only where the history says nothing (an imported request whose process log was free
text). Evaluating at an `as_of` in the past ignores the entries after it and reads each field
as it was then (the old value of the first later change), so `overdue --as-of` answers what
was overdue at that moment. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any, NamedTuple

from ..lifecycle import RESPONSE_ACTIONS
from ..record import HistoryEntry, Request

UTC = timezone.utc
_MISSING = object()


def utc(t: datetime) -> datetime:
    zone = t.tzinfo
    if zone is UTC:  # the common case: stored times come back in UTC
        return t
    if zone is None:
        raise ValueError(f"a timezone-aware datetime is needed, not {t!r}")
    return t.astimezone(UTC)


def as_datetime(value: Any) -> Any:
    """A datetime from a stored change value (ISO text or datetime); _MISSING when unreadable."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return _MISSING
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return _MISSING


_FIELD_READERS = {
    "status": lambda v: v if isinstance(v, str) or v is None else _MISSING,
    "priority": lambda v: v if isinstance(v, str) or v is None else _MISSING,
    "feasibility": lambda v: v if isinstance(v, str) or v is None else _MISSING,
    "waiting": lambda v: bool(v),
    "due": as_datetime,
    "completed_at": as_datetime,
}


@dataclass  # not frozen: built once per request by `overdue` and the report, and never changed
class State:
    """What the clocks need, as it stood at `as_of` (all times UTC)."""

    as_of: datetime
    submitted: datetime
    status: str
    priority: str | None
    due: datetime | None
    due_set: datetime | None
    completed: datetime | None
    reopened: datetime | None
    responded: datetime | None
    assigned: datetime | None
    last_event: datetime
    pauses: tuple[tuple[datetime, datetime | None], ...]  # (begin, end); end None = still paused


_TIME_AND_SEQ = itemgetter(0, 1)


def _ordered(history: Iterable[HistoryEntry]) -> list[tuple[datetime, int, HistoryEntry]]:
    """(time in UTC, seq, entry), oldest first."""
    return sorted(((e.at if e.at.tzinfo is UTC else utc(e.at), e.seq, e) for e in history), key=_TIME_AND_SEQ)


def _fields_at(request: Request, later: list[HistoryEntry]) -> dict[str, Any]:
    """The fields the clocks read, as they were before the `later` entries (oldest first): a
    field's value is the old value of its first change among them, else the current one."""
    values: dict[str, Any] = {
        "status": request.status, "priority": request.priority, "feasibility": request.feasibility,
        "waiting": request.waiting, "due": request.due, "completed_at": request.completed_at,
    }
    if later:  # entries after as_of (`--as-of` in the past): read the old values
        earlier: dict[str, Any] = {}
        for entry in later:
            for name, change in (entry.changes or {}).items():
                if name in _FIELD_READERS and name not in earlier and isinstance(change, (list, tuple)) and len(change) == 2:
                    earlier[name] = _FIELD_READERS[name](change[0])
        for name, value in earlier.items():
            if value is not _MISSING:
                values[name] = value
    return values


def _reconcile_pauses(pauses: list[tuple[datetime, datetime | None]], begun: datetime | None, paused_now: bool,
                      last_event: datetime) -> None:
    """Close or open the last pause of the replay (`begun`: the start of the one still open) as
    the fields say, when the history does not say how they got there (imports); a pause still
    running ends in None."""
    if paused_now and begun is None:
        begun = last_event
    elif not paused_now and begun is not None:
        pauses.append((begun, last_event))
        begun = None
    if begun is not None:
        pauses.append((begun, None))


def stood(request: Request, as_of: datetime) -> State:
    """Replay the history up to `as_of` (one pass) and read each field as it was then."""
    as_of = utc(as_of)
    entries = _ordered(request.history)
    progress = next(_replay(entries, (as_of,)))
    values = _fields_at(request, [entry for _, _, entry in entries[progress[0]:]])
    return _stood_then(as_of, entries, progress, values, request.submitted_at, request.responded_at, request.owner)


# What the replay has gathered after the entries up to a moment: (how many entries, responded,
# assigned, reopened, due set, the pauses ended, the start of the pause still running).
Progress = tuple[int, "datetime | None", "datetime | None", "datetime | None", "datetime | None",
                 tuple[tuple[datetime, "datetime | None"], ...], "datetime | None"]


def _replay(entries: list[tuple[datetime, int, HistoryEntry]], stops: Iterable[datetime]) -> Iterator[Progress]:
    """One pass over the entries (oldest first), yielding the progress at each of the `stops`
    (ascending): after every entry at or before it."""
    responded = assigned = reopened = due_set = None
    deferred = waiting = False
    pauses: list[tuple[datetime, datetime | None]] = []
    begun: datetime | None = None
    fed, count = 0, len(entries)
    for stop in stops:
        # The hot loop of a replay over many requests: kept inline.
        while fed < count and entries[fed][0] <= stop:
            at, _, entry = entries[fed]
            fed += 1
            action = entry.action
            if responded is None and action in RESPONSE_ACTIONS:
                responded = at
            if action == "assign":
                if assigned is None:
                    assigned = at
            elif action == "reopen":
                reopened = at
            changes = entry.changes
            if not changes:
                continue  # nothing changed: neither the due nor a pause
            if "due" in changes:
                due_set = at
            was_paused = deferred or waiting
            change: Any = changes.get("feasibility")
            if isinstance(change, (list, tuple)) and len(change) == 2:
                deferred = change[1] == "defer"
            change = changes.get("waiting")
            if isinstance(change, (list, tuple)) and len(change) == 2:
                waiting = bool(change[1])
            if not was_paused and (deferred or waiting):
                begun = at
            elif was_paused and not (deferred or waiting) and begun is not None:
                pauses.append((begun, at))
                begun = None
        yield fed, responded, assigned, reopened, due_set, tuple(pauses), begun


def _stood_then(as_of: datetime, entries: list[tuple[datetime, int, HistoryEntry]], progress: Progress,
                values: dict[str, Any], submitted_at: datetime, responded_at: datetime | None,
                owner: str | None) -> State:
    """The State at `as_of` from the replay's progress then and the fields as they were
    (`values`), with the request's submission, recorded response time and owner."""
    fed, responded, assigned, reopened, due_set, ended, begun = progress
    submitted = utc(submitted_at)
    last_event = max(entries[fed - 1][0], submitted) if fed else submitted

    paused_now = values["feasibility"] == "defer" or bool(values["waiting"])
    pauses = list(ended)
    _reconcile_pauses(pauses, begun, paused_now, last_event)

    status = values["status"] or "pending"
    if responded is None and responded_at is not None and utc(responded_at) <= as_of:
        responded = utc(responded_at)
    if responded is None and status != "pending":
        responded = last_event  # handled at an unknown time, at the latest by the last recorded event
    if assigned is None and owner and status in ("in-progress", "verifying", "done", "closed"):
        assigned = last_event

    due = values["due"]
    completed = values["completed_at"]
    return State(
        as_of=as_of,
        submitted=submitted,
        status=status,
        priority=values["priority"],
        due=utc(due) if due is not None else None,
        due_set=due_set,
        completed=utc(completed) if completed is not None and utc(completed) <= as_of else None,
        reopened=reopened,
        responded=responded,
        assigned=assigned,
        last_event=last_event,
        pauses=tuple(pauses),
    )


def in_time_order(request: Request) -> bool:
    """Whether the history's entries are in time order (then seq order): the history as it
    stood at any moment is a first part of it."""
    history = request.history
    return all((history[i].at, history[i].seq) <= (history[i + 1].at, history[i + 1].seq)
               for i in range(len(history) - 1))


class Replayed(NamedTuple):
    """A history replayed once for many moments (`replay_over`)."""

    entries: list[tuple[datetime, int, HistoryEntry]]  # (time in UTC, seq, entry), oldest first
    progress: list[Progress]  # the replay's progress at each moment
    states: list[State]  # stood(request, moment) for each moment
    values: list[dict[str, Any]]  # the fields the clocks read, as they were at each moment


def replay_over(request: Request, moments: list[datetime]) -> Replayed:
    """`stood(request, t)` for each of `moments` (UTC, ascending), in one pass."""
    entries = _ordered(request.history)
    # The fields as they were before the entries from position p on, for every p (see _fields_at).
    values = {"status": request.status, "priority": request.priority, "feasibility": request.feasibility,
              "waiting": request.waiting, "due": request.due, "completed_at": request.completed_at}
    first_change: dict[str, Any] = {}
    before: list[dict[str, Any]] = [values] * (len(entries) + 1)
    for position in range(len(entries) - 1, -1, -1):
        for name, change in (entries[position][2].changes or {}).items():
            if name in _FIELD_READERS and isinstance(change, (list, tuple)) and len(change) == 2:
                first_change[name] = _FIELD_READERS[name](change[0])
        before[position] = {**values, **{k: v for k, v in first_change.items() if v is not _MISSING}}
    progress = list(_replay(entries, moments))
    then = [before[step[0]] for step in progress]
    states = [_stood_then(moment, entries, step, fields, request.submitted_at, request.responded_at, request.owner)
              for moment, step, fields in zip(moments, progress, then)]
    return Replayed(entries, progress, states, then)


def stood_as(view: Request, request: Request, replayed: Replayed, index: int, moment: datetime) -> State:
    """`stood(view, moment)` for the request as it stood at `moment` (`view`: its history the
    entries at or before it, its fields as they were then), given `request`'s history replayed
    over moments whose `index`-th is `moment` (a history in time order: the view's entries are
    the replay's first ones). The state of the request itself when everything the state is
    made from is the same."""
    values = {"status": view.status, "priority": view.priority, "feasibility": view.feasibility,
              "waiting": view.waiting, "due": view.due, "completed_at": view.completed_at}
    moment = utc(moment)

    def seen(responded_at: datetime | None) -> datetime | None:  # how _stood_then reads it
        return responded_at if responded_at is not None and utc(responded_at) <= moment else None

    _, responded, assigned, *_ = replayed.progress[index]
    owner_read = assigned is None and (values["status"] or "pending") in ("in-progress", "verifying", "done", "closed")
    if (values == replayed.values[index] and view.submitted_at == request.submitted_at
            and (not owner_read or bool(view.owner) == bool(request.owner))
            and (responded is not None or seen(view.responded_at) == seen(request.responded_at))):
        return replayed.states[index]
    return _stood_then(moment, replayed.entries, replayed.progress[index], values, view.submitted_at,
                       view.responded_at, view.owner)


def stood_at_end(view: Request, replayed: Replayed, index: int) -> State:
    """`stood(view, recorded_end(view))` for the request as it stood at the `index`-th moment of
    `replayed` (`view`: its history the replayed history's entries up to that moment, a history
    in time order; its fields as they were then), read from the replay's progress at that moment
    instead of replaying: the view's entries are the ones the replay had fed by then (the last of
    them the latest), and none of them is after the view's recorded end."""
    values = {"status": view.status, "priority": view.priority, "feasibility": view.feasibility,
              "waiting": view.waiting, "due": view.due, "completed_at": view.completed_at}
    progress = replayed.progress[index]
    fed = progress[0]
    end = utc(view.submitted_at)  # recorded_end(view), its latest entry known
    if fed and replayed.entries[fed - 1][0] > end:
        end = replayed.entries[fed - 1][0]
    for value in (view.completed_at, view.responded_at, view.closed_at):
        if value is not None and utc(value) > end:
            end = utc(value)
    return _stood_then(end, replayed.entries, progress, values, view.submitted_at, view.responded_at, view.owner)


def recorded_end(request: Request) -> datetime:
    """A moment after everything recorded about the request (to evaluate it "as of now"): its
    submission, history entries, completion, response and closing times (UTC)."""
    times = [utc(request.submitted_at)] + [utc(e.at) for e in request.history]
    for value in (request.completed_at, request.responded_at, request.closed_at):
        if value is not None:
            times.append(utc(value))
    return max(times)


def status_at(request: Request, as_of: datetime) -> str:
    """The request's status at `as_of`, replayed from its history."""
    return stood(request, as_of).status
