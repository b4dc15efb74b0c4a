"""The command line in-process: output, exit codes, JSON keys, help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from helpers import database_exists
from reqtrack.cli import app
from reqtrack.views.requests import JSON_KEYS


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("reqtrack ")


def test_new_prints_the_id_and_show_json_has_every_key(cli) -> None:
    result = cli("new", "-", "--customer", "ACME", "--priority", "高", "--at", "2025-03-10 09:00",
                 input="第一行\n第二行\n")
    assert result.exit_code == 0, result.stderr
    rid = result.stdout.strip()
    assert rid == "202503-001"
    data = json.loads(cli("show", rid, "--json").stdout)
    assert set(JSON_KEYS) <= set(data)
    assert data["description"] == "第一行\n第二行"
    assert data["priority"] == "high"
    assert data["submitted_at"] == "2025-03-10T09:00:00+08:00"
    assert data["history"][0]["action"] == "new"


def test_the_loop_on_the_command_line(cli) -> None:
    steps = [
        ("new", "Export is slow", "--customer", "ACME", "--at", "2025-03-10 09:00", "--json"),
        ("classify", "202503-001", "--type", "bug", "--priority", "high", "--at", "2025-03-10 09:10"),
        ("assign", "202503-001", "--owner", "Zhang", "--dept", "R&D", "--due", "2025-03-12", "--at", "2025-03-10 09:20"),
        ("progress", "202503-001", "Reproduced", "--at", "2025-03-10 11:00"),
        ("progress", "202503-001", "Fixed", "--done", "--at", "2025-03-11 11:00"),
        ("verify", "202503-001", "--fail", "--note", "still slow", "--at", "2025-03-11 12:00"),
        ("progress", "202503-001", "Fixed again", "--done", "--at", "2025-03-11 16:00"),
        ("verify", "202503-001", "--pass", "--satisfaction", "satisfied", "--at", "2025-03-12 09:00"),
        ("close", "202503-001", "--at", "2025-03-12 10:00"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    data = json.loads(cli("show", "202503-001", "--json").stdout)
    assert data["status"] == "closed"
    assert [h["action"] for h in data["history"]] == [
        "new", "classify", "assign", "progress", "complete", "verify", "complete", "verify", "close"]
    assert data["owner"] == "Zhang" and data["department"] == "R&D"
    table = cli("--lang", "zh-TW", "show", "202503-001")
    assert "已關閉" in table.stdout and "處理過程" in table.stdout
    # newest first on screen
    assert table.stdout.index("歸檔關閉") < table.stdout.index("登記")


@pytest.mark.parametrize(
    "args,needle",
    [
        (("classify", "202503-001", "--priority", "urgent"), "invalid priority"),
        (("classify", "999999-001", "--priority", "high"), "no request"),
        (("progress", "202503-001", "x", "--done"), "assign it first"),
        (("progress", "202503-001", "x", "--at", "2030-01-01"), "future"),
        (("progress", "202503-001", "x", "--at", "someday"), "cannot read"),
        (("close", "202503-001"), "cannot run"),
        (("list", "--status", "nope"), "invalid status"),
        (("--lang", "fr", "show", "202503-001"), "unknown language"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(cli, args, needle) -> None:
    assert cli("new", "x", "--customer", "ACME", "--at", "2025-03-10 09:00").exit_code == 0
    result = cli(*args)
    assert result.exit_code == 2, result.stdout
    assert needle in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_read_command_on_missing_database_exits_3_and_creates_nothing(cli, db_path) -> None:
    result = cli("list")
    assert result.exit_code == 3 and "reqtrack new" in result.stderr
    assert not database_exists(db_path)


@pytest.mark.sqlite_only  # a foreign schema on the server: tests/integration/test_server.py
def test_foreign_file_exits_3(cli, db_path) -> None:
    db_path.write_text("not a database")
    result = cli("new", "x", "--customer", "A")
    assert result.exit_code == 3 and "not a reqtrack database" in result.stderr
    assert db_path.read_text() == "not a database"


def test_internal_error_is_one_sentence_exit_4(cli, monkeypatch) -> None:
    from reqtrack import services

    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(services, "show", broken)
    result = cli("show", "x")
    assert result.exit_code == 4 and "internal error" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(ZeroDivisionError):
        cli.runner.invoke(app, ["show", "x"], env={"REQTRACK_DB": str(cli.db_path), "REQTRACK_DEBUG": "1"},
                          catch_exceptions=False)


def test_list_formats(cli) -> None:
    for i in range(3):
        cli("new", f"req {i}", "--customer", f"C{i}", "--at", f"2025-03-1{i} 09:00")
    rows = json.loads(cli("list", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["202503-003", "202503-002", "202503-001"]
    csv_out = cli("list", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,source,proposer,customer") and len(csv_out) == 4
    table = cli("list", "--limit", "2").stdout
    assert "2 of 3 shown" in table and "--all" in table
    assert "3 requests" in cli("list", "--all").stdout


def test_every_command_has_help() -> None:
    from typer.main import get_command

    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"{name} has no help"
        assert command.get_short_help_str(), name


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from reqtrack.cli import app\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'openpyxl', 'holidays', 'reqtrack.services') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("url", ["sqlite:///tmp/x.db", "mysql://root:secret@127.0.0.1/test"])
def test_a_url_of_another_engine_in_db_is_refused_not_taken_as_a_file_name(tmp_path, monkeypatch, url) -> None:
    """Before: `--db postgresql://…` silently created a SQLite file named `postgresql:/…`; a URL
    that names neither a file nor a PostgreSQL server is still refused, never a file name."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in (["new", "x", "--customer", "A"], ["list"]):
        result = runner.invoke(app, ["--db", url, *args])
        assert result.exit_code == 3, result.output
        assert "URL" in result.stderr and "give a file path or a postgresql:// URL with --db" in result.stderr
        assert "secret" not in result.stderr  # a password is never printed
    assert list(tmp_path.iterdir()) == []  # nothing created
