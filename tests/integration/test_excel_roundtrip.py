"""Excel in and out, the edges: sheets from other tools (headers in any language and order, CSV
encodings, guarded and unguarded formula-like text), the template's own example as the seed
writes it, an import killed half-way, round trips in every language, and the fast xlsx row
writer checked byte for byte against openpyxl's own cells."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timezone
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from helpers import (
    NOW,
    REPO_ROOT,
    database_exists,
    examples,
    export,
    fresh_context,
    installed_reqtrack,
    sheet_values,
    skip_or_fail_in_ci,
    write_xlsx,
)
from reqtrack import services
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.vocab import COLUMNS
from reqtrack.excel.reader import read_table
from reqtrack.excel.safety import _CONTROL, EXCEL_CELL_LIMIT, guard_csv, ooxml_escape, ooxml_unescape, unguard
from reqtrack.excel.xlsx import _FastRows, append_request_sheet
from reqtrack.services import Context
from reqtrack.services.imports import import_file
from reqtrack.storage.repository import Repository

SHANGHAI = ZoneInfo("Asia/Shanghai")
# shared/ lies beside the repository (SPEC.md and the seeds), in development and in CI alike.
SEED = REPO_ROOT.parent / "shared" / "seeds" / "requirement-management-template.zh-TW.txt"


def count_requests(ctx: Context) -> int:
    if not Path(ctx.db_path).exists():
        return 0
    return services.list_requests(ctx).total


def populate(ctx: Context) -> None:
    """Requests in several states with text that tests every way of writing a cell."""
    services.register(ctx, "希望增加批量导出功能，支持Excel格式", "科技有限公司", source="电话", proposer="王经理",
                      liaison="李工", type="功能优化", at="2024-05-01 14:30")
    services.classify(ctx, "202405-001", priority="高", reason="影响核心业务", at="2024-05-01 15:00")
    services.assign(ctx, "202405-001", owner="赵工", department="技术部", due="2024-05-03 18:00",
                    reason="涉及数据库优化", at="2024-05-01 16:00")
    services.progress(ctx, "202405-001", "已完成需求文档撰写 & <待开发排期>", at="2024-05-02 10:00")
    services.progress(ctx, "202405-001", "上线", done=True, at="2024-05-03 12:00")
    services.verify(ctx, "202405-001", passed=True, satisfaction="一般", at="2024-05-03 17:00")
    services.register(ctx, "  leading and trailing spaces  ", "ACME", notes="\t=tab first", proposer="@bob",
                      at="2025-03-01 09:00")
    services.register(ctx, "=1+1", "-Minus Corp", notes="+SUM(A1:A9)", priority="low", at="2025-03-02 09:00")
    services.assign(ctx, "202503-002", owner="Li", due="2025-03-20", at="2025-03-02 10:00")


@pytest.fixture
def populated(ctx: Context) -> Context:
    populate(ctx)
    return ctx


# -- the fast row writer --------------------------------------------------------------------------
def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_fast_rows_write_exactly_what_openpyxl_cells_write(populated: Context, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[int] = []
    plain_xml = _FastRows.xml
    monkeypatch.setattr(_FastRows, "xml", lambda self, row, index: written.append(index) or plain_xml(self, row, index))
    export(populated, tmp_path / "fast.xlsx", "zh-CN")
    assert written == [2, 3, 4]  # the export did take the fast way
    export(populated, tmp_path / "cells.xlsx", "zh-CN")
    monkeypatch.setattr("reqtrack.excel.xlsx._RAW_WRITE_ATTRIBUTE", "no_such_attribute")  # a writer without raw output
    export(populated, tmp_path / "fallback.xlsx", "zh-CN")
    fast = sheet_xml(tmp_path / "fast.xlsx")
    with zipfile.ZipFile(tmp_path / "fast.xlsx") as archive:  # every part is well-formed XML
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))
    assert b'xml:space="preserve"' in fast and b"&amp; &lt;" in fast  # the awkward cases are there
    assert fast == sheet_xml(tmp_path / "cells.xlsx") == sheet_xml(tmp_path / "fallback.xlsx")


def test_a_normal_workbook_gets_the_same_cells(populated: Context, tmp_path: Path) -> None:
    """`append_request_sheet` also works on an ordinary (not write-only) workbook."""
    workbook = Workbook()
    tz = services.timezone_of(populated)
    assert append_request_sheet(workbook, "Requests", services.iter_requests(populated), tz, "en") == 3
    workbook.save(tmp_path / "normal.xlsx")
    export(populated, tmp_path / "export.xlsx")
    assert sheet_values(tmp_path / "normal.xlsx", 1) == sheet_values(tmp_path / "export.xlsx")


# -- headers ----------------------------------------------------------------------------------------
def test_headers_in_any_language_and_order(ctx: Context, tmp_path: Path) -> None:
    by_key = {key: (en, zh_cn, zh_tw) for key, en, zh_cn, zh_tw, *_ in COLUMNS}
    header = [by_key["description"][2], "内部编号", by_key["status"][0], by_key["customer"][1], by_key["submitted_at"][2],
              by_key["owner"][0], by_key["priority"][1], by_key["id"][0], by_key["source"][2]]
    row = ["登录页报错", "X-77", "In progress", "某银行", "2025-03-01 09:00", "技术部/赵工", "高", "", "郵件"]
    sheet = write_xlsx(tmp_path / "mixed.xlsx", [header, row])
    result = import_file(ctx, sheet)
    assert result.created == 1 and any("内部编号" in str(w) for w in result.warnings)  # unknown column named, skipped
    request = services.get(ctx, "202503-001")
    assert (request.description, request.customer, request.status, request.priority, request.source) == \
        ("登录页报错", "某银行", "in-progress", "high", "email")
    assert (request.department, request.owner) == ("技术部", "赵工")
    path = tmp_path / "mixed.csv"  # the same as CSV, tab-separated, as Excel's "Unicode text"
    path.write_text("\n".join(["\t".join(header), "\t".join(row).replace("登录页报错", "另一个")]), encoding="utf-8")
    assert import_file(ctx, path).created == 1
    assert services.get(ctx, "202503-002").description == "另一个"


def test_two_columns_are_enough(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "minimal.csv"
    path.write_text("描述,客户\r\n打不开报表,A公司\r\n", encoding="utf-8")
    result = import_file(ctx, path)
    assert result.created == 1 and any("submission time" in str(w) for w in result.warnings)
    request = services.get(ctx, "202503-001")
    assert (request.description, request.customer, request.status, request.submitted_at) == ("打不开报表", "A公司", "pending", NOW)


def test_a_sheet_without_the_required_columns_is_refused(ctx: Context, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "x.xlsx", [["Name", "Phone"], ["a", "b"]])
    with pytest.raises(InvalidInput, match="no header row"):
        import_file(ctx, sheet)


# -- CSV encodings and the formula guard both ways ---------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(ctx: Context, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "old.csv"
    text = "需求编号,所属客户/项目,需求描述,需求来源,优先级\r\n,科技有限公司,希望增加“批量导出”功能,客户电话,中\r\n"
    path.write_bytes(text.encode(encoding))
    result = import_file(ctx, path)
    assert result.created == 1
    request = services.get(ctx, "202503-001")
    assert (request.description, request.source, request.priority) == ("希望增加“批量导出”功能", "phone", "medium")


def test_csv_that_is_no_known_encoding_is_refused(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Customer,Description\r\nA," + b"\xff\xfe\xfd\x80\x80")
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        import_file(ctx, path)


def test_csv_formula_guard_both_ways(populated: Context, tmp_path: Path) -> None:
    export(populated, tmp_path / "out.csv")
    records = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    by_id = {r[0]: r for r in records[1:]}
    assert by_id["202503-002"][5] == "'=1+1" and by_id["202503-002"][3] == "'-Minus Corp"
    assert by_id["202503-002"][17] == "'+SUM(A1:A9)" and by_id["202503-001"][2] == "'@bob"
    assert by_id["202503-001"][17] == "'\t=tab first"
    # A CSV from another tool: a guarded cell loses exactly its guard; other text is taken as typed.
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("Customer,Description,Notes\r\nA,'=SUM(A1:A9),'plain apostrophe\r\nB,=1+1,''=two\r\n",
                       encoding="utf-8")
    empty = fresh_context(tmp_path, "empty.db")
    assert import_file(empty, foreign).created == 2
    first, second = services.get(empty, "202503-001"), services.get(empty, "202503-002")
    assert (first.description, first.notes) == ("=SUM(A1:A9)", "'plain apostrophe")
    assert (second.description, second.notes) == ("=1+1", "'=two")
    # ...and they go out guarded again, in CSV and xlsx alike.
    export(empty, tmp_path / "again.csv")
    assert "'=1+1" in (tmp_path / "again.csv").read_text(encoding="utf-8-sig")
    export(empty, tmp_path / "again.xlsx")
    cells = [c for row in load_workbook(tmp_path / "again.xlsx").worksheets[0].iter_rows(min_row=2) for c in row]
    guarded = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert guarded and all(c.data_type == "s" and c.quotePrefix for c in guarded)


@settings(max_examples=examples(200), deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
def test_guard_and_escape_give_back_any_text(text: str) -> None:
    guarded = guard_csv(text)
    assert not guarded or guarded[0] not in "=+-@\t\r"
    assert unguard(guarded) == text
    escaped = ooxml_escape(text)
    assert _CONTROL.search(escaped) is None and ooxml_unescape(escaped) == text


# -- masking ---------------------------------------------------------------------------------------
def test_a_masked_workbook_stays_refused_without_its_info_sheet(populated: Context, tmp_path: Path) -> None:
    export(populated, tmp_path / "masked.xlsx", "zh-TW", mask=True)
    workbook = load_workbook(tmp_path / "masked.xlsx")
    del workbook[workbook.sheetnames[1]]  # someone deletes the info sheet
    workbook.save(tmp_path / "masked.xlsx")
    before = services.get(populated, "202405-001")
    with pytest.raises(InvalidInput, match="masked"):
        import_file(populated, tmp_path / "masked.xlsx")
    assert services.get(populated, "202405-001") == before
    assert before.proposer == "王经理"


# -- the template's own example --------------------------------------------------------------------
# Section 三 of the seed, as the seed writes it (its copy has pinyin glosses such as 開發(fā)).
SEED_EXAMPLE = {
    "需求編號": "202405-001", "需求來源": "客戶電話", "提出人": "*經(jīng)理", "所屬客戶/項目": "科技有限公司",
    "需求類型": "功能優(yōu)化", "附件": "無", "提出時間": "2024-05-0114:30", "優先級": "中", "計劃完成時間": "2024-05-15",
    "實際完成時間": "2024-05-14", "需求狀態": "已完成", "驗證結果": "通過", "客戶滿意度": "滿意",
    "需求對接人": "*工(客戶成功部)",
    "負責部門/負責人": "產(chǎn)品部*經(jīng)理",
    "需求描述": "希望在數(shù)據(jù)報表模塊增加“自定義時間范圍篩選”功能,支持導出為PDF格式",
    "處理過程": "5月3日:需求評審會確定優(yōu)先級為中;5月10日:完成功能開發(fā);5月14日:客戶驗證通過",
    "備註": "該功能與現(xiàn)有“數(shù)據(jù)導出”模塊相關,需同步測試兼容性",
}


def test_the_seed_example_literals_are_the_seeds_own_text() -> None:
    if not SEED.exists():
        skip_or_fail_in_ci(f"the seed file {SEED} is not there (../shared beside the repository)")
    seed = SEED.read_text(encoding="utf-8")
    missing = [key for key, value in SEED_EXAMPLE.items() if value not in seed]
    assert missing == [], missing


def test_the_seed_example_as_written_imports(cli, tmp_path: Path) -> None:
    headers = [c[3] for c in COLUMNS]
    assert set(SEED_EXAMPLE) == set(headers)
    # and with the seed's glossed headers
    glossed = {"優先級": "優(yōu)先級", "需求狀態": "需求狀態(tài)"}
    sheet = write_xlsx(tmp_path / "glossed.xlsx", [[glossed.get(h, h) for h in headers],
                                                   [SEED_EXAMPLE[h] for h in headers]])
    assert cli("import", str(sheet), "--dry-run").exit_code == 0
    table = read_table(sheet)
    table.close()
    assert not table.ignored and {"priority", "status"} <= {c.key for c in table.columns}
    sheet = write_xlsx(tmp_path / "模板.xlsx", [["客戶需求管理模板"], [], headers, [SEED_EXAMPLE[h] for h in headers]])
    result = cli("import", str(sheet))
    assert result.exit_code == 0, result.stderr
    assert "1 created" in result.stdout
    shown = cli("show", "202405-001", "--json")
    import json

    request = json.loads(shown.stdout)
    assert request["status"] == "done" and request["source"] == "phone" and request["priority"] == "medium"
    assert request["owner"] == "*經(jīng)理" and request["department"] == "產(chǎn)品部"
    assert request["verification"] == "pass" and request["satisfaction"] == "satisfied"
    assert request["attachments"] == [] and request["history"][0]["note"] == SEED_EXAMPLE["處理過程"]


# -- all or nothing ----------------------------------------------------------------------------------
def test_an_import_killed_half_way_leaves_nothing(populated: Context, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = tmp_path / "week.xlsx"
    export(populated, sheet)
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    rows.append([None, "Email", None, "NEW Corp", None, "a new row"])  # to be created
    rows["Q2"] = "Dissatisfied"  # an update of the newest request
    workbook.save(sheet)
    empty = fresh_context(tmp_path, "empty.db")
    services.register(empty, "already here", "X", at="2025-01-01 09:00")

    def killed(self, **kwargs) -> None:
        raise KeyboardInterrupt  # after every row went to the database, before the commit

    monkeypatch.setattr(Repository, "record_import", killed)
    for ctx in (populated, empty):
        before = [services.get(ctx, r.id) for r in services.list_requests(ctx).requests]
        with pytest.raises(KeyboardInterrupt):
            import_file(ctx, sheet)
        assert [services.get(ctx, r.id) for r in services.list_requests(ctx).requests] == before
    monkeypatch.undo()
    result = import_file(populated, sheet)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)


def test_an_import_written_in_many_batches_commits_once_at_the_end(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows go to the database batch by batch, all in one transaction: a failure after some
    batches were written (in the third batch, or just before the commit) leaves nothing, and a
    whole import commits once."""
    from reqtrack.storage.repository import UnitOfWork

    monkeypatch.setattr("reqtrack.services.imports.BATCH", 10)  # 35 rows: four batches
    sheet = tmp_path / "many.csv"
    sheet.write_text("Customer,Description,Submitted at\r\n" + "".join(
        f"Customer {n},row {n},2025-01-06 09:{n:02d}\r\n" for n in range(35)), encoding="utf-8")
    ctx = fresh_context(tmp_path, "many.db")
    services.register(ctx, "already here", "X", at="2025-01-01 09:00")
    add_many = Repository.add_many
    calls: list[int] = []

    def third_batch_fails(self, requests, *args, **kwargs):
        calls.append(len(requests))
        if len(calls) == 3:
            raise RuntimeError("disk gone")
        return add_many(self, requests, *args, **kwargs)

    def killed(self, **kwargs) -> None:
        raise KeyboardInterrupt  # every batch written, the import not yet logged nor committed

    for name, replacement, error in (("add_many", third_batch_fails, RuntimeError),
                                     ("record_import", killed, KeyboardInterrupt)):
        with monkeypatch.context() as patch:
            patch.setattr(Repository, name, replacement)
            with pytest.raises(error):
                import_file(ctx, sheet)
        assert count_requests(ctx) == 1, name  # none of the 35 rows, not even the first batches
    assert calls == [10, 10, 10]
    commits: list[int] = []
    commit = UnitOfWork.commit

    def counted(self) -> None:
        commits.append(1)
        commit(self)

    monkeypatch.setattr(UnitOfWork, "commit", counted)
    result = import_file(ctx, sheet)
    assert (result.created, count_requests(ctx), len(commits)) == (35, 36, 1)


