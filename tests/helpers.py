"""Helpers shared by several test modules (pytest puts tests/ on sys.path, as for conftest.py)."""

from __future__ import annotations

import random
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from openpyxl import Workbook, load_workbook

from reqtrack import services
from reqtrack.domain.errors import InvalidInput
from reqtrack.services import Context
from reqtrack.services.exports import ExportResult, export_requests

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)  # the conftest clock


FAULT_SEED_DEFAULT = 142025  # tests/test_fault_injection.py's seed unless REQTRACK_FAULT_SEED gives one


def fault_seed() -> int:
    """The seed of the fault-injection loops: fixed by default, REQTRACK_FAULT_SEED overrides it."""
    import os

    return int(os.environ.get("REQTRACK_FAULT_SEED", "").strip() or FAULT_SEED_DEFAULT)


def example_scale() -> float:
    """How many times its usual number of examples each property tries (REQTRACK_HYPOTHESIS_SCALE,
    10 under the reqtrack-deep profile; docs/testing.md)."""
    import os

    return float(os.environ.get("REQTRACK_HYPOTHESIS_SCALE", "1") or 1)


def examples(usual: int) -> int:
    """`usual` max_examples, scaled by example_scale()."""
    return max(1, round(usual * example_scale()))


def in_ci() -> bool:
    """Whether this run is CI's (CI=true): there a test never skips a check, it fails instead."""
    import os

    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail_in_ci(reason: str) -> None:
    """Skip the test naming `reason` — or, under CI=true, fail with it: CI must run every check."""
    import pytest

    if in_ci():
        pytest.fail(f"CI=true, so this check may not be skipped: {reason}")
    pytest.skip(reason)


def installed_reqtrack() -> str:
    """The `reqtrack` command installed beside this Python (the console script of the project's
    install); skips (fails under CI) when there is none, never falls back on another one."""
    exe = shutil.which("reqtrack", path=str(Path(sys.executable).parent))
    if exe is None:
        skip_or_fail_in_ci(f"no reqtrack command beside {sys.executable}: install the project (pip install -e .)")
    return str(exe)


def make_read_only(path: Path):
    """Make `path` read-only in a way that binds this user, and return the undo.

    Tests usually run as root (CI does), which ignores permission bits, so root uses the
    immutable attribute (chattr +i), which binds root too. Skips — fails under CI=true — when
    neither way is available."""
    import os
    import subprocess

    if os.geteuid() != 0:
        path.chmod(0o400)
        return lambda: path.chmod(0o600)
    chattr = shutil.which("chattr")
    if chattr is None:
        skip_or_fail_in_ci("running as root without chattr: no way to make a file read-only for root")
    made = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        skip_or_fail_in_ci(f"running as root and chattr +i is not supported here ({made.stderr.strip()})")
    return lambda: subprocess.run([chattr, "-i", str(path)], check=True)


def reqtrack_command() -> list[str]:
    """The installed `reqtrack` beside this Python, else on PATH, else `python -m reqtrack`."""
    exe = shutil.which("reqtrack", path=str(Path(sys.executable).parent)) or shutil.which("reqtrack")
    return [exe] if exe else [sys.executable, "-m", "reqtrack"]


def export(ctx: Context, path: Path, lang: str = "en", **kwargs) -> ExportResult:
    """`reqtrack export` through the service, the format from the file's suffix."""
    return export_requests(ctx, path, None, lang, **kwargs)


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


def old_database_with_one_request(path: Path, version: int, priority: str | None = None) -> None:
    """A database of schema `version` holding one pending request (202501-001, submitted
    2025-01-06 09:00 Shanghai) with its registration entry, as that version wrote it."""
    raw = database_at_schema(path, version, wal=False)
    raw.execute("INSERT INTO request (id, id_month, id_seq, customer, description, submitted_at, status, updated_at, "
                "priority) VALUES ('202501-001', '202501', 1, 'Old Co', 'legacy', '2025-01-06T01:00:00Z', 'pending', "
                "'2025-01-06T01:00:00Z', ?)", (priority,))
    raw.execute("INSERT INTO event VALUES ('202501-001', 1, '2025-01-06T01:00:00Z', 'new', 'old', NULL, '')")
    raw.close()


