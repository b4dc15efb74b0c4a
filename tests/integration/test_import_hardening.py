"""Import refuses what it must not take, and nothing stored can make a command fail (issue 13).

Masked files whatever route they took, dates and IDs no command could read back, zip bombs and
oversized sheets, malformed sheet XML, CSV quirks, attachment names with directories; and the
readers and `check` on values an older version (or a hand) left in the database.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import database_exists, export, raw_connect, write_xlsx
from reqtrack import services
from reqtrack.domain.vocab import COLUMNS
from reqtrack.excel.safety import guard_csv
from reqtrack.services import Context
from reqtrack.services.imports import import_file

HEADER = [c[1] for c in COLUMNS]  # the 18 English headers


def _names_db(ctx: Context) -> None:
    services.register(ctx, "王经理说导出太慢", "科技有限公司", proposer="王经理", liaison="李工", contact="13800000000",
                      notes="王经理明天回电", priority="medium", at="2025-03-01 09:00")
    services.assign(ctx, "202503-001", owner="张经理", department="产品部", at="2025-03-01 10:00")
    services.register(ctx, "Second one", "ACME", proposer="John", at="2025-03-02 09:00")


def _first_sheet_as_csv(xlsx: Path, target: Path) -> Path:
    """What Excel's "Save as CSV" keeps of a workbook: the first sheet's cells, nothing else."""
    rows = list(load_workbook(xlsx).worksheets[0].iter_rows(values_only=True))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([guard_csv(v.strftime("%Y-%m-%d %H:%M")) if hasattr(v, "strftime") else
                         guard_csv(str(v)) if v is not None else "" for v in row])
    target.write_text(out.getvalue(), encoding="utf-8-sig")
    return target


def _without_info(xlsx: Path, target: Path) -> Path:
    """The masked workbook with its info sheet and document keywords removed."""
    workbook = load_workbook(xlsx)
    del workbook[workbook.sheetnames[1]]
    workbook.properties.keywords = None
    workbook.save(target)
    return target


def _stored(db: Path, sql: str) -> list[tuple]:
    conn = raw_connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- 1. masked names never come back -----------------------------------------------------------------
@pytest.mark.parametrize("route", ["csv-from-excel", "xlsx-without-info"])
def test_a_masked_sheet_that_lost_its_marker_is_refused(ctx: Context, tmp_path: Path, cli, db_path: Path,
                                                        route: str) -> None:
    _names_db(ctx)
    export(ctx, tmp_path / "masked.xlsx", mask=True)
    sheet = (_first_sheet_as_csv(tmp_path / "masked.xlsx", tmp_path / "masked.csv") if route == "csv-from-excel"
             else _without_info(tmp_path / "masked.xlsx", tmp_path / "plain.xlsx"))
    before = _stored(db_path, "SELECT * FROM request ORDER BY id")
    result = cli("import", str(sheet))
    assert result.exit_code == 2, result.output
    assert "masked" in result.stderr and "Traceback" not in result.stderr
    assert "column C (Proposer)" in result.stderr and '"王**"' in result.stderr
    assert _stored(db_path, "SELECT * FROM request ORDER BY id") == before
    assert services.get(ctx, "202503-001").proposer == "王经理"


def test_masked_names_inside_a_description_alone_are_refused(ctx: Context, tmp_path: Path, cli) -> None:
    _names_db(ctx)
    sheet = write_xlsx(tmp_path / "desc.xlsx", [["ID", "Customer / project", "Description", "Notes"],
                                                ["202503-001", "科技有限公司", "王**说导出太慢", "王**明天回电"]])
    result = cli("import", str(sheet))
    assert result.exit_code == 2 and "masked" in result.stderr
    assert "column C (Description)" in result.stderr and "column D (Notes)" in result.stderr
    assert services.get(ctx, "202503-001").description == "王经理说导出太慢"


def test_a_new_request_with_mask_like_names_is_refused(cli, tmp_path: Path, db_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "new.xlsx", [["Customer", "Description", "Proposer", "Liaison", "Owner"],
                                               ["ACME", "one", "王**", None, None],
                                               ["ACME", "two", None, "J***", "R&D/Z****"]])
    result = cli("import", str(sheet))
    assert result.exit_code == 2 and "masked" in result.stderr
    assert "row 2, column C (Proposer)" in result.stderr and "row 3, column D (Liaison)" in result.stderr
    assert "row 3, column E (Owner)" in result.stderr
    assert not database_exists(db_path)


def test_genuine_asterisks_still_import(cli, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "stars.xlsx", [["Customer", "Description", "Proposer", "Owner", "Notes"],
                                                 ["ACME", "rate 5 * 3 stars ***", "*經理", "產品部*經理", "A*B"],
                                                 ["ACME", "two", "Li*Wei", "**", "***"]])
    result = cli("import", str(sheet))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(cli("list", "--format", "json").stdout)
    assert sorted(r["proposer"] for r in shown) == ["*經理", "Li*Wei"]


# -- 2. dates and IDs every command can read -----------------------------------------------------------
@pytest.mark.parametrize("column,value", [("Submitted at", "0024-05-01 14:30"), ("Submitted at", "1899-12-31 23:00"),
                                          ("Planned completion", "3024-05-01"), ("Actual completion", "0001-01-01 00:00"),
                                          ("Process log", "0024-05-01 10:00 Progress: typo")])
def test_out_of_range_dates_are_refused_with_row_and_column(cli, tmp_path: Path, db_path: Path, column: str,
                                                             value: str) -> None:
    row = {"Customer / project": "ACME", "Description": "x", "Submitted at": "2024-05-01 09:00", column: value}
    sheet = write_xlsx(tmp_path / "d.xlsx", [list(row), list(row.values())])
    result = cli("import", str(sheet))
    assert result.exit_code == 2, result.output
    letter = "ABCD"[list(row).index(column)]
    assert f"row 2, column {letter} ({column})" in result.stderr and "1900" in result.stderr
    assert not database_exists(db_path)


def test_a_date_cell_beyond_the_dates_is_one_problem_and_no_python_warning(tmp_path: Path) -> None:
    """A number in a date-formatted cell too large for a date: the import's own sentence (row,
    column, value), and no Python warning naming a source file before it (the installed command)."""
    import subprocess
    import sys

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Customer / project", "Description", "Submitted at"])
    workbook.active.append(["ACME", "x", 9e99])
    workbook.active["C2"].number_format = "yyyy-mm-dd hh:mm"
    workbook.save(tmp_path / "big.xlsx")
    result = subprocess.run([sys.executable, "-m", "reqtrack", "--db", str(tmp_path / "r.db"), "import",
                             str(tmp_path / "big.xlsx")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert 'row 2, column C (Submitted at): "#VALUE!"' in result.stderr
    assert "Warning" not in result.stderr and ".py:" not in result.stderr, result.stderr
    assert not (tmp_path / "r.db").exists()


def _one_request(cli) -> None:
    assert cli("new", "x", "--customer", "ACME", "--at", "2025-03-01 09:00").exit_code == 0


@pytest.mark.parametrize("stored", ["24-05-01T14:30:00Z", "garbage", "0024-05-01T14:30:00Z"])
def test_an_unreadable_stored_time_breaks_no_command_and_check_names_it(cli, db_path: Path, tmp_path: Path,
                                                                         stored: str) -> None:
    _one_request(cli)
    conn = raw_connect(db_path)
    conn.execute("UPDATE request SET submitted_at = ?", (stored,))  # as an older version (or a hand) left it
    conn.commit()
    conn.close()
    for args in (["list"], ["list", "--format", "json"], ["show", "202503-001"], ["show", "202503-001", "--json"],
                 ["export", str(tmp_path / "o.xlsx")], ["export", str(tmp_path / "o.csv")], ["overdue"], ["report"]):
        result = cli(*args)
        assert result.exit_code in (0, 1), (args, result.output)
    checked = cli("check")
    assert checked.exit_code == 1 and "202503-001" in checked.stdout + checked.stderr
    assert "submitted_at" in checked.stdout + checked.stderr
    assert "reqtrack edit 202503-001 --submitted-at" in checked.stdout + checked.stderr
    repaired = cli("edit", "202503-001", "--submitted-at", "2025-03-01 09:00")
    assert repaired.exit_code == 0, repaired.output
    assert cli("check").exit_code == 0
    entry = json.loads(cli("show", "202503-001", "--json").stdout)["history"][-1]
    assert entry["action"] == "edit" and entry["changes"]["submitted_at"][0] == stored
    assert entry["changes"]["submitted_at"][1].startswith("2025-03-01T01:00")


def test_an_unreadable_history_time_is_found_by_check(cli, db_path: Path) -> None:
    _one_request(cli)
    conn = raw_connect(db_path)
    conn.execute("UPDATE event SET at = '2025-13-01T00:00:00Z'")
    conn.commit()
    conn.close()
    assert cli("list").exit_code == 0 and cli("show", "202503-001").exit_code == 0
    checked = cli("check")
    assert checked.exit_code == 1 and "history entry 1" in checked.stdout


def test_edit_submitted_at_keeps_the_history_rule(cli) -> None:
    _one_request(cli)
    result = cli("edit", "202503-001", "--submitted-at", "2025-03-01 08:00")
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("show", "202503-001", "--json").stdout)
    assert shown["submitted_at"].startswith("2025-03-01T08:00")
    assert shown["history"][-1]["changes"]["submitted_at"] == ["2025-03-01T01:00:00+00:00", "2025-03-01T00:00:00+00:00"]
    assert cli("edit", "202503-001", "--submitted-at", "0024-05-01").exit_code == 2
    assert cli("edit", "202503-001", "--submitted-at", "2099-01-01").exit_code == 2  # in the future


@pytest.mark.parametrize("bad", ["202405_x0000_-001", "2024-05_x0007_", "202413-001", "202405-000", " ", "A\u200bB", "\ufeffX-1"])
def test_malformed_imported_ids_are_refused(cli, tmp_path: Path, db_path: Path, bad: str) -> None:
    sheet = write_xlsx(tmp_path / "ids.xlsx", [["ID", "Customer", "Description"], [bad, "ACME", "x"],
                                               ["TEL-002", "ACME", "foreign IDs stay welcome"]])
    result = cli("import", str(sheet))
    if bad == " ":  # blank: a row without ID
        assert result.exit_code == 0
        return
    assert result.exit_code == 2, result.output
    assert "row 2, column A (ID)" in result.stderr
    assert not database_exists(db_path)


@pytest.mark.sqlite_only  # PostgreSQL's text cannot hold a NUL at all
def test_a_stored_id_with_a_control_character_is_reported_not_fatal(cli, db_path: Path) -> None:
    _one_request(cli)
    conn = raw_connect(db_path)
    for table, column in (("request", "id"), ("event", "request_id")):
        conn.execute(f"UPDATE {table} SET {column} = ?", ("202503-001\x00",))
    conn.commit()
    conn.close()
    checked = cli("check")
    assert checked.exit_code == 1 and "control character" in checked.stdout
    assert cli("list").exit_code == 0


# -- 3. resources: bombs, oversized parts, too many rows ------------------------------------------------
def _tiny_sheet(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "tiny.xlsx", [["Customer", "Description"], ["ACME", "x"]])


def _rewrite(source: Path, target: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, data if info.filename == member else old.read(info.filename))
        if member not in old.namelist():
            new.writestr(member, data)
    return target


def _lie_about_size(path: Path, member: str, size: int) -> None:
    """Patch the uncompressed size the zip's headers declare for `member` (the data stay)."""
    raw = bytearray(path.read_bytes())
    name = member.encode()
    start = 0
    while (found := raw.find(b"PK\x01\x02", start)) != -1:  # central directory entries
        name_length = struct.unpack_from("<H", raw, found + 28)[0]
        if raw[found + 46:found + 46 + name_length] == name:
            struct.pack_into("<I", raw, found + 24, size)
            offset = struct.unpack_from("<I", raw, found + 42)[0]
            struct.pack_into("<I", raw, offset + 22, size)  # and the local header
        start = found + 4
    path.write_bytes(bytes(raw))


