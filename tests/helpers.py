"""Helpers shared by several test modules (pytest puts tests/ on sys.path, as for conftest.py)."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from openpyxl import Workbook, load_workbook

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


def lifecycle_step(request, step: str, when: datetime, now: datetime, priority: str | None = None) -> None:
    """Apply one named step to a domain request through reqtrack.domain.lifecycle: the commands
    (classify, assign, progress, done, pass, fail, close, rate, cancel, reopen, edit) and the
    pauses (defer, undefer, wait). `priority` drives classify and whether assign sets a due
    date (a date alone for low). Raises what the lifecycle raises for a refused step."""
    from reqtrack.domain import lifecycle

    if step == "classify":
        lifecycle.classify(request, when, now, "x", priority=priority or "medium")
    elif step in ("defer", "undefer"):
        lifecycle.classify(request, when, now, "x", feasibility="defer" if step == "defer" else "now",
                           reason="customer budget")
    elif step == "assign":
        lifecycle.assign(request, when, now, "x", owner="Li", due=when + timedelta(days=3) if priority else None,
                         due_is_date=priority == "low")
    elif step in ("progress", "wait", "done"):
        lifecycle.progress(request, when, now, "x", "note", done=step == "done", waiting=step == "wait")
    elif step in ("pass", "fail"):
        lifecycle.verify(request, when, now, "x", passed=step == "pass", note="not yet" if step == "fail" else None)
    elif step == "close":
        lifecycle.close(request, when, now, "x")
    elif step == "rate":
        lifecycle.rate(request, when, now, "x", "satisfied")
    elif step == "cancel":
        lifecycle.cancel(request, when, now, "x", "dup")
    elif step == "reopen":
        lifecycle.reopen(request, when, now, "x", "again")
    elif step == "edit":
        lifecycle.edit(request, when, now, "x", {"notes": f"n{when.timestamp()}"})
    else:
        raise ValueError(f"unknown step {step!r}")


def modules_after(argv: list[str], env: dict[str, str], modules: tuple[str, ...]) -> tuple[list[str], str]:
    """Run `reqtrack ARGV` in a fresh interpreter; (which of `modules` it imported, its stdout)."""
    import subprocess

    probe = (
        "import sys\n"
        "wanted = sys.argv[1].split(',')\n"
        "from reqtrack.cli import main\n"
        "sys.argv = ['reqtrack'] + sys.argv[2:]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('MODULES', ','.join(m for m in wanted if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, ",".join(modules), *argv], env=env, capture_output=True,
                            text=True, timeout=60)
    line = next((row for row in result.stderr.splitlines() if row.startswith("MODULES")), None)
    assert line is not None, result.stderr[-800:]
    return [m for m in line[len("MODULES "):].split(",") if m], result.stdout


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """A workbook whose first sheet holds `rows`, as a user's own sheet would."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def database_at_schema(path: Path, version: int, zone: str = "Asia/Shanghai", wal: bool = True):
    """A new database as reqtrack's schema `version` left it (migrations 1..version, the time
    zone set), returned as an autocommit connection for the test to add its old rows."""
    import sqlite3

    from reqtrack.storage.db import APPLICATION_ID
    from reqtrack.storage.migrations import apply_migrations

    conn = sqlite3.connect(path, isolation_level=None)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    apply_migrations(conn, target=version)
    conn.execute("INSERT INTO setting VALUES ('calendar.timezone', ?)", (zone,))
    return conn
