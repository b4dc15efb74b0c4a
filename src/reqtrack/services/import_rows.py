"""Import, phase A: the file alone. Every data row of the sheet is read into field values
(`excel.validator`) and checked — required cells, IDs, dates against each other and the clock,
names that look masked — without touching the database; each problem names its row, column
and value (docs/excel.md, "Import", steps 1 and 2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput, Listed, Message, plural
from ..domain.record import EARLIEST_YEAR, LATEST_YEAR, parse_generated_id, year_in_range
from ..domain.timeparse import end_of_day
from ..domain.vocabularies import DEFAULT, Vocabularies
from ..excel.columns import NAME_FIELDS, TIME_COLUMNS, VOCABULARY_COLUMNS, Column
from ..excel.reader import Table
from ..excel.rows import local_minute
from ..excel.validator import (
    CellProblem,
    LogEntry,
    cell_text,
    parse_attachments,
    parse_flag,
    parse_links,
    parse_owner,
    parse_plain,
    parse_process_log,
    parse_scores,
    parse_verbatim,
    parse_verification,
    parse_vocabulary,
    parse_when,
)

MAX_PROBLEMS_SHOWN = 200

ProcessLog = tuple[list[LogEntry] | None, bool]
"""The process-log cell as `parse_process_log` reads it: (entries oldest first, or None for
a text not in reqtrack's format; whether the cell was cut at Excel's limit)."""


# -- problems -------------------------------------------------------------------------------------
@dataclass
class ImportProblem:
    """One thing wrong with the file: where, the value found, and why it cannot be taken."""

    row: int
    column: str | Message  # e.g. "column L (计划完成时间)" (excel.columns Column.name); "" for the row as a whole
    value: Any
    message: str | Message
    masked: bool = False  # the cell looks like what `export --mask` writes

    def as_message(self) -> Message:
        """The problem as one line of the refusal: row, column, the value found (as JSON), why."""
        if self.value is None:
            if self.column:
                return Message("  row {row}, {column}: {why}", row=self.row, column=self.column, why=self.message)
            return Message("  row {row}: {why}", row=self.row, why=self.message)
        try:
            shown = self.value if isinstance(self.value, str) else cell_text(self.value) or repr(self.value)
        except CellProblem:  # INF, NaN
            shown = repr(self.value)
        shown = json.dumps(shown if len(shown) <= 60 else shown[:57] + "...", ensure_ascii=False)
        if self.column:
            return Message("  row {row}, {column}: {value}: {why}", row=self.row, column=self.column, value=shown,
                           why=self.message)
        return Message("  row {row}: {value}: {why}", row=self.row, value=shown, why=self.message)

    def __str__(self) -> str:
        return str(self.as_message()).lstrip()


class ImportRefused(InvalidInput):
    """The file has problems; nothing was imported. The message is a summary sentence followed by
    one line per problem (the CLI prints it as is on stderr)."""

    def __init__(self, path: Path, problems: list[ImportProblem]) -> None:
        self.problems = problems
        rows = len({p.row for p in problems})
        counted = Message("{problems} in {rows}", problems=plural(len(problems), "{n} problem", "{n} problems"),
                          rows=plural(rows, "{n} row", "{n} rows"))
        if any(p.masked for p in problems):
            summary = Message(
                "nothing imported from {name}: it looks like a masked export (names hidden with *, as `export --mask` "
                "writes them), and a masked sheet must never be imported, whatever route it took (saved as CSV, its "
                "info sheet removed); {counted}; import the unmasked export instead", name=path.name, counted=counted)
        else:
            summary = Message("nothing imported from {name}: {counted}; correct them and import again", name=path.name,
                              counted=counted)
        lines: list[object] = [p.as_message() for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(Message("  ... and {more} more", more=len(problems) - MAX_PROBLEMS_SHOWN))
        super().__init__("{summary}\n{lines}", summary=summary, lines=Listed.of(lines, "\n"))




# -- the rows ------------------------------------------------------------------------------------
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
    log: ProcessLog = ([], False)  # the process-log cell, parsed once
    mask_like: list[tuple[str, Message, str]] = field(default_factory=list)  # (key, column name, value) of name cells


# A name as `export --mask` writes it: its first character, then only `*` (王** , J***). A real name
# is never that; the template's own `*經理` (a star first) and `Li*Wei` are not.
_MASK_LIKE = re.compile(r"^[^*\s]\*+$")
MASKED_MESSAGE = Message("looks masked (a first character, then only *, as `export --mask` writes names); a real "
                         "name is never that")
_ID_CHARACTERS_MESSAGE = Message("an ID is one line of at most 64 characters, without control or invisible characters "
                                 "(a foreign ID such as TEL-002 is kept as it is)")


def _id_problem(request_id: str) -> Message | None:
    """Why an imported ID cannot be kept, or None: reqtrack's own IDs are YYYYMM-NNN (3 or more
    digits, a month of the years every command reads); foreign ones (TEL-002) are kept as they
    are if every command can name them (docs/excel.md, "Import")."""
    import unicodedata

    plain = request_id.isascii() and request_id.isprintable()  # no control character, no other space than " "
    if len(request_id) > 64 or not plain and any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
                                                 or (ch.isspace() and ch != " ") for ch in request_id):
        return _ID_CHARACTERS_MESSAGE
    generated = parse_generated_id(request_id)
    if generated is not None:
        month, seq = generated
        if not seq:
            return Message("looks like reqtrack's own YYYYMM-NNN but its number is 000; correct it, or leave the cell "
                           "empty for a new ID")
        if not (year_in_range(int(month[:4])) and 1 <= int(month[4:]) <= 12):
            return Message("looks like reqtrack's own YYYYMM-NNN but {month} is not a month from {first} to {last}; "
                           "correct it, or leave the cell empty for a new ID", month=month, first=EARLIEST_YEAR,
                           last=LATEST_YEAR)
    elif re.match(r"^\d{6}-\d{0,2}$", request_id):
        return Message("looks like reqtrack's own YYYYMM-NNN (3 or more digits after the month) but is not; correct it")
    return None


CellReader = Callable[[Any], Any]
_REPEATED = 4096  # distinct cells of a column whose reading is remembered (vocabularies, owners)


def _remembered(read: CellReader) -> CellReader:
    """`read`, remembering what the cells most met read as (a sheet repeats a few vocabulary
    labels and owners thousands of times; the values are immutable; a cell that raises
    CellProblem is read again each time)."""
    return lru_cache(maxsize=_REPEATED, typed=True)(read)


def _cell_reader(key: str, tz: ZoneInfo, date_tz: ZoneInfo | None = None,
                 vocabularies: Vocabularies = DEFAULT) -> CellReader:
    """How a cell of column `key` becomes a field value: date-times local to `tz` (the file's
    zone), a date-only deadline as the end of that day in `date_tz` (the database's zone; a date
    stays the same date); source and type in the database's `vocabularies` (a problem names
    their labels)."""
    if key in TEXT_EXACT:
        return parse_verbatim
    if key in TEXT_TRIMMED or key == "id":
        return parse_plain
    if key in ("source", "type"):
        return _remembered(partial(parse_vocabulary, vocabularies.get(key)))
    if key in VOCABULARY_COLUMNS:
        return _remembered(partial(parse_vocabulary, VOCABULARY_COLUMNS[key]))
    if key in TIME_COLUMNS:
        def moment(raw: Any) -> datetime | None:
            parsed = parse_when(raw, tz)
            return parsed[0] if parsed else None
        return moment
    if key == "due":
        def due(raw: Any) -> tuple[datetime, bool] | None:
            parsed = parse_when(raw, tz)
            if parsed is None:
                return None
            moment, date_only = parsed
            if not date_only:
                return moment, False
            return end_of_day(moment.astimezone(tz).date(), date_tz or tz).astimezone(timezone.utc), True
        return due
    readers: dict[str, CellReader] = {"owner": _remembered(parse_owner), "attachments": parse_attachments,
                                      "verification": _remembered(parse_verification), "scores": parse_scores,
                                      "waiting": parse_flag, "history": cell_text, "links": parse_links}
    return readers[key]


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def parse_rows(table: Table, tz: ZoneInfo, now: datetime, problems: list[ImportProblem],
               date_tz: ZoneInfo | None = None, vocabularies: Vocabularies = DEFAULT) -> Iterator[ParsedRow]:
    """The sheet's data rows read into field values (blank rows skipped), streamed as the file
    is read; each problem found is added to `problems` before its row is yielded. `tz` is the
    zone of the file's date-times; `date_tz` the database's, in which a date-only deadline ends
    (default `tz`); source and type are read in the database's `vocabularies`."""
    by_key = {c.key: c for c in table.columns}
    readers = [(c.index, c.key, c.name, _cell_reader(c.key, tz, date_tz, vocabularies)) for c in table.columns]
    seen_ids: dict[str, int] = {}
    for number, cells in table.rows:
        if _blank(cells):
            continue
        values: dict[str, Any] = {}
        width = len(cells)
        for index, key, name, read in readers:
            raw = cells[index] if index < width else None
            try:
                values[key] = read(raw)
            except CellProblem as exc:
                problems.append(ImportProblem(number, name, raw, exc.message))
        request_id = values.pop("id", None)
        if request_id is not None:
            why = _id_problem(request_id)
            if why is not None:
                problems.append(ImportProblem(number, by_key["id"].name, request_id, why))
            elif request_id in seen_ids:
                problems.append(ImportProblem(number, by_key["id"].name, request_id,
                                              Message("the same ID is already on row {row}", row=seen_ids[request_id])))
            else:
                seen_ids[request_id] = number
        for key in ("customer", "description"):
            if key in by_key and values.get(key) is None:
                what = Message("the customer (or project) is required; the cell is empty") if key == "customer" else \
                    Message("the description is required: the customer's own words; the cell is empty")
                problems.append(ImportProblem(number, by_key[key].name, None, what))
        try:
            log = parse_process_log(values.get("history"), tz)
        except CellProblem as exc:
            problems.append(ImportProblem(number, by_key["history"].name, None, exc.message))
            log = ([], False)
        _check_times(number, values, by_key, tz, now, problems, log[0])
        yield ParsedRow(number, request_id, values, log=log, mask_like=_mask_like_cells(values, by_key))


