"""The `check` report as a few plain lines (cron mails read well as plain text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..services.admin import CheckReport


def check_lines(report: CheckReport) -> Iterator[str]:
    """The lines of the check report; at most 20 integrity lines and 50 problems (JSON has all)."""
    yield f"database:   {report.path}"
    yield f"schema:     {report.schema_version} (this reqtrack knows {report.schema_known})"
    yield "integrity:  " + ("ok" if not report.integrity else "DAMAGED")
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
