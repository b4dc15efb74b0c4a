"""The commands of files: `export` (the template's sheet, CSV or JSON) and `import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..domain.errors import Message
from .common import (
    CustomerFilter,
    OpenFilter,
    OwnerFilter,
    PriorityFilter,
    SearchFilter,
    SinceFilter,
    SourceFilter,
    StatusFilter,
    TypeFilter,
    UntilFilter,
    VocabularyHelp,
    area,
    error_text,
    say,
    state,
)

app = area()


@app.command(cls=VocabularyHelp)
def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="File to write: .xlsx, .csv or .json.", show_default=False)],
    format: Annotated[str | None, typer.Option("--format", help="xlsx, csv or json (default: from the file's suffix).")] = None,
    status: StatusFilter = None,
    type: TypeFilter = None,
    priority: PriorityFilter = None,
    customer: CustomerFilter = None,
    owner: OwnerFilter = None,
    source: SourceFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    open_: OpenFilter = False,
    search: SearchFilter = None,
    mask: Annotated[bool, typer.Option("--mask", help="Hide personal names (王经理 → 王**) for sheets shared outside the team; such a file cannot be imported.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of headers and labels (default: the global --lang).")] = None,
    extra: Annotated[bool, typer.Option("--extra", help="Add the kept non-template fields (contact, department, scores, ...) after the 18 columns.")] = False,
) -> None:
    """Write the template's sheet (18 columns) for the weekly meeting: xlsx, CSV or JSON."""
    from ..services import exports
    from ..views.progress import export_progress

    st = state(ctx)
    update, stop = export_progress()
    try:
        result = exports.export_requests(
            st.ctx, file, format, lang or st.lang, mask, update, extra=extra, statuses=status, type=type,
            priority=priority, customer=customer, owner=owner, source=source, since=since, until=until,
            open_only=open_, search=search,
        )
    finally:
        stop()
    details = ", ".join([result.format, result.lang] + (["masked"] if result.masked else []))
    plural = "" if result.rows == 1 else "s"
    say(f"exported {result.rows} request{plural} to {result.path} ({details})"
        + "".join(f"; {notice}" for notice in result.notices))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An xlsx or CSV sheet with the template's columns (any of en, zh-CN, zh-TW headers).", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and count what would change; write nothing.")] = False,
) -> None:
    """Take over a sheet: new rows become requests, changed rows update them (all or nothing)."""
    from ..services import imports

    result = imports.import_file(state(ctx).ctx, file, dry_run=dry_run)
    for warning in result.warnings:
        say(f"reqtrack: {error_text(Message('note: {note}', note=warning), ctx)}", err=True)
    verb = "would import" if dry_run else "imported"
    matched = f" ({result.matched_without_id} rows without ID matched existing requests)" if result.matched_without_id else ""
    say(f"{verb} {result.path.name}: {result.rows} row{'' if result.rows == 1 else 's'}: {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged{matched}"
        + (f", {result.links} link{'' if result.links == 1 else 's'} {'to make' if dry_run else 'made'}" if result.links else "")
        + ("; dry run, nothing written" if dry_run else ""))
