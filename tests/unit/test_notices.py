"""Customer notices (SPEC §8, docs/notices.md): the `notice` history entry and the response clock,
the values a notice is filled with, the built-in templates in three languages, the template check,
and user text that is shown, never obeyed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import REPO_ROOT, examples, lifecycle_step
from reqtrack.domain import lifecycle, metrics, sla
from reqtrack.domain.calendar import WorkingCalendar
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.notices import KINDS, notice_of, notice_values, progress_since_last_notice
from reqtrack.domain.record import HistoryEntry, Request
from reqtrack.views.notices import PLACEHOLDERS, builtin_template, check_template, format_time, render_notice

UTC = timezone.utc
SHANGHAI = WorkingCalendar("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai
NOW = T0 + timedelta(days=60)
LANGS = ("en", "zh-CN", "zh-TW")
TRICKY = "导出太慢 {{ 7*7 }} {% if true %}yes{% endif %} {# c #} {{ description }} ${x} %s {0}"


def new_request(priority: str | None = "medium", **fields) -> Request:
    values = {"id": "202612-001", "customer": "星辰科技", "description": "希望增加批量导出功能，支持Excel格式",
              "submitted_at": T0, "priority": priority, "proposer": "王经理", "liaison": "李雷"} | fields
    request = Request(**values)
    lifecycle.register(request, "lead", NOW)
    return request


def in_progress(due: datetime | None = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)) -> Request:
    request = new_request("high")
    lifecycle.classify(request, T0 + timedelta(hours=1), NOW, "lead", feasibility="now")
    lifecycle.assign(request, T0 + timedelta(hours=2), NOW, "lead", owner="张工", department="技术部", due=due)
    return request


# -- the `notice` entry --------------------------------------------------------------------------
def test_a_notice_is_recorded_with_its_kind_and_channel() -> None:
    request = new_request()
    entry = lifecycle.notice(request, T0 + timedelta(minutes=20), NOW, "lead", "ack", "wechat", note="王经理已读")
    assert (entry.action, entry.seq, entry.at) == ("notice", 2, T0 + timedelta(minutes=20))
    assert entry.changes == {"kind": [None, "ack"], "channel": [None, "wechat"]}
    assert entry.note == "ack via wechat — 王经理已读"
    assert request.status == "pending" and request.history[-1] is entry
    default = lifecycle.notice(request, T0 + timedelta(minutes=30), NOW, "lead", "plan")
    assert default.changes["channel"] == [None, "email"] and default.note == "plan via email"
    assert lifecycle.notice(request, T0 + timedelta(minutes=40), NOW, "lead", "plan", "  ").changes["channel"][1] == "email"


@pytest.mark.parametrize("route", [(), ("assign",), ("assign", "done"), ("assign", "done", "pass"),
                                   ("assign", "done", "pass", "close"), ("cancel",)])
def test_a_notice_is_allowed_in_every_status_and_changes_none(route: tuple[str, ...]) -> None:
    request = new_request()
    at = T0
    for step in route:
        at += timedelta(hours=1)
        lifecycle_step(request, step, at, NOW, "medium")
    status, fields = request.status, dict(vars(request))
    lifecycle.notice(request, at + timedelta(hours=1), NOW, "lead", "survey" if status == "closed" else "progress")
    after = dict(vars(request))
    assert request.history[-1].action == "notice" and request.responded_at is not None
    for name in ("history", "responded_at"):
        fields.pop(name), after.pop(name)
    assert after == fields  # nothing else changes
    assert request.status == status


def test_a_notice_refuses_a_bad_kind_channel_or_time() -> None:
    request = in_progress()
    with pytest.raises(InvalidInput, match=r"unknown notice kind 'thanks'; use one of ack, plan, progress, done, survey, cancel"):
        lifecycle.notice(request, NOW, NOW, "lead", "thanks")
    with pytest.raises(InvalidInput, match="is in the future"):
        lifecycle.notice(request, NOW + timedelta(minutes=1), NOW, "lead", "ack")
    with pytest.raises(InvalidInput, match="before the latest event"):
        lifecycle.notice(request, T0 + timedelta(hours=1), NOW, "lead", "ack")
    with pytest.raises(InvalidInput, match="--via must be a channel name"):
        lifecycle.notice(request, NOW, NOW, "lead", "ack", "e\nmail")
    with pytest.raises(InvalidInput, match="--via must be a channel name"):
        lifecycle.notice(request, NOW, NOW, "lead", "ack", "x" * 41)
    bare = Request(id="202612-002", customer="C", description="d", submitted_at=T0)  # no history (an import)
    with pytest.raises(InvalidInput, match="before request 202612-002 was submitted"):
        lifecycle.notice(bare, T0 - timedelta(minutes=1), NOW, "lead", "ack")
    assert len(request.history) == 3 and bare.history == []
    lifecycle.notice(request, NOW, NOW, "lead", "done", "企业微信")  # a Chinese channel name, at now exactly


def test_a_notice_answers_the_response_clock_everywhere() -> None:
    """SLA clocks, overdue, responded_at, the report's replay and its stored facts: one rule."""
    policy = sla.SlaPolicy()
    request = new_request()
    late = T0 + timedelta(hours=30)
    assert [r.reason for r in sla.overdue_reasons(request, SHANGHAI, policy, late)] == ["response"]
    lifecycle.notice(request, T0 + timedelta(hours=2), NOW, "lead", "ack", "phone")
    assert request.responded_at == T0 + timedelta(hours=2)
    assert sla.first_response_at(request) == T0 + timedelta(hours=2)
    assert sla.overdue_reasons(request, SHANGHAI, policy, late) == []
    response = next(c for c in sla.request_clocks(request, SHANGHAI, policy, late) if c.name == "response")
    assert response.met_at == T0 + timedelta(hours=2) and not response.was_late
    assert sla.response_met_within(request, policy, late) is True
    assert metrics.response_verdict(request, policy, late) is True
    assert metrics.request_facts(request).responded == T0 + timedelta(hours=2)
    assert sla.running_deadlines(request, SHANGHAI, policy).deadlines.keys() == {"resolution"}
    # A later classify does not move the first response.
    lifecycle.classify(request, T0 + timedelta(hours=3), NOW, "lead", priority="low")
    assert request.responded_at == T0 + timedelta(hours=2) == metrics.request_facts(request).responded


