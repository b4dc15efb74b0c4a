"""Import of an xlsx or CSV sheet (docs/excel.md, "Import"): all or nothing, as the rows pass.

The rows are read, checked and written a batch at a time, inside ONE write transaction, so that
memory does not grow with the file: each row is parsed and checked (`import_rows`); a row that
names a stored request is compared with it and, when it changes something, the request updated
(`import_merge`); a row new to the database becomes a request; each batch is written with bulk
inserts and updates and its derived rows kept (`upkeep.keep_deadlines`). Rows without an ID are
kept aside on disk until the whole file is read (their IDs come after the highest of the file,
and a stored request an ID of the file names is never matched by one of them), then matched and
written the same way; the links come last, then the import is logged and the transaction
commits.

The first problem stops the writing, not the reading: every row is still checked, so the
refusal lists every problem of the file (row, column, value) — the file's own first (phase A:
cells, IDs, times; in a new database, mask-like names), else those against the database
(phase B), in row order — and the transaction rolls back: nothing is written. A database that
did not exist is made for the import's transaction and appears only when it commits
(storage.db.open_database's `new`); a refused import leaves none.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput, Listed, Message
from ..domain.record import Attachment, HistoryEntry, Request
from ..domain.vocabularies import DEFAULT, Vocabularies
from ..excel.columns import Column
from ..excel.reader import Table, read_table
from ..excel.safety import strip_cut_marker
from ..storage.driver import bulk_work
from ..storage.fact_scratch import SCRATCH_TABLES
from ..storage.stored import bulk_objects
from .context import Context, Inputs, inputs
from .fact_worker import FactWorker, WorkerFailed, start_fact_worker
from .import_links import apply_links
from .import_merge import Ids, RowsWithoutId, compare, masked_cells, new_request
from .import_rows import MASKED_MESSAGE, ImportProblem, ImportRefused, ParsedRow, parse_rows
from .upkeep import keep_deadlines

if TYPE_CHECKING:
    from ..storage.repository import UnitOfWork

BATCH = 1000  # rows read from and written to the database at a time
# The tables of a new database loaded before what keeps them in order (Repository.set_aside):
# their foreign keys are added over the rows, and for INDEXED_AFTER the indexes that keep no
# key unique (on SQLite also the full-text index of search_doc) are made after them: an import
# reads none of those. Not report_completion's or report_event's: their index by request is how
# a batch's facts are replaced when the import computes them itself (FactStore.put_report_facts).
LOADED_FIRST = ("event", "search_doc", "request_state", "report_fact", "report_completion", "report_event",
                "request_json", "sla_open")
INDEXED_AFTER = ("event", "search_doc", "request_state", "report_fact")

__all__ = ["BATCH", "ImportProblem", "ImportRefused", "ImportResult", "import_file"]


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    path: Path
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    matched_without_id: int = 0
    warnings: list[Message] = field(default_factory=list)  # notes for people (the CLI renders them in --lang)
    links: int = 0  # links made from the Links column (services.import_links)


@bulk_work()  # on the server: psycopg's fetching and pipelining (storage.driver.bulk_work)
def import_file(ctx: Context, path: Path, dry_run: bool = False) -> ImportResult:
    """Import an xlsx or CSV sheet: every row checked; in one transaction, new requests created,
    changed ones updated (with an `import` history entry), identical ones left alone, and the
    import logged; nothing at all when a row has a problem. `dry_run` checks and counts without
    writing anything."""
    path = Path(path).expanduser()
    database_exists = ctx.database_exists()
    tz, vocabularies = _database_zone(ctx, database_exists)
    table = read_table(path)
    try:
        sheet = _sheet(table, path, tz, database_exists)
        rows = parse_rows(table, sheet.file_tz, ctx.now, sheet.problems, sheet.tz, vocabularies)
        if dry_run and not database_exists:
            return _plan_without_database(sheet, rows)
        with ctx.unit_of_work(write=not dry_run, new=not database_exists) as uow, bulk_objects(), \
                _Import(ctx, sheet, uow, dry_run, database_exists) as run:
            while batch := list(islice(rows, BATCH)):
                run.take(batch)
            result = run.finish()
            if not dry_run:
                uow.commit()
        return result
    finally:
        table.close()


# -- the file -------------------------------------------------------------------------------------------
@dataclass
class _Sheet:
    """The file being imported, what its rows are read with, and the problems found in them."""

    path: Path
    columns: list[Column]
    file_tz: ZoneInfo  # the zone of the file's date-times
    tz: ZoneInfo  # the database's zone (a new database takes the file's)
    warnings: list[Message]
    problems: list[ImportProblem] = field(default_factory=list)  # the file's own (phase A), as the rows are read

    def __post_init__(self) -> None:
        self.by_key = {c.key: c for c in self.columns}
        self.keys = set(self.by_key)


def _database_zone(ctx: Context, database_exists: bool) -> tuple[ZoneInfo, Vocabularies]:
    """The zone and vocabularies the rows are read in: the database's; for a new one, this
    machine's zone and the built-in entries alone."""
    if database_exists:
        with ctx.reader() as uow:
            given = inputs(uow, ctx)
            return given.tz, given.vocabularies
    from ..storage.db import local_timezone_name

    return ZoneInfo(local_timezone_name()), DEFAULT


