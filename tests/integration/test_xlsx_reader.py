"""The xlsx reader (excel/sheet_xml.py, excel/reader.py) against openpyxl itself: every row it
streams is what openpyxl's read-only worksheet gives (`data_only=True`, every row there is), with
the reader's touches (`_xHHHH_` undone, a midnight date-time a date unless its format shows a
time) — on reqtrack's exports, on workbooks openpyxl writes from generated values, on hand-made
XML that openpyxl accepts, and on mutated XML: whatever openpyxl reads, the reader reads alike;
what it refuses, the reader refuses or reads (never an error of another kind)."""

from __future__ import annotations

import random
import re
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from helpers import export
from reqtrack import services
from reqtrack.domain.errors import InvalidInput
from reqtrack.excel.reader import read_table
from reqtrack.excel.safety import ooxml_unescape
from reqtrack.excel.sheet_xml import has_time
from reqtrack.services import Context

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def openpyxl_rows(path: Path) -> list[list[Any]]:
    """The rows of the first sheet with a header as the reader read them with openpyxl
    (before sheet_xml): every cell of every row, with the reader's touches."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        return [[_touched(cell) for cell in row] for row in sheet.iter_rows()]
    finally:
        workbook.close()


def _touched(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, str):
        return ooxml_unescape(value)
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second or value.microsecond):
        return value if has_time(getattr(cell, "number_format", None)) else value.date()
    return value


def reader_rows(path: Path) -> list[list[Any]]:
    """The rows read_table streams, from row 1 (the header search's rows included)."""
    from reqtrack.excel.sheet_xml import Workbook as Book

    book = Book(path)
    try:
        return [list(cells) for cells in book.rows(book.sheets[0])]
    finally:
        book.close()


def typed(rows: list[list[Any]]) -> list[list[tuple[type, Any]]]:
    return [[(type(v), v) for v in row] for row in rows]


def _with_sheet(source: Path, target: Path, sheet_xml: str, strings: str | None = None) -> Path:
    """`source` with its first sheet's XML replaced (and shared strings added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            elif strings is not None and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif strings is not None and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.'
                                    b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            new.writestr(info.filename, data)
        if strings is not None:
            new.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{MAIN}">{strings}</sst>')
    return target


def _styled_workbook(path: Path) -> Path:
    """A workbook openpyxl writes, with date, time and duration formats (styles 1.. in styles.xml)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Customer", "Description", "Submitted at", "Due", "Notes"])
    sheet.append(["ACME", "x", datetime(2024, 5, 1, 0, 0), datetime(2024, 5, 2, 0, 0), datetime(2024, 5, 3, 9, 5)])
    sheet["C2"].number_format = "yyyy-mm-dd hh:mm"
    sheet["D2"].number_format = "yyyy/m/d"
    sheet.append(["B", 12, time(10, 30), timedelta(hours=30), date(2024, 1, 1)])
    sheet["D3"].number_format = "[h]:mm"
    workbook.save(path)
    return path


HAND_MADE = [
    # positional cells, a row without r, a float row number, rows missing and out of order
    '<row r="1"><c t="inlineStr"><is><t>Customer</t></is></c><c t="inlineStr"><is><t>Description</t></is></c></row>'
    '<row r="3"><c t="inlineStr"><is><t>A</t></is></c><c r="C3" t="inlineStr"><is><t>far</t></is></c></row>'
    '<row><c r="B4" t="inlineStr"><is><t>no r</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>'
    '<row r="6.0"><c r="C6" t="inlineStr"><is><t>c</t></is></c><c r="A6" t="inlineStr"><is><t>a</t></is></c></row>',
    # every cell type with data_only: a formula's text, an error, a boolean, an ISO date, numbers
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c><c r="B1" t="inlineStr"><is><t>Description</t>'
    '</is></c></row><row r="2"><c r="A2" t="str"><f>A1</f><v>formula text</v></c><c r="B2" t="e"><v>#N/A</v></c>'
    '<c r="C2" t="b"><v>0</v></c><c r="D2" t="d"><v>2024-05-01T00:00:00</v></c><c r="E2" t="d"><v>2024-05-01T10:00:00'
    '</v></c><c r="F2"><v>1E3</v></c><c r="G2" t="n"><v>-0.25</v></c><c r="H2"><v></v></c><c r="I2" t="n"/></row>',
    # inline rich text, an empty inline string, escapes, whitespace kept
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c><c r="B1" t="inlineStr"><is><t>Description</t>'
    '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><r><t>rich </t></r><r><rPr><b/></rPr><t>run</t></r></is>'
    '</c><c r="B2" t="inlineStr"><is/></c><c r="C2" t="inlineStr"><is><t>a_x000D_b _x005F_x0041_</t></is></c>'
    '<c r="D2" t="inlineStr"><is><t xml:space="preserve">  both ends  </t></is></c><c r="E2" t="inlineStr">'
    '<is><t>own</t><r><t> and run</t></r></is></c><c r="F2" t="inlineStr"><is><t/></is></c></row>',
    # shared strings (plain, rich, escaped, padded) and date styles (1: date and time, 2: date)
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v>'
    '</c><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v>4</v></c><c r="D2" s="1"><v>45413</v></c>'
    '<c r="E2" s="2"><v>45413</v></c><c r="F2" s="1"><v>45413.5</v></c><c r="G2" s="3"><v>1.25</v></c></row>',
]
STRINGS = ("<si><t>Customer</t></si><si><t>Description</t></si><si><r><t>rich </t></r><r><rPr><b/></rPr><t>shared</t>"
           "</r></si><si><t>with _x000D_ escape</t><phoneticPr fontId=\"1\"/></si><si><t xml:space=\"preserve\">  pad  "
           "</t></si>")


@pytest.mark.parametrize("rows", HAND_MADE, ids=["rows", "types", "inline", "shared"])
def test_hand_made_sheets_read_as_openpyxl_reads_them(tmp_path: Path, rows: str) -> None:
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    path = _with_sheet(_styled_workbook(tmp_path / "styled.xlsx"), tmp_path / "odd.xlsx", sheet, STRINGS)
    expected = openpyxl_rows(path)
    assert typed(reader_rows(path)) == typed(expected)
    assert any(cell is not None for row in expected for cell in row)


def test_styled_and_1904_workbooks_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    path = _styled_workbook(tmp_path / "styled.xlsx")
    assert typed(reader_rows(path)) == typed(openpyxl_rows(path))
    assert reader_rows(path)[1][2:4] == [datetime(2024, 5, 1, 0, 0), date(2024, 5, 2)]  # the format says which
    workbook = load_workbook(path)
    workbook.epoch = datetime(1904, 1, 1)
    workbook.save(tmp_path / "1904.xlsx")
    assert typed(reader_rows(tmp_path / "1904.xlsx")) == typed(openpyxl_rows(tmp_path / "1904.xlsx"))


def test_an_export_reads_as_openpyxl_reads_it(ctx: Context, tmp_path: Path) -> None:
    services.register(ctx, "希望增加批量导出功能\n第二行 _x0041_ \x07", "科技有限公司", proposer="王经理", priority="high",
                      at="2024-05-01 14:30")
    services.assign(ctx, "202405-001", owner="张经理", department="产品部", due="2024-05-15", at="2024-05-03 11:00")
    services.register(ctx, "=1+1", "ACME", priority="low", at="2024-05-02 00:00")
    services.assign(ctx, "202405-002", owner="Li", due="2024-05-06 00:00", at="2024-05-02 09:00")
    path = tmp_path / "out.xlsx"
    export(ctx, path)
    assert typed(reader_rows(path)) == typed(openpyxl_rows(path))
    table = read_table(path)
    try:
        streamed = list(table.rows)
    finally:
        table.close()
    assert [n for n, _ in streamed] == [2, 3] and table.sheet == "Requests"


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_CELL = st.one_of(st.none(), _TEXT, st.sampled_from(["_x000D_", "a_x0041_b", "  ", "=SUM(A1)"]), st.booleans(),
                  st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False, width=32),
                  st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2999, 12, 31)).map(
                      lambda d: d.replace(microsecond=0)),
                  st.dates(min_value=date(1900, 3, 1), max_value=date(2999, 12, 31)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, max_size=8), min_size=1, max_size=8),
       formats=st.lists(st.sampled_from(["General", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "h:mm", "0.00", "@"]),
                        min_size=8, max_size=8))
