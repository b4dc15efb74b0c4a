"""Export and import of the template's sheet (SPEC §1, §3, §6).

Export streams the selected requests (newest first) into xlsx, CSV or JSON, written under a
temporary name and moved into place, so that a failed export never leaves half a file.

Import reads an xlsx or CSV sheet in three phases: (A) every row is parsed and checked without
touching the database; (B) inside ONE write transaction, rows are matched to existing requests
(by ID, or for rows without an ID by submission minute + customer + description), compared,
and new IDs are generated; (C) the changes are written with bulk inserts and updates, the
import is logged, and the transaction commits. Any problem in (A) or (B) refuses the whole
file with every problem listed (row, column, value); nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from .. import excel
from ..domain.errors import InvalidInput
from ..domain.lifecycle import RESPONSE_ACTIONS
from ..domain.record import (EARLIEST_YEAR, LATEST_YEAR, Attachment, HistoryEntry, Request, format_request_id,
                             parse_generated_id, year_in_range)
from ..domain.timeparse import end_of_day
from ..domain.vocab import LANGUAGES, normalise_language
from . import Context, Inputs, _inputs, build_filter, iter_requests, keep_deadlines

FORMATS = ("xlsx", "csv", "json")
SHEET_TITLES = {"en": ("Requests", "Export"), "zh-CN": ("需求", "导出信息"), "zh-TW": ("需求", "匯出資訊")}
MAX_PROBLEMS_SHOWN = 200
BATCH = 1000

Progress = Callable[[int, int], None]


# -- export -----------------------------------------------------------------------------------
@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    format: str
    rows: int
    lang: str
    masked: bool
    notices: list[str] = field(default_factory=list)


def export_format(path: Path, format: str | None) -> str:
    """The format asked for, else the one the file's suffix names."""
    if format:
        chosen = format.strip().lower()
        if chosen not in FORMATS:
            raise InvalidInput(f"unknown export format {format!r}; use xlsx, csv or json")
        return chosen
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidInput(f"cannot tell the format from {Path(path).name!r}; end the name in .xlsx, .csv or .json, or add --format")


_INFO_LABELS = {
    "title": ("reqtrack export", "reqtrack 导出", "reqtrack 匯出"),
    "masked": ("Masked", "已脱敏", "已遮蔽"),
    "exported_at": ("Exported at", "导出时间", "匯出時間"),
    "timezone": excel.TIMEZONE_LABELS,
    "by": ("Exported by", "导出人", "匯出人"),
    "rows": ("Requests", "需求数", "需求數"),
    "filters": ("Filters", "筛选条件", "篩選條件"),
    "language": ("Language", "语言", "語言"),
    "columns": ("Columns", "列", "欄位"),
    "notices": ("Notices", "说明", "說明"),
    "version": ("reqtrack version", "reqtrack 版本", "reqtrack 版本"),
}
_MASKED_TEXT = (
    "yes: personal names hidden (first character kept); reqtrack refuses to import this file",
    "是：人名已隐藏（保留首字）；reqtrack 拒绝导入此文件",
    "是：人名已隱藏（保留首字）；reqtrack 拒絕匯入此檔案",
)
_NOT_MASKED = ("no", "否", "否")
_NO_FILTERS = ("none (every request)", "无（全部需求）", "無（全部需求）")


def _info(key: str, lang: str) -> str:
    return _INFO_LABELS[key][LANGUAGES.index(lang)]


def describe_filters(filters: dict[str, Any], flt: Any, tz: ZoneInfo, lang: str) -> str:
    """The filters as the user gave them, in one line (times resolved in the database's zone)."""
    parts = []
    if flt.statuses:
        parts.append("status: " + ", ".join(flt.statuses))
    for name in ("type", "priority", "source", "customer", "owner", "search"):
        value = getattr(flt, name)
        if value:
            parts.append(f"{name}: {value}")
    if flt.since is not None:
        parts.append(f"since: {flt.since.astimezone(tz):%Y-%m-%d %H:%M} ({filters.get('since')})")
    if flt.until is not None:
        parts.append(f"until: {flt.until.astimezone(tz):%Y-%m-%d %H:%M} ({filters.get('until')})")
    if flt.open_only:
        parts.append("open only")
    return "; ".join(parts) if parts else _NO_FILTERS[LANGUAGES.index(lang)]


def _private_temp_beside(target: Path, protected: Path) -> Any:
    """The one atomic writer (safe_output.atomic_output) for `target`: a private temporary file
    beside it, renamed into place when complete. Refuses the database, a directory, a device,
    pipe or socket (exit 2); a full disk or a read-only directory is exit 3."""
    from ..safe_output import atomic_output, check_target

    check_target(target, protected=[protected])  # before any work: one sentence, nothing written
    return atomic_output(target, protected=[protected])


