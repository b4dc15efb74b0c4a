"""`reqtrack notice` and `reqtrack template` (SPEC §8, docs/notices.md), as the team runs them: the
filled notice in three languages, recording it (`--sent`), e-mailing it (`--send`) through a real
SMTP server on 127.0.0.1 (aiosmtpd, conftest's `smtp_server`), and the templates kept in the
database. Every test runs on both engines (db_path)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from conftest import Cli
from helpers import SMTP_HOST, free_port
from reqtrack.views.notices import builtin_template

DESCRIPTION = "希望在数据报表模块增加“自定义时间范围筛选”功能，支持导出为PDF格式"


def ok(result, *codes: int) -> str:
    assert result.exit_code in (codes or (0,)), (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def register(cli, *, contact: str = "王经理 <wang@example.com>", at: str = "2025-03-14 09:00") -> str:
    return ok(cli("new", DESCRIPTION, "--customer", "华信银行/CRM二期", "--proposer", "王经理", "--contact", contact,
                  "--liaison", "李娜", "--source", "email", "--at", at)).strip()


def history(cli, rid: str) -> list[dict]:
    return json.loads(ok(cli("show", rid, "--json")))["history"]


def notices_of(cli, rid: str) -> list[dict]:
    return [entry for entry in history(cli, rid) if entry["action"] == "notice"]


def mail_settings(cli, port: int) -> None:
    for key, value in (("smtp.host", SMTP_HOST), ("smtp.port", str(port)), ("smtp.security", "none"),
                       ("smtp.from", "客服团队 <support@example.com>")):
        ok(cli("config", "set", key, value))


# -- the filled notice ---------------------------------------------------------------------------
def test_a_chinese_acknowledgement_reads_as_a_chinese_support_team_writes(cli) -> None:
    rid = register(cli)
    text = ok(cli("--lang", "zh-CN", "notice", rid, "ack"))
    subject, blank, *body = text.rstrip("\n").split("\n")
    assert subject == f"【需求受理确认】{rid} 我们已收到您的需求" and blank == ""
    body_text = "\n".join(body)
    assert body[0] == "尊敬的王经理："
    assert "您好！感谢您的反馈。" in body_text
    assert f"需求编号：{rid}" in body_text and "所属客户/项目：华信银行/CRM二期" in body_text
    assert "提出时间：2025年3月14日 09:00" in body_text  # the database's zone, the way Chinese writes a date
    assert DESCRIPTION in body_text  # the customer's own words, verbatim
    assert "预计24小时内（2025年3月15日 09:00前）给出初步答复" in body_text  # hours stay hours
    assert "您的需求对接人是李娜" in body_text
    assert body[-1] == "客户服务团队"
    # Nothing a Chinese customer would find odd: no English words, no placeholders, no "None", no ISO times.
    assert not re.search(r"[A-Za-z]{3,}", body_text.replace("CRM", "").replace("PDF", ""))
    assert "{" not in text and "None" not in text and "T09" not in text
    # The global --lang, overridden by the command's own.
    assert ok(cli("--lang", "zh-CN", "notice", rid, "ack", "--lang", "en")).startswith(f"[{rid}] We have received")
    assert ok(cli("--lang", "zh-TW", "notice", rid, "ack")).startswith(f"【需求受理通知】{rid} 我們已收到您的需求")


def test_json_masking_and_the_address_it_would_go_to(cli) -> None:
    rid = register(cli)
    data = json.loads(ok(cli("notice", rid, "done", "--json", "--lang", "zh-CN")))
    assert set(data) == {"id", "kind", "lang", "subject", "body", "to"}
    assert (data["id"], data["kind"], data["lang"], data["to"]) == (rid, "done", "zh-CN", "王经理 <wang@example.com>")
    assert data["subject"].startswith("【需求完成通知】") and rid in data["subject"]
    masked = json.loads(ok(cli("notice", rid, "ack", "--json", "--mask", "--lang", "zh-CN")))
    assert "尊敬的王**：" in masked["body"] and "王经理" not in masked["body"] and "wang@" not in (masked["to"] or "")
    phone = register(cli, contact="13800138000")
    assert json.loads(ok(cli("notice", phone, "ack", "--json")))["to"] is None


def test_wrong_uses_are_refused_in_one_sentence(cli) -> None:
    rid = register(cli)
    for args, words in ((["notice", rid, "hello"], "unknown notice kind 'hello'"),
                        (["notice", rid, "ack", "--lang", "fr"], "unknown language 'fr'"),
                        (["notice", rid, "ack", "--via", "phone"], "--via and --at describe a notice recorded with --sent"),
                        (["notice", rid, "ack", "--sent", "--send"], "use one"),
                        (["notice", rid, "ack", "--sent", "--at", "2025-03-14 08:00"], "before request"),
                        (["notice", "209901-001", "ack"], "no request '209901-001'")):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert notices_of(cli, rid) == []


# -- recording it ----------------------------------------------------------------------------------
def test_sent_records_the_notice_entry_with_its_channel(cli) -> None:
    rid = register(cli)
    out = ok(cli("notice", rid, "ack", "--sent", "--via", "企业微信", "--at", "2025-03-14 09:20"))
    assert out.strip() == f"{rid}: ack notice recorded via 企业微信 (Pending)"
    [entry] = notices_of(cli, rid)
    assert entry["changes"] == {"kind": [None, "ack"], "channel": [None, "企业微信"]}
    assert entry["note"] == "ack via 企业微信" and entry["at"].startswith("2025-03-14T09:20")
    data = json.loads(ok(cli("notice", rid, "progress", "--sent", "--json")))  # via email, now
    assert data["recorded"] == {"at": "2025-03-14T17:30:00+08:00", "via": "email"} and data["subject"].startswith(f"[{rid}]")
    assert [e["changes"]["kind"][1] for e in notices_of(cli, rid)] == ["ack", "progress"]


def test_an_ack_recorded_within_the_hour_keeps_the_request_off_next_mornings_response_breaches(db_path: Path) -> None:
    yesterday = Cli(db_path, now=datetime(2025, 3, 13, 2, 0, tzinfo=timezone.utc))  # 10:00 in Shanghai
    answered = register(yesterday, at="2025-03-13 08:30")
    forgotten = register(yesterday, at="2025-03-13 08:40")
    ok(yesterday("notice", answered, "ack", "--sent", "--via", "phone", "--at", "2025-03-13 09:10"))
    morning = Cli(db_path, now=datetime(2025, 3, 14, 1, 0, tzinfo=timezone.utc))  # 09:00 the next morning
    rows = json.loads(ok(morning("overdue", "--json"), 1))  # the stored running deadlines answer this one
    assert [(row["id"], row["reason"]) for row in rows] == [(forgotten, "response")]
    replayed = json.loads(ok(morning("overdue", "--json", "--as-of", "2025-03-14 08:59"), 1))  # from the histories
    assert [row["id"] for row in replayed] == [forgotten]
    assert json.loads(ok(morning("show", answered, "--json")))["responded_at"].startswith("2025-03-13T09:10")


# -- e-mailing it ----------------------------------------------------------------------------------
def test_send_delivers_one_utf8_message_naming_the_request_and_records_it(cli, smtp_server) -> None:
    inbox, port = smtp_server()
    mail_settings(cli, port)
    rid = register(cli)
    ok(cli("classify", rid, "--priority", "medium", "--at", "2025-03-14 09:30"))
    ok(cli("assign", rid, "--owner", "张伟", "--at", "2025-03-14 10:00"))
    ok(cli("progress", rid, "导出接口已优化，增加时间范围参数", "--done", "--at", "2025-03-14 12:00"))
    out = ok(cli("--lang", "zh-CN", "notice", rid, "done", "--send"))
    assert out.strip() == f"{rid}：需求完成通知已发送至 王经理 <wang@example.com> 并记录（待验证）"  # the screen's language
    [got] = inbox.received
    assert got["to"] == ["wang@example.com"] and got["from"] == "support@example.com"
    [message] = inbox.messages()
    assert rid in message["subject"] and message["subject"].startswith("【需求完成通知】")
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert str(message["to"]) == "王经理 <wang@example.com>" and message["X-Reqtrack-Request"] == rid
    body = message.get_content()
    assert "尊敬的王经理：" in body and "导出接口已优化，增加时间范围参数" in body
    [entry] = notices_of(cli, rid)
    assert entry["changes"] == {"kind": [None, "done"], "channel": [None, "email"]}


def test_a_contact_that_is_not_an_address_is_refused_before_anything_is_sent(cli, smtp_server) -> None:
    inbox, port = smtp_server()
    mail_settings(cli, port)
    rid = register(cli, contact="王经理 13800138000")
    result = cli("notice", rid, "ack", "--send")
    assert result.exit_code == 2 and "not an e-mail address" in result.stderr and "--sent --via" in result.stderr
    assert inbox.received == [] and notices_of(cli, rid) == []


def test_a_server_that_is_down_gives_exit_3_and_records_nothing(cli) -> None:
    port = free_port()  # nothing listens there
    mail_settings(cli, port)
    rid = register(cli)
    result = cli("notice", rid, "ack", "--send")
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert result.stderr.strip() == (f"reqtrack: cannot send e-mail through the SMTP server {SMTP_HOST}:{port}: the "
                                     "connection was refused (is the server running, and are smtp.host and smtp.port right?)")
    assert notices_of(cli, rid) == []
    assert json.loads(ok(cli("show", rid, "--json")))["responded_at"] is None


def test_e_mail_not_set_up_is_exit_3_before_anything(cli) -> None:
    rid = register(cli)
    result = cli("notice", rid, "ack", "--send")
    assert result.exit_code == 3 and "e-mail is not set up" in result.stderr
    assert notices_of(cli, rid) == []


# -- the templates the team keeps --------------------------------------------------------------------
def test_template_show_set_reset_and_the_notice_uses_the_one_set(cli, tmp_path: Path) -> None:
    rid = register(cli)
    assert ok(cli("template", "show", "ack", "--lang", "zh-CN")) == builtin_template("ack", "zh-CN")
    assert ok(cli("--lang", "zh-TW", "template", "show", "done")) == builtin_template("done", "zh-TW")
    mine = tmp_path / "ack.txt"
    mine.write_text("【受理】{{ id }}\n\n{{ proposer or \"客户\" }}您好，已收到：{{ description }}\n——{{ liaison }}\n", encoding="utf-8")
    assert ok(cli("template", "set", "ack", str(mine), "--lang", "zh-CN")).strip() == f"ack template (zh-CN) set from {mine}"
    assert ok(cli("template", "show", "ack", "--lang", "zh-CN")) == mine.read_text(encoding="utf-8")
    assert ok(cli("notice", rid, "ack", "--lang", "zh-CN")) == f"【受理】{rid}\n\n王经理您好，已收到：{DESCRIPTION}\n——李娜\n"
    assert ok(cli("notice", rid, "ack", "--lang", "en")).startswith(f"[{rid}] We have received")  # other languages unchanged
    assert "reset to the built-in one" in ok(cli("template", "reset", "ack", "--lang", "zh-CN"))
    assert ok(cli("template", "show", "ack", "--lang", "zh-CN")) == builtin_template("ack", "zh-CN")
    assert "is the built-in one already" in ok(cli("template", "reset", "ack", "--lang", "zh-CN"))


def test_a_bad_template_is_refused_naming_the_problem_and_the_stored_one_stays(cli, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("[{{ id }}] received\n\nHello {{ proposer }}.\n", encoding="utf-8")
    ok(cli("template", "set", "ack", str(good)))
    cases = {
        "colour.txt": ("[{{ id }}] received\n\nHello {{ colour }}.\n", "unknown placeholder {{ colour }}"),
        "syntax.txt": ("[{{ id }}] received\n\nHello {% if proposer %}\n", "syntax error in its body, line 3"),
        "noid.txt": ("Received\n\nHello.\n", "subject must contain {{ id }}"),
        "shape.txt": ("[{{ id }}] received\nHello.\n", "second line must be blank"),
    }
    for name, (text, words) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = cli("template", "set", "ack", str(path))
        assert result.exit_code == 2, (name, result.stdout, result.stderr)
        assert words in result.stderr and "was not changed" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("[{{ id }}] reçu\n\nBonjour.\n".encode("latin-1"))
    assert cli("template", "set", "ack", str(latin1)).exit_code == 2
    assert cli("template", "set", "ack", str(tmp_path / "missing.txt")).exit_code == 2
    assert cli("template", "set", "hello", str(good)).exit_code == 2
    assert ok(cli("template", "show", "ack")) == good.read_text(encoding="utf-8")


def test_a_template_from_stdin(cli) -> None:
    rid = register(cli)
    ok(cli("template", "set", "plan", "-", "--lang", "zh-CN", input="【评估】{{ id }}\n\n优先级：{{ priority }}\n"))
    assert ok(cli("notice", rid, "plan", "--lang", "zh-CN")) == f"【评估】{rid}\n\n优先级：\n"
