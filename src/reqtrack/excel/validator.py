"""The validator: a cell of an imported sheet turned into a field value, leniently (docs/excel.md,
"Import": vocabulary in any language with synonyms, dates as Excel dates or text in many forms,
the owner as "dept/person" or variants), and reqtrack's own process-log cell read back into
entries. A cell that cannot be read raises `CellProblem` with a short reason; the import adds
row, column and value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.errors import Listed, Message
from ..domain.record import TIME_RANGE, year_in_range
from ..domain.vocab import ACTION, VERIFICATION, Choice, Choices, FieldName, Vocabulary
from .columns import strip_glosses
from .safety import strip_cut_marker


class CellProblem(ValueError):
    """A cell that cannot be read; the message says why (the caller adds row, column and value):
    `CellProblem(template, **values)`, a domain.errors Message as the errors carry it."""

    def __init__(self, template: str, /, **values: object) -> None:
        self.message = Message(template, **values)
        super().__init__(str(self.message))


def cell_text(value: Any) -> str | None:
    """A cell as text: None for empty or blank, numbers without a spurious `.0`."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not math.isfinite(value):
        raise CellProblem("a number that is not finite (INF or NaN), which no field can hold; write the value itself")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def parse_plain(value: Any) -> str | None:
    """Names, customer, ID: trimmed text."""
    text = cell_text(value)
    return text.strip() if text is not None else None


def parse_verbatim(value: Any) -> str | None:
    """Description and notes: kept exactly (blank means empty)."""
    return cell_text(value)


# Synonyms of the fixed vocabularies a sheet may hold. Source and type keep theirs as the aliases
# of their entries (domain.vocab, and the database's own: `reqtrack vocab`), which input and
# import read alike.
_VOCABULARY_ALIASES: dict[str, dict[str, str]] = {
    "priority": {"urgent": "high", "normal": "medium", "紧急": "high", "緊急": "high", "高优先级": "high",
                 "高優先級": "high", "中优先级": "medium", "中優先級": "medium", "低优先级": "low", "低優先級": "low"},
    "status": {"canceled": "cancelled", "in progress": "in-progress", "进行中": "in-progress", "進行中": "in-progress",
               "验证中": "verifying", "驗證中": "verifying", "已归档": "closed", "已歸檔": "closed", "完成": "done",
               "关闭": "closed", "關閉": "closed", "取消": "cancelled", "待验收": "verifying", "待驗收": "verifying"},
    "satisfaction": {"very satisfied": "satisfied", "unsatisfied": "dissatisfied", "非常满意": "satisfied",
                     "非常滿意": "satisfied", "比较满意": "satisfied", "比較滿意": "satisfied"},
    "verification": {"passed": "pass", "failed": "fail", "ok": "pass"},
    "feasibility": {},
}
# Source and type are descriptive ("客戶電話" = a phone call from the customer), so a unique
# Chinese label inside the text is enough (a label, not an alias: "企业微信" is not the alias
# 微信, but a channel of its own that the database may not know yet); status, priority, verification and satisfaction are
# not (未完成 contains 完成, 不满意 contains 满意): those must match exactly.
_CONTAINMENT_FIELDS = ("source", "type")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def parse_vocabulary(vocab: Vocabulary, value: Any) -> str | None:
    """The key for a cell: any name of an entry (key, label in any language, alias; retired
    entries too, since a sheet holds old records), a few common synonyms of the fixed
    vocabularies; CellProblem otherwise, naming the known labels (and, for source and type,
    `reqtrack vocab add` as the fix)."""
    text = parse_plain(value)
    if text is None:
        return None
    folded = strip_glosses(unicodedata.normalize("NFKC", text).strip())
    key = vocab.lookup(folded)
    if key is not None:
        return key
    aliases = _VOCABULARY_ALIASES.get(vocab.field, {})
    lowered = folded.lower()
    if lowered in aliases:
        return aliases[lowered]
    if vocab.field in _CONTAINMENT_FIELDS:
        matches = {candidate for candidate, labels in vocab.labels.items()
                   for name in labels[1:] if _has_cjk(name) and name in folded}
        if len(matches) == 1:
            return matches.pop()
    if vocab.field not in _CONTAINMENT_FIELDS:
        raise CellProblem("not a known {field}; use one of {choices}", field=FieldName(vocab.field),
                          choices=Listed.of(Choice(vocab, k) for k in vocab.keys))
    raise CellProblem("not a known {field} of this database; known: {choices}; if it is a new one, add it first with "
                      "`reqtrack vocab add {key} KEY --zh-CN {text} --en …` (or add it as an alias of one with "
                      "`reqtrack vocab edit {key} KEY --alias {text}`), then import again", field=FieldName(vocab.field),
                      choices=Choices(vocab), key=vocab.field, text=text.strip())


