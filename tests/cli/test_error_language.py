"""Errors in the chosen language (SPEC §11): with `--lang zh-CN` (or zh-TW, or REQTRACK_LANG) the
sentence on stderr — reqtrack's own and click's usage errors alike — has no English word but the
IDs, names and values people typed, option and command names and file paths; its times are in the
database's zone, in every language; the exit codes stay those of SPEC §6."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reqtrack.cli import app

# What may stay Latin in a Chinese sentence: `reqtrack …` commands in backticks, option names, file
# paths, IDs and numbers; and what the test itself typed (`allowed`).
_ALLOWED_SPANS = (
    re.compile(r"`[^`]*`"),  # a command to run: `reqtrack list`
    re.compile(r"'reqtrack[^']*'"),  # click's help hint: 'reqtrack new -h'
    re.compile(r"\breqtrack(?: [a-z]+)?\b"),  # the program, a command of it
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:/--?[\w-]+)?"),  # options: --customer / -c, --pass/--fail
    re.compile(r"[+-]?\d+(?:\.\d+)?[a-z]*"),  # numbers and durations: 2, +3d, 2wd
    re.compile(r"[^\s\u3000-\u303f\uff00-\uffef]*[/\\][^\s\u3000-\u303f\uff00-\uffef]*"),  # file paths (to CJK punctuation)
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English words left in `text` once what may stay Latin is taken out."""
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, " ")
    for span in _ALLOWED_SPANS:
        text = span.sub(" ", text)
    return _WORD.findall(text)


def assert_no_english(text: str, *allowed: str) -> None:
    assert text.strip(), "nothing was said"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert english_words(text, allowed) == [], text


def test_the_helper_finds_english() -> None:
    assert english_words("reqtrack: no request '1'; `reqtrack list` shows the IDs") == ["no", "request", "shows",
                                                                                        "the", "IDs"]
    assert english_words("reqtrack: 没有需求「X1」；`reqtrack list` 可列出全部编号", ("X1",)) == []
    assert english_words("错误：缺少选项 '--customer' / '-c'。") == []
    assert english_words("reqtrack: 无法写入 /tmp/ab/out.xlsx：Permission denied") == ["Permission", "denied"]


def as_installed(cli, *args: str):
    """`cli(*args)` under the program's own name (click's usage lines name it)."""
    env = {"REQTRACK_DB": str(cli.db_path), "REQTRACK_NOW": cli.now.isoformat()}
    return cli.runner.invoke(app, list(args), env=env, prog_name="reqtrack")


