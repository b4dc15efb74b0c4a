"""The exceptions of reqtrack, the exit statuses of the command line, and the sentences they carry.

The CLI turns each exception into one sentence on stderr and exits with its `exit_code`, one of
`ExitStatus`: the one table of the numbers the command exits with, and what each means to a script.

A sentence is a `Message`: an English template with named placeholders and its values,
`NotFound("no request {rid!r}; `reqtrack list` shows the IDs", rid=rid)`. `str()` of the error is
the English sentence (logs, tests, scripts); the CLI renders it in the chosen language through the
catalogue of `views/messages/` (the template is the key of its translations), with its times in
the database's zone. A value that is itself a `Message` or an error (a wrapped one) is rendered in
the same language; the markers below render a value per language and zone: `Moment` (a time),
`Listed` (a list), `OsReason` (an operating-system error); `domain.vocab` adds `Term` (a
vocabulary key as its label), `Choices` and `FieldName`. A template without values is a plain
sentence: it is never formatted (braces stay as they are), only looked up.
"""

from __future__ import annotations

import errno
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import IntEnum
from typing import Any, Protocol


class ExitStatus(IntEnum):
    """Every number the `reqtrack` command exits with."""

    SUCCESS = 0
    FOUND = 1  # `overdue` listed something, `check` found a problem: for cron and scripts
    BAD_INPUT = 2  # an invalid value, an unknown ID, a refused transition, a usage error
    ENVIRONMENT = 3  # the database is missing, unreadable, foreign, too new or locked
    INTERNAL = 4  # a bug: please report it
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


# -- how a sentence is rendered -------------------------------------------------------------------
Translate = Callable[[str, str], "str | None"]
"""(English template, language) → the template in that language, or None (then English)."""


@dataclass(frozen=True)
class Rendering:
    """The language, the database's zone (None: unknown) and the catalogue of translations."""

    lang: str = "en"
    zone: tzinfo | None = None
    translate: Translate | None = None

    @property
    def english(self) -> bool:
        return self.lang == "en"


ENGLISH = Rendering()


class Shown(Protocol):
    """A value that reads differently per language or zone."""

    def shown(self, how: Rendering) -> str: ...


def shown(value: object, how: Rendering) -> object:
    """A value of a message as `how` renders it: a message or an error as its sentence, a marker
    as its text; anything else as it is (formatted by the template's own `!r`, `:,` …)."""
    if isinstance(value, ReqtrackError):
        return value.message.render(how)
    render = getattr(value, "shown", None)
    if callable(render):
        return render(how)
    return value


class _Formatter(string.Formatter):
    def __init__(self, how: Rendering) -> None:
        super().__init__()
        self.how = how

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return super().convert_field(shown(value, self.how), conversion)


