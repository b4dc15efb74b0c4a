"""The reader: an xlsx or CSV file opened, its header row found (`excel.columns`) and its rows
streamed as raw cells, within the size bounds of docs/excel.md ("What import refuses and why").
Cells are turned into field values by `excel.validator`.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..domain.errors import InvalidInput
from .columns import HEADER_SEARCH_ROWS, Column, find_header
from .export_info import TIMEZONE_LABELS
from .masking import MASK_TOKEN
from .safety import unguard

# What an import may read (docs/excel.md, "What import refuses and why"). Generous for real
# sheets — a 100,000-request export inflates to about 125 MB — and checked before anything is
# parsed, so that a zip bomb or a runaway file is refused in a moment, with nothing written.
MAX_INFLATED_BYTES = 1 << 30  # an xlsx's parts inflated, all together (declared sizes; zipfile
#                               stops at the declared size, so a lie ends in a CRC error); a CSV's size
MAX_SHARED_STRINGS_BYTES = 256 << 20  # openpyxl holds the shared strings in memory whole
MAX_ZIP_MEMBERS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit of rows in a sheet (header and blank rows count)
MAX_CSV_FIELD = 8 << 20  # characters in one CSV field (Python's default is 128 K) or xlsx cell
MAX_CSV_LINE = 64 << 20  # characters in one physical CSV line


@dataclass
class Table:
    """A sheet or CSV file with its recognised header; `rows` streams (row number, cells)."""

    path: Path
    kind: str  # "xlsx" or "csv"
    sheet: str | None
    header_row: int
    columns: list[Column]
    ignored: list[str]  # header texts that are not reqtrack columns
    masked: bool
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    timezone: str | None = None  # the zone a reqtrack export's info sheet states for its times
    _close: Callable[[], None] | None = None

    def close(self) -> None:
        """The rows' stream ended (a child reading the sheet ahead is stopped now, not when the
        stream is collected) and the file closed."""
        ending = getattr(self.rows, "close", None)
        if ending is not None:
            ending()
        if self._close is not None:
            self._close()
            self._close = None


def _stated_zone(head: list[tuple[int, list[Any]]]) -> str | None:
    """The zone named next to a time-zone label in the first rows of an info sheet."""
    for _, cells in head:
        if len(cells) >= 2 and cells[0] in TIMEZONE_LABELS and isinstance(cells[1], str) and cells[1].strip():
            return cells[1].strip()
    return None


def _contains_mask_token(cells: Iterable[Any]) -> bool:
    return any(isinstance(c, str) and MASK_TOKEN in c for c in cells)


def read_table(path: Path) -> Table:
    """Open an xlsx or CSV file and find its header row (InvalidInput when it has none)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("{path} does not exist or is not a file", path=path)
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(b"PK\x03\x04"):
        return _read_xlsx(path)
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput("{path} is an old binary Excel file (.xls); save it as .xlsx or CSV in Excel and import that",
                           path=path)
    if path.suffix.lower() == ".json" or re.match(rb"\s*(\[\s*[{\]]|\{\s*\")", start):
        raise InvalidInput("{path} is JSON; import reads xlsx and CSV sheets with a header row (export one with "
                           "`reqtrack export FILE.xlsx`)", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and start:
        raise InvalidInput("{path} is not a readable xlsx file (no zip container); is it damaged or renamed?", path=path)
    return _read_csv(path)


_HEADER_HINT = ("{path}: no header row found in its first {n} rows: the sheet needs at least the columns "
                "需求描述/Description and 所属客户/项目/Customer (in any of the three languages, in any order)")
_NOT_XLSX = "{path} cannot be read as an xlsx workbook ({kind}: {detail})"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 10e6 else f"{size / 1e6:,.1f} MB"


def _check_archive(path: Path) -> None:
    """Refuse, before openpyxl reads anything, an xlsx whose parts would inflate past the import's
    limits (a zip bomb: a few MB that inflate to GBs). The sizes are the ones the zip declares;
    Python's zipfile never inflates a part past its declared size (a part that would ends in a CRC
    error, which the reader turns into "damaged"), so memory stays bounded by what is checked here."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(_NOT_XLSX, path=path, kind=type(exc).__name__, detail=str(exc)) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise InvalidInput("{path} holds {count:,} parts, more than any real workbook (import's limit: {most:,}); it is "
                           "refused, nothing was imported", path=path, count=len(members), most=MAX_ZIP_MEMBERS)
    total = 0
    for member in members:
        total += member.file_size
        if member.filename.lower().endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise InvalidInput("{path}: its shared strings inflate to {size}, over import's limit of {most}; nothing was "
                               "imported (save the sheet as CSV, or split it)", path=path,
                               size=_megabytes(member.file_size), most=_megabytes(MAX_SHARED_STRINGS_BYTES))
    if total > MAX_INFLATED_BYTES:
        raise InvalidInput("{path} inflates to {size} ({compressed} compressed), over import's limit of {most}; nothing "
                           "was imported (a damaged file or a zip bomb; a real sheet that large: split it)", path=path,
                           size=_megabytes(total), compressed=_megabytes(path.stat().st_size),
                           most=_megabytes(MAX_INFLATED_BYTES))


def _sheet_damaged(path: Path, row: int, exc: BaseException) -> Exception:
    """The InvalidInput for a sheet whose XML cannot be read past its load: bad XML, a number,
    date or boolean cell that is not one, a shared-string index that does not exist, a part
    inflating past its declared size."""
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return InvalidInput("{path} cannot be read at row {row}: the sheet's content is damaged or not what Excel writes "
                        "({detail}); nothing was imported", path=path, row=row,
                        detail=f"{type(exc).__name__}{': ' + detail if detail else ''}")


def _bounded_cells(path: Path, number: int, cells: list[Any]) -> list[Any]:
    """The row's cells, or InvalidInput for one longer than any field may be."""
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CSV_FIELD:
            raise InvalidInput("{path} row {row}: a cell holds {count:,} characters, over import's limit of {most:,} (Excel "
                               "itself holds 32,767); nothing was imported", path=path, row=number, count=len(cell),
                               most=MAX_CSV_FIELD)
    return cells


def _too_many_rows(path: Path) -> Exception:
    return InvalidInput("{path} has more than {most:,} rows, import's limit (Excel's own); nothing was imported: split "
                        "the sheet", path=path, most=MAX_ROWS)


def _read_xlsx(path: Path) -> Table:
    _check_archive(path)
    from .sheet_xml import Workbook

    try:
        workbook = Workbook(path)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors all mean "not readable"
        raise InvalidInput(_NOT_XLSX, path=path, kind=type(exc).__name__, detail=str(exc)) from None
    masked = MASK_TOKEN in workbook.keywords
    zone: str | None = None
    found: tuple[str, int, list[Column], list[str], Iterator[list[Any]], list[tuple[int, list[Any]]], int] | None = None
    for sheet in workbook.sheets:  # every row there is, whatever dimensions the sheet states
        rows = workbook.rows(sheet)
        head: list[tuple[int, list[Any]]] = []
        try:
            for number, cells in enumerate(rows, start=1):
                head.append((number, cells))
                if number >= HEADER_SEARCH_ROWS:
                    break
            for number, cells in head:
                _bounded_cells(path, number, cells)
        except InvalidInput:
            workbook.close()
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a damaged sheet raises
            workbook.close()
            raise _sheet_damaged(path, len(head) + 1, exc) from None
        result = find_header(head)
        if result is None:
            masked = masked or any(_contains_mask_token(cells) for _, cells in head)
            zone = zone or _stated_zone(head)
            continue
        if found is None:
            number, columns, ignored = result
            found = (sheet.title, number, columns, ignored, rows, head, workbook.part_size(sheet))
            masked = masked or any(_contains_mask_token(cells) for n, cells in head if n < number)
    if found is None:
        workbook.close()
        raise InvalidInput(_HEADER_HINT, path=path, n=HEADER_SEARCH_ROWS)
    title, header_row, columns, ignored, rows, head, size = found

    def stream() -> Iterator[tuple[int, list[Any]]]:
        nonlocal rows
        for number, cells in head:
            if number > header_row:
                yield number, cells
        from .read_ahead import read_ahead, reads_ahead

        if reads_ahead(size):  # a large sheet: its XML parsed by a second process, beside this one
            rows = read_ahead(rows)
        number = len(head)
        try:
            while True:
                number += 1
                if number > MAX_ROWS:
                    raise _too_many_rows(path)
                try:
                    row = next(rows, None)
                    if row is None:
                        return
                except Exception as exc:  # noqa: BLE001 - whatever a damaged sheet raises
                    raise _sheet_damaged(path, number, exc) from None
                yield number, _bounded_cells(path, number, row)
        finally:
            rows.close()  # type: ignore[attr-defined]  # a generator: the child reading ahead stops with it

    return Table(path, "xlsx", title, header_row, columns, ignored, masked, stream(), timezone=zone,
                 _close=workbook.close)


def _detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-16 (by BOM), utf-8 when the whole file decodes as UTF-8, else GB18030."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if _decodes_as(handle, "utf-8"):
            return "utf-8"
        if _decodes_as(handle, "gb18030"):
            return "gb18030"
    raise InvalidInput("{path} is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 or as xlsx", path=path)


def _decodes_as(handle: IO[bytes], encoding: str) -> bool:
    """Whether the whole file decodes as `encoding`, read a megabyte at a time from the start."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                decoder.decode(b"", final=True)
                return True
            decoder.decode(chunk)
    except UnicodeDecodeError:
        return False


def _bounded_lines(handle: IO[str], path: Path) -> Iterator[str]:
    """The file's lines for csv.reader, refusing one longer than MAX_CSV_LINE (memory stays bounded
    whatever the file holds)."""
    number = 0
    while True:
        line = handle.readline(MAX_CSV_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_CSV_LINE:
            raise InvalidInput("{path} line {line} is longer than import's limit of {most:,} characters; nothing was "
                               "imported", path=path, line=number, most=MAX_CSV_LINE)
        yield line


def _csv_problem(path: Path, line: int, exc: Exception) -> Exception:
    if isinstance(exc, UnicodeDecodeError):
        return InvalidInput("{path} line {line} is not valid {encoding} text ({reason}); nothing was imported: save it as "
                            "CSV UTF-8", path=path, line=line, encoding=exc.encoding, reason=exc.reason)
    if "field larger than field limit" in str(exc):
        return InvalidInput("{path} line {line}: a field is longer than import's limit of {most:,} characters; nothing "
                            "was imported", path=path, line=line, most=MAX_CSV_FIELD)
    return InvalidInput("{path} line {line}: a quote (\") opened in this row is not closed where its cell ends "
                        "({detail}); nothing was imported: close the quote, or write a quote meant literally as two "
                        "(\"\")", path=path, line=line, detail=str(exc))


def _read_csv(path: Path) -> Table:
    size = path.stat().st_size
    if size > MAX_INFLATED_BYTES:
        raise InvalidInput("{path} is {size}, over import's limit of {most}; nothing was imported: split it", path=path,
                           size=_megabytes(size), most=_megabytes(MAX_INFLATED_BYTES))
    encoding = _detect_encoding(path)
    handle = open(path, encoding=encoding, newline="")
    previous_limit = csv.field_size_limit(MAX_CSV_FIELD)  # a long description exported to CSV comes back

    def close() -> None:
        handle.close()
        csv.field_size_limit(previous_limit)

    try:
        sample = handle.read(1 << 16)
        handle.seek(0)
    except UnicodeDecodeError as exc:
        close()
        raise InvalidInput("{path} cannot be read as CSV: {detail}", path=path, detail=str(exc)) from None
    # strict: a quote left open to the end of the file is an error, not a silently merged row.
    reader = csv.reader(_bounded_lines(handle, path), delimiter=_delimiter(sample), strict=True)
    source = _csv_records(reader, path)
    head: list[tuple[int, list[Any]]] = []
    spans: list[tuple[int, int]] = []
    try:
        for number, span, cells in source:
            head.append((number, cells))
            spans.append(span)
            if number >= HEADER_SEARCH_ROWS:
                break
    except InvalidInput:
        close()
        raise
    result = find_header(head)
    if result is None:
        close()
        if not sample.strip():
            raise InvalidInput("{path} is empty", path=path)
        raise InvalidInput(_HEADER_HINT, path=path, n=HEADER_SEARCH_ROWS)
    header_row, columns, ignored = result
    width = len(head[header_row - 1][1])
    masked = any(_contains_mask_token(cells) for n, cells in head if n < header_row)

    def stream() -> Iterator[tuple[int, list[Any]]]:
        for (number, cells), span in zip(head, spans):
            if number > header_row:
                _check_span(path, width, span, cells)
                yield number, cells
        for number, span, cells in source:
            _check_span(path, width, span, cells)
            yield number, cells

    return Table(path, "csv", None, header_row, columns, ignored, masked, stream(), encoding=encoding, _close=close)


def _delimiter(sample: str) -> str:
    """The separator of the file's first lines: comma, tab or semicolon, whichever is most used."""
    lines = sample.splitlines()[:HEADER_SEARCH_ROWS] or [""]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _csv_records(reader: Any, path: Path) -> Iterator[tuple[int, tuple[int, int], list[Any]]]:
    """(record number, its first and last line, cells); InvalidInput naming the line when unreadable."""
    number = 0
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _csv_problem(path, first_line, exc) from None
        if row is None:
            return
        number += 1
        if number > MAX_ROWS:
            raise _too_many_rows(path)
        yield number, (first_line, reader.line_num), [unguard(c) if c else None for c in row]


def _check_span(path: Path, width: int, lines: tuple[int, int], cells: list[Any]) -> None:
    first_line, last_line = lines
    if last_line > first_line and len(cells) != width:
        # A cell that swallowed line ends and then has the wrong number of cells: a quote
        # opened and closed only by a later row's quote, merging the rows between.
        raise InvalidInput("{path} line {first}: a quote (\") opened in this row runs on to line {last}, merging {lines} "
                           "lines into one row of {cells} cells (the header has {width}); nothing was imported: close "
                           "the quote", path=path, first=first_line, last=last_line, lines=last_line - first_line + 1,
                           cells=len(cells), width=width)
