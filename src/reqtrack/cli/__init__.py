"""The command line: the root app, its global options, and one sub-app per area.

Each area (`requests`, `links`, `sla`, `notices`, `remind`, `report`, `admin`, `files`) is a Typer app of
its own; the root merges their commands (`add_typer` without a name) and adds `config`, `vocab`,
`template` and `people` as groups. Nothing imports
this module back: the areas share what they need through `cli.common`. Every command runs inside
the root group's error handling (`common.ReqtrackGroup`).

Heavy modules (SQLModel, openpyxl, holidays, Rich) are imported inside the commands that use
them, so that `reqtrack --help` starts fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import admin, files, links, notices, remind, report, requests, sla, vocab
from .common import ReqtrackGroup, State

__all__ = ["app", "main"]

app = typer.Typer(
    cls=ReqtrackGroup,
    help="Track customer requirements and complaints through a closed loop: "
    "receive, classify, assess, assign, track, verify, close — and never miss a deadline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh and fish
    # Help as wide as the terminal (click stops at 80 columns otherwise and cuts the summaries).
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 400},
)
for _area in (requests, links, sla, notices, remind, report, admin, files):
    app.add_typer(_area.app)
app.add_typer(sla.config_app, name="config")
app.add_typer(vocab.vocab_app, name="vocab")
app.add_typer(notices.template_app, name="template")
app.add_typer(remind.people_app, name="people")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reqtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="REQTRACK_DB", help="Database: a file (default: in the user's data directory) or a postgresql://user@host/dbname URL.", show_default=False)] = None,
    lang: Annotated[str, typer.Option("--lang", envvar="REQTRACK_LANG", help="Language of labels: en, zh-CN or zh-TW.")] = "en",
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Track customer requirements and complaints through a closed loop."""
    ctx.obj = State(db, lang)


def main() -> None:
    """Entry point of the `reqtrack` command."""
    app(prog_name="reqtrack")