def test_a_late_notice_is_a_late_response() -> None:
    policy = sla.SlaPolicy()
    request = new_request()
    lifecycle.notice(request, T0 + timedelta(hours=25), NOW, "lead", "ack")
    assert sla.response_met_within(request, policy) is False
    assert metrics.response_verdict(request, policy, NOW) is False
    reasons = sla.overdue_reasons(request, SHANGHAI, policy, T0 + timedelta(hours=26))
    assert reasons == []  # answered late: no longer overdue (the report still counts the breach)


def test_the_kind_and_channel_are_read_back_from_changes_or_from_the_note_alone() -> None:
    request = new_request()
    entry = lifecycle.notice(request, T0 + timedelta(hours=1), NOW, "lead", "cancel", "电话", note="客户同意")
    assert notice_of(entry) == ("cancel", "电话")
    exported = HistoryEntry(seq=2, at=entry.at, action="notice", actor="import", note=entry.note)  # a process-log line
    assert notice_of(exported) == ("cancel", "电话")
    assert notice_of(HistoryEntry(seq=2, at=entry.at, action="notice", actor="x", note="called them")) == ("", "")
    assert notice_of(request.history[0]) is None


# -- the values ----------------------------------------------------------------------------------
def test_values_come_from_the_request_its_history_and_the_settings() -> None:
    request = in_progress()
    lifecycle.progress(request, T0 + timedelta(hours=3), NOW, "lead", "已定位问题")
    lifecycle.notice(request, T0 + timedelta(hours=4), NOW, "lead", "progress")
    lifecycle.progress(request, T0 + timedelta(hours=5), NOW, "lead", "开发中")
    lifecycle.progress(request, T0 + timedelta(hours=6), NOW, "lead", "待客户确认字段")
    values = notice_values(request, "progress", {"sla.response_hours": "8", "sla.resolution_days.high": "3"},
                           SHANGHAI, NOW)
    assert (values.id, values.customer, values.proposer, values.liaison) == ("202612-001", "星辰科技", "王经理", "李雷")
    assert (values.priority, values.feasibility, values.owner, values.department) == ("high", "now", "张工", "技术部")
    assert [n.text for n in values.progress_notes] == ["开发中", "待客户确认字段"]  # since the latest notice
    assert not values.waiting and values.last_notice_at == T0 + timedelta(hours=4)
    assert values.response_by == T0 + timedelta(hours=8)
    assert values.plan_by == T0 + timedelta(hours=48)
    assert values.resolution_by == datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI.tz)  # 3 working days, Tue → Fri
    assert (values.response_promise.amount, values.response_promise.unit) == (8, "hours")
    assert (values.resolution_promise.amount, values.resolution_promise.unit) == (3, "working-days")
    assert values.due == datetime(2026, 12, 3, 10, 0, tzinfo=UTC) and values.tz == SHANGHAI.tz
    lifecycle.progress(request, T0 + timedelta(hours=7), NOW, "lead", "等客户回复", waiting=True)
    waiting = notice_values(request, "progress", {}, SHANGHAI, T0 + timedelta(hours=31))
    assert waiting.waiting  # and the resolution deadline moves on with the pause (domain/sla): 2 wd + 1 day paused
    assert waiting.resolution_by == datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI.tz)
    masked = notice_values(request, "progress", {}, SHANGHAI, NOW, mask=True)
    assert masked.proposer == "王**" and masked.plan_promise is not None
    assert notice_values(new_request("low"), "ack", {}, SHANGHAI, NOW).plan_by is None
    with pytest.raises(InvalidInput, match="unknown notice kind"):
        notice_values(request, "hello", {}, SHANGHAI, NOW)
    with pytest.raises(InvalidInput, match="stored setting sla.response_hours"):
        notice_values(request, "ack", {"sla.response_hours": "soon"}, SHANGHAI, NOW)