def test_a_bad_row_in_a_csv_names_row_column_and_value(cli, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Customer,Description,Priority,Planned completion\r\n"
                    "A,one,high,2025-03-20\r\nB,two,urgent-ish,2025-03-21\r\nC,three,low,next week\r\n", encoding="utf-8-sig")
    result = cli("import", str(path))
    assert result.exit_code == 2 and not database_exists(db_path)
    assert 'row 3, column C (Priority): "urgent-ish": not a known priority' in result.stderr
    assert 'row 4, column D (Planned completion): "next week": not a valid date or time' in result.stderr


# -- round trips ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh-CN", "zh-TW"])
def test_round_trip_in_every_language(populated: Context, tmp_path: Path, lang: str) -> None:
    first = tmp_path / "first.xlsx"
    export(populated, first, lang)
    empty = fresh_context(tmp_path, "empty.db")
    assert import_file(empty, first).created == 3
    export(empty, tmp_path / "second.xlsx", lang)
    assert sheet_values(first) == sheet_values(tmp_path / "second.xlsx")
    assert import_file(empty, first).unchanged == 3  # and the same sheet again changes nothing
    original, copy = services.get(populated, "202405-001"), services.get(empty, "202405-001")
    assert [(e.at, e.action, e.note) for e in copy.history] == [(e.at, e.action, e.note) for e in original.history]
    assert (copy.due, copy.completed_at, copy.verification, copy.satisfaction) == \
        (original.due, original.completed_at, original.verification, original.satisfaction)


