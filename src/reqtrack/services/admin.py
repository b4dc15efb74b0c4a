"""Keeping the database whole: `backup` (a consistent, verified, private copy) and `check`
(integrity, schema, counts and anything inconsistent in the records).

The SQLite mechanics (online backup, integrity pragmas) live in storage/db.py; this module
decides what to copy where and what counts as a problem.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.errors import EnvironmentProblem, InvalidInput, Message, OsReason
from ..domain.lifecycle import FIRST_ACTIONS
from ..domain.record import parse_generated_id
from ..domain.vocab import VOCABULARIES
from ..storage.checks import orphan_facts_query
from ..storage.driver import bulk_work
from ..storage.stored import STORED_TIME_FORM, stored_time_problem
from .context import Context

# Statuses whose work has been reported finished, so they must carry the actual completion time.
FINISHED = ("verifying", "done", "closed")
# Columns of the request table that hold vocabulary keys.
VOCABULARY_COLUMNS = ("source", "type", "priority", "feasibility", "status", "verification", "satisfaction")
# Actions that may open a request's history: registration, or a row brought in by import.


# -- backup -----------------------------------------------------------------------------------
@dataclass
class BackupResult:
    """Where the copy went and what it holds (`source`: the database's file, or its label on a
    server)."""

    source: Path | str
    path: Path
    size: int
    requests: int
    schema_version: int


@bulk_work()  # on the server: psycopg's fetching and pipelining (storage.driver.bulk_work)
def backup(ctx: Context, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the database to `target` while others may be writing: consistent (one snapshot),
    private (0600), verified (integrity check of the copy) and put in place atomically, so a
    file at `target` is always a complete backup. An existing `target` is kept unless `overwrite`."""
    from ..safe_output import cannot_write, check_target, discard, private_directories
    from ..storage.db import copy_database, integrity_problems

    target = Path(target).expanduser()
    db = ctx.database(write=False)
    if db.path is None:  # the team database: the same copy as `copy` into a new SQLite file
        return _backup_of_server(db, target, overwrite)
    protected = [db.path]
    if not target.parent.is_dir():
        private_directories(target.parent)  # 0700 whatever the umask: it holds customer data
    # The database itself, a directory, a device or a pipe (/dev/null as root, say) is refused
    # even with --force: a backup must never replace them with a file.
    check_target(target, protected=protected, overwrite=overwrite, what="the backup ")

    # Build the copy under a temporary name beside the target, then link or rename it into
    # place: an interrupted backup never leaves a half-written file under the target's name.
    try:
        tmp = _temporary_path(target)
    except OSError as exc:
        raise cannot_write("the backup ", target, OsReason.of(exc), Message("; choose a writable directory")) from None
    source = None
    try:
        source = db.raw_connection()
        copy_database(source, tmp)
        copy = sqlite3.connect(str(tmp))
        try:
            problems = integrity_problems(copy)
            requests = copy.execute("SELECT count(*) FROM request").fetchone()[0]
            version = copy.execute("PRAGMA user_version").fetchone()[0]
        finally:
            copy.close()
        if problems:
            raise EnvironmentProblem("the copy of {path} fails its integrity check ({problem}), so the database itself is "
                                     "damaged; nothing was written to {target}; run `reqtrack check` and restore an "
                                     "earlier backup", path=db.path, problem=problems[0], target=target)
        _put_in_place(tmp, target, overwrite, protected)
    except sqlite3.DatabaseError as exc:  # locked past the timeout, disk full, or a damaged file
        from ..storage.db import translate_operational_error

        if "full" in str(exc).lower():  # the copy's disk, not the database's
            raise cannot_write("the backup ", target, Message("the disk is full; nothing was written there, free some space "
                                                              "and try again")) from None
        raise translate_operational_error(exc, db.path) from None
    except OSError as exc:
        raise cannot_write("the backup ", target, OsReason.of(exc)) from None
    finally:
        if source is not None:
            source.close()
        discard(tmp)
    return BackupResult(source=db.path, path=target, size=target.stat().st_size, requests=requests,
                        schema_version=version)