def _sheet(table: Table, path: Path, tz: ZoneInfo, database_exists: bool) -> _Sheet:
    """The file as its header and info sheet describe it; a masked export is refused
    (InvalidInput) before any row is read."""
    file_tz, database_tz, zone_note = _zones(table, tz, database_exists)
    if table.masked:
        raise InvalidInput(
            "{name} is a masked export (personal names hidden with *); importing it would overwrite real names with "
            "masked ones, so it is refused: import the unmasked export instead", name=path.name)
    warnings = [zone_note] if zone_note else []
    if table.ignored:
        warnings.append(Message("columns not imported (not reqtrack columns): {columns}",
                                columns=Listed.of(table.ignored, ", ")))
    return _Sheet(path, table.columns, file_tz, database_tz, warnings)


def _zones(table: Table, tz: ZoneInfo, database_exists: bool) -> tuple[ZoneInfo, ZoneInfo, Message | None]:
    """(the file's zone, the database's zone, a note on them) for a database in `tz`.

    The file's date-times are local to the zone its info sheet states (an export from a database
    in another zone); dates stay dates in the database's zone. A new database takes the file's
    zone, so that the round trip gives the same cells."""
    file_tz = _file_zone(table)
    if file_tz is None or file_tz.key == tz.key:
        return tz, tz, None
    if database_exists:
        return file_tz, tz, Message("the file's times are in {file} (its info sheet), the database's in {database}: "
                                    "date-times were converted, dates kept", file=file_tz.key, database=tz.key)
    return file_tz, file_tz, Message("the new database takes the file's time zone {file} (machine: {machine})",
                                     file=file_tz.key, machine=tz.key)


def _file_zone(table: Table) -> ZoneInfo | None:
    """The zone a reqtrack export states in its info sheet, when it names a known one."""
    if not table.timezone:
        return None
    try:
        return ZoneInfo(table.timezone)
    except (ValueError, KeyError, OSError):
        return None


def _mask_problems(row: ParsedRow) -> list[ImportProblem]:
    """The row's names that look masked, as problems (a request new to the database)."""
    return [ImportProblem(row.number, name, value, MASKED_MESSAGE, masked=True) for _, name, value in row.mask_like]


def _refuse_or_go_on(sheet: _Sheet, mask_problems: list[ImportProblem], rows: int) -> None:
    """The end of the file: ImportRefused listing the file's own problems (the mask-like names
    of a new database's rows after the others), InvalidInput for a sheet without rows."""
    if sheet.problems or mask_problems:
        raise ImportRefused(sheet.path, sheet.problems + mask_problems)
    if not rows:
        raise InvalidInput("{name} has a header but no rows to import", name=sheet.path.name)


def _plan_without_database(sheet: _Sheet, rows: Iterable[ParsedRow]) -> ImportResult:
    """A dry run against a database that does not exist yet: every row would be created."""
    count = 0
    missing_times: list[int] = []
    mask_problems: list[ImportProblem] = []
    for row in rows:
        count += 1
        if row.values.get("submitted_at") is None:
            missing_times.append(row.number)
        mask_problems += _mask_problems(row)
    _refuse_or_go_on(sheet, mask_problems, count)
    warnings = list(sheet.warnings)
    if missing_times:
        warnings.append(Message("{count} row(s) without a submission time would be taken as submitted now",
                                count=len(missing_times)))
    return ImportResult(sheet.path, count, count, 0, 0, True, 0, warnings)