def test_done_and_cancel_values_carry_what_was_done_and_why() -> None:
    request = in_progress()
    lifecycle.progress(request, T0 + timedelta(hours=3), NOW, "lead", "已支持批量导出", done=True)
    done = notice_values(request, "done", {}, SHANGHAI, NOW)
    assert done.completion_note == "已支持批量导出" and done.completed_at == T0 + timedelta(hours=3)
    other = new_request()
    lifecycle.cancel(other, T0 + timedelta(hours=1), NOW, "lead", "与 202611-007 重复")
    assert notice_values(other, "cancel", {}, SHANGHAI, NOW).cancel_reason == "与 202611-007 重复"


def test_progress_notes_are_all_of_them_before_any_notice() -> None:
    request = in_progress()
    for hour, note in ((3, "一"), (4, "二")):
        lifecycle.progress(request, T0 + timedelta(hours=hour), NOW, "lead", note)
    assert [n.text for n in progress_since_last_notice(request.history)] == ["一", "二"]
    lifecycle.notice(request, T0 + timedelta(hours=5), NOW, "lead", "progress")
    assert progress_since_last_notice(request.history) == ()


# -- rendering -----------------------------------------------------------------------------------
def rendered(kind: str, lang: str, request: Request | None = None, template: str | None = None,
             mask: bool = False) -> tuple[str, str]:
    request = request or in_progress()
    return render_notice(kind, lang, notice_values(request, kind, {}, SHANGHAI, NOW, mask=mask), template)