def export_requests(
    ctx: Context,
    path: Path,
    format: str | None = None,
    lang: str = "en",
    mask: bool = False,
    progress: Progress | None = None,
    *,
    extra: bool = False,
    **filters: Any,
) -> ExportResult:
    """Write the requests matching `filters` (those of `list`) to `path` as xlsx, CSV or JSON.

    `progress(done, total)` is called now and then while rows are written.
    """
    from .. import __version__

    target = Path(path).expanduser()
    fmt = export_format(target, format)
    lang = normalise_language(lang)
    with ctx.reader() as uow:  # the same read path as iter_requests below: no SQLAlchemy for an export
        inputs = _inputs(uow, ctx)
        flt = build_filter(inputs, **filters)
        total = uow.requests.count(flt)
        tz = inputs.tz
    notices = excel.SheetNotices()
    done = 0

    def on_row() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)

    if progress is not None:
        progress(0, total)
    with _private_temp_beside(target, ctx.database(False).path) as handle:
        requests = iter_requests(ctx, **filters)
        if fmt == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            data_title, info_title = SHEET_TITLES[lang]
            rows = excel.append_request_sheet(workbook, data_title, requests, tz, lang, mask, extra=extra,
                                              notices=notices, on_row=on_row)
            info: list[tuple[str, Any]] = [
                (_info("masked", lang), (f"{_MASKED_TEXT[LANGUAGES.index(lang)]} {excel.MASK_TOKEN}" if mask
                                         else _NOT_MASKED[LANGUAGES.index(lang)])),
                (_info("exported_at", lang), excel.local_minute(ctx.now, tz)),
                (_info("timezone", lang), str(tz)),
                (_info("by", lang), ctx.actor if not mask else (excel.mask_name(ctx.actor) or "")),
                (_info("rows", lang), rows),
                (_info("filters", lang), describe_filters(filters, flt, tz, lang)),
                (_info("language", lang), lang),
                (_info("columns", lang), "18 template columns" + (" + kept fields" if extra else "")),
                (_info("notices", lang), "\n".join(notices.sentences()) or "-"),
                (_info("version", lang), __version__),
            ]
            excel.append_info_sheet(workbook, info_title, info)
            if mask:
                workbook.properties.keywords = excel.MASK_TOKEN
            workbook.properties.creator = "reqtrack"
            from ..report_render import save_workbook_to

            save_workbook_to(handle, workbook)
        elif fmt == "csv":
            import io

            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            banner = f"{excel.MASK_TOKEN} {_MASKED_TEXT[LANGUAGES.index(lang)]}" if mask else None
            rows = excel.write_csv_sheet(text, requests, tz, lang, mask, extra=extra, banner=banner,
                                         notices=notices, on_row=on_row)
            text.flush()
            text.detach()
        else:
            rows = _write_json(handle, requests, tz, mask, on_row)
    return ExportResult(target, fmt, rows, lang, mask, notices.sentences())


def _write_json(handle: Any, requests: Iterable[Request], tz: ZoneInfo, mask: bool, on_row: Callable[[], None]) -> int:
    from ..render import request_to_json

    count = 0
    handle.write(b"[")
    for request in requests:
        if mask:
            request = excel.masked_copy(request)
        text = json.dumps(request_to_json(request, tz), ensure_ascii=False, indent=2)
        handle.write(((",\n" if count else "\n") + text).encode("utf-8", "surrogateescape"))
        count += 1
        on_row()
    handle.write(b"\n]\n" if count else b"]\n")
    return count