def test_a_zip_declaring_a_huge_sheet_is_refused_before_reading(cli, tmp_path: Path, db_path: Path) -> None:
    sheet = _tiny_sheet(tmp_path)
    _lie_about_size(sheet, "xl/worksheets/sheet1.xml", 4_000_000_000)
    result = cli("import", str(sheet))
    assert result.exit_code == 2 and "tiny.xlsx" in result.stderr and "MB" in result.stderr, result.output
    assert not database_exists(db_path)


def test_a_member_inflating_past_its_declared_size_is_refused(cli, tmp_path: Path, db_path: Path) -> None:
    source = _tiny_sheet(tmp_path)
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    padded = xml.replace(b"</sheetData>", b"</sheetData>" + b" " * 5_000_000)  # 5 MB of blanks: highly compressible
    bomb = _rewrite(source, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", padded)
    _lie_about_size(bomb, "xl/worksheets/sheet1.xml", len(xml))
    result = cli("import", str(bomb))
    assert result.exit_code == 2 and "bomb.xlsx" in result.stderr, result.output
    assert not database_exists(db_path)


def test_limits_on_shared_strings_inflation_and_rows(cli, tmp_path: Path, db_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqtrack.excel.reader.MAX_SHARED_STRINGS_BYTES", 1_000_000)
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b"<si><t>" + b"a" * 2_000_000 + b"</t></si></sst>")
    big = _rewrite(_tiny_sheet(tmp_path), tmp_path / "strings.xlsx", "xl/sharedStrings.xml", strings)
    result = cli("import", str(big))
    assert result.exit_code == 2 and "shared strings" in result.stderr, result.output
    monkeypatch.setattr("reqtrack.excel.reader.MAX_INFLATED_BYTES", 50_000)
    result = cli("import", str(big))
    assert result.exit_code == 2 and "strings.xlsx" in result.stderr
    monkeypatch.undo()
    monkeypatch.setattr("reqtrack.excel.reader.MAX_ROWS", 5)
    many = write_xlsx(tmp_path / "rows.xlsx", [["Customer", "Description"]] + [["ACME", f"r{i}"] for i in range(10)])
    result = cli("import", str(many))
    assert result.exit_code == 2 and "rows" in result.stderr and "5" in result.stderr, result.output
    (tmp_path / "rows.csv").write_text("Customer,Description\n" + "".join(f"ACME,r{i}\n" for i in range(10)))
    result = cli("import", str(tmp_path / "rows.csv"))
    assert result.exit_code == 2 and "rows" in result.stderr, result.output
    assert not database_exists(db_path)


def test_a_huge_csv_is_refused_before_reading(cli, tmp_path: Path, db_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqtrack.excel.reader.MAX_INFLATED_BYTES", 1000)
    (tmp_path / "big.csv").write_text("Customer,Description\n" + "ACME,x\n" * 500)
    result = cli("import", str(tmp_path / "big.csv"))
    assert result.exit_code == 2 and "big.csv" in result.stderr and "MB" in result.stderr, result.output
    assert not database_exists(db_path)


# -- 4. malformed sheet XML and odd numbers: exit 2, never 4 ----------------------------------------------
_SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
          '2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c><c r="B1" '
          't="inlineStr"><is><t>Description</t></is></c><c r="C1" t="inlineStr"><is><t>Submitted at</t></is></c>'
          '</row><row r="2"><c r="A2" t="inlineStr"><is><t>ACME</t></is></c>{cells}</row></sheetData></worksheet>')


@pytest.mark.parametrize("cells", [
    '<c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="C2"><v>abc</v></c>',  # bad number
    '<c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="C2" t="d"><v>not-a-date</v></c>',  # bad date
    '<c r="B2" t="b"><v>maybe</v></c>',  # bad boolean
    '<c r="B2" t="s"><v>999</v></c>',  # no such shared string
    '<c r="B2" t="s"><v>x</v></c>',  # not even an index
    '<c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="C2"><v>INF</v></c>',  # infinity
    '<c r="B2"><v>NaN</v></c>',  # not a number, as the description
    '<c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="C2"><v>1e308</v></c>',
    '<c r="B2" t="inlineStr"><is><t>x</t></is></c></row><row r="3"><c r="A3"><v>1</v>',  # broken XML
])
def test_malformed_sheet_content_is_bad_input(cli, tmp_path: Path, db_path: Path, cells: str) -> None:
    sheet = _rewrite(_tiny_sheet(tmp_path), tmp_path / "odd.xlsx", "xl/worksheets/sheet1.xml",
                     _SHEET.format(cells=cells).encode())
    result = cli("import", str(sheet))
    assert result.exit_code == 2, result.output
    assert "odd.xlsx" in result.stderr and "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not database_exists(db_path)


@pytest.mark.parametrize("scores", ['{"value": 1e999, "urgency": 1, "cost": 1, "impact": 1}',
                                    '{"value": ' + "[" * 30000 + "]" * 30000 + "}", '{"value": NaN}'])
def test_odd_scores_are_bad_input(cli, tmp_path: Path, scores: str) -> None:
    sheet = write_xlsx(tmp_path / "s.xlsx", [["Customer", "Description", "Scores"], ["ACME", "x", scores]])
    result = cli("import", str(sheet))
    assert result.exit_code == 2 and "row 2, column C (Scores)" in result.stderr, result.output


# -- 5. CSV: long fields, unterminated quotes --------------------------------------------------------
def test_a_long_description_exported_to_csv_imports_back(ctx: Context, tmp_path: Path) -> None:
    long_text = "很长的描述。" * 40_000  # 240,000 characters: past Python's default 128 KB field limit
    services.register(ctx, long_text, "ACME", at="2025-03-01 09:00")
    export(ctx, tmp_path / "long.csv")
    empty = Context(db_path=tmp_path / "empty.db", actor="t", clock=ctx.clock)
    assert import_file(empty, tmp_path / "long.csv").created == 1
    assert services.get(empty, "202503-001").description == long_text


def test_a_field_past_the_csv_limit_is_refused(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqtrack.excel.reader.MAX_CSV_FIELD", 1000)
    (tmp_path / "f.csv").write_text("Customer,Description\nACME," + "x" * 2000 + "\n")
    result = cli("import", str(tmp_path / "f.csv"))
    assert result.exit_code == 2 and "line 2" in result.stderr, result.output


@pytest.mark.parametrize("text", [
    'Customer,Description\nACME,"unterminated\nACME,two\nACME,three\n',  # runs to the end of the file
    'Customer,Description\nACME,"opened here\nACME,two\nACME,"three"\nACME,four\n',  # closed by a later row's quote
])
def test_an_unterminated_quote_is_refused_naming_its_line(cli, tmp_path: Path, db_path: Path, text: str) -> None:
    (tmp_path / "q.csv").write_text(text)
    result = cli("import", str(tmp_path / "q.csv"))
    assert result.exit_code == 2 and "line 2" in result.stderr and "quote" in result.stderr, result.output
    assert not database_exists(db_path)


def test_multi_line_quoted_cells_still_import(cli, tmp_path: Path) -> None:
    (tmp_path / "ok.csv").write_text('Customer,Description\nACME,"line one\nline two"\nACME,"say ""hi"""\n')
    result = cli("import", str(tmp_path / "ok.csv"))
    assert result.exit_code == 0, result.output
    assert sorted(r["description"] for r in json.loads(cli("list", "--format", "json").stdout)) == \
        ["line one\nline two", 'say "hi"']


# -- 6. attachment names are plain file names ---------------------------------------------------------
def test_attachment_names_lose_their_directories(cli, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "a.xlsx", [["Customer", "Description", "Attachments"],
                                             ["ACME", "x", "../../etc/passwd\n/tmp/x.png\nC:\\Users\\a\\b.doc\nok.txt"]])
    assert cli("import", str(sheet)).exit_code == 0
    shown = json.loads(cli("list", "--format", "json").stdout)[0]
    names = [a["name"] if isinstance(a, dict) else a for a in
             json.loads(cli("show", shown["id"], "--json").stdout)["attachments"]]
    assert names == ["passwd", "x.png", "b.doc", "ok.txt"]


# -- siblings -------------------------------------------------------------------------------------
def test_an_xlsx_cell_past_the_field_limit_is_refused(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqtrack.excel.reader.MAX_CSV_FIELD", 1000)
    sheet = write_xlsx(tmp_path / "c.xlsx", [["Customer", "Description"], ["ACME", "x" * 2000]])
    result = cli("import", str(sheet))
    assert result.exit_code == 2 and "row 2" in result.stderr and "2,000 characters" in result.stderr, result.output


@pytest.mark.parametrize("args", [["new", "x", "--customer", "A", "--at", "0024-05-01 10:00"],
                                  ["assign", "202503-001", "--owner", "Li", "--due", "3024-05-01"]])
def test_no_command_stores_a_time_outside_the_range(cli, args: list[str]) -> None:
    _one_request(cli)
    assert cli("classify", "202503-001", "--priority", "high").exit_code == 0
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert cli("check").exit_code == 0 and cli("list").exit_code == 0


def test_a_process_log_without_its_registration_line_imports_whole(cli, tmp_path: Path) -> None:
    """Found by tests/reliability/test_fuzz.py: a sheet whose process log lost its first (registration) line
    imported a history starting with `progress`, and `check` then failed forever. The import now
    starts such a history with an `import` entry saying so."""
    header = [c[1] for c in COLUMNS]  # English headers
    row = [""] * len(header)
    row[header.index("Customer / project")] = "ACME"
    row[header.index("Description")] = "export fails"
    row[header.index("Submitted at")] = "2025-03-10 09:00"
    row[header.index("Process log")] = "2025-03-11 10:00 Progress: called back\n2025-03-10 09:30 Assessed: priority high"
    sheet = tmp_path / "no-registration.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    sheet.write_text(buffer.getvalue(), encoding="utf-8-sig")
    assert cli("import", str(sheet)).exit_code == 0
    checked = cli("check")
    assert checked.exit_code == 0, checked.stdout
    history = json.loads(cli("list", "--format", "json").stdout)[0]["history"]
    assert history[0]["action"] == "import" and "no registration line" in history[0]["note"]
    assert [entry["action"] for entry in history[1:]] == ["classify", "progress"]
