"""The commands that keep the database whole and move it: `backup`, `check` and `copy`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..domain.errors import ExitStatus, Message
from .common import Json, area, error_text, say, state

app = area()


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy, e.g. ~/backups/reqtrack-2025-03-14.db.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", "--overwrite", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy the database to FILE, safely while others are writing; the copy is private and verified."""
    from ..services import admin
    from ..views.labels import label

    st = state(ctx)
    result = admin.backup(st.ctx, file, overwrite=force)
    say(label("backup.done", st.lang, source=result.source, path=result.path, requests=result.requests,
              kib=f"{result.size / 1024:.0f}", schema=result.schema_version))


@app.command()
def check(ctx: typer.Context, json: Json = False) -> None:
    """Check the database: integrity, schema, counts and inconsistent records; exit 1 on a problem."""
    from ..services import admin
    from ..views.admin import check_lines
    from ..views.output import dump_json

    st = state(ctx)
    report = admin.check(st.ctx)
    if json:
        dump_json(report.to_json())
    else:
        for line in check_lines(report, st.lang):
            say(line)
    raise typer.Exit(ExitStatus.SUCCESS if report.ok else ExitStatus.FOUND)


@app.command("copy")
def copy_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help="Where to copy the database: a file path or a postgresql:// URL of an empty reqtrack database "
             "(created when missing).", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Empty TARGET first if it holds requests.")] = False,
    json: Json = False,
) -> None:
    """Copy the whole database into TARGET (file or server, either way): all or nothing, verified."""
    from ..services.copying import copy_database
    from ..views.admin import copy_lines
    from ..views.labels import label, plural
    from ..views.output import dump_json

    st = state(ctx)

    def dropping(count: int, where: str | Message) -> None:
        say("reqtrack: " + label("copy.dropping", st.lang, where=error_text(where, ctx), n=count, them="them" if count != 1 else "it",
                                 **plural(count)), err=True)

    result = copy_database(st.ctx, target, force=force, on_drop=dropping)
    if json:
        dump_json(result.to_json())
    else:
        for line in copy_lines(result, st.lang):
            say(line)
