"""User text is data: shown whole, never obeyed (issue 13, "Nothing lost, nothing obeyed").

- Rich markup in user text (`[/]`, `[red]…[/red]`, `[link=…]`, `:smile:`) is shown as typed, and
  never makes `show` or `report` fail.
- Terminal control sequences (ESC, OSC title and clipboard writes, C1 controls, bidi overrides)
  in anything users or their files supply are shown as visible marks on stdout and stderr, in
  error messages too; JSON and CSV keep the text exact.
- `list --format csv` guards cells a spreadsheet would take for formulas, as export does; the
  report workbook never turns a customer's or owner's name into a formula.
- Inputs that are not text (invalid UTF-8) and times outside 1900–2999 are refused with exit 2
  and one sentence, never exit 4.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import reqtrack_command
from reqtrack.views.text import visible

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MARKUP = ["[/]", "[red]x[/red]", "[link=http://e.x]click[/link]", "[bold]", ":smile:"]


def new(cli, description: str, customer: str = "ACME", *options: str) -> str:
    result = cli("new", "--customer", customer, *options, "--", description)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.strip()


def ok(result) -> str:
    assert result.exit_code in (0, 1), (result.exit_code, result.stdout, result.stderr)
    assert "internal error" not in result.stderr
    return result.stdout


def assigned(cli, description: str, customer: str, owner: str, dept: str | None = None, note: str | None = None) -> str:
    rid = new(cli, description, customer)
    assert cli("classify", rid, "--priority", "high").exit_code == 0
    args = ["assign", rid, "--owner", owner, "--due", "+1d"] + (["--dept", dept] if dept else [])
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    if note is not None:
        assert cli("progress", rid, note).exit_code == 0
    return rid


# -- 1. markup is text -------------------------------------------------------------------------
def test_visible_marks_every_control_and_keeps_plain_text() -> None:
    assert visible("客户 ACME [/] e\u0301 👩‍👩‍👧") == "客户 ACME [/] e\u0301 👩‍👩‍👧"
    assert visible("a\x1b[2Jb") == "a␛[2Jb"
    assert visible("\x1b]0;pwned\x07") == "␛]0;pwned␇"
    assert visible("x\r\ny\tz") == "x␍␊y␉z"
    assert visible("x\r\ny\tz", multiline=True) == "x␍\ny\tz"
    assert visible("\x7f\x9b31m") == "␡<U+009B>31m"
    assert visible("abc\u202edcba\u2066\u2069") == "abc<U+202E>dcba<U+2066><U+2069>"
    assert visible("\udcff") == "<0xFF>"


@pytest.mark.parametrize("text", MARKUP + ["files in [/home/share]", "ACME [/]"])
def test_markup_in_every_field_of_show_is_shown_as_typed(cli, text: str) -> None:
    rid = new(cli, f"files in {text} here", text, "--proposer", text, "--notes", text, "--liaison", text,
              "--contact", text)
    assert cli("classify", rid, "--priority", "high", "--reason", text).exit_code == 0
    assert cli("assign", rid, "--owner", text, "--dept", text, "--reason", text).exit_code == 0
    assert cli("progress", rid, text).exit_code == 0
    out = ok(cli("show", rid))
    assert f"files in {text} here" in out
    assert f"{text}/{text}" in out  # dept/owner
    lines = out.splitlines()
    for label in ("Customer", "Proposer", "Contact", "Liaison", "Notes", "Priority reason"):
        row = [line for line in lines if line.startswith(label)]
        assert row and row[0].rstrip().endswith(text), (label, row)
    assert sum(text in line for line in lines) >= 10  # the history's notes and changes too


def test_markup_in_report_customers_and_owners_is_shown_as_typed(cli) -> None:
    for index, text in enumerate(["ACME [/]", "[red]x[/red]", "[bold]", ":smile:", "[/home/s]"]):
        assigned(cli, f"desc {text}", text, f"o{index}{text}", note=text)
    out = ok(cli("report"))
    for text in ["ACME [/]", "[red]x[/red]", "[bold]", ":smile:", "[/home/s]"]:
        assert text in out
        assert f"o{['ACME [/]', '[red]x[/red]', '[bold]', ':smile:', '[/home/s]'].index(text)}{text}" in out
    assert "😄" not in out


def test_markup_in_the_report_overdue_list_and_with_a_workbook(cli, tmp_path: Path) -> None:
    rid = assigned(cli, "[link=http://e.x]click[/link]", "[/]", "[/]")
    cli.now = cli.now.replace(month=4)
    out = ok(cli("report", "--xlsx", str(tmp_path / "r.xlsx")))
    assert rid in out and "[link=http://e.x]click" in out


def test_settings_and_check_are_plain_text(cli) -> None:
    new(cli, "x")
    assert "calendar.timezone" in ok(cli("config", "show"))
    assert "all is well" in ok(cli("check"))


# -- 2. control sequences are shown, not obeyed ------------------------------------------------
HOSTILE = {
    "clear": "a\x1b[2Jb",
    "title": "\x1b]0;pwned\x07t",
    "clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07c",
    "c1": "\x9b31mred",
    "bidi": "invoice\u202egpj.exe",
    "cr": "good\rEVIL",
}


def shown_whole(out: str, texts) -> None:
    assert RAW_CONTROL.search(out) is None, repr(out)
    for text in texts:
        assert visible(text) in out, (visible(text), out)


def quoted_visibly(out: str, text: str) -> None:
    """In an error message: the text's visible form, or its Python repr (which escapes it too)."""
    assert RAW_CONTROL.search(out) is None, repr(out)
    assert visible(text) in out or repr(text)[1:-1] in out, (text, out)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_controls_in_show_list_overdue_and_report_are_visible(cli, name: str) -> None:
    text = HOSTILE[name]
    rid = new(cli, f"first {text}\nsecond line\twith tab", text, "--proposer", text, "--notes", text)
    assert cli("classify", rid, "--priority", "high").exit_code == 0
    assert cli("assign", rid, "--owner", text, "--due", "+1d").exit_code == 0
    assert cli("progress", rid, f"called {text}").exit_code == 0

    out = ok(cli("show", rid))
    shown_whole(out, [f"first {text}", text, f"called {text}"])
    assert "second line" in out  # the description keeps its lines

    listed = ok(cli("list"))
    shown_whole(listed, [text])
    cli.now = cli.now.replace(month=4)
    shown_whole(ok(cli("overdue")), [text])
    shown_whole(ok(cli("report")), [text])


