"""What an export says about itself (docs/excel.md, "Formats"): the xlsx info sheet (sheet 2:
masked or not, export time, time zone, who, how many requests, the filters, the language, the
columns, notices, the version) and the first line of a masked CSV. The export service passes
the values (`ExportInfo`); the words come from the label table (`export.` keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.record import mask_name
from ..views.labels import LABELS, label
from .masking import MASK_TOKEN
from .rows import local_minute
from .safety import SheetNotices

if TYPE_CHECKING:
    from ..domain.vocabularies import Vocabularies
    from ..storage.stored import RequestFilter

TIMEZONE_LABELS: tuple[str, ...] = LABELS["export.timezone"]
"""The info sheet's label of the export's zone in each language: how import finds that zone."""


@dataclass(frozen=True)
class ExportInfo:
    """What an export was asked for and when: the values the info sheet states."""

    lang: str
    tz: ZoneInfo  # the database's zone, in which every time of the sheet is written
    exported_at: datetime  # aware
    actor: str
    filter: RequestFilter  # the filters, read and resolved
    filter_texts: Mapping[str, Any]  # the filters as the user gave them (`since`, `until` as typed)
    masked: bool = False
    extra: bool = False
    version: str = ""
    vocabularies: Vocabularies | None = None  # source and type as the database has them (None: built-in)
    links: bool = False  # the Links column after the 18 (the database holds links)


def info_rows(info: ExportInfo, rows: int, notices: SheetNotices) -> list[tuple[str, str | int | datetime]]:
    """The info sheet's (label, value) rows in the export's language."""
    lang = info.lang
    masked = f"{label('export.masked_yes', lang)} {MASK_TOKEN}" if info.masked else label("export.masked_no", lang)
    return [
        (label("export.masked", lang), masked),
        (label("export.exported_at", lang), local_minute(info.exported_at, info.tz)),
        (label("export.timezone", lang), str(info.tz)),
        (label("export.by", lang), (mask_name(info.actor) or "") if info.masked else info.actor),
        (label("export.rows", lang), rows),
        (label("export.filters", lang), describe_filters(info.filter_texts, info.filter, info.tz, lang)),
        (label("export.language", lang), lang),
        (label("export.columns", lang), "18 template columns" + (" + Links" if info.links else "")
         + (" + kept fields" if info.extra else "")),
        (label("export.notices", lang), "\n".join(notices.sentences()) or "-"),
        (label("export.version", lang), info.version),
    ]


def masked_banner(lang: str) -> str:
    """The first line of a masked CSV, above its header (import refuses a file holding it)."""
    return f"{MASK_TOKEN} {label('export.masked_yes', lang)}"


def describe_filters(filters: Mapping[str, Any], flt: RequestFilter, tz: ZoneInfo, lang: str) -> str:
    """The filters as the user gave them, in one line (times resolved in the database's zone)."""
    parts = []
    if flt.statuses:
        parts.append("status: " + ", ".join(flt.statuses))
    for name in ("type", "priority", "source", "customer", "owner", "search"):
        value = getattr(flt, name)
        if value:
            parts.append(f"{name}: {value}")
    if flt.since is not None:
        parts.append(f"since: {flt.since.astimezone(tz):%Y-%m-%d %H:%M} ({filters.get('since')})")
    if flt.until is not None:
        parts.append(f"until: {flt.until.astimezone(tz):%Y-%m-%d %H:%M} ({filters.get('until')})")
    if flt.open_only:
        parts.append("open only")
    return "; ".join(parts) if parts else label("export.no_filters", lang)
