"""The commands of files: `export` (the template's sheet, CSV or JSON) and `import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    update, stop = export_progress(st.lang)
    try:
        result = exports.export_requests(
            st.ctx, file, format, lang or st.lang, mask, update, extra=extra, statuses=status, type=type,
            priority=priority, customer=customer, owner=owner, source=source, since=since, until=until,
            open_only=open_, search=search,
        )
    finally:
        stop()
    from ..views.labels import label, plural

    lang = st.lang
    details = label("sep.comma", lang).join([result.format, result.lang] + ([label("export.masked_short", lang)] if result.masked else []))
    say(label("export.done", lang, n=result.rows, path=result.path, details=details, **plural(result.rows))
        + "".join(label("sep.semicolon", lang) + notice for notice in result.notices))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An xlsx or CSV sheet with the template's columns (any of en, zh-CN, zh-TW headers).", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and count what would change; write nothing.")] = False,
) -> None:
    """Take over a sheet: new rows become requests, changed rows update them (all or nothing)."""
    from ..services import imports
    from ..views.labels import label, plural

    st = state(ctx)
    lang = st.lang
    result = imports.import_file(st.ctx, file, dry_run=dry_run)
    for warning in result.warnings:
        say("reqtrack: " + label("import.note", lang, warning=error_text(warning, ctx)), err=True)
    said = label("import.dry" if dry_run else "import.done", lang, file=result.path.name, rows=result.rows, created=result.created,
                 updated=result.updated, unchanged=result.unchanged, **plural(result.rows))
    if result.matched_without_id:
        said += label("import.matched", lang, n=result.matched_without_id)
    if result.links:
        said += label("import.links_dry" if dry_run else "import.links", lang, n=result.links, **plural(result.links))
    say(said + (label("import.nothing_written", lang) if dry_run else ""))
