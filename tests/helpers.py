"""Helpers shared by several test modules (pytest puts tests/ on sys.path, as for conftest.py)."""

from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from reqtrack import services
from reqtrack.domain.errors import InvalidInput
from reqtrack.services import Context
from reqtrack.services.exports import ExportResult, export_requests

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)  # "now" of every test unless it moves its clock
NOW_TEXT = NOW.isoformat()  # the same, for REQTRACK_NOW of a command run in a subprocess


class Clock:
    """The test clock: a Context's `clock`, at NOW unless the test moves it (`clock.now = ...`)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

REPO_ROOT = Path(__file__).resolve().parent.parent  # the checkout: README.md, examples/, src/


FAULT_SEED_DEFAULT = 142025  # tests/reliability/test_fault_injection.py's seed unless REQTRACK_FAULT_SEED gives one


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
    (classify, assign, progress, done, pass, fail, close, rate, cancel, reopen, edit), the
    pauses (defer, undefer, wait) and a notice to the customer (notice: a progress update by phone). `priority` drives classify and whether assign sets a due
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
    elif step == "notice":
        lifecycle.notice(request, when, now, "x", "progress", "phone")
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
    from reqtrack.storage.engine import SqliteConnection
    from reqtrack.storage.migrations import apply_migrations

    conn = sqlite3.connect(path, isolation_level=None, factory=SqliteConnection)
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


def moving_context(path: Path, clock: Clock) -> services.Context:
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


def populate_workload(path: Path, seed: int, count: int = 60) -> Clock:
    """Requests worked through the lifecycle over a few weeks, with a fresh context (one
    command) per step as in real use; some steps are refused, as they are for users."""
    rng = random.Random(seed)
    fields = random.Random(-seed)  # customers, types, departments: without changing rng's sequence
    clock = Clock(T0)
    ids: list[str] = []
    ctx: services.Context | None = None
    for _ in range(count):
        if ctx is not None:
            ctx.close()  # the command is over (a server connection it kept is closed)
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
    if ctx is not None:
        ctx.close()
    return clock


# -- the worked example of docs/metrics.md (tests of the report: unit and cli) ---------------------
MONDAY_MEETING = "2025-03-10 09:00"  # as_of of the worked example


def build_scenario(ctx: Context) -> dict[str, str]:
    """The worked example of docs/metrics.md (times local to Asia/Shanghai; no country, so
    Monday–Friday are the working days). Returns letter → request ID."""
    s = services
    ids: dict[str, str] = {}
    ids["G"] = s.register(ctx, "crash on save", "ACME", source="meeting", type="bug", priority="medium",
                          at="2025-02-27 10:00").id
    s.progress(ctx, ids["G"], "looking at it", at="2025-02-27 11:00")
    s.assign(ctx, ids["G"], owner="Wang", at="2025-02-27 12:00")
    s.progress(ctx, ids["G"], "fixed", done=True, at="2025-03-03 15:00")
    s.verify(ctx, ids["G"], passed=True, satisfaction="satisfied", at="2025-03-04 10:00")
    s.close(ctx, ids["G"], at="2025-03-05 10:00")

    ids["A"] = s.register(ctx, "login fails", "ACME", source="phone", type="bug", priority="high",
                          at="2025-03-03 09:00").id
    s.assign(ctx, ids["A"], owner="Li", due="2025-03-05", at="2025-03-03 10:00")
    s.progress(ctx, ids["A"], "fixed", done=True, at="2025-03-04 17:00")
    s.verify(ctx, ids["A"], passed=True, satisfaction="satisfied", at="2025-03-05 09:00")

    ids["B"] = s.register(ctx, "export to PDF", "ACME", source="email", type="feature", priority="medium",
                          at="2025-03-03 14:00").id
    s.progress(ctx, ids["B"], "acknowledged", at="2025-03-04 16:00")  # 26 h: a late first response
    s.assign(ctx, ids["B"], owner="Wang", due="2025-03-06", at="2025-03-04 16:30")
    s.progress(ctx, ids["B"], "done", done=True, at="2025-03-07 14:00")
    s.verify(ctx, ids["B"], passed=False, note="still fails for A4", at="2025-03-07 16:00")

    ids["H"] = s.register(ctx, "same as the login one", "Globex", source="phone", type="other", priority="low",
                          at="2025-03-04 09:00").id
    s.cancel(ctx, ids["H"], reason="duplicate", at="2025-03-04 17:00")

    ids["C"] = s.register(ctx, "faster search", "Globex", source="online-form", type="improvement",
                          at="2025-03-04 10:00").id
    s.classify(ctx, ids["C"], priority="low", at="2025-03-04 11:00")
    s.assign(ctx, ids["C"], owner="Zhao", due="2025-03-07", at="2025-03-05 09:00")
    s.progress(ctx, ids["C"], "shipped", done=True, at="2025-03-07 18:00")
    s.verify(ctx, ids["C"], passed=True, satisfaction="neutral", at="2025-03-07 19:00")
    s.close(ctx, ids["C"], at="2025-03-07 20:00")

    ids["D"] = s.register(ctx, "report totals wrong", "Globex", source="chat", type="bug", priority="high",
                          at="2025-03-05 09:00").id
    s.progress(ctx, ids["D"], "looking into it", at="2025-03-05 10:00")
    s.assign(ctx, ids["D"], owner="Li", due="2025-03-06", at="2025-03-05 11:00")
    s.progress(ctx, ids["D"], "fixed", done=True, at="2025-03-07 12:00")
    s.verify(ctx, ids["D"], passed=True, satisfaction="dissatisfied", at="2025-03-07 15:00")
    s.reopen(ctx, ids["D"], reason="totals wrong again", at="2025-03-08 10:00")

    ids["E"] = s.register(ctx, "how do I export?", "Initech", source="phone", type="support",
                          at="2025-03-06 15:00").id
    ids["F"] = s.register(ctx, "question about invoices", "Initech", source="email", type="other",
                          at="2025-03-09 20:00").id

    # After the Monday meeting (as_of 2025-03-10 09:00): a report as of then must not see these.
    s.progress(ctx, ids["E"], "called back", at="2025-03-10 10:00")
    s.progress(ctx, ids["B"], "fixed again", done=True, at="2025-03-11 10:00")
    s.verify(ctx, ids["B"], passed=True, satisfaction="satisfied", at="2025-03-11 15:00")
    return ids


# -- the test's database on either engine --------------------------------------------------------
def database_exists(location: Any) -> bool:
    """Whether a reqtrack database is at `location` (a file path, or a schema URL on the server)."""
    from reqtrack.storage.db import database_exists as exists

    return exists(location)


class RawServerConnection:
    """sqlite3's surface over a psycopg connection to the test's schema, for tests that read or
    change stored rows directly (`?` placeholders, `commit`, `with`)."""

    def __init__(self, url: str) -> None:
        import psycopg

        from reqtrack.storage.server import parse_address, quote_name

        address = parse_address(url)
        self.conn = psycopg.connect(address.conninfo)
        self.conn.execute(f"SET search_path TO {quote_name(address.schema)}")

    def execute(self, sql: str, params: Any = None) -> Any:
        from reqtrack.storage.placeholders import pg_statement

        return self.conn.execute(pg_statement(sql), params) if params else self.conn.execute(sql)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> RawServerConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.conn.commit()
        else:
            self.conn.rollback()


def raw_connect(location: Any) -> Any:
    """A plain connection to the test's database: sqlite3's for a file, RawServerConnection for a URL."""
    import sqlite3

    if "://" in str(location):
        return RawServerConnection(str(location))
    return sqlite3.connect(location)


def _stored_tables() -> tuple[str, ...]:
    from reqtrack.storage.copying import TABLES

    return tuple(TABLES)


def stored_state(location: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of every table, in a comparable form: "nothing was written" on either engine."""
    conn = raw_connect(location)
    try:
        return {table: sorted((tuple(row) for row in conn.execute(f"SELECT * FROM {table}").fetchall()), key=repr)
                for table in _stored_tables()}
    finally:
        conn.close()


# -- a real SMTP server for the tests (aiosmtpd; conftest's `smtp_server` fixture starts it) -------
SMTP_HOST = "127.0.0.1"


@dataclass
class Inbox:
    """The handler of the test server: stores what arrives, refuses the recipients it is told to."""

    refuse: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 <" + address + ">: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.original_content,
                              "tls": server.transport.get_extra_info("ssl_object") is not None, "session": id(session), "login": session.login_data})
        return "250 Message accepted for delivery"

    def messages(self) -> list[Any]:
        """What arrived, parsed (email.message.EmailMessage, headers decoded)."""
        import email
        from email import policy

        return [email.message_from_bytes(got["data"], policy=policy.default) for got in self.received]


def free_port() -> int:
    """A port on SMTP_HOST that nothing listens on (at the moment it is asked)."""
    import socket

    with socket.socket() as probe:
        probe.bind((SMTP_HOST, 0))
        return int(probe.getsockname()[1])


def copy_sqlite(source: Path, target: Path) -> Path:
    """A copy of the SQLite database `source` at `target`, by SQLite's backup (whole and
    consistent whatever its journal holds): for a database built once and read by many tests."""
    import sqlite3

    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()
    return target
