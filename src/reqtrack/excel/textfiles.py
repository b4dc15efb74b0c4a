"""The text writers: the template's sheet as CSV (docs/excel.md, "Formats": UTF-8 with a BOM,
CRLF, formula-like texts behind a `'`) and the requests as a JSON array (`show --json` objects,
for scripts). Both stream: one request at a time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import IO, TextIO
from zoneinfo import ZoneInfo

from ..domain.record import Request
from ..domain.vocabularies import Vocabularies
from ..views.requests import request_to_json
from .columns import column_keys, header_labels
from .export_info import ExportInfo, masked_banner
from .masking import masked_copy
from .rows import CellValue, request_cells
from .safety import EXCEL_CELL_LIMIT, SheetNotices, guard_csv, utf16_length


def _csv_value(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return guard_csv(str(value))


def write_csv_sheet(
    out: TextIO,
    requests: Iterable[Request],
    tz: ZoneInfo,
    lang: str,
    mask: bool = False,
    *,
    extra: bool = False,
    banner: str | None = None,
    notices: SheetNotices | None = None,
    on_row: Callable[[], None] | None = None,
    vocabularies: Vocabularies | None = None,
    links: bool = False,
) -> int:
    """The same cells as the xlsx sheet, as CSV (open `out` with encoding "utf-8-sig" and
    newline=""). Times as `YYYY-MM-DD HH:MM`, formula-like texts behind a `'`. `banner` is a
    first line above the header (the masked marker). Returns the number of request rows."""
    notices = notices if notices is not None else SheetNotices()
    writer = csv.writer(out)
    if banner:
        writer.writerow([banner])
    keys = column_keys(extra, links)
    writer.writerow(header_labels(lang, extra, links))
    count = 0
    for request in requests:
        if mask:
            request = masked_copy(request)
        cells = request_cells(request, tz, lang, keys, vocabularies)
        row = []
        for key, value in zip(keys, cells):
            if isinstance(value, list):
                value = "\n".join(value)
            text = _csv_value(value)
            if len(text) > EXCEL_CELL_LIMIT // 2 and utf16_length(text) > EXCEL_CELL_LIMIT:
                notices.long_csv_cells.append((request.id, key))
            row.append(text)
        writer.writerow(row)
        count += 1
        if on_row is not None:
            on_row()
    return count


def write_csv_export(handle: IO[bytes], requests: Iterable[Request], info: ExportInfo, *, notices: SheetNotices,
                     on_row: Callable[[], None] | None = None) -> int:
    """The export's CSV into the binary `handle`: UTF-8 with a BOM, a masked export's banner
    first. Returns the number of request rows."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    banner = masked_banner(info.lang) if info.masked else None
    rows = write_csv_sheet(text, requests, info.tz, info.lang, info.masked, extra=info.extra, banner=banner,
                           notices=notices, on_row=on_row, vocabularies=info.vocabularies, links=info.links)
    text.flush()
    text.detach()
    return rows


def write_json(handle: IO[bytes], requests: Iterable[Request], tz: ZoneInfo, mask: bool = False,
               on_row: Callable[[], None] | None = None) -> int:
    """The requests as a JSON array of `show --json` objects (UTF-8), one written at a time;
    returns how many."""
    count = 0
    handle.write(b"[")
    for request in requests:
        if mask:
            request = masked_copy(request)
        text = json.dumps(request_to_json(request, tz), ensure_ascii=False, indent=2)
        handle.write(((",\n" if count else "\n") + text).encode("utf-8", "surrogateescape"))
        count += 1
        if on_row is not None:
            on_row()
    handle.write(b"\n]\n" if count else b"]\n")
    return count