def test_cut_cells_in_a_new_request_are_imported_cut_and_said_so(ctx: Context, tmp_path: Path) -> None:
    long_text = "需" * 33000 + "END"
    services.register(ctx, long_text, "ACME", at="2025-03-01 09:00")
    export(ctx, tmp_path / "out.xlsx")
    export(ctx, tmp_path / "out.csv")
    from_xlsx, from_csv = fresh_context(tmp_path, "a.db"), fresh_context(tmp_path, "b.db")
    result = import_file(from_xlsx, tmp_path / "out.xlsx")
    assert any("(rows 2)" in str(w) and "cut" in str(w) for w in result.warnings)
    assert len(services.get(from_xlsx, "202503-001").description) <= EXCEL_CELL_LIMIT
    assert import_file(from_csv, tmp_path / "out.csv").warnings == []
    assert services.get(from_csv, "202503-001").description == long_text  # the CSV keeps the whole text


def test_a_process_log_of_another_format_is_one_imported_note(ctx: Context, tmp_path: Path) -> None:
    log = "5/3 评审通过\n5/10 开发完成"
    sheet = write_xlsx(tmp_path / "x.xlsx", [["Customer", "Description", "Process log", "Submitted at"],
                                              ["A", "one", log, "2024-05-01 14:30"]])
    import_file(ctx, sheet)
    request = services.get(ctx, "202405-001")
    assert [(e.action, e.note, e.at) for e in request.history] == [("import", log, NOW)]