# -- a seeded workload through the services (tests of derived data) ---------------------------------
T0 = datetime(2025, 1, 6, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai


class MovingClock:
    """A clock a test sets (`clock.now = ...`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def moving_context(path: Path, clock: MovingClock) -> services.Context:
    """A context on `path` whose clock the test moves."""
    return services.Context(db_path=path, actor="lead", clock=clock)


# Next steps by status, with weights: requests move along the loop as a team works them.
_NEXT = {
    "pending": [("classify", 3), ("assign", 6), ("defer", 1), ("cancel", 1), ("edit", 1)],
    "in-progress": [("progress", 3), ("wait", 2), ("done", 3), ("classify", 1), ("defer", 1), ("undefer", 1),
                    ("assign", 1), ("cancel", 1)],
    "verifying": [("pass", 3), ("fail", 2)],
    "done": [("close", 3), ("reopen", 1), ("rate", 1)],
    "closed": [("reopen", 1), ("rate", 1)],
    "cancelled": [],
}


def populate_workload(path: Path, seed: int, count: int = 60) -> MovingClock:
    """Requests worked through the lifecycle over a few weeks, with a fresh context (one
    command) per step as in real use; some steps are refused, as they are for users."""
    rng = random.Random(seed)
    fields = random.Random(-seed)  # customers, types, departments: without changing rng's sequence
    clock = MovingClock(T0)
    ids: list[str] = []
    for _ in range(count):
        clock.now += timedelta(minutes=rng.randrange(10, 900))
        ctx = moving_context(path, clock)
        if rng.random() < 0.3 or not ids:
            request = services.register(ctx, "需要导出报表", fields.choice(["ACME", "Globex", "Initech"]),
                                        priority=rng.choice([None, "high", "medium", "low"]),
                                        type=fields.choice([None, "bug", "feature"]),
                                        source=fields.choice([None, "email", "phone"]))
            ids.append(request.id)
            continue
        rid = rng.choice(ids)
        steps = _NEXT[services.get(ctx, rid).status]
        if not steps:
            continue
        action = rng.choices([name for name, _ in steps], [weight for _, weight in steps])[0]
        try:
            if action == "classify":
                services.classify(ctx, rid, priority=rng.choice(["high", "medium", "low"]))
            elif action in ("defer", "undefer"):
                services.classify(ctx, rid, feasibility="defer" if action == "defer" else "now",
                                  reason="budget next quarter")
            elif action == "assign":
                services.assign(ctx, rid, owner=rng.choice(["Li", "Wang"]),
                                department=fields.choice([None, "Support", "R&D"]),
                                due=rng.choice([None, "+1d", "+2wd", (clock.now + timedelta(days=2)).date().isoformat()]))
            elif action in ("progress", "wait", "done"):
                services.progress(ctx, rid, "working", done=action == "done", waiting=action == "wait")
            elif action in ("pass", "fail"):
                services.verify(ctx, rid, passed=action == "pass", note=None if action == "pass" else "still wrong",
                                satisfaction=fields.choice([None, "satisfied", "neutral"]) if action == "pass" else None)
            elif action == "rate":
                services.rate(ctx, rid, fields.choice(["satisfied", "neutral", "dissatisfied"]))
            elif action == "close":
                services.close(ctx, rid)
            elif action == "cancel":
                services.cancel(ctx, rid, reason="duplicate")
            elif action == "reopen":
                services.reopen(ctx, rid, reason="came back")
            else:
                services.edit(ctx, rid, {"notes": f"call {clock.now:%H:%M}"})
        except InvalidInput as exc:
            assert "no priority" in str(exc) or "nothing changes" in str(exc), exc  # the only refusals expected
    return clock
