"""A large sheet read ahead by a forked process (excel/read_ahead.py): the rows it streams are the
ones the import reads itself, cell for cell and type for type; a sheet damaged after many rows
is refused at the same row with the same sentence either way; an import that stops reading
early (a refusal) stops the child. REQTRACK_IMPORT_WORKER=1 reads ahead whatever the sheet's
size; =0 never."""

from __future__ import annotations

import multiprocessing
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from reqtrack.domain.errors import InvalidInput
from reqtrack.excel import read_ahead
from reqtrack.excel.reader import read_table

ROWS = 1300  # over two of the child's batches


def _sheet(path: Path, rows: int = ROWS) -> Path:
    """A sheet of the template's columns with every kind of cell: texts with escapes and line
    breaks, numbers, dates and date-times, empty cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Requests")
    sheet.append(["ID", "Customer", "Description", "Submitted at", "Planned completion", "Notes"])
    start = datetime(2024, 5, 1, 9, 0)
    for n in range(rows):
        sheet.append([f"202405-{n + 1:03d}", f"客户 {n % 7}", f"line one\nline _x000D_ two {n}",
                      start + timedelta(hours=n), (start + timedelta(days=n % 30)).date() if n % 3 else None,
                      n if n % 5 == 0 else None])
    book.save(path)
    return path


def _rows(path: Path, monkeypatch: pytest.MonkeyPatch, ahead: bool) -> list[list[tuple[type, Any]]]:
    monkeypatch.setenv("REQTRACK_IMPORT_WORKER", "1" if ahead else "0")
    table = read_table(path)
    try:
        return [[(type(v), v) for v in cells] for _, cells in table.rows]
    finally:
        table.close()


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a child was started to read ahead."""
    started: list[int] = []
    real = read_ahead.read_ahead

    def counted(rows: Any) -> Any:
        started.append(1)
        return real(rows)

    monkeypatch.setattr(read_ahead, "read_ahead", counted)
    return started


def test_rows_read_ahead_are_the_rows_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                children: list[int]) -> None:
    path = _sheet(tmp_path / "large.xlsx")
    here = _rows(path, monkeypatch, ahead=False)
    assert children == []
    ahead = _rows(path, monkeypatch, ahead=True)
    assert children == [1]
    assert len(here) == ROWS and ahead == here
    assert multiprocessing.active_children() == []


def _damaged(source: Path, target: Path, pattern: str, replacement: str) -> Path:
    """`source` with the first match of `pattern` in its sheet's XML replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(pattern.encode(), replacement.encode(), data, count=1)
            new.writestr(info.filename, data)
    return target


@pytest.mark.parametrize(("pattern", "replacement"), [
    (r'(<c r="F1002"[^>]*>)<v>1000</v>', r'\1<v>a thousand</v>'),  # a number cell that is none
    (r'<row r="1200"', r'<row r="1200"><broken'),  # XML that does not parse
], ids=["bad-number", "bad-xml"])
def test_a_sheet_damaged_late_is_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str,
                                               replacement: str) -> None:
    path = _damaged(_sheet(tmp_path / "large.xlsx"), tmp_path / "damaged.xlsx", pattern, replacement)
    said = []
    for ahead in (False, True):
        with pytest.raises(InvalidInput) as refused:
            _rows(path, monkeypatch, ahead)
        said.append(str(refused.value))
    assert said[0] == said[1]
    assert "cannot be read at row 1" in said[0]  # row 1002 or 1200, the same either way
    assert multiprocessing.active_children() == []


def test_reading_stopped_early_stops_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              children: list[int]) -> None:
    monkeypatch.setenv("REQTRACK_IMPORT_WORKER", "1")
    table = read_table(_sheet(tmp_path / "large.xlsx", rows=3000))
    for count, _ in enumerate(table.rows, 1):
        if count == 10:
            break
    table.rows.close()  # what ending the import does to the stream
    table.close()
    assert children == [1]
    assert multiprocessing.active_children() == []
