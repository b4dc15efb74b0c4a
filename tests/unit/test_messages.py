"""Every error sentence in three languages (SPEC §11): the catalogue of views/messages/ holds a
translation of every template the source raises, each translation formats with the same
placeholders, and a sentence renders whole (wrapped errors, vocabulary, times in the zone)."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpers import REPO_ROOT
from reqtrack.domain.errors import InvalidInput, Listed, Message, Moment, NotFound, OsReason, ReqtrackError
from reqtrack.domain.vocab import PRIORITY, STATUS, Term
from reqtrack.views.messages import CATALOGUE, render, translate
from reqtrack.views.messages.usage import DETAILS, SENTENCES, error_line, usage_line

PACKAGE = REPO_ROOT / "src" / "reqtrack"

# The calls whose first argument is a sentence template: the errors and the pieces of sentences.
ERRORS = {"ReqtrackError", "InvalidInput", "NotFound", "TransitionRefused", "EnvironmentProblem", "SendFailed",
          "CellProblem"}
MAKERS = ERRORS | {"Message", "plural"}
# Where a template is not a literal: a variable that holds one (a wrapper passing a Message on, a
# message rebuilt from another).
NOT_LITERAL = {
    ("domain/errors.py", "Message"), ("excel/validator.py", "Message"), ("mail.py", "Message"),
    ("mail.py", "SendFailed"), ("services/copying.py", "EnvironmentProblem"), ("safe_output.py", "Message"),
    ("cli/common.py", "Message"),
}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's `NAME = "text"` assignments (sentence templates kept in a constant)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):  # A, B = "…", "…"
            for target in node.targets:
                if isinstance(target, ast.Tuple):
                    for name, value in zip(target.elts, node.value.elts):
                        if isinstance(name, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                            found[name.id] = value.value
    return found


def _templates(node: ast.expr, constants: dict[str, str]) -> Iterator[str] | None:
    """The templates an argument can be: a literal, either side of `a if c else b`, a constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return iter([node.value])
    if isinstance(node, ast.IfExp):
        both = [_templates(node.body, constants), _templates(node.orelse, constants)]
        return None if None in both else (t for side in both for t in side)  # type: ignore[union-attr]
    if isinstance(node, ast.Name) and node.id in constants:
        return iter([constants[node.id]])
    return None


