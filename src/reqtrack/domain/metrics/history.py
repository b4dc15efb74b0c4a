"""Reading a request's history for the report: its standing completions, and the request as it
stood at the cut, rebuilt by undoing, newest first, the changes of the entries after it (so a
report on last week gives the same volumes today as it did on Monday). Pure."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..lifecycle import RESPONSE_ACTIONS
from ..links import links_before
from ..record import HistoryEntry, Request

_TIME_FIELDS = frozenset({"submitted_at", "due", "completed_at", "closed_at", "responded_at"})


def verification_failed(entry: HistoryEntry) -> bool:
    """A `verify` entry that sent the work back (fail)."""
    verdict = entry.changes.get("verification")
    if isinstance(verdict, (list, tuple)) and len(verdict) == 2:
        return verdict[1] == "fail"
    status = entry.changes.get("status")
    return isinstance(status, (list, tuple)) and len(status) == 2 and status[1] == "in-progress"


def standing_completions(steps: Sequence[tuple[str, bool]]) -> list[int]:
    """Positions of the completions that stand, given a request's history as (action, failed).

    A `complete` entry is the actual completion of its cycle unless the verification that
    follows it failed (a fail clears the completion and the work goes on). A completion still
    waiting for verification, or cancelled while verifying, stands.
    """
    result: list[int] = []
    waiting: int | None = None
    for index, (action, failed) in enumerate(steps):
        if action == "complete":
            waiting = index
        elif action == "verify" and waiting is not None:
            if not failed:
                result.append(waiting)
            waiting = None
    if waiting is not None:
        result.append(waiting)
    return result


def completion_times(request: Request) -> list[tuple[datetime, int | None]]:
    """(time, history position) of every completion of the request that stands (the rule of
    `standing_completions`, in one pass over the history).

    An imported request whose history has no `complete` entry but that has an actual
    completion time counts that time once (position None).
    """
    history = request.history
    found: list[tuple[datetime, int | None]] = []
    waiting: int | None = None
    any_complete = False
    for index, entry in enumerate(history):
        action = entry.action
        if action == "complete":
            waiting = index
            any_complete = True
        elif action == "verify" and waiting is not None:
            if not verification_failed(entry):
                found.append((history[waiting].at, waiting))
            waiting = None
    if waiting is not None:
        found.append((history[waiting].at, waiting))
    if not any_complete and request.completed_at is not None:
        return [(request.completed_at, None)]
    return found


UNREADABLE = object()  # an old value that is no time: what a repaired stored time kept (history keeps the raw text)


def change_value(name: str, value: Any) -> Any:
    """A change's stored value as the field's value: times read from ISO text; UNREADABLE for
    the raw text of a stored time that could not be read (`reqtrack edit --submitted-at`
    repairs it, and its history keeps what was there)."""
    if name in _TIME_FIELDS and isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return UNREADABLE
    return value


def state_at(request: Request, has_happened: Callable[[datetime], bool]) -> Request | None:
    """The request as it stood when only the entries for which `has_happened(at)` is true had
    happened; None when it had not been submitted yet.

    The newer entries' changes are undone newest first (each change keeps its old value).
    The request itself is returned when nothing has to be undone.
    """
    if not has_happened(request.submitted_at):
        return None
    history = request.history
    kept = len(history)
    while kept and not has_happened(history[kept - 1].at):
        kept -= 1
    if kept == len(history):
        return request
    view = copy.copy(request)
    view.history = history[:kept]
    view.links = links_before(request.links, history[kept:])
    for entry in reversed(history[kept:]):
        _undo(view, entry)
    view.responded_at = next((e.at for e in view.history if e.action in RESPONSE_ACTIONS), None)
    return view


def _undo(view: Request, entry: HistoryEntry) -> None:
    """Set the fields `entry` changed back to their old values."""
    for name, change in entry.changes.items():
        if name in ("id", "history", "attachments") or not hasattr(view, name):
            continue
        if isinstance(change, (list, tuple)) and len(change) == 2:
            old = change_value(name, change[0])
            if old is not UNREADABLE:  # an unreadable time stands as repaired: the nearest value that reads
                setattr(view, name, old)


def undone(later: Request, history: Sequence[HistoryEntry], kept: int) -> Request:
    """The request as it stood with the first `kept` entries of its `history` only, given
    `later`, the request as it stood with the first kept + 1 (or the request itself): what
    `state_at` gives, one entry at a time."""
    view = object.__new__(Request)
    view.__dict__.update(later.__dict__)  # copy.copy, without its generic protocol (a timeline makes many)
    view.history = history[:kept] if isinstance(history, list) else list(history[:kept])
    entry = history[kept]
    # links_before with nothing to undo is the same links (in ID order); a timeline reads them only for the kind
    view.links = links_before(later.links, [entry]) if entry.changes and "link" in entry.changes else later.links
    _undo(view, entry)
    view.responded_at = next((e.at for e in view.history if e.action in RESPONSE_ACTIONS), None)
    return view


def as_completed(request: Request, position: int, completed_at: datetime) -> Request:
    """The request as it stood right after the completion at `position` of its history (what
    the SLA helpers read to measure that completion's resolution time)."""
    stood = state_at(request, lambda at: at <= completed_at)
    assert stood is not None  # a completion is never before the submission
    view = copy.copy(stood)
    view.history = request.history[:position + 1]
    view.completed_at = completed_at
    view.closed_at = None
    view.status = "verifying"
    return view


def field_at(request: Request, name: str, moment: datetime) -> Any:
    """The value field `name` had at `moment`: the old value of its earliest change after
    `moment`, else its current value (what `state_at` rebuilds, for one field)."""
    value = getattr(request, name)
    for entry in reversed(request.history):
        if entry.at <= moment:
            break
        change = entry.changes.get(name)
        if isinstance(change, (list, tuple)) and len(change) == 2:
            old = change_value(name, change[0])
            if old is not UNREADABLE:
                value = old
    return value