def _new(cli, *extra: str) -> str:
    result = cli("new", "导出很慢", "--customer", "ACME", "--at", "2025-03-10 09:00", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _refused(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    return result.stderr


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW"])
def test_reqtracks_own_errors_have_no_english_word(cli, lang: str) -> None:
    rid = _new(cli)
    unknown = _refused(cli("--lang", lang, "show", "209901-001"))
    assert_no_english(unknown, "209901-001")
    assert unknown.startswith("reqtrack: ") and len(unknown.strip().splitlines()) == 1
    priority = _refused(cli("--lang", lang, "classify", rid, "--priority", "urgent"))
    assert_no_english(priority, "urgent")
    assert "高、中、低" in priority
    refused = _refused(cli("--lang", lang, "close", rid))
    assert_no_english(refused, rid)
    assert ("待处理" if lang == "zh-CN" else "待處理") in refused
    status = _refused(cli("--lang", lang, "list", "--status", "nope"))
    assert_no_english(status, "nope")
    wrapped = _refused(cli("--lang", lang, "list", "--since", "someday"))  # "--since: <the time's own error>"
    assert_no_english(wrapped, "someday", "ISO", "today")
    assert wrapped.startswith("reqtrack: --since：")
    score = _refused(cli("--lang", lang, "classify", rid, "--value", "11", "--urgency", "1", "--cost", "1", "--impact", "1"))
    assert_no_english(score)


def test_the_language_comes_from_the_environment_too(cli) -> None:
    rid = _new(cli)
    refused = _refused(cli("close", rid, env={"REQTRACK_LANG": "zh-TW"}))
    assert_no_english(refused, rid)
    assert "不能執行" in refused


def test_english_stays_the_default_and_an_unknown_language_is_said_in_english(cli) -> None:
    rid = _new(cli)
    assert "cannot run" in _refused(cli("close", rid))
    assert _refused(cli("--lang", "fr", "show", rid)).strip() == "reqtrack: unknown language 'fr'; use one of en, zh-CN, zh-TW"


@pytest.mark.parametrize("zone, shown", [("Asia/Shanghai", "2026-12-09 20:26"), ("America/New_York", "2026-12-09 07:26")])
@pytest.mark.parametrize("lang", ["en", "zh-CN", "zh-TW"])
def test_a_time_in_an_error_is_in_the_database_zone(cli, tmp_path: Path, lang: str, zone: str, shown: str) -> None:
    """`--at` typed in the database's zone is refused in that zone's words, never in UTC."""
    assert cli("config", "set", "calendar.timezone", zone).exit_code == 0
    rid = _new(cli)
    typed = "2026-12-09 20:26" if zone == "Asia/Shanghai" else "2026-12-09 07:26"
    future = _refused(cli("--lang", lang, "progress", rid, "看了日志", "--at", typed))
    assert shown in future and "+00:00" not in future and "T12:26" not in future
    if lang == "en":
        assert future.strip() == f"reqtrack: --at {shown} is in the future"
    else:
        assert_no_english(future)
    before = _refused(cli("--lang", lang, "progress", rid, "看了日志", "--at", "2025-03-01 08:00"))
    assert "2025-03-10 09:00" in before if zone == "Asia/Shanghai" else "2025-03-10" in before
    assert "+00:00" not in before


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW"])
def test_clicks_usage_errors_are_in_the_language_with_exit_2(cli, lang: str) -> None:
    rid = _new(cli)
    missing = _refused(as_installed(cli, "--lang", lang, "new", "x"))
    assert_no_english(missing)
    assert "'--customer' / '-c'" in missing and ("用法：reqtrack new" in missing)
    assert ("运行 'reqtrack new -h' 查看帮助。" if lang == "zh-CN" else "執行 'reqtrack new -h' 查看說明。") in missing
    for args, typed in ((["new"], ()), (["nwe"], ("nwe", "new")), (["show", rid, "extra"], ("extra", rid)),
                        (["classify", rid, "--value", "x"], ("x",)), (["list", "--bogus"], ()),
                        (["--bogus", "list"], ()), (["verify", rid], (rid,)), (["list", "--format", "yaml"], ("yaml", "table", "json", "csv")),
                        (["progress", rid, "x", "--at"], ())):
        said = _refused(as_installed(cli, "--lang", lang, *args))
        assert_no_english(said, *typed)
        assert said.rstrip().splitlines()[-1].startswith("错误：" if lang == "zh-CN" else "錯誤：")


def test_an_import_refusal_is_translated_line_by_line(cli, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("需求描述,所属客户/项目,优先级,提出时间\n导出慢,ACME,特急,2025-03-01 09:00\n"
                     "报表错,,高,2099-01-01 09:00\n", encoding="utf-8")
    refused = _refused(cli("--lang", "zh-CN", "import", str(sheet)))
    lines = refused.rstrip().splitlines()
    assert len(lines) == 4, refused
    assert lines[0].startswith("reqtrack: bad.csv 未导入任何内容：2 行中共 3 个问题")
    assert lines[1].startswith("  第 2 行，C 列（优先级）：\"特急\"：不是已知的优先级")
    for line in lines:
        assert_no_english(line, "bad.csv", "CSV", "Excel")


def test_a_database_problem_is_translated(cli, tmp_path: Path) -> None:
    missing = cli("--lang", "zh-CN", "--db", str(tmp_path / "none.db"), "show", "202503-001")
    assert_no_english(_refused(missing, 3))
    assert "没有 reqtrack 数据库" in missing.stderr