# -- time zones ---------------------------------------------------------------------------------------
def test_an_export_from_another_zone_keeps_its_times(populated: Context, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The info sheet states the export's zone: a new database on a machine in another zone takes
    it (same cells again), an existing database in another zone converts date-times, keeps dates."""
    first = tmp_path / "first.xlsx"
    export(populated, first)
    monkeypatch.setenv("TZ", "UTC")
    fresh = fresh_context(tmp_path, "fresh.db")
    result = import_file(fresh, first)
    assert any("takes the file's time zone Asia/Shanghai" in str(w) for w in result.warnings)
    assert str(services.timezone_of(fresh)) == "Asia/Shanghai"
    export(fresh, tmp_path / "second.xlsx")
    assert sheet_values(first) == sheet_values(tmp_path / "second.xlsx")
    utc = fresh_context(tmp_path, "utc.db")
    services.register(utc, "already here", "X", at="2025-01-01 09:00")
    assert str(services.timezone_of(utc)) == "UTC"
    result = import_file(utc, first)
    assert result.created == 3 and any("converted" in str(w) for w in result.warnings)
    original, copy = services.get(populated, "202405-001"), services.get(utc, "202405-001")
    assert (copy.submitted_at, copy.completed_at, copy.due) == (original.submitted_at, original.completed_at, original.due)
    assert [e.at for e in copy.history] == [e.at for e in original.history]
    dated = services.get(utc, "202503-002")  # a date-only deadline is the same date in the database's zone
    assert dated.due_is_date and dated.due.astimezone(timezone.utc).date().isoformat() == "2025-03-20"


# -- the progress bar ---------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_for_long_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    from reqtrack.views import progress

    monkeypatch.setattr("sys.stderr", io.StringIO())
    update, stop = progress.export_progress()
    assert update is None  # piped: silent
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    update, stop = progress.export_progress()
    update(0, 100)
    update(100, 100)
    stop()
    assert terminal.getvalue() == ""  # a short export needs no bar
    update, stop = progress.export_progress()
    update(0, 50_000)
    update(25_000, 50_000)
    stop()
    assert "exporting" in terminal.getvalue()


# -- examples/weekly-export.sh ----------------------------------------------------------------------
FAKE_DATE = """#!/bin/sh
# `date` as GNU date answers it on $FAKE_TODAY: the test's "today", which does not move at midnight.
expr=""
if [ "$1" = "-d" ]; then expr="$2"; shift 2; fi
exec {real} -d "$FAKE_TODAY $expr" "$@"
"""


@pytest.mark.e2e
@pytest.mark.parametrize("today", ["2025-03-12", "2025-03-16", "2025-03-10"])  # a Wednesday, a Sunday, a Monday
def test_weekly_export_script(tmp_path: Path, db_path: Path, today: str) -> None:
    """The example exports the previous calendar week's requests to a dated workbook. "Today" is
    pinned (a `date` on PATH that answers for that day, and REQTRACK_NOW): a run that crossed
    midnight would otherwise name last week by two different days."""
    import os
    import shutil
    import subprocess

    script = REPO_ROOT / "examples" / "weekly-export.sh"
    assert os.access(script, os.X_OK)
    exe = installed_reqtrack()
    real_date = shutil.which("date")
    if real_date is None or subprocess.run([real_date, "-d", "2025-03-12 -9 days", "+%F"], capture_output=True,
                                           text=True).stdout.strip() != "2025-03-03":
        skip_or_fail_in_ci("needs GNU date (date -d) to pin the script's today")
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "date").write_text(FAKE_DATE.format(real=real_date))
    (shims / "date").chmod(0o755)
    env = {**os.environ, "TZ": "Asia/Shanghai", "REQTRACK_DB": str(db_path), "FAKE_TODAY": today,
           "REQTRACK_NOW": f"{today}T10:00:00+08:00",
           "PATH": f"{shims}{os.pathsep}{Path(exe).parent}{os.pathsep}{os.environ['PATH']}"}
    for description, at in (("last week", "2025-03-05 10:00"), ("this week", "now"), ("before", "2025-03-02 23:59"),
                            ("last minute of last week", "2025-03-09 23:59")):
        made = subprocess.run([exe, "new", description, "--customer", "A", "--at", at], env=env, capture_output=True,
                              text=True)
        assert made.returncode == 0, made.stderr
    done = subprocess.run(["bash", str(script), str(tmp_path / "out"), "--lang", "zh-CN"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "out" / "requests-2025-03-03_2025-03-09.xlsx"  # Monday to Sunday of the week before
    assert done.stdout.strip().splitlines()[-1] == str(path)
    rows = sheet_values(path)
    assert rows[0][0] == "需求编号" and sorted(r[5] for r in rows[1:]) == ["last minute of last week", "last week"]


def test_export_refuses_a_target_that_is_not_a_regular_file(cli, tmp_path) -> None:
    """Renaming the finished file over a pipe (or /dev/null, as root) would replace the special file."""
    import os
    import stat

    cli("new", "x", "--customer", "ACME")
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    result = cli("export", str(pipe))
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
