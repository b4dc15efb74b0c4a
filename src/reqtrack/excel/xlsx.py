"""The xlsx writer: the template's sheet of requests, streamed into a write-only workbook in
constant memory (rows go into the sheet's XML directly, see `_FastRows`), the export's info
sheet, and the one way a workbook is saved into an open file (`save_workbook_to`).

The layout is docs/excel.md's "Formats": header bold, filled and frozen, an autofilter, widths
per column, long texts wrapped, times as real Excel date-times to the minute; the cell rules are
`excel.safety`'s. It prints as it is (SPEC §11, excel.print_setup): A4 landscape fitted to the
page width, the header on every page, each row as tall as its wrapped text (the process log
shows every line), each column at least as wide as its header and its vocabulary's labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from copy import copy
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.record import Request
from ..domain.vocabularies import Vocabularies
from ..views.labels import label
from .columns import COLUMN_WIDTHS, VOCABULARY_COLUMNS, WRAPPED_COLUMNS, column_keys, header_labels
from .export_info import ExportInfo, info_rows
from .masking import MASK_TOKEN, masked_copy
from .print_setup import WRAP_FILL, fit_width, row_points, set_up_page, text_points
from .rows import request_cells
from .safety import SheetNotices, fit_lines, ooxml_escape, xlsx_text

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

CellItem = tuple[str, str | date] | None
"""A data cell before it is written: None (empty) or (style name, text or date-time or date)."""
InfoValue = str | int | datetime
"""A value of the info sheet's second column."""

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
_RAW_WRITE_ATTRIBUTE = "_file"  # et_xmlfile's _IncrementalFileWriter: its output function
# Wrapped too when printed, beside the long texts of WRAPPED_COLUMNS: texts of any length whose
# cut would hide part of a name or a sentence.
PRINT_WRAPPED = WRAPPED_COLUMNS | {"customer", "proposer", "liaison", "owner", "verification", "contact", "department",
                                   "scores", "priority_reason", "assign_reason", "verification_note"}


# -- the request sheet ---------------------------------------------------------------------------
class _CellFactory:
    """Styled cells for one worksheet. Styles are registered once, on a template cell per
    style; in a write-only sheet each row is serialised as soon as it is appended, so one cell
    object per (column, style) is reused row after row instead of building thousands."""

    def __init__(self, worksheet: Worksheet, reuse: bool) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.worksheet = worksheet
        self.reuse = reuse
        self._new_cell = WriteOnlyCell
        top = Alignment(vertical="top")
        wrap = Alignment(vertical="top", wrap_text=True)
        specs: dict[str, dict[str, Any]] = {
            "header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
                       "alignment": Alignment(vertical="center", wrap_text=True),
                       "border": Border(bottom=Side(style="thin", color="8EA9DB"))},
            "text": {"alignment": top},
            "wrap": {"alignment": wrap},
            "datetime": {"alignment": top, "number_format": DATETIME_FORMAT},
            "date": {"alignment": top, "number_format": DATE_FORMAT},
        }
        for name in ("text", "wrap"):
            specs[name + "!"] = dict(specs[name], quotePrefix=True)
        self.templates: dict[str, Any] = {}
        for name, attributes in specs.items():
            template = WriteOnlyCell(worksheet)
            for attribute, value in attributes.items():
                setattr(template, attribute, value)
            self.templates[name] = template
        # Registered now, in this order, so that a style's id does not depend on which cell
        # happens to use it first (the fast row writer relies on the same ids).
        self.style_ids = {name: str(template.style_id) for name, template in self.templates.items()}
        self.slots: dict[tuple[int, str], Any] = {}

    def cell(self, column: int, style: str, value: Any) -> Any:
        if self.reuse:
            slot = self.slots.get((column, style))
            if slot is None:
                slot = self.slots[(column, style)] = self._styled(style)
        else:
            slot = self._styled(style)
        slot.value = value
        if style in ("text", "wrap", "text!", "wrap!", "header"):
            slot.data_type = "s"  # never a formula (`=…`) nor an error code (`#N/A`)
        return slot

    def _styled(self, style: str) -> Any:
        cell = self._new_cell(self.worksheet)
        cell._style = copy(self.templates[style]._style)
        return cell


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'") or "Sheet"
    return cleaned[:31]