# -- against the database, in one transaction ---------------------------------------------------------
class _Writes:
    """The import's writes, BATCH requests at a time, each batch's derived rows kept with it;
    nothing on a dry run, nor once a problem has been found (the transaction will roll back).
    Counts what was updated and what was left as it was."""

    def __init__(self, uow: UnitOfWork, settings: Inputs, dry_run: bool) -> None:
        self.uow = uow
        self.repo = uow.requests
        self.settings = settings
        self.writing = not dry_run
        self.updated = self.unchanged = 0
        self.updates: list[Request] = []
        self.files: dict[str, list[Attachment]] = {}
        self.creations: list[Request] = []
        self.worker: FactWorker | None = None  # the new requests' report facts, in a second process
        self.worker_tried = False

    def stop(self) -> None:
        """A problem was found: nothing more is written (what was is rolled back)."""
        self.writing = False
        self.updates, self.files, self.creations = [], {}, []
        self.close()

    def close(self) -> None:
        """The second process stopped and its file removed (whatever happened)."""
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    def update(self, request: Request, new_attachments: list[Attachment]) -> None:
        self.updated += 1
        if self.writing:
            self.updates.append(request)
            if new_attachments:
                self.files[request.id] = new_attachments
            if len(self.updates) >= BATCH:
                self.flush_updates()

    def flush_updates(self) -> None:
        if self.writing and self.updates:
            self.repo.save_many(self.updates, self.files)
            keep_deadlines(self.uow, self.settings, self.updates)
        self.updates, self.files = [], {}

    def create(self, request: Request) -> None:
        if self.writing:
            self.creations.append(request)
            if len(self.creations) >= BATCH:
                self.flush_creations()

    def flush_creations(self) -> None:
        if self.writing and self.creations:
            worker = self._worker(len(self.creations))
            rows = self.repo.add_many(self.creations)
            if worker is not None:
                try:
                    worker.put(rows)
                except WorkerFailed as failure:
                    self.worker_failed(failure)
                    worker = None
            keep_deadlines(self.uow, self.settings, self.creations, elsewhere=worker is not None)
        self.creations = []

    def flush(self, aside: dict[str, list[str]]) -> None:
        """Write what waits; then the derived rows of the second process (if any) join them, and
        what was set `aside` (table: statements, _Import) is made again. The tables the second
        process does not write first, while it may still be at its last batches: their indexes
        are built beside it rather than after it (on two cores)."""
        self.flush_updates()
        self.flush_creations()
        later = {table for table, _ in SCRATCH_TABLES}
        self.repo.put_back([s for table, statements in aside.items() if table not in later for s in statements])
        if self.worker is not None:
            try:
                self.repo.copy_report_facts(self.worker.finish())
            except WorkerFailed as failure:
                self.worker_failed(failure)
            self.close()
        self.repo.put_back([s for table, statements in aside.items() if table in later for s in statements])

    def _worker(self, creations: int) -> FactWorker | None:
        """The second process for a full batch of new requests (before it is written), started
        with the first one once the stored facts are complete and judged under the current
        settings. An empty database's are (of no request); in another, the first batch's upkeep
        makes them so."""
        if self.worker is not None or self.worker_tried or creations < BATCH:
            return self.worker
        from ..storage.stored import REPORT_FACTS_VERSION, RequestFilter
        from .upkeep import Verdicts

        try:
            judges = Verdicts.of(self.settings)
        except InvalidInput:
            self.worker_tried = True
            return None
        repo = self.repo
        if (repo.report_facts_basis(), repo.verdicts_basis()) != (REPORT_FACTS_VERSION, judges.basis):
            if repo.count(RequestFilter()):
                return None
            repo.set_report_facts_basis(REPORT_FACTS_VERSION)  # those of no request
            repo.set_verdicts_basis(judges.basis)
        self.worker_tried = True
        self.worker = start_fact_worker(judges, repo.fact_scratch_layout())
        return self.worker

    def worker_failed(self, failure: WorkerFailed) -> None:
        """The second process stopped without its facts: every request's are computed here
        (keep_report_facts' rebuild, in this transaction). REQTRACK_DEBUG=1 raises `failure`
        instead."""
        if os.environ.get("REQTRACK_DEBUG"):
            raise failure
        self.close()
        self.repo.clear_report_facts()
        keep_deadlines(self.uow, self.settings, [])


