"""The report's bulk reads: only the rows a period needs, over the plain sqlite3 connection of
the unit of work (repository.UnitOfWork; no SQLAlchemy import, no per-value result processing).

A year's report over 100,000 requests must take about two seconds, so rows become domain values
with the stored-value converters of stored.py (`request_from_row`, `time_from_stored`), the history entries'
`changes` are decoded only when asked for (`LazyChanges`), and nothing else is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ..domain.metrics import (
    DISTRIBUTED,
    SHOWN,
    AtCut,
    Completion,
    CompletionSpan,
    EventCounts,
    MonthlyInputs,
    NewCounts,
    OpenRequest,
    QuietNew,
)
from ..domain.record import HistoryEntry, Link, Request
from ..domain.vocab import OPEN_STATUSES
from .engine import SQLITE, Engine
from .stored import (
    DEADLINE_COLUMNS,
    FOREVER,
    LITE_FIELDS,
    NO_END,
    REPORT_FACTS_BASIS,
    REPORT_FACTS_VERSION,
    REQUEST_FIELDS,
    SPANS,
    RequestFilter,
    clocks_from_text,
    completion_fact_from_row,
    completions_from_verdicts,
    fields_from_text,
    instant_from_stored,
    instant_to_stored,
    lite_request_from_row,
    request_from_row,
    time_from_stored,
    time_to_stored,
    where_clause,
)

_OPEN_SQL = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
_BATCH = 20_000  # history rows fetched at a time


def _engine(conn: Any) -> Engine:
    return getattr(conn, "engine", SQLITE)  # a plain sqlite3 connection is SQLite's


def relevant_requests(conn: Any, *, submitted_by: datetime, touched_since: datetime) -> list[Request]:
    """Every request submitted at or before `submitted_by` that is open now or has an event at
    or after `touched_since`, with its history (oldest first; attachments are not loaded).

    These are all the requests a report can count: a request that was open at the period's end
    (or at as_of) but is not open now has changed since, so it has an event after that; its
    latest event time is `updated_at` (migration 002).
    """
    return _with_history(conn, f"r.submitted_at <= ? AND (r.status IN {_OPEN_SQL} OR r.updated_at >= ?)",
                         (time_to_stored(submitted_by), time_to_stored(touched_since)))


def touched_requests(conn: Any, *, submitted_by: datetime, since: datetime) -> list[Request]:
    """The requests submitted at or before `submitted_by` that were submitted or had an event at
    or after `since` (a superset of a period's requests, for the workbook's request sheet), with
    their histories."""
    low = time_to_stored(since)
    return _with_history(conn, "r.submitted_at <= ? AND (r.updated_at >= ? OR r.submitted_at >= ?)",
                         (time_to_stored(submitted_by), low, low))


def _with_history(conn: Any, condition: str, params: tuple[Any, ...] | dict[str, Any]) -> list[Request]:
    """The requests `r` meeting `condition`, each with its history (oldest first)."""
    columns = ", ".join(f'r."{name}"' for name in REQUEST_FIELDS)
    requests = {row[0]: request_from_row(row)
                for row in conn.execute(f"SELECT {columns} FROM request r WHERE {condition}", params)}
    # The histories of those requests only, by primary key: a JSON array of their IDs drives the
    # join, so the events of the other requests (most of a large database) are never read. The
    # nested loop yields each request's events in primary-key (seq) order; no ORDER BY, which
    # would sort every row again, and a request found out of order is sorted below.
    cursor = conn.execute(
        "SELECT e.request_id, e.seq, e.at, e.action, e.actor, e.changes, e.note "
        f"FROM {_engine(conn).json_rows('wanted')} JOIN event e ON e.request_id = wanted.value",
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
    _with_links(conn, requests)
    return list(requests.values())


def _with_links(conn: Any, requests: dict[str, Request]) -> None:
    """The links of `requests` (both ways), from table link (migration m007)."""
    wanted = json.dumps(list(requests))
    rows = _engine(conn).json_rows("wanted")
    found: list[tuple[str, Link]] = []
    for rid, other, kind in conn.execute(f"SELECT l.request_id, l.other_id, l.kind FROM {rows} "
                                         "JOIN link l ON l.request_id = wanted.value", (wanted,)):
        found.append((rid, Link(other, kind, "out")))
    for rid, other, kind in conn.execute(f"SELECT l.other_id, l.request_id, l.kind FROM {rows} "
                                         "JOIN link l ON l.other_id = wanted.value", (wanted,)):
        found.append((rid, Link(other, kind, "in")))
    for rid, link in sorted(found, key=lambda item: (item[0], item[1].id)):
        requests[rid].links.append(link)


# -- the stored report facts (migration m005) ------------------------------------------------------
# The period's bounds as stored text. Stored times are whole seconds, so `t >= start` and
# `t < end` compare with the bound rounded up, and `t <= as_of` with as_of rounded down.
def _up(moment: datetime) -> str:
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return time_to_stored(moment)


@dataclass(frozen=True)
class Bounds:
    """A report's period as stored text: start, end and as_of (see `_up`)."""

    start: str
    end: str
    as_of: str

    @classmethod
    def of(cls, start: datetime, end: datetime, as_of: datetime) -> Bounds:
        return cls(_up(start), _up(end), time_to_stored(as_of))