def test_newlines_and_tabs_in_one_line_cells_are_marked(cli) -> None:
    new(cli, "desc", "two\nlines\tcustomer")
    out = ok(cli("list"))
    assert "two␊lines␉customer" in out


def test_lifecycle_messages_show_owner_and_file_names_visibly(cli, tmp_path: Path) -> None:
    rid = new(cli, "x")
    assert cli("classify", rid, "--priority", "low").exit_code == 0
    result = cli("assign", rid, "--owner", HOSTILE["title"])
    shown_whole(ok(result), [HOSTILE["title"]])
    attachment = tmp_path / "shot\x1b]0;x\x07.png"
    attachment.write_bytes(b"png")
    out = ok(cli("attach", rid, str(attachment)))
    stored = json.loads(cli("show", rid, "--json").stdout)["attachments"][0]["name"]  # as the service keeps it
    shown_whole(out, [stored])


@pytest.mark.parametrize("text", [HOSTILE["clear"], HOSTILE["title"], HOSTILE["clipboard"], HOSTILE["c1"]])
def test_error_messages_quote_user_input_visibly(cli, text: str) -> None:
    new(cli, "x")
    result = cli("show", text)
    assert result.exit_code == 2
    quoted_visibly(result.stderr, text)
    result = cli("list", "--status", text)
    assert result.exit_code == 2
    quoted_visibly(result.stderr, text)
    result = cli("edit", "202501-001", "--source", text)
    assert result.exit_code == 2
    quoted_visibly(result.stderr, text)
    result = cli("new", "x", "--customer", "C", "--at", text)
    assert result.exit_code == 2
    assert RAW_CONTROL.search(result.stderr) is None
    result = cli("attach", "202503-001", f"/nowhere/{text}.png")  # quoted as typed, not as a repr
    assert result.exit_code == 2
    shown_whole(result.stderr, [f"/nowhere/{text}.png"])


