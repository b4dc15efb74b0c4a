"""Excel in and out: the template's sheet exported, imported and round-tripped (xlsx and CSV)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from helpers import database_exists, export, fresh_context, raw_connect, sheet_values, stored_state, write_xlsx
from reqtrack import services
from reqtrack.domain.vocab import COLUMNS, SOURCE, STATUS
from reqtrack.excel.masking import MASK_TOKEN
from reqtrack.excel.safety import EXCEL_CELL_LIMIT, guard_csv, ooxml_escape, ooxml_unescape, unguard
from reqtrack.excel.validator import (
    CellProblem,
    parse_attachments,
    parse_owner,
    parse_process_log,
    parse_verification,
    parse_vocabulary,
    parse_when,
)
from reqtrack.excel.xlsx import append_request_sheet
from reqtrack.services import Context
from reqtrack.services.import_rows import ImportRefused
from reqtrack.services.imports import import_file

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEMPLATE_ZH_TW = [c[3] for c in COLUMNS]
TEMPLATE_ZH_CN = [c[2] for c in COLUMNS]
TEMPLATE_EN = [c[1] for c in COLUMNS]
HOSTILE = ["=1+1", "+SUM(A1:A9)", "-3+4", "@cmd", "'=typed apostrophe", "''+two", "\t=tab first", "#N/A",
           '=HYPERLINK("http://evil.example","click")']


def populate(ctx: Context) -> None:
    """A small database with every status, multi-line notes, hostile and awkward text."""
    services.register(ctx, "希望在数据报表模块增加“自定义时间范围筛选”功能，支持导出为PDF格式", "科技有限公司",
                      source="电话", proposer="王经理", liaison="李工", type="功能优化", at="2024-05-01 14:30")
    services.classify(ctx, "202405-001", priority="中", reason="需求评审会确定", at="2024-05-03 10:00")
    services.assign(ctx, "202405-001", owner="张经理", department="产品部", due="2024-05-15", reason="由张经理负责",
                    at="2024-05-03 11:00")
    services.progress(ctx, "202405-001", "完成功能开发\n第二行: 细节", at="2024-05-10 18:00")
    services.progress(ctx, "202405-001", "已上线", done=True, at="2024-05-14 10:00")
    services.verify(ctx, "202405-001", passed=False, note="导出仍然超时", at="2024-05-14 12:00")
    services.progress(ctx, "202405-001", "再次修复", done=True, at="2024-05-14 15:00")
    services.verify(ctx, "202405-001", passed=True, satisfaction="满意", note="客户验证通过", at="2024-05-14 16:00")
    services.close(ctx, "202405-001", at="2024-05-15 09:00")
    services.register(ctx, "Export times out above 10,000 rows\r\nsecond line\x07 bell", "ACME", source="email",
                      proposer="Ms Wang", type="bug", priority="high", notes="_x0041_ literal and 😀 עברית",
                      at="2025-03-01 09:00")
    services.assign(ctx, "202503-001", owner="Zhang/Li", due="2025-03-05 18:00", at="2025-03-01 10:00")
    for i, text in enumerate(HOSTILE):
        services.register(ctx, text, f"Hostile {i}", notes=text, proposer=text, at=f"2025-03-02 0{i}:00")
    services.register(ctx, "取消的需求", "某客户", at="2025-03-03 09:00")
    services.cancel(ctx, "202503-011", reason="客户撤回", at="2025-03-03 10:00")


@pytest.fixture
def populated(ctx: Context) -> Context:
    populate(ctx)
    return ctx


# -- export ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,headers", [("en", TEMPLATE_EN), ("zh-CN", TEMPLATE_ZH_CN), ("zh-TW", TEMPLATE_ZH_TW)])
def test_exact_template_headers_in_each_language(populated: Context, tmp_path: Path, lang: str, headers: list[str]) -> None:
    result = export(populated, tmp_path / "out.xlsx", lang)
    rows = sheet_values(tmp_path / "out.xlsx")
    assert list(rows[0]) == headers and len(headers) == 18
    assert result.rows == len(rows) - 1 == 12
    export(populated, tmp_path / "out.csv", lang)
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM for Chinese Excel
    assert next(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == headers


def test_sheet_layout_and_typed_date_cells(populated: Context, tmp_path: Path) -> None:
    export(populated, tmp_path / "out.xlsx", "zh-CN")
    workbook = load_workbook(tmp_path / "out.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:R13"
    assert sheet["A1"].font.b and sheet.column_dimensions["F"].width > sheet.column_dimensions["J"].width
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "202405-001")
    cells = {key: cell for (key, *_), cell in zip(COLUMNS, row)}
    assert cells["submitted_at"].is_date and cells["submitted_at"].value == datetime(2024, 5, 1, 14, 30)
    assert cells["submitted_at"].number_format == "yyyy-mm-dd hh:mm"
    assert cells["due"].is_date and cells["due"].number_format == "yyyy-mm-dd"  # a date-only deadline is a date
    assert cells["due"].value == datetime(2024, 5, 15)
    assert cells["completed_at"].value == datetime(2024, 5, 14, 15, 0)
    assert cells["owner"].value == "产品部/张经理"
    assert cells["status"].value == "已关闭" and cells["verification"].value == "通过: 客户验证通过"
    assert cells["description"].alignment.wrap_text and cells["history"].alignment.wrap_text
    log = cells["history"].value.split("\n")
    assert log[0] == "2024-05-15 09:00 归档关闭" and log[-1] == "2024-05-01 14:30 登记"  # newest first
    assert "2024-05-14 12:00 验证: 导出仍然超时" in log and "第二行: 细节" in log
    info = dict(sheet_values(tmp_path / "out.xlsx", 1))
    assert info["已脱敏"] == "否" and info["需求数"] == 12 and isinstance(info["导出时间"], datetime)
    timed = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "202503-001")
    assert timed[11].value == datetime(2025, 3, 5, 18, 0) and timed[11].number_format == "yyyy-mm-dd hh:mm"
    assert timed[10].value == "/Zhang/Li"  # no department: the leading / keeps the owner's own /


def test_no_cell_is_ever_a_formula(populated: Context, tmp_path: Path) -> None:
    export(populated, tmp_path / "out.xlsx")
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml and 't="e"' not in xml
    workbook = load_workbook(tmp_path / "out.xlsx")
    hostile_rows = [r for r in workbook.worksheets[0].iter_rows(min_row=2) if str(r[3].value).startswith("Hostile")]
    assert len(hostile_rows) == len(HOSTILE)
    for row in hostile_rows:
        for cell in row:
            assert cell.data_type != "f"
        description = row[5]
        assert description.data_type == "s"
        if description.value[0] in "=+-@":
            assert description.quotePrefix  # Excel shows it as text and keeps it text when edited
    export(populated, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    for record in list(csv.reader(io.StringIO(text)))[1:]:
        for value in record:
            assert not value or value[0] not in "=+-@\t\r"  # every formula-like text sits behind a '


def test_masked_export_hides_names_and_import_refuses_it(populated: Context, tmp_path: Path, cli) -> None:
    result = export(populated, tmp_path / "masked.xlsx", "zh-CN", mask=True)
    assert result.masked
    rows = sheet_values(tmp_path / "masked.xlsx")
    flat = "\n".join(str(v) for row in rows for v in row if v is not None)
    assert "王经理" not in flat and "张经理" not in flat and "李工" not in flat and "Ms Wang" not in flat
    row = next(r for r in rows if r[0] == "202405-001")
    assert row[2] == "王**" and row[8] == "李*" and row[10] == "产品部/张**"
    assert "由张**负责" in row[14]  # names inside the process log too
    info = dict(sheet_values(tmp_path / "masked.xlsx", 1))
    assert info["已脱敏"].startswith("是") and MASK_TOKEN in info["已脱敏"]
    export(populated, tmp_path / "masked.csv", mask=True)
    assert MASK_TOKEN in (tmp_path / "masked.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    before = json.loads(cli("list", "--format", "json").stdout)
    for name in ("masked.xlsx", "masked.csv"):
        refused = cli("import", str(tmp_path / name))
        assert refused.exit_code == 2 and "masked" in refused.stderr
    assert json.loads(cli("list", "--format", "json").stdout) == before


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "json"])
def test_masked_export_with_extra_columns_hides_the_contact_too(cli, tmp_path: Path, suffix: str) -> None:
    """`--mask --extra`: the kept fields after the 18 columns (contact first) are masked as the
    template's names are: a phone number keeps its first digit only."""
    made = cli("new", "need an export", "--customer", "ACME", "--contact", "13800000000", "--proposer", "王经理",
               "--priority", "high")
    assert made.exit_code == 0, made.stderr
    rid = made.stdout.strip()
    assigned = cli("assign", rid, "--owner", "张经理", "--dept", "产品部")
    assert assigned.exit_code == 0, assigned.stderr
    target = tmp_path / f"masked.{suffix}"
    result = cli("export", str(target), "--mask", "--extra", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    raw = target.read_bytes()
    text = raw.decode("utf-8-sig") if suffix != "xlsx" else "\n".join(
        zipfile.ZipFile(target).read(name).decode("utf-8", "replace") for name in zipfile.ZipFile(target).namelist())
    assert "13800000000" not in text and "王经理" not in text
    if suffix == "json":
        [row] = json.loads(text)
        assert row["contact"] == "1**********" and row["proposer"] == "王**"
    else:
        rows = sheet_values(target) if suffix == "xlsx" else [tuple(r) for r in csv.reader(io.StringIO(text))][1:]
        header = list(rows[0])
        assert header[:18] == TEMPLATE_EN and "Contact" in header[18:]
        [row] = [r for r in rows[1:] if r[0] == rid]
        assert row[header.index("Contact")] == "1**********"  # one digit kept, ten hidden
        assert row[header.index("Proposer")] == "王**"


def test_long_cells_are_cut_with_a_marker_and_said_so(ctx: Context, tmp_path: Path) -> None:
    long_text = "长" * 40000  # 40,000 characters: over Excel's 32,767 per cell
    services.register(ctx, long_text, "ACME", at="2025-03-01 09:00")
    for i in range(9):
        services.progress(ctx, "202503-001", f"step {i} " + "x" * 4000, at=f"2025-03-0{i + 1} 10:00")
    result = export(ctx, tmp_path / "out.xlsx")
    assert any("cut" in n and "202503-001 Description" in n for n in result.notices)  # the column's label
    row = sheet_values(tmp_path / "out.xlsx")[1]
    assert len(row[5]) <= EXCEL_CELL_LIMIT and row[5].startswith("长" * 32000)
    assert "more characters not shown" in row[5] and "reqtrack show 202503-001" in row[5]
    log = row[14].split("\n")
    assert len(row[14]) <= EXCEL_CELL_LIMIT
    assert log[0].startswith("2025-03-09 10:00 Progress: step 8") and "older entries not shown" in log[-1]
    info = dict(sheet_values(tmp_path / "out.xlsx", 1))
    assert "cut" in info["Notices"]
    csv_result = export(ctx, tmp_path / "out.csv")
    assert any("Excel will cut" in n for n in csv_result.notices)
    assert long_text in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")  # CSV keeps it whole
    # Re-importing the cut sheet leaves the full text alone.
    imported = import_file(ctx, tmp_path / "out.xlsx")
    assert (imported.updated, imported.unchanged) == (0, 1)
    assert services.get(ctx, "202503-001").description == long_text


# -- round trip ---------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_round_trip_export_import_export_gives_the_same_cells(populated: Context, tmp_path: Path, suffix: str) -> None:
    first = tmp_path / f"first.{suffix}"
    export(populated, first, "zh-TW")
    empty = fresh_context(tmp_path, "empty.db")
    result = import_file(empty, first)
    assert (result.rows, result.created, result.updated, result.unchanged) == (12, 12, 0, 0)
    second = tmp_path / f"second.{suffix}"
    export(empty, second, "zh-TW")
    if suffix == "xlsx":
        assert sheet_values(first) == sheet_values(second)
    else:
        assert first.read_bytes() == second.read_bytes()
    copy = services.get(empty, "202503-001")
    assert copy.description == "Export times out above 10,000 rows\r\nsecond line\x07 bell"  # exact, control chars too
    assert copy.notes == "_x0041_ literal and 😀 עברית" and copy.owner == "Zhang/Li" and copy.department is None
    for i, text in enumerate(HOSTILE):
        hostile = services.get(empty, f"202503-{i + 2:03d}")
        assert hostile.description == hostile.notes == hostile.proposer == text  # what was typed is recovered
    closed = services.get(empty, "202405-001")
    assert [e.action for e in closed.history] == ["new", "classify", "assign", "progress", "complete", "verify",
                                                   "complete", "verify", "close"]
    assert closed.history[3].note == "完成功能开发\n第二行: 细节"
    assert closed.verification_note == "客户验证通过" and closed.due_is_date and closed.closed_at is not None


def test_extra_columns_round_trip_department_with_a_slash(ctx: Context, tmp_path: Path) -> None:
    services.register(ctx, "x", "ACME", contact="13800000000", priority="low", at="2025-03-01 09:00")
    services.assign(ctx, "202503-001", owner="Zhang", department="R&D/QA", at="2025-03-01 10:00")
    export(ctx, tmp_path / "extra.xlsx", extra=True)
    header = sheet_values(tmp_path / "extra.xlsx")[0]
    assert len(header) == 28 and header[18] == "Contact"
    empty = fresh_context(tmp_path, "empty.db")
    import_file(empty, tmp_path / "extra.xlsx")
    copy = services.get(empty, "202503-001")
    assert (copy.department, copy.owner, copy.contact) == ("R&D/QA", "Zhang", "13800000000")
    assert copy.responded_at == services.get(ctx, "202503-001").responded_at


# -- import ---------------------------------------------------------------------------------------
TEMPLATE_EXAMPLE = ["202405-001", "客戶電話", "*經理", "科技有限公司", "功能優化",
                    "希望在數據報表模塊增加“自定義時間范圍篩選”功能,支持導出為PDF格式", "無", "2024-05-0114:30",
                    "*工(客戶成功部)", "中", "產品部*經理", "2024-05-15", "2024-05-14", "已完成",
                    "5月3日:需求評審會確定優先級為中;5月10日:完成功能開發;5月14日:客戶驗證通過", "通過", "滿意",
                    "該功能與現有“數據導出”模塊相關,需同步測試兼容性"]


def test_the_templates_own_example_row_imports(ctx: Context, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "template.xlsx", [["客戶需求管理模板"], TEMPLATE_ZH_TW, TEMPLATE_EXAMPLE])
    result = import_file(ctx, sheet)
    assert (result.created, result.updated) == (1, 0)
    request = services.get(ctx, "202405-001")
    assert request.source == "phone" and request.type == "improvement" and request.priority == "medium"
    assert request.proposer == "*經理" and request.liaison == "*工(客戶成功部)" and request.attachments == []
    assert (request.department, request.owner) == ("產品部", "*經理")
    assert request.submitted_at == datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc)
    assert request.due_is_date and request.due.astimezone(SHANGHAI).date() == date(2024, 5, 15)
    assert request.completed_at.astimezone(SHANGHAI).date() == date(2024, 5, 14)
    assert (request.status, request.verification, request.satisfaction) == ("done", "pass", "satisfied")
    assert [(e.action, e.note) for e in request.history] == [("import", TEMPLATE_EXAMPLE[14])]  # one imported note


