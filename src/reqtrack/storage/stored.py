"""Stored values ⇄ domain values, and the WHERE clause of a filter: what every query of the
repository (repository.py) and the report (report_queries.py) shares.

A stored time is UTC text `YYYY-MM-DDTHH:MM:SSZ` (sortable as text); running deadlines keep
microseconds; JSON columns hold JSON text; flags are 0/1. The columns are declared in tables.py
and created by migrations.py. Standard library only: the everyday commands import this.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any

from ..domain.errors import InvalidInput, Message
from ..domain.record import TIME_RANGE, TIME_RANGE_TEXT, HistoryEntry, Request, storable_time
from ..domain.vocab import OPEN_STATUSES
from ..domain.vocabularies import Entry

OPEN = OPEN_STATUSES
_OPEN_SET = frozenset(OPEN)
_UTC = timezone.utc


@dataclass
class RequestFilter:
    """What `list` and `export` select. Text filters match case-insensitively anywhere in the field."""

    statuses: tuple[str, ...] = ()
    type: str | None = None
    priority: str | None = None
    customer: str | None = None
    owner: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    open_only: bool = False
    search: str | None = None
    # Requests that may have been open at this moment: submitted by then and open now or changed
    # since (updated_at is the latest event), for `overdue --as-of` in the past.
    open_at: datetime | None = None
    # Only requests whose planned completion was given as a date (re-anchored on a zone change).
    date_only_due: bool = False


# -- stored values → domain values ----------------------------------------------------------------
# A stored time is UTC text `YYYY-MM-DDTHH:MM:SSZ`. Versions before issue 13 wrote years before
# 1000 without their leading zeros (`24-05-01T14:30:00Z`: strftime's %Y on Linux), which nothing
# could read back; text edited by hand can be anything. Reading never fails on one such value:
# a form an older version wrote is read for what it says, anything else reads as
# UNREADABLE_TIME, and `check` names every stored time that is not in the stored form and range
# (with the command that repairs it).
UNREADABLE_TIME = datetime(1900, 1, 1, tzinfo=_UTC)
_LOOSE_TIME = re.compile(r"^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d*)?)?"
                         r"\s*(?:Z|[+-]00:?00)?\s*$")
STORED_TIME_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def salvaged_time(text: Any) -> datetime | None:
    """The time a stored text not in the exact stored form still says unambiguously (UTC, as an
    older version wrote it), else None."""
    if isinstance(text, datetime):
        return text if text.tzinfo is not None else text.replace(tzinfo=_UTC)
    match = _LOOSE_TIME.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                        int((fraction or "0").ljust(6, "0")), tzinfo=_UTC)
    except ValueError:
        return None


def _unreadable(text: Any) -> datetime:
    salvaged = salvaged_time(text)
    return salvaged if salvaged is not None else UNREADABLE_TIME


if sys.version_info >= (3, 11):
    def time_from_stored(text: str) -> datetime:
        """Stored 'YYYY-MM-DDTHH:MM:SSZ' → aware UTC datetime (3.11's C fromisoformat reads the
        `Z` itself, about six times faster than slicing and replacing the zone). Never fails:
        see UNREADABLE_TIME."""
        try:
            value = datetime.fromisoformat(text)
        except (ValueError, TypeError):
            return _unreadable(text)
        if value.tzinfo is _UTC:
            return value
        return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)
else:  # pragma: no cover - Python 3.10
    def time_from_stored(text: str) -> datetime:
        """Stored 'YYYY-MM-DDTHH:MM:SSZ' → aware UTC datetime."""
        try:
            return datetime.fromisoformat(text[:19]).replace(tzinfo=_UTC)
        except (ValueError, TypeError):
            return _unreadable(text)


def stored_time_problem(text: Any) -> str | None:
    """Why a stored time text is not one every command reads as it is (None when it is)."""
    if not isinstance(text, str) or not STORED_TIME_FORM.match(text):
        return "is not a stored time (UTC YYYY-MM-DDTHH:MM:SSZ)"
    try:
        value = datetime.fromisoformat(text[:19]).replace(tzinfo=_UTC)
    except ValueError:
        return "is not a valid date and time"
    if not storable_time(value):
        return f"is outside the years reqtrack handles ({TIME_RANGE_TEXT})"
    return None


def json_from_stored(text: str) -> Any:
    """Stored JSON text → value ('null', which the JSON type writes for None, → None)."""
    return None if text == "null" else json.loads(text)


def time_to_stored(value: datetime) -> str:
    """An aware datetime as stored text (isoformat, not strftime: it writes a year before 1000
    with its four digits)."""
    if value.tzinfo is _UTC:  # the common case (every time the services hold is UTC), formatted as isoformat
        # does to the second, twice as fast as it (and as an f-string: a large import formats some 2,000,000)
        return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031
            value.year, value.month, value.day, value.hour, value.minute, value.second)
    if value.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def refuse_unstorable(value: datetime | None, what: Callable[[], Message]) -> None:
    """InvalidInput for a time outside the range every command can read back (see
    domain.record.EARLIEST_YEAR): the last guard before anything is written."""
    if value is not None and not storable_time(value):
        raise InvalidInput("{what} {at} cannot be stored: {range}", what=what(), at=value.isoformat(timespec="minutes"),
                           range=TIME_RANGE)


# -- running SLA deadlines (table sla_open, migration m004) -------------------------------------
# Clock name → column. Times there are UTC with microseconds, fixed width, so they compare as
# text (working-time deadlines are not whole seconds).
DEADLINE_COLUMNS = {"response": "response_by", "plan": "plan_by", "resolution": "resolution_by",
                    "due": "due_by", "stale": "stale_at"}
DEADLINES_BASIS = "sla_open"  # its row in `derived`


def instant_to_stored(value: datetime) -> str:
    """An aware datetime as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


