"""The command line: the root app, its global options, and one module per area of commands.

Each area (`requests`, `links`, `sla`, `notices`, `remind`, `report`, `admin`, `files`) is a Typer app of
its own, and `config`, `vocab`, `template` and `people` are groups; `registry.py` lists every
top-level command, in which area it lives and its summary. The root app (`root.py`) builds only
the command that runs, from its area: `reqtrack show ID` imports `requests.py` and no other area.
`main` answers `--version` and the root's `--help` before Typer is even imported (`fast.py`),
and runs `overdue`, which cron runs, without it (`direct.py`).
Nothing imports this module back: the areas share what they need through `cli.common`. Every
command runs inside the root group's error handling (`common.ReqtrackGroup`).

Heavy modules (the services, openpyxl, holidays, Rich) are imported inside the commands that use
them, so that every command starts fast.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs --version a tenth of its time
if TYPE_CHECKING:
    from typing import Any

    from .root import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `reqtrack` command."""
    from .fast import answer

    status = answer()
    if status is None:
        from .direct import answer as run_directly

        status = run_directly()
    if status is not None:
        raise SystemExit(status)
    import gc

    # A command is a short process that makes its objects (rows, histories, JSON) and exits:
    # collecting cycles every 700 new objects, as Python does by default, cost a tenth of
    # `list --format json` on 8,000 requests and bought nothing. Every 50,000 still bounds them.
    gc.set_threshold(50_000, 20, 20)
    from .root import app

    app(prog_name="reqtrack")


def __getattr__(name: str) -> Any:
    """`reqtrack.cli.app`, the Typer app (for tests and `CliRunner`), built when first asked for."""
    if name == "app":
        from .root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