def test_gb18030_csv_imports(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    lines = [",".join(TEMPLATE_ZH_CN),
             ",电话,王经理,科技有限公司,功能优化,希望增加批量导出功能,,2024/5/6 9:05,李工,高,技术部/赵工,2024-05-10,,处理中,,,,",
             "TEL-002,邮件,陈女士,某银行,问题修复,登录页面报错,截图.png;日志.txt,2024年5月7日 10:00,,低,,,,待处理,,,,"]
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    result = import_file(ctx, path)
    assert result.created == 2
    first = services.get(ctx, "202405-001")
    assert first.description == "希望增加批量导出功能" and first.owner == "赵工" and first.department == "技术部"
    assert first.submitted_at.astimezone(SHANGHAI) == datetime(2024, 5, 6, 9, 5, tzinfo=SHANGHAI)
    foreign = services.get(ctx, "TEL-002")  # a foreign ID is kept as it is
    assert [a.name for a in foreign.attachments] == ["截图.png", "日志.txt"] and foreign.source == "email"


def test_one_bad_row_among_good_ones_imports_nothing_and_names_it(cli, tmp_path: Path, db_path: Path) -> None:
    good = ["", "电话", "王经理", "A公司", "功能优化", "需求一", "", "2024-05-01 14:30", "", "中", "", "", "", "待处理", "", "", "", ""]
    bad = list(good)
    bad[5], bad[7], bad[9] = "需求二", "2024-13-45 25:00", "很急"
    sheet = write_xlsx(tmp_path / "bad.xlsx", [TEMPLATE_ZH_CN, good, good[:5] + ["需求三"] + good[6:], bad, good])
    result = cli("import", str(sheet))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("reqtrack: nothing imported from bad.xlsx: 2 problems in 1 row")
    assert any("row 4, column H (提出时间)" in line and "2024-13-45 25:00" in line for line in lines[1:])
    assert any("row 4, column J (优先级)" in line and "很急" in line for line in lines[1:])
    assert "Traceback" not in result.stderr
    assert not database_exists(db_path)  # nothing written, not even an empty database
    assert cli("new", "x", "--customer", "A").exit_code == 0
    again = cli("import", str(sheet))
    assert again.exit_code == 2
    assert again.stderr.startswith("reqtrack: nothing imported from bad.xlsx: 2 problems in 1 row")
    assert len(json.loads(cli("list", "--format", "json").stdout)) == 1


def test_missing_required_cells_and_duplicate_ids_are_problems(ctx: Context, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "x.xlsx", [["ID", "Customer", "Description", "Status"],
                                              ["A-1", "ACME", "one", "pending"], ["A-1", "ACME", "two", "done"],
                                              ["A-2", None, "three", "open?"]])
    with pytest.raises(ImportRefused) as refused:
        import_file(ctx, sheet)
    text = str(refused.value)
    assert "row 3, column A (ID): \"A-1\": the same ID is already on row 2" in text
    assert "row 4, column B (Customer): the customer (or project) is required" in text
    assert "row 4, column D (Status): \"open?\": not a known status" in text


def test_reimport_is_idempotent_and_a_changed_cell_gives_one_import_entry(populated: Context, tmp_path: Path) -> None:
    sheet = tmp_path / "week.xlsx"
    export(populated, sheet, "zh-CN")
    before = {r.id: len(r.history) for r in services.list_requests(populated, with_history=True).requests}
    again = import_file(populated, sheet)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert {r.id: len(r.history) for r in services.list_requests(populated, with_history=True).requests} == before
    workbook = load_workbook(sheet)
    rows = list(workbook.worksheets[0].iter_rows(min_row=2))
    target = next(r for r in rows if r[0].value == "202503-001")
    target[9].value = "低"  # priority
    target[17].value = "客户说可以等"
    workbook.save(sheet)
    changed = import_file(populated, sheet)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 11)
    request = services.get(populated, "202503-001")
    entry = request.history[-1]
    assert entry.action == "import" and entry.changes == {"priority": ["high", "low"],
                                                         "notes": ["_x0041_ literal and 😀 עברית", "客户说可以等"]}
    assert "week.xlsx, row" in entry.note
    assert import_file(populated, sheet).updated == 0  # the same sheet again: nothing new


