"""Vocabularies of the template with their labels in English, simplified and traditional Chinese.

Canonical keys are English and appear in JSON and scripts; input accepts the key or either
Chinese label (and the English label); display and export use the chosen language.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidInput

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
    raise InvalidInput(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of keys, each with a label per language."""

    field: str
    labels: dict[str, tuple[str, str, str]]  # key -> (en, zh-CN, zh-TW)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, key: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
        """The display label of `key` in `lang` ("" for None)."""
        if key is None:
            return ""
        return self.labels[key][LANGUAGES.index(lang)]

    def lookup(self, value: str) -> str | None:
        """The key whose key or label matches `value`, or None."""
        text = value.strip()
        folded = text.lower()
        for key, names in self.labels.items():
            if folded == key or folded == names[0].lower() or text in names[1:]:
                return key
        return None

    def parse(self, value: str | None) -> str | None:
        """The key for `value` (key or any label); None stays None; anything else is refused."""
        if value is None:
            return None
        key = self.lookup(value)
        if key is None:
            allowed = ", ".join(self.keys)
            raise InvalidInput(f"invalid {self.field} {value!r}; use one of {allowed} (or its Chinese label)")
        return key


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
        "link": ("Linked", "关联", "關聯"),
        "unlink": ("Unlinked", "取消关联", "取消關聯"),
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
