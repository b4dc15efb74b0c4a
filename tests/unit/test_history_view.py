"""The history's changes as `show` prints them (views/history.py, SPEC §11): field labels, vocabulary
labels, times in the database's zone (a planned completion set as a date shows as the date), no
internal keys; and the notes reqtrack wrote itself, in the chosen language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reqtrack.domain import lifecycle
from reqtrack.domain.record import HistoryEntry, Request
from reqtrack.domain.sla.settings import SETTINGS
from reqtrack.views.history import changes_text, history_rows, note_text
from reqtrack.views.labels import LABELS, SETTING_MEANINGS, label, setting_meaning

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 18, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
NOW = T0 + timedelta(days=30)


def entry(changes: dict, action: str = "edit", note: str = "") -> HistoryEntry:
    return HistoryEntry(seq=2, at=T0, action=action, actor="lead", changes=changes, note=note)


def worked_request() -> Request:
    """Registered, assessed by scores, assigned with a date due, reported done, verified, closed."""
    request = Request(id="202611-001", customer="客户甲", description="登录页面报错", submitted_at=T0, source="email", type="bug")
    lifecycle.register(request, "lead", NOW)
    lifecycle.classify(request, T0 + timedelta(hours=1), NOW, "lead", scores={"value": 8, "urgency": 7, "cost": 3, "impact": 8})
    due = datetime(2026, 11, 25, 15, 59, 59, tzinfo=timezone.utc)  # the end of 25 November in Shanghai
    lifecycle.assign(request, T0 + timedelta(hours=2), NOW, "lead", owner="张三", due=due, due_is_date=True, reason="数据库")
    lifecycle.progress(request, T0 + timedelta(days=8), NOW, "lead", "修好了", done=True)
    lifecycle.verify(request, T0 + timedelta(days=8, hours=1), NOW, "lead", passed=True, satisfaction="satisfied")
    lifecycle.close(request, T0 + timedelta(days=8, hours=2), NOW, "lead")
    return request


def test_changes_name_fields_by_their_labels_with_local_times_and_dates() -> None:
    rows = list(history_rows(worked_request(), SHANGHAI, "zh-CN"))
    by_action = {action: changes for _, action, _, _, changes in rows}
    assert by_action["登记"].splitlines() == ["所属客户/项目: 客户甲", "需求来源: 邮件", "需求类型: 问题修复"]
    assert by_action["分类评估"].splitlines() == ["评估得分: 客户价值 8、紧急程度 7、资源成本 3、业务影响 8", "优先级: 高"]
    assert by_action["分配"].splitlines() == ["需求状态: 待处理 → 处理中", "负责人: 张三", "计划完成时间: 2026-11-25", "分配理由: 数据库"]
    assert by_action["完成"].splitlines() == ["需求状态: 处理中 → 待验证", "实际完成时间: 2026-11-26 09:00"]  # 01:00 UTC
    assert by_action["归档关闭"].splitlines() == ["需求状态: 已完成 → 已关闭", "关闭时间: 2026-11-26 11:00"]
    assert [when for when, *_ in rows][0] == "2026-11-26 11:00"  # newest first, local
    english = {action: changes for _, action, _, _, changes in history_rows(worked_request(), SHANGHAI, "en")}
    assert english["Completed"].splitlines() == ["Status: In progress → Verifying", "Actual completion: 2026-11-26 09:00"]
    assert "Planned completion: 2026-11-25" in english["Assigned"]


def test_internal_keys_never_show_and_a_planned_time_keeps_its_minutes() -> None:
    changes = {"due": [None, "2026-11-25T10:30:00+00:00"], "due_is_date": [True, False]}
    assert changes_text(entry(changes), SHANGHAI, "zh-CN") == "计划完成时间: 2026-11-25 18:30"
    changed = {"due": ["2026-11-25T15:59:59+00:00", "2026-11-27T15:59:59+00:00"]}
    assert changes_text(entry(changed), SHANGHAI, "zh-TW", due_dates=(True, True)) == "計劃完成時間: 2026-11-25 → 2026-11-27"
    shown = changes_text(entry({"due_is_date": [False, True]}), SHANGHAI, "en")
    assert shown == "" and "due_is_date" not in shown


@pytest.mark.parametrize(("changes", "lang", "shown"), [
    ({"completed_at": ["2026-11-26T01:00:00+00:00", None]}, "zh-CN", "实际完成时间: 2026-11-26 09:00 → （无）"),
    ({"waiting": [False, True]}, "zh-CN", "等待客户: 否 → 是"),
    ({"waiting": [True, False]}, "en", "Waiting on customer: yes → no"),
    ({"feasibility": [None, "defer"]}, "zh-TW", "可行性: 暫不執行"),
    ({"submitted_at": ["2026-11-18T01:00:00+00:00", "2026-11-17T16:00:00+00:00"]}, "zh-CN",
     "提出时间: 2026-11-18 09:00 → 2026-11-18 00:00"),
    ({"kind": [None, "ack"], "channel": [None, "email"]}, "zh-CN", "通知类型: 受理确认\n通知渠道: 邮件"),
    ({"attachment": [None, "日志.zip"]}, "zh-CN", "附件: 日志.zip"),
    ({"department": [None, "技术部"], "owner": ["张三", "李四"]}, "zh-CN", "负责部门: 技术部\n负责人: 张三 → 李四"),
    ({"unknown_field": [1, 2]}, "zh-CN", "unknown_field: 1 → 2"),  # a field this version does not know: as it is
])
def test_each_kind_of_value_reads_as_people_say_it(changes: dict, lang: str, shown: str) -> None:
    assert changes_text(entry(changes), SHANGHAI, lang) == shown


def test_the_notes_reqtrack_wrote_are_said_in_the_language_and_typed_notes_stay() -> None:
    assert note_text(entry({}, "classify", "score 7.70 → high"), "zh-CN") == "评估得分 7.70 → 优先级高"
    assert note_text(entry({}, "classify", "要紧 (score 5.25 → medium)"), "zh-TW") == "要紧 (評估得分 5.25 → 優先級中)"
    assert note_text(entry({}, "attach", "a.png (120 bytes, sha256 0123456789ab)"), "zh-CN") == \
        "a.png（120 字节，校验值 0123456789ab）"
    assert note_text(entry({}, "notice", "ack via phone — 已口头告知"), "zh-CN") == "受理确认（经电话）——已口头告知"
    assert note_text(entry({}, "import", "in.xlsx, row 3"), "zh-CN") == "in.xlsx 第 3 行"
    assert note_text(entry({}, "cancel", "duplicate of 202611-002"), "zh-CN") == "与 202611-002 重复"
    assert note_text(entry({}, "progress", "score 7.70 → high"), "zh-CN") == "score 7.70 → high"  # typed, kept
    assert note_text(entry({}, "classify", "score 7.70 → high"), "en") == "score 7.70 → high"


def test_every_setting_has_its_meaning_in_chinese_and_the_english_is_its_own() -> None:
    assert set(SETTING_MEANINGS) == set(SETTINGS)
    for key, spec in SETTINGS.items():
        assert setting_meaning(key, spec.description, "en") == spec.description
        assert setting_meaning(key, spec.description, "zh-TW") == SETTING_MEANINGS[key][1]


def test_every_label_has_its_three_languages_and_the_same_placeholders() -> None:
    import string

    for key, texts in LABELS.items():
        assert len(texts) == 3 and all(texts), key
        names = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts]
        assert names[1] <= names[0] and names[2] <= names[0], key  # Chinese may leave out the English plural's {s}


def test_the_check_note_said_in_chinese_is_the_one_the_service_writes() -> None:
    from reqtrack.services.admin import NO_PAGE_CHECK
    from reqtrack.views.admin import _NO_PAGE_CHECK

    assert NO_PAGE_CHECK.startswith(_NO_PAGE_CHECK) and label("check.no_page_note", "en") == NO_PAGE_CHECK