class _RawRow(tuple):
    """A data row of `append_request_sheet` for a write-only sheet: per column None or
    (style name, value), serialised by `_FastRows` straight to the sheet's XML; `height` is the
    row's height in points, None for the default."""

    height: float | None = None


class _FastRows:
    """Writes the request rows of a write-only sheet as XML text, bypassing openpyxl's per-cell
    objects and its ElementTree serialisation, which took most of an export's time (100,000
    rows: 84 s of CPU before, 19 s after).

    The XML is byte for byte what openpyxl writes for the same styled cells (a test compares
    both), and it is only used where openpyxl writes through et_xmlfile (no lxml): the row writer
    checks for that writer's raw output function on every row and falls back to ordinary cells
    otherwise. Hooks are set on this one worksheet object only."""

    _DATES = frozenset({"datetime", "date"})

    def __init__(self, worksheet: Worksheet, factory: _CellFactory, columns: int) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.datetime import to_excel
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        self.factory = factory
        self.to_excel = to_excel
        self.epoch = worksheet.parent.epoch
        self.letters = [get_column_letter(i + 1) for i in range(columns)]
        self.style_ids = factory.style_ids
        writer = worksheet._writer
        plain_values_to_row = WriteOnlyWorksheet._values_to_row.__get__(worksheet)
        plain_write_row = writer.write_row

        def values_to_row(values: Any, row_index: int) -> Any:
            return values if isinstance(values, _RawRow) else plain_values_to_row(values, row_index)

        def write_row(xf: Any, row: Any, row_index: int) -> None:
            if isinstance(row, _RawRow):
                raw_out = getattr(xf, _RAW_WRITE_ATTRIBUTE, None)  # et_xmlfile: text goes to the file as is
                if raw_out is not None:
                    raw_out(self.xml(row, row_index))
                    return
                if row.height is not None:  # read by openpyxl's row writer, then forgotten
                    worksheet.row_dimensions[row_index].height = row.height
                cells = plain_values_to_row(self.cells(row), row_index)
                plain_write_row(xf, cells, row_index)
                worksheet.row_dimensions.pop(row_index, None)
                return
            plain_write_row(xf, row, row_index)

        worksheet._values_to_row = values_to_row
        writer.write_row = write_row

    @classmethod
    def install(cls, worksheet: Worksheet, factory: _CellFactory, columns: int) -> _FastRows | None:
        """The fast writer for this worksheet, or None (ordinary cells) when openpyxl's
        write-only internals are not the ones this was written for."""
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        if not (isinstance(worksheet, WriteOnlyWorksheet) and hasattr(worksheet, "_values_to_row")
                and hasattr(getattr(worksheet, "_writer", None), "write_row")):
            return None
        return cls(worksheet, factory, columns)

    def cells(self, row: _RawRow) -> list[Any]:
        """The row as styled openpyxl cells (the fallback)."""
        return [None if item is None else self.factory.cell(index, item[0], item[1]) for index, item in enumerate(row)]

    def xml(self, row: _RawRow, row_index: int) -> str:
        number = str(row_index)
        height = row.height
        parts = [f'<row r="{number}">' if height is None else f'<row r="{number}" ht="{height:g}" customHeight="1">']
        for letter, item in zip(self.letters, row):
            if item is None:
                continue
            style, value = item
            where = f'<c r="{letter}{number}" s="{self.style_ids[style]}"'
            if style in self._DATES:
                parts.append(f'{where} t="n"><v>{self.to_excel(value, self.epoch):.16g}</v></c>')
                continue
            text = value
            if "&" in text:
                text = text.replace("&", "&amp;")
            if "<" in text:
                text = text.replace("<", "&lt;")
            if ">" in text:
                text = text.replace(">", "&gt;")
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            parts.append(f'{where} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)


def append_request_sheet(
    workbook: Workbook,
    title: str,
    requests: Iterable[Request],
    tz: ZoneInfo,
    lang: str,
    mask: bool = False,
    *,
    extra: bool = False,
    notices: SheetNotices | None = None,
    on_row: Callable[[], None] | None = None,
    vocabularies: Vocabularies | None = None,
    links: bool = False,
) -> int:
    """Append a sheet with the 18 template columns (header in `lang`) to an openpyxl workbook
    (made for `Workbook(write_only=True)`; a normal workbook works too) and return the number
    of request rows written.

    Header bold, filled and frozen, an autofilter over the rows, widths per column, wrapped
    description/attachments/process log/notes and names; submission, completion (and deadline)
    times as real Excel date-times to the minute in `tz`, date-only deadlines as dates; the
    process log newest first, one line per entry; the owner as "dept/person". Printed landscape,
    one page wide, the header on every page, each row as tall as its text. `mask` hides
    personal names (see `masked_copy`). `extra` adds the kept non-template fields after the 18
    columns (`links`: the Links column after the 18, before those); `notices` collects cut cells and control characters; `on_row` is called after
    each row;
    source and type are labelled in `vocabularies` (the database's; None: the built-in ones).
    """
    from openpyxl.utils import get_column_letter

    notices = notices if notices is not None else SheetNotices()
    worksheet = workbook.create_sheet(title=_sheet_title(title))
    keys = column_keys(extra, links)
    widths = column_widths(keys, lang, extra)
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    set_up_page(worksheet, title_rows=1, footer=label("page_footer", lang))
    write_only = bool(getattr(workbook, "write_only", False))
    factory = _CellFactory(worksheet, reuse=write_only)
    worksheet.append([factory.cell(i, "header", text) for i, text in enumerate(header_labels(lang, extra, links))])
    fast = _FastRows.install(worksheet, factory, len(keys)) if write_only else None
    text_styles = [("wrap", "wrap!") if key in PRINT_WRAPPED else ("text", "text!") for key in keys]
    count = 0
    for request in requests:
        if mask:
            request = masked_copy(request)
        row = _row_items(request, tz, lang, keys, text_styles, notices, vocabularies)
        height = row_height(row, widths)
        if fast is not None:
            raw = _RawRow(row)
            raw.height = height
            worksheet.append(raw)
        else:
            if height is not None:
                worksheet.row_dimensions[count + 2].height = height
            worksheet.append([None if item is None else factory.cell(index, item[0], item[1])
                              for index, item in enumerate(row)])
            if write_only:
                worksheet.row_dimensions.pop(count + 2, None)  # written: nothing to keep
        count += 1
        if on_row is not None:
            on_row()
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{count + 1}"
    return count


def column_widths(keys: tuple[str, ...], lang: str, extra: bool = False) -> list[float]:
    """Each column's width: the template's (COLUMN_WIDTHS), widened where its header (bold) or
    the longest label of its vocabulary in `lang` would not fit on one line."""
    widths = []
    for key, header in zip(keys, header_labels(lang, extra, links="links" in keys)):
        texts = [header]
        if key in VOCABULARY_COLUMNS:
            texts += [VOCABULARY_COLUMNS[key].label(k, lang) for k in VOCABULARY_COLUMNS[key].labels]
        widths.append(max(float(COLUMN_WIDTHS.get(key, 14)), fit_width(texts, maximum=40, bold=True)))
    return widths


def row_height(row: list[CellItem], widths: list[float]) -> float | None:
    """The height (points) that shows every line of the row's wrapped cells, None when one line
    does; at most Excel's 409 points (a longer process log scrolls in its cell)."""
    needs = []
    for index, item in enumerate(row):
        if item is None or item[0] not in ("wrap", "wrap!") or not isinstance(item[1], str):
            continue
        text = item[1]
        if "\n" in text or len(text) * 2 > widths[index] * WRAP_FILL:  # else surely one line
            needs.append(text_points(text, widths[index]))
    return row_points(needs) if needs else None


def _row_items(request: Request, tz: ZoneInfo, lang: str, keys: tuple[str, ...], text_styles: list[tuple[str, str]],
               notices: SheetNotices, vocabularies: Vocabularies | None = None) -> list[CellItem]:
    """The request's cells as (style, value): texts made safe and fitted to Excel's cell limit
    (the process log entry by entry), the quote-prefixed style for a formula-like text."""
    row: list[CellItem] = []
    for index, value in enumerate(request_cells(request, tz, lang, keys, vocabularies)):
        if value is None:
            row.append(None)
            continue
        if isinstance(value, list):  # the process log, newest first
            value, cut = fit_lines(value, request.id)
            if cut:
                notices.cut_cells.append((request.id, keys[index]))
        if isinstance(value, str):
            text, quote = xlsx_text(value, request.id, keys[index], notices)
            row.append((text_styles[index][quote], text) if text else None)
        elif isinstance(value, datetime):
            row.append(("datetime", value))
        elif isinstance(value, date):
            row.append(("date", value))
        else:
            raise TypeError(f"{keys[index]}: unexpected cell value {value!r}")
    return row


# -- the export's workbook ------------------------------------------------------------------------
def append_info_sheet(workbook: Workbook, title: str, rows: list[tuple[str, InfoValue]], lang: str = "en") -> None:
    """A two-column sheet saying what was exported (filters, time, count, masked...)."""
    worksheet = workbook.create_sheet(title=_sheet_title(title))
    widths = [max(34.0, fit_width([name for name, _ in rows], maximum=50, bold=True)), 90.0]
    worksheet.column_dimensions["A"].width = widths[0]
    worksheet.column_dimensions["B"].width = widths[1]
    set_up_page(worksheet, title_rows=None, footer=label("page_footer", lang))
    factory = _CellFactory(worksheet, reuse=False)
    for index, (name, value) in enumerate(rows, start=1):
        cell: Any
        if isinstance(value, datetime):
            cell = factory.cell(1, "datetime", value)
        elif isinstance(value, str):
            cell = factory.cell(1, "wrap", ooxml_escape(value))
            height = row_points([text_points(value, widths[1])])
            if height is not None:
                worksheet.row_dimensions[index].height = height
        else:
            cell = value
        worksheet.append([factory.cell(0, "header", name), cell])


def write_export_workbook(handle: IO[bytes], requests: Iterable[Request], info: ExportInfo, *,
                          notices: SheetNotices, on_row: Callable[[], None] | None = None) -> int:
    """The export's workbook into `handle`: the requests' sheet, then the info sheet saying what
    was exported (docs/excel.md, "Formats"); a masked export's keywords carry MASK_TOKEN. Returns
    the number of request rows."""
    from openpyxl import Workbook

    lang = info.lang
    workbook = Workbook(write_only=True)
    rows = append_request_sheet(workbook, label("export.sheet.requests", lang), requests, info.tz, lang, info.masked,
                                extra=info.extra, notices=notices, on_row=on_row, vocabularies=info.vocabularies,
                                links=info.links)
    append_info_sheet(workbook, label("export.sheet.info", lang), info_rows(info, rows, notices), lang)
    if info.masked:
        workbook.properties.keywords = MASK_TOKEN
    workbook.properties.creator = "reqtrack"
    save_workbook_to(handle, workbook)
    return rows


def save_workbook_to(handle: IO[bytes], workbook: Workbook) -> None:
    """openpyxl's `workbook.save(handle)`, except that a failed save (a full disk, Ctrl-C) leaves
    nothing to finish later: left to the garbage collector, the half-written zip file and the
    unwritten sheets' row writers write to closed files, which Python prints as tracebacks
    after reqtrack's one sentence. (Used by export and the report workbook.)"""
    import datetime as _datetime
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(handle, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        workbook.properties.modified = _datetime.datetime.now(tz=_datetime.timezone.utc).replace(tzinfo=None)
        ExcelWriter(workbook, archive).save()
    except BaseException:
        archive.fp = None  # abandoned: ZipFile.__del__ writes nothing more
        for sheet in getattr(workbook, "worksheets", ()):
            if getattr(sheet, "closed", True) is False:
                try:
                    sheet.close()  # its row writer ends now, while its stream is open
                except Exception:  # noqa: BLE001 - the workbook is being thrown away
                    pass
        raise

