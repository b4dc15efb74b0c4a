"""The template's column map (docs/excel.md, "The columns"): the 18 template columns and the
kept extras in order, their header labels, widths and kinds, and how a header row in any of the
three languages (or a common variant) is recognised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..domain.errors import Message
from ..domain.vocab import (
    COLUMNS,
    EXTRA_FIELDS,
    FEASIBILITY,
    LINKS_COLUMN,
    PRIORITY,
    SATISFACTION,
    SOURCE,
    STATUS,
    TYPE,
    Vocabulary,
    column_label,
)

HEADER_SEARCH_ROWS = 10  # a real sheet may have a title row or two above its header

TEMPLATE_KEYS: tuple[str, ...] = tuple(c[0] for c in COLUMNS)
EXTRA_KEYS: tuple[str, ...] = tuple(c[0] for c in EXTRA_FIELDS)

VOCABULARY_COLUMNS: dict[str, Vocabulary] = {
    "source": SOURCE, "type": TYPE, "priority": PRIORITY, "status": STATUS, "satisfaction": SATISFACTION,
    "feasibility": FEASIBILITY,
}
TIME_COLUMNS = ("submitted_at", "completed_at", "responded_at", "closed_at")
WRAPPED_COLUMNS = frozenset({"description", "attachments", "history", "notes", "links"})
NAME_FIELDS = ("proposer", "contact", "liaison", "owner")
COLUMN_WIDTHS = {
    "id": 13, "source": 12, "proposer": 11, "customer": 22, "type": 12, "description": 48, "attachments": 20,
    "submitted_at": 17, "liaison": 12, "priority": 9, "owner": 20, "due": 17, "completed_at": 17, "status": 11,
    "history": 64, "verification": 16, "satisfaction": 11, "notes": 32, "contact": 16, "department": 14,
    "feasibility": 14, "scores": 30, "priority_reason": 24, "assign_reason": 24, "verification_note": 24,
    "responded_at": 17, "closed_at": 17, "waiting": 9, "links": 26,
}


def column_keys(extra: bool = False, links: bool = False) -> tuple[str, ...]:
    """The 18 template columns in order, then `Links` (when asked for: the database holds
    links), then the kept extras (when asked for)."""
    return TEMPLATE_KEYS + ((LINKS_COLUMN[0],) if links else ()) + (EXTRA_KEYS if extra else ())


def header_labels(lang: str, extra: bool = False, links: bool = False) -> list[str]:
    """The header row in `lang`."""
    return [column_label(key, lang) for key in column_keys(extra, links)]


# -- recognising a header row -------------------------------------------------------------------
# Copies of the template found on the web carry pinyin glosses after some characters
# (優(yōu)先級, 需求狀態(tài)): ignored where a header or a vocabulary label is recognised.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)")


def strip_glosses(text: str) -> str:
    """`優(yōu)先級` → `優先級`: pinyin in brackets right after a Chinese character dropped."""
    return _PINYIN_GLOSS.sub("", text) if "(" in text else text


def _normal(text: Any) -> str:
    """Header text compared loosely: full-width folded, pinyin glosses, spaces and `*` markers
    dropped, lower case."""
    folded = strip_glosses(unicodedata.normalize("NFKC", str(text)))
    return re.sub(r"[\s*]+", "", folded).lower()


_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "編號", "需求id", "requestid", "reqid"),
    "source": ("来源", "來源", "渠道", "需求渠道"),
    "proposer": ("提出人姓名", "客户联系人", "客戶聯繫人"),
    "customer": ("客户", "客戶", "所属客户", "所屬客戶", "客户/项目", "客戶/項目", "所属项目", "所屬項目", "项目", "項目",
                 "customer", "project", "customer/project", "所属客户/项目名称"),
    "type": ("类型", "類型"),
    "description": ("描述", "需求内容", "需求內容"),
    "attachments": ("attachment", "附件名称", "附件名稱"),
    "submitted_at": ("提出日期", "提交时间", "提交時間", "submitted", "submittedon", "submissiontime"),
    "liaison": ("对接人", "對接人"),
    "priority": ("优先级别", "優先級別"),
    "owner": ("负责人", "負責人", "owner", "负责部门/人", "負責部門/人", "负责部门/负责人员", "owner(dept/person)"),
    "department": ("dept", "部门", "部門"),
    "due": ("计划完成日期", "計劃完成日期", "due", "duedate", "deadline", "plannedcompletion"),
    "completed_at": ("实际完成日期", "實際完成日期", "completed", "completion", "actualcompletion"),
    "status": ("状态", "狀態"),
    "history": ("处理记录", "處理記錄", "history", "processlog", "处理过程记录", "處理過程記錄"),
    "verification": ("验证", "驗證"),
    "satisfaction": ("满意度", "滿意度"),
    "notes": ("remarks", "remark", "note", "备注说明", "備註說明"),
    "links": ("link", "linkedrequests", "关联", "關聯", "相关需求", "相關需求"),
}


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for row in (*COLUMNS, LINKS_COLUMN, *EXTRA_FIELDS):
        key = row[0]
        for text in (key, *row[1:]):
            names.setdefault(_normal(text), key)
    for key, aliases in _HEADER_ALIASES.items():
        for text in aliases:
            names.setdefault(_normal(text), key)
    return names


HEADER_NAMES = _header_names()


@dataclass
class Column:
    """A recognised column of the file."""

    index: int  # 0-based position in a row
    key: str
    header: str  # the header text as in the file

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)

    @property
    def name(self) -> Message:
        """How problems name the column: letter and header, e.g. `column L (计划完成时间)`."""
        return Message("column {letter} ({header})", letter=self.letter, header=self.header)


def recognise_header(cells: list[Any]) -> tuple[list[Column], list[str]]:
    """The known columns of a header row (first occurrence of each) and the unknown headers."""
    columns: list[Column] = []
    seen: set[str] = set()
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        text = str(cell).strip()
        key = HEADER_NAMES.get(_normal(text))
        if key is None or key in seen:
            ignored.append(text)
            continue
        seen.add(key)
        columns.append(Column(index, key, text))
    # The template's single "dept/person" column and separate "负责部门" + "负责人" columns both work;
    # a lone "负责部门" next to no owner column is the owner cell's department part.
    return columns, ignored


def find_header(head: list[tuple[int, list[Any]]]) -> tuple[int, list[Column], list[str]] | None:
    """(row number, columns, unknown headers) of the first of the (number, cells) rows that names
    at least the customer and the description columns; None when none does."""
    for number, cells in head:
        columns, ignored = recognise_header(cells)
        keys = {c.key for c in columns}
        if {"customer", "description"} <= keys:
            return number, columns, ignored
    return None