def test_usage_errors_quote_user_input_visibly(cli) -> None:
    for args in (["\x1b]0;pwned\x07"], ["\u202ecmd"], ["classify", "202501-001", "--value", "\x1b[2J"]):
        result = cli(*args)
        assert result.exit_code == 2
        quoted_visibly(result.stderr, args[-1])
    for args in (["list", "--\x1b]0;pwned\x07"], ["--\x1b]0;pwned\x07", "list"], ["config", "show", "--\x9bx"]):
        result = cli(*args)  # "No such option: …" quotes the option as typed
        assert result.exit_code == 2
        quoted_visibly(result.stderr, next(a for a in args if a.startswith("--")))
    for args in (["list", "--a\u202eb"], ["--x\u2066y", "list"]):
        result = cli(*args)  # Typer escapes C0/C1 controls itself, but not bidi overrides
        assert result.exit_code == 2
        shown_whole(result.stderr, [args[-1] if args[0] == "list" else args[0]])


def test_import_notes_show_sheet_headers_visibly(cli, tmp_path: Path) -> None:
    sheet = tmp_path / "in.csv"
    sheet.write_text("ID,Customer / project,Description,\x1b]0;pwned\x07Extra\n,ACME,hello,x\n", encoding="utf-8")
    result = cli("import", str(sheet))
    assert result.exit_code == 0, result.stderr
    shown_whole(result.stderr, ["\x1b]0;pwned\x07Extra"])


def test_database_paths_in_messages_are_visible(tmp_path: Path) -> None:
    from conftest import Cli

    cli = Cli(tmp_path / "odd\x1b[2J.db")
    new(cli, "x")
    shown_whole(ok(cli("check")), ["odd\x1b[2J.db"])
    result = cli("backup", str(tmp_path / "copy\x1b]0;t\x07.db"))
    shown_whole(ok(result), ["copy\x1b]0;t\x07.db"])


def test_json_and_csv_keep_control_characters_exact(cli, tmp_path: Path) -> None:
    text = HOSTILE["title"] + HOSTILE["c1"] + HOSTILE["bidi"]
    rid = new(cli, text, text)
    for args in (["show", rid, "--json"], ["list", "--format", "json"], ["new", "y", "--customer", text, "--json"]):
        out = cli(*args).stdout
        assert RAW_CONTROL.search(out) is None, out  # C1 and bidi as \u escapes too, which JSON decodes the same
        data = json.loads(out)
        assert (data[-1] if isinstance(data, list) else data)["customer"] == text
    assert json.loads(cli("show", rid, "--json").stdout)["description"] == text
    rows = list(csv.DictReader(io.StringIO(cli("list", "--format", "csv").stdout)))
    assert [row["description"] for row in rows if row["id"] == rid] == [text]


# -- 3. formula guard in list's CSV ------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://e.x","click")', "+1+1", "@SUM(1)", "-2+3"]


def test_list_csv_guards_formulas_as_export_does(cli, tmp_path: Path) -> None:
    rid = new(cli, FORMULAS[0], FORMULAS[1], "--proposer", FORMULAS[3], "--notes", FORMULAS[2])
    rows = list(csv.DictReader(io.StringIO(cli("list", "--format", "csv").stdout)))
    row = rows[0]
    assert row["id"] == rid
    assert (row["description"], row["customer"], row["notes"], row["proposer"]) == tuple("'" + f for f in
                                                                                        (FORMULAS[0], FORMULAS[1], FORMULAS[2], FORMULAS[3]))
    assert not any(value[:1] in "=+-@" for value in row.values() if value)
    # JSON (list's and export's) keeps the text exact
    assert json.loads(cli("list", "--format", "json").stdout)[0]["description"] == FORMULAS[0]
    target = tmp_path / "out.json"
    assert cli("export", str(target)).exit_code == 0
    exported = json.loads(target.read_text(encoding="utf-8"))[0]
    assert (exported["description"], exported["customer"], exported["notes"]) == (FORMULAS[0], FORMULAS[1], FORMULAS[2])


