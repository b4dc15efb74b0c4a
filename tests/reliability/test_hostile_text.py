"""Text is kept exactly: whatever people paste — any Unicode (CJK, emoji, right-to-left), newlines,
tabs, quotes, control characters, SQL and HTML look-alikes, 20,000-character descriptions — goes
through `new`, comes back unchanged from `show --json` and `export` (JSON), and survives an xlsx
export and re-import (control characters Excel cannot store travel in its _xHHHH_ escape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from helpers import NOW_TEXT
from reqtrack.cli import app


class Cli:
    """reqtrack in-process against one database (like conftest's `cli`, for Hypothesis's own
    temporary folders: a function-scoped fixture would be shared by all examples)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Any:
        return self.runner.invoke(app, list(args), env={"REQTRACK_DB": str(self.db_path),
                                                        "REQTRACK_NOW": NOW_TEXT})

# Text people paste: everything but lone surrogates (not encodable; no keyboard or file yields them).
ANY_TEXT = st.characters(exclude_categories=("Cs",))
LOOK_ALIKES = st.sampled_from([
    "'; DROP TABLE request; --", "\" OR 1=1 --", "<script>alert('x')</script>", "<b>bold</b> &amp; &lt;",
    "=SUM(A1:A9)", "+1-2", "@cmd", "_x0041_", "_x005F_x0041_", "\\x00", "%s %d {0} {name}", "NULL", "null",
    "مرحبا بالعالم", "שלום \u202eabc\u202c", "需求描述：客户说“系统很慢”", "需求編號", "🚀👩‍👩‍👧‍👦🇨🇳", "e\u0301",
    "\r\n", "\t", "\x00", "\x07", "\x1b[31mred\x1b[0m", "\u2028\u2029", "\ufeff", "\ufffe", "  ", "\\", "\"\"",
])
HOSTILE = st.lists(st.one_of(st.text(ANY_TEXT, max_size=40), LOOK_ALIKES), min_size=1, max_size=6).map("".join)


def register(cli: Cli, description: str, customer: str = "ACME", notes: str | None = None) -> str:
    """`reqtrack new` with the text as typed (after `--`, so a leading dash is text, not an option)."""
    args = ["new", "--customer", customer]
    if notes is not None:
        args += ["--notes", notes]
    result = cli(*args, "--", description)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.strip()


def shown(cli: Cli, request_id: str) -> dict[str, Any]:
    result = cli("show", request_id, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def usable(text: str) -> bool:
    """Text the CLI accepts as a description: not blank, and not `-` (which means: read stdin)."""
    return bool(text.strip()) and text != "-"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=HOSTILE, notes=HOSTILE, customer=HOSTILE)
@example(description="-leading dash\n\ttab", notes="x\x01y", customer="  padded  ")
@example(description="第一行\n第二行\r\n第三行 😀 مرحبا", notes="<script>alert(1)</script>", customer="'; DROP TABLE request;--")
def test_any_text_round_trips_through_new_and_show_json(cli: Cli, description: str, notes: str, customer: str) -> None:
    assume(usable(description) and customer.strip())
    request_id = register(cli, description, customer, notes)
    data = shown(cli, request_id)
    assert data["description"] == description
    assert data["customer"] == customer.strip()  # the one field trimmed on purpose: it is matched and grouped
    assert data["notes"] == (notes if notes.strip() else None)  # blank notes mean "no notes"


def test_a_20000_character_description_round_trips(cli: Cli, tmp_path: Path) -> None:
    unit = "客户反馈：导出报表时系统卡顿 🐢; <td>'x'</td>\n\t\"quoted\" مرحبا\r\n"
    description = (unit * (20_000 // len(unit) + 1))[:20_000]
    assert len(description) == 20_000
    request_id = register(cli, description)
    assert shown(cli, request_id)["description"] == description
    exported = tmp_path / "out.json"
    assert cli("export", str(exported), "--format", "json").exit_code == 0
    assert json.loads(exported.read_text(encoding="utf-8"))[0]["description"] == description


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(HOSTILE.filter(usable), min_size=1, max_size=8))
def test_export_json_and_xlsx_round_trip(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    """Many requests at once: JSON export holds each text exactly; an xlsx export imported into a
    fresh database gives the same descriptions and notes back (control characters included)."""
    folder = tmp_path_factory.mktemp("round-trip")
    cli = Cli(folder / "reqtrack.db")
    ids = [register(cli, text, notes=text) for text in texts]
    as_json = folder / "out.json"
    result = cli("export", str(as_json), "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(as_json.read_text(encoding="utf-8"))}
    assert [rows[i]["description"] for i in ids] == texts
    assert [rows[i]["notes"] for i in ids] == texts

    as_xlsx = folder / "out.xlsx"
    result = cli("export", str(as_xlsx))
    assert result.exit_code == 0, result.stderr
    if any(0x00 <= ord(c) <= 0x1F and c not in "\t\n" for text in texts for c in text):
        assert "_xHHHH_ escape" in result.stdout + result.stderr  # said out loud, not silently changed
    fresh = Cli(folder / "fresh.db")
    result = fresh("import", str(as_xlsx))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    back = [shown(fresh, i) for i in ids]
    assert [b["description"] for b in back] == texts
    assert [b["notes"] for b in back] == texts


def test_control_characters_in_xlsx_use_excels_escape(cli: Cli, tmp_path: Path) -> None:
    """What Excel itself shows: the cell holds the escape, not a character XML cannot carry."""
    from openpyxl import load_workbook

    register(cli, "bell\x07 and escape\x1b and a literal _x0041_")
    target = tmp_path / "out.xlsx"
    result = cli("export", str(target))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target, read_only=True).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    described = [c for c in cells if c.startswith("bell")]
    assert described == ["bell_x0007_ and escape_x001B_ and a literal _x005F_x0041_"]
