"""`reqtrack report` as the lead and the weekly script use it (SPEC §5, §6)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from helpers import MONDAY_MEETING, NOW_TEXT, REPO_ROOT, build_scenario, database_exists, installed_reqtrack
from reqtrack import services

REQUIRED_KEYS = {
    "period", "new", "completed", "closed", "cancelled", "backlog", "first_response_rate", "resolution_days",
    "sla_compliance", "on_time_rate", "first_pass_rate", "recurrence_rate", "satisfaction", "by_type",
    "by_source", "by_priority", "by_customer", "owners", "trend", "funnel", "overdue",
}


@pytest.fixture
def scenario(ctx: services.Context) -> dict[str, str]:
    return build_scenario(ctx)


def report_json(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("report", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_has_the_contract_keys_and_the_worked_example(cli: Any, scenario: dict[str, str]) -> None:
    r = report_json(cli, "--period", "week", "--previous", "--as-of", MONDAY_MEETING)
    assert REQUIRED_KEYS <= set(r)
    assert set(r["period"]) >= {"from", "to"}
    assert set(r["resolution_days"]) >= {"mean", "median", "p90"}
    assert set(r["sla_compliance"]) == {"high", "medium", "low"}
    assert set(r["satisfaction"]) >= {"satisfied", "neutral", "dissatisfied", "rate"}
    assert (r["period"]["from"], r["period"]["to"]) == ("2025-03-03T00:00:00+08:00", "2025-03-10T00:00:00+08:00")
    assert (r["new"], r["completed"], r["backlog"]) == (7, 4, 4)
    assert round(r["first_response_rate"], 2) == 0.67
    assert r["resolution_days"]["mean"] == 2.25 and r["resolution_days"]["median"] == 2.17
    assert r["sla_compliance"] == {"high": 0.5, "medium": 1.0, "low": 1.0}
    assert r["by_type"]["bug"] == 2 and r["by_customer"] == {"Globex": 3, "ACME": 2, "Initech": 2}
    assert r["overdue"]["count"] == 3


@pytest.mark.parametrize(("args", "start", "end"), [
    ((), "2025-03-01T00:00:00+08:00", "2025-04-01T00:00:00+08:00"),  # default: the current month
    (("--period", "week"), "2025-03-10T00:00:00+08:00", "2025-03-17T00:00:00+08:00"),
    (("--period", "week", "--previous"), "2025-03-03T00:00:00+08:00", "2025-03-10T00:00:00+08:00"),
    (("--period", "month", "--previous"), "2025-02-01T00:00:00+08:00", "2025-03-01T00:00:00+08:00"),
    (("--period", "quarter"), "2025-01-01T00:00:00+08:00", "2025-04-01T00:00:00+08:00"),
    (("--period", "year", "--previous"), "2024-01-01T00:00:00+08:00", "2025-01-01T00:00:00+08:00"),
    (("--period", "week", "--as-of", "2025-01-01 12:00"), "2024-12-30T00:00:00+08:00", "2025-01-06T00:00:00+08:00"),
    (("--from", "2025-03-03", "--to", "2025-03-05 12:00"), "2025-03-03T00:00:00+08:00", "2025-03-05T12:00:00+08:00"),
])
def test_periods(cli: Any, scenario: dict[str, str], args: tuple[str, ...], start: str, end: str) -> None:
    r = report_json(cli, *args)
    assert (r["period"]["from"], r["period"]["to"]) == (start, end)


def test_custom_range_is_half_open(cli: Any, scenario: dict[str, str]) -> None:
    # A was submitted at 09:00 on the 3rd and B at 14:00: [09:00, 14:00) holds A only.
    assert report_json(cli, "--from", "2025-03-03 09:00", "--to", "2025-03-03 14:00")["new"] == 1
    assert report_json(cli, "--from", "2025-03-03 09:00", "--to", "2025-03-03 14:01")["new"] == 2


@pytest.mark.parametrize(("args", "words"), [
    (("--period", "fortnight"), "unknown period 'fortnight'; use one of week, month, quarter, year"),
    (("--from", "2025-03-01"), "--from and --to go together"),
    (("--period", "week", "--from", "2025-03-01", "--to", "2025-03-02"), "either --period or --from/--to, not both"),
    (("--from", "2025-03-05", "--to", "2025-03-01"), "--to must be after --from"),
    (("--from", "2025-03-01", "--to", "2025-03-05", "--previous"), "--previous goes with --period"),
    (("--as-of", "someday"), "--as-of: cannot read 'someday' as a time"),
])
def test_bad_arguments_exit_2_with_one_sentence(cli: Any, scenario: dict[str, str], args: tuple[str, ...],
                                                words: str) -> None:
    result = cli("report", *args)
    assert result.exit_code == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reqtrack: ") and words in lines[0], result.stderr


def test_report_on_a_missing_database_is_an_environment_problem(cli: Any) -> None:
    result = cli("report")
    assert result.exit_code == 3
    assert not database_exists(cli.db_path)
    [sentence] = result.stderr.strip().splitlines()
    assert "no reqtrack database" in sentence and "reqtrack new" in sentence
    assert (f"at {cli.db_path}" if cli.db_path.__class__ is not str else "of database test on 127.0.0.1:5432") in sentence


def test_terminal_summary_marks_targets_met_or_missed(cli: Any, scenario: dict[str, str]) -> None:
    result = cli("report", "--period", "week", "--previous", "--as-of", MONDAY_MEETING)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "2025-W10" in out
    lines = out.splitlines()

    def line_with(text: str) -> str:
        return next(line for line in lines if text in line)

    first_response = line_with("First response within 24 h ")
    assert "66.7 %" in first_response and "≥ 90.0 %" in first_response and "missed" in first_response
    mean = line_with("Mean resolution")
    assert "2.25 wd" in mean and "≤ 5 wd" in mean and "met" in mean and "missed" not in mean
    high = line_with("High priority: resolved within 2 wd")
    assert "50.0 % (1/2)" in high and "100.0 %" in high and "missed" in high and "1.73" in high
    medium = line_with("Medium priority: resolved within 4 wd")
    assert "100.0 % (1/1)" in medium and "met" in medium and "missed" not in medium
    assert "Recurrence ((reopens + recurrences) ÷ completions) 25.0 %" in out
    assert "First-pass verification 80.0 %" in out
    assert "Satisfaction rate 50.0 %" in out
    assert "█" in out  # the distribution and funnel bars
    assert "Monthly trend" in out and "25-03" in out
    assert "Overdue now (3)" in out


def test_terminal_summary_in_chinese(cli: Any, scenario: dict[str, str]) -> None:
    result = cli("--lang", "zh-CN", "report", "--period", "week", "--previous", "--as-of", MONDAY_MEETING)
    assert result.exit_code == 0, result.stderr
    assert "24小时内首次响应率" in result.stdout and "未达标" in result.stdout and "问题修复" in result.stdout


def sheet_rows(sheet: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_workbook_has_its_sheets_charts_and_the_export_rows(cli: Any, scenario: dict[str, str], tmp_path: Path) -> None:
    book = tmp_path / "weekly.xlsx"
    result = cli("report", "--period", "week", "--previous", "--as-of", MONDAY_MEETING, "--xlsx", str(book))
    assert result.exit_code == 0, result.stderr
    assert "66.7 %" in result.stdout and str(book) in result.stdout
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["Summary", "Distributions", "Trend", "SLA", "Owners", "Funnel", "Overdue",
                                   "Requests"]
    with zipfile.ZipFile(book) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        kinds = "".join(archive.read(name).decode() for name in charts)
    assert len(charts) >= 10
    assert "<barChart>" in kinds and "<pieChart>" in kinds and "<lineChart>" in kinds

    summary = sheet_rows(workbook["Summary"])
    values = {row[0]: row[1] for row in summary if row[0]}
    assert values["New"] == 7 and values["Completed"] == 4 and values["Open backlog"] == 4
    assert round(values["First response within 24 h"], 2) == 0.67
    assert values["Mean resolution"] == 2.25
    verdicts = {row[0]: row[3] for row in summary if row[0] and len(row) > 3 and row[3]}
    assert verdicts["First response within 24 h"] == "missed" and verdicts["Mean resolution"] == "met"
    assert verdicts["High priority: resolved within 2 wd"] == "missed"
    assert values["High priority: resolved within 2 wd"] == 0.5
    sla = sheet_rows(workbook["SLA"])
    assert sla[1][:2] == ["High", 2] and sla[1][7] == 0.5
    funnel = sheet_rows(workbook["Funnel"])
    assert [row[1] for row in funnel[1:]] == [7, 5, 4, 3, 3, 1]
    owners = sheet_rows(workbook["Owners"])
    assert owners[1][:4] == ["Li", None, 1, 2]
    overdue = sheet_rows(workbook["Overdue"])
    assert sorted(row[0] for row in overdue[1:]) == sorted(scenario[x] for x in "BDE")
    trend = sheet_rows(workbook["Trend"])
    assert trend[-1][:3] == ["2025-03", 7, 4]

    # The request sheet is the export's: the same cells as `reqtrack export` for the same requests.
    exported = tmp_path / "export.xlsx"
    assert cli("export", str(exported)).exit_code == 0
    export_rows = sheet_rows(load_workbook(exported).worksheets[0])
    report_rows = sheet_rows(workbook["Requests"])
    assert len(report_rows) == 1 + 8  # every request touched in the week, G included
    assert report_rows == export_rows


def test_workbook_in_chinese_and_an_empty_period(cli: Any, scenario: dict[str, str], tmp_path: Path) -> None:
    book = tmp_path / "周报.xlsx"
    result = cli("--lang", "zh-TW", "report", "--from", "2020-01-01", "--to", "2020-02-01", "--xlsx", str(book),
                 "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"] == 0
    workbook = load_workbook(book)
    assert workbook.sheetnames[0] == "概覽" and workbook.sheetnames[-1] == "需求明細"
    assert workbook.worksheets[-1].max_row == 1  # the header only
    assert workbook.worksheets[-1]["A1"].value == "需求編號"


def test_workbook_to_a_missing_directory_is_refused(cli: Any, scenario: dict[str, str], tmp_path: Path) -> None:
    result = cli("report", "--xlsx", str(tmp_path / "no" / "such" / "dir.xlsx"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_weekly_example_script_writes_last_weeks_workbook(scenario: dict[str, str], db_path: Path,
                                                           tmp_path: Path) -> None:
    import os
    import subprocess

    script = REPO_ROOT / "examples" / "weekly-report.sh"
    assert os.access(script, os.X_OK)
    reqtrack = installed_reqtrack()  # the one beside this Python: no other install, no skip in CI
    env = {**os.environ, "REQTRACK_DB": str(db_path), "REQTRACK_NOW": NOW_TEXT,
           "REPORT_DIR": str(tmp_path / "reports"), "PATH": f"{Path(reqtrack).parent}:{os.environ['PATH']}"}
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "reports").glob("*.xlsx"))
    assert [p.name for p in written] == ["weekly-report-2025-03-03.xlsx"]
    assert done.stdout.strip() == str(written[0])
    assert load_workbook(written[0])["Summary"]["A1"].value == "Requirements report 2025-W10"


def test_figures_follow_the_stored_sla_settings(cli: Any, scenario: dict[str, str]) -> None:
    assert cli("config", "set", "sla.response_hours", "27").exit_code == 0
    assert cli("config", "set", "sla.resolution_days.high", "3").exit_code == 0
    assert cli("config", "set", "sla.first_response_target", "80%").exit_code == 0
    r = report_json(cli, "--period", "week", "--previous", "--as-of", MONDAY_MEETING)
    # B's 26-hour answer is now in time; D's 2.125 working days are within three.
    assert r["first_response"] == {"in_time": 5, "late": 1, "excluded_not_yet_due": 1}
    assert r["sla_compliance"]["high"] == 1.0
    assert r["targets"]["response_hours"] == 27 and r["targets"]["first_response_rate"] == 0.8
    out = cli("report", "--period", "week", "--previous", "--as-of", MONDAY_MEETING).stdout
    line = next(line for line in out.splitlines() if "First response within 27 h" in line)
    assert "83.3 %" in line and "≥ 80.0 %" in line and "met" in line