if sys.version_info >= (3, 11):
    # `instant_to_stored`'s text back to an aware UTC datetime: 3.11's C fromisoformat reads the
    # `Z` itself (as timezone.utc), so it is the reader, without a Python call around it (`overdue`
    # reads five per open request).
    instant_from_stored = datetime.fromisoformat
else:  # pragma: no cover - Python 3.10
    def instant_from_stored(text: str) -> datetime:
        """`instant_to_stored`'s text back to an aware UTC datetime."""
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=_UTC)


def running_deadline_row(request_id: str, running: Any) -> tuple[Any, ...]:
    """The sla_open row of a domain.sla.RunningDeadlines: (request_id, valid_from,
    response_by, plan_by, resolution_by, due_by, stale_at, next_breach)."""
    times = [running.deadlines.get(name) for name in DEADLINE_COLUMNS]
    breach = running.next_breach
    return (request_id, instant_to_stored(running.valid_from),
            *(instant_to_stored(t) if t is not None else None for t in times),
            instant_to_stored(breach) if breach is not None else None)


# -- report facts (tables report_fact, report_completion, report_event, migration m005; -----------
# request_state and report_completion's spans, migration m009)
REPORT_FACTS_BASIS = "report_facts"  # its row in `derived`
# What domain.metrics.request_facts computes; a new meaning, a new version (2: a notice answers
# the first response; 3: the request's timeline and every completion's span, m009; 4: a segment's
# completion without its entry only where it can count, before the segment's end).
REPORT_FACTS_VERSION = "4"
# valid_until of what holds from then on: later than every stored time, so that "until after t"
# is one comparison of text.
FOREVER = "9999-12-31T23:59:59Z"


def _stored_or_none(value: datetime | None) -> str | None:
    return None if value is None else time_to_stored(value)


# Column lists of the report fact tables, in the order of the rows below.
REPORT_FACT_COLUMNS = ("submitted", "request_id", "recorded_end", "responded", "assigned", "completed", "verified",
                       "closed", "status", "type", "source", "priority", "customer", "owner", "department", "recurrence",
                       "replay", "answered_after")
REPORT_COMPLETION_COLUMNS = ("at", "request_id", "seq", "valid_from", "valid_until", "start", "completed", "priority",
                             "due", "pauses", "as_of", "owner", "department", "recorded_end")
REPORT_EVENT_COLUMNS = ("kind", "at", "request_id", "seq", "value", "submitted", "later", "ordered")
REQUEST_STATE_COLUMNS = ("request_id", "valid_from", "valid_until", "status", "is_open", "span", "fields",
                         "assigned", "completed", "verified", "closed", "recurrence", "responded", "clocks",
                         "report_clocks")
# request_state.span: how long a segment lasts, as the least L with a length of at most 2^L hours
# (stored times span at most some 1,100 years: L <= SPANS[-1]); NO_END for one without an end.
SPANS = range(0, 25)
NO_END = 99


