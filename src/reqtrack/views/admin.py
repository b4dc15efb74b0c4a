"""The `check` report and what `copy` did, as a few plain lines (cron mails read well as plain
text), in the chosen language. The problems and notes themselves are the services' sentences
(English, as `--json` gives them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..domain.vocab import STATUS
from .labels import label, plural
from .output import cell_width

if TYPE_CHECKING:
    from ..services.admin import CheckReport
    from ..services.copying import CopyResult

_NO_PAGE_CHECK = "SQLite's page check"  # how the note of services.admin.NO_PAGE_CHECK begins
_NAMES = ("check.database", "check.schema", "check.integrity", "check.requests", "check.history", "check.note",
          "check.problems", "copy.verified", "copy.check")


def _line(key: str, value: object, lang: str) -> str:
    """`name:   value`, the names of a report padded to one column (wide characters count as two)."""
    width = max(cell_width(label(name, lang) + label("sep.colon", lang).rstrip()) for name in _NAMES) + 2
    name = label(key, lang) + label("sep.colon", lang).rstrip()
    return f"{name}{' ' * (width - cell_width(name))}{value}"


def check_lines(report: CheckReport, lang: str = "en") -> Iterator[str]:
    """The lines of the check report; at most 20 integrity lines and 50 problems (JSON has all)."""
    yield _line("check.database", report.path, lang)
    yield _line("check.schema", label("check.schema_value", lang, version=report.schema_version, known=report.schema_known), lang)
    if report.file_checked or report.integrity:
        yield _line("check.integrity", label("check.damaged" if report.integrity else "check.ok", lang), lang)
    else:
        yield _line("check.integrity", label("check.no_pages", lang), lang)
    for line in report.integrity[:20]:
        yield f"  {line}"
    counts = report.counts
    if counts:
        statuses = label("sep.comma", lang).join(f"{STATUS.label(status, lang)} {n}" for status, n in counts["by_status"].items())
        yield _line("check.requests", label("sep.paren", lang, text=counts["requests"], inner=statuses or label("check.none", lang)),
                    lang)
        yield _line("check.history", label("check.history_value", lang, events=counts["events"], attachments=counts["attachments"],
                                           imports=counts["imports"]), lang)
    for note in report.notes:
        if not report.file_checked and note.startswith(_NO_PAGE_CHECK):  # the service's sentence, said in `lang`
            note = label("check.no_page_note", lang)
        yield _line("check.note", note, lang)
    if report.problems:
        yield _line("check.problems", len(report.problems), lang)
        for problem in report.problems[:50]:
            yield f"  - {problem.message}"
        if len(report.problems) > 50:
            yield "  " + label("check.more", lang, n=len(report.problems) - 50)
    yield label("check.well" if report.ok else "check.found", lang)


def copy_lines(result: CopyResult, lang: str = "en") -> Iterator[str]:
    """What `copy` copied, table by table, and what the verification found."""
    made = label("copy.made", lang) if result.created else ""
    dropped = label("copy.dropped", lang, n=result.dropped) if result.dropped else ""
    yield label("copy.done", lang, source=result.source, target=result.target, made=made, dropped=dropped,
                seconds=f"{result.seconds:.1f}")
    width = max(len(table) for table in result.tables)
    for table, count in result.tables.items():
        yield f"  {table:<{width}}  {count:>9,}"
    yield _line("copy.verified", label("copy.verified_value", lang), lang)
    for note in result.notes:
        yield _line("check.note", note, lang)
    if not result.problems:
        yield _line("copy.check", label("check.well", lang), lang)
        return
    yield _line("copy.check", label("copy.problems", lang, n=len(result.problems), **plural(len(result.problems))), lang)
    for problem in result.problems[:20]:
        yield f"  - {problem.message}"
    if len(result.problems) > 20:
        yield "  " + label("check.more", lang, n=len(result.problems) - 20)