def test_a_sheet_older_than_the_database_is_refused(populated: Context, tmp_path: Path) -> None:
    sheet = tmp_path / "old.xlsx"
    export(populated, sheet)
    services.progress(populated, "202503-001", "called the customer")
    with pytest.raises(ImportRefused) as refused:
        import_file(populated, sheet)
    assert "202503-001 has 1 history entry in reqtrack that this sheet's process log lacks" in str(refused.value)


def test_ids_kept_and_generated_after_the_months_highest(ctx: Context, tmp_path: Path) -> None:
    for _ in range(3):
        services.register(ctx, "existing", "ACME", at="2024-05-02 09:00")
    sheet = write_xlsx(tmp_path / "ids.xlsx", [
        ["需求编号", "所属客户/项目", "需求描述", "提出时间"],
        ["TEL-002", "B", "电话记录", "2024-05-03 09:00"],
        [None, "C", "no id 1", "2024-05-03 10:00"],
        ["202405-007", "D", "explicit", "2024-05-03 11:00"],
        [None, "E", "no id 2", "2024-05-04 10:00"],
        [None, "F", "june", "2024-06-01 10:00"],
    ])
    result = import_file(ctx, sheet)
    assert result.created == 5
    ids = sorted(r.id for r in services.list_requests(ctx).requests)
    assert ids == ["202405-001", "202405-002", "202405-003", "202405-007", "202405-008", "202405-009",
                   "202406-001", "TEL-002"]
    assert services.register(ctx, "next", "ACME", at="2024-05-20 09:00").id == "202405-010"
    # The same ID-less sheet again matches its rows instead of duplicating them.
    again = import_file(ctx, sheet)
    assert (again.created, again.unchanged, again.matched_without_id) == (0, 5, 3)