# -- import: problems --------------------------------------------------------------------------
@dataclass
class ImportProblem:
    """One thing wrong with the file: where, the value found, and why it cannot be taken."""

    row: int
    column: str  # e.g. "column L (计划完成时间)"; "" for the row as a whole
    value: Any
    message: str
    masked: bool = False  # the cell looks like what `export --mask` writes

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        if self.value is None:
            return f"{where}: {self.message}"
        try:
            shown = self.value if isinstance(self.value, str) else excel.cell_text(self.value) or repr(self.value)
        except excel.CellProblem:  # INF, NaN
            shown = repr(self.value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"{where}: {json.dumps(shown, ensure_ascii=False)}: {self.message}"


class ImportRefused(InvalidInput):
    """The file has problems; nothing was imported. The message is a summary sentence followed by
    one line per problem (the CLI prints it as is on stderr)."""

    def __init__(self, path: Path, problems: list[ImportProblem]) -> None:
        self.problems = problems
        rows = len({p.row for p in problems})
        counted = (f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
                   f"in {rows} row{'s' if rows != 1 else ''}")
        if any(p.masked for p in problems):
            summary = (f"nothing imported from {path.name}: it looks like a masked export (names hidden with *, as "
                       "`export --mask` writes them), and a masked sheet must never be imported, whatever route it "
                       f"took (saved as CSV, its info sheet removed); {counted}; import the unmasked export instead")
        else:
            summary = f"nothing imported from {path.name}: {counted}; correct them and import again"
        lines = [f"  {p}" for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        super().__init__("\n".join([summary, *lines]))


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
    warnings: list[str] = field(default_factory=list)


# -- import: phase A, the file alone ------------------------------------------------------------
# Texts are kept as typed (as `new` keeps them); the customer and department are trimmed (as `new`
# and `assign` trim them), so that export → import → export gives the same cells.
TEXT_EXACT = ("description", "notes", "priority_reason", "assign_reason", "verification_note", "proposer", "liaison",
              "contact")
TEXT_TRIMMED = ("customer", "department")


@dataclass
class ParsedRow:
    """A data row of the file, read into field values (only the columns the file has)."""

    number: int
    id: str | None
    values: dict[str, Any]
    target: str | None = None  # the request it becomes or updates (set in phase B)
    log: tuple[list[excel.LogEntry] | None, bool] = ([], False)  # the process-log cell, parsed once
    mask_like: list[tuple[str, str, str]] = field(default_factory=list)  # (key, column name, value) of name cells


# A name as `export --mask` writes it: its first character, then only `*` (王** , J***). A real name
# is never that; the template's own `*經理` (a star first) and `Li*Wei` are not.
_MASK_LIKE = re.compile(r"^[^*\s]\*+$")
_MASKED_MESSAGE = ("looks masked (a first character, then only *, as `export --mask` writes names); a real name is "
                   "never that")
_ID_CHARACTERS_MESSAGE = ("an ID is one line of at most 64 characters, without control or invisible characters (a "
                          "foreign ID such as TEL-002 is kept as it is)")


def _id_problem(request_id: str) -> str | None:
    """Why an imported ID cannot be kept (SPEC: reqtrack's own IDs are YYYYMM-NNN, 3+ digits;
    foreign ones are kept as they are, if every command can name them), or None."""
    import unicodedata

    if len(request_id) > 64 or any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
                                   or (ch.isspace() and ch != " ") for ch in request_id):
        return _ID_CHARACTERS_MESSAGE
    generated = parse_generated_id(request_id)
    if generated is not None:
        month, seq = generated
        if not (year_in_range(int(month[:4])) and 1 <= int(month[4:]) <= 12) or seq == 0:
            return (f"looks like reqtrack's own YYYYMM-NNN but {month} is not a month from {EARLIEST_YEAR} to "
                    f"{LATEST_YEAR}" if seq else "looks like reqtrack's own YYYYMM-NNN but its number is 000") + \
                "; correct it, or leave the cell empty for a new ID"
    elif re.match(r"^\d{6}-\d{0,2}$", request_id):
        return "looks like reqtrack's own YYYYMM-NNN (3 or more digits after the month) but is not; correct it"
    return None


def _parse_cell(key: str, raw: Any, tz: ZoneInfo, date_tz: ZoneInfo | None = None) -> Any:
    """One cell as a field value: date-times local to `tz` (the file's zone), a date-only deadline
    as the end of that day in `date_tz` (the database's zone; a date stays the same date)."""
    if key in TEXT_EXACT:
        return excel.parse_verbatim(raw)
    if key in TEXT_TRIMMED or key == "id":
        return excel.parse_plain(raw)
    if key in excel.VOCABULARY_COLUMNS:
        return excel.parse_vocabulary(excel.VOCABULARY_COLUMNS[key], raw)
    if key in excel.TIME_COLUMNS:
        parsed = excel.parse_when(raw, tz)
        return parsed[0] if parsed else None
    if key == "due":
        parsed = excel.parse_when(raw, tz)
        if parsed is None:
            return None
        moment, date_only = parsed
        if not date_only:
            return moment, False
        return end_of_day(moment.astimezone(tz).date(), date_tz or tz).astimezone(timezone.utc), True
    if key == "owner":
        return excel.parse_owner(raw)
    if key == "attachments":
        return excel.parse_attachments(raw)
    if key == "verification":
        return excel.parse_verification(raw)
    if key == "scores":
        return excel.parse_scores(raw)
    if key == "waiting":
        return excel.parse_flag(raw)
    if key == "history":
        return excel.cell_text(raw)
    raise AssertionError(key)


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _parse_rows(table: excel.Table, tz: ZoneInfo, now: datetime, problems: list[ImportProblem],
                date_tz: ZoneInfo | None = None) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    by_key = {c.key: c for c in table.columns}
    seen_ids: dict[str, int] = {}
    for number, cells in table.rows:
        if _blank(cells):
            continue
        values: dict[str, Any] = {}
        for column in table.columns:
            raw = cells[column.index] if column.index < len(cells) else None
            try:
                values[column.key] = _parse_cell(column.key, raw, tz, date_tz)
            except excel.CellProblem as exc:
                problems.append(ImportProblem(number, column.name, raw, str(exc)))
        request_id = values.pop("id", None)
        if request_id is not None:
            why = _id_problem(request_id)
            if why is not None:
                problems.append(ImportProblem(number, by_key["id"].name, request_id, why))
            elif request_id in seen_ids:
                problems.append(ImportProblem(number, by_key["id"].name, request_id,
                                              f"the same ID is already on row {seen_ids[request_id]}"))
            else:
                seen_ids[request_id] = number
        for key in ("customer", "description"):
            if key in by_key and values.get(key) is None:
                what = "the customer (or project) is required" if key == "customer" else \
                    "the description is required: the customer's own words"
                problems.append(ImportProblem(number, by_key[key].name, None, what + "; the cell is empty"))
        try:
            log = excel.parse_process_log(values.get("history"), tz)
        except excel.CellProblem as exc:
            problems.append(ImportProblem(number, by_key["history"].name, None, str(exc)))
            log = ([], False)
        _check_times(number, values, by_key, tz, now, problems, log[0])
        rows.append(ParsedRow(number, request_id, values, log=log, mask_like=_mask_like_cells(values, by_key)))
    return rows


def _mask_like_cells(values: dict[str, Any], by_key: dict[str, excel.Column]) -> list[tuple[str, str, str]]:
    found = []
    for key in excel.NAME_FIELDS:
        value = values.get(key)
        if key == "owner" and value is not None:
            value = value[1]  # (department, person)
        if isinstance(value, str) and _MASK_LIKE.match(value.strip()):
            found.append((key, by_key[key].name, value))
    return found


def _masked_cells(request: Request, row: ParsedRow, columns: set[str], by_key: dict[str, excel.Column],
                  tz: ZoneInfo) -> list[ImportProblem]:
    """The cells of a row that would put masked names over the stored request's real ones: a name
    that is the stored name masked (王经理 → 王**) or looks masked, a text (description, notes,
    reasons, process log) that is the stored text with its names hidden as `export --mask` hides
    them. Checked before the row is compared (which changes the request)."""
    values = row.values
    by_name = {key: name for key, name, _ in row.mask_like}
    problems = [ImportProblem(row.number, name, value, _MASKED_MESSAGE, masked=True)
                for key, name, value in row.mask_like
                if value != (request.owner if key == "owner" else getattr(request, key))]
    texts = [key for key in ("description", "notes", "priority_reason", "assign_reason", "verification_note")
             if isinstance(values.get(key), str) and values[key] != getattr(request, key)]
    names = [key for key in ("proposer", "contact", "liaison") if key in values and key not in by_name
             and values[key] != getattr(request, key)]
    owner = "owner" in values and "owner" not in by_name and _owner_from(values, columns)[1] != request.owner
    log_differs = bool(values.get("history")) and row.log[0] and any(
        (excel.local_minute(e.at, tz), e.action, e.note) not in _history_keys(request, tz) for e in row.log[0])
    if not (texts or names or owner or log_differs):
        return problems  # the usual case (an unchanged re-import): no masked copy needed
    masked = excel.masked_copy(request)
    for key in names + texts:
        if values[key] == getattr(masked, key):
            problems.append(ImportProblem(row.number, by_key[key].name, values[key],
                                          "is the stored value with its names masked", masked=True))
    if owner and _owner_from(values, columns)[1] == masked.owner:
        problems.append(ImportProblem(row.number, by_key["owner"].name, values["owner"][1],
                                      "is the stored owner with the name masked", masked=True))
    if log_differs:
        hidden = _history_keys(masked, tz)
        if all((excel.local_minute(e.at, tz), e.action, e.note) in hidden for e in row.log[0]):
            problems.append(ImportProblem(row.number, by_key["history"].name, None,
                                          "the process log is the stored one with its names masked", masked=True))
    return problems


def _history_keys(request: Request, tz: ZoneInfo) -> set[tuple[datetime, str, str]]:
    return {(excel.local_minute(e.at, tz), e.action, e.note) for e in request.history}


def _check_times(number: int, values: dict[str, Any], by_key: dict[str, excel.Column], tz: ZoneInfo,
                 now: datetime, problems: list[ImportProblem], entries: list[excel.LogEntry] | None) -> None:
    submitted = values.get("submitted_at")

    def shown(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    if submitted is not None and submitted > now:
        problems.append(ImportProblem(number, by_key["submitted_at"].name, shown(submitted), "is in the future"))
    completed = values.get("completed_at")
    if submitted is not None and completed is not None and excel.local_minute(completed, tz) < excel.local_minute(submitted, tz):
        problems.append(ImportProblem(number, by_key["completed_at"].name, shown(completed),
                                      f"is before the submission ({shown(submitted)})"))
    due = values.get("due")
    if submitted is not None and due is not None and due[0] < submitted.replace(second=0):
        problems.append(ImportProblem(number, by_key["due"].name, shown(due[0]),
                                      f"is before the submission ({shown(submitted)})"))
    if entries:
        future = [e for e in entries if e.at > now]
        if future:
            problems.append(ImportProblem(number, by_key["history"].name, None,
                                          f"the process log has an entry in the future ({shown(future[0].at)})"))


# -- import: phase B, against the database --------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Comparison:
    """The changes a row makes to an existing request (applied to it as they are found)."""

    def __init__(self, request: Request, tz: ZoneInfo, log_tz: ZoneInfo | None = None) -> None:
        self.request = request
        self.tz = tz
        self.log_tz = log_tz or tz  # the zone of the file's process-log times
        self.changes: dict[str, list[Any]] = {}
        self.new_attachments: list[Attachment] = []
        self.log_added: list[str] = []
        self.problem: str | None = None

    def set(self, name: str, value: Any) -> None:
        old = getattr(self.request, name)
        if old != value:
            self.changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(self.request, name, value)

    def same_minute(self, old: datetime | None, new: datetime | None) -> bool:
        if old is None or new is None:
            return old is new
        return excel.local_minute(old, self.tz) == excel.local_minute(new, self.tz)


def _compare(request: Request, row: ParsedRow, tz: ZoneInfo, columns: set[str],
             log_tz: ZoneInfo | None = None) -> _Comparison:
    """Apply the row's cells to the loaded request; empty optional cells clear their field."""
    cmp = _Comparison(request, tz, log_tz)
    values = row.values
    for key, value in values.items():
        if key in TEXT_EXACT or key in TEXT_TRIMMED:
            if key == "department" and "owner" in columns:
                continue  # handled with the owner cell
            if key == "verification_note" and "verification" in columns:
                continue
            old = getattr(request, key)
            if isinstance(value, str):
                body, cut = excel.strip_cut_marker(value)
                if cut and old and old.startswith(body):
                    continue  # the sheet holds the part Excel could; the full text stays
            if value is None and key in ("customer", "description"):
                continue
            cmp.set(key, value)
        elif key in excel.VOCABULARY_COLUMNS:
            if value is None and key == "status":
                continue
            cmp.set(key, value)
        elif key in excel.TIME_COLUMNS:
            if value is None and key == "submitted_at":
                continue
            if not cmp.same_minute(getattr(request, key), value):
                cmp.set(key, value)
        elif key == "due":
            if value is None:
                cmp.set("due", None)
                cmp.set("due_is_date", False)
                continue
            moment, date_only = value
            old = request.due
            if date_only:
                same = old is not None and request.due_is_date and old.astimezone(tz).date() == moment.astimezone(tz).date()
            else:
                same = not request.due_is_date and cmp.same_minute(old, moment)
            if not same:
                cmp.set("due", moment)
                cmp.set("due_is_date", date_only)
        elif key == "owner":
            department, owner = _owner_from(values, columns)
            cmp.set("department", department)
            cmp.set("owner", owner or None)
        elif key == "verification":
            verdict, note = value
            cmp.set("verification", verdict)
            cmp.set("verification_note", values.get("verification_note") if "verification_note" in columns else note)
        elif key == "attachments":
            have = [a.name for a in request.attachments]
            missing = [name for name in value if name not in have]
            if missing:
                number = max((a.number for a in request.attachments), default=0)
                for name in missing:
                    number += 1
                    attachment = Attachment(name=name, number=number)
                    cmp.new_attachments.append(attachment)
                    request.attachments.append(attachment)
                cmp.changes["attachments"] = [have, have + missing]
        elif key in ("scores", "waiting"):
            cmp.set(key, value)
        elif key == "history":
            _compare_log(cmp, value, row.log)
    return cmp


def _compare_log(cmp: _Comparison, text: str | None,
                 parsed: tuple[list[excel.LogEntry] | None, bool] | None = None) -> None:
    """Check that the sheet's process log is not older than the database, and find its lines
    that the history lacks. An empty cell leaves the history alone. `parsed` is the cell as
    `parse_process_log` read it (read again when not given)."""
    if not text:
        return
    request, tz = cmp.request, cmp.tz
    history = [(excel.local_minute(e.at, tz), e.action, e.note) for e in request.history]
    recorded_by_imports = "\n".join(e.note for e in request.history if e.action == "import")
    entries, cut = parsed if parsed is not None else excel.parse_process_log(text, cmp.log_tz)
    if entries is None:
        own = [h for h, e in zip(history, request.history) if e.action != "import"]
        if own:
            cmp.problem = _stale_message(request, len(own), tz)
        elif text not in recorded_by_imports:
            cmp.log_added.append(text)
        return
    in_cell = Counter((excel.local_minute(e.at, tz), e.action, e.note) for e in entries)
    lacking = 0
    remaining = Counter(in_cell)
    for key, entry in zip(history, request.history):
        if remaining[key] > 0:
            remaining[key] -= 1
        elif entry.action != "import":
            lacking += 1
    if lacking and not cut:
        cmp.problem = _stale_message(request, lacking, tz)
        return
    for entry in entries:
        key = (excel.local_minute(entry.at, tz), entry.action, entry.note)
        if remaining[key] > 0:
            if entry.text not in recorded_by_imports:
                cmp.log_added.append(entry.text)
            remaining[key] -= 1


def _owner_from(values: dict[str, Any], columns: set[str]) -> tuple[str | None, str | None]:
    """(department, owner) from the "dept/person" cell; with a separate department column (an
    `--extra` export) that column says where the department ends, even if it contains `/`."""
    department, owner = values["owner"]
    if "department" not in columns:
        return department, owner
    given = values.get("department")
    cell = f"{department}/{owner or ''}" if department is not None else (owner or "")
    if not given:
        return None, cell or None
    if cell.startswith(given + "/"):
        return given, cell[len(given) + 1:] or None
    return given, owner


def _stale_message(request: Request, lacking: int, tz: ZoneInfo) -> str:
    from ..render import history_line

    newest = max(request.history, key=lambda e: e.seq)
    return (f"{request.id} has {lacking} history entr{'y' if lacking == 1 else 'ies'} in reqtrack that this sheet's "
            f"process log lacks (newest: {history_line(newest, tz, 'en')!r}); the sheet is older than the database "
            "or its log was edited: export a fresh sheet, or empty the process-log cell to leave the history as it is")


def _description_key(submitted: datetime, customer: str, description: str, tz: ZoneInfo) -> tuple[datetime, str, str]:
    digest = hashlib.sha1(description.encode("utf-8", "surrogatepass")).hexdigest()
    return excel.local_minute(submitted, tz), customer.strip(), digest


def _match_rows_without_id(rows: list[ParsedRow], repo: Any, tz: ZoneInfo, explicit: set[str]) -> int:
    """Rows without an ID that are already in the database (same submission minute, customer and
    description, as when the same old sheet is imported twice) take that request's ID."""
    candidates = [r for r in rows if r.id is None and r.values.get("submitted_at") and r.values.get("customer")
                  and r.values.get("description")]
    if not candidates or repo is None:
        return 0
    times = [r.values["submitted_at"] for r in candidates]
    since = min(times).replace(second=0)
    until = max(times).replace(second=0) + timedelta(seconds=59)
    wanted = {_description_key(r.values["submitted_at"], r.values["customer"], r.values["description"], tz)
              for r in candidates}
    known: dict[tuple[datetime, str, str], list[str]] = {}
    for request_id, submitted, customer, description in repo.submissions_between(since, until):
        key = _description_key(submitted, customer, description, tz)
        if key in wanted and request_id not in explicit:
            known.setdefault(key, []).append(request_id)
    matched = 0
    for row in candidates:
        ids = known.get(_description_key(row.values["submitted_at"], row.values["customer"], row.values["description"], tz))
        if ids:
            row.target = ids.pop(0)
            matched += 1
    return matched


# -- import: creating requests --------------------------------------------------------------------
def _new_request(row: ParsedRow, request_id: str, tz: ZoneInfo, now: datetime, actor: str, label: str,
                 columns: set[str]) -> Request:
    """A request new to the database from a row; `tz` is the zone of the file's times."""
    values = row.values
    submitted = values.get("submitted_at") or now
    request = Request(id=request_id, customer=values["customer"], description=values["description"],
                      submitted_at=submitted, status=values.get("status") or "pending")
    for key in (*TEXT_EXACT, *TEXT_TRIMMED, "source", "type", "priority", "satisfaction", "feasibility",
                "completed_at", "responded_at", "closed_at", "scores", "waiting"):
        if key in values and key not in ("customer", "description"):
            setattr(request, key, values[key])
    if "due" in values and values["due"] is not None:
        request.due, request.due_is_date = values["due"]
    if "owner" in values:
        request.department, request.owner = _owner_from(values, columns)
    if "verification" in values:
        request.verification, note = values["verification"]
        request.verification_note = values.get("verification_note") if "verification_note" in columns else note
    request.attachments = [Attachment(name=name, number=i) for i, name in enumerate(values.get("attachments") or [], 1)]
    log = values.get("history")
    entries, _ = row.log
    if entries:
        request.history = [HistoryEntry(seq=i, at=e.at, action=e.action, actor=actor, note=e.note)
                           for i, e in enumerate(entries, start=1)]
    else:  # foreign text: one imported note; an empty cell: where the request came from
        note = log if entries is None else f"imported from {label}, row {row.number}"
        request.history = [HistoryEntry(seq=1, at=now, action="import", actor=actor, note=note or "")]
    if "responded_at" not in columns:
        request.responded_at = next((e.at for e in request.history if e.action in RESPONSE_ACTIONS), None)
    if "closed_at" not in columns and request.status == "closed":
        request.closed_at = max((e.at for e in request.history if e.action == "close"), default=None)
    return request


class _Ids:
    """Generated IDs: `YYYYMM-NNN` after the month's highest, in the database or in the file."""

    def __init__(self, repo: Any, rows: list[ParsedRow]) -> None:
        self.repo = repo
        self.highest_in_file: dict[str, int] = {}
        for row in rows:
            parsed = parse_generated_id(row.id) if row.id else None
            if parsed:
                month, seq = parsed
                self.highest_in_file[month] = max(seq, self.highest_in_file.get(month, 0))
        self.next: dict[str, int] = {}

    def new(self, submitted: datetime, tz: ZoneInfo) -> str:
        month = submitted.astimezone(tz).strftime("%Y%m")
        if month not in self.next:
            from_db = self.repo.next_sequence(month) if self.repo is not None else 1
            self.next[month] = max(from_db, self.highest_in_file.get(month, 0) + 1)
        seq = self.next[month]
        self.next[month] = seq + 1
        return format_request_id(month, seq)


# -- import: the service ---------------------------------------------------------------------------
def import_file(ctx: Context, path: Path, dry_run: bool = False) -> ImportResult:
    """Import an xlsx or CSV sheet: every row checked first; then, in one transaction, new
    requests created, changed ones updated (with an `import` history entry), identical ones left
    alone, and the import logged. `dry_run` checks and counts without writing anything."""
    from ..storage.db import local_timezone_name

    path = Path(path).expanduser()
    database_exists = Path(ctx.db_path).expanduser().exists()
    if database_exists:
        with ctx.reader() as uow:
            tz = _inputs(uow, ctx).tz
    else:
        tz = ZoneInfo(local_timezone_name())
    now = ctx.now
    table = excel.read_table(path)
    database_tz = tz
    file_tz = _file_zone(table)
    if file_tz is not None and file_tz.key != tz.key:
        # The file's date-times are local to the zone its info sheet states (an export from a
        # database in another zone); dates stay dates in the database's zone. A new database
        # takes the file's zone, so that the round trip gives the same cells.
        if database_exists:
            zone_note = (f"the file's times are in {file_tz.key} (its info sheet), the database's in {tz.key}: "
                         "date-times were converted, dates kept")
        else:
            zone_note = f"the new database takes the file's time zone {file_tz.key} (machine: {tz.key})"
            database_tz = file_tz
    else:
        file_tz, zone_note = tz, None
    try:
        if table.masked:
            raise InvalidInput(
                f"{path.name} is a masked export (personal names hidden with *); importing it would overwrite real "
                "names with masked ones, so it is refused: import the unmasked export instead")
        problems: list[ImportProblem] = []
        rows = _parse_rows(table, file_tz, now, problems, database_tz)
    finally:
        table.close()
    warnings = [zone_note] if zone_note else []
    tz = database_tz
    if table.ignored:
        warnings.append("columns not imported (not reqtrack columns): " + ", ".join(table.ignored))
    if not database_exists:  # every row is new: a mask-like name is refused now, before a database is created
        problems += [ImportProblem(r.number, name, value, _MASKED_MESSAGE, masked=True)
                     for r in rows for _, name, value in r.mask_like]
    if problems:
        raise ImportRefused(path, problems)
    if not rows:
        raise InvalidInput(f"{path.name} has a header but no rows to import")
    missing_times = [r.number for r in rows if r.values.get("submitted_at") is None]
    columns = {c.key for c in table.columns}
    by_key = {c.key: c for c in table.columns}
    label = path.name

    if dry_run and not database_exists:
        return _plan_without_database(path, rows, tz, warnings, missing_times)
    with ctx.unit_of_work(write=not dry_run) as uow:
        repo = uow.requests
        if not database_exists and not dry_run and database_tz.key != repo.settings().get("calendar.timezone"):
            repo.set_setting("calendar.timezone", database_tz.key)  # in the import's transaction
        explicit = {r.id for r in rows if r.id}
        matched = _match_rows_without_id(rows, repo, tz, explicit)
        settings = Inputs(repo.settings(), now, repo)

        def write_updates(requests: list[Request], files: dict[str, list[Attachment]]) -> None:
            repo.save_many(requests, files)
            keep_deadlines(uow, settings, requests)

        def write_creations(requests: list[Request]) -> None:
            repo.add_many(requests)
            keep_deadlines(uow, settings, requests)

        created = updated = unchanged = 0
        pending_updates: list[Request] = []
        pending_files: dict[str, list[Attachment]] = {}
        creations: list[tuple[ParsedRow, str | None]] = []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            wanted = [r.id or r.target for r in chunk if r.id or r.target]
            existing = repo.get_many(wanted) if wanted else {}  # type: ignore[arg-type]
            for row in chunk:
                request = existing.get(row.id or row.target or "")
                if request is None:
                    problems += [ImportProblem(row.number, name, value, _MASKED_MESSAGE, masked=True)
                                 for _, name, value in row.mask_like]
                    creations.append((row, row.id))
                    continue
                masked = _masked_cells(request, row, columns, by_key, tz)
                if masked:
                    problems += masked
                    continue
                cmp = _compare(request, row, tz, columns, file_tz)
                if cmp.problem:
                    column = by_key["history"].name if "history" in by_key else ""
                    problems.append(ImportProblem(row.number, column, None, cmp.problem))
                    continue
                if not cmp.changes and not cmp.log_added:
                    unchanged += 1
                    continue
                note = f"{label}, row {row.number}"
                if cmp.log_added:
                    note += "; the sheet's process log adds:\n" + "\n".join(cmp.log_added)
                request.history.append(HistoryEntry(seq=len(request.history) + 1, at=now, action="import",
                                                    actor=ctx.actor, changes=cmp.changes, note=note))
                updated += 1
                if not dry_run:
                    pending_updates.append(request)
                    if cmp.new_attachments:
                        pending_files[request.id] = cmp.new_attachments
            if len(pending_updates) >= BATCH:
                write_updates(pending_updates, pending_files)
                pending_updates, pending_files = [], {}
        if problems:
            raise ImportRefused(path, problems)
        if not dry_run:
            write_updates(pending_updates, pending_files)
        ids = _Ids(repo, rows)
        batch: list[Request] = []
        cut_rows: list[int] = []
        for row, request_id in creations:
            request_id = request_id or ids.new(row.values.get("submitted_at") or now, tz)
            created += 1
            if _has_cut_cell(row):
                cut_rows.append(row.number)
            if dry_run:
                continue
            batch.append(_new_request(row, request_id, file_tz, now, ctx.actor, label, columns))
            if len(batch) >= BATCH:
                write_creations(batch)
                batch = []
        if not dry_run:
            write_creations(batch)
            repo.record_import(file=str(path.resolve()), at=now, actor=ctx.actor, rows=len(rows), created=created,
                               updated=updated, unchanged=unchanged)
            uow.commit()
    if cut_rows:
        shown = ", ".join(map(str, cut_rows[:10])) + (", ..." if len(cut_rows) > 10 else "")
        warnings.append(f"{len(cut_rows)} new request(s) hold cells that an export cut at Excel's cell limit "
                        f"(rows {shown}); they {'would be' if dry_run else 'were'} imported as cut, marker included: "
                        "import the CSV export, which keeps whole texts, to get them complete")
    if missing_times:
        warnings.append(f"{len(missing_times)} row(s) without a submission time were taken as submitted now "
                        f"(rows {', '.join(map(str, missing_times[:10]))}{', ...' if len(missing_times) > 10 else ''})")
    return ImportResult(path, len(rows), created, updated, unchanged, dry_run, matched, warnings)


def _file_zone(table: excel.Table) -> ZoneInfo | None:
    """The zone a reqtrack export states in its info sheet, when it names a known one."""
    if not table.timezone:
        return None
    try:
        return ZoneInfo(table.timezone)
    except (ValueError, KeyError, OSError):
        return None


def _has_cut_cell(row: ParsedRow) -> bool:
    """Whether a text cell of the row ends with reqtrack's marker for a cell cut at Excel's limit."""
    return any(isinstance(v, str) and len(v) > 100 and excel.strip_cut_marker(v)[1] for v in row.values.values())


def _plan_without_database(path: Path, rows: list[ParsedRow], tz: ZoneInfo, warnings: list[str],
                           missing_times: list[int]) -> ImportResult:
    """A dry run against a database that does not exist yet: every row would be created."""
    if missing_times:
        warnings.append(f"{len(missing_times)} row(s) without a submission time would be taken as submitted now")
    return ImportResult(path, len(rows), len(rows), 0, 0, True, 0, warnings)
