"""The repository (domain records in and out of the tables) and the unit of work around it."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Boolean, String, and_, func, insert, or_, select, true, type_coerce, update
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from ..domain.errors import NotFound
from ..domain.record import Attachment, HistoryEntry, Request, parse_generated_id
from ..domain.vocab import OPEN_STATUSES
from .db import Database, environment_problem, translate_operational_error
from .reader import (
    DEADLINES_BASIS,
    REPORT_COMPLETION_COLUMNS,
    REPORT_EVENT_COLUMNS,
    REPORT_FACT_COLUMNS,
    REPORT_FACTS_BASIS,
    RequestFilter,  # noqa: F401 - defined with the plain-sqlite3 readers, used by both
    country_day_text,
    country_days_from_rows,
    refuse_unstorable,
    report_fact_rows,
    running_deadline_row,
)
from .reader import json_from_stored as _json_from_stored
from .reader import time_from_stored as _time_from_stored
from .tables import AttachmentRow, EventRow, RequestRow, SettingRow, UtcTime

OPEN = OPEN_STATUSES

# SQLModel sets `__table__` on table models when the class is made; mypy cannot see it.
REQUEST = RequestRow.__table__  # type: ignore[attr-defined]
EVENT = EventRow.__table__  # type: ignore[attr-defined]
ATTACHMENT = AttachmentRow.__table__  # type: ignore[attr-defined]
SETTING = SettingRow.__table__  # type: ignore[attr-defined]

# Columns of the request table that map one-to-one to Request fields.
_REQUEST_FIELDS = [f.name for f in fields(Request) if f.name not in ("attachments", "history")]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, text: str) -> Any:
    return func.lower(column).like(f"%{_escape_like(text.lower())}%", escape="\\")


def _conditions(flt: RequestFilter) -> Any:
    """The WHERE clause of a filter; None when it can match nothing."""
    conditions: list[Any] = [true()]
    statuses = set(flt.statuses)
    if flt.open_only:
        statuses = (statuses & set(OPEN)) if statuses else set(OPEN)
        if not statuses:
            return None
    if statuses:
        conditions.append(REQUEST.c.status.in_(sorted(statuses)))
    for name in ("type", "priority", "source"):
        value = getattr(flt, name)
        if value is not None:
            conditions.append(REQUEST.c[name] == value)
    if flt.customer:
        conditions.append(_contains(REQUEST.c.customer, flt.customer))
    if flt.owner:
        conditions.append(or_(_contains(REQUEST.c.owner, flt.owner), _contains(REQUEST.c.department, flt.owner)))
    if flt.since is not None:
        conditions.append(REQUEST.c.submitted_at >= flt.since)
    if flt.until is not None:
        conditions.append(REQUEST.c.submitted_at <= flt.until)
    if flt.search:
        conditions.append(or_(_contains(REQUEST.c.description, flt.search), _contains(REQUEST.c.customer, flt.search),
                              _contains(REQUEST.c.notes, flt.search)))
    if flt.open_at is not None:
        conditions.append(REQUEST.c.submitted_at <= flt.open_at)
        conditions.append(or_(REQUEST.c.status.in_(OPEN), REQUEST.c.updated_at > flt.open_at))
    return and_(*conditions)


def _row_to_request(row: Any) -> Request:
    mapping = row._mapping
    values = {name: mapping[name] for name in _REQUEST_FIELDS}
    values["due_is_date"] = bool(values["due_is_date"])
    values["waiting"] = bool(values["waiting"])
    return Request(**values)


_TIME_FIELDS = ("submitted_at", "due", "completed_at", "responded_at", "closed_at")


def _request_values(request: Request) -> dict[str, Any]:
    values = {name: getattr(request, name) for name in _REQUEST_FIELDS}
    for name in _TIME_FIELDS:  # whatever the route, nothing is stored that a command cannot read back
        refuse_unstorable(values[name], f"request {request.id}'s {name}")
    parsed = parse_generated_id(request.id)
    values["id_month"], values["id_seq"] = parsed if parsed else (None, None)
    values["updated_at"] = request.latest_event_at
    return values


def _event_values(request_id: str, entry: HistoryEntry) -> dict[str, Any]:
    refuse_unstorable(entry.at, f"request {request_id}'s history entry {entry.seq} at")
    return {
        "request_id": request_id, "seq": entry.seq, "at": entry.at, "action": entry.action,
        "actor": entry.actor, "changes": entry.changes or None, "note": entry.note,
    }


# -- bulk reads ------------------------------------------------------------------------------
# Reading tens of thousands of rows (overdue, list, export), SQLAlchemy's per-value type
# processing (UtcTime's TypeDecorator, the JSON type's decoder, Boolean) cost more than the query
# itself. The bulk readers select those columns as SQLite stores them and convert each row in one
# pass with C-level parsers; the results are the same values as through the column types.
def _stored_reader(column: Any) -> Callable[[Any], Any] | None:
    if isinstance(column.type, UtcTime):
        return _time_from_stored
    if isinstance(column.type, JSON):
        return _json_from_stored
    if isinstance(column.type, Boolean):
        return bool
    return None


class _BulkReader:
    """Selects columns of a table as stored and turns each row into a dict of domain values."""

    def __init__(self, table: Any, names: list[str]) -> None:
        self.names = names
        self.columns = [
            type_coerce(table.c[name], String()).label(name) if _stored_reader(table.c[name]) else table.c[name]
            for name in names
        ]
        self.converters = [(index, reader) for index, name in enumerate(names)
                           if (reader := _stored_reader(table.c[name])) is not None]

    def values(self, row: Iterable[Any]) -> dict[str, Any]:
        values = list(row)
        for index, convert in self.converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        return dict(zip(self.names, values))


_REQUEST_READER = _BulkReader(REQUEST, _REQUEST_FIELDS)
_EVENT_COLUMNS = (EVENT.c.request_id, EVENT.c.seq, type_coerce(EVENT.c.at, String()).label("at"), EVENT.c.action,
                  EVENT.c.actor, type_coerce(EVENT.c.changes, String()).label("changes"), EVENT.c.note)


def _stored_to_request(row: Any) -> Request:
    """A row of `select(*_REQUEST_READER.columns)` as a Request (without history)."""
    return Request(**_REQUEST_READER.values(row))


def _stored_to_entries(rows: Iterable[Any]) -> Iterator[tuple[str, HistoryEntry]]:
    """Rows of `select(*_EVENT_COLUMNS)` as (request_id, entry)."""
    for request_id, seq, at, action, actor, changes, note in rows:
        yield request_id, HistoryEntry(
            seq=seq, at=_time_from_stored(at), action=action, actor=actor,
            changes=(_json_from_stored(changes) if changes else None) or {}, note=note or "",
        )


class Repository:
    """Loads and saves requests with their history and attachments."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._loaded_history: dict[str, int] = {}

    # -- reading -----------------------------------------------------------------------
    def get(self, request_id: str) -> Request:
        """The request with its history and attachments, or NotFound."""
        row = self.session.execute(select(*_REQUEST_READER.columns).where(REQUEST.c.id == request_id)).first()
        if row is None:
            raise NotFound(f"no request {request_id!r}; `reqtrack list` shows the IDs")
        request = _stored_to_request(row)
        request.history = self.history(request_id)
        request.attachments = self.attachments(request_id)
        self._loaded_history[request_id] = len(request.history)
        return request

    def exists(self, request_id: str) -> bool:
        return self.session.execute(select(REQUEST.c.id).where(REQUEST.c.id == request_id)).first() is not None

    def stored_time_problem(self, request_id: str, column: str) -> tuple[str, str] | None:
        """(stored text, why) when the request's time `column` is not one every command reads as
        it is (written by an older version or by hand; see reader.UNREADABLE_TIME), else None."""
        from .reader import stored_time_problem

        assert column in _TIME_FIELDS
        text = self.session.connection().exec_driver_sql(
            f"SELECT {column} FROM request WHERE id = ?", (request_id,)).scalar()
        why = stored_time_problem(text) if text is not None else None
        return (str(text), why) if why else None

    def history(self, request_id: str) -> list[HistoryEntry]:
        rows = self.session.execute(select(*_EVENT_COLUMNS).where(EVENT.c.request_id == request_id).order_by(EVENT.c.seq))
        return [entry for _, entry in _stored_to_entries(rows.all())]

    def histories(self, request_ids: list[str]) -> dict[str, list[HistoryEntry]]:
        """History of many requests at once, oldest first (chunked to stay under SQLite's variable limit)."""
        result: dict[str, list[HistoryEntry]] = {rid: [] for rid in request_ids}
        for start in range(0, len(request_ids), 500):
            chunk = request_ids[start:start + 500]
            rows = self.session.execute(
                select(*_EVENT_COLUMNS).where(EVENT.c.request_id.in_(chunk)).order_by(EVENT.c.request_id, EVENT.c.seq)
            )
            for request_id, entry in _stored_to_entries(rows.all()):
                result[request_id].append(entry)
        return result

    def attachments(self, request_id: str) -> list[Attachment]:
        rows = self.session.execute(
            select(ATTACHMENT.c.number, ATTACHMENT.c.name, ATTACHMENT.c.size, ATTACHMENT.c.sha256, ATTACHMENT.c.added_at)
            .where(ATTACHMENT.c.request_id == request_id)
            .order_by(ATTACHMENT.c.number)
        )
        return [Attachment(name=r.name, size=r.size, sha256=r.sha256, added_at=r.added_at, number=r.number) for r in rows]

    def attachments_of(self, request_ids: list[str]) -> dict[str, list[Attachment]]:
        result: dict[str, list[Attachment]] = {rid: [] for rid in request_ids}
        for start in range(0, len(request_ids), 500):
            chunk = request_ids[start:start + 500]
            rows = self.session.execute(
                select(ATTACHMENT.c.request_id, ATTACHMENT.c.number, ATTACHMENT.c.name, ATTACHMENT.c.size,
                       ATTACHMENT.c.sha256, ATTACHMENT.c.added_at)
                .where(ATTACHMENT.c.request_id.in_(chunk))
                .order_by(ATTACHMENT.c.request_id, ATTACHMENT.c.number)
            )
            for r in rows:
                result[r.request_id].append(
                    Attachment(name=r.name, size=r.size, sha256=r.sha256, added_at=r.added_at, number=r.number)
                )
        return result

    def attachment_content(self, request_id: str, number: int) -> tuple[Attachment, bytes | None]:
        row = self.session.execute(
            select(ATTACHMENT).where(and_(ATTACHMENT.c.request_id == request_id, ATTACHMENT.c.number == number))
        ).first()
        if row is None:
            raise NotFound(f"request {request_id} has no attachment {number}; `reqtrack show {request_id}` lists them")
        return Attachment(name=row.name, size=row.size, sha256=row.sha256, added_at=row.added_at, number=row.number), row.content

    def select(self, flt: RequestFilter, limit: int | None = None, newest_first: bool = True) -> Iterator[Request]:
        """Requests matching the filter, newest submission first, without history."""
        condition = _conditions(flt)
        if condition is None:
            return iter(())
        order = (REQUEST.c.submitted_at.desc(), REQUEST.c.id.desc()) if newest_first else (REQUEST.c.submitted_at, REQUEST.c.id)
        query = select(*_REQUEST_READER.columns).where(condition).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        # Fetched a thousand rows at a time: streams (exports of every row) without one call per row.
        partitions = self.session.execute(query).partitions(1000)
        return (_stored_to_request(row) for rows in partitions for row in rows)

    def count(self, flt: RequestFilter) -> int:
        """How many requests match the filter."""
        condition = _conditions(flt)
        if condition is None:
            return 0
        return self.session.execute(select(func.count()).select_from(REQUEST).where(condition)).scalar() or 0

    def next_sequence(self, month: str) -> int:
        """The month's highest sequence + 1 (imported IDs included; IDs are never deleted, so never reused)."""
        highest = self.session.execute(select(func.max(REQUEST.c.id_seq)).where(REQUEST.c.id_month == month)).scalar()
        return (highest or 0) + 1

    def settings(self) -> dict[str, str]:
        return {row.key: row.value for row in self.session.execute(select(SETTING))}

    # -- writing -----------------------------------------------------------------------
    def add(self, request: Request, contents: dict[int, bytes] | None = None) -> None:
        """Insert a new request with its history and attachments."""
        self.session.execute(insert(REQUEST).values(**_request_values(request)))
        if request.history:
            self.session.execute(insert(EVENT), [_event_values(request.id, e) for e in request.history])
        for attachment in request.attachments:
            self._insert_attachment(request.id, attachment, (contents or {}).get(attachment.number))
        self._loaded_history[request.id] = len(request.history)

    def save(self, request: Request) -> None:
        """Write the request's fields and append the history entries added since it was loaded."""
        values = _request_values(request)
        values.pop("id")
        self.session.execute(update(REQUEST).where(REQUEST.c.id == request.id).values(**values))
        known = self._loaded_history.get(request.id, 0)
        new_entries = [e for e in request.history if e.seq > known]
        if new_entries:
            self.session.execute(insert(EVENT), [_event_values(request.id, e) for e in new_entries])
        self._loaded_history[request.id] = len(request.history)

    def add_attachment(self, request_id: str, attachment: Attachment, content: bytes | None) -> None:
        self._insert_attachment(request_id, attachment, content)

    def _insert_attachment(self, request_id: str, attachment: Attachment, content: bytes | None) -> None:
        self.session.execute(insert(ATTACHMENT).values(
            request_id=request_id, number=attachment.number, name=attachment.name, size=attachment.size,
            sha256=attachment.sha256, content=content, added_at=attachment.added_at,
        ))

    def set_setting(self, key: str, value: str | None) -> None:
        self.session.execute(SETTING.delete().where(SETTING.c.key == key))
        if value is not None:
            self.session.execute(insert(SETTING).values(key=key, value=value))

    # -- a country's days, kept once used (table country_day) -----------------------------------
    def first_submission_year(self) -> int | None:
        """The (UTC) year of the earliest submission, None without requests."""
        row = self.session.connection().exec_driver_sql("SELECT min(submitted_at) FROM request").fetchone()
        return int(row[0][:4]) if row and row[0] else None

    def country_days(self, country: str, subdivision: str | None) -> dict[int, Any]:
        """The kept public holidays and make-up days of a country, by year."""
        return country_days_from_rows(self.session.connection().exec_driver_sql(
            "SELECT year, holidays, workdays FROM country_day WHERE country = ? AND subdivision = ?",
            (country, subdivision or "")).fetchall())

    def country_day_sources(self, country: str, subdivision: str | None) -> dict[int, str]:
        """Which package version each kept year of a country came from."""
        return dict(self.session.connection().exec_driver_sql(
            "SELECT year, source FROM country_day WHERE country = ? AND subdivision = ?",
            (country, subdivision or "")).fetchall())

    def keep_country_days(self, country: str, subdivision: str | None, days: dict[int, Any], source: str) -> None:
        """Keep a country's (holidays, make-up days) of these years, as `source` gave them."""
        if not days:
            return
        self.session.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO country_day VALUES (?, ?, ?, ?, ?, ?)",
            [(country, subdivision or "", year, country_day_text(off), country_day_text(made_up), source)
             for year, (off, made_up) in sorted(days.items())])

    def forget_country_days(self) -> None:
        """Drop every kept country day: they are taken again from the installed package."""
        self.session.connection().exec_driver_sql("DELETE FROM country_day")

    # -- stored running deadlines (derived data, table sla_open) ----------------------------------
    def deadline_basis(self) -> str | None:
        """What the stored running deadlines were computed with (None: not computed)."""
        return self.session.connection().exec_driver_sql(
            "SELECT basis FROM derived WHERE name = ?", (DEADLINES_BASIS,)).scalar()

    def put_running_deadlines(self, running: dict[str, Any]) -> None:
        """Replace the stored deadlines of these requests (a domain.sla.RunningDeadlines each, or
        None for a request that is no longer open)."""
        conn = self.session.connection()
        ids = list(running)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            conn.exec_driver_sql(f"DELETE FROM sla_open WHERE request_id IN ({', '.join('?' * len(chunk))})",
                                 tuple(chunk))
        rows = [running_deadline_row(rid, value) for rid, value in running.items() if value is not None]
        if rows:
            conn.exec_driver_sql("INSERT INTO sla_open VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def replace_running_deadlines(self, running: dict[str, Any], basis: str | None) -> None:
        """Store the deadlines of every open request afresh, computed with `basis` (None: drop
        them all; they are not used until recomputed)."""
        conn = self.session.connection()
        conn.exec_driver_sql("DELETE FROM sla_open")
        conn.exec_driver_sql("DELETE FROM derived WHERE name = ?", (DEADLINES_BASIS,))
        if basis is None:
            return
        self.put_running_deadlines(running)
        conn.exec_driver_sql("INSERT INTO derived (name, basis) VALUES (?, ?)", (DEADLINES_BASIS, basis))

    # -- report facts (derived data, tables report_fact, report_completion, report_event) --------
    def report_facts_basis(self) -> str | None:
        """The version of the stored report facts (None: not computed)."""
        return self.session.connection().exec_driver_sql(
            "SELECT basis FROM derived WHERE name = ?", (REPORT_FACTS_BASIS,)).scalar()

    def put_report_facts(self, facts: dict[str, Any]) -> None:
        """Replace the report facts of these requests: request ID → (the request,
        domain.metrics.RequestFacts)."""
        conn = self.session.connection()
        ids = list(facts)
        for start in range(0, len(ids), 500):
            chunk = tuple(ids[start:start + 500])
            marks = ", ".join("?" * len(chunk))
            for table in ("report_fact", "report_completion", "report_event"):
                conn.exec_driver_sql(f"DELETE FROM {table} WHERE request_id IN ({marks})", chunk)
        fact_rows: list[tuple] = []
        completion_rows: list[tuple] = []
        event_rows: list[tuple] = []
        for value in facts.values():
            fact, completions, events = report_fact_rows(*value)
            fact_rows.append(fact)
            completion_rows.extend(completions)
            event_rows.extend(events)
        for table, columns, rows in (("report_fact", REPORT_FACT_COLUMNS, fact_rows),
                                     ("report_completion", REPORT_COMPLETION_COLUMNS, completion_rows),
                                     ("report_event", REPORT_EVENT_COLUMNS, event_rows)):
            if rows:
                conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) "
                                     f"VALUES ({', '.join('?' * len(columns))})", rows)

    def plain_reader(self) -> Any:
        """A storage.reader.Reader over this unit of work's own sqlite3 connection (the same
        transaction): bulk reads without SQLAlchemy's per-row processing."""
        from .reader import Reader

        return Reader(cast(sqlite3.Connection, self.session.connection().connection.driver_connection))

    def clear_report_facts(self) -> None:
        """Drop every stored report fact and their version (reports read the histories until
        they are computed again)."""
        conn = self.session.connection()
        for table in ("report_fact", "report_completion", "report_event"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.exec_driver_sql("DELETE FROM derived WHERE name = ?", (REPORT_FACTS_BASIS,))

    def set_report_facts_basis(self, basis: str) -> None:
        """Record that the stored report facts are complete, as version `basis`."""
        self.session.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO derived (name, basis) VALUES (?, ?)", (REPORT_FACTS_BASIS, basis))

    # -- bulk work for imports (Core executemany: one statement per table and batch) --------------
    def get_many(self, request_ids: list[str]) -> dict[str, Request]:
        """Those of `request_ids` that exist, with history and attachments (ready for save_many)."""
        found: dict[str, Request] = {}
        for start in range(0, len(request_ids), 500):
            chunk = request_ids[start:start + 500]
            for row in self.session.execute(select(REQUEST).where(REQUEST.c.id.in_(chunk))):
                request = _row_to_request(row)
                found[request.id] = request
        if found:
            histories = self.histories(list(found))
            attachments = self.attachments_of(list(found))
            for request_id, request in found.items():
                request.history = histories[request_id]
                request.attachments = attachments[request_id]
                self._loaded_history[request_id] = len(request.history)
        return found

    def add_many(self, requests: list[Request]) -> None:
        """Insert new requests with their history and their name-only attachments (no content)."""
        if not requests:
            return
        self.session.execute(insert(REQUEST), [_request_values(r) for r in requests])
        events = [_event_values(r.id, e) for r in requests for e in r.history]
        if events:
            self.session.execute(insert(EVENT), events)
        files = [{"request_id": r.id, "number": a.number, "name": a.name, "size": a.size, "sha256": a.sha256,
                  "content": None, "added_at": a.added_at} for r in requests for a in r.attachments]
        if files:
            self.session.execute(insert(ATTACHMENT), files)

    def save_many(self, requests: list[Request], new_attachments: dict[str, list[Attachment]] | None = None) -> None:
        """`save` for many loaded requests at once, plus name-only attachments to add to them."""
        from sqlalchemy import bindparam

        if not requests:
            return
        rows = []
        for request in requests:
            values = _request_values(request)
            values["b_id"] = values.pop("id")
            rows.append(values)
        self.session.execute(update(REQUEST).where(REQUEST.c.id == bindparam("b_id")), rows)
        events: list[dict[str, Any]] = []
        for request in requests:
            known = self._loaded_history.get(request.id, 0)
            events.extend(_event_values(request.id, e) for e in request.history if e.seq > known)
            self._loaded_history[request.id] = len(request.history)
        if events:
            self.session.execute(insert(EVENT), events)
        files = [{"request_id": rid, "number": a.number, "name": a.name, "size": a.size, "sha256": a.sha256,
                  "content": None, "added_at": a.added_at} for rid, items in (new_attachments or {}).items() for a in items]
        if files:
            self.session.execute(insert(ATTACHMENT), files)

    def submissions_between(self, since: datetime, until: datetime) -> Iterator[tuple[str, datetime, str, str]]:
        """(id, submitted_at, customer, description) of requests submitted in [since, until]."""
        query = (select(REQUEST.c.id, REQUEST.c.submitted_at, REQUEST.c.customer, REQUEST.c.description)
                 .where(and_(REQUEST.c.submitted_at >= since, REQUEST.c.submitted_at <= until)))
        return ((r.id, r.submitted_at, r.customer, r.description) for r in self.session.execute(query))

    def record_import(self, *, file: str, at: datetime, actor: str, rows: int, created: int, updated: int,
                      unchanged: int) -> None:
        """One line of the import log."""
        from .tables import ImportLogRow

        self.session.execute(insert(ImportLogRow.__table__).values(  # type: ignore[attr-defined]
            file=file, at=at, actor=actor, rows=rows, created=created, updated=updated, unchanged=unchanged))


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class UnitOfWork:
    """One transaction: `with UnitOfWork(db) as uow: ...; uow.commit()`; anything else rolls back."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self.db.engine)
        self.requests = Repository(self.session)
        try:
            self.session.connection()  # BEGIN (IMMEDIATE for writers) now, not at the first write
        except OperationalError as exc:
            self.session.close()
            raise translate_operational_error(exc, self.db.path) from None
        return self

    def commit(self) -> None:
        try:
            self.session.commit()
        except OperationalError as exc:
            raise translate_operational_error(exc, self.db.path) from None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, OperationalError):
            raise translate_operational_error(exc, self.db.path) from None
        if isinstance(exc, DatabaseError):
            # A damaged file ("database disk image is malformed") is the environment's, not a bug.
            problem = environment_problem(exc, self.db.path)
            if problem is not None:
                raise problem from None
