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
from ..domain.vocab import column_label
from ..views.labels import LABELS, label
from .masking import MASK_TOKEN
from .rows import local_minute
from .safety import EXCEL_CELL_LIMIT, SheetNotices

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
        (label("export.filters", lang), describe_filters(info.filter_texts, info.filter, info.tz, lang, info.vocabularies)),
        (label("export.language", lang), lang),
        (label("export.columns", lang), label("export.template_columns", lang) + (label("export.plus_links", lang) if info.links else "")
         + (label("export.plus_kept", lang) if info.extra else "")),
        (label("export.notices", lang), "\n".join(notice_sentences(notices, lang)) or "-"),
        (label("export.version", lang), info.version),
    ]


def masked_banner(lang: str) -> str:
    """The first line of a masked CSV, above its header (import refuses a file holding it)."""
    return f"{MASK_TOKEN} {label('export.masked_yes', lang)}"


def describe_filters(filters: Mapping[str, Any], flt: RequestFilter, tz: ZoneInfo, lang: str,
                     vocabularies: Vocabularies | None = None) -> str:
    """The filters as the user gave them, in one line in `lang` (field and vocabulary labels;
    times resolved in the database's zone, then as typed)."""
    from ..views.cells import field_label

    def part(name: str, value: str) -> str:
        return label("sep.colon", lang).join((name, value))

    items = label("sep.list", lang)
    parts = []
    if flt.statuses:
        parts.append(part(column_label("status", lang), items.join(field_label("status", s, lang) for s in flt.statuses)))
    for name in ("type", "priority", "source", "customer", "owner", "search"):
        value = getattr(flt, name)
        if value:
            field = label("export.search", lang) if name == "search" else label("owner", lang) if name == "owner" \
                else column_label(name, lang)
            parts.append(part(field, field_label(name, value, lang, vocabularies)))
    for name in ("since", "until"):
        moment = getattr(flt, name)
        if moment is not None:
            parts.append(part(label(f"export.{name}", lang),
                              label("sep.paren", lang, text=f"{moment.astimezone(tz):%Y-%m-%d %H:%M}", inner=filters.get(name))))
    if flt.open_only:
        parts.append(label("export.open_only", lang))
    return label("sep.semicolon", lang).join(parts) if parts else label("export.no_filters", lang)


def notice_sentences(notices: SheetNotices, lang: str) -> list[str]:
    """One sentence per kind of cell Excel cannot hold as it is, in `lang`: for the info sheet and
    the summary line of `export`."""
    def sample(cells: list[tuple[str, str]]) -> str:
        return label("sep.comma", lang).join(f"{rid} {column_label(key, lang)}" for rid, key in cells[:5])

    limit = f"{EXCEL_CELL_LIMIT:,}"
    out = []
    if notices.cut_cells:
        more = label("export.cut_more", lang, n=len(notices.cut_cells) - 5) if len(notices.cut_cells) > 5 else ""
        out.append(label("export.cut", lang, n=len(notices.cut_cells), limit=limit, sample=sample(notices.cut_cells), more=more))
    if notices.control_cells:
        out.append(label("export.controls", lang, n=notices.control_cells))
    if notices.long_csv_cells:
        out.append(label("export.long_csv", lang, n=len(notices.long_csv_cells), limit=limit,
                         sample=sample(notices.long_csv_cells)))
    return out