class Message:
    """A sentence for people: an English template with named placeholders, and its values."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, /, **values: object) -> None:
        self.template = template
        self.values = values

    def render(self, how: Rendering = ENGLISH) -> str:
        """The sentence in `how.lang` (English where the catalogue has no translation)."""
        template = self.template
        if not how.english and how.translate is not None:
            template = how.translate(template, how.lang) or template
        if not self.values:
            return template
        return _Formatter(how).vformat(template, (), self.values)

    def shown(self, how: Rendering) -> str:
        return self.render(how)

    def replacing(self, old: str, new: str) -> Message:
        """The message with `old` replaced by `new` in its values (texts, paths, inner messages):
        a sentence about a temporary file made to name the file it becomes."""

        def replaced(value: object) -> object:
            if isinstance(value, Message):
                return value.replacing(old, new)
            if isinstance(value, ReqtrackError):
                return value.message.replacing(old, new)
            if isinstance(value, str) or hasattr(value, "__fspath__"):  # a text or a path
                return str(value).replace(old, new)
            return value

        return Message(self.template, **{name: replaced(value) for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.values) == (other.template, other.values)

    def __hash__(self) -> int:
        return hash(self.template)


def plural(count: int, one: str, many: str) -> Message:
    """`one` or `many` (templates with `{n}`) for `count`: English says `1 row`, `2 rows`."""
    return Message(one if count == 1 else many, n=count)


def as_message(text: str | Message) -> Message:
    """`text` as a Message (a plain string: a sentence without values)."""
    return text if isinstance(text, Message) else Message(text)


# -- markers: values that read differently per language or zone ----------------------------------
@dataclass(frozen=True)
class Moment:
    """A time in a message: `YYYY-MM-DD HH:MM` (or the date) in the database's zone, in every
    language; where the zone is unknown (plain `str()` of an error), ISO 8601 with its offset."""

    at: datetime
    date_only: bool = False

    def shown(self, how: Rendering) -> str:
        if how.zone is None:
            return self.at.date().isoformat() if self.date_only else self.at.isoformat(timespec="minutes")
        local = self.at.astimezone(how.zone)
        return local.strftime("%Y-%m-%d") if self.date_only else local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Listed:
    """Items one after another: `a, b, c` in English, `a、b、c` in Chinese (`separator` fixes one
    for all languages); each item rendered (a marker, a message) or as it is."""

    items: tuple[object, ...]
    separator: str | None = None
    empty: str | Message = ""

    @classmethod
    def of(cls, items: Iterable[object], separator: str | None = None, empty: str | Message = "") -> Listed:
        return cls(tuple(items), separator, empty)

    def shown(self, how: Rendering) -> str:
        if not self.items:
            return str(shown(self.empty, how))
        separator = self.separator if self.separator is not None else (", " if how.english else "、")
        return separator.join(str(shown(item, how)) for item in self.items)


# The operating system's reasons people meet, in the two Chinese scripts (strerror is English).
_OS_REASONS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("权限不足", "權限不足"),
    errno.EPERM: ("不允许该操作", "不允許該操作"),
    errno.ENOENT: ("文件或目录不存在", "檔案或目錄不存在"),
    errno.ENOSPC: ("磁盘已满", "磁碟已滿"),
    errno.EROFS: ("文件系统只读", "檔案系統唯讀"),
    errno.EISDIR: ("这是一个目录", "這是一個目錄"),
    errno.ENOTDIR: ("路径中有一项不是目录", "路徑中有一項不是目錄"),
    errno.EEXIST: ("文件已存在", "檔案已存在"),
    errno.ENAMETOOLONG: ("文件名太长", "檔案名稱太長"),
    errno.EBUSY: ("设备或资源忙", "裝置或資源忙碌"),
    errno.EXDEV: ("不能跨设备移动", "不能跨裝置移動"),
    errno.EIO: ("输入/输出错误", "輸入/輸出錯誤"),
    errno.EDQUOT: ("超出磁盘配额", "超出磁碟配額"),
    errno.EMFILE: ("打开的文件太多", "開啟的檔案太多"),
    errno.ELOOP: ("符号链接层数太多", "符號連結層數太多"),
}


@dataclass(frozen=True)
class OsReason:
    """Why the operating system refused (an OSError's `strerror`), in the language when it is one
    of the common ones."""

    code: int | None  # errno
    text: str

    @classmethod
    def of(cls, exc: OSError) -> OsReason:
        return cls(exc.errno, exc.strerror or str(exc))

    def shown(self, how: Rendering) -> str:
        if how.english or self.code not in _OS_REASONS:
            return self.text
        return _OS_REASONS[self.code][0 if how.lang == "zh-CN" else 1]


# -- the exceptions -------------------------------------------------------------------------------
class ReqtrackError(Exception):
    """Base of every error a user can cause or fix. `ReqtrackError(template, **values)` or
    `ReqtrackError(Message(...))`; `str()` is the English sentence, `message` the Message."""

    exit_code: ExitStatus = ExitStatus.INTERNAL

    def __init__(self, template: str | Message = "", /, **values: object) -> None:
        self.message = template if isinstance(template, Message) else Message(template, **values)
        super().__init__(self.message.render(ENGLISH))

    def render(self, how: Rendering) -> str:
        """The sentence in `how.lang`, its times in `how.zone`."""
        return self.message.render(how)

    def shown(self, how: Rendering) -> str:
        return self.render(how)


class InvalidInput(ReqtrackError):
    """Bad input: an invalid value, a bad date, a bad file (exit 2)."""

    exit_code = ExitStatus.BAD_INPUT


class NotFound(InvalidInput):
    """An unknown request ID or attachment (exit 2)."""


class TransitionRefused(InvalidInput):
    """A lifecycle command that the request's current status does not allow (exit 2)."""


class EnvironmentProblem(ReqtrackError):
    """The database is missing, unreadable, foreign, too new or locked (exit 3)."""

    exit_code = ExitStatus.ENVIRONMENT
