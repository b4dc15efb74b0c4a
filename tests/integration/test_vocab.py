"""The vocabularies that fit the team, through the services on both engines (SPEC §10, issue 17):
a database's own types and sources, their routing, retirement, and what export, import, the
report and `check` make of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import new_pg_schema
from helpers import NOW, export, sheet_values
from reqtrack import services
from reqtrack.domain.errors import InvalidInput
from reqtrack.services import Context
from reqtrack.services import vocab as vocabs
from reqtrack.services.import_rows import ImportRefused
from reqtrack.services.imports import import_file
from reqtrack.views.messages import render


def team_vocabulary(ctx: Context) -> None:
    """The feedback guide's five categories and the common Chinese channels, as the example does."""
    vocabs.edit(ctx, "type", "feature", {}, department="产品部")
    vocabs.edit(ctx, "type", "bug", {}, department="技术部")
    vocabs.edit(ctx, "type", "support", {}, drop_aliases=["咨询", "諮詢"])
    vocabs.add(ctx, "type", "consult", {"en": "Inquiry", "zh-CN": "咨询类", "zh-TW": "諮詢類"}, ["咨询", "諮詢"], "客服部")
    vocabs.add(ctx, "type", "suggestion", {"en": "Suggestion", "zh-CN": "建议类", "zh-TW": "建議類"}, ["建议"], "客服部")
    vocabs.add(ctx, "type", "complaint", {"en": "Complaint", "zh-CN": "投诉类", "zh-TW": "投訴類"}, ["投诉", "投訴"],
               "客户成功部")
    vocabs.add(ctx, "source", "wecom", {"en": "WeCom", "zh-CN": "企业微信", "zh-TW": "企業微信"}, ["企微"])
    vocabs.add(ctx, "source", "dingtalk", {"en": "DingTalk", "zh-CN": "钉钉", "zh-TW": "釘釘"})
    vocabs.add(ctx, "source", "ticket", {"en": "Ticket system", "zh-CN": "工单平台", "zh-TW": "工單平台"}, ["工单"])


def other_database(engine: str, tmp_path: Path, request: pytest.FixtureRequest, name: str) -> Context:
    """A second, empty database on the same engine."""
    location = new_pg_schema(request) if engine == "postgres" else tmp_path / f"{name}.db"
    return Context(db_path=location, actor="importer", clock=lambda: NOW)


def test_a_complaint_type_is_added_used_and_routed_to_its_department(ctx: Context) -> None:
    added = vocabs.add(ctx, "type", "complaint", {"zh-CN": "投诉类"}, ["投诉"], "客服部")
    assert added.entry.labels == ("Complaint", "投诉类", "投诉类") and dict(added.filled) == {"zh-TW": "zh-CN", "en": "key"}
    request = services.register(ctx, "客服态度差，要求道歉", "华信银行", type="投诉", priority="high", at="2025-03-10 09:00")
    assert request.type == "complaint"
    assigned = services.assign_routed(ctx, request.id, owner="王芳", at="2025-03-10 10:00")
    assert assigned.request.department == "客服部" and assigned.routed_to == "客服部"
    assert assigned.type_label["zh-CN"] == "投诉类"
    assert services.get(ctx, request.id).department == "客服部"
    explicit = services.assign_routed(ctx, request.id, owner="李雷", department="法务部", at="2025-03-10 11:00")
    assert explicit.request.department == "法务部" and explicit.routed_to is None  # --dept wins, nothing said
    plain = services.register(ctx, "导出慢", "ACME", type="bug", priority="low", at="2025-03-10 09:30")
    unrouted = services.assign_routed(ctx, plain.id, owner="Li", at="2025-03-10 10:00")
    assert unrouted.routed_to is None and unrouted.request.department is None  # a type without a department


def test_the_entries_live_in_the_database_and_a_new_context_reads_them(ctx: Context) -> None:
    team_vocabulary(ctx)
    again = Context(db_path=ctx.db_path, actor="someone else", clock=lambda: NOW)
    view = vocabs.show(again, "type")
    keys = [e.key for e in view.entries("type")]
    assert keys == ["improvement", "bug", "feature", "support", "other", "consult", "suggestion", "complaint"]
    consult = next(e for e in view.entries("type") if e.key == "consult")
    assert consult.labels == ("Inquiry", "咨询类", "諮詢類") and consult.aliases == ("咨询", "諮詢")
    assert services.register(again, "怎么导出", "ACME", type="咨询").type == "consult"  # the alias moved from support
    assert services.register(again, "x", "ACME", source="企微").source == "wecom"
    assert vocabs.show(again).fields == ("source", "type")


