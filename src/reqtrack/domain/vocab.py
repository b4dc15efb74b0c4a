"""Vocabularies of the template with their labels in English, simplified and traditional Chinese.

Canonical keys are English and appear in JSON and scripts; input accepts the key or either
Chinese label (and the English label); display and export use the chosen language.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Literal

from .errors import InvalidInput, Message, Rendering

LANGUAGES = ("en", "zh-CN", "zh-TW")  # the order of every (en, zh-CN, zh-TW) label tuple
DEFAULT_LANGUAGE = "en"


def normalise_language(lang: str | None) -> str:
    """Return the canonical spelling of a language code (`zh_cn` → `zh-CN`), or raise."""
    if not lang:
        return DEFAULT_LANGUAGE
    folded = lang.strip().replace("_", "-").lower()
    for known in LANGUAGES:
        if known.lower() == folded:
            return known
    aliases = {"zh": "zh-CN", "zh-hans": "zh-CN", "zh-hant": "zh-TW", "zh-hk": "zh-TW", "cn": "zh-CN", "tw": "zh-TW"}
    if folded in aliases:
        return aliases[folded]
    raise InvalidInput("unknown language {lang!r}; use one of {languages}", lang=lang, languages=", ".join(LANGUAGES))


def fold(text: str) -> str:
    """A name as input compares it: full-width forms folded (NFKC), Latin letters in any case,
    surrounding space dropped and inner runs of space as one."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# The vocabularies a team may extend per database (SPEC §10); the others stay fixed.
CONFIGURABLE = ("source", "type")

# The sentences of a refused value (domain.errors Message templates; views/messages translates them).
REFUSED = "invalid {field} {value!r}; use one of {choices}{guess}{hint}"
RETIRED = ("{field} {key} ({label}) is retired: records that have it keep it, new ones cannot take it; "
           "use one of {choices}, or `reqtrack vocab restore {field_key} {key}`")
HINT = "; `reqtrack vocab show {field}` lists every label and alias, `reqtrack vocab add {field} KEY …` adds one"
DID_YOU_MEAN = " (did you mean {choice}?)"