def _backup_of_server(db: Any, target: Path, overwrite: bool) -> BackupResult:
    """`backup` of a database on PostgreSQL: `copy` into a new SQLite file, built under a
    temporary name beside `target`, verified (counts, the consistency checks, SQLite's page
    check) and put in place; private (0600) like every database file."""
    from ..safe_output import check_target, private_directories
    from ..storage.migrations import SCHEMA_VERSION
    from .copying import copy_into_new_file

    if not target.parent.is_dir():
        private_directories(target.parent)  # 0700 whatever the umask: it holds customer data
    check_target(target, protected=db.protected_paths, overwrite=overwrite, what="the backup ")
    result = copy_into_new_file(db, target, overwrite=overwrite, what="the backup ")
    try:
        size = target.stat().st_size
    except OSError as exc:
        raise EnvironmentProblem("cannot read the backup {target} back: {reason}", target=target, reason=OsReason.of(exc)) from None
    return BackupResult(source=db.label, path=target, size=size, requests=result.tables["request"],
                        schema_version=SCHEMA_VERSION)


def _temporary_path(target: Path) -> Path:
    """A fresh name in the target's directory (same filesystem, so the final link is atomic);
    copy_database creates the file itself, exclusively and private."""
    from ..safe_output import temporary_name_beside

    return temporary_name_beside(target)


def _put_in_place(tmp: Path, target: Path, overwrite: bool, protected: list[Path]) -> None:
    """The one put-in-place of safe_output: rename (or link, without overwrite), directory fsynced."""
    from ..safe_output import put_in_place

    put_in_place(tmp, target, overwrite=overwrite, protected=protected, what="the backup ")


# -- check ------------------------------------------------------------------------------------
@dataclass
class Problem:
    """One thing `check` found wrong: what kind, which request (if any), and a sentence."""

    kind: str
    message: str
    request_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.request_id, "message": self.message}


@dataclass
class CheckReport:
    """What `check` found. `ok` only when the file is whole and nothing is inconsistent.
    `path` names the database (its file, or its schema on the server: the database's label);
    `file_checked` is False where SQLite's page check does not apply (PostgreSQL)."""

    path: str
    schema_version: int
    schema_known: int
    integrity: list[str]
    counts: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    engine: str = "sqlite"
    file_checked: bool = True

    @property
    def ok(self) -> bool:
        return not self.integrity and not self.problems

    def to_json(self) -> dict[str, Any]:
        integrity: Any = self.integrity or "ok"
        if not self.file_checked and not self.integrity:
            integrity = "not applicable"
        return {
            "path": str(self.path),
            "engine": self.engine,
            "ok": self.ok,
            "schema_version": self.schema_version,
            "schema_known": self.schema_known,
            "integrity": integrity,
            "counts": self.counts,
            "problems": [p.to_json() for p in self.problems],
            "notes": self.notes,
        }


NO_PAGE_CHECK = ("SQLite's page check (integrity_check) does not apply on PostgreSQL, which keeps its own pages; "
                 "the consistency checks ran in full")