_SPAN_LENGTHS = [timedelta(hours=2 ** level) for level in SPANS]


def span_of(valid_from: datetime, valid_until: datetime | None) -> int:
    """request_state.span of a segment: the least level L with a length of at most 2^L hours
    (stored times span less than the last)."""
    if valid_until is None:
        return NO_END
    return min(bisect_left(_SPAN_LENGTHS, valid_until - valid_from), SPANS[-1])
# Every table of the report facts with its columns, in the order of report_fact_rows' result.
REPORT_FACT_TABLES = (("report_fact", REPORT_FACT_COLUMNS), ("report_completion", REPORT_COMPLETION_COLUMNS),
                      ("report_event", REPORT_EVENT_COLUMNS), ("request_state", REQUEST_STATE_COLUMNS))


@cache
def _state() -> Any:
    """domain.sla.state.State, imported once (see `_metrics`)."""
    from ..domain.sla.state import State

    return State


@cache
def _metrics() -> Any:
    """domain.metrics, imported once when a row of the report's first needs it (not at import:
    the everyday commands that import this module never read a report fact)."""
    from ..domain import metrics

    return metrics


# The verdicts of a completion under the settings `derived` names as VERDICTS_BASIS (columns of
# report_completion after REPORT_COMPLETION_COLUMNS, which do not depend on the settings).
VERDICT_COLUMNS = ("days", "met", "on_time")
VERDICTS_BASIS = "report_verdicts"
VERDICTS_FORMAT = 1  # what domain.metrics.judge_completion decides; a new rule, a new format


def verdict_values(judged: Any) -> tuple[str | None, int | None, int | None]:
    """A domain.metrics.Completion's VERDICT_COLUMNS: the days as the text of the exact float."""
    return (None if judged.days is None else repr(judged.days),
            None if judged.within_target is None else int(judged.within_target),
            None if judged.on_time is None else int(judged.on_time))


def completions_from_verdicts(rows: Iterable[Sequence[Any]]) -> list[Any]:
    """domain.metrics.Completion of report_completion rows (at, priority, days, met, on_time,
    owner, department) with their stored verdicts: one loop, no call per row (a year's report
    reads tens of thousands)."""
    made, read = _metrics().Completion, time_from_stored
    return [made(read(at), None if days is None else float(days), priority or "medium",
                 None if met is None else met == 1, None if on_time is None else on_time == 1, owner, department)
            for at, priority, days, met, on_time, owner, department in rows]


def report_fact_rows(request: Request, facts: Any, judge: Callable[[Any], Any] | None = None
                     ) -> tuple[tuple, list[tuple], list[tuple], list[tuple]]:
    """The rows of a request's domain.metrics.RequestFacts, with the request's fields the report
    reads: (report_fact row, report_completion rows, report_event rows, request_state rows).

    report_completion holds every completion with its span (standing now: valid_until FOREVER),
    and the completions without a `complete` entry of each segment of the timeline (seq 0);
    with `judge` (CompletionFact → metrics.Completion under the current settings), each row ends
    with its VERDICT_COLUMNS."""
    rid = request.id
    texts: dict[datetime, str] = {}  # the same moments recur (entries, segments' ends)

    def text(moment: datetime) -> str:
        known = texts.get(moment)
        if known is None:
            known = texts[moment] = time_to_stored(moment)
        return known

    def text_or_none(moment: datetime | None) -> str | None:
        return None if moment is None else text(moment)

    submitted = text(request.submitted_at)
    recorded_end = text(facts.recorded_end)
    fact = (submitted, rid, recorded_end, text_or_none(facts.responded), int(facts.assigned),
            int(facts.completed), int(facts.verified), int(facts.closed), request.status, request.type,
            request.source, request.priority, request.customer, request.owner, request.department,
            int(facts.recurrence), int(not facts.in_order),
            None if facts.responded is None else _whole_seconds(facts.responded) - _whole_seconds(request.submitted_at))

    def until(moment: datetime | None) -> str:
        return FOREVER if moment is None else text(moment)

    judged: dict[Any, tuple[str | None, int | None, int | None]] = {}  # the same fact recurs (timeline segments)

    def verdicts(c: Any) -> tuple[str | None, int | None, int | None]:
        known = judged.get(c)
        if known is None:
            assert judge is not None
            known = judged[c] = verdict_values(judge(c))
        return known

    def completion(c: Any, valid_from: datetime, valid_until: datetime | None) -> tuple:
        row = (text(c.at), rid, c.seq, text(valid_from), until(valid_until), text(c.start),
               text_or_none(c.completed), c.priority, text_or_none(c.due),
               json.dumps([[text(b), text_or_none(e)] for b, e in c.pauses]) if c.pauses else None,
               text_or_none(c.as_of), request.owner, request.department, recorded_end)
        return row if judge is None else (*row, *verdicts(c))

    completions = [completion(span.fact, span.valid_from, span.valid_until) for span in facts.spans]
    completions += [completion(segment.bare, segment.valid_from, segment.valid_until)
                    for segment in facts.timeline if segment.bare is not None]
    events = [(e.kind, text(e.at), rid, e.seq, e.value, submitted, text_or_none(e.later), int(facts.in_order))
              for e in facts.events]
    states = [request_state_row(rid, segment, text(segment.valid_from), until(segment.valid_until), text_or_none)
              for segment in facts.timeline]
    return fact, completions, events, states


