"""Export of the template's sheet (docs/excel.md, "Formats").

Export streams the selected requests (newest first, `list`'s filters) into xlsx, CSV or JSON,
written under a temporary name and moved into place (`safe_output.atomic_output`, the one atomic
writer), so that a failed export never leaves half a file. This module chooses and counts; the
excel package lays out and labels the sheets.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..domain.errors import InvalidInput
from ..domain.vocab import normalise_language
from ..excel.export_info import ExportInfo, notice_sentences
from ..excel.safety import SheetNotices
from ..excel.textfiles import write_csv_export, write_json
from ..excel.xlsx import write_export_workbook
from ..storage.driver import bulk_work
from .context import Context, inputs
from .requests import build_filter, iter_requests

FORMATS = ("xlsx", "csv", "json")

Progress = Callable[[int, int], None]


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    format: str
    rows: int
    lang: str
    masked: bool
    notices: list[str] = field(default_factory=list)  # cells Excel cannot hold as they are, in the export's language


def export_format(path: Path, format: str | None) -> str:
    """The format asked for, else the one the file's suffix names."""
    if format:
        chosen = format.strip().lower()
        if chosen not in FORMATS:
            raise InvalidInput("unknown export format {format!r}; use xlsx, csv or json", format=format)
        return chosen
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidInput("cannot tell the format from {name!r}; end the name in .xlsx, .csv or .json, or add --format",
                       name=Path(path).name)


def _private_temp_beside(target: Path, protected: list[Path]) -> AbstractContextManager[IO[bytes]]:
    """The one atomic writer (safe_output.atomic_output) for `target`: a private temporary file
    beside it, renamed into place when complete. Refuses the database, a directory, a device,
    pipe or socket (exit 2); a full disk or a read-only directory is exit 3."""
    from ..safe_output import atomic_output, check_target

    check_target(target, protected=protected)  # before any work: one sentence, nothing written
    return atomic_output(target, protected=protected)


def _row_counter(progress: Progress | None, total: int) -> Callable[[], None]:
    """What the writers call after each row: `progress(done, total)` now and then."""
    done = 0

    def on_row() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)

    return on_row


@bulk_work()  # on the server: psycopg's fetching and pipelining (storage.driver.bulk_work)
def export_requests(
    ctx: Context,
    path: Path,
    format: str | None = None,
    lang: str = "en",
    mask: bool = False,
    progress: Progress | None = None,
    *,
    extra: bool = False,
    **filters: Any,
) -> ExportResult:
    """Write the requests matching `filters` (those of `list`) to `path` as xlsx, CSV or JSON;
    `mask` hides personal names, `extra` adds the kept non-template columns.

    `progress(done, total)` is called now and then while rows are written.
    """
    from .. import __version__

    target = Path(path).expanduser()
    fmt = export_format(target, format)
    lang = normalise_language(lang)
    with ctx.reader() as uow:  # the same read path as iter_requests below: no SQLAlchemy for an export
        given = inputs(uow, ctx)
        flt = build_filter(given, **filters)
        total = uow.requests.count(flt)
        tz = given.tz
        vocabularies = given.vocabularies if fmt != "json" else None  # JSON writes the keys
        links = uow.requests.any_links()  # the Links column only where there are links to keep
    info = ExportInfo(lang=lang, tz=tz, exported_at=ctx.now, actor=ctx.actor, filter=flt, filter_texts=filters,
                      masked=mask, extra=extra, version=__version__, vocabularies=vocabularies, links=links)
    notices = SheetNotices()
    on_row = _row_counter(progress, total)
    if progress is not None:
        progress(0, total)
    with _private_temp_beside(target, ctx.database(False).protected_paths) as handle:
        requests = iter_requests(ctx, **filters)
        if fmt == "xlsx":
            rows = write_export_workbook(handle, requests, info, notices=notices, on_row=on_row)
        elif fmt == "csv":
            rows = write_csv_export(handle, requests, info, notices=notices, on_row=on_row)
        else:
            rows = write_json(handle, requests, tz, mask, on_row)
    return ExportResult(target, fmt, rows, lang, mask, notice_sentences(notices, lang))