SIMPLIFIED_ONLY = set("们这进处请务过关预计为问时发报实现")  # each has another form in traditional writing
TRADITIONAL_ONLY = set("們這進處請務過關預計為問時發報實現")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_every_language(kind: str, lang: str) -> None:
    request = in_progress()
    lifecycle.progress(request, T0 + timedelta(hours=3), NOW, "lead", "已定位问题原因")
    subject, body = rendered(kind, lang, request)
    assert "202612-001" in subject and "\n" not in subject and subject == subject.strip()
    assert body and not body.startswith("\n") and not body.endswith("\n")
    assert "{{" not in body + subject and "{%" not in body + subject  # every placeholder filled
    assert "\n\n\n" not in body  # no gap left by a missing line
    if lang == "zh-CN":
        assert body.startswith("尊敬的王经理：\n\n您好！") and body.endswith("客户服务团队")
    elif lang == "zh-TW":
        assert body.startswith("王经理 您好：\n\n") and "客服團隊" in body  # the name as the customer wrote it
    else:
        assert body.startswith("Dear 王经理,") and "Kind regards,\nCustomer Support Team" in body
        assert not re.search(r"[\u4e00-\u9fff]", subject)


def test_the_ack_says_what_the_seeds_ask_in_each_language() -> None:
    cn_subject, cn = rendered("ack", "zh-CN", new_request())
    assert cn_subject == "【需求受理确认】202612-001 我们已收到您的需求"
    for words in ("您好！感谢您的反馈。", "正式受理", "需求编号：202612-001", "提出时间：2026年12月1日 09:00",
                  "预计24小时内（2026年12月2日 09:00前）给出初步答复", "如有疑问，请随时与我们联系，您的需求对接人是李雷。"):
        assert words in cn
    tw_subject, tw = rendered("ack", "zh-TW", new_request())
    assert tw_subject == "【需求受理通知】202612-001 我們已收到您的需求"
    for words in ("感謝您的回饋", "完成受理", "需求編號：202612-001", "預計於24小時內（2026年12月2日 09:00前）回覆初步結果",
                  "客服團隊 敬上"):
        assert words in tw
    en_subject, en = rendered("ack", "en", new_request())
    assert en_subject == "[202612-001] We have received your request"
    assert "an initial response within 24 hours (by 2 Dec 2026 09:00)" in en and "Received: 1 Dec 2026 09:00" in en
    # zh-TW is written in its own words, not converted from zh-CN line by line.
    assert len(set(cn.splitlines()) & set(tw.splitlines())) <= 3


def test_the_plan_notice_shows_labels_and_local_times() -> None:
    _, cn = rendered("plan", "zh-CN")
    assert "优先级：高" in cn and "可行性：可立即执行" in cn and "负责部门：技术部" in cn and "负责人：张工" in cn
    assert "计划完成时间：2026年12月3日 18:00" in cn  # 10:00 UTC in the database's zone
    _, tw = rendered("plan", "zh-TW")
    assert "優先順序：高" in tw and "可行性：可立即執行" in tw and "預計完成日期：2026年12月3日 18:00" in tw
    _, en = rendered("plan", "en")
    assert "Priority: High" in en and "Feasibility: Can start now" in en and "Planned completion: 3 Dec 2026 18:00" in en
    deferred = new_request()
    lifecycle.classify(deferred, T0 + timedelta(hours=1), NOW, "lead", feasibility="defer")
    _, text = rendered("plan", "zh-CN", deferred)
    assert "暂不执行" in text and "纳入需求池" in text and "计划完成时间：待定" in text and "负责人" not in text


def test_a_due_given_as_a_date_is_shown_as_a_date() -> None:
    request = new_request("low")
    lifecycle.assign(request, T0 + timedelta(hours=1), NOW, "lead", owner="A",
                     due=datetime(2026, 12, 3, 15, 59, 59, tzinfo=UTC), due_is_date=True)
    assert "计划完成时间：2026年12月3日\n" in rendered("plan", "zh-CN", request)[1]
    assert "Planned completion: 3 Dec 2026\n" in rendered("plan", "en", request)[1]


def test_times_follow_the_database_zone_and_the_language() -> None:
    values = notice_values(new_request(), "ack", {}, WorkingCalendar("America/New_York"), NOW)
    assert format_time(values.submitted_at, values, "en") == "30 Nov 2026 20:00"
    assert format_time(values.submitted_at, values, "zh-CN") == "2026年11月30日 20:00"
    assert format_time(values.submitted_at, values, "zh-TW", date_only=True) == "2026年11月30日"
    assert format_time(None, values, "en") == ""


