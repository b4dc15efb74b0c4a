"""The report's bulk reads: only the rows a period needs, over the plain sqlite3 connection of
`reader.ReadUnitOfWork` (no SQLAlchemy import, no per-value result processing).

A year's report over 100,000 requests must take about two seconds, so rows become domain values
with the reader's own converters (`request_from_row`, `time_from_stored`), the history entries'
`changes` are decoded only when asked for (`LazyChanges`), and nothing else is loaded.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ..domain.metrics import MonthlyInputs
from ..domain.record import HistoryEntry, Request
from .reader import REQUEST_FIELDS, request_from_row, time_from_stored, time_to_stored

_OPEN_SQL = "('pending', 'in-progress', 'verifying')"
_BATCH = 20_000  # history rows fetched at a time


def relevant_requests(conn: sqlite3.Connection, *, submitted_by: datetime, touched_since: datetime) -> list[Request]:
    """Every request submitted at or before `submitted_by` that is open now or has an event at
    or after `touched_since`, with its history (oldest first; attachments are not loaded).

    These are all the requests a report can count: a request that was open at the period's end
    (or at as_of) but is not open now has changed since, so it has an event after that; its
    latest event time is `updated_at` (migration 002).
    """
    condition = f"r.submitted_at <= ? AND (r.status IN {_OPEN_SQL} OR r.updated_at >= ?)"
    params = (time_to_stored(submitted_by), time_to_stored(touched_since))
    columns = ", ".join(f'r."{name}"' for name in REQUEST_FIELDS)
    requests = {row[0]: request_from_row(row)
                for row in conn.execute(f"SELECT {columns} FROM request r WHERE {condition}", params)}
    # The histories of those requests only, by primary key: a JSON array of their IDs drives the
    # join, so the events of the other requests (most of a large database) are never read. The
    # nested loop yields each request's events in primary-key (seq) order; no ORDER BY, which
    # would sort every row again, and a request found out of order is sorted below.
    cursor = conn.execute(
        "SELECT e.request_id, e.seq, e.at, e.action, e.actor, e.changes, e.note "
        "FROM json_each(?) AS wanted JOIN event e ON e.request_id = wanted.value",
        (json.dumps(list(requests)),),
    )
    unordered: set[str] = set()
    while True:
        rows = cursor.fetchmany(_BATCH)
        if not rows:
            break
        for request_id, seq, at, action, actor, changes, note in rows:
            history = requests[request_id].history
            if history and history[-1].seq > seq:
                unordered.add(request_id)
            lazy = LazyChanges(changes) if changes and changes != "{}" else {}
            history.append(HistoryEntry(seq, time_from_stored(at), action, actor, lazy, note or ""))
    for request_id in unordered:
        requests[request_id].history.sort(key=lambda entry: entry.seq)
    return list(requests.values())


class LazyChanges(Mapping[str, Any]):
    """A history entry's `changes` ({field: [old, new]}) read from its stored JSON text only when
    needed.

    Most of the report's questions are "did this entry change field X" for entries that did
    not; a key that does not appear in the text as `"X"` cannot be in the decoded object (the
    keys are ASCII field names, which JSON writes literally), so `get` and `in` answer those
    without decoding. Anything else (items, iteration, len, a key that does appear) decodes the
    text once.
    """

    __slots__ = ("_text", "_value")

    def __init__(self, text: str | None) -> None:
        self._text = text or ""
        self._value: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._value is None:
            value = json.loads(self._text) if self._text else None
            self._value = value if isinstance(value, dict) else {}
        return self._value

    def _absent(self, key: object) -> bool:
        return self._value is None and (not isinstance(key, str) or f'"{key}"' not in self._text)

    def get(self, key: str, default: Any = None) -> Any:
        if self._absent(key):
            return default
        return self._decoded().get(key, default)

    def __contains__(self, key: object) -> bool:
        return not self._absent(key) and key in self._decoded()

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"LazyChanges({self._decoded()!r})"


def materialise(requests: list[Request]) -> None:
    """Replace LazyChanges by plain dicts (for code that serialises the history)."""
    for request in requests:
        for entry in request.history:
            if isinstance(entry.changes, LazyChanges):
                entry.changes = dict(entry.changes)


# A verify entry failed when it recorded verification → fail (or, without that change, the status
# going back to in-progress): the same rule as domain.metrics.verification_failed.
_FAILED = (
    "CASE WHEN json_extract(v.changes, '$.verification[1]') IS NOT NULL "
    "     THEN json_extract(v.changes, '$.verification[1]') = 'fail' "
    "     ELSE coalesce(json_extract(v.changes, '$.status[1]') = 'in-progress', 0) END"
)


def monthly_inputs(conn: sqlite3.Connection, start: datetime, end: datetime, as_of: datetime) -> MonthlyInputs:
    """The trend's inputs for [start, end), as the cut (before `end`, not after `as_of`) saw them:
    submissions, completions that stood, and completions of requests without `complete` entries.

    A completion stands unless the verification that follows it (the request's next `verify`
    entry) happened by the cut and failed: domain.metrics.standing_completions, in SQL.
    """
    low, high, seen = time_to_stored(start), time_to_stored(end), time_to_stored(as_of)
    inputs = MonthlyInputs()
    inputs.submissions = [
        time_from_stored(at) for (at,) in conn.execute(
            "SELECT submitted_at FROM request WHERE submitted_at >= ? AND submitted_at < ? AND submitted_at <= ?",
            (low, high, seen))
    ]
    inputs.standing = [
        time_from_stored(at) for (at,) in conn.execute(
            "SELECT c.at FROM event c WHERE c.action = 'complete' AND c.at >= ? AND c.at < ? AND c.at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM event v WHERE v.request_id = c.request_id AND v.action = 'verify' "
            "    AND v.at < ? AND v.at <= ? "
            "    AND v.seq = (SELECT min(w.seq) FROM event w "
            "                 WHERE w.request_id = c.request_id AND w.action = 'verify' AND w.seq > c.seq) "
            f"    AND {_FAILED})",
            (low, high, seen, high, seen),
        )
    ]
    inputs.completed_without_entry = [
        time_from_stored(at) for (at,) in conn.execute(
            "SELECT completed_at FROM request WHERE completed_at >= ? AND completed_at < ? AND completed_at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM event e WHERE e.request_id = request.id AND e.action = 'complete')",
            (low, high, seen),
        )
    ]
    return inputs