def test_dry_run_writes_nothing(cli, tmp_path: Path, db_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "t.xlsx", [TEMPLATE_ZH_TW, TEMPLATE_EXAMPLE])
    result = cli("import", str(sheet), "--dry-run")
    assert result.exit_code == 0 and "would import t.xlsx: 1 row: 1 created" in result.stdout
    assert not database_exists(db_path)
    assert cli("new", "x", "--customer", "A", "--at", "2025-03-01 09:00").exit_code == 0
    stamp = stored_state(db_path)
    assert cli("import", str(sheet), "--dry-run").exit_code == 0
    assert stored_state(db_path) == stamp
    imported = cli("import", str(sheet))
    assert imported.exit_code == 0 and "1 created, 0 updated, 0 unchanged" in imported.stdout

    with raw_connect(db_path) as conn:
        log = conn.execute("SELECT file, actor, rows, created, updated, unchanged FROM import_log").fetchall()
    assert log == [(str(sheet.resolve()), "tester", 1, 1, 0, 0)]


def test_cli_export_formats_filters_and_summary(cli, tmp_path: Path) -> None:
    cli("new", "one", "--customer", "A", "--at", "2025-03-01 09:00")
    cli("new", "two", "--customer", "B", "--at", "2025-03-02 09:00")
    cli("cancel", "202503-002", "--reason", "dup", "--at", "2025-03-02 10:00")
    result = cli("--lang", "zh-CN", "export", str(tmp_path / "open.xlsx"), "--open")
    assert result.exit_code == 0 and result.stdout.startswith("已导出 1 条需求到 ") and "（xlsx，zh-CN）" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1 and result.stderr == ""
    assert sheet_values(tmp_path / "open.xlsx")[0][0] == "需求编号"
    assert "仅未结需求" in dict(sheet_values(tmp_path / "open.xlsx", 1))["筛选条件"]
    english = cli("export", str(tmp_path / "open-en.xlsx"), "--open", "--status", "pending", "--lang", "en")
    assert english.stdout.startswith("exported 1 request to ") and "(xlsx, en)" in english.stdout
    assert dict(sheet_values(tmp_path / "open-en.xlsx", 1))["Filters"] == "Status: Pending; open only"
    assert cli("export", str(tmp_path / "all.json"), "--lang", "en").exit_code == 0
    assert [r["id"] for r in json.loads((tmp_path / "all.json").read_text())] == ["202503-002", "202503-001"]
    assert cli("export", str(tmp_path / "sheet.txt"), "--format", "csv", "--status", "cancelled").exit_code == 0
    assert (tmp_path / "sheet.txt").read_text(encoding="utf-8-sig").count("202503-") == 1
    refused = cli("export", str(tmp_path / "sheet.txt"))
    assert refused.exit_code == 2 and "--format" in refused.stderr
    nowhere = cli("export", str(tmp_path / "missing" / "x.xlsx"))
    assert nowhere.exit_code == 2 and len(nowhere.stderr.strip().splitlines()) == 1
    assert str(tmp_path / "missing") in nowhere.stderr and "does not exist" in nowhere.stderr
    assert not (tmp_path / "missing").exists()
    imported = cli("import", str(tmp_path / "all.json"))
    assert imported.exit_code == 2 and "header" in imported.stderr