def check(ctx: Context) -> CheckReport:
    """Integrity check (SQLite's file), schema version, counts and every inconsistency found in
    the records, on either engine.

    Reads only (query-only on SQLite, a READ ONLY snapshot on PostgreSQL). A database that is not
    reqtrack's, or is newer than this version, is refused (exit 3) as by every command; a driver
    error is one sentence (exit 3) through the database's `problem`.
    """
    from ..storage.checks import guard_reads, page_problems
    from ..storage.migrations import SCHEMA_VERSION

    db = ctx.database(write=False)
    conn = _connect(db)
    try:
        guard_reads(conn)
        version = conn.engine.schema_version(conn)
        pages = page_problems(conn)
        report = CheckReport(path=db.label, schema_version=version, schema_known=SCHEMA_VERSION,
                             integrity=pages or [], counts={}, engine=conn.engine.name, file_checked=pages is not None)
        if db.migrated_from is not None:
            kept = f"; the old file is kept at {db.backup_path}" if db.backup_path is not None else ""
            report.notes.append(f"upgraded from schema {db.migrated_from}{kept}")
        if pages is None:
            report.notes.append(NO_PAGE_CHECK)
        try:
            conn.begin(write=False)  # one snapshot for counts and checks, while others may write
            report.counts = _counts(conn)
            problems, notes = consistency_problems(conn)
            report.problems, report.notes = problems, report.notes + notes
            conn.execute("COMMIT")
        except db.engine.error as exc:
            if pages is None or (isinstance(exc, db.engine.operational_error) and "locked" in str(exc)):
                raise
            report.integrity.append(f"the records cannot all be read: {exc}")  # a damaged file
    except db.engine.error as exc:
        raise _environment(db, exc) from None
    finally:
        conn.close()
    return report


def _connect(db: Any) -> Any:
    try:
        return db.raw_connection()
    except db.engine.error as exc:
        raise _environment(db, exc) from None


def _environment(db: Any, exc: Exception) -> Exception:
    """A driver error as one sentence (exit 3) when it is the environment's (locked, unreachable,
    damaged, not allowed...); anything else is a bug and stays an internal error."""
    problem = db.problem(exc)
    if problem is not None:
        return problem
    if isinstance(exc, db.engine.operational_error):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        scrub = getattr(getattr(db, "address", None), "scrub", None) or (lambda text: text)
        return EnvironmentProblem("cannot use the database {database}: {detail}", database=db.named, detail=scrub(first))
    return exc


def consistency_problems(conn: Any) -> tuple[list[Problem], list[str]]:
    """Every inconsistency `check` looks for (records, stored deadlines, stored report facts), in
    the caller's transaction on `conn` (either engine), and the notes on what was not checked.
    `copy` runs them on its target before committing."""
    from .documents import json_doc_problems  # the stored JSON texts of `list --format json`
    from .search import search_index_problems  # the search index and the links (issue 18)
    problems = list(_inconsistencies(conn))
    notes = []
    for derived_check in (_deadline_problems, _report_fact_problems, search_index_problems, json_doc_problems):
        try:
            derived_problems, note = derived_check(conn)
        except ValueError:  # a history entry whose changes are not JSON (history-unreadable above)
            if not any(p.kind == "history-unreadable" for p in problems):
                raise
            derived_problems, note = [], (f"stored {'SLA deadlines' if derived_check is _deadline_problems else 'report facts'} "
                                          "not checked: they are computed from the histories, and one of them is unreadable")
        problems += derived_problems
        if note:
            notes.append(note)
    return problems, notes


def _counts(conn: Any) -> dict[str, Any]:
    by_status = dict(conn.execute("SELECT status, count(*) FROM request GROUP BY status ORDER BY status").fetchall())
    return {
        "requests": sum(by_status.values()),
        "by_status": by_status,
        "events": conn.execute("SELECT count(*) FROM event").fetchone()[0],
        "attachments": conn.execute("SELECT count(*) FROM attachment").fetchone()[0],
        "imports": conn.execute("SELECT count(*) FROM import_log").fetchone()[0],
    }


def _inconsistencies(conn: Any) -> Iterator[Problem]:
    """Each rule below is something the services never produce; finding one means the file was
    edited by hand, damaged, or written by a buggy version."""
    marks = ", ".join("?" for _ in FINISHED)
    for rid, status in conn.execute(
        f"SELECT id, status FROM request WHERE status IN ({marks}) AND completed_at IS NULL ORDER BY id", FINISHED
    ):
        yield Problem("no-completion-time", f"{rid} is {status} but has no actual completion time", rid)
    for rid, status in conn.execute(
        "SELECT id, status FROM request WHERE status IN ('pending', 'in-progress') AND completed_at IS NOT NULL ORDER BY id"
    ):
        yield Problem("stray-completion-time", f"{rid} is {status} but has an actual completion time", rid)
    for (rid,) in conn.execute("SELECT id FROM request WHERE status = 'closed' AND closed_at IS NULL ORDER BY id"):
        yield Problem("no-closing-time", f"{rid} is closed but has no closing time", rid)

    yield from _id_problems(conn)
    yield from _stored_time_problems(conn)
    yield from _history_problems(conn)
    yield from _vocabulary_problems(conn)
    yield from _attachment_problems(conn)
    yield from _setting_problems(conn)