class _Staged:
    """Rows kept aside until the whole file is read (those without an ID), on disk a batch at a
    time (a private temporary file, gone when closed), so that memory does not grow with them."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None
        self.batches = 0

    def add(self, rows: list[ParsedRow]) -> None:
        if self.file is None:
            self.file = tempfile.TemporaryFile(prefix="reqtrack-import-")
        pickle.dump(rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batches += 1

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        if self.file is None:
            return
        self.file.seek(0)
        for _ in range(self.batches):
            yield pickle.load(self.file)  # noqa: S301 - what this process wrote just before

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _Import:
    """One import against the database, fed a batch of rows at a time (`take`), then `finish`."""

    def __init__(self, ctx: Context, sheet: _Sheet, uow: UnitOfWork, dry_run: bool, database_exists: bool) -> None:
        self.ctx, self.sheet, self.dry_run, self.new_database = ctx, sheet, dry_run, not database_exists
        # Empty for certain: made for this import (another process may have created the database
        # between the look and the open: then it is matched against like any other).
        self.empty = self.new_database and bool(uow.db.pending)
        self.uow = uow
        repo = self.repo = uow.requests
        if self.new_database and not dry_run and sheet.tz.key != repo.settings().get("calendar.timezone"):
            repo.set_setting("calendar.timezone", sheet.tz.key)  # in the import's transaction
        self.writes = _Writes(uow, Inputs(repo.settings(), ctx.now, repo), dry_run)
        # A new database's history entries, search documents and report facts are only
        # appended to until the end (looked up by their keys, if at all): their foreign keys and
        # other indexes are made once over them, before the commit.
        self.aside = ({table: repo.set_aside(table, indexes=table in INDEXED_AFTER) for table in LOADED_FIRST}
                      if self.empty and not dry_run else {})
        self.rows = self.created = self.matched = 0
        self.missing_times: list[int] = []
        self.cut_rows: list[int] = []
        self.mask_problems: list[ImportProblem] = []  # a new database's mask-like names (the file's own problems)
        self.problems: list[ImportProblem] = []  # against the database (phase B)
        self.explicit: set[str] = set()  # the IDs the rows name
        self.ids = Ids(repo)
        self.without_id = RowsWithoutId(sheet.tz)
        self.staged = _Staged()
        self.links = "links" in sheet.keys
        self.link_rows: list[ParsedRow] = []  # rows with a Links cell: (number, ID, the cell)
        self.known: set[str] = set()  # with a Links column: the ID of every row, its own or the one it took
        self.made: set[str] = set()  # with a Links column: the IDs created

    def __enter__(self) -> _Import:
        return self

    def __exit__(self, *exc: object) -> None:
        self.staged.close()
        self.writes.close()

    @property
    def refused(self) -> bool:
        """Whether the file has a problem of its own: nothing more is compared or written."""
        return bool(self.sheet.problems or self.mask_problems)

    def take(self, batch: list[ParsedRow]) -> None:
        """A batch of the file's rows (their own problems already in sheet.problems)."""
        for row in batch:
            self.rows += 1
            if row.values.get("submitted_at") is None:
                self.missing_times.append(row.number)
            if row.id is not None:
                self.explicit.add(row.id)
                self.ids.saw(row.id)
            if self.new_database and row.mask_like:
                self.mask_problems += _mask_problems(row)
        if self.refused:
            self.writes.stop()
            return
        without = [row for row in batch if row.id is None]
        if without:
            for row in without:
                self.without_id.note(row)
            self.staged.add(without)
        self._merge([row for row in batch if row.id is not None] if without else batch)

    def finish(self) -> ImportResult:
        """After the last batch: the rows without an ID, the links, the log; ImportRefused (and
        nothing written) when a row has a problem."""
        sheet = self.sheet
        _refuse_or_go_on(sheet, self.mask_problems, self.rows)
        if self.staged.batches:
            self.without_id.load(None if self.empty else self.repo, self.explicit)
            for batch in self.staged:
                for row in batch:
                    row.target = self.without_id.target(row)
                    self.matched += row.target is not None
                self._merge(batch)
        if self.problems:
            raise ImportRefused(sheet.path, sorted(self.problems, key=lambda p: p.row))  # the rows' order
        self.writes.flush(self.aside)
        linked = 0
        if self.links:
            linked = apply_links(self.ctx, self.uow, self.writes.settings, self.link_rows, sheet.by_key["links"],
                                 self.made, sheet.path, self.dry_run, self.known)
        writes = self.writes
        if not self.dry_run:
            self.repo.record_import(file=str(sheet.path.resolve()), at=self.ctx.now, actor=self.ctx.actor,
                                    rows=self.rows, created=self.created, updated=writes.updated,
                                    unchanged=writes.unchanged)
        warnings = sheet.warnings + _closing_warnings(self.cut_rows, self.missing_times, self.dry_run)
        return ImportResult(sheet.path, self.rows, self.created, writes.updated, writes.unchanged, self.dry_run,
                            self.matched, warnings, linked)

    def _merge(self, rows: list[ParsedRow]) -> None:
        """Rows against the database: those naming a stored request (by ID, or the one a row
        without ID matched) compared and updated, the others created."""
        existing: dict[str, Request] = {}
        if not self.empty:
            wanted = [key for row in rows if (key := row.id or row.target)]
            existing = self.repo.get_many(wanted) if wanted else {}
        for row in rows:
            request = existing.get(row.id or row.target or "")
            if request is None:
                if not self.new_database and row.mask_like:
                    self._problems(_mask_problems(row))
                self._create(row)
            else:
                self._update(row, request)
            if self.links:
                self._note_links(row)

    def _problems(self, found: list[ImportProblem]) -> None:
        self.problems += found
        self.writes.stop()

    def _update(self, row: ParsedRow, request: Request) -> None:
        """A row naming a stored request: compared with it; updated with an `import` history
        entry when it changes something."""
        sheet, ctx = self.sheet, self.ctx
        masked = masked_cells(request, row, sheet.keys, sheet.by_key, sheet.tz)
        if masked:
            self._problems(masked)
            return
        row.target = request.id
        cmp = compare(request, row, sheet.tz, sheet.keys, sheet.file_tz)
        if cmp.problem:
            column = sheet.by_key["history"].name if "history" in sheet.by_key else ""
            self._problems([ImportProblem(row.number, column, None, cmp.problem)])
            return
        if not cmp.changes and not cmp.log_added:
            self.writes.unchanged += 1
            return
        note = f"{sheet.path.name}, row {row.number}"
        if cmp.log_added:
            note += "; the sheet's process log adds:\n" + "\n".join(cmp.log_added)
        request.history.append(HistoryEntry(seq=len(request.history) + 1, at=ctx.now, action="import",
                                            actor=ctx.actor, changes=cmp.changes, note=note))
        self.writes.update(request, cmp.new_attachments)

    def _create(self, row: ParsedRow) -> None:
        """A row new to the database: its own ID, or the next generated one of its month."""
        sheet, ctx = self.sheet, self.ctx
        request_id = row.id or self.ids.new(row.values.get("submitted_at") or ctx.now, sheet.tz)
        row.target = request_id
        self.created += 1
        if self.links:
            self.made.add(request_id)
        if _has_cut_cell(row):
            self.cut_rows.append(row.number)
        if self.writes.writing:
            self.writes.create(new_request(row, request_id, sheet.file_tz, ctx.now, ctx.actor, sheet.path.name,
                                           sheet.keys))

    def _note_links(self, row: ParsedRow) -> None:
        """What the Links column needs of a row once it is merged: its ID, and its cell."""
        own = row.id or row.target
        if own is not None:
            self.known.add(own)
        if row.values.get("links"):
            self.link_rows.append(ParsedRow(row.number, row.id, {"links": row.values["links"]}, target=row.target))


def _has_cut_cell(row: ParsedRow) -> bool:
    """Whether a text cell of the row ends with reqtrack's marker for a cell cut at Excel's limit."""
    return any(isinstance(v, str) and len(v) > 100 and strip_cut_marker(v)[1] for v in row.values.values())


def _row_numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + (", ..." if len(numbers) > 10 else "")


def _closing_warnings(cut_rows: list[int], missing_times: list[int], dry_run: bool) -> list[Message]:
    warnings = []
    if cut_rows:
        warnings.append(Message(
            "{count} new request(s) hold cells that an export cut at Excel's cell limit (rows {rows}); they would be "
            "imported as cut, marker included: import the CSV export, which keeps whole texts, to get them complete"
            if dry_run else
            "{count} new request(s) hold cells that an export cut at Excel's cell limit (rows {rows}); they were "
            "imported as cut, marker included: import the CSV export, which keeps whole texts, to get them complete",
            count=len(cut_rows), rows=_row_numbers(cut_rows)))
    if missing_times:
        warnings.append(Message("{count} row(s) without a submission time were taken as submitted now (rows {rows})",
                                count=len(missing_times), rows=_row_numbers(missing_times)))
    return warnings