_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:时時点點]\s*(\d{1,2})\s*分?(?:\s*[:]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _in_range(year: int) -> None:
    if not year_in_range(year):
        raise CellProblem("the year {year} is outside what every command can read back ({range}); a typo?", year=year,
                          range=TIME_RANGE)


def parse_when(value: Any, tz: ZoneInfo) -> tuple[datetime, bool] | None:
    """A date-time cell as (aware UTC time, date_only). Excel date-time and date cells, text such
    as `2024-05-01 14:30`, `2024-05-0114:30` (glued), `2024/5/1`, `2024年5月1日 14:30`, ISO 8601
    with an offset; naive values are local to `tz`. A date alone is 00:00 (the caller moves a
    deadline to the end of its day)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        _in_range(value.year)
        local = value if value.tzinfo else value.replace(tzinfo=tz)
        return local.astimezone(timezone.utc), False
    if isinstance(value, date):
        _in_range(value.year)
        return datetime.combine(value, time(0, 0), tzinfo=tz).astimezone(timezone.utc), True
    if isinstance(value, time):
        raise CellProblem("a time of day without a date")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial date in a cell without a date format
            moment = _EXCEL_EPOCH + timedelta(days=float(value), seconds=30)
            moment = moment.replace(second=0, microsecond=0)  # to the nearest minute
            return moment.replace(tzinfo=tz).astimezone(timezone.utc), float(value).is_integer()
        raise CellProblem("not a date")
    text = parse_plain(value)
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _DATE_TIME.match(folded) or _COMPACT_DATE.match(folded)
    try:
        if match:
            parts = [int(p) if p is not None else None for p in match.groups()] + [None] * 3
            year, month, day, hour, minute, second = parts[:6]
            _in_range(year)  # type: ignore[arg-type]
            if hour is None:
                return datetime(year, month, day, tzinfo=tz).astimezone(timezone.utc), True  # type: ignore[arg-type]
            moment = datetime(year, month, day, hour, minute or 0, second or 0, tzinfo=tz)  # type: ignore[arg-type]
            return moment.astimezone(timezone.utc), False
        moment = datetime.fromisoformat(folded.replace("Z", "+00:00"))
    except CellProblem:
        raise
    except (ValueError, OverflowError):
        raise CellProblem("not a valid date or time; write e.g. 2024-05-01 14:30") from None
    _in_range(moment.year)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc), False


_NONE_WORDS = frozenset({"无", "無", "没有", "沒有", "暂无", "暫無", "none", "no", "n/a", "na", "nil", "-", "—", "/", "／", "否"})


def parse_attachments(value: Any) -> list[str]:
    """File names, one per line (or separated by `;`); 无/無/none/- mean no attachments."""
    text = parse_plain(value)
    if text is None or unicodedata.normalize("NFKC", text).strip().lower() in _NONE_WORDS:
        return []
    from ..safe_output import plain_file_name

    parts = text.split("\n") if "\n" in text else re.split(r"[;；]", text)
    # Names only (contents stay in reqtrack): `../../x` or `C:\\x\\y.doc` is stored as its file name.
    return [plain_file_name(p.strip()) for p in parts if p.strip()]


_DEPARTMENT_SUFFIX = re.compile(r"^(.+?(?:部门|部門|部|中心|组|組|团队|團隊|科|室|处|處))(\*.*)$")
_PARENTHESISED = re.compile(r"^(.+?)\s*[(（]([^()（）]+)[)）]$")


def parse_owner(value: Any) -> tuple[str | None, str | None]:
    """The "dept/person" cell as (department, owner). Also read: `person(dept)`, a department
    glued to a masked name as in the template (产品部*经理), and a person alone."""
    text = parse_plain(value)
    if text is None:
        return None, None
    for separator in ("/", "／"):
        if separator in text:
            department, owner = text.split(separator, 1)
            return department.strip() or None, owner.strip() or None
    match = _PARENTHESISED.match(text)
    if match:
        return match.group(2).strip(), match.group(1).strip()
    match = _DEPARTMENT_SUFFIX.match(text)
    if match:
        return match.group(1), match.group(2)
    return None, text


def parse_verification(value: Any) -> tuple[str | None, str | None]:
    """`通过`, `不通过：原因`, `Fail: reason`, `不通過(導出仍超時)` as (key, note)."""
    text = cell_text(value)
    if text is None:
        return None, None
    stripped = text.strip()
    candidates: list[tuple[str, str]] = []
    for key, labels in VERIFICATION.labels.items():
        for label in (key, *labels, *[a for a, k in _VOCABULARY_ALIASES["verification"].items() if k == key]):
            candidates.append((label, key))
    candidates.sort(key=lambda pair: len(pair[0]), reverse=True)  # 不通过 before 通过
    for label, key in candidates:
        if stripped[:len(label)].lower() == label.lower():
            rest = stripped[len(label):]
            if rest.startswith(": "):
                return key, text.lstrip()[len(label) + 2:] or None  # reqtrack's own form: exact
            if rest and (rest[0].isalnum() and not _has_cjk(rest[0])):
                continue  # "passed" is not "pass" + "ed"
            rest = rest.strip()
            if rest[:1] in "(（" and rest[-1:] in ")）":
                rest = rest[1:-1]
            rest = rest.lstrip(":：-—,，;；").strip()
            return key, rest or None
    raise CellProblem("not a verification result; use pass/fail (通过/不通过), optionally followed by ': reason'")


def parse_scores(value: Any) -> dict[str, int] | None:
    """`value=8; urgency=7; cost=3; impact=8` (or JSON) as the four scores."""
    import json

    text = parse_plain(value)
    if text is None:
        return None
    pairs: dict[str, Any]
    try:
        pairs = json.loads(text) if text.startswith("{") else {}
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        pairs = {}
    if not isinstance(pairs, dict):
        pairs = {}
    if not pairs:
        pairs = {k.lower(): v for k, v in re.findall(r"([A-Za-z]+)\s*[=:]\s*(\d+)", text)}
    try:
        scores = {name: int(pairs[name]) for name in ("value", "urgency", "cost", "impact")}
    except (KeyError, ValueError, TypeError, OverflowError):  # OverflowError: 1e999 is an infinite float
        raise CellProblem("scores need value, urgency, cost and impact, e.g. value=8; urgency=7; cost=3; impact=8") from None
    if not all(1 <= v <= 10 for v in scores.values()):
        raise CellProblem("each score is between 1 and 10")
    return scores


def parse_flag(value: Any) -> bool:
    """yes/no, 是/否, true/false, 1/0; empty is no."""
    text = parse_plain(value)
    if text is None:
        return False
    folded = text.lower()
    if folded in ("yes", "y", "true", "1", "是", "x", "✓"):
        return True
    if folded in ("no", "n", "false", "0", "否"):
        return False
    raise CellProblem("not yes or no")


# -- the links -----------------------------------------------------------------------------------
_LINK_LINE = re.compile(r"^\s*(?P<kind>.+?)\s*(?P<arrow>→|->|←|<-)\s*(?P<id>\S+)\s*$")


def parse_links(value: Any) -> list[tuple[str, str, str]]:
    """The Links cell (excel.rows.link_cell_line, one link a line: `<kind> → <ID>` or `<kind> ←
    <ID>`, the kind as its key or a label in any language, `->` and `<-` too) as (kind,
    direction, other ID) in the cell's order; empty: none."""
    from ..domain.vocab import LINK_KIND

    text = cell_text(value)
    if text is None:
        return []
    found: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _LINK_LINE.match(line)
        kind = LINK_KIND.lookup(match.group("kind")) if match else None
        if match is None or kind is None:
            raise CellProblem("the link {line!r} is not `<kind> → <ID>` or `<kind> ← <ID>` with a kind of {kinds} (or its "
                              "label)", line=line.strip(), kinds=", ".join(LINK_KIND.keys))
        found.append((kind, "out" if match.group("arrow") in ("→", "->") else "in", match.group("id")))
    return found


# -- the process log ----------------------------------------------------------------------------
# `YYYY-MM-DD HH:MM <label>[: note]`: the label is what follows up to the first ": " after its
# first character (the rest of the line if none), the note what follows that.
_LOG_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} .")


