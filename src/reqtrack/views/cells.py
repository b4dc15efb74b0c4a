"""How one value reads in a cell, on screen and in the sheet alike: times in the database's
zone, vocabulary keys as labels, and the template's "dept/person" owner cell."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..domain.isotime import iso_writer
from ..domain.vocab import FEASIBILITY, PRIORITY, SATISFACTION, SOURCE, STATUS, TYPE, VERIFICATION, Vocabulary

if TYPE_CHECKING:
    from ..domain.record import Request
    from ..domain.vocabularies import Vocabularies

# The fields whose value is a vocabulary key, shown as its label.
LABELLED: dict[str, Vocabulary] = {
    "source": SOURCE, "type": TYPE, "priority": PRIORITY, "status": STATUS, "feasibility": FEASIBILITY,
    "verification": VERIFICATION, "satisfaction": SATISFACTION,
}


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 in the database's zone, with its offset (`value.astimezone(tz).isoformat()`;
    for many values at once, take `domain.isotime.iso_writer(tz)` once)."""
    return iso_writer(tz)(value)


def local(value: datetime | None, tz: ZoneInfo, date_only: bool = False) -> str:
    """`YYYY-MM-DD HH:MM` (or the date) in the database's zone; "" for None."""
    if value is None:
        return ""
    shown = value.astimezone(tz)
    return shown.strftime("%Y-%m-%d") if date_only else shown.strftime("%Y-%m-%d %H:%M")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def spoken_time(value: datetime | None, tz: tzinfo, lang: str, date_only: bool = False) -> str:
    """A time in the database's zone as the language writes it in a message: `3 Dec 2026 18:00`
    (en), `2026年12月3日 18:00` (zh-CN, zh-TW); the date alone with `date_only`; "" for None."""
    if value is None:
        return ""
    shown = value.astimezone(tz)
    if lang == "en":
        day = f"{shown.day} {_MONTHS[shown.month - 1]} {shown.year}"
    else:
        day = f"{shown.year}年{shown.month}月{shown.day}日"
    return day if date_only else f"{day} {shown:%H:%M}"


def field_label(field: str, value: object, lang: str, vocabularies: Vocabularies | None = None) -> str:
    """A field's value as people read it: a vocabulary key as its label in `lang` (`source` and
    `type` in the database's `vocabularies` when given, else the built-in ones), anything else
    as text ("" for None)."""
    if value is None:
        return ""
    if vocabularies is not None and field in ("source", "type"):
        return vocabularies.label(field, str(value), lang)
    vocab = LABELLED.get(field)
    return vocab.label(str(value), lang) if vocab else str(value)


def owner_text(department: str | None, owner: str | None) -> str:
    """The template's "dept/person" cell, on screen and in the sheet: `dept/person`; a department
    alone is `dept/` and an owner containing `/` without a department gets a leading `/`, so that
    reading the cell back (import) splits it the same way; a person alone is just the name."""
    if department:
        return f"{department}/{owner or ''}"
    if owner and "/" in owner:
        return f"/{owner}"
    return owner or ""


def owner_cell(request: Request) -> str:
    """The "dept/person" cell of a request (`owner_text`)."""
    return owner_text(request.department, request.owner)