def test_promises_keep_the_unit_of_their_setting() -> None:
    request = new_request("high")

    def ack(settings: dict[str, str], lang: str) -> str:
        return render_notice("ack", lang, notice_values(request, "ack", settings, SHANGHAI, NOW), None)[1]

    assert "within 1 hour (by 1 Dec 2026 10:00)" in ack({"sla.response_hours": "1"}, "en")
    assert "预计36小时内" in ack({"sla.response_hours": "36"}, "zh-CN")  # calendar hours, never passed off as days
    assert "預計於2.5小時內" in ack({"sla.response_hours": "2.5"}, "zh-TW")
    template = "{{ id }} {{ resolution_promise }}\n\n{{ plan_promise }}"
    one = notice_values(request, "ack", {"sla.resolution_days.high": "1"}, SHANGHAI, NOW)
    assert render_notice("ack", "en", one, template) == ("202612-001 within 1 working day", "within 48 hours")
    assert render_notice("ack", "zh-CN", one, template)[0] == "202612-001 1个工作日内"
    assert render_notice("ack", "zh-TW", one, template)[0] == "202612-001 1個工作天內"


def test_the_progress_notice_lists_the_notes_since_the_last_notice() -> None:
    request = in_progress()
    lifecycle.progress(request, T0 + timedelta(hours=3), NOW, "lead", "已定位问题原因")
    lifecycle.progress(request, T0 + timedelta(hours=4), NOW, "lead", "方案设计中", waiting=True)
    _, cn = rendered("progress", "zh-CN", request)
    assert "· 2026年12月1日 12:00：已定位问题原因\n· 2026年12月1日 13:00：方案设计中" in cn
    assert "正在等待您的确认" in cn
    lifecycle.notice(request, T0 + timedelta(hours=5), NOW, "lead", "progress")
    _, cn = rendered("progress", "zh-CN", request)
    assert "已定位问题原因" not in cn and "暂无新的阶段性进展" in cn
    _, en = rendered("progress", "en", request)
    assert "there is no new milestone to report" in en


def test_user_text_is_shown_whole_and_never_obeyed() -> None:
    request = in_progress()
    request.description = TRICKY + "\n第二行"
    request.customer = "ACME {{ id }}\n{% raw %}"
    lifecycle.progress(request, T0 + timedelta(hours=3), NOW, "lead", "{% for x in y %}{{ x }}{% endfor %}")
    for lang in LANGS:
        for kind in ("ack", "plan", "done", "cancel"):
            assert TRICKY + "\n第二行" in rendered(kind, lang, request)[1]
        assert "{% for x in y %}{{ x }}{% endfor %}" in rendered("progress", lang, request)[1]
    subject, body = rendered("ack", "en", request, "{{ customer }} / {{ id }}\n\n{{ customer }}")
    assert subject == "ACME {{ id }} {% raw %} / 202612-001"  # one line: the value's line break became a space
    assert body == "ACME {{ id }}\n{% raw %}"


@settings(max_examples=examples(60), deadline=None)
@given(description=st.text(min_size=1, max_size=60), proposer=st.one_of(st.none(), st.text(min_size=1, max_size=8)),
       lang=st.sampled_from(LANGS))
def test_any_description_comes_out_verbatim(description: str, proposer: str | None, lang: str) -> None:
    request = new_request(proposer=proposer)
    request.description = description
    subject, body = rendered("ack", lang, request)
    assert description in body and subject.startswith(("[202612-001]", "【"))


def test_masking_hides_the_proposer_in_every_language() -> None:
    for lang in LANGS:
        _, body = rendered("ack", lang, mask=True)
        assert "王**" in body and "王经理" not in body
    _, anonymous = rendered("ack", "zh-CN", new_request(proposer=None))
    assert anonymous.startswith("尊敬的客户：")
    assert rendered("ack", "zh-TW", new_request(proposer=None))[1].startswith("親愛的客戶 您好：")
    assert rendered("ack", "en", new_request(proposer=None))[1].startswith("Dear Customer,")