def test_conflicts_are_refused_and_leave_the_vocabulary_as_it_was(ctx: Context) -> None:
    team_vocabulary(ctx)
    before = vocabs.show(ctx).vocabularies.entries("type")
    for attempt in (
        lambda: vocabs.add(ctx, "type", "complaint", {"zh-CN": "又一个"}),
        lambda: vocabs.add(ctx, "type", "gripe", {"zh-CN": "投诉"}),
        lambda: vocabs.add(ctx, "type", "gripe", {"en": "complaint"}),
        lambda: vocabs.edit(ctx, "type", "suggestion", {"zh-TW": "投訴類"}),
        lambda: vocabs.add(ctx, "source", "wechat-work", {"zh-CN": "企业微信"}),
    ):
        with pytest.raises(InvalidInput):
            attempt()
    assert vocabs.show(ctx).vocabularies.entries("type") == before


def test_a_retired_source_is_refused_for_new_requests_and_kept_on_old_ones(ctx: Context, tmp_path: Path) -> None:
    team_vocabulary(ctx)
    old = services.register(ctx, "钉钉群里提的", "ACME", source="钉钉", at="2025-03-01 09:00")
    retired = vocabs.retire(ctx, "source", "dingtalk")
    assert retired.changed and retired.uses == 1 and retired.entry.retired
    assert vocabs.retire(ctx, "source", "钉钉").changed is False  # once is enough
    with pytest.raises(InvalidInput, match="retired"):
        services.register(ctx, "new one", "ACME", source="dingtalk")
    other = services.register(ctx, "other", "ACME", source="phone", at="2025-03-02 09:00")
    with pytest.raises(InvalidInput, match="retired"):
        services.edit(ctx, other.id, {"source": "钉钉"})
    kept = services.show(ctx, old.id)
    assert kept.request.source == "dingtalk" and kept.vocabularies.source.label("dingtalk", "zh-TW") == "釘釘"
    assert [r.id for r in services.list_requests(ctx, source="钉钉").requests] == [old.id]  # filters read it
    services.edit(ctx, old.id, {"notes": "still editable"})  # its other fields can still be corrected
    export(ctx, tmp_path / "old.xlsx", "zh-CN")
    assert sheet_values(tmp_path / "old.xlsx")[2][1] == "钉钉"  # the oldest row, labelled
    vocabs.restore(ctx, "source", "dingtalk")
    assert services.register(ctx, "back again", "ACME", source="dingtalk").source == "dingtalk"


def test_export_and_report_use_the_database_labels(ctx: Context, tmp_path: Path) -> None:
    team_vocabulary(ctx)
    services.register(ctx, "投诉处理太慢", "华信银行", source="企业微信", type="投诉", at="2025-03-10 09:00")
    services.register(ctx, "建议加夜班客服", "ACME", source="工单平台", type="建议类", at="2025-03-11 09:00")
    for lang, labels in (("zh-CN", ("工单平台", "建议类", "企业微信", "投诉类")), ("zh-TW", ("工單平台", "建議類", "企業微信", "投訴類")),
                         ("en", ("Ticket system", "Suggestion", "WeCom", "Complaint"))):
        export(ctx, tmp_path / f"out-{lang}.xlsx", lang)
        rows = sheet_values(tmp_path / f"out-{lang}.xlsx")
        assert (rows[1][1], rows[1][4], rows[2][1], rows[2][4]) == labels
        export(ctx, tmp_path / f"out-{lang}.csv", lang)
        assert all(text in (tmp_path / f"out-{lang}.csv").read_text("utf-8-sig") for text in labels)
    from reqtrack.services import report as reports
    from reqtrack.views.figures import key_label

    result = reports.report(ctx, from_="2025-03-01", to="2025-04-01", with_requests=True)
    assert result.data["by_type"] == {"complaint": 1, "suggestion": 1}
    assert key_label("by_type", "complaint", "zh-CN", result.vocabularies) == "投诉类"
    assert key_label("by_source", "wecom", "zh-TW", result.vocabularies) == "企業微信"
    from reqtrack.excel.workbook import write_report_workbook

    write_report_workbook(tmp_path / "meeting.xlsx", result.data, result.requests, result.tz, "zh-CN",
                          result.vocabularies)
    every_cell = {cell for sheet in range(8) for row in sheet_values(tmp_path / "meeting.xlsx", sheet) for cell in row}
    assert {"投诉类", "建议类", "企业微信", "工单平台"} <= every_cell
    assert "complaint" not in every_cell and "wecom" not in every_cell


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_import_round_trip_with_custom_entries_keeps_every_cell(
        ctx: Context, engine: str, tmp_path: Path, request: pytest.FixtureRequest, suffix: str) -> None:
    team_vocabulary(ctx)
    vocabs.retire(ctx, "source", "dingtalk")
    services.register(ctx, "投诉处理太慢", "华信银行", source="企业微信", type="投诉", priority="high", at="2025-03-10 09:00")
    services.assign(ctx, "202503-001", owner="王芳", at="2025-03-10 10:00")  # routed: 客户成功部
    services.register(ctx, "建议加夜班客服", "ACME", source="工单平台", type="建议类", at="2025-03-11 09:00")
    services.register(ctx, "怎么导出", "Initech", source="phone", type="consult", at="2025-03-12 09:00")
    vocabs.restore(ctx, "source", "dingtalk")
    services.register(ctx, "钉钉群反馈", "Globex", source="钉钉", type="bug", at="2025-03-12 10:00")
    vocabs.retire(ctx, "source", "dingtalk")  # a retired entry on an old record goes through too
    first = tmp_path / f"first.{suffix}"
    export(ctx, first, "zh-CN")
    target = other_database(engine, tmp_path, request, "target")
    services.register(target, "placeholder", "X", at="2025-01-01 09:00")  # the target exists; now its vocabulary
    team_vocabulary(target)
    vocabs.retire(target, "source", "dingtalk")
    result = import_file(target, first)
    assert (result.created, result.updated) == (4, 0)
    second = tmp_path / f"second.{suffix}"
    export(target, second, "zh-CN", since="2025-03-01")
    if suffix == "xlsx":
        assert sheet_values(first) == sheet_values(second)
    else:
        assert first.read_bytes() == second.read_bytes()
    copied = services.get(target, "202503-001")
    assert (copied.source, copied.type, copied.department) == ("wecom", "complaint", "客户成功部")
    assert import_file(target, first).unchanged == 4  # and again: nothing changes


