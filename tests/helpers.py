"""Helpers shared by several test modules (pytest puts tests/ on sys.path, as for conftest.py)."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import load_workbook

from reqtrack.services import Context, transfer

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)  # the conftest clock


def reqtrack_command() -> list[str]:
    """The installed `reqtrack` beside this Python, else on PATH, else `python -m reqtrack`."""
    exe = shutil.which("reqtrack", path=str(Path(sys.executable).parent)) or shutil.which("reqtrack")
    return [exe] if exe else [sys.executable, "-m", "reqtrack"]


def export(ctx: Context, path: Path, lang: str = "en", **kwargs) -> transfer.ExportResult:
    """`reqtrack export` through the service, the format from the file's suffix."""
    return transfer.export_requests(ctx, path, None, lang, **kwargs)


def sheet_values(path: Path, index: int = 0) -> list[tuple]:
    """Every row of a workbook's sheet as values."""
    return list(load_workbook(path).worksheets[index].iter_rows(values_only=True))


def fresh_context(tmp_path: Path, name: str) -> Context:
    """A context on a new, empty database in tmp_path, with the conftest clock."""
    return Context(db_path=tmp_path / name, actor="importer", clock=lambda: NOW)
