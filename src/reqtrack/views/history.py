"""A request's history as people read it (`show`): the changes of each entry with field labels,
vocabulary labels and local times, and the notes reqtrack wrote itself in the chosen language.

An entry's `changes` is {field: [old, new]} with the record's field names, English vocabulary keys
and ISO times (what `show --json` prints, for scripts). Here a field is named by the template's
column label (`domain.vocab.column_label`, or a `field.` label for what is no column), a value by
its vocabulary label, a time in the database's zone as elsewhere on screen (a planned completion
set as a date shows as that date), and internal keys (`due_is_date`) are folded into their field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.vocab import ACTION, NOTICE_KIND, PRIORITY, column_label
from .cells import LABELLED, field_label, local
from .labels import LABELS, label

if TYPE_CHECKING:
    from ..domain.record import HistoryEntry, Request
    from ..domain.vocabularies import Vocabularies

TIME_FIELDS = frozenset({"submitted_at", "completed_at", "responded_at", "closed_at", "due"})
HIDDEN_FIELDS = frozenset({"due_is_date"})  # folded into `due`: whether it was set as a date
SCORE_NAMES = ("value", "urgency", "cost", "impact")


def field_name(name: str, lang: str) -> str:
    """A field as a change names it: the template's column label, else a `field.` label, else
    the name itself (a field this version does not know)."""
    key = f"field.{name}"
    if key in LABELS:
        return label(key, lang)
    return column_label(name, lang)


def scores_text(scores: dict[str, Any] | None, lang: str) -> str:
    """`customer value 8, urgency 7, resource cost 3, business impact 8` (客户价值 8、紧急程度 7…)."""
    if not scores:
        return ""
    parts = []
    for name, value in scores.items():
        key = f"score.{name}"
        parts.append(label("score.item", lang, name=label(key, lang) if key in LABELS else name, value=value))
    return label("sep.list", lang).join(parts)


def _time(value: Any, tz: ZoneInfo, date_only: bool) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:  # never stored so; shown as it is rather than guessed
        return str(value)
    shown = moment.astimezone(tz)
    return local(moment, tz, date_only or (shown.hour, shown.minute, shown.second) == (23, 59, 59))


def value_text(name: str, value: Any, tz: ZoneInfo, lang: str, vocabularies: Vocabularies | None = None,
               date_only: bool = False) -> str:
    """One old or new value of a change, as people read it ("" for none)."""
    if value is None or value == "" or value == []:
        return ""
    if name in TIME_FIELDS:
        return _time(value, tz, date_only)
    if isinstance(value, bool):
        return label("changes.yes" if value else "changes.no", lang)
    if name == "scores" and isinstance(value, dict):
        return scores_text(value, lang)
    if name in LABELLED or (vocabularies is not None and name in ("source", "type")):
        return field_label(name, value, lang, vocabularies)
    if name == "kind":
        return NOTICE_KIND.label(str(value), lang)
    if name == "channel":
        return channel_label(str(value), lang)
    if isinstance(value, list):
        return label("sep.list", lang).join(str(item) for item in value)
    return str(value)


def channel_label(channel: str, lang: str) -> str:
    """A notice's channel: the common ones (email, phone, wechat…) in `lang`, any other as typed."""
    key = f"channel.{channel.strip().lower()}"
    return label(key, lang) if key in LABELS else channel


def changes_text(entry: HistoryEntry, tz: ZoneInfo, lang: str, vocabularies: Vocabularies | None = None,
                 due_dates: tuple[bool, bool] = (False, False)) -> str:
    """The changes of one entry in words, one field a line: `Status: In progress → Verifying`,
    `Actual completion: 2026-11-26 18:00` (需求状态：处理中 → 待验证, 实际完成时间：2026-11-26 18:00).
    `due_dates`: whether the planned completion before and after the entry was a date (a date
    shows as the date)."""
    parts = []
    for name, change in (entry.changes or {}).items():
        if name in HIDDEN_FIELDS:
            continue
        old, new = change if isinstance(change, (list, tuple)) and len(change) == 2 else (None, change)
        if name == "link":
            parts.append(_link_change(old, new, lang))
            continue
        before = value_text(name, old, tz, lang, vocabularies, name == "due" and due_dates[0])
        after = value_text(name, new, tz, lang, vocabularies, name == "due" and due_dates[1])
        field = field_name(name, lang)
        if not before:
            parts.append(label("changes.set", lang, field=field, new=after or label("changes.none", lang)))
        else:
            parts.append(label("changes.changed", lang, field=field, old=before, new=after or label("changes.none", lang)))
    return "\n".join(part for part in parts if part)


