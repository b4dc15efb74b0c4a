"""SPEC §11: every line reqtrack prints for people is in the chosen language. A loop from `new`
to `report` run in zh-CN and in zh-TW must show no English word but the tokens allowed below;
and the history's changes read with field labels and local times, in English too.

The words allowed on a Chinese screen (docs/architecture.md, "Words a Chinese screen keeps"):
request IDs, what the test typed (names, the actor `tester`), `SLA` (as Chinese support teams say
it), reqtrack's own name, command and option names (`--limit`, `reqtrack people add`), setting keys
and the values one types for them (`calendar.timezone`, `starttls`), environment variable names,
time-zone names (`Asia/Shanghai`), e-mail addresses, the standards' and protocols' abbreviations a
setting's meaning names (IANA, ISO, SMTP, TLS, country codes, `YYYY-MM-DD`), the database engines' names and
SQLite's `integrity_check`, language codes in
`vocab show`'s headers; the database as `check` names it (a path, or a server's schema and
address). The vocabulary tables of `vocab show` list the English labels by design:
only their headers are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

ALLOWED = frozenset({
    "SLA", "reqtrack", "IANA", "ISO", "SMTP", "TLS", "YYYY", "MM", "DD", "CN", "TW", "HK", "US",
    "starttls", "ssl", "none",  # the values smtp.security takes, which its meaning names
    "en", "zh",  # language codes (vocab show's label columns: en, zh-CN, zh-TW; CN and TW above)
    "SQLite", "PostgreSQL",  # the database engines, by name (check)
})
_TOKENS = (
    r"[\w.+-]+@[\w.-]+",  # e-mail addresses
    r"\d{6}-\d{3,}",  # request IDs
    r"--[a-z][a-z-]*",  # option names
    r"\b[a-z_]+(?:\.[a-z_]+)+\b",  # setting keys: sla.response_hours, calendar.timezone
    r"\b[a-z]+_[a-z_]+\b",  # other names in code: integrity_check
    r"\b[A-Z][A-Z_]*_[A-Z_]+\b",  # environment variables: REQTRACK_SMTP_PASSWORD
    r"\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b",  # time zones: Asia/Shanghai
    r"\breqtrack(?: [a-z]+)+",  # a command line: reqtrack people add
)


def english_words(text: str, typed: Iterable[str] = ()) -> list[str]:
    """The English words of `text` that are none of the allowed tokens (module docstring) nor
    anything in `typed` (what the test itself gave: names, notes)."""
    for given in sorted(typed, key=len, reverse=True):
        text = text.replace(given, " ")
    for pattern in _TOKENS:
        text = re.sub(pattern, " ", text)
    return sorted({word for word in re.findall(r"[A-Za-z]+", text) if word not in ALLOWED})


def test_the_checker_finds_english_and_lets_the_allowed_tokens_through() -> None:
    assert english_words("202611-001：progress recorded（待处理）") == ["progress", "recorded"]
    assert english_words("late 4.59 wd (6d 14h)") == ["d", "h", "late", "wd"]
    assert english_words("SLA 时效 Asia/Shanghai --limit N sla.response_hours a@b.example", typed=["N"]) == []
    assert english_words("分配给 Zhang", typed=["Zhang"]) == []


TYPED = ("tester", "客户甲", "客户乙", "客戶甲", "王经理", "张伟", "技术部", "李娜")


def ok(result, *codes: int) -> str:
    assert result.exit_code in (codes or (0,)), (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def run_loop(cli, lang: str) -> dict[str, str]:
    """The loop of SPEC §3 in `lang`, from `new` to `report`: every screen a person reads, by name."""
    def say(name: str, *args: str, codes: tuple[int, ...] = (0,)) -> str:
        result = cli("--lang", lang, *args)
        assert result.stderr == "", (name, result.stderr)
        screens[name] = ok(result, *codes)
        return screens[name]

    screens: dict[str, str] = {}
    first = say("new", "new", "登录页面报错", "--customer", "客户甲", "--source", "邮件", "--type", "问题修复",
                "--proposer", "王经理", "--at", "2025-03-10 09:00").strip()
    say("progress", "progress", first, "已收到，正在排查", "--at", "2025-03-10 09:30")
    say("classify", "classify", first, "--value", "8", "--urgency", "7", "--cost", "3", "--impact", "8",
        "--at", "2025-03-10 10:00")
    say("assign", "assign", first, "--owner", "张伟", "--dept", "技术部", "--due", "2025-03-12", "--reason", "数据库问题",
        "--at", "2025-03-10 10:30")
    say("waiting", "progress", first, "等客户提供日志", "--waiting", "--at", "2025-03-11 10:00")
    say("done", "progress", first, "已修复", "--done", "--at", "2025-03-13 11:00")
    say("verify", "verify", first, "--pass", "--satisfaction", "满意", "--at", "2025-03-13 14:00")
    say("close", "close", first, "--at", "2025-03-13 15:00")
    second = say("new 2", "new", "导出很慢", "--customer", "客户乙", "--at", "2025-03-11 09:00").strip()
    third = say("new 3", "new", "报表错位", "--customer", "客户乙", "--priority", "低", "--at", "2025-03-11 09:10").strip()
    say("assign 3", "assign", third, "--owner", "李娜", "--due", "2025-03-13 18:00", "--at", "2025-03-11 09:20")
    say("done 3", "progress", third, "已调整", "--done", "--at", "2025-03-12 09:00")
    say("fail 3", "verify", third, "--fail", "--note", "仍然错位", "--at", "2025-03-12 10:00")
    say("list", "list")
    say("list none", "list", "--customer", "不存在")
    say("show", "show", first)
    say("show 3", "show", third)
    say("overdue", "overdue", codes=(1,))
    say("overdue soon", "overdue", "--within", "5d", "--owner", "李娜", codes=(1,))
    say("report", "report", "--period", "month")
    say("config", "config", "show")
    say("remind", "remind", codes=(1,))
    say("people", "people", "list")
    say("search", "search", "登录")
    say("check", "check")
    assert second and third != second
    return screens


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW"])
def test_a_chinese_loop_from_new_to_report_shows_no_english_word(cli, lang: str) -> None:
    screens = run_loop(cli, lang)
    vocab = ok(cli("--lang", lang, "vocab", "show", "type")).splitlines()[0]  # the header (the rows list en labels)
    screens["vocab header"] = vocab
    # check's first line names the database as storage does: a path, or a server's schema and address
    screens["check"] = "\n".join(screens["check"].splitlines()[1:])
    found = {name: words for name, text in screens.items() if (words := english_words(text, TYPED))}
    assert found == {}, {name: (words, screens[name]) for name, words in found.items()}


def test_the_chinese_screens_say_what_happened_in_chinese(cli) -> None:
    screens = run_loop(cli, "zh-CN")
    assert screens["progress"].strip() == "202503-001：已记录进度（待处理）"
    assert screens["classify"].strip() == "202503-001：已分类评估，优先级：高；评估得分 7.70 → 优先级高（待处理）"
    assert screens["assign"].strip() == "202503-001：已分配给 张伟（处理中）"
    assert screens["close"].strip() == "202503-001：已归档关闭（已关闭）"
    assert screens["list"].splitlines()[-1] == "共 3 条需求。" and screens["list none"].strip() == "没有符合条件的需求。"
    shown = screens["show"]
    assert "评估得分         客户价值 8、紧急程度 7、资源成本 3、业务影响 8" in shown
    for line in ("需求状态: 处理中 → 待验证", "实际完成时间: 2025-03-13 11:00", "计划完成时间: 2025-03-12",
                 "负责部门: 技术部", "需求来源: 邮件", "等待客户: 否 → 是", "评估得分 7.70 → 优先级高"):
        assert line in shown, line
    assert "due_is_date" not in shown and "+08:00" not in shown and "T11:00" not in shown
    assert "实际完成时间: 2025-03-12 09:00 → （无）" in screens["show 3"]  # a failed verification clears it
    assert "计划完成时间: 2025-03-13 18:00" in screens["show 3"]  # a planned completion with a time keeps it
    assert "超期 " in screens["overdue"] and "个工作日（" in screens["overdue"] and "截至 2025-03-14 17:30。" in screens["overdue"]
    assert "来源" in screens["config"].splitlines()[0] and "默认值" in screens["config"]


def test_english_history_reads_with_field_labels_too(cli) -> None:
    rid = ok(cli("new", "Export is slow", "--customer", "ACME", "--type", "bug", "--at", "2025-03-10 09:00")).strip()
    ok(cli("classify", rid, "--priority", "high", "--at", "2025-03-10 09:10"))
    ok(cli("assign", rid, "--owner", "Zhang", "--due", "2025-03-12", "--at", "2025-03-10 09:20"))
    ok(cli("progress", rid, "Fixed", "--done", "--at", "2025-03-11 11:00"))
    shown = ok(cli("show", rid))
    for line in ("Status: In progress → Verifying", "Actual completion: 2025-03-11 11:00", "Planned completion: 2025-03-12",
                 "Owner: Zhang", "Type: Bug fix", "Priority: High"):
        assert line in shown, line
    assert "due_is_date" not in shown and "in-progress" not in shown and "+08:00" not in shown