def test_generated_workbooks_read_as_openpyxl_reads_them(tmp_path: Path, rows: list[list[Any]],
                                                         formats: list[str]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", v) if isinstance(v, str) else v for v in row])
    for row in sheet.iter_rows():
        for cell in row:
            cell.number_format = formats[cell.column - 1] if cell.column <= len(formats) else "General"
    path = tmp_path / "generated.xlsx"
    workbook.save(path)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        got = reader_rows(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's own warning of the same cells
        expected = openpyxl_rows(path)
    assert typed(got) == typed(expected)
    # a number in a date format outside the dates reads "#VALUE!" as openpyxl reads it, without
    # openpyxl's Python warning: the import's refusal names the row, column and value instead
    assert _said(ours) == []


def _said(caught: list[warnings.WarningMessage]) -> list[str]:
    """What the readers warned: a ResourceWarning is another test's garbage collected meanwhile
    (a connection it left open), not a reader's word."""
    return [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)]


_KINDS = ["s", "b", "d", "n", "str", "e", "inlineStr", "x"]
_PLACES = ["A1", "B2", "C7", "Z3", "AA1", "a2", "A", "9", "", "XFE1", "A1.5", "$A$1"]
_VALUES = ["0", "1", "-1", "4", "1.5", "1E3", "abc", "", "45413", "45413.5", "9E99", "2024-05-01T00:00:00", "TRUE"]


def _mutated(sheet: str, rng: random.Random, edits: int) -> str:
    """The sheet's XML with well-formed edits: cell types, places, values and styles changed,
    cells and rows dropped or moved."""
    for _ in range(edits):
        choice = rng.randrange(6)
        if choice == 0:
            sheet = _one(sheet, r' t="[^"]*"', lambda: f' t="{rng.choice(_KINDS)}"', rng)
        elif choice == 1:
            sheet = _one(sheet, r' r="[^"]*"', lambda: f' r="{rng.choice(_PLACES)}"', rng)
        elif choice == 2:
            sheet = _one(sheet, r"<v>[^<]*</v>", lambda: f"<v>{rng.choice(_VALUES)}</v>", rng)
        elif choice == 3:
            sheet = _one(sheet, r"<c ", lambda: f'<c s="{rng.randrange(6)}" ', rng)
        elif choice == 4:
            sheet = _one(sheet, r"<c [^>]*/>|<c [^>]*>.*?</c>", lambda: "", rng)
        else:
            rows = re.findall(r"<row[ >].*?</row>", sheet)
            if len(rows) > 1:
                moved = rows[rng.randrange(len(rows))]
                sheet = sheet.replace(moved, "", 1).replace("</sheetData>", moved + "</sheetData>")
    return sheet


def _one(text: str, pattern: str, replacement: Any, rng: random.Random) -> str:
    """`text` with one match of `pattern`, chosen at random, replaced."""
    found = list(re.finditer(pattern, text))
    if not found:
        return text
    match = found[rng.randrange(len(found))]
    return text[:match.start()] + replacement() + text[match.end():]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 6))
def test_mutated_sheets_read_as_openpyxl_reads_them_or_are_refused(tmp_path: Path, seed: int, edits: int) -> None:
    rng = random.Random(seed)
    rows = HAND_MADE[rng.randrange(len(HAND_MADE))]
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    styled = _styled_workbook(tmp_path / f"styled-{seed}.xlsx")
    path = _with_sheet(styled, tmp_path / f"mutated-{seed}.xlsx", _mutated(sheet, rng, edits), STRINGS)
    try:
        expected = openpyxl_rows(path)
    except Exception:  # noqa: BLE001 - openpyxl refuses it: the reader may refuse it too, or read it
        try:
            table = read_table(path)
            try:
                list(table.rows)
            finally:
                table.close()
        except InvalidInput:
            pass
        return
    assert typed(reader_rows(path)) == typed(expected)
