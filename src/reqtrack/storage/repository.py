"""The repository (domain records in and out of the tables) and the unit of work around it.

One path for reads and writes, over a plain DB-API connection: each statement is written once
here, with `?` placeholders, and what is particular to the engine (connecting, beginning a
transaction, upsert wording, its exceptions) goes through storage.engine. No SQLAlchemy, SQLModel
or pydantic is imported: a write command costs what its database work costs (tables.py declares
the schema; only the schema test imports it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ..domain.errors import EnvironmentProblem, Message, NotFound
from ..domain.people import Person
from ..domain.record import Attachment, HistoryEntry, Request, parse_generated_id
from ..domain.vocab import OPEN_STATUSES, FieldName
from ..domain.vocabularies import Entry, Vocabularies
from .engine import SQLITE, Engine
from .fact_store import FactStore
from .json_docs import JsonDocStore
from .search_index import SearchStore
from .stored import (
    DEADLINE_COLUMNS,
    DEADLINES_BASIS,
    LITE_FIELDS,
    REQUEST_FIELDS,
    VOCABULARY_COLUMNS,
    RequestFilter,
    bulk_objects,
    country_day_text,
    country_days_from_rows,
    entries_from_rows,
    instant_from_stored,
    instant_to_stored,
    lite_request_from_row,
    refuse_unstorable,
    request_from_row,
    running_deadline_row,
    time_from_stored,
    time_to_stored,
    vocabulary_entry,
    vocabulary_row,
    where_clause,
)
from .stored import stored_time_problem as _time_problem

_TIME_FIELDS = ("submitted_at", "due", "completed_at", "responded_at", "closed_at")
_REQUEST_COLUMN_LIST = [f'request."{name}"' for name in REQUEST_FIELDS]  # qualified: for joins
_REQUEST_COLUMNS = ", ".join(f'"{name}"' for name in REQUEST_FIELDS)
# The stored columns of `request`: the Request fields, then the ones derived from them.
_STORED_REQUEST_COLUMNS = [*REQUEST_FIELDS, "id_month", "id_seq", "updated_at"]
_STORED_TIME_INDEXES = tuple(_STORED_REQUEST_COLUMNS.index(n) for n in (*_TIME_FIELDS, "updated_at"))
_FLAG_INDEXES = tuple(_STORED_REQUEST_COLUMNS.index(n) for n in ("due_is_date", "waiting"))
_SCORES_INDEX = _STORED_REQUEST_COLUMNS.index("scores")
_EVENT_COLUMNS = ("request_id", "seq", "at", "action", "actor", "changes", "note")
_LITE_COLUMNS = [f'request."{name}"' for name in LITE_FIELDS]
_ATTACHMENT_COLUMNS = ("request_id", "number", "name", "size", "sha256", "content", "added_at")
_IMPORT_LOG_COLUMNS = ("file", "at", "actor", "rows", "created", "updated", "unchanged")
_CHUNK = 500  # ids per IN (...) query: well under SQLite's limit on variables


def request_row(request: Request) -> tuple[Any, ...]:
    """The stored row of a request, in the order of `_STORED_REQUEST_COLUMNS`. Whatever the
    route, nothing is stored that a command cannot read back (refuse_unstorable)."""
    for name in _TIME_FIELDS:
        refuse_unstorable(getattr(request, name),
                          lambda: Message("request {rid}'s {field}", rid=request.id, field=FieldName(name)))  # noqa: B023 - called at once
    parsed = parse_generated_id(request.id)
    values: list[Any] = [getattr(request, name) for name in REQUEST_FIELDS]
    values += [*(parsed if parsed else (None, None)), request.latest_event_at]
    for index in _STORED_TIME_INDEXES:
        if values[index] is not None:
            values[index] = time_to_stored(values[index])
    for index in _FLAG_INDEXES:
        values[index] = int(bool(values[index]))
    values[_SCORES_INDEX] = json.dumps(values[_SCORES_INDEX])  # None as 'null', as always stored
    return tuple(values)


def event_row(request_id: str, entry: HistoryEntry) -> tuple[Any, ...]:
    """The stored row of a history entry, in the order of `_EVENT_COLUMNS`."""
    refuse_unstorable(entry.at, lambda: Message("request {rid}'s history entry {seq} at", rid=request_id, seq=entry.seq))
    changes = entry.changes
    return (request_id, entry.seq, time_to_stored(entry.at), entry.action, entry.actor,
            json.dumps(changes) if changes else "null", entry.note)


def attachment_row(request_id: str, attachment: Attachment, content: bytes | None) -> tuple[Any, ...]:
    """The stored row of an attachment, in the order of `_ATTACHMENT_COLUMNS`."""
    added = attachment.added_at
    return (request_id, attachment.number, attachment.name, attachment.size, attachment.sha256, content,
            time_to_stored(added) if added is not None else None)


def _attachment(number: int, name: str, size: int | None, sha256: str | None, added_at: str | None) -> Attachment:
    return Attachment(name=name, size=size, sha256=sha256, number=number,
                      added_at=time_from_stored(added_at) if added_at is not None else None)


class Repository(SearchStore, FactStore, JsonDocStore):
    """Loads and saves requests with their history, attachments and links, over one connection
    (the unit of work's transaction); the statements on links and search documents are
    storage.search_index's, those on the stored JSON texts storage.json_docs's."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn  # a connection of either engine (storage/engine.py); a plain sqlite3 one is SQLite's
        self.engine: Engine = getattr(conn, "engine", SQLITE)
        self._loaded_history: dict[str, int] = {}

    def _value(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def _for_ids(self, sql: str, request_ids: list[str]) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of `sql` (whose `{ids}` takes the placeholders) for the IDs, a chunk at a time."""
        for start in range(0, len(request_ids), _CHUNK):
            chunk = request_ids[start:start + _CHUNK]
            yield self.conn.execute(sql.format(ids=self.engine.marks(len(chunk))), chunk).fetchall()

    # -- reading -----------------------------------------------------------------------
    def get(self, request_id: str) -> Request:
        """The request with its history and attachments, or NotFound."""
        row = self.conn.execute(f"SELECT {_REQUEST_COLUMNS} FROM request WHERE id = ?", (request_id,)).fetchone()
        if row is None:
            raise NotFound("no request {rid!r}; `reqtrack list` shows the IDs", rid=request_id)
        request = request_from_row(row)
        request.history = self.history(request_id)
        request.attachments = self.attachments(request_id)
        request.links = self.links_of([request_id])[request_id]
        self._loaded_history[request_id] = len(request.history)
        return request

    def exists(self, request_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM request WHERE id = ?", (request_id,)).fetchone() is not None

    def stored_time_problem(self, request_id: str, column: str) -> tuple[str, str] | None:
        """(stored text, why) when the request's time `column` is not one every command reads as
        it is (written by an older version or by hand; see stored.UNREADABLE_TIME), else None."""
        assert column in _TIME_FIELDS
        text = self._value(f"SELECT {column} FROM request WHERE id = ?", (request_id,))
        why = _time_problem(text) if text is not None else None
        return (str(text), why) if why else None

    def history(self, request_id: str) -> list[HistoryEntry]:
        rows = self.conn.execute(
            "SELECT request_id, seq, at, action, actor, changes, note FROM event WHERE request_id = ? ORDER BY seq",
            (request_id,),
        ).fetchall()
        return [entry for _, entry in entries_from_rows(rows)]

    def histories(self, request_ids: list[str]) -> dict[str, list[HistoryEntry]]:
        """History of many requests at once, oldest first."""
        result: dict[str, list[HistoryEntry]] = {rid: [] for rid in request_ids}
        with bulk_objects():
            for rows in self._for_ids(
                    "SELECT request_id, seq, at, action, actor, changes, note FROM event "
                    "WHERE request_id IN ({ids}) ORDER BY request_id, seq", request_ids):
                for request_id, entry in entries_from_rows(rows):
                    result[request_id].append(entry)
        return result

    def attachments(self, request_id: str) -> list[Attachment]:
        return self.attachments_of([request_id])[request_id]

    def attachments_of(self, request_ids: list[str]) -> dict[str, list[Attachment]]:
        result: dict[str, list[Attachment]] = {rid: [] for rid in request_ids}
        for rows in self._for_ids("SELECT request_id, number, name, size, sha256, added_at FROM attachment "
                                  "WHERE request_id IN ({ids}) ORDER BY request_id, number", request_ids):
            for request_id, *values in rows:
                result[request_id].append(_attachment(*values))
        return result

    def attachment_content(self, request_id: str, number: int) -> tuple[Attachment, bytes | None]:
        row = self.conn.execute("SELECT number, name, size, sha256, added_at, content FROM attachment "
                                "WHERE request_id = ? AND number = ?", (request_id, number)).fetchone()
        if row is None:
            raise NotFound("request {rid} has no attachment {number}; `reqtrack show {rid}` lists them", rid=request_id,
                           number=number)
        return _attachment(*row[:5]), row[5]

    def _where(self, flt: RequestFilter) -> tuple[str, list[Any]] | None:
        """where_clause of the filter, its search through the search index."""
        from ..domain.search import query_terms

        terms = query_terms(flt.search) if flt.search else []
        return where_clause(flt, self.search_filter(terms) if terms else None)

    def select(self, flt: RequestFilter, limit: int | None = None, newest_first: bool = True) -> Iterator[Request]:
        """Requests matching the filter, newest submission first, without history."""
        where = self._where(flt)
        if where is None:
            return iter(())
        condition, params = where
        order = "submitted_at DESC, id DESC" if newest_first else "submitted_at, id"
        sql = f"SELECT {_REQUEST_COLUMNS} FROM request WHERE {condition} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, limit]
        cursor = self.conn.execute(sql, params)
        # Fetched a thousand rows at a time: streams (exports of every row) without one call per row.
        return (request_from_row(row) for rows in iter(lambda: cursor.fetchmany(1000), []) for row in rows)

    def ids(self, flt: RequestFilter) -> list[str]:
        """The IDs of the requests matching the filter, newest submission first (as `select`)."""
        where = self._where(flt)
        if where is None:
            return []
        condition, params = where
        sql = f"SELECT id FROM request WHERE {condition} ORDER BY submitted_at DESC, id DESC"
        return [rid for (rid,) in self.conn.execute(sql, params).fetchall()]

    def count(self, flt: RequestFilter) -> int:
        """How many requests match the filter."""
        where = self._where(flt)
        if where is None:
            return 0
        condition, params = where
        return int(self._value(f"SELECT count(*) FROM request WHERE {condition}", params))

    def ids_starting(self, prefix: str, limit: int) -> list[str]:
        """Request IDs that start with `prefix`, newest first (shell completion)."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute("SELECT id FROM request WHERE id LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
                                 (pattern, limit)).fetchall()
        return [row[0] for row in rows]

    def next_sequence(self, month: str) -> int:
        """The month's highest sequence + 1 (imported IDs included; IDs are never deleted, so never reused)."""
        return int(self._value("SELECT max(id_seq) FROM request WHERE id_month = ?", (month,)) or 0) + 1

    def settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM setting").fetchall())

    def submissions_between(self, since: datetime, until: datetime) -> Iterator[tuple[str, datetime, str, str]]:
        """(id, submitted_at, customer, description) of requests submitted in [since, until]."""
        rows = self.conn.execute("SELECT id, submitted_at, customer, description FROM request "
                                 "WHERE submitted_at >= ? AND submitted_at <= ?",
                                 (time_to_stored(since), time_to_stored(until))).fetchall()
        return ((rid, time_from_stored(at), customer, description) for rid, at, customer, description in rows)

    def get_many(self, request_ids: list[str]) -> dict[str, Request]:
        """Those of `request_ids` that exist, with history and attachments (ready for save_many)."""
        found: dict[str, Request] = {}
        for rows in self._for_ids(f"SELECT {_REQUEST_COLUMNS} FROM request WHERE id IN ({{ids}})", request_ids):
            for row in rows:
                request = request_from_row(row)
                found[request.id] = request
        if found:
            histories = self.histories(list(found))
            attachments = self.attachments_of(list(found))
            links = self.links_of(list(found))
            for request_id, request in found.items():
                request.history = histories[request_id]
                request.attachments = attachments[request_id]
                request.links = links[request_id]
                self._loaded_history[request_id] = len(request.history)
        return found

    # -- writing -----------------------------------------------------------------------
    def add(self, request: Request, contents: dict[int, bytes] | None = None) -> None:
        """Insert a new request with its history and attachments."""
        self.add_many([request], contents={request.id: contents or {}})

    def add_many(self, requests: list[Request], contents: dict[str, dict[int, bytes]] | None = None) -> Any:
        """Insert new requests with their history and attachments (name-only unless `contents`
        gives request ID → attachment number → content). Returns (request rows, history rows)
        written, for a caller that hands them on (stored.requests_from_rows reads them back)."""
        request_rows = [request_row(r) for r in requests]
        self.engine.insert_rows(self.conn, "request", _STORED_REQUEST_COLUMNS, request_rows)
        event_rows = self._insert_events([(r.id, e) for r in requests for e in r.history])
        given = contents or {}
        self._insert_attachments([attachment_row(r.id, a, given.get(r.id, {}).get(a.number))
                                  for r in requests for a in r.attachments])
        self.add_links(requests, {r.id: time_to_stored(r.latest_event_at or r.submitted_at) for r in requests})
        for request in requests:
            self._loaded_history[request.id] = len(request.history)
        return request_rows, event_rows

    def save(self, request: Request) -> None:
        """Write the request's fields and append the history entries added since it was loaded."""
        self.save_many([request])

    def save_many(self, requests: list[Request], new_attachments: dict[str, list[Attachment]] | None = None) -> None:
        """`save` for many loaded requests at once, plus name-only attachments to add to them."""
        if not requests:
            return
        columns = _STORED_REQUEST_COLUMNS[1:]  # all but the id, which comes last for WHERE
        sql = f"UPDATE request SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"
        self.conn.executemany(sql, [(*row[1:], row[0]) for row in map(request_row, requests)])
        entries: list[tuple[str, HistoryEntry]] = []
        for request in requests:
            known = self._loaded_history.get(request.id, 0)
            entries.extend((request.id, e) for e in request.history if e.seq > known)
            self._loaded_history[request.id] = len(request.history)
        self._insert_events(entries)
        self._insert_attachments([attachment_row(rid, a, None) for rid, items in (new_attachments or {}).items()
                                  for a in items])

    def set_aside(self, table: str, indexes: bool = True, keys: bool = True) -> list[str]:
        """Engine.set_aside here (a new database filled by an import); `put_back` after."""
        return self.engine.set_aside(self.conn, table, indexes, keys)

    def put_back(self, statements: list[str]) -> None:
        self.engine.put_back(self.conn, statements)

    def _insert_events(self, entries: list[tuple[str, HistoryEntry]]) -> list[tuple[Any, ...]]:
        rows = [event_row(*e) for e in entries]
        if rows:
            self.engine.insert_rows(self.conn, "event", _EVENT_COLUMNS, rows)
        return rows

    def _insert_attachments(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.engine.insert_rows(self.conn, "attachment", _ATTACHMENT_COLUMNS, rows)

    def add_attachment(self, request_id: str, attachment: Attachment, content: bytes | None) -> None:
        self._insert_attachments([attachment_row(request_id, attachment, content)])

    def set_setting(self, key: str, value: str | None) -> None:
        self.conn.execute("DELETE FROM setting WHERE key = ?", (key,))
        if value is not None:
            self.conn.execute(self.engine.insert("setting", ("key", "value")), (key, value))

    def record_import(self, *, file: str, at: datetime, actor: str, rows: int, created: int, updated: int,
                      unchanged: int) -> None:
        """One line of the import log."""
        self.conn.execute(self.engine.insert("import_log", _IMPORT_LOG_COLUMNS),
                          (file, time_to_stored(at), actor, rows, created, updated, unchanged))

    # -- the database's vocabulary entries (table vocabulary) ----------------------------------
    def vocabulary_entries(self) -> list[Entry]:
        """The database's own entries of `source` and `type` (domain.vocabularies.Entry), in no
        particular order; one small query."""
        rows = self.conn.execute(f"SELECT {', '.join(VOCABULARY_COLUMNS)} FROM vocabulary").fetchall()
        return [vocabulary_entry(row) for row in rows]

    def vocabularies(self) -> Vocabularies:
        """`source` and `type` as this database has them (the built-in entries with its own)."""
        return Vocabularies.merged(self.vocabulary_entries())

    def vocabulary_uses(self, field: str) -> dict[str, int]:
        """How many requests have each key of `field` (source or type)."""
        assert field in ("source", "type")
        return dict(self.conn.execute(f"SELECT {field}, count(*) FROM request WHERE {field} IS NOT NULL "
                                      f"GROUP BY {field}").fetchall())

    def put_vocabulary_entry(self, entry: Entry) -> None:
        """Store an entry (domain.vocabularies.Entry), replacing the row of its field and key."""
        self.conn.execute(self.engine.upsert("vocabulary", VOCABULARY_COLUMNS, ("field", "key")),
                          vocabulary_row(entry))

    # -- a country's days, kept once used (table country_day) -----------------------------------
    def first_submission_year(self) -> int | None:
        """The (UTC) year of the earliest submission, None without requests."""
        first = self._value("SELECT min(submitted_at) FROM request")
        return int(first[:4]) if first else None

    def country_days(self, country: str, subdivision: str | None) -> dict[int, Any]:
        """The kept public holidays and make-up days of a country, by year."""
        return country_days_from_rows(self.conn.execute(
            "SELECT year, holidays, workdays FROM country_day WHERE country = ? AND subdivision = ?",
            (country, subdivision or "")).fetchall())

    def country_day_sources(self, country: str, subdivision: str | None) -> dict[int, str]:
        """Which package version each kept year of a country came from."""
        return dict(self.conn.execute("SELECT year, source FROM country_day WHERE country = ? AND subdivision = ?",
                                      (country, subdivision or "")).fetchall())

    def keep_country_days(self, country: str, subdivision: str | None, days: dict[int, Any], source: str) -> None:
        """Keep a country's (holidays, make-up days) of these years, as `source` gave them."""
        if not days:
            return
        columns = ("country", "subdivision", "year", "holidays", "workdays", "source")
        self.conn.executemany(self.engine.upsert("country_day", columns, columns[:3]),
                              [(country, subdivision or "", year, country_day_text(off), country_day_text(made_up),
                                source) for year, (off, made_up) in sorted(days.items())])

    def forget_country_days(self) -> None:
        """Drop every kept country day: they are taken again from the installed package."""
        self.conn.execute("DELETE FROM country_day")

    # -- stored running deadlines (derived data, table sla_open) ----------------------------------
    def deadline_basis(self) -> str | None:
        """What the stored running deadlines were computed with (None: not computed)."""
        return self._value("SELECT basis FROM derived WHERE name = ?", (DEADLINES_BASIS,))

    def _delete_for_ids(self, table: str, request_ids: list[str]) -> None:
        for start in range(0, len(request_ids), _CHUNK):
            chunk = request_ids[start:start + _CHUNK]
            self.conn.execute(f"DELETE FROM {table} WHERE request_id IN ({self.engine.marks(len(chunk))})", chunk)

    def put_running_deadlines(self, running: dict[str, Any]) -> None:
        """Replace the stored deadlines of these requests (a domain.sla.RunningDeadlines each, or
        None for a request that is no longer open)."""
        self._delete_for_ids("sla_open", list(running))
        rows = [running_deadline_row(rid, value) for rid, value in running.items() if value is not None]
        if rows:
            columns = ("request_id", "valid_from", *DEADLINE_COLUMNS.values(), "next_breach")
            self.engine.insert_rows(self.conn, "sla_open", columns, rows)

    def replace_running_deadlines(self, running: dict[str, Any], basis: str | None) -> None:
        """Store the deadlines of every open request afresh, computed with `basis` (None: drop
        them all; they are not used until recomputed)."""
        self.conn.execute("DELETE FROM sla_open")
        self.conn.execute("DELETE FROM derived WHERE name = ?", (DEADLINES_BASIS,))
        if basis is None:
            return
        self.put_running_deadlines(running)
        self.conn.execute(self.engine.insert("derived", ("name", "basis")), (DEADLINES_BASIS, basis))

    def running_deadlines(self, flt: RequestFilter, as_of: datetime, upto: datetime, stale: bool,
                          lite: bool = False) -> Iterator[tuple[Request, datetime, dict[str, datetime]]]:
        """(request, valid_from, clock → deadline) of the open requests matching `flt` whose stored
        deadlines can give a reason at `as_of`: a breach deadline at or before `upto`, a stale
        time at or before `as_of` (when `stale`), or rows that do not hold at `as_of` yet
        (valid_from after it: the caller replays those from their history). `lite`: each request
        with the fields the report's list of overdue requests shows only (stored.LITE_FIELDS)."""
        where = self._where(flt)
        if where is None:
            return iter(())
        condition, params = where
        names = list(DEADLINE_COLUMNS)
        columns = [*(_LITE_COLUMNS if lite else _REQUEST_COLUMN_LIST), "o.valid_from",
                   *(f"o.{DEADLINE_COLUMNS[name]}" for name in names)]
        moment = instant_to_stored(as_of)
        wanted = "o.next_breach <= ? OR o.valid_from > ?" + (" OR o.stale_at <= ?" if stale else "")
        found = self.engine.many_rows(
            self.conn, columns,
            f"FROM sla_open AS o JOIN request ON request.id = o.request_id WHERE ({wanted}) AND {condition}",
            [instant_to_stored(upto), moment, *([moment] if stale else []), *params])
        width = len(LITE_FIELDS) if lite else len(REQUEST_FIELDS)
        made = lite_request_from_row if lite else request_from_row
        assert names == ["response", "plan", "resolution", "due", "stale"]  # the order of the columns read below

        def rows() -> Iterator[tuple[Request, datetime, dict[str, datetime]]]:
            parse = instant_from_stored
            for row in found:
                # Clock by clock rather than a comprehension over zip: `overdue` reads thousands.
                response, plan, resolution, due, stale = row[width + 1:]
                deadlines = {}
                if response is not None:
                    deadlines["response"] = parse(response)
                if plan is not None:
                    deadlines["plan"] = parse(plan)
                if resolution is not None:
                    deadlines["resolution"] = parse(resolution)
                if due is not None:
                    deadlines["due"] = parse(due)
                if stale is not None:
                    deadlines["stale"] = parse(stale)
                yield made(tuple(row[:width])), parse(row[width]), deadlines

        return rows()

    # -- the requests `remind` reads -------------------------------------------------------------
    def remind_candidates(self, as_of: datetime, closed_since: datetime, changed_since: datetime | None,
                          person: str | None = None) -> Iterator[Request]:
        """Requests submitted by `as_of` that `remind` may have a row about, without history: the
        open ones, those closed at or after `closed_since` (the survey), and, for a past
        `as_of`, those changed after `changed_since` (perhaps open then). `person`: only those
        whose owner or liaison it is. Oldest submission first."""
        open_marks = self.engine.marks(len(OPEN_STATUSES))
        which = f"status IN ({open_marks}) OR (status = ? AND closed_at >= ?)"
        params: list[Any] = [*OPEN_STATUSES, "closed", time_to_stored(closed_since)]
        if changed_since is not None:
            which += " OR updated_at > ?"
            params.append(time_to_stored(changed_since))
        sql = f"SELECT {_REQUEST_COLUMNS} FROM request WHERE submitted_at <= ? AND ({which})"
        params.insert(0, time_to_stored(as_of))
        if person is not None:
            sql += " AND (owner = ? OR liaison = ?)"
            params += [person, person]
        cursor = self.conn.execute(sql + " ORDER BY submitted_at, id", params)
        return (request_from_row(row) for rows in iter(lambda: cursor.fetchmany(1000), []) for row in rows)

    # -- notice templates (table template) -------------------------------------------------------
    def template(self, kind: str, lang: str) -> str | None:
        """The text of the template set for `kind` in `lang` (None: the built-in one is used)."""
        return self._value("SELECT body FROM template WHERE kind = ? AND lang = ?", (kind, lang))

    def set_template(self, kind: str, lang: str, text: str, at: datetime, actor: str) -> None:
        """Store the template of `kind` in `lang`, replacing the one set before."""
        columns = ("kind", "lang", "body", "updated_at", "updated_by")
        self.conn.execute(self.engine.upsert("template", columns, ("kind", "lang")),
                          (kind, lang, text, time_to_stored(at), actor))

    def delete_template(self, kind: str, lang: str) -> bool:
        """Drop the template set for `kind` in `lang`; whether there was one."""
        cursor = self.conn.execute("DELETE FROM template WHERE kind = ? AND lang = ?", (kind, lang))
        return bool(cursor.rowcount)

    # -- people (table person) ----------------------------------------------------------------------
    def people(self) -> list[Person]:
        """Everyone listed, by name."""
        rows = self.conn.execute("SELECT name, email, department FROM person ORDER BY name").fetchall()
        return [Person(*row) for row in rows]

    def person(self, name: str) -> Person | None:
        row = self.conn.execute("SELECT name, email, department FROM person WHERE name = ?", (name,)).fetchone()
        return Person(*row) if row else None

    def put_person(self, person: Person) -> None:
        """Add the person, or replace what is stored under the same name."""
        columns = ("name", "email", "department")
        self.conn.execute(self.engine.upsert("person", columns, ("name",)), (person.name, person.email, person.department))

    def delete_person(self, name: str) -> bool:
        """Drop the person; whether there was one."""
        return bool(self.conn.execute("DELETE FROM person WHERE name = ?", (name,)).rowcount)


def sha256_of(content: bytes) -> str:
    import hashlib  # here: loading OpenSSL's library is a tenth of `show`'s own imports

    return hashlib.sha256(content).hexdigest()


class UnitOfWork:
    """One transaction: `with UnitOfWork(db) as uow: ...; uow.commit()`; anything else rolls back.

    On a database opened for writing it begins with the write lock taken (writers queue for it,
    up to the busy timeout); on one opened for reading, every query inside sees one snapshot
    (WAL readers never block writers; on PostgreSQL a repeatable-read, read-only transaction).
    `db` is a storage.db.Database (the file) or a storage.server.ServerDatabase.
    """

    def __init__(self, db: Any) -> None:
        self.db = db
        self.engine: Engine = db.engine
        self.notice: Callable[[Any], None] | None = None  # told before a long one-time rebuild (services.Context)
        self._open = False

    def _problem(self, exc: Exception) -> Exception:
        return self.db.problem(exc) or EnvironmentProblem(
            "cannot use the database {database}: {detail}", database=self.db.named, detail=str(exc))

    def __enter__(self) -> UnitOfWork:
        try:
            self.conn = self.db.raw_connection()  # read-only ones work on read-only media (storage.db._connect)
        except self.engine.error as exc:
            raise self._problem(exc) from None
        self._open = True
        try:
            self.conn.begin(self.db.write)
            self.db.make_in(self.conn)  # a database new with this unit of work (open_database's `new`)
            self.conn.execute("SELECT 1 FROM setting LIMIT 1").fetchone()  # take the snapshot now
        except BaseException as exc:
            self._close()
            self.db.settle(committed=False)
            if isinstance(exc, self.engine.error):
                raise self._problem(exc) from None
            raise
        self.requests = Repository(self.conn)
        return self

    def commit(self) -> None:
        """Commit; a database new with this unit of work appears now (its connection closed first)."""
        try:
            self.conn.execute("COMMIT")
        except self.engine.error as exc:
            raise self._problem(exc) from None
        if self.db.pending:
            self._close()
            self.db.settle(committed=True)

    def _close(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        finally:
            self.conn.close()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self._close()
        except self.engine.error:
            if exc is None:
                raise
        finally:
            self.db.settle(committed=False)  # a new database whose unit of work did not commit leaves nothing
        if isinstance(exc, self.engine.error):
            # A damaged file ("database disk image is malformed"), a lost connection or a role
            # that may not write is the environment's; a statement the engine refuses is a bug.
            problem = self.db.problem(exc)
            if problem is None and (isinstance(exc, self.engine.operational_error) or
                                    (self.engine.name == "sqlite" and not self.db.write)):
                problem = self._problem(exc)
            if problem is not None:
                raise problem from None