# -- templates and their check -------------------------------------------------------------------
TEMPLATES = REPO_ROOT / "src" / "reqtrack" / "views" / "notice_templates"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_builtin_template_passes_the_check_and_keeps_its_lines(kind: str, lang: str) -> None:
    text = builtin_template(kind, lang)
    assert text == (TEMPLATES / lang / f"{kind}.txt").read_text(encoding="utf-8")
    check_template(text)
    assert "{{ id }}" in text.splitlines()[0]
    if lang == "zh-CN":
        assert not TRADITIONAL_ONLY & set(text)
    elif lang == "zh-TW":
        assert not SIMPLIFIED_ONLY & set(text)
    else:
        assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", text)
    # A tag that ends a line swallows its newline (trim_blocks): tags stand on their own lines.
    for line in text.splitlines():
        if line.rstrip().endswith("%}"):
            assert line.lstrip().startswith("{%"), line


@pytest.mark.parametrize(("text", "refusal"), [
    ("{{ id }} {{ colour }}\n\nbody", r"unknown placeholder \{\{ colour \}\} in its subject"),
    ("{{ id }}\n\n{{ nmae }} {{ zz }}", r"unknown placeholders \{\{ nmae \}\}, \{\{ zz \}\} in its body; known placeholders: id, kind"),
    ("{{ id }}\n\nline\n{% if waiting %}\nunclosed", r"syntax error in its body, line \d+"),
    ("{{ id }\n\nbody", "syntax error in its subject, line 1"),
    ("{{ id }}\nbody", "second line must be blank"),
    ("\n\nbody", "first line must be the subject"),
    ("{{ id }}\n\n   \n", "no body"),
    ("Your request\n\nbody {{ id }}", r"subject must contain \{\{ id \}\}"),
    ("{{ id }}\n\n{% include 'x.txt' %}", r"uses \{% include %\} on line 3"),
    ("{{ id }}\n\n{% extends 'base' %}", r"\{% extends %\}"),
    ("{{ id }}\n\n{% import 'm' as m %}", r"\{% import %\}"),
    ("{{ id }}\n\n{{ description | shout }}", "cannot be used .*shout"),
    ("{{ id }}\n\n{{ range(3) }}", r"unknown placeholder \{\{ range \}\}"),
    ("{{ id }}\n\n" + "x" * 20_001, "at most 20000"),
])
def test_check_template_refuses_what_cannot_be_filled(text: str, refusal: str) -> None:
    with pytest.raises(InvalidInput, match=refusal):
        check_template(text)
    with pytest.raises(InvalidInput):
        rendered("ack", "en", template=text)  # render_notice checks first


def test_a_team_template_is_filled_and_the_sandbox_holds() -> None:
    template = ("[{{ id }}] {{ kind_label }} – {{ customer }}\r\n\r\n{% for n in progress_notes %}{{ n.at }} {{ n.text }}\n"
                "{% endfor %}{{ priority | lower }} {{ description | length }}\n")
    request = in_progress()
    lifecycle.progress(request, T0 + timedelta(hours=3), NOW, "lead", "好")
    assert rendered("progress", "zh-TW", request, template) == (
        "[202612-001] 進度同步 – 星辰科技", f"2026年12月1日 12:00 好\n高 {len(request.description)}")
    check_template(template)
    for escape in ("{{ description.__class__.__mro__ }}", "{{ id.__class__ }}", "{{ progress_notes.__len__() }}"):
        with pytest.raises(InvalidInput, match="cannot be filled"):
            rendered("ack", "en", template="{{ id }}\n\n" + escape)


def test_the_placeholders_are_documented_in_one_list() -> None:
    doc = (REPO_ROOT / "docs" / "notices.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([a-z_]+)` \| (.+?) \|$", doc.split("## Placeholders")[1].split("\n## ")[0], re.M))
    assert list(table) == list(PLACEHOLDERS)
    assert set(KINDS) == {"ack", "plan", "progress", "done", "survey", "cancel"}
    for kind in KINDS:
        assert f"`{kind}`" in doc
