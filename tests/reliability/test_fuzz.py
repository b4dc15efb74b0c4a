"""A bounded fuzz run: hostile text through the commands, and generated or mutated sheets through
`import`. Whatever goes in, reqtrack answers with exit 0, 1 or 2 (never 4, never a traceback), prints
no raw terminal control character, and leaves a database that passes `reqtrack check`.

Each property draws a bounded number of examples (the project's Hypothesis profile decides the seed;
see tests/conftest.py), so the run stays within seconds to a minute."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from typer.testing import CliRunner

from helpers import NOW_TEXT
from reqtrack.cli import app
from reqtrack.excel.columns import header_labels

# Raw terminal controls people must never receive from user text: ESC (CSI/OSC), BEL, C1 controls.
RAW_CONTROL = re.compile(r"[\x1b\x07\x9b\x9d]")
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


class Cli:
    """reqtrack in-process on one database, with a pinned clock."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Any:
        return self.runner.invoke(app, list(args), input=input,
                                  env={"REQTRACK_DB": str(self.db_path), "REQTRACK_NOW": NOW_TEXT})


def assert_answered(result: Any, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    """An answer the contract allows: a listed exit code, one-sentence errors, no traceback."""
    output = result.stdout + (result.stderr or "")
    assert result.exit_code in allowed, (result.exit_code, output[-2000:])
    assert "Traceback" not in output, output[-2000:]
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)


def assert_no_raw_controls(result: Any) -> None:
    """Screens get user text escaped, never as terminal control."""
    for stream in (result.stdout, result.stderr or ""):
        assert not RAW_CONTROL.search(stream), repr(stream[:500])


def assert_database_whole(cli: Cli) -> None:
    if not cli.db_path.exists():
        return
    result = cli("check")
    assert result.exit_code == 0, result.stdout + (result.stderr or "")


HOSTILE_PIECES = st.sampled_from([
    "[/]", "[red]x[/red]", "[link=http://e.x]click[/link]", "[bold", "\x1b[2J", "\x1b]0;pwned\x07",
    "\x1b]52;c;cHduZWQ=\x07", "\x9b31m", "\u202egnp.exe", "=HYPERLINK(\"http://e.x\")", "+1+1", "@SUM(1)",
    "-2+3", "\x00", "\r\n", "\t", "_x0041_", "王经理", "王**", "0024-05-01 14:30", "'; DROP TABLE request; --",
    "%s {0}", "\\", "\"", "\ufeff", "🚀", "e\u0301",
])
HOSTILE = st.lists(st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=12), HOSTILE_PIECES),
                   min_size=1, max_size=5).map("".join)


@FUZZ
@given(description=HOSTILE, customer=HOSTILE, proposer=HOSTILE, owner=HOSTILE, dept=HOSTILE, note=HOSTILE)
@example(description="files in [/home/share]", customer="ACME [/]", proposer="\x1b]0;t\x07", owner="[/]",
         dept="R&D", note="\x1b[2J")
def test_hostile_text_through_every_command(description: str, customer: str, proposer: str, owner: str,
                                            dept: str, note: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        cli = Cli(Path(folder) / "fuzz.db")
        created = cli("new", "--customer", customer, "--proposer", proposer, "--notes", note, "--", description)
        assert_answered(created)
        assert_no_raw_controls(created)
        if created.exit_code != 0:  # e.g. a blank customer: refused in one sentence
            return
        request_id = created.stdout.strip()
        for args in (["assign", request_id, "--owner", owner, "--dept", dept, "--due", "+3wd"],
                     ["progress", request_id, "--", note],
                     ["show", request_id], ["show", request_id, "--json"], ["list"], ["list", "--format", "csv"],
                     ["list", "--format", "json"], ["list", "--search", note], ["overdue"], ["report"],
                     ["--lang", "zh-CN", "show", request_id], ["--lang", "zh-TW", "report"]):
            result = cli(*args)
            assert_answered(result)
            if not {"--json", "json", "csv"} & set(args):  # JSON and CSV are for programs: exact text
                assert_no_raw_controls(result)
        for suffix in ("xlsx", "csv", "json"):
            target = Path(folder) / f"out.{suffix}"
            assert_answered(cli("export", str(target)))
            again = Cli(Path(folder) / f"again-{suffix}.db")
            if suffix != "json":
                assert_answered(again("import", str(target)))
                assert_database_whole(again)
        shown = json.loads(cli("show", request_id, "--json").stdout)
        assert shown["description"] == description  # kept whole
        assert_database_whole(cli)


# -- generated sheets ---------------------------------------------------------------------------
CELL = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    HOSTILE, st.sampled_from(["202405-001", "202405-0x1", "2024-05-01", "0024-05-01 14:30", "高", "電話", "pass",
                              "通过", "满意", "in-progress", "已关闭", "9999-12-31 23:59", "1899-12-30", "-1"]),
)


def _sheet_rows(draw: Any) -> list[list[Any]]:
    lang = draw(st.sampled_from(["en", "zh-CN", "zh-TW"]))
    header = header_labels(lang)
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        row = [draw(CELL) for _ in header]
        if draw(st.booleans()):  # often keep the required cells plausible, so rows get past the first checks
            row[3] = draw(st.sampled_from(["ACME", "科技有限公司"]))
            row[5] = draw(HOSTILE)
        rows.append(row)
    return [header, *rows]


