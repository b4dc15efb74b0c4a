"""The export's progress bar: Rich on a terminal (stderr), only for long exports; nothing when
stderr is piped, under NO_COLOR or on a dumb terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

PROGRESS_FROM_ROWS = 2000  # below this an export is quick enough to need no bar


def export_progress(lang: str = "en") -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """(update(done, total), stop()); update is None when stderr is not a terminal."""
    from .output import colour_allowed

    if not colour_allowed(sys.stderr):  # piped, NO_COLOR or TERM=dumb: no bar (it redraws with escape codes)
        return None, lambda: None
    holder: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in holder:
            if total < PROGRESS_FROM_ROWS:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            from .labels import label

            bar = Progress(TextColumn(label("export.progress", lang)), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           console=Console(stderr=True), transient=True)
            bar.start()
            holder["bar"], holder["task"] = bar, bar.add_task("export", total=total)
        holder["bar"].update(holder["task"], completed=done)

    def stop() -> None:
        if "bar" in holder:
            holder["bar"].stop()

    return update, stop