def _mask_like_cells(values: dict[str, Any], by_key: dict[str, Column]) -> list[tuple[str, Message, str]]:
    found = []
    for key in NAME_FIELDS:
        value = values.get(key)
        if key == "owner" and value is not None:
            value = value[1]  # (department, person)
        if isinstance(value, str) and _MASK_LIKE.match(value.strip()):
            found.append((key, by_key[key].name, value))
    return found



_BEFORE_SUBMISSION = "is before the submission ({at})"


def _check_times(number: int, values: dict[str, Any], by_key: dict[str, Column], tz: ZoneInfo,
                 now: datetime, problems: list[ImportProblem], entries: list[LogEntry] | None) -> None:
    submitted = values.get("submitted_at")

    def shown(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    if submitted is not None and submitted > now:
        problems.append(ImportProblem(number, by_key["submitted_at"].name, shown(submitted), Message("is in the future")))
    completed = values.get("completed_at")
    if submitted is not None and completed is not None and local_minute(completed, tz) < local_minute(submitted, tz):
        problems.append(ImportProblem(number, by_key["completed_at"].name, shown(completed),
                                      Message(_BEFORE_SUBMISSION, at=shown(submitted))))
    due = values.get("due")
    if submitted is not None and due is not None and due[0] < submitted.replace(second=0):
        problems.append(ImportProblem(number, by_key["due"].name, shown(due[0]),
                                      Message(_BEFORE_SUBMISSION, at=shown(submitted))))
    if entries:
        future = [e for e in entries if e.at > now]
        if future:
            problems.append(ImportProblem(number, by_key["history"].name, None,
                                          Message("the process log has an entry in the future ({at})",
                                                  at=shown(future[0].at))))