# The stored form of a domain.sla.state.State (the moment asked aside): its fields in this order,
# times as whole seconds since 1970 (UTC; stored times are whole seconds), then its pauses.
_CLOCK_FIELDS = ("submitted", "status", "priority", "due", "due_set", "completed", "reopened", "responded",
                 "assigned", "last_event")
_CLOCK_TIMES = tuple(index for index, name in enumerate(_CLOCK_FIELDS) if name not in ("status", "priority"))
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_SECOND = timedelta(seconds=1)


def _whole_seconds(value: datetime) -> int:
    return (value - _EPOCH) // _SECOND


def _seconds(value: datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // _SECOND


def _at_second(value: int | None) -> datetime | None:
    return None if value is None else _from_timestamp(value, _UTC)


_from_timestamp = datetime.fromtimestamp


def clocks_text(state: Any) -> str:
    """A State as JSON: [its _CLOCK_FIELDS..., its pauses as [[begin, end or null], ...]]."""
    return json.dumps([_seconds(state.submitted), state.status, state.priority, _seconds(state.due),
                       _seconds(state.due_set), _seconds(state.completed), _seconds(state.reopened),
                       _seconds(state.responded), _seconds(state.assigned), _seconds(state.last_event),
                       [[_seconds(b), _seconds(e)] for b, e in state.pauses]], ensure_ascii=False)


def clocks_from_text(text: str, as_of: datetime) -> Any:
    """clocks_text's State back, evaluated at `as_of` (a running clock's deadline does not depend
    on the moment asked within its segment)."""
    values = json.loads(text)
    pauses = values.pop()
    for index in _CLOCK_TIMES:
        value = values[index]
        if value is not None:
            values[index] = _from_timestamp(value, _UTC)
    return _state()(as_of, *values, tuple((_at_second(b), _at_second(e)) for b, e in pauses))


def request_state_row(rid: str, segment: Any, valid_from: str, valid_until: str,
                      text: Callable[[datetime | None], str | None] = _stored_or_none) -> tuple:
    """The request_state row of a domain.metrics.Segment (REQUEST_STATE_COLUMNS), its moments
    given as stored text. `fields`: JSON of the fields that then differed from the current ones
    (NULL: none); `report_clocks`: NULL when they are the overdue clocks' (`clocks`), JSON `null`
    when the report sees none."""
    differ = {name: text(value) if isinstance(value, datetime) else value for name, value in segment.fields}
    clocks, seen = segment.clocks, segment.report_clocks
    report = None if seen == clocks else "null" if seen is None else clocks_text(seen)
    return (rid, valid_from, valid_until, segment.status, int(clocks is not None or seen is not None),
            span_of(segment.valid_from, segment.valid_until),
            json.dumps(differ, ensure_ascii=False) if differ else None, int(segment.assigned),
            int(segment.completed), int(segment.verified), int(segment.closed), int(segment.recurrence),
            text(segment.responded), None if clocks is None else clocks_text(clocks), report)


def fields_from_text(text: str | None) -> dict[str, Any]:
    """request_state.fields back: {field: value as it then was} (submitted_at a datetime)."""
    if not text:
        return {}
    values = json.loads(text)
    if values.get("submitted_at") is not None:
        values["submitted_at"] = time_from_stored(values["submitted_at"])
    return values


def completion_fact_from_row(at: str, seq: int, start: str, completed: str | None, priority: str | None,
                             due: str | None, pauses: str | None, as_of: str | None) -> Any:
    """A report_completion row's (at, seq, start, completed, priority, due, pauses, as_of) →
    domain.metrics.CompletionFact. The completion and the clock's last moment are mostly the
    completion time itself: parsed once."""
    moment = time_from_stored(at)
    spans: tuple[tuple[datetime, datetime | None], ...] = ()
    if pauses:
        spans = tuple((time_from_stored(b), None if e is None else time_from_stored(e)) for b, e in json.loads(pauses))
    return _metrics().CompletionFact(
        moment, time_from_stored(start),
        moment if completed == at else None if completed is None else time_from_stored(completed),
        priority, None if due is None else time_from_stored(due), spans,
        moment if as_of == at else None if as_of is None else time_from_stored(as_of), seq)


def country_days_from_rows(rows: Any) -> dict[int, Any]:
    """Rows of (year, holidays, workdays) of `country_day` → {year: (holidays, make-up days)}."""
    def dates(text: str) -> frozenset[date]:
        return frozenset(date.fromisoformat(part) for part in text.split(",") if part)

    return {int(year): (dates(off), dates(made_up)) for year, off, made_up in rows}


def country_day_text(days: frozenset[date]) -> str:
    """A set of dates as stored in `country_day`: sorted ISO dates separated by commas."""
    return ",".join(sorted(day.isoformat() for day in days))


# Request's fields in declaration order, which are also columns of `request` (attachments,
# history and links, the last three fields, come from their own tables).
REQUEST_FIELDS = [f.name for f in fields(Request) if f.name not in ("attachments", "history", "links")]
_TIME_FIELDS = ("submitted_at", "due", "completed_at", "responded_at", "closed_at")
_TIME_INDEXES = tuple(REQUEST_FIELDS.index(name) for name in _TIME_FIELDS)
_FLAG_INDEXES = tuple(REQUEST_FIELDS.index(name) for name in ("due_is_date", "waiting"))
_SCORES_INDEX = REQUEST_FIELDS.index("scores")
_REQUEST_COLUMNS = ", ".join(f'"{name}"' for name in REQUEST_FIELDS)
_CHUNK = 500  # ids per IN (...) query: well under SQLite's limit on variables


def request_from_row(row: Sequence[Any]) -> Request:
    """A row of `SELECT <REQUEST_FIELDS> FROM request` as a Request (without history)."""
    values = list(row)
    for index in _TIME_INDEXES:
        if values[index] is not None:
            values[index] = time_from_stored(values[index])
    for index in _FLAG_INDEXES:
        values[index] = bool(values[index])
    scores = values[_SCORES_INDEX]
    if scores is not None:
        values[_SCORES_INDEX] = json_from_stored(scores)
    return Request(*values)


# What a list of overdue requests shows of each (`overdue`, the report's): a Request with these fields only.
LITE_FIELDS = ("id", "customer", "description", "submitted_at", "status", "priority", "owner", "department", "due")


def lite_request_from_row(row: Sequence[Any]) -> Request:
    """A row of `SELECT <LITE_FIELDS> FROM request` as a Request with those fields only."""
    rid, customer, description, submitted, status, priority, owner, department, due = row
    return Request(rid, customer, description, time_from_stored(submitted), status=status, priority=priority,
                   owner=owner, department=department, due=time_from_stored(due) if due is not None else None)


def entries_from_rows(rows: list[tuple[Any, ...]]) -> Iterator[tuple[str, HistoryEntry]]:
    """Rows of (request_id, seq, at, action, actor, changes, note) as (request_id, entry).

    The `changes` of all rows are decoded in one json.loads of a JSON array: one pass of the C
    parser instead of one Python-level call per entry.
    """
    texts = [row[5] or "null" for row in rows]
    changes = json.loads("[" + ",".join(texts) + "]") if texts else []
    for (request_id, seq, at, action, actor, _, note), change in zip(rows, changes):
        yield request_id, HistoryEntry(seq, time_from_stored(at), action, actor, change or {}, note or "")


def requests_from_rows(request_rows: Iterable[Sequence[Any]], event_rows: list[tuple[Any, ...]]) -> list[Request]:
    """The requests (with their histories) of the stored rows an insert wrote
    (repository.Repository.add_many's result: request rows in its column order, REQUEST_FIELDS
    first; history rows as `entries_from_rows` reads them): each request as a command reads it back."""
    width = len(REQUEST_FIELDS)
    requests = {row[0]: request_from_row(tuple(row[:width])) for row in request_rows}
    for request_id, entry in entries_from_rows(event_rows):
        requests[request_id].history.append(entry)
    return list(requests.values())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_clause(flt: RequestFilter, search: tuple[str, list[Any]] | None = None) -> tuple[str, list[Any]] | None:
    """The WHERE clause of a filter with its parameters; None when it can match nothing.

    Statuses by IN (the request_status index), text filters with lower(...) LIKE '%text%'
    ESCAPE '\\'; the search (`flt.search`) as `search` gives it (the search index's condition,
    storage.search_index.SearchStore.search_filter), else (a caller without the index) a LIKE on
    description, customer and notes.
    """
    conditions: list[str] = []
    params: list[Any] = []
    statuses = set(flt.statuses)
    if flt.open_only:
        statuses = (statuses & _OPEN_SET) if statuses else set(OPEN)
        if not statuses:
            return None
    if statuses:
        ordered = sorted(statuses)
        conditions.append(f"status IN ({', '.join('?' * len(ordered))})")
        params.extend(ordered)
    for name in ("type", "priority", "source"):
        value = getattr(flt, name)
        if value is not None:
            conditions.append(f'"{name}" = ?')
            params.append(value)

    def contains(text: str, *columns: str) -> None:
        pattern = f"%{_escape_like(text.lower())}%"
        conditions.append("(" + " OR ".join(f"lower({c}) LIKE ? ESCAPE '\\'" for c in columns) + ")")
        params.extend([pattern] * len(columns))

    if flt.customer:
        contains(flt.customer, "customer")
    if flt.owner:
        contains(flt.owner, "owner", "department")
    if flt.since is not None:
        conditions.append("submitted_at >= ?")
        params.append(time_to_stored(flt.since))
    if flt.until is not None:
        conditions.append("submitted_at <= ?")
        params.append(time_to_stored(flt.until))
    if flt.search and search is not None:
        conditions.append(search[0])
        params.extend(search[1])
    elif flt.search:
        contains(flt.search, "description", "customer", "notes")
    if flt.open_at is not None:
        conditions.append(f"submitted_at <= ? AND (status IN ({', '.join('?' * len(OPEN))}) OR updated_at > ?)")
        params.extend([time_to_stored(flt.open_at), *OPEN, time_to_stored(flt.open_at)])
    if flt.date_only_due:
        conditions.append("due_is_date = 1 AND due IS NOT NULL")
    return (" AND ".join(conditions) or "1 = 1"), params


@contextmanager
def bulk_objects() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a command makes many records at once.

    Reading 10,000 open requests with 40,000 history entries and computing their clocks makes
    hundreds of thousands of small objects, none of them in a reference cycle; the collector
    would traverse all of them again and again (15 % of `overdue`'s time at 100,000 requests)
    and free nothing. Reference counting still frees everything; collection resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- the database's vocabulary entries (table vocabulary, m006) ---------------------------------
VOCABULARY_COLUMNS = ("field", "key", "en", "zh_cn", "zh_tw", "aliases", "department", "retired", "position")


def vocabulary_entry(row: Sequence[Any]) -> Entry:
    """A row of `vocabulary` (in VOCABULARY_COLUMNS order) as a domain.vocabularies.Entry; aliases
    that are not a JSON array of text (a hand's edit) are read as none."""
    field, key, en, zh_cn, zh_tw, aliases, department, retired, position = row
    try:
        names = json.loads(aliases) if aliases else []
    except ValueError:
        names = []
    if not isinstance(names, list):
        names = []
    return Entry(str(field), str(key), (str(en), str(zh_cn), str(zh_tw)),
                 tuple(str(a) for a in names if isinstance(a, str)), department or None, bool(retired), int(position))


def vocabulary_row(entry: Entry) -> tuple[Any, ...]:
    """The stored row of a domain.vocabularies.Entry, in VOCABULARY_COLUMNS order."""
    return (entry.field, entry.key, *entry.labels, json.dumps(list(entry.aliases), ensure_ascii=False),
            entry.department, int(entry.retired), entry.position)