# A request is "quiet" when its whole record ends before the cut (before the period's end and
# not after as_of): as it stands, it is as it stood at the cut, and its stored facts answer.
# Each query below reads one table as one range of its primary key (no joins, no lookups).
_QUIET = "recorded_end < :end AND recorded_end <= :as_of"


def report_facts_ready(conn: Any) -> bool:
    """Whether the stored report facts are complete and of the version this code reads."""
    row = conn.execute("SELECT basis FROM derived WHERE name = ?", (REPORT_FACTS_BASIS,)).fetchone()
    return row is not None and row[0] == REPORT_FACTS_VERSION


def quiet_new(conn: Any, b: Bounds) -> list[QuietNew]:
    """The quiet requests submitted in the period, with their fields and facts."""
    rows = conn.execute(
        "SELECT type, source, priority, customer, owner, submitted, responded, assigned, completed, verified, closed, "
        f"recurrence FROM report_fact WHERE submitted >= :start AND submitted < :end AND submitted <= :as_of AND {_QUIET}",
        b.__dict__)
    return [QuietNew(kind, source, priority, customer, owner, time_from_stored(submitted),
                     None if responded is None else time_from_stored(responded),
                     assigned == 1, completed == 1, verified == 1, closed == 1, recurrence == 1)
            for kind, source, priority, customer, owner, submitted, responded, assigned, completed, verified, closed,
            recurrence in rows]