def test_import_of_a_label_the_database_does_not_know_names_row_column_labels_and_the_fix(
        ctx: Context, engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    team_vocabulary(ctx)
    services.register(ctx, "投诉处理太慢", "华信银行", source="企业微信", type="投诉", at="2025-03-10 09:00")
    export(ctx, tmp_path / "team.xlsx", "zh-CN")
    bare = other_database(engine, tmp_path, request, "bare")
    services.register(bare, "placeholder", "X", at="2025-01-01 09:00")
    with pytest.raises(ImportRefused) as refused:
        import_file(bare, tmp_path / "team.xlsx")
    text = str(refused.value)
    assert refused.value.exit_code == 2
    assert 'row 2, column B (需求来源): "企业微信": not a known source of this database' in text
    assert 'row 2, column E (需求类型): "投诉类": not a known type of this database' in text
    assert "online-form (Online form, 线上表单)" in text and "feature (New feature, 新功能开发)" in text
    assert "reqtrack vocab add type KEY --zh-CN 投诉类" in text and "reqtrack vocab add source KEY --zh-CN 企业微信" in text
    assert services.list_requests(bare).total == 1  # nothing imported
    in_chinese = render(refused.value, "zh-CN")  # the same refusal, as `--lang zh-CN` shows it
    assert 'nothing' not in in_chinese and "新功能开发 (feature)、服务支持 (support)" in in_chinese
    assert '  第 2 行，B 列（需求来源）："企业微信"：不是这个数据库已知的需求来源' in in_chinese


def test_an_unknown_type_is_refused_in_the_chosen_language(ctx: Context) -> None:
    team_vocabulary(ctx)
    with pytest.raises(InvalidInput) as refused:
        services.register(ctx, "x", "ACME", type="特急类")
    text = render(refused.value, "zh-CN")  # as `--lang zh-CN` shows it; str() is the English
    assert text.startswith("无效的需求类型「特急类」") and "投诉类 (complaint)" in text and "咨询类 (consult)" in text
    assert "Complaint" not in text and str(refused.value).startswith("invalid type '特急类'")
    request = services.register(ctx, "x", "ACME", at="2025-03-01 09:00")
    with pytest.raises(InvalidInput) as again:
        services.classify(ctx, request.id, type="特急类")
    assert "需求类型「特急类」" in render(again.value, "zh-CN")


def test_an_unknown_type_does_not_create_a_missing_database(tmp_path: Path) -> None:
    ctx = Context(db_path=tmp_path / "none.db", actor="t", clock=lambda: NOW)
    with pytest.raises(InvalidInput, match="invalid type"):
        services.register(ctx, "x", "ACME", type="特急类")
    assert not (tmp_path / "none.db").exists()


def test_check_reads_the_database_vocabulary(ctx: Context) -> None:
    team_vocabulary(ctx)
    services.register(ctx, "投诉", "ACME", type="complaint", source="wecom")
    from reqtrack.services import admin

    report = admin.check(ctx)
    assert not [p for p in report.problems if p.kind in ("unknown-value", "vocabulary-name-shared")], report.problems
