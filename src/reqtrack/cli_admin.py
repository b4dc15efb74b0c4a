"""Commands that keep the database whole: `backup` and `check`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli import Json, app, say, state

if TYPE_CHECKING:
    from .services.admin import CheckReport


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy, e.g. ~/backups/reqtrack-2025-03-14.db.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", "--overwrite", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy the database to FILE, safely while others are writing; the copy is private and verified."""
    from .services import admin

    st = state(ctx)
    result = admin.backup(st.ctx, file, overwrite=force)
    say(f"backed up {result.source} to {result.path} ({result.requests} requests, "
        f"{result.size / 1024:.0f} KiB, schema {result.schema_version}, integrity ok)")


@app.command()
def check(ctx: typer.Context, json: Json = False) -> None:
    """Check the database: integrity, schema, counts and inconsistent records; exit 1 on a problem."""
    from .render import dump_json
    from .services import admin

    st = state(ctx)
    report = admin.check(st.ctx)
    if json:
        dump_json(report.to_json())
    else:
        _print_check(report)
    raise typer.Exit(0 if report.ok else 1)


def _print_check(report: "CheckReport") -> None:
    """The check report as a few plain lines (cron mails read well as plain text)."""
    say(f"database:   {report.path}")
    say(f"schema:     {report.schema_version} (this reqtrack knows {report.schema_known})")
    say("integrity:  " + ("ok" if not report.integrity else "DAMAGED"))
    for line in report.integrity[:20]:
        say(f"  {line}")
    counts = report.counts
    if counts:
        statuses = ", ".join(f"{status} {n}" for status, n in counts["by_status"].items()) or "none"
        say(f"requests:   {counts['requests']} ({statuses})")
        say(f"history:    {counts['events']} entries; attachments: {counts['attachments']}; imports: {counts['imports']}")
    for note in report.notes:
        say(f"note:       {note}")
    if report.problems:
        say(f"problems:   {len(report.problems)}")
        for problem in report.problems[:50]:
            say(f"  - {problem.message}")
        if len(report.problems) > 50:
            say(f"  ... and {len(report.problems) - 50} more (--json lists them all)")
    say("all is well" if report.ok else "PROBLEMS FOUND")