# -- 5. the report workbook never makes a formula ----------------------------------------------
def test_report_workbook_keeps_names_as_text(cli, tmp_path: Path) -> None:
    for index, text in enumerate(FORMULAS):
        assigned(cli, text, text, text, dept=FORMULAS[(index + 1) % 4])
    assigned(cli, "ctl", "C\x1b]0;t\x07", "O\x07")
    cli.now = cli.now.replace(month=4)
    target = tmp_path / "r.xlsx"
    result = cli("report", "--xlsx", str(target))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(target)
    cells = [c for sheet in book.worksheets[:7] for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for text in FORMULAS:
        assert text in texts  # the text itself, a string cell, not a formula nor "'=…"
    assert "C\x1b]0;t\x07" in texts or "C_x001B_]0;t_x0007_" in texts
    quoted = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert quoted and all(c.quotePrefix for c in quoted)


# -- 4. input that is not text, times out of range ----------------------------------------------
def test_invalid_utf8_arguments_are_refused(cli) -> None:
    for args in (["new", "\udcff\udcfe", "--customer", "X"], ["new", "x", "--customer", "\udcff"],
                 ["list", "--customer", "a\udcff"], ["show", "\udcff"], ["progress", "202501-001", "n\udce9"]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "UTF-8" in result.stderr and "internal error" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert cli("list").exit_code == 3  # nothing was created


def test_invalid_utf8_on_stdin_is_refused(cli) -> None:
    result = cli("new", "-", "--customer", "X", input=b"caf\xe9 \xff")
    assert result.exit_code == 2, result.stderr
    assert "UTF-8" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_invalid_utf8_in_a_real_argv_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "REQTRACK_DB": str(tmp_path / "r.db"), "LC_ALL": "C.UTF-8"}
    result = subprocess.run([*reqtrack_command(), "new", b"\xff\xfe", "--customer", "X"], env=env,
                            capture_output=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert b"UTF-8" in result.stderr and b"<0xFF><0xFE>" in result.stderr


OUT_OF_RANGE = ["+99999999d", "-99999999d", "+99999999wd", "+99999999999999999999h", "+1000000w", "9999-12-31",
                "0001-01-01", "1800-01-01", "3000-01-01", "2999-12-31T23:00-08:00", "1899-12-31 23:59",
                "9999-12-31T23:59:59", "0001-01-01T00:00+00:00"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_times_out_of_range_are_refused_with_the_range(cli, value: str) -> None:
    rid = new(cli, "x")
    assert cli("classify", rid, "--priority", "high").exit_code == 0
    for args in (["new", "x", "--customer", "C", "--at", value], ["assign", rid, "--owner", "o", "--due", value],
                 ["overdue", "--as-of", value], ["list", "--since", value], ["list", "--until", value],
                 ["report", "--as-of", value], ["report", "--from", value, "--to", "2025-01-01"],
                 ["report", "--from", "2025-01-01", "--to", value]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.exit_code, result.stderr)
        assert "1900" in result.stderr and "2999" in result.stderr, (args, result.stderr)


def test_times_at_the_ends_of_the_range_are_accepted(cli) -> None:
    assert cli("new", "x", "--customer", "C", "--at", "1900-01-01").stdout.strip() == "190001-001"
    assert "190001-001" in ok(cli("list", "--until", "2999-12-31"))
    assert cli("overdue", "--as-of", "2999-12-31").exit_code in (0, 1)
    assert ok(cli("report", "--as-of", "2999-12-31", "--period", "year"))
    assert ok(cli("report", "--from", "1900-01-01", "--to", "2999-12-31"))
    result = cli("new", "x", "--customer", "C", "--at", "10000-01-01T00:00")  # not a time at all
    assert result.exit_code == 2 and "cannot read" in result.stderr


@pytest.mark.parametrize("now", ["9999-12-31T00:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_a_pinned_clock_out_of_range_is_refused(cli, now: str) -> None:
    new(cli, "x")
    for args in (["report"], ["list"], ["new", "x", "--customer", "C"]):
        result = cli(*args, env={"REQTRACK_NOW": now})
        assert result.exit_code == 2, (args, result.stderr)
        assert "1900" in result.stderr and "2999" in result.stderr


@pytest.mark.parametrize("window", ["99999999d", "99999999wd", "999999999999h", "99999999999999999999m", "1000000w"])
def test_overdue_windows_out_of_range_are_refused(cli, window: str) -> None:
    new(cli, "x")
    result = cli("overdue", "--within", window)
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("limit", ["-1", "99999999999999999999"])
def test_list_limits_out_of_range_are_refused(cli, limit: str) -> None:
    new(cli, "x")
    result = cli("list", "--limit", limit)
    assert result.exit_code == 2, result.stderr


@pytest.mark.parametrize("number", ["0", "99999999999999999999"])
def test_attachment_numbers_out_of_range_are_refused(cli, number: str) -> None:
    rid = new(cli, "x")
    result = cli("attachment", rid, number)
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr
