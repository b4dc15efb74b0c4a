"""`reqtrack overdue` answered without Typer (cli/direct.py) prints what the Typer app prints, with
its exit status, for every command line it takes; any other goes to Typer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reqtrack.cli import direct

NOW_TEXT = "2025-01-20T10:00:00+08:00"  # a Monday; the requests below are from the week before


@pytest.fixture
def worked(cli: Any) -> Any:
    """Requests overdue in several ways, with Chinese text, a description of two lines and one
    with terminal control characters (shown visibly by both ways)."""
    steps = [
        ["new", "导出很慢\n第二行", "--customer", "华为技术有限公司", "--priority", "high", "--at", "2025-01-10 10:00"],
        ["new", "Login fails \x1b[31mred\x1b[0m", "--customer", "ACME", "--priority", "medium", "--at", "2025-01-13 09:00"],
        ["new", "Invoice wrong", "--customer", "Globex", "--priority", "low", "--at", "2025-01-17 16:00"],
        ["new", "fresh today", "--customer", "ACME", "--at", "2025-01-20 09:30"],
    ]
    ids = []
    for step in steps:
        result = cli(*step, env={"REQTRACK_NOW": NOW_TEXT})
        assert result.exit_code == 0, result.stderr
        ids.append(result.stdout.strip())
    for rid, owner in zip(ids[:3], ["Li", "张伟", "Li"]):
        assert cli("assign", rid, "--owner", owner, "--at", "2025-01-17 17:00", env={"REQTRACK_NOW": NOW_TEXT}).exit_code == 0
    assert cli("progress", ids[0], "working on it", "--at", "2025-01-17 18:00", env={"REQTRACK_NOW": NOW_TEXT}).exit_code == 0
    return cli


COMMAND_LINES = [
    ["overdue"],
    ["overdue", "--json"],
    ["--lang", "zh-CN", "overdue"],
    ["--lang=zh-TW", "overdue", "--json"],
    ["overdue", "--owner", "Li", "--json"],
    ["overdue", "--owner=张伟"],
    ["overdue", "--owner", "nobody", "--json"],
    ["overdue", "--within", "2d", "--json"],
    ["overdue", "--stale", "--json", "--within=1wd"],
    ["overdue", "--as-of", "2025-01-14 10:00", "--json"],
    ["overdue", "--as-of=2025-01-01"],
    ["overdue", "--as-of", "-2d", "--json"],
    ["overdue", "--as-of", "garbage"],
    ["--lang", "zh-CN", "overdue", "--within", "soon"],
    ["--lang", "xx", "overdue", "--json"],
    ["overdue", "--owner", ""],
]


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda argv: " ".join(argv))
def test_overdue_without_typer_prints_what_typer_prints(worked: Any, argv: list[str], capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"REQTRACK_DB": str(worked.db_path), "REQTRACK_NOW": NOW_TEXT}
    typer_way = worked(*argv, env=env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REQTRACK_LANG", raising=False)
    capsys.readouterr()
    status = direct.answer(argv, env)
    out, err = capsys.readouterr()
    assert status is not None
    assert (status, out, err) == (typer_way.exit_code, typer_way.stdout, typer_way.stderr)
    assert out or err
    if argv == ["overdue", "--json"]:
        assert status == 1 and out.count('"id"') == 2 and "\\u001b[31m" in out  # the escape as JSON writes it


def test_the_database_and_the_language_from_the_environment_or_the_options(tmp_path: Path, worked: Any) -> None:
    elsewhere = str(tmp_path / "other.db")
    env = {"REQTRACK_DB": elsewhere, "REQTRACK_LANG": "zh-CN"}
    assert direct.parse(["overdue"], env) == direct.OverdueLine({"db": elsewhere, "lang": "zh-CN"})
    given = direct.parse(["--db", "x.db", "--lang=en", "overdue", "--json", "--as-of", "-2h"], env)
    assert given is not None and (given.db, given.lang, given.json, given.as_of) == ("x.db", "en", True, "-2h")
    assert (given.within, given.owner, given.stale) == (None, None, False)
    assert direct.parse(["overdue", "--stale", "--owner=高峰", "--within", "2wd"], {}) == direct.OverdueLine(
        {"stale": True, "owner": "高峰", "within": "2wd"})
    empty = direct.parse(["overdue"], {})
    assert empty is not None and (empty.db, empty.lang, empty.json, empty.stale) == (None, "en", False, False)


@pytest.mark.parametrize("argv, env", [
    (["overdue", "--help"], {}),
    (["overdue", "-h"], {}),
    (["overdue", "--json", "--json"], {}),
    (["overdue", "--owner", "a", "--owner", "b"], {}),
    (["overdue", "--owner"], {}),
    (["overdue", "--bogus"], {}),
    (["overdue", "extra"], {}),
    (["overdue", "--", "--json"], {}),
    (["--json", "overdue"], {}),
    (["--db", "a", "--db", "b", "overdue"], {}),
    (["show", "overdue"], {}),
    (["list"], {}),
    (["overdue"], {"_REQTRACK_COMPLETE": "complete_bash"}),
    (["overdue"], {"REQTRACK_DB": ""}),
    (["overdue"], {"REQTRACK_LANG": ""}),
    (["overdue", "--owner", "\udcff"], {}),
    (["overdue"], {"REQTRACK_USER": "\udcff"}),
])
def test_any_other_command_line_goes_through_typer(argv: list[str], env: dict[str, str]) -> None:
    assert direct.parse(argv, env) is None
    assert direct.answer(argv, env) is None
