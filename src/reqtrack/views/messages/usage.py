"""Click's usage errors (a missing option, an unknown command, a value that is not a number…) in
simplified and traditional Chinese.

The click inside Typer words them in English and has no translation hook, so the command line
(cli/common.py) shows them through these functions: each English sentence click writes is
matched against the patterns below and said again in the chosen language, with the names
people typed (options, commands, values) as they were and the names of arguments
(`DESCRIPTION`, `REQUEST_ID`) in the language too. A sentence no pattern knows stays English.
"""

from __future__ import annotations

import re

# The metavars of click's usage line and the names of reqtrack's arguments (Typer writes them
# `{description}` in the usage line, `'description'` when one is missing), in (zh-CN, zh-TW).
METAVARS: dict[str, tuple[str, str]] = {
    "OPTIONS": ("选项", "選項"),
    "COMMAND": ("命令", "命令"),
    "ARGS": ("参数", "參數"),
    "request_id": ("需求编号", "需求編號"),
    "other": ("另一需求编号", "另一需求編號"),
    "description": ("描述", "描述"),
    "note": ("说明", "說明"),
    "satisfaction": ("满意度", "滿意度"),
    "file": ("文件", "檔案"),
    "kind": ("类型", "類型"),
    "field": ("词表", "詞表"),
    "name": ("名称", "名稱"),
    "key": ("键", "鍵"),
    "value": ("值", "值"),
    "number": ("序号", "序號"),
    "target": ("目标", "目標"),
    "text": ("文字", "文字"),
}

# (English pattern, zh-CN, zh-TW): `{1}`… are the pattern's groups; `{detail:N}` is group N said
# again through DETAILS (the reason of an invalid value), `{name:N}` with the argument names in it
# said in the language.
SENTENCES: tuple[tuple[str, str, str], ...] = (
    (r"Missing option (.+)\.", "缺少选项 {1}。", "缺少選項 {1}。"),
    (r"Missing argument (.+)\.", "缺少参数 {name:1}。", "缺少參數 {name:1}。"),
    (r"Missing parameter:? ?(.*?)\.?", "缺少参数 {name:1}。", "缺少參數 {name:1}。"),
    (r"No such option: (\S+) \(Possible options: (.+)\)", "没有选项 {1}（可能是：{2}）。", "沒有選項 {1}（可能是：{2}）。"),
    (r"No such option: (.+)", "没有选项 {1}。", "沒有選項 {1}。"),
    (r"No such command (.+?)\. Did you mean (.+)\?", "没有命令 {1}。是否指 {2}？", "沒有命令 {1}。是否指 {2}？"),
    (r"No such command (.+?)\.", "没有命令 {1}。", "沒有命令 {1}。"),
    (r"Missing command\.", "缺少命令。", "缺少命令。"),
    (r"Got unexpected extra arguments? \((.*)\)", "多余的参数（{1}）。", "多餘的參數（{1}）。"),
    (r"Got unexpected extra argument\(s\) \((.*)\)", "多余的参数（{1}）。", "多餘的參數（{1}）。"),
    (r"Option (.+) requires an argument\.", "选项 {1} 需要一个值。", "選項 {1} 需要一個值。"),
    (r"Option (.+) requires (\d+) arguments\.", "选项 {1} 需要 {2} 个值。", "選項 {1} 需要 {2} 個值。"),
    (r"Option (.+) does not take a value\.", "选项 {1} 不接受值。", "選項 {1} 不接受值。"),
    (r"Argument (.+) takes (\d+) values\.", "参数 {1} 需要 {2} 个值。", "參數 {1} 需要 {2} 個值。"),
    (r"Invalid value for (.+?): (.*)", "{1} 的值无效：{detail:2}", "{1} 的值無效：{detail:2}"),
    (r"Invalid value: (.*)", "无效的值：{detail:1}", "無效的值：{detail:1}"),
)
DETAILS: tuple[tuple[str, str, str], ...] = (
    (r"(.+) is not a valid int(?:eger)?\.", "{1} 不是有效的整数。", "{1} 不是有效的整數。"),
    (r"(.+) is not a valid float\.", "{1} 不是有效的数字。", "{1} 不是有效的數字。"),
    (r"(.+) is not in the range (.+)\.", "{1} 不在范围 {2} 内。", "{1} 不在範圍 {2} 內。"),
    (r"(.+) is not a valid boolean\. Recognized values: (.+)", "{1} 不是有效的是非值；可用的值：{2}",
     "{1} 不是有效的是非值；可用的值：{2}"),
    (r"(.+) is not a valid UUID\.", "{1} 不是有效的 UUID。", "{1} 不是有效的 UUID。"),
    (r"(.+) does not match the formats (.+)\.", "{1} 不符合格式 {2}。", "{1} 不符合格式 {2}。"),
    (r"Takes (\d+) values but (\d+) given\.", "需要 {1} 个值，但给出了 {2} 个。", "需要 {1} 個值，但給出了 {2} 個。"),
    (r"(\d+) values are required, but (\d+) given\.", "需要 {1} 个值，但给出了 {2} 个。", "需要 {1} 個值，但給出了 {2} 個。"),
    (r"Value must be an iterable\.", "值必须是一组值。", "值必須是一組值。"),
    # reqtrack's own (cli/requests.py)
    (r"say --pass or --fail", "请指定 --pass 或 --fail", "請指定 --pass 或 --fail"),
    (r"use table, json or csv", "请用 table、json 或 csv", "請用 table、json 或 csv"),
)
_ERROR = ("错误：", "錯誤：")
_USAGE = ("用法：", "用法：")
_TRY = ("运行 '{command}' 查看帮助。", "執行 '{command}' 查看說明。")
_QUOTED_NAME = re.compile(r"'([A-Za-z_]+)'")