def _rows(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows of a query over a whole table, streamed (on PostgreSQL too: storage.copying)."""
    from ..storage.copying import stream_rows

    for rows in stream_rows(conn, sql, params):
        yield from rows


def _has_control(text: Any) -> bool:
    import unicodedata

    return not isinstance(text, str) or any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text)


def _shown_id(rid: Any) -> str:
    """An ID for a message: as it is, or escaped when it holds characters a terminal would hide."""
    return ascii(rid) if _has_control(rid) else str(rid)


def _id_problems(conn: Any) -> Iterator[Problem]:
    for rid, month, seq in _rows(conn, "SELECT id, id_month, id_seq FROM request ORDER BY id"):
        if _has_control(rid) or not rid.strip() or len(rid) > 64:
            yield Problem("id-unusable", f"the ID {_shown_id(rid)} holds a control character, a line break or "
                          "nothing but spaces, or is over 64 characters, so commands cannot name it (an older "
                          "version imported it unchecked); `list` and `export` still show it: import its exported "
                          "row under a proper ID to carry on with it", str(rid))
            continue
        parsed = parse_generated_id(rid)
        expected = parsed if parsed else (None, None)
        if (month, seq) != expected:
            yield Problem("id-index", f"{rid} is indexed as month {month}, sequence {seq}; expected {expected[0]}, "
                          f"{expected[1]} (IDs could be generated twice)", rid)


# Stored times that are not UTC `YYYY-MM-DDTHH:MM:SSZ` within the years reqtrack handles: written by
# a version before issue 13 (years before 1000 lost their leading zeros) or by hand. Commands read
# them without failing (storage.stored.UNREADABLE_TIME); these rules say where they are and how to
# put them right. Each value is judged in Python (storage.stored.stored_time_problem), the same on
# every engine, reading the columns a chunk at a time.
_REQUEST_TIME_COLUMNS = ("submitted_at", "due", "completed_at", "responded_at", "closed_at", "updated_at")
_TIME_REPAIRS = {
    "submitted_at": "correct it with `reqtrack edit {rid} --submitted-at DT`",
    "due": "correct it with `reqtrack assign {rid} --owner NAME --due DT`",
    "updated_at": "any command that changes the request rewrites it",
}


def _read_as(text: Any) -> str:
    from ..storage.stored import salvaged_time

    value = salvaged_time(text)
    return f"read as {value:%Y-%m-%d %H:%M} UTC" if value is not None else "read as 1900-01-01 until corrected"


def _fine_time(text: Any) -> bool:
    """The common case, quickly: exactly the stored form, a real date, a year 1900–2999 (every
    value it accepts is one stored_time_problem accepts; the others go to it)."""
    if type(text) is not str or len(text) != 20 or not "1900" <= text[:4] <= "2999" or not STORED_TIME_FORM.match(text):
        return False
    try:
        datetime.fromisoformat(text[:19])
    except ValueError:
        return False
    return True


def _time_problem(text: Any) -> str | None:
    return None if text is None or _fine_time(text) else stored_time_problem(text)


def _stored_time_problems(conn: Any) -> Iterator[Problem]:
    from ..storage.copying import stream_rows

    found: dict[str, list[Problem]] = {column: [] for column in _REQUEST_TIME_COLUMNS}
    for rows in stream_rows(conn, f"SELECT id, {', '.join(_REQUEST_TIME_COLUMNS)} FROM request ORDER BY id"):
        for rid, *texts in rows:
            for column, text in zip(_REQUEST_TIME_COLUMNS, texts):
                why = _time_problem(text)
                if why is None:
                    continue
                repair = _TIME_REPAIRS.get(column, "correct it by importing a sheet row for this ID with the right cell")
                found[column].append(Problem(
                    "unreadable-time", f"{_shown_id(rid)}'s {column} holds {text!r}, which {why} ({_read_as(text)}); "
                    + repair.format(rid=_shown_id(rid)), str(rid)))
    for column in _REQUEST_TIME_COLUMNS:
        yield from found[column]
    for rows in stream_rows(conn, "SELECT request_id, seq, at FROM event ORDER BY request_id, seq"):
        for rid, seq, text in rows:
            why = _time_problem(text)
            if why is not None:
                yield Problem("unreadable-time", f"{_shown_id(rid)}'s history entry {seq} has the time {text!r}, which "
                              f"{why} ({_read_as(text)}); history is never rewritten: restore a backup from before it "
                              "was written, or leave it (it is only shown)", str(rid))


def _history_problems(conn: Any) -> Iterator[Problem]:
    for (rid,) in conn.execute(
        "SELECT id FROM request WHERE NOT EXISTS (SELECT 1 FROM event WHERE event.request_id = request.id) ORDER BY id"
    ):
        yield Problem("no-history", f"{rid} has no history at all (not even its registration)", rid)
    for rid, count, low, high in conn.execute(
        "SELECT request_id, count(*), min(seq), max(seq) FROM event GROUP BY request_id "
        "HAVING min(seq) != 1 OR max(seq) != count(*) ORDER BY request_id"
    ):
        yield Problem("history-gap", f"{rid} has {count} history entries numbered {low}..{high}; entries are missing", rid)
    for (rid,) in conn.execute(
        "SELECT DISTINCT request_id FROM event WHERE NOT EXISTS (SELECT 1 FROM request WHERE request.id = event.request_id) "
        "ORDER BY request_id"
    ):
        yield Problem("orphan-history", f"history entries exist for {rid}, which is not in the database", rid)
    for (rid,) in conn.execute(
        "SELECT DISTINCT request_id FROM attachment "
        "WHERE NOT EXISTS (SELECT 1 FROM request WHERE request.id = attachment.request_id) ORDER BY request_id"
    ):
        yield Problem("orphan-attachment", f"attachments exist for {rid}, which is not in the database", rid)
    first_marks = ", ".join("?" for _ in FIRST_ACTIONS)
    for rid, action in conn.execute(
        f"SELECT request_id, action FROM event WHERE seq = 1 AND action NOT IN ({first_marks}) ORDER BY request_id",
        FIRST_ACTIONS,
    ):
        yield Problem("no-registration", f"{rid}'s history starts with {action!r}, not with its registration", rid)
    for rid, at, seq in conn.execute(
        "SELECT a.request_id, a.at, a.seq FROM event a JOIN event b ON a.request_id = b.request_id AND b.seq = a.seq + 1 "
        "WHERE b.at < a.at AND a.action != 'import' AND b.action != 'import' ORDER BY a.request_id, a.seq"
    ):
        yield Problem("history-order", f"{rid}'s history entry {seq + 1} is dated before entry {seq} ({at})", rid)
    # The status each request's history implies: the new value of its latest status change;
    # `pending` for one registered here and never moved. (An imported request's first status
    # came from its row, not from an entry, so it is judged only by later changes; so is one
    # whose `new` entry was read back from a sheet's process log: such entries record no changes,
    # while `reqtrack new` always records the customer.)
    implied: dict[str, str] = dict.fromkeys(
        (rid for (rid,) in _rows(conn, "SELECT request_id FROM event WHERE seq = 1 AND action = 'new' "
                                        "AND changes IS NOT NULL AND changes != 'null'")), "pending")
    for rid, changes in _rows(
        conn,
        "SELECT request_id, changes FROM event WHERE changes LIKE '%\"status\"%' ORDER BY request_id, seq"
    ):
        try:
            change = json.loads(changes).get("status")
        except (ValueError, AttributeError):
            yield Problem("history-unreadable", f"{rid} has a history entry whose changes are not readable", rid)
            continue
        if isinstance(change, list) and len(change) == 2 and isinstance(change[1], str):
            implied[rid] = change[1]
    for rid, status in _rows(conn, "SELECT id, status FROM request ORDER BY id"):
        if rid in implied and implied[rid] != status:
            yield Problem("status-disagrees", f"{rid} is {status} but its history last set it to {implied[rid]}", rid)


def _vocabulary_problems(conn: Any) -> Iterator[Problem]:
    """Keys no vocabulary has (source and type: the database's own entries too), and a name two
    keys of the database's source or type share."""
    from ..domain.vocab import fold
    from ..storage.repository import Repository

    team = Repository(conn).vocabularies()
    for name in ("source", "type"):
        owners: dict[str, str] = {}
        for entry in team.entries(name):
            for text in set(map(fold, entry.names())):
                if text in owners:
                    yield Problem("vocabulary-name-shared", f"{name} {owners[text]} and {entry.key} share the name "
                                  f"{text!r}; input takes it as {owners[text]} (`reqtrack vocab edit` one of them)")
                owners.setdefault(text, entry.key)
    for column in VOCABULARY_COLUMNS:
        known = team.get(column).keys if column in ("source", "type") else VOCABULARIES[column].keys
        for rid, value in _rows(conn, f"SELECT id, {column} FROM request WHERE {column} IS NOT NULL ORDER BY id"):
            if value not in known:
                yield Problem("unknown-value", f"{rid} has {column} {value!r}, which is not one of {', '.join(known)}", rid)
    actions = VOCABULARIES["action"].keys
    for rid, action, seq in _rows(conn, "SELECT request_id, action, seq FROM event ORDER BY request_id, seq"):
        if action not in actions:
            yield Problem("unknown-action", f"{rid}'s history entry {seq} has the unknown action {action!r}", rid)


def _attachment_problems(conn: Any) -> Iterator[Problem]:
    rows = conn.execute(
        "SELECT id, request_id, number, name, size, sha256 FROM attachment WHERE content IS NOT NULL ORDER BY request_id, number"
    ).fetchall()
    for row_id, rid, number, name, size, digest in rows:
        # One attachment in memory at a time (each is at most 20 MiB).
        content = conn.execute("SELECT content FROM attachment WHERE id = ?", (row_id,)).fetchone()[0]
        actual = hashlib.sha256(content).hexdigest()
        if digest != actual:
            yield Problem("attachment-damaged", f"{rid} attachment {number} ({name}) does not match its sha256; "
                          "its content has changed since it was stored", rid)
        elif size is not None and size != len(content):
            yield Problem("attachment-size", f"{rid} attachment {number} ({name}) is {len(content)} bytes, recorded as {size}", rid)


def _deadline_problems(conn: Any) -> tuple[list[Problem], str | None]:
    """Stored running deadlines (what `overdue` reads) that differ from the ones the histories
    give; or a note when they are not in use (computed with other settings: the next write
    recomputes them)."""
    from ..domain.sla import SlaPolicy, deadline_basis
    from ..storage.repository import Repository
    from ..storage.stored import running_deadline_row
    from .context import calendar_for
    from .upkeep import open_running_deadlines

    reader = Repository(conn)
    settings = reader.settings()
    try:
        calendar = calendar_for(settings, reader)
        policy = SlaPolicy.from_settings(settings)
        basis = deadline_basis(settings)
    except InvalidInput as exc:
        return [], f"stored SLA deadlines not checked: {exc}"
    if reader.deadline_basis() != basis:
        return [], ("stored SLA deadlines were computed with other settings (or not yet): `overdue` replays "
                    "every open request's history until the next write command recomputes them")
    expected = {rid: running_deadline_row(rid, running)
                for rid, running in open_running_deadlines(reader, calendar, policy).items() if running is not None}
    stored = {row[0]: tuple(row) for row in conn.execute("SELECT * FROM sla_open")}
    problems = []
    for rid in sorted(set(expected) | set(stored)):
        if expected.get(rid) != stored.get(rid):
            what = ("are missing" if rid not in stored else "are stored for a request that is not open"
                    if rid not in expected else "differ from its history")
            problems.append(Problem("stored-deadlines", f"{rid}'s stored SLA deadlines {what}; "
                                    "`reqtrack config set` of any setting, even to its current value, recomputes them", rid))
    return problems, None


def _report_fact_problems(conn: Any) -> tuple[list[Problem], str | None]:
    """Stored report facts (what `report` reads) that differ from the ones the histories give;
    or a note when they have not been computed yet (the next write computes them)."""
    from ..storage.report_queries import report_facts_ready
    from ..storage.repository import Repository
    from ..storage.stored import REPORT_FACT_TABLES, report_fact_rows
    from .upkeep import all_report_facts

    if not report_facts_ready(conn):
        return [], ("stored report facts not computed yet: `report` replays the histories until the next "
                    "write command computes them")

    tables = REPORT_FACT_TABLES  # report_fact first, then the tables of several rows per request
    problems = []
    for chunk in all_report_facts(Repository(conn)):
        # The stored rows of this chunk's requests only: memory stays that of one chunk.
        stored: dict[str, list[Any]] = {rid: [None, *(set() for _ in tables[1:])] for rid in chunk}
        wanted = json.dumps(list(chunk))
        for index, (table, columns) in enumerate(tables):
            for row in conn.execute(f"SELECT {', '.join(f't.{c}' for c in columns)} FROM {conn.engine.json_rows('w')} "
                                    f"JOIN {table} t ON t.request_id = w.value", (wanted,)):
                entry = stored.get(row[columns.index("request_id")])
                if entry is None:  # SQLite's json_each cuts an ID at a NUL: such IDs are reported as id-unusable
                    continue
                if index == 0:
                    entry[0] = tuple(row)
                else:
                    entry[index].add(tuple(row))
        for rid, (request, facts) in chunk.items():
            if _has_control(rid):
                continue  # reported as id-unusable; SQLite's JSON functions cannot carry it whole
            fact, *others = report_fact_rows(request, facts)
            if stored[rid] != [fact, *(set(rows) for rows in others)]:
                what = "are missing" if stored[rid][0] is None else "differ from its history"
                problems.append(Problem("report-facts", f"{rid}'s stored report facts {what}; the next change "
                                        "to it (`reqtrack edit`, `progress`, ...) rewrites them", rid))
    orphans = conn.execute(orphan_facts_query([table for table, _ in tables])).fetchall()
    for (rid,) in orphans:
        problems.append(Problem("report-facts", f"report facts are stored for {rid}, which is not in the database", rid))
    return problems, None


def _setting_problems(conn: Any) -> Iterator[Problem]:
    row = conn.execute("SELECT value FROM setting WHERE key = 'calendar.timezone'").fetchone()
    if row is None:
        yield Problem("setting", "the database has no calendar.timezone; set one with `reqtrack config set calendar.timezone ZONE`")
        return
    try:
        ZoneInfo(row[0])
    except Exception:  # noqa: BLE001 - any invalid zone name
        yield Problem("setting", f"calendar.timezone is {row[0]!r}, not a known time zone")
    # Every other stored setting must still read as `config set` would accept it (a country the
    # installed holidays package no longer knows, a number edited by hand).
    from ..domain.sla import SETTINGS, validate_setting

    stored = dict(conn.execute("SELECT key, value FROM setting").fetchall())
    for key, value in sorted(stored.items()):
        if key == "calendar.timezone" or key not in SETTINGS:
            continue
        try:
            validate_setting(key, value, stored)
        except InvalidInput as exc:
            yield Problem("setting", f"stored setting {exc}; fix it with `reqtrack config set {key} VALUE`")