@dataclass(slots=True)  # an import may hold hundreds of thousands
class LogEntry:
    """A line of reqtrack's own process-log format, read back."""

    at: datetime  # aware UTC, to the minute
    action: str
    note: str
    text: str  # the line(s) as in the cell


_ACTION_KEYS: dict[str, str] = {}  # action label → key, for the labels met so far (a few dozen)


def _log_line(line: str, tz: ZoneInfo) -> LogEntry | None:
    if not _LOG_STAMP.match(line):
        return None
    split = line.find(": ", 18)
    label, note = (line[17:], "") if split < 0 else (line[17:split], line[split + 2:])
    action = _ACTION_KEYS.get(label)
    if action is None:
        action = ACTION.lookup(label)
        if action is None:
            return None
        _ACTION_KEYS[label] = action
    try:  # the pattern fixed the positions of the digits
        local = datetime(int(line[0:4]), int(line[5:7]), int(line[8:10]), int(line[11:13]), int(line[14:16]), tzinfo=tz)
    except ValueError:
        return None
    if not year_in_range(local.year):
        raise CellProblem("the process log has an entry dated {at}, a year outside what every command can read back "
                          "({range}); a typo?", at=line[:16], range=TIME_RANGE)
    return LogEntry(local.astimezone(timezone.utc), action, note, line)


def parse_process_log(text: str | None, tz: ZoneInfo) -> tuple[list[LogEntry] | None, bool]:
    """(entries oldest first, cut) when the cell is in reqtrack's own format — each entry a line
    `YYYY-MM-DD HH:MM <action label in any language>[: note]`, newest first, a note's further
    lines following it — or (None, False) for anything else (kept as one imported note).
    `cut` says that the cell ended with reqtrack's marker for entries cut at Excel's limit.
    CellProblem for an entry dated outside the years reqtrack handles."""
    if text is None or not text.strip():
        return [], False
    body, cut = strip_cut_marker(text)
    entries: list[LogEntry] = []
    for line in body.split("\n"):
        entry = _log_line(line, tz)
        if entry is not None:
            entries.append(entry)
        elif not entries:
            return None, False
        else:
            entries[-1].note += "\n" + line
            entries[-1].text += "\n" + line
    entries.reverse()
    entries.sort(key=lambda e: e.at)  # stable: entries of the same minute keep their order
    return entries, cut