sheet_rows = st.composite(_sheet_rows)


def _xlsx(rows: list[list[Any]], path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", value)  # openpyxl refuses these itself
            if isinstance(value, float) and value != value:
                value = "nan"
            cells.append(value)
        try:
            sheet.append(cells)
        except (ValueError, TypeError):
            sheet.append([str(c) for c in cells])
    workbook.save(path)


@FUZZ
@given(rows=sheet_rows(), as_csv=st.booleans())
def test_generated_sheets_import_or_are_refused(rows: list[list[Any]], as_csv: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("sheet.csv" if as_csv else "sheet.xlsx")
        if as_csv:
            buffer = io.StringIO()
            csv.writer(buffer).writerows([["" if v is None else str(v) for v in row] for row in rows])
            path.write_text(buffer.getvalue(), encoding="utf-8-sig", errors="surrogatepass")
        else:
            try:
                _xlsx(rows, path)
            except (ValueError, TypeError, OverflowError):
                return  # openpyxl cannot write this cell at all; no user's file holds it
        cli = Cli(Path(folder) / "fuzz.db")
        assert_answered(cli("import", str(path), "--dry-run"))
        result = cli("import", str(path))
        assert_answered(result)
        assert_no_raw_controls(result)
        if result.exit_code == 0:
            for args in (["list"], ["list", "--format", "json"], ["overdue"], ["report"],
                         ["export", str(Path(folder) / "back.xlsx")]):
                assert_answered(cli(*args))
        assert_database_whole(cli)


# -- mutated files ------------------------------------------------------------------------------
def _valid_export(folder: Path, suffix: str) -> Path:
    cli = Cli(folder / "source.db")
    first = cli("new", "--customer", "ACME", "--proposer", "王经理", "--source", "phone", "--", "希望增加批量导出功能")
    assert first.exit_code == 0, first.stderr
    request_id = first.stdout.strip()
    cli("assign", request_id, "--owner", "Zhang", "--dept", "R&D", "--due", "+3wd")
    cli("progress", request_id, "查询已重写")
    cli("new", "--customer", "科技有限公司", "--", "Export to Excel times out")
    target = folder / f"export.{suffix}"
    assert cli("export", str(target)).exit_code == 0
    return target


def _mutate_bytes(data: bytes, rng: random.Random, edits: int) -> bytes:
    out = bytearray(data)
    for _ in range(edits):
        if not out:
            break
        where = rng.randrange(len(out))
        choice = rng.random()
        if choice < 0.4:
            out[where] = rng.randrange(256)
        elif choice < 0.7:
            del out[where:where + rng.randrange(1, 8)]
        else:
            out[where:where] = rng.choice([b"<", b">", b"\"", b"&#0;", b"\xff\xfe", b"\x00", b"\n", b"1E999",
                                           b"NaN", b"-INF", b"</c>", b"<v>99999999</v>", b"t=\"s\""])
    return bytes(out)


@FUZZ
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), edits=st.integers(min_value=1, max_value=12),
       suffix=st.sampled_from(["xlsx", "csv"]))
def test_mutated_exports_import_or_are_refused(seed: int, edits: int, suffix: str) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        original = _valid_export(folder, suffix)
        target = folder / f"mutated.{suffix}"
        if suffix == "csv":
            target.write_bytes(_mutate_bytes(original.read_bytes(), rng, edits))
        else:  # mutate the XML inside the package, so the damage gets past the zip layer
            with zipfile.ZipFile(original) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
                names = source.namelist()
                victim = rng.choice([n for n in names if n.endswith(".xml")])
                for name in names:
                    data = source.read(name)
                    out.writestr(name, _mutate_bytes(data, rng, edits) if name == victim else data)
        cli = Cli(folder / "fuzz.db")
        result = cli("import", str(target))
        assert_answered(result)
        assert_no_raw_controls(result)
        if result.exit_code == 0:
            assert_answered(cli("list"))
            assert_answered(cli("report"))
        assert_database_whole(cli)


def test_fuzz_covers_dates_at_the_edges_of_the_calendar() -> None:
    """The dates most likely to break a reader, imported one at a time: refused or readable."""
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for when in ("0024-05-01 14:30", "1899-12-31", "1900-01-01", "2999-12-31 23:59", "9999-12-31 23:59",
                     datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59), datetime(1900, 2, 28) + timedelta(days=1)):
            path = folder / "edge.xlsx"
            header = header_labels("en")
            row: list[Any] = [None] * len(header)
            row[3], row[5], row[7] = "ACME", "edge case", when
            _xlsx([header, row], path)
            cli = Cli(folder / f"edge-{abs(hash(str(when)))}.db")
            result = cli("import", str(path))
            assert_answered(result)
            for args in (["list"], ["overdue"], ["report"], ["export", str(folder / "x.csv")]):
                assert_answered(cli(*args), allowed=(0, 1, 2) if result.exit_code == 0 else (0, 1, 2, 3))
            assert_database_whole(cli)
