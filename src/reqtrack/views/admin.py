"""The `check` report and what `copy` did, as a few plain lines (cron mails read well as plain text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..services.admin import CheckReport
    from ..services.copying import CopyResult


def check_lines(report: CheckReport) -> Iterator[str]:
    """The lines of the check report; at most 20 integrity lines and 50 problems (JSON has all)."""
    yield f"database:   {report.path}"
    yield f"schema:     {report.schema_version} (this reqtrack knows {report.schema_known})"
    if report.file_checked or report.integrity:
        yield "integrity:  " + ("ok" if not report.integrity else "DAMAGED")
    else:
        yield "integrity:  not applicable (PostgreSQL: no file of pages to check)"
    for line in report.integrity[:20]:
        yield f"  {line}"
    counts = report.counts
    if counts:
        statuses = ", ".join(f"{status} {n}" for status, n in counts["by_status"].items()) or "none"
        yield f"requests:   {counts['requests']} ({statuses})"
        yield f"history:    {counts['events']} entries; attachments: {counts['attachments']}; imports: {counts['imports']}"
    for note in report.notes:
        yield f"note:       {note}"
    if report.problems:
        yield f"problems:   {len(report.problems)}"
        for problem in report.problems[:50]:
            yield f"  - {problem.message}"
        if len(report.problems) > 50:
            yield f"  ... and {len(report.problems) - 50} more (--json lists them all)"
    yield "all is well" if report.ok else "PROBLEMS FOUND"


def copy_lines(result: CopyResult) -> Iterator[str]:
    """What `copy` copied, table by table, and what the verification found."""
    made = " (a new file)" if result.created else ""
    dropped = f" (after dropping its {result.dropped} requests)" if result.dropped else ""
    yield f"copied {result.source} to {result.target}{made}{dropped} in {result.seconds:.1f} s:"
    width = max(len(table) for table in result.tables)
    for table, count in result.tables.items():
        yield f"  {table:<{width}}  {count:>9,}"
    yield "verified:   every table holds as many rows as in the source"
    for note in result.notes:
        yield f"note:       {note}"
    if not result.problems:
        yield "check:      all is well"
        return
    yield (f"check:      {len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}, each one also in "
           "the source (copied as it was; `reqtrack check` lists them):")
    for problem in result.problems[:20]:
        yield f"  - {problem.message}"
    if len(result.problems) > 20:
        yield f"  ... and {len(result.problems) - 20} more (--json lists them all)"