@dataclass(frozen=True)
class Vocabulary:
    """A set of keys, each with a label per language and, for source and type, aliases (other
    names input accepts), a default department and whether it is retired (kept on the records
    that have it, refused for new ones). Input compares names with `fold`."""

    field: str
    labels: dict[str, tuple[str, str, str]]  # key -> (en, zh-CN, zh-TW), in the order shown
    aliases: dict[str, tuple[str, ...]] = dc_field(default_factory=dict)  # key -> other names input accepts
    departments: dict[str, str] = dc_field(default_factory=dict)  # key -> default department (types)
    retired: frozenset[str] = frozenset()
    _names: dict[str, str] = dc_field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        for key in self.labels:
            for name in self.names(key):
                names.setdefault(fold(name), key)
        object.__setattr__(self, "_names", names)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @property
    def active_keys(self) -> tuple[str, ...]:
        """The keys new records may take (all but the retired ones)."""
        return tuple(k for k in self.labels if k not in self.retired)

    def names(self, key: str) -> tuple[str, ...]:
        """Every name input accepts for `key`: the key, its three labels, its aliases."""
        return (key, *self.labels[key], *self.aliases.get(key, ()))

    def label(self, key: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
        """The display label of `key` in `lang` ("" for None; a key no entry has, as it is)."""
        if key is None:
            return ""
        labels = self.labels.get(key)
        return labels[LANGUAGES.index(lang)] if labels else key

    def department(self, key: str | None) -> str | None:
        """The default department of `key` (None: it has none)."""
        return self.departments.get(key) if key is not None else None

    def lookup(self, value: str) -> str | None:
        """The key one of whose names matches `value` (`fold`ed), retired ones included, or None."""
        return self._names.get(fold(value))

    def choice(self, key: str, lang: str = DEFAULT_LANGUAGE) -> str:
        """One entry as an error names it: `feature (New feature, 新功能开发)`, `新功能开发 (feature)`;
        an entry of a fixed vocabulary in Chinese by its label alone (`高`)."""
        if lang == "en":
            return f"{key} ({self.labels[key][0]}, {self.labels[key][1]})"
        if self.field not in CONFIGURABLE:
            return self.label(key, lang)
        return f"{self.label(key, lang)} ({key})"

    def choices(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The names new records may take, as an error lists them in `lang`."""
        keys = self.active_keys
        if self.field not in CONFIGURABLE and lang == "en":
            return ", ".join(keys) + " (or its Chinese label)"
        return (", " if lang == "en" else "、").join(self.choice(k, lang) for k in keys)

    def parse(self, value: str | None, *, new_use: bool = True) -> str | None:
        """The key for `value` (its key, a label or an alias); None stays None; an unknown value is
        refused naming the accepted labels (in the language the error is shown in), and so is a
        retired one when `new_use` (a new or changed record; filters read retired keys too)."""
        if value is None:
            return None
        key = self.lookup(value)
        if key is None:
            hint = Message(HINT, field=self.field) if self.field in CONFIGURABLE else ""
            raise InvalidInput(REFUSED, field=FieldName(self.field), value=value.strip(), choices=Choices(self),
                               guess=self._guess(value), hint=hint)
        if new_use and key in self.retired:
            raise InvalidInput(RETIRED, field=FieldName(self.field), key=key, label=Term(self, key),
                               choices=Choices(self), field_key=self.field)
        return key

    def _guess(self, value: str) -> Message | str:
        """`did you mean` the one active entry whose name contains the input or is contained in it."""
        folded = fold(value)
        if len(folded) < 2:
            return ""
        found = {key for name, key in self._names.items()
                 if key not in self.retired and len(name) >= 2 and (folded in name or name in folded)}
        if len(found) != 1:
            return ""
        return Message(DID_YOU_MEAN, choice=Choice(self, found.pop()))


# -- vocabulary in messages (domain.errors markers) -----------------------------------------------
@dataclass(frozen=True)
class Term:
    """A vocabulary key in a message: its label in Chinese; in English (`english`) the key, what
    scripts and options use (`key`), the English label (`label`), or both (`keyed`: `Pending (pending)`)."""

    vocabulary: Vocabulary
    key: str
    english: Literal["key", "label", "keyed"] = "key"

    def shown(self, how: Rendering) -> str:
        label = self.vocabulary.label(self.key, how.lang)
        if not how.english or self.english == "label":
            return label
        return f"{label} ({self.key})" if self.english == "keyed" and label != self.key else self.key


@dataclass(frozen=True)
class Choice:
    """One entry of a vocabulary as an error names it (`Vocabulary.choice`)."""

    vocabulary: Vocabulary
    key: str

    def shown(self, how: Rendering) -> str:
        return self.vocabulary.choice(self.key, how.lang)


@dataclass(frozen=True)
class Choices:
    """The entries new records may take, as an error lists them (`Vocabulary.choices`)."""

    vocabulary: Vocabulary

    def shown(self, how: Rendering) -> str:
        return self.vocabulary.choices(how.lang)


# The names of the vocabularies that are no column (the others are named by their column).
_FIELD_NAMES = {
    "link kind": ("link kind", "关联类型", "關聯類型"),
    "notice kind": ("notice kind", "通知类型", "通知類型"),
    "action": ("action", "操作", "操作"),
}


@dataclass(frozen=True)
class FieldName:
    """A field or vocabulary in a message: its key in English (`priority`), its column's header in
    Chinese (`优先级`)."""

    key: str

    def shown(self, how: Rendering) -> str:
        if how.english:
            return self.key
        if self.key in _FIELD_NAMES:
            return _FIELD_NAMES[self.key][LANGUAGES.index(how.lang)]
        return column_label(self.key, how.lang)


# Source and type: the built-in entries, what a database without entries of its own has. A
# database may add, edit, retire and restore entries (domain.vocabularies, `reqtrack vocab`).
# Aliases are the other names people type (and sheets hold); each name belongs to one key.
SOURCE = Vocabulary(
    "source",
    {
        "phone": ("Phone", "电话", "電話"),
        "email": ("Email", "邮件", "郵件"),
        "meeting": ("Meeting", "会议", "會議"),
        "online-form": ("Online form", "线上表单", "線上表單"),
        "csm": ("Customer success manager", "客户成功经理反馈", "客戶成功經理反饋"),
        "chat": ("Live chat", "在线客服", "在線客服"),
        "social": ("Social media", "社交媒体", "社交媒體"),
        "survey": ("Survey", "调研", "調研"),
        "internal": ("Internal", "内部", "內部"),
        "other": ("Other", "其他", "其他"),
    },
    aliases={
        "phone": ("tel", "telephone", "call", "phone call", "来电", "來電", "电话沟通", "電話溝通"),
        "email": ("e-mail", "mail", "电邮", "電郵", "邮箱", "郵箱", "电子邮件", "電子郵件"),
        "meeting": ("meet", "面谈", "面談", "会谈", "會談"),
        "online-form": ("web form", "form", "表单", "表單", "在线表单", "在線表單", "网上表单", "網上表單",
                        "网页表单", "網頁表單"),
        "csm": ("customer success", "客户成功", "客戶成功", "客户成功经理", "客戶成功經理"),
        "chat": ("online chat", "web chat", "在线聊天", "在線聊天", "网页客服", "網頁客服"),
        "social": ("wechat", "微信", "weibo", "微博", "社媒"),
        "survey": ("questionnaire", "问卷", "問卷", "问卷调查", "問卷調查"),
        "internal": ("内部反馈", "內部反饋", "业务部门", "業務部門"),
        "other": ("其它",),
    },
)

TYPE = Vocabulary(
    "type",
    {
        "improvement": ("Improvement", "功能优化", "功能優化"),
        "bug": ("Bug fix", "问题修复", "問題修復"),
        "feature": ("New feature", "新功能开发", "新功能開發"),
        "support": ("Service support", "服务支持", "服務支持"),
        "other": ("Other", "其他", "其他"),
    },
    aliases={
        "improvement": ("optimization", "enhancement", "improve", "优化", "優化", "改进", "改進", "功能改进", "功能改進"),
        "bug": ("fix", "defect", "缺陷", "故障", "报错", "報錯", "问题反馈", "問題反饋"),
        "feature": ("feature request", "新功能", "新需求", "功能需求", "新增功能"),
        "support": ("service", "咨询", "諮詢", "技术支持", "技術支持"),
        "other": ("其它",),
    },
)

PRIORITY = Vocabulary(
    "priority",
    {"high": ("High", "高", "高"), "medium": ("Medium", "中", "中"), "low": ("Low", "低", "低")},
)

FEASIBILITY = Vocabulary(
    "feasibility",
    {
        "now": ("Can start now", "可立即执行", "可立即執行"),
        "adjust": ("Needs adjustment", "需调整后执行", "需調整後執行"),
        "defer": ("Deferred", "暂不执行", "暫不執行"),
    },
)

STATUS = Vocabulary(
    "status",
    {
        "pending": ("Pending", "待处理", "待處理"),
        "in-progress": ("In progress", "处理中", "處理中"),
        "verifying": ("Verifying", "待验证", "待驗證"),
        "done": ("Done", "已完成", "已完成"),
        "closed": ("Closed", "已关闭", "已關閉"),
        "cancelled": ("Cancelled", "已取消", "已取消"),
    },
)

VERIFICATION = Vocabulary("verification", {"pass": ("Pass", "通过", "通過"), "fail": ("Fail", "不通过", "不通過")})

SATISFACTION = Vocabulary(
    "satisfaction",
    {
        "satisfied": ("Satisfied", "满意", "滿意"),
        "neutral": ("Neutral", "一般", "一般"),
        "dissatisfied": ("Dissatisfied", "不满意", "不滿意"),
    },
)

# History actions: the command that made the entry; labels are what the process-log cell shows.
ACTION = Vocabulary(
    "action",
    {
        "new": ("Registered", "登记", "登記"),
        "classify": ("Assessed", "分类评估", "分類評估"),
        "reassess": ("Re-assessed (change request)", "需求变更评估", "需求變更評估"),
        "assign": ("Assigned", "分配", "分配"),
        "progress": ("Progress", "进度", "進度"),
        "complete": ("Completed", "完成", "完成"),
        "verify": ("Verified", "验证", "驗證"),
        "close": ("Closed", "归档关闭", "歸檔關閉"),
        "rate": ("Rated", "满意度回访", "滿意度回訪"),
        "cancel": ("Cancelled", "取消", "取消"),
        "reopen": ("Reopened", "重新打开", "重新打開"),
        "edit": ("Edited", "修改", "修改"),
        "attach": ("Attachment added", "添加附件", "添加附件"),
        "import": ("Imported", "导入", "導入"),
        "notice": ("Customer notified", "通知客户", "通知客戶"),
        "link": ("Linked", "关联", "關聯"),
        "unlink": ("Unlinked", "取消关联", "取消關聯"),
    },
)

# The kinds of notice the team sends the customer (SPEC §8, docs/notices.md), in the order of the
# loop: received, assessed, in progress, done, the survey after closing, and a cancellation.
NOTICE_KIND = Vocabulary(
    "notice kind",
    {
        "ack": ("Acknowledgement", "受理确认", "受理確認"),
        "plan": ("Assessment and plan", "评估结果", "評估結果"),
        "progress": ("Progress update", "进度同步", "進度同步"),
        "done": ("Completion notice", "需求完成通知", "需求完成通知"),
        "survey": ("Satisfaction survey", "满意度回访", "滿意度回訪"),
        "cancel": ("Cancellation notice", "取消通知", "取消通知"),
    },
)

# Kinds of link between two requests (SPEC §9, domain/links.py).
LINK_KIND = Vocabulary(
    "link kind",
    {
        "related": ("Related", "相关", "相關"),
        "duplicate": ("Duplicate", "重复", "重複"),
        "recurrence": ("Recurrence", "复现", "復現"),
        "depends-on": ("Depends on", "依赖", "依賴"),
    },
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.field: v for v in (SOURCE, TYPE, PRIORITY, FEASIBILITY, STATUS, VERIFICATION, SATISFACTION, ACTION, LINK_KIND)
}

# The open statuses: work not yet verified done, nor cancelled. The one definition (the
# lifecycle, the SLA clocks, the report, the storage queries and `--open` read it).
OPEN_STATUSES = ("pending", "in-progress", "verifying")

# The template's 18 columns, in order: (key, en, zh-CN, zh-TW).
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("id", "ID", "需求编号", "需求編號"),
    ("source", "Source", "需求来源", "需求來源"),
    ("proposer", "Proposer", "提出人", "提出人"),
    ("customer", "Customer / project", "所属客户/项目", "所屬客戶/項目"),
    ("type", "Type", "需求类型", "需求類型"),
    ("description", "Description", "需求描述", "需求描述"),
    ("attachments", "Attachments", "附件", "附件"),
    ("submitted_at", "Submitted at", "提出时间", "提出時間"),
    ("liaison", "Liaison", "需求对接人", "需求對接人"),
    ("priority", "Priority", "优先级", "優先級"),
    ("owner", "Owner (dept / person)", "负责部门/负责人", "負責部門/負責人"),
    ("due", "Planned completion", "计划完成时间", "計劃完成時間"),
    ("completed_at", "Actual completion", "实际完成时间", "實際完成時間"),
    ("status", "Status", "需求状态", "需求狀態"),
    ("history", "Process log", "处理过程", "處理過程"),
    ("verification", "Verification", "验证结果", "驗證結果"),
    ("satisfaction", "Satisfaction", "客户满意度", "客戶滿意度"),
    ("notes", "Notes", "备注", "備註"),
)

# Fields that are kept but are not template columns: (key, en, zh-CN, zh-TW).
EXTRA_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("contact", "Contact", "联系方式", "聯繫方式"),
    ("department", "Department", "负责部门", "負責部門"),
    ("feasibility", "Feasibility", "可行性", "可行性"),
    ("scores", "Scores", "评估得分", "評估得分"),
    ("priority_reason", "Priority reason", "优先级依据", "優先級依據"),
    ("assign_reason", "Assignment reason", "分配理由", "分配理由"),
    ("verification_note", "Verification note", "验证说明", "驗證說明"),
    ("responded_at", "First response", "首次响应时间", "首次響應時間"),
    ("closed_at", "Closed at", "关闭时间", "關閉時間"),
    ("waiting", "Waiting on customer", "等待客户", "等待客戶"),
)


# The column export adds after the template's 18 when the database holds links (docs/excel.md).
LINKS_COLUMN: tuple[str, str, str, str] = ("links", "Links", "关联需求", "關聯需求")


def column_label(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The header of a template column or extra field in `lang`."""
    index = 1 + LANGUAGES.index(lang)  # after the key
    for row in (*COLUMNS, LINKS_COLUMN, *EXTRA_FIELDS):
        if row[0] == key:
            return row[index]
    return key