# -- cells ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("2024-05-0114:30", datetime(2024, 5, 1, 14, 30)),
    ("2024/5/1 9:05", datetime(2024, 5, 1, 9, 5)),
    ("2024年5月1日 14:30", datetime(2024, 5, 1, 14, 30)),
    ("2024年5月1日14时30分", datetime(2024, 5, 1, 14, 30)),
    ("2024-05-01T14:30:00+08:00", datetime(2024, 5, 1, 14, 30)),
    ("２０２４－０５－０１　１４：３０", datetime(2024, 5, 1, 14, 30)),
])
def test_date_time_cells_are_read_leniently(text: str, expected: datetime) -> None:
    moment, date_only = parse_when(text, SHANGHAI)
    assert moment.astimezone(SHANGHAI).replace(tzinfo=None) == expected and not date_only
    assert parse_when("20240501", SHANGHAI)[1] and parse_when(date(2024, 5, 1), SHANGHAI)[1]
    with pytest.raises(CellProblem):
        parse_when("5月3日", SHANGHAI)


def test_cell_readers() -> None:
    assert parse_vocabulary(SOURCE, "客戶電話") == "phone"
    assert parse_vocabulary(SOURCE, "E-mail") == "email"
    with pytest.raises(CellProblem):
        parse_vocabulary(SOURCE, "电话会议")  # phone or meeting? ambiguous
    with pytest.raises(CellProblem):
        parse_vocabulary(STATUS, "未完成")  # never "done" by containment
    assert parse_owner("产品部/张经理") == ("产品部", "张经理")
    assert parse_owner("張三（產品部）") == ("產品部", "張三")
    assert parse_owner("/Zhang/Li") == (None, "Zhang/Li") and parse_owner("Zhang") == (None, "Zhang")
    assert parse_verification("不通过：导出仍然超时") == ("fail", "导出仍然超时")
    assert parse_verification("不通過(導出仍超時)") == ("fail", "導出仍超時")
    assert parse_verification("Pass: ok ") == ("pass", "ok ") and parse_verification("通过") == ("pass", None)
    assert parse_attachments("无") == [] and parse_attachments("a.png\nb;c.txt") == ["a.png", "b;c.txt"]
    for text in HOSTILE + ["plain", "'plain", "\x07=", "_x0007_"]:
        assert unguard(guard_csv(text)) == text
        assert ooxml_unescape(ooxml_escape(text)) == text
    entries, cut = parse_process_log("2024-05-03 10:00 进度: a\nb\n2024-05-01 14:30 Registered", SHANGHAI)
    assert [(e.action, e.note) for e in entries] == [("new", ""), ("progress", "a\nb")] and not cut
    assert parse_process_log("5月3日:评审", SHANGHAI) == (None, False)


def test_append_request_sheet_for_other_workbooks(populated: Context, tmp_path: Path) -> None:
    """The report's workbook reuses the request sheet: same cells as `export`."""
    workbook = Workbook(write_only=True)
    workbook.create_sheet("Summary").append(["numbers"])
    tz = services.timezone_of(populated)
    count = append_request_sheet(workbook, "Requests", services.iter_requests(populated), tz, "zh-CN")
    workbook.save(tmp_path / "report.xlsx")
    export(populated, tmp_path / "export.xlsx", "zh-CN")
    assert count == 12
    assert sheet_values(tmp_path / "report.xlsx", 1) == sheet_values(tmp_path / "export.xlsx", 0)
