"""Import of an xlsx or CSV sheet (docs/excel.md, "Import"): all or nothing.

Three phases: (A) every row is parsed and checked without touching the database
(`import_rows`); (B) inside ONE write transaction, rows are matched to existing requests (by ID,
or for rows without an ID by submission minute + customer + description), compared, and new IDs
are generated (`import_merge`); (C) the changes are written with bulk inserts and updates, in
batches, the import is logged, and the transaction commits. Any problem in (A) or (B) refuses the
whole file with every problem listed (row, column, value); nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput, Listed, Message
from ..domain.record import Attachment, HistoryEntry, Request
from ..domain.vocabularies import DEFAULT
from ..excel.columns import Column
from ..excel.reader import Table, read_table
from ..excel.safety import strip_cut_marker
from .context import Context, Inputs, inputs
from .import_links import apply_links
from .import_merge import Ids, compare, masked_cells, match_rows_without_id, new_request
from .import_rows import MASKED_MESSAGE, ImportProblem, ImportRefused, ParsedRow, parse_rows
from .upkeep import keep_deadlines

if TYPE_CHECKING:
    from ..storage.repository import UnitOfWork

BATCH = 1000  # rows read from and written to the database at a time

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


def import_file(ctx: Context, path: Path, dry_run: bool = False) -> ImportResult:
    """Import an xlsx or CSV sheet: every row checked first; then, in one transaction, new
    requests created, changed ones updated (with an `import` history entry), identical ones left
    alone, and the import logged. `dry_run` checks and counts without writing anything."""
    path = Path(path).expanduser()
    database_exists = ctx.database_exists()
    sheet = _read_sheet(ctx, path, database_exists)
    if dry_run and not database_exists:
        return _plan_without_database(sheet)
    with ctx.unit_of_work(write=not dry_run) as uow:
        repo = uow.requests
        if not database_exists and not dry_run and sheet.tz.key != repo.settings().get("calendar.timezone"):
            repo.set_setting("calendar.timezone", sheet.tz.key)  # in the import's transaction
        explicit = {r.id for r in sheet.rows if r.id}
        matched = match_rows_without_id(sheet.rows, repo, sheet.tz, explicit)
        writes = _Writes(uow, Inputs(repo.settings(), ctx.now, repo), dry_run)
        creations = _update_existing(ctx, sheet, writes)
        created, cut_rows = _create_new(ctx, sheet, creations, writes)
        linked = 0
        if "links" in sheet.keys:
            linked = apply_links(ctx, uow, writes.settings, sheet.rows, sheet.by_key["links"],
                                 {r.target for r in creations if r.target}, path, dry_run)
        if not dry_run:
            repo.record_import(file=str(path.resolve()), at=ctx.now, actor=ctx.actor, rows=len(sheet.rows),
                               created=created, updated=writes.updated, unchanged=writes.unchanged)
            uow.commit()
    warnings = sheet.warnings + _closing_warnings(cut_rows, sheet.missing_times, dry_run)
    return ImportResult(path, len(sheet.rows), created, writes.updated, writes.unchanged, dry_run, matched, warnings,
                        linked)


# -- phase A: the file read and checked ---------------------------------------------------------------
@dataclass
class _Sheet:
    """The file's rows, read and checked, and what the later phases need to know about it."""

    path: Path
    rows: list[ParsedRow]
    columns: list[Column]
    file_tz: ZoneInfo  # the zone of the file's date-times
    tz: ZoneInfo  # the database's zone (a new database takes the file's)
    warnings: list[Message]

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns}

    @property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @property
    def missing_times(self) -> list[int]:
        return [r.number for r in self.rows if r.values.get("submitted_at") is None]


def _read_sheet(ctx: Context, path: Path, database_exists: bool) -> _Sheet:
    """Phase A: the file read and every row checked (ImportRefused listing every problem); a
    masked export, or a sheet without rows, is refused (InvalidInput)."""
    from ..storage.db import local_timezone_name

    vocabularies = DEFAULT  # a new database has the built-in entries alone
    if database_exists:
        with ctx.reader() as uow:
            given = inputs(uow, ctx)
            tz, vocabularies = given.tz, given.vocabularies
    else:
        tz = ZoneInfo(local_timezone_name())
    now = ctx.now
    table = read_table(path)
    file_tz, database_tz, zone_note = _zones(table, tz, database_exists)
    try:
        if table.masked:
            raise InvalidInput(
                "{name} is a masked export (personal names hidden with *); importing it would overwrite real names with "
                "masked ones, so it is refused: import the unmasked export instead", name=path.name)
        problems: list[ImportProblem] = []
        rows = parse_rows(table, file_tz, now, problems, database_tz, vocabularies)
    finally:
        table.close()
    warnings = [zone_note] if zone_note else []
    if table.ignored:
        warnings.append(Message("columns not imported (not reqtrack columns): {columns}",
                                columns=Listed.of(table.ignored, ", ")))
    if not database_exists:  # every row is new: a mask-like name is refused now, before a database is created
        problems += [ImportProblem(r.number, name, value, MASKED_MESSAGE, masked=True)
                     for r in rows for _, name, value in r.mask_like]
    if problems:
        raise ImportRefused(path, problems)
    if not rows:
        raise InvalidInput("{name} has a header but no rows to import", name=path.name)
    return _Sheet(path, rows, table.columns, file_tz, database_tz, warnings)


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