def quiet_new_counts(conn: Any, b: Bounds, allowed: timedelta, as_of: datetime) -> NewCounts:
    """The quiet requests submitted in the period, counted (domain.metrics.count_new in SQL):
    per value of each distributed field, the funnel, the recurrences, and the first responses
    within `allowed` of the submission or late at `as_of` (answered after it, or unanswered with
    it passed). Three reads of one range of report_fact's key: the totals, and the counts
    grouped by the fields of few values and by customer (a GROUP BY sorts its rows: the
    totals are not carried through the sort)."""
    new = "submitted >= :start AND submitted < :end AND submitted <= :as_of AND " + _QUIET
    # Stored times are whole seconds: within `allowed` = at most its whole seconds after; late
    # unanswered = submitted before as_of − allowed, rounded up to the second.
    params = {**b.__dict__, "allowed": allowed // timedelta(seconds=1), "unanswered_late": _up(as_of - allowed)}
    counts = NewCounts()
    received, assessed, assigned, completed, verified, closed, recurrences, in_time, late = conn.execute(
        "SELECT count(*), count(priority), count(CASE WHEN assigned = 1 THEN 1 END), "
        "count(CASE WHEN completed = 1 THEN 1 END), count(CASE WHEN verified = 1 THEN 1 END), "
        "count(CASE WHEN closed = 1 THEN 1 END), count(CASE WHEN recurrence = 1 THEN 1 END), "
        "count(CASE WHEN answered_after <= :allowed THEN 1 END), "
        "count(CASE WHEN answered_after > :allowed OR (responded IS NULL AND submitted < :unanswered_late) "
        f"THEN 1 END) FROM report_fact WHERE {new}", params).fetchone()
    counts.received, counts.recurrences, counts.in_time, counts.late = received, recurrences, in_time, late
    for stage, count in (("assessed", assessed), ("assigned", assigned), ("completed", completed),
                         ("verified", verified), ("closed", closed)):
        if count:
            counts.funnel[stage] = count
    grouped = ("type", "source", "priority", "owner")
    by = [counts.by[name] for name in grouped]
    for *values, count in conn.execute(f"SELECT {', '.join(grouped)}, count(*) FROM report_fact WHERE {new} "
                                       f"GROUP BY {', '.join(grouped)}", params):
        for counter, value in zip(by, values):
            counter[value] += count
    counts.by["customer"].update(dict(conn.execute(
        f"SELECT customer, count(*) FROM report_fact WHERE {new} GROUP BY customer", params).fetchall()))
    assert set(grouped) | {"customer"} == set(DISTRIBUTED)
    return counts


def quiet_backlog(conn: Any, b: Bounds) -> list[OpenRequest]:
    """The quiet requests that are open (so were open at the cut)."""
    rows = conn.execute(f"SELECT status, owner, department FROM report_fact WHERE status IN {_OPEN_SQL} AND {_QUIET}",
                        b.__dict__)
    return [OpenRequest(status, owner, department) for status, owner, department in rows]


def quiet_completions(conn: Any, b: Bounds) -> list[tuple[Any, str | None, str | None]]:
    """(completion fact, owner, department) of the quiet requests' standing completions in the period."""
    rows = conn.execute(
        "SELECT at, seq, start, completed, priority, due, pauses, as_of, owner, department FROM report_completion "
        f"WHERE valid_until = :forever AND at >= :start AND at < :end AND at <= :as_of AND {_QUIET}",
        {**b.__dict__, "forever": FOREVER})
    return [(completion_fact_from_row(*row[:8]), row[8], row[9]) for row in rows]


def quiet_judged(conn: Any, b: Bounds) -> list[Completion]:
    """The quiet requests' standing completions in the period, judged: their stored verdicts
    (read only while they were computed under the current settings: derived.report_verdicts)."""
    rows = _engine(conn).many_rows(
        conn, ("at", "priority", "days", "met", "on_time", "owner", "department"),
        f"FROM report_completion WHERE valid_until = :forever AND at >= :start AND at < :end AND at <= :as_of "
        f"AND {_QUIET}", {**b.__dict__, "forever": FOREVER})
    return completions_from_verdicts(rows)


def _between(conn: Any, count: str, cuts: list[datetime], params: Mapping[str, Any]) -> list[int]:
    """`count` (a SELECT count(*) with `:low` and `:high`) for each two consecutive `cuts`: one
    statement of scalar subqueries, each its own range of an index."""
    marks = {f"c{k}": _up(cut) for k, cut in enumerate(cuts)}
    parts = [count.replace(":low", f":c{k}").replace(":high", f":c{k + 1}") for k in range(len(cuts) - 1)]
    if not parts:
        return []
    return list(conn.execute("SELECT " + ", ".join(f"({part})" for part in parts), {**params, **marks}).fetchone())


def submitted_between(conn: Any, cuts: list[datetime]) -> list[int]:
    """How many requests were submitted between each two consecutive `cuts` (the trend's:
    domain.metrics.trend_cuts)."""
    return _between(conn, "SELECT count(*) FROM request WHERE submitted_at >= :low AND submitted_at < :high", cuts, {})


def quiet_completions_between(conn: Any, b: Bounds, cuts: list[datetime]) -> list[int]:
    """How many standing completions of the requests quiet for the period `b` fall between each
    two consecutive `cuts` (the trend's)."""
    return _between(conn, "SELECT count(*) FROM report_completion WHERE valid_until = :forever AND at >= :low "
                          f"AND at < :high AND {_QUIET}", cuts, {**b.__dict__, "forever": FOREVER})


def submissions(conn: Any, b: Bounds) -> list[datetime]:
    """The submission times in the period (for the trend)."""
    return [time_from_stored(at) for (at,) in conn.execute(
        "SELECT submitted_at FROM request WHERE submitted_at >= :start AND submitted_at < :end "
        "AND submitted_at <= :as_of", b.__dict__)]


def period_event_counts(conn: Any, b: Bounds) -> EventCounts:
    """The period's event counts from the stored event facts of every request submitted by the
    cut (quiet or not: an entry in the period happened before the cut either way); the rule of
    domain.metrics.count_events, in SQL: entries in the period, and per request only its latest
    rating (the row of its highest seq in the period). One range of the key per kind."""
    counts = EventCounts()
    in_period = "at >= :start AND at < :end AND at <= :as_of AND submitted < :end AND submitted <= :as_of"
    for kind in ("close", "cancel", "reopen", "first-verify"):
        count, passed = conn.execute(f"SELECT count(*), count(CASE WHEN value = 'pass' THEN 1 END) FROM report_event "
                                     f"WHERE kind = :kind AND {in_period}", {**b.__dict__, "kind": kind}).fetchone()
        if kind == "first-verify":
            counts.first_verifications += count
            counts.first_passed += passed
        elif kind == "close":
            counts.closed += count
        elif kind == "cancel":
            counts.cancelled += count
        else:
            counts.reopened += count
    # The latest rating of each request in the period: in a history in time order, the one whose
    # next rating is not in the period; in another, the highest seq, by a window over the
    # range (a correlated max(seq) per row was quadratic on PostgreSQL at 100,000 requests).
    for value, count in conn.execute(
            f"SELECT value, count(*) FROM report_event WHERE kind = 'rating' AND {in_period} AND ordered = 1 "
            "AND (later IS NULL OR later >= :end OR later > :as_of) GROUP BY value", b.__dict__):
        counts.satisfaction[value] += count
    for value, count in conn.execute(
            "SELECT value, count(*) FROM (SELECT value, row_number() OVER (PARTITION BY request_id ORDER BY seq DESC) "
            f"AS latest FROM report_event WHERE kind = 'rating' AND {in_period} AND ordered = 0) AS rated "
            "WHERE latest = 1 GROUP BY value", b.__dict__):
        counts.satisfaction[value] += count
    return counts


def facts_lacking(conn: Any) -> bool:
    """Whether some request has no stored facts (written by other means than the services): two
    index counts, so that the search for such requests is skipped when every one has them."""
    return bool(conn.execute("SELECT (SELECT count(*) FROM request) > (SELECT count(*) FROM report_fact)").fetchone()[0])


def replayed_requests(conn: Any, b: Bounds, request_ids: list[str], lacking: bool | None = None) -> list[Request]:
    """The requests of `request_ids` (changed after the cut, whose timelines do not answer) and
    those submitted by the cut that have no stored facts (written by other means than the
    services; `lacking`: whether there are any, `facts_lacking`), with their histories (judged
    by replaying them)."""
    found = _with_history(conn, f"r.id IN (SELECT w.value FROM {_engine(conn).json_rows('w')})",
                          (json.dumps(request_ids),)) if request_ids else []
    if lacking is None:
        lacking = facts_lacking(conn)
    if lacking:
        found += _with_history(conn, "r.submitted_at < :end AND r.submitted_at <= :as_of AND NOT EXISTS "
                                     "(SELECT 1 FROM report_fact f WHERE f.request_id = r.id)", b.__dict__)
    return found


# -- a cut before a request's later changes: its timeline (table request_state, m009) -------------
# The segment in force at the cut: it began at a moment that has happened (before the period's
# end and not after as_of) and ends at one that has not.
# Its parameters: the period's end, as_of, the end, as_of.
_AT_CUT = "s.valid_from < ? AND s.valid_from <= ? AND (s.valid_until >= ? OR s.valid_until > ?)"
# Submitted by the cut, recorded after it (at or after the end, or after as_of: from the earlier of
# the two on, `changed`): one range of index report_fact_recorded_end, which holds both columns.
_UNQUIET_IDS = ("SELECT request_id FROM report_fact WHERE recorded_end >= :changed "
                "AND submitted < :end AND submitted <= :as_of")


def _changed(b: Bounds) -> str:
    """The earliest stored time that is at or after the end, or after as_of (whole seconds)."""
    return min(b.end, time_to_stored(time_from_stored(b.as_of) + timedelta(seconds=1)))


_CURRENT = ("type", "source", "priority", "customer", "owner", "department")


def stood_at_cut(conn: Any, b: Bounds) -> tuple[list[AtCut], list[str]]:
    """The requests submitted by the cut whose record goes on after it, as they stood at the cut
    (from their timelines), and the IDs of those that are replayed instead: a history not in
    time order (report_fact.replay), or no segment at the cut."""
    # Their IDs first, then their rows by key: in one statement PostgreSQL, which cannot tell
    # how few requests lie across the cut, read both tables whole.
    ids = [rid for (rid,) in conn.execute(_UNQUIET_IDS, {**b.__dict__, "changed": _changed(b)})]
    if not ids:
        return [], []
    engine = _engine(conn)
    rows = engine.many_rows(
        conn, ("f.request_id", "f.submitted", "f.replay", *("f." + c for c in _CURRENT), "s.status", "s.fields",
               "s.assigned", "s.completed", "s.verified", "s.closed", "s.recurrence", "s.responded"),
        f"FROM {engine.json_rows('w')} JOIN report_fact f ON f.request_id = w.value "
        f"LEFT JOIN request_state s ON s.request_id = f.request_id AND {_AT_CUT}",
        (json.dumps(ids), b.end, b.as_of, b.end, b.as_of))
    found: list[AtCut] = []
    replay: list[str] = []
    width = 3 + len(_CURRENT)
    for row in rows:
        rid, submitted, again = row[:3]
        status, fields, assigned, completed, verified, closed, recurrence, responded = row[width:]
        if again or status is None:
            replay.append(rid)
            continue
        found.append(AtCut(rid, time_from_stored(submitted), dict(zip(_CURRENT, row[3:width])), status,
                           fields_from_text(fields), assigned == 1, completed == 1, verified == 1, closed == 1,
                           recurrence == 1, None if responded is None else time_from_stored(responded)))
    return found, replay


def responses_at(conn: Any, request_ids: list[str], moment: datetime
                 ) -> dict[str, tuple[datetime | None, dict[str, Any]]]:
    """request ID → (first response as a report made at `moment` judges it, the fields that then
    differed from now), from the segment of each request at `moment`."""
    rows = conn.execute(
        f"SELECT s.request_id, s.responded, s.fields FROM {_engine(conn).json_rows('w')} "
        "JOIN request_state s ON s.request_id = w.value WHERE s.valid_from <= ? AND s.valid_until > ?",
        (json.dumps(request_ids), time_to_stored(moment), time_to_stored(moment)))
    return {rid: (None if responded is None else time_from_stored(responded), fields_from_text(fields))
            for rid, responded, fields in rows}


def completion_spans(conn: Any, request_ids: list[str], b: Bounds | None = None) -> list[tuple[str, CompletionSpan]]:
    """(request ID, span) of every completion row of the requests: standing now or not, and the
    ones without a `complete` entry of each segment. With the period `b`, only those a report
    of it reads (metrics.tally_at_cut, metrics.trend_times, which check each again): the rows
    that stood at its cut, and the ones without an entry that stand now — an imported history
    has one such row for every segment of its timeline before its `complete` entry."""
    condition, params = "", [json.dumps(request_ids)]
    if b is not None:
        # Stood at the cut: began at a moment that has happened, ended at one that has not (or never).
        condition = (" WHERE (c.valid_from < ? AND c.valid_from <= ? AND (c.valid_until >= ? OR c.valid_until > ?))"
                     " OR (c.seq = 0 AND c.valid_until = ?)")
        params += [b.end, b.as_of, b.end, b.as_of, FOREVER]
    rows = conn.execute(
        "SELECT c.request_id, c.valid_from, c.valid_until, c.at, c.seq, c.start, c.completed, c.priority, c.due, "
        f"c.pauses, c.as_of FROM {_engine(conn).json_rows('w')} JOIN report_completion c ON c.request_id = w.value"
        + condition, params)
    return [(row[0], CompletionSpan(completion_fact_from_row(*row[3:]), time_from_stored(row[1]),
                                    None if row[2] == FOREVER else time_from_stored(row[2]))) for row in rows]


def open_states_at(conn: Any, flt: RequestFilter, moment: datetime, report: bool = False
                   ) -> Iterator[tuple[Request, str, dict[str, Any], Any]]:
    """(the request now, its status at `moment`, the fields that then differed from now, the
    state its SLA clocks read then: domain.sla.state.State at `moment`) of every request open at
    `moment` and matching `flt` (its current fields; not `open_only`), from the segments in force
    then. `report`: the state the report reads (the request as it stood), else `overdue`'s; and
    each request with the fields the report's list shows only (stored.LITE_FIELDS)."""
    where = where_clause(flt)
    if where is None:
        return iter(())
    condition, params = where
    stored = time_to_stored(moment)
    fields = LITE_FIELDS if report else REQUEST_FIELDS
    made = lite_request_from_row if report else request_from_row
    # The segments in force at `moment`: of each span 2^L hours, those that began in the 2^L hours
    # up to it (stored.span_of), and those without an end that began by then. One range of the
    # index per span, as a UNION ALL (each its own index range on both engines).
    branch = ("SELECT request_id, status, fields, clocks, report_clocks FROM request_state "
              "WHERE is_open = 1 AND span = ? AND valid_from > ? AND valid_from <= ? AND valid_until > ?")
    ranges: list[Any] = [NO_END, "", stored, stored]
    for level in SPANS:
        reach = timedelta(hours=2 ** level)
        begun = time_to_stored(moment - reach) if moment - datetime.min.replace(tzinfo=moment.tzinfo) > reach else ""
        ranges += [level, begun, stored, stored]
    segments: dict[str, tuple[str, str | None, str]] = {}
    engine = _engine(conn)
    for rid, status, then, clocks, report_clocks in engine.many_rows(
            conn, ("u.request_id", "u.status", "u.fields", "u.clocks", "u.report_clocks"),
            f"FROM ({' UNION ALL '.join([branch] * (len(SPANS) + 1))}) AS u", ranges):
        text = (clocks if report_clocks is None else report_clocks) if report else clocks
        if text is not None and text != "null":
            segments[rid] = (status, then, text)
    # Then those requests that match the filter, by their keys (a join of both in one statement
    # made PostgreSQL read and hash the whole request table).
    found = engine.many_rows(conn, [f'request."{name}"' for name in fields],
                             f"FROM {engine.json_rows('w')} JOIN request ON request.id = w.value WHERE {condition}",
                             [json.dumps(list(segments)), *params])

    def rows() -> Iterator[tuple[Request, str, dict[str, Any], Any]]:
        for row in found:
            status, then, text = segments[row[0]]
            yield made(row), status, fields_from_text(then), clocks_from_text(text, moment)

    return rows()


_BREACH_CLOCKS = ("response", "plan", "resolution", "due")  # the clocks of sla_open a breach is of
_SHOWN_COLUMNS = tuple(f'request."{name}"' for name in SHOWN)


def running_breaches(conn: Any, as_of: datetime) -> Iterator[tuple[Sequence[Any], bool, dict[str, datetime]]]:
    """(the request's metrics.SHOWN fields, whether its stored deadlines hold only from after
    `as_of`, its breach clocks' deadlines) of every open request whose stored running deadlines
    (table sla_open) can give a breach at `as_of`: the rows `Repository.running_deadlines`
    reads for `overdue` (no window, no stale), without a Request made of each."""
    where = where_clause(RequestFilter(open_only=True))
    assert where is not None  # the open requests: a filter that matches some
    condition, params = where
    columns = [f"o.{DEADLINE_COLUMNS[name]}" for name in _BREACH_CLOCKS]
    moment = instant_to_stored(as_of)
    found = _engine(conn).many_rows(
        conn, [*_SHOWN_COLUMNS, "o.valid_from", *columns],
        f"FROM sla_open AS o JOIN request ON request.id = o.request_id "
        f"WHERE (o.next_breach <= ? OR o.valid_from > ?) AND {condition}", [moment, moment, *params])
    width = len(SHOWN)
    for row in found:
        deadlines = {name: instant_from_stored(text)
                     for name, text in zip(_BREACH_CLOCKS, row[width + 1:]) if text is not None}
        yield row[:width], instant_from_stored(row[width]) > as_of, deadlines


def without_facts(conn: Any, flt: RequestFilter, moment: datetime, lacking: bool | None = None) -> list[Request]:
    """The requests that may have been open at `moment` (RequestFilter.open_at) and match `flt`
    but have no stored facts (written by other means than the services), without history;
    none at all when every request has them (`lacking`: whether some have none, `facts_lacking`)."""
    if not (facts_lacking(conn) if lacking is None else lacking):
        return []
    where = where_clause(replace(flt, open_only=False, open_at=moment))
    if where is None:
        return []
    condition, params = where
    columns = ", ".join(f'"{name}"' for name in REQUEST_FIELDS)
    return [request_from_row(row) for row in conn.execute(
        f"SELECT {columns} FROM request WHERE {condition} "
        "AND NOT EXISTS (SELECT 1 FROM report_fact f WHERE f.request_id = request.id)", params)]


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
def _failed(engine: Engine) -> str:
    verification, status = engine.json_item("v.changes", "verification", 1), engine.json_item("v.changes", "status", 1)
    return (f"(CASE WHEN {verification} IS NOT NULL THEN (CASE WHEN {verification} = 'fail' THEN 1 ELSE 0 END) "
            f"      WHEN {status} = 'in-progress' THEN 1 ELSE 0 END) = 1")


def monthly_inputs(conn: Any, start: datetime, end: datetime, as_of: datetime) -> MonthlyInputs:
    """The trend's inputs for [start, end), as the cut (before `end`, not after `as_of`) saw them:
    submissions, completions that stood, and completions of requests without `complete` entries.

    A completion stands unless the verification that follows it (the request's next `verify`
    entry) happened by the cut and failed: domain.metrics.standing_completions, in SQL.
    """
    low, high, seen = time_to_stored(start), time_to_stored(end), time_to_stored(as_of)
    inputs = MonthlyInputs()
    inputs.submissions = submissions(conn, Bounds(low, high, seen))
    inputs.standing = [
        time_from_stored(at) for (at,) in conn.execute(
            "SELECT c.at FROM event c WHERE c.action = 'complete' AND c.at >= ? AND c.at < ? AND c.at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM event v WHERE v.request_id = c.request_id AND v.action = 'verify' "
            "    AND v.at < ? AND v.at <= ? "
            "    AND v.seq = (SELECT min(w.seq) FROM event w "
            "                 WHERE w.request_id = c.request_id AND w.action = 'verify' AND w.seq > c.seq) "
            f"    AND {_failed(_engine(conn))})",
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
