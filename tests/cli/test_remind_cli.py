"""`reqtrack remind` and `reqtrack people` (SPEC §8, docs/notices.md) as the team runs them: the
rows per person on screen and in JSON, exit codes for cron, and the digests `--send` e-mails
through a real SMTP server on 127.0.0.1 (aiosmtpd, conftest's `smtp_server`). Both engines."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import Cli
from helpers import SMTP_HOST, Inbox, free_port

# The clock of these tests: Friday 14 March 2025, 09:30 in Shanghai (the database's zone).
FRIDAY_MORNING = datetime(2025, 3, 14, 1, 30, tzinfo=timezone.utc)


def ok(result, *codes: int) -> str:
    assert result.exit_code in (codes or (0,)), (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def new(cli, description: str, *extra: str, at: str) -> str:
    return ok(cli("new", description, "--customer", "华信银行", "--at", at, *extra)).strip()


def rows(cli, *extra: str) -> list[dict]:
    result = cli("remind", "--json", *extra)
    found = json.loads(ok(result, 0, 1))
    assert result.exit_code == (1 if found else 0)
    return found


def workload(cli) -> dict[str, str]:
    """An assigned high-priority request with a planned completion today (张伟's, 李娜 its liaison),
    and an unassigned one nobody follows."""
    assigned = new(cli, "导出报表很慢", "--liaison", "李娜", "--priority", "high", at="2025-03-10 09:00")
    ok(cli("assign", assigned, "--owner", "张伟", "--due", "2025-03-14", "--at", "2025-03-10 10:00"))
    orphan = new(cli, "登录页面报错", at="2025-03-12 09:00")
    return {"assigned": assigned, "orphan": orphan}


def mail_settings(cli, port: int) -> None:
    for key, value in (("smtp.host", SMTP_HOST), ("smtp.port", str(port)), ("smtp.security", "none"),
                       ("smtp.from", "客服团队 <support@example.com>")):
        ok(cli("config", "set", key, value))


# -- people ----------------------------------------------------------------------------------------
def test_people_add_update_list_and_remove(cli) -> None:
    assert json.loads(ok(cli("people", "list", "--json"))) == []  # no database yet: nobody
    assert ok(cli("people", "add", "张伟", "--email", "zhang@example.com", "--dept", "研发部")).strip() == \
        "added 张伟 (zhang@example.com, 研发部)"
    assert ok(cli("people", "add", "李娜")).strip() == "added 李娜 (no e-mail address)"
    assert ok(cli("people", "add", "李娜", "--email", "李娜 <li@example.com>")).strip() == "updated 李娜 (李娜 <li@example.com>)"
    assert ok(cli("people", "add", "张伟", "--dept", "客服部")).strip() == "updated 张伟 (zhang@example.com, 客服部)"
    assert json.loads(ok(cli("people", "list", "--json"))) == [
        {"name": "张伟", "email": "zhang@example.com", "department": "客服部"},
        {"name": "李娜", "email": "李娜 <li@example.com>", "department": None}]
    screen = ok(cli("people", "list"))
    assert "zhang@example.com" in screen and "客服部" in screen
    assert ok(cli("people", "remove", "李娜")).strip() == "removed 李娜"
    assert [p["name"] for p in json.loads(ok(cli("people", "list", "--json")))] == ["张伟"]
    for args, words in ((["people", "remove", "李娜"], "not in the list of people"),
                        (["people", "add", "王芳", "--email", "wang at example"], "is not an e-mail address"),
                        (["people", "add", "  "], "the name may not be empty")):
        result = cli(*args)
        assert result.exit_code == 2 and words in result.stderr, (args, result.stderr)


# -- the rows ----------------------------------------------------------------------------------------
def test_remind_lists_what_each_person_must_do_and_exits_1(db_path) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    ids = workload(cli)
    found = rows(cli)
    assert [(r["person"], r["id"], r["action"]) for r in found] == [
        ("张伟", ids["assigned"], "breached"),  # the plan of a high-priority request within 48 hours
        ("张伟", ids["assigned"], "stale"),
        ("张伟", ids["assigned"], "due-soon"),
        ("李娜", ids["assigned"], "acknowledge"),
        (None, ids["orphan"], "breached"),
        (None, ids["orphan"], "assign"),
        (None, ids["orphan"], "acknowledge"),
    ]
    assert set(found[0]) == {"person", "id", "action", "since", "deadline"}
    assert found[2]["deadline"] == "2025-03-14T23:59:59+08:00"
    assert [r["action"] for r in rows(cli, "--person", "李娜")] == ["acknowledge"]
    assert rows(cli, "--person", "王芳") == []
    # Acknowledged, assigned, updated: nothing left for 李娜; as of before that, the row is back.
    ok(cli("notice", ids["assigned"], "ack", "--sent", "--at", "2025-03-14 09:00"))
    assert rows(cli, "--person", "李娜") == []
    assert [r["action"] for r in rows(cli, "--person", "李娜", "--as-of", "2025-03-14 08:59")] == ["acknowledge"]


def test_nothing_due_is_exit_0(db_path) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    rid = new(cli, "小问题", "--liaison", "李娜", at="2025-03-14 09:00")
    ok(cli("notice", rid, "ack", "--sent", "--at", "2025-03-14 09:05"))
    result = cli("remind")
    assert result.exit_code == 0 and result.stdout == "Nothing to do as of 2025-03-14 09:30.\n"
    assert ok(cli("--lang", "zh-CN", "remind")) == "截至2025-03-14 09:30，暂无待办事项。\n"
    assert rows(cli) == []


def test_the_morning_before_a_planned_completion_lists_due_soon_for_its_owner(db_path) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    rid = new(cli, "报表增加筛选", "--liaison", "李娜", "--priority", "low", at="2025-03-10 09:00")  # a Monday
    ok(cli("notice", rid, "ack", "--sent", "--at", "2025-03-10 09:30"))
    ok(cli("assign", rid, "--owner", "张伟", "--due", "2025-03-13", "--at", "2025-03-10 10:00"))  # Thursday, a date

    def due_soon(as_of: str) -> list[tuple]:
        return [(r["person"], r["since"], r["deadline"]) for r in rows(cli, "--as-of", as_of) if r["action"] == "due-soon"]

    assert due_soon("2025-03-11 18:00") == []  # Tuesday evening: two days before
    assert due_soon("2025-03-12 09:00") == [("张伟", "2025-03-12T00:00:00+08:00", "2025-03-13T23:59:59+08:00")]
    assert due_soon("2025-03-13 17:00") == [("张伟", "2025-03-12T00:00:00+08:00", "2025-03-13T23:59:59+08:00")]
    assert due_soon("2025-03-14 00:00") == []  # passed: breached now
    assert [r["action"] for r in rows(cli, "--as-of", "2025-03-14 00:00") if r["person"] == "张伟"][0] == "breached"


def test_the_screen_is_a_table_per_person_in_the_language(db_path) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    ids = workload(cli)
    result = cli("--lang", "zh-CN", "remind")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "张伟：3项待办"
    assert lines[1].split() == ["需求编号", "待办事项", "起始时间", "截止时间", "客户", "需求描述"]
    assert lines[3].startswith(ids["assigned"]) and "已超期，请尽快处理" in lines[3] and "导出报表很慢" in lines[3]
    assert "即将到期" in lines[5] and "2025-03-14 23:59" in lines[5]
    assert "李娜：1项待办" in lines and "（无人：未设负责人或对接人）：3项待办" in lines
    assert lines[-1] == "共7项待办，涉及3人，截至2025-03-14 09:30。"
    english = ok(cli("remind"), 1).splitlines()
    assert english[0] == "张伟: 3 to do" and english[1].split()[:3] == ["ID", "To", "do"]
    assert english[-1] == "7 to do for 3 people, as of 2025-03-14 09:30."
    assert ok(cli("--lang", "zh-TW", "remind"), 1).splitlines()[0] == "张伟：3項待辦"


# -- digests by e-mail -------------------------------------------------------------------------------
def test_send_mails_one_digest_per_person_with_an_address_and_names_the_others(db_path, smtp_server) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    inbox, port = smtp_server()
    mail_settings(cli, port)
    ids = workload(cli)
    other = new(cli, "接口超时", "--liaison", "王芳", at="2025-03-13 09:00")
    ok(cli("people", "add", "张伟", "--email", "zhang@example.com"))
    ok(cli("people", "add", "李娜"))  # listed, without an address
    result = cli("--lang", "zh-CN", "remind", "--send")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout.splitlines() == [  # in the screen's language (the e2e test reads the English ones)
        "已发送给 张伟 <zhang@example.com>：3项待办",
        "无法送达：李娜：1项待办；没有邮箱地址（reqtrack people add '李娜' --email 邮箱地址）",
        "无法送达：王芳：3项待办；不在人员名单中（reqtrack people add '王芳' --email 邮箱地址）",
        "无法送达：（无人：未设负责人或对接人）：3项待办；这些需求既没有负责人也没有对接人",
    ]
    [got] = inbox.received
    assert got["to"] == ["zhang@example.com"]
    [message] = inbox.messages()
    assert message["subject"] == "【需求待办提醒】截至2025年3月14日 09:30，您有3项待办"
    assert str(message["to"]) == "张伟 <zhang@example.com>" and message.get_content_charset() == "utf-8"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("张伟，您好：\n\n截至2025年3月14日 09:30，以下需求需要您跟进处理：\n\n")
    assert f"1. {ids['assigned']} 已超期，请尽快处理，截止时间：" in body
    assert f"3. {ids['assigned']} 即将到期，截止时间：2025年3月14日 23:59" in body
    assert "   客户：华信银行\n   需求：导出报表很慢" in body
    assert other not in body and ids["orphan"] not in body


def test_a_failure_half_way_keeps_what_was_sent_and_reports_the_rest(db_path, smtp_server) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    inbox, port = smtp_server(Inbox(refuse={"li@example.com"}))
    mail_settings(cli, port)
    workload(cli)
    ok(cli("people", "add", "张伟", "--email", "zhang@example.com"))
    ok(cli("people", "add", "李娜", "--email", "li@example.com"))
    result = cli("remind", "--send")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[:2] == ["sent to 张伟 <zhang@example.com>: 3 to do",
                                               "not sent to 李娜 <li@example.com>: 1 to do"]
    assert result.stderr.strip() == (f"reqtrack: cannot send e-mail through the SMTP server {SMTP_HOST}:{port}: the server "
                                     "refused the recipient li@example.com (550); 1 of 2 messages were sent before the "
                                     "failure, the other 1 were not")
    assert [got["to"] for got in inbox.received] == [["zhang@example.com"]]


def test_a_server_that_is_down_sends_nothing_and_exits_3(db_path) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    port = free_port()
    mail_settings(cli, port)
    workload(cli)
    ok(cli("people", "add", "张伟", "--email", "zhang@example.com"))
    result = cli("remind", "--send")
    assert result.exit_code == 3 and "the connection was refused" in result.stderr
    assert result.stdout.splitlines()[0] == "not sent to 张伟 <zhang@example.com>: 3 to do"


def test_send_with_nothing_due_sends_nothing_and_json_with_send_is_refused(db_path, smtp_server) -> None:
    cli = Cli(db_path, now=FRIDAY_MORNING)
    inbox, port = smtp_server()
    mail_settings(cli, port)
    rid = new(cli, "小问题", "--liaison", "李娜", at="2025-03-14 09:00")
    ok(cli("notice", rid, "ack", "--sent", "--at", "2025-03-14 09:05"))
    assert ok(cli("remind", "--send")).strip() == "nothing to do as of 2025-03-14 09:30; no e-mail sent"
    assert inbox.received == []
    refused = cli("remind", "--send", "--json")
    assert refused.exit_code == 2 and "use one" in refused.stderr