def _link_change(old: Any, new: Any, lang: str) -> str:
    """A `link` change in words: `duplicate of 202405-001 (was: related to 202405-001)`."""
    from ..domain.links import link_from_json
    from .links import link_text

    before, after = link_from_json(old), link_from_json(new)
    if after is not None:
        now = link_text(after, lang)
        return label("changes.was", lang, now=now, before=link_text(before, lang)) if before is not None else now
    return label("changes.unlinked", lang, before=link_text(before, lang)) if before is not None else ""


# -- the notes reqtrack writes itself, stored in English (the export's process log keeps them) -----
_SCORED = re.compile(r"score (\d+\.\d\d) → (high|medium|low)(\)?)$")
_ATTACHED = re.compile(r"(.*) \((\d+) bytes, sha256 ([0-9a-f]{1,64})\)", re.DOTALL)
_NOTICE = re.compile(r"([a-z]+) via ([^\n]+?)(?: — (.*))?", re.DOTALL)
_ROW = re.compile(r"(.+), row (\d+)((?:; the sheet's process log adds:\n.*)?)", re.DOTALL)
_IMPORTED = re.compile(r"imported from (.+), row (\d+)(; its process log has no registration line)?", re.DOTALL)
_DUPLICATE = re.compile(r"duplicate of (\d{6}-\d{3,})")


def note_text(entry: HistoryEntry, lang: str) -> str:
    """An entry's note in `lang`: the parts reqtrack wrote (the score that set a priority, an
    attachment's size, a notice's kind and channel, a link, an import's row) in words of the
    language; what a person typed stays as typed."""
    note = entry.note or ""
    if lang == "en" or not note:
        return note
    action = entry.action
    if action in ("classify", "reassess"):
        match = _SCORED.search(note)
        if match:
            said = label("hnote.scored", lang, score=match.group(1), priority=PRIORITY.label(match.group(2), lang))
            return note[:match.start()] + said + match.group(3)
    elif action == "attach":
        match = _ATTACHED.fullmatch(note)
        if match:
            return label("hnote.attached", lang, name=match.group(1), size=match.group(2), sha=match.group(3))
    elif action == "notice":
        match = _NOTICE.fullmatch(note)
        if match and match.group(1) in NOTICE_KIND.keys:
            said = label("hnote.notice", lang, kind=NOTICE_KIND.label(match.group(1), lang),
                         channel=channel_label(match.group(2), lang))
            return label("hnote.more", lang, said=said, note=match.group(3)) if match.group(3) else said
    elif action in ("link", "unlink"):
        return _link_note(entry, lang)
    elif action == "import":
        return _import_note(note, lang)
    elif action == "cancel":
        match = _DUPLICATE.fullmatch(note)
        if match:
            return label("link.out.duplicate", lang, id=match.group(1))
    return note


def _link_note(entry: HistoryEntry, lang: str) -> str:
    """A link entry's note begins with the link in English words (domain.links.describe)."""
    from ..domain.links import describe, link_from_json
    from .links import link_text

    note = entry.note or ""
    change = (entry.changes or {}).get("link")
    if not isinstance(change, (list, tuple)) or len(change) != 2:
        return note
    before, after = link_from_json(change[0]), link_from_json(change[1])
    if after is not None:
        english, said = describe(after), link_text(after, lang)
    elif before is not None:
        english, said = f"no longer {describe(before)}", label("changes.unlinked", lang, before=link_text(before, lang))
    else:
        return note
    if note == english:
        return said
    if note.startswith(english + " — "):
        return label("hnote.more", lang, said=said, note=note[len(english) + 3:])
    return note


def _import_note(note: str, lang: str) -> str:
    match = _IMPORTED.fullmatch(note)
    if match:
        where = label("hnote.row", lang, file=match.group(1), row=match.group(2))
        return label("hnote.no_registration" if match.group(3) else "hnote.imported", lang, where=where)
    match = _ROW.fullmatch(note)
    if match:
        where = label("hnote.row", lang, file=match.group(1), row=match.group(2))
        if not match.group(3):
            return where
        return label("hnote.log_adds", lang, where=where) + match.group(3)[match.group(3).index("\n"):]
    return note


def history_rows(request: Request, tz: ZoneInfo, lang: str,
                 vocabularies: Vocabularies | None = None) -> Iterator[tuple[str, str, str, str, str]]:
    """(time, action, by, note, changes) of each entry, newest first, in `lang`. Whether the
    planned completion was a date is followed through the entries, oldest first."""
    rows = []
    date_only = False
    for entry in sorted(request.history, key=lambda e: e.seq):
        before = date_only
        flag = (entry.changes or {}).get("due_is_date")
        if isinstance(flag, (list, tuple)) and len(flag) == 2:
            date_only = bool(flag[1])
        rows.append((local(entry.at, tz), ACTION.label(entry.action, lang), entry.actor, note_text(entry, lang),
                     changes_text(entry, tz, lang, vocabularies, (before, date_only))))
    return reversed(rows)