def _plan_without_database(sheet: _Sheet) -> ImportResult:
    """A dry run against a database that does not exist yet: every row would be created."""
    warnings = list(sheet.warnings)
    missing_times = sheet.missing_times
    if missing_times:
        warnings.append(Message("{count} row(s) without a submission time would be taken as submitted now",
                                count=len(missing_times)))
    return ImportResult(sheet.path, len(sheet.rows), len(sheet.rows), 0, 0, True, 0, warnings)


# -- phases B and C: against the database, in one transaction ----------------------------------------
class _Writes:
    """The import's writes, BATCH requests at a time, each batch's deadlines kept with it; nothing
    on a dry run. Counts what was updated and what was left as it was."""

    def __init__(self, uow: UnitOfWork, settings: Inputs, dry_run: bool) -> None:
        self.uow = uow
        self.repo = uow.requests
        self.settings = settings
        self.dry_run = dry_run
        self.updated = self.unchanged = 0
        self.updates: list[Request] = []
        self.files: dict[str, list[Attachment]] = {}
        self.creations: list[Request] = []

    def update(self, request: Request, new_attachments: list[Attachment]) -> None:
        self.updated += 1
        if not self.dry_run:
            self.updates.append(request)
            if new_attachments:
                self.files[request.id] = new_attachments

    def flush_updates(self, whole_batch_only: bool = False) -> None:
        if self.dry_run or (whole_batch_only and len(self.updates) < BATCH):
            return
        self.repo.save_many(self.updates, self.files)
        keep_deadlines(self.uow, self.settings, self.updates)
        self.updates, self.files = [], {}

    def create(self, request: Request | None) -> None:
        """Queue a new request (None: write what is queued)."""
        if request is not None:
            self.creations.append(request)
            if len(self.creations) < BATCH:
                return
        self.repo.add_many(self.creations)
        keep_deadlines(self.uow, self.settings, self.creations)
        self.creations = []


def _update_existing(ctx: Context, sheet: _Sheet, writes: _Writes) -> list[ParsedRow]:
    """Phase B for the rows that name a stored request: each compared with it and, when it changes
    something, the request updated with an `import` history entry. Returns the rows that are new
    to the database; ImportRefused when any row cannot be taken."""
    repo, tz, columns, by_key = writes.repo, sheet.tz, sheet.keys, sheet.by_key
    problems: list[ImportProblem] = []
    creations: list[ParsedRow] = []
    for start in range(0, len(sheet.rows), BATCH):
        chunk = sheet.rows[start:start + BATCH]
        wanted = [key for r in chunk if (key := r.id or r.target)]
        existing = repo.get_many(wanted) if wanted else {}
        for row in chunk:
            request = existing.get(row.id or row.target or "")
            if request is None:
                problems += [ImportProblem(row.number, name, value, MASKED_MESSAGE, masked=True)
                             for _, name, value in row.mask_like]
                creations.append(row)
                continue
            masked = masked_cells(request, row, columns, by_key, tz)
            if masked:
                problems += masked
                continue
            cmp = compare(request, row, tz, columns, sheet.file_tz)
            if cmp.problem:
                column = by_key["history"].name if "history" in by_key else ""
                problems.append(ImportProblem(row.number, column, None, cmp.problem))
                continue
            if not cmp.changes and not cmp.log_added:
                writes.unchanged += 1
                continue
            note = f"{sheet.path.name}, row {row.number}"
            if cmp.log_added:
                note += "; the sheet's process log adds:\n" + "\n".join(cmp.log_added)
            request.history.append(HistoryEntry(seq=len(request.history) + 1, at=ctx.now, action="import",
                                                actor=ctx.actor, changes=cmp.changes, note=note))
            writes.update(request, cmp.new_attachments)
        writes.flush_updates(whole_batch_only=True)
    if problems:
        raise ImportRefused(sheet.path, problems)
    writes.flush_updates()
    return creations


def _create_new(ctx: Context, sheet: _Sheet, creations: list[ParsedRow], writes: _Writes) -> tuple[int, list[int]]:
    """Phase C for the rows new to the database: each gets its ID (the row's own, or the next
    generated one of its month) and becomes a request. Returns (how many, the numbers of the rows
    holding a cell an export cut at Excel's limit)."""
    ids = Ids(writes.repo, sheet.rows)
    cut_rows: list[int] = []
    for row in creations:
        request_id = row.id or ids.new(row.values.get("submitted_at") or ctx.now, sheet.tz)
        row.target = request_id
        if _has_cut_cell(row):
            cut_rows.append(row.number)
        if not writes.dry_run:
            writes.create(new_request(row, request_id, sheet.file_tz, ctx.now, ctx.actor, sheet.path.name, sheet.keys))
    if not writes.dry_run:
        writes.create(None)
    return len(creations), cut_rows


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