def _index(lang: str) -> int | None:
    return {"zh-CN": 0, "zh-TW": 1}.get(lang)


def _metavar(name: str, index: int) -> str:
    return METAVARS[name][index] if name in METAVARS else name


def _said(text: str, table: tuple[tuple[str, str, str], ...], index: int) -> str | None:
    """`text` said again through the first pattern of `table` it matches; None if none does."""
    for pattern, *translations in table:
        match = re.fullmatch(pattern, text, re.DOTALL)
        if match is not None:
            return re.sub(r"\{(?:(detail|name):)?(\d+)\}", lambda found, match=match: _group(match, found, index),  # type: ignore[misc]
                          translations[index])
    return None


def _group(match: re.Match[str], found: re.Match[str], index: int) -> str:
    """Group N of `match` for `{N}`; for `{detail:N}` said again through DETAILS; for `{name:N}`
    with its quoted argument names said in the language."""
    text = match.group(int(found.group(2))) or ""
    if found.group(1) == "detail":
        return _said(text, DETAILS, index) or text
    if found.group(1) == "name":
        return _QUOTED_NAME.sub(lambda quoted: f"'{_metavar(quoted.group(1), index)}'", text)
    return text


def usage_sentence(text: str, lang: str) -> str:
    """click's sentence (`Missing option '--customer' / '-c'.`) in `lang`; as it is in English
    or when no pattern knows it."""
    index = _index(lang)
    if index is None:
        return text
    return _said(text.strip(), SENTENCES, index) or text


def error_line(text: str, lang: str) -> str:
    """`Error: <sentence>` in `lang`."""
    index = _index(lang)
    return f"Error: {text}" if index is None else _ERROR[index] + usage_sentence(text, lang)


def usage_line(text: str, lang: str) -> str:
    """click's `Usage: reqtrack new [OPTIONS] DESCRIPTION` in `lang`: the metavars said in it,
    the command's own words (`reqtrack new`) as they are."""
    index = _index(lang)
    if index is None or not text.startswith("Usage: "):
        return text
    return _USAGE[index] + re.sub(r"\[([A-Z][A-Z_]*)\]|\{([a-z_]+)\}|(?<![\w-])([A-Z][A-Z_]*)(?![\w-])",
                                  lambda m: f"[{_metavar(m.group(1), index)}]" if m.group(1)
                                  else _metavar(m.group(2) or m.group(3), index), text[len("Usage: "):])


def help_hint(command: str, lang: str) -> str:
    """`Try 'reqtrack new -h' for help.` in `lang` (`command`: what to run)."""
    index = _index(lang)
    return f"Try '{command}' for help." if index is None else _TRY[index].format(command=command)