def raise_sites() -> Iterator[tuple[str, int, str, str | None]]:
    """(module, line, maker, template or None when it is not a literal) for every sentence made."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}
    everywhere: dict[str, str] = {}
    for tree in trees.values():
        everywhere.update(_constants(tree))
    for path, tree in trees.items():
        module = str(path.relative_to(PACKAGE))
        constants = {**everywhere, **_constants(tree)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node) not in MAKERS or not node.args:
                continue
            name = _name(node)
            arguments = node.args[1:3] if name == "plural" else node.args[:1]  # plural(count, one, many)
            for argument in arguments:
                found = _templates(argument, constants)
                if found is None:
                    yield module, node.lineno, str(name), None
                else:
                    for template in found:
                        yield module, node.lineno, str(name), template


def test_the_walk_finds_the_raise_sites() -> None:
    sites = list(raise_sites())
    assert len(sites) > 250
    assert ("storage/repository.py", "no request {rid!r}; `reqtrack list` shows the IDs") in \
        {(module, template) for module, _, _, template in sites}


def test_no_error_is_built_from_an_f_string() -> None:
    """A sentence is a template and its values (so that it can be translated), never a text made
    in English beforehand."""
    made = [f"{module}:{line} {name}" for module, line, name, template in raise_sites()
            if template is None and (module, name) not in NOT_LITERAL]
    assert made == []


def test_every_template_raised_is_in_the_catalogue() -> None:
    missing = sorted({f"{module}:{line}: {template!r}" for module, line, name, template in raise_sites()
                      if template and template.strip() and template not in CATALOGUE})
    assert missing == []


def test_the_names_of_written_files_are_in_the_catalogue() -> None:
    """`what` of safe_output (`the backup `): its sentence names the file in the language."""
    whats = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "what"]
                if _name(node) == "cannot_write" and node.args:
                    values.append(node.args[0])
                whats |= {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                          and v.value[:1].isalpha()}
    assert {"the backup ", "the copy ", "the workbook "} <= whats
    assert [w for w in sorted(whats) if w not in CATALOGUE or w.strip() not in CATALOGUE] == []


def _fields(template: str) -> list[str]:
    return sorted({field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template)
                   if field is not None})


@pytest.mark.parametrize("template", sorted(CATALOGUE))
def test_each_translation_formats_with_the_same_placeholders(template: str) -> None:
    fields = _fields(template)
    for lang, text in zip(("zh-CN", "zh-TW"), CATALOGUE[template]):
        assert _fields(text) == fields, (lang, template, text)
        if fields:
            text.format(**{name: 1 if name in ("byte", "count", "most", "n", "seconds", "size", "held", "problems")
                           else "X" for name in fields})  # formats (`:,`, `:g`, `:02X` included)
        assert text.strip() or not template.strip(), (lang, template)
        literal = "".join(text for text, _, _, _ in string.Formatter().parse(template))
        assert text != template or not any("a" <= ch.lower() <= "z" for ch in literal), (lang, template)


def test_the_chinese_scripts_differ_where_they_should() -> None:
    """zh-TW is traditional Chinese, not a copy of zh-CN: every sentence with a simplified-only
    character reads differently."""
    simplified = set("这个为说错误设数据库导时间须请选项确认无关闭")
    for template, (cn, tw) in CATALOGUE.items():
        if set(cn) & simplified:
            assert cn != tw, template
            assert not set(tw) & simplified, (template, tw)


def test_a_plain_sentence_is_not_formatted_and_falls_back_to_english() -> None:
    assert str(InvalidInput("the template's subject must contain {{ id }}")) == "the template's subject must contain {{ id }}"
    unknown = InvalidInput("no such sentence in any catalogue {x}", x=1)
    assert render(unknown, "zh-CN") == str(unknown) == "no such sentence in any catalogue 1"


def test_an_error_renders_in_each_language_and_str_stays_english() -> None:
    refused = NotFound("no request {rid!r}; `reqtrack list` shows the IDs", rid="202611-009")
    assert str(refused) == "no request '202611-009'; `reqtrack list` shows the IDs"
    assert render(refused, "en") == str(refused)
    assert render(refused, "zh-CN") == "没有需求「202611-009」；`reqtrack list` 可列出全部编号"
    assert render(refused, "zh-TW") == "沒有需求「202611-009」；`reqtrack list` 可列出全部編號"


def test_a_wrapped_error_translates_whole() -> None:
    inner = InvalidInput("{raw!r} is not a valid date", raw="2026-13-01")
    outer = InvalidInput("{what}: {problem}", what="--due", problem=inner)
    assert str(outer) == "--due: '2026-13-01' is not a valid date"
    assert render(outer, "zh-CN") == "--due：「2026-13-01」不是有效的日期"
    assert render(outer, "zh-TW") == "--due：「2026-13-01」不是有效的日期"


def test_times_are_shown_in_the_database_zone_in_every_language() -> None:
    future = InvalidInput("--at {at} is in the future", at=Moment(datetime(2026, 12, 9, 12, 26, tzinfo=timezone.utc)))
    assert str(future) == "--at 2026-12-09T12:26+00:00 is in the future"  # no zone known: ISO with its offset
    shanghai = ZoneInfo("Asia/Shanghai")
    assert render(future, "en", shanghai) == "--at 2026-12-09 20:26 is in the future"
    assert render(future, "zh-CN", shanghai) == "--at 2026-12-09 20:26 是将来的时间"
    assert render(future, "zh-TW", shanghai) == "--at 2026-12-09 20:26 是未來的時間"


def test_vocabulary_terms_lists_and_system_reasons_read_in_the_language() -> None:
    status = Term(STATUS, "in-progress", "keyed")
    assert render(Message("{s}", s=status), "en") == "In progress (in-progress)"
    assert render(Message("{s}", s=status), "zh-TW") == "處理中"
    listed = Listed.of([Term(PRIORITY, "high"), Term(PRIORITY, "low")])
    assert render(Message("{x}", x=listed), "en") == "high, low" and render(Message("{x}", x=listed), "zh-CN") == "高、低"
    reason = OsReason.of(PermissionError(13, "Permission denied"))
    assert render(Message("{r}", r=reason), "en") == "Permission denied"
    assert render(Message("{r}", r=reason), "zh-CN") == "权限不足"
    with pytest.raises(InvalidInput) as refused:
        PRIORITY.parse("urgent")
    assert render(refused.value, "zh-CN") == "无效的优先级「urgent」；可用：高、中、低"


def test_translate_knows_only_chinese() -> None:
    template = "no request {rid!r}; `reqtrack list` shows the IDs"
    assert translate(template, "en") is None and translate(template, "fr") is None
    assert translate(template, "zh-CN") == CATALOGUE[template][0]


def test_an_error_is_still_an_exception_with_its_exit_code() -> None:
    error = NotFound("no request {rid!r}; `reqtrack list` shows the IDs", rid="x")
    assert isinstance(error, ReqtrackError) and error.exit_code == 2 and error.args == (str(error),)


# -- click's usage errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("table", [SENTENCES, DETAILS])
def test_each_usage_pattern_keeps_its_groups(table: tuple[tuple[str, str, str], ...]) -> None:
    import re

    for pattern, cn, tw in table:
        groups = re.compile(pattern).groups
        for text in (cn, tw):
            used = {int(n) for n in re.findall(r"\{(?:detail:|name:)?(\d+)\}", text)}
            assert used == set(range(1, groups + 1)), (pattern, text)


def test_click_sentences_read_in_chinese() -> None:
    assert error_line("Missing option '--customer' / '-c'.", "zh-CN") == "错误：缺少选项 '--customer' / '-c'。"
    assert error_line("Missing argument 'description'.", "zh-TW") == "錯誤：缺少參數 '描述'。"
    assert error_line("No such command 'file'.", "zh-CN") == "错误：没有命令 'file'。"  # what was typed stays
    assert error_line("Invalid value for '--value': 'x' is not a valid integer.", "zh-CN") == \
        "错误：'--value' 的值无效：'x' 不是有效的整数。"
    assert error_line("Something click says one day.", "zh-CN") == "错误：Something click says one day."
    assert usage_line("Usage: reqtrack new [OPTIONS] {description}", "zh-CN") == "用法：reqtrack new [选项] 描述"
    assert usage_line("Usage: reqtrack [OPTIONS] COMMAND [ARGS]...", "en") == "Usage: reqtrack [OPTIONS] COMMAND [ARGS]..."


def test_the_catalogue_modules_are_where_the_docs_say() -> None:
    assert (PACKAGE / "views" / "messages" / "__init__.py").exists()
    assert Path(PACKAGE / "views" / "messages" / "usage.py").exists()
