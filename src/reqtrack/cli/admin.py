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

    result = admin.backup(state(ctx).ctx, file, overwrite=force)
    say(f"backed up {result.source} to {result.path} ({result.requests} requests, "
        f"{result.size / 1024:.0f} KiB, schema {result.schema_version}, integrity ok)")


@app.command()
def check(ctx: typer.Context, json: Json = False) -> None:
    """Check the database: integrity, schema, counts and inconsistent records; exit 1 on a problem."""
    from ..services import admin
    from ..views.admin import check_lines
    from ..views.output import dump_json

    report = admin.check(state(ctx).ctx)
    if json:
        dump_json(report.to_json())
    else:
        for line in check_lines(report):
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
    from ..views.output import dump_json

    def dropping(count: int, where: str | Message) -> None:
        say("reqtrack: " + error_text(Message(
            "--force: {target} holds {count} request; dropping it and everything else in it before copying" if count == 1
            else "--force: {target} holds {count} requests; dropping them and everything else in it before copying",
            target=where, count=count), ctx), err=True)

    result = copy_database(state(ctx).ctx, target, force=force, on_drop=dropping)
    if json:
        dump_json(result.to_json())
    else:
        for line in copy_lines(result):
            say(line)
