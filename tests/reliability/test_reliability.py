"""Nothing lost: foreign, damaged, too-new and read-only files, contention, migration copies,
`backup` and `check` — run through the installed `reqtrack` command as a user or cron would."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO_ROOT, database_at_schema, make_read_only, reqtrack_command
from reqtrack.storage.migrations import SCHEMA_VERSION

pytestmark = pytest.mark.e2e


def run(db: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "REQTRACK_DB": str(db), "TZ": "Asia/Shanghai", "REQTRACK_USER": "rel"}
    environment.pop("REQTRACK_DEBUG", None)
    environment.update(env or {})
    return subprocess.run([*reqtrack_command(), *args], capture_output=True, text=True, env=environment,
                          input=input, timeout=120)


def in_process(db: Path, *args: str) -> Any:
    """The same command run in-process (fast), for cases already shown through the installed one."""
    from typer.testing import CliRunner

    from reqtrack.cli import app

    return CliRunner().invoke(app, list(args), env={"REQTRACK_DB": str(db)})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_sentence(stderr: str) -> str:
    """The error as the user sees it: exactly one line, no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def run_all(*commands: tuple[Path, tuple[str, ...]]) -> list[subprocess.CompletedProcess]:
    """Several installed-command runs at once (each start-up costs most of a second)."""
    environment = {**os.environ, "TZ": "Asia/Shanghai", "REQTRACK_USER": "rel"}
    environment.pop("REQTRACK_DEBUG", None)
    procs = [(args, subprocess.Popen([*reqtrack_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env={**environment, "REQTRACK_DB": str(db)}))
             for db, args in commands]
    results = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def make_database(path: Path, requests: int = 2) -> None:
    """A reqtrack database with `requests` requests, made in-process (setup, not under test)."""
    from reqtrack import services

    ctx = services.Context(db_path=path, actor="setup")
    for n in range(requests):
        ctx._now = None
        services.register(ctx, f"request {n}", "ACME")


# -- files that are not (usable) reqtrack databases ------------------------------------------
def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("id,customer\n1,ACME\n" * 20)


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE request (id TEXT)")
    conn.execute("INSERT INTO request VALUES ('not ours')")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    make_database(path, 1)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def _damaged(path: Path) -> None:
    """A reqtrack database whose pages after the first are overwritten (a bad disk, a bad copy)."""
    make_database(path, 3)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = bytes((i * 7 + 13) % 256 for i in range(len(data) - page))
    path.write_bytes(bytes(data))


def _truncated(path: Path) -> None:
    make_database(path, 3)
    with open(path, "r+b") as handle:
        handle.truncate(5000)


BAD_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    # case: (how to make it, a phrase of the hint the one sentence must give)
    "empty": (_empty, "empty file"),
    "text": (_text, "not a reqtrack database"),
    "foreign-sqlite": (_foreign_sqlite, "SQLite file but not a reqtrack database"),
    "newer": (_newer, "upgrade reqtrack"),
    "damaged": (_damaged, "restore the latest backup"),
    "truncated": (_truncated, "restore the latest backup"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_exit_3_one_sentence_and_untouched(tmp_path: Path, case: str) -> None:
    make, hint = BAD_FILES[case]
    path = tmp_path / "reqtrack.db"
    make(path)
    before = sha256(path)
    neighbours = sorted(p.name for p in tmp_path.iterdir())
    # A write command through the installed command (a write would create a missing database),
    # and read commands in-process.
    written = run(path, "new", "text", "--customer", "ACME")
    assert written.returncode == 3, (case, written.stderr)
    sentence = one_sentence(written.stderr)
    assert str(path) in sentence and hint in sentence, sentence
    for args in (("show", "202501-001"), ("list", "--format", "json"), ("backup", str(tmp_path / "copy.db"))):
        read = in_process(path, *args)
        assert read.exit_code == 3, (case, args, read.stderr)
        assert hint in one_sentence(read.stderr)
    assert sha256(path) == before, f"{case}: a command changed the file"
    assert sorted(p.name for p in tmp_path.iterdir()) == neighbours  # no copy, no temp file left


def test_directory_as_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "inside").mkdir(parents=True)
    result = run(folder, "new", "text", "--customer", "ACME")
    assert result.returncode == 3
    sentence = one_sentence(result.stderr)
    assert str(folder) in sentence and "is a directory" in sentence and "--db" in sentence
    assert [p.name for p in folder.iterdir()] == ["inside"]


def test_missing_database_read_command_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    for result in run_all((path, ("list",)), (path, ("check",)), (path, ("backup", str(tmp_path / "copy.db")))):
        assert result.returncode == 3, result.args
        assert "reqtrack new" in one_sentence(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_new_database_is_private_in_a_created_directory(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "reqtrack.db"
    made = run(path, "new", "first", "--customer", "ACME")
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.parent.is_dir()
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


_make_read_only = make_read_only  # helpers: chattr +i as root, skipped only outside CI


def test_read_only_file_refuses_writes_serves_reads_and_stays_untouched(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    make_database(path, 2)
    before = sha256(path)
    undo = _make_read_only(path)
    try:
        refused, listed = run_all((path, ("new", "text", "--customer", "ACME")), (path, ("list", "--format", "json")))
        assert refused.returncode == 3
        sentence = one_sentence(refused.stderr)
        assert str(path) in sentence and "read-only" in sentence and "writable" in sentence
        assert listed.returncode == 0, listed.stderr
        assert len(json.loads(listed.stdout)) == 2
        assert sha256(path) == before
    finally:
        undo()


# -- contention -----------------------------------------------------------------------------
HOLDER = (  # holds the write lock for argv[2] seconds, or until a line arrives on stdin
    "import select, sqlite3, sys, time\n"
    "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "conn.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "select.select([sys.stdin], [], [], float(sys.argv[2]))\n"
    "conn.execute('COMMIT')\n"
    "print(time.time(), flush=True)\n"
)


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def _has_open(pid: int, path: Path) -> bool | None:
    """Whether process `pid` has `path` open (None where /proc cannot tell)."""
    fds = Path(f"/proc/{pid}/fd")
    if not fds.is_dir():
        return None
    for fd in list(fds.iterdir()):
        try:
            if os.readlink(fd) == str(path):
                return True
        except OSError:
            continue
    return False


def test_a_write_waits_for_a_lock_held_by_another_process_then_succeeds(tmp_path: Path) -> None:
    """The lock is held until the writer has started and opened the database (however slow its
    start-up) and has been kept waiting a second more; only then is it given back."""
    path = tmp_path / "reqtrack.db"
    make_database(path, 1)
    holder = _hold_write_lock(path, 120.0)
    environment = {**os.environ, "REQTRACK_DB": str(path), "TZ": "Asia/Shanghai", "REQTRACK_USER": "rel",
                   "REQTRACK_BUSY_TIMEOUT": "30"}
    environment.pop("REQTRACK_DEBUG", None)
    try:
        writer = subprocess.Popen([*reqtrack_command(), "new", "while locked", "--customer", "ACME"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        give_up = time.monotonic() + 60
        while writer.poll() is None and time.monotonic() < give_up:
            opened = _has_open(writer.pid, path)
            if opened is None:  # no /proc: give the start-up a generous while instead
                time.sleep(5.0)
                break
            if opened:
                break
            time.sleep(0.01)
        time.sleep(1.0)  # a registration takes a few milliseconds once the database is open
        waiting = writer.poll() is None
        count_while_held = sqlite3.connect(path).execute("SELECT count(*) FROM request").fetchone()[0]
    finally:
        released = float(holder.communicate("release\n", timeout=30)[0])
    out, err = writer.communicate(timeout=60)
    finished = time.time()
    assert waiting, f"the write did not wait for the lock: exit {writer.returncode}, {err}"
    assert count_while_held == 1
    assert writer.returncode == 0, err
    assert finished > released and re.fullmatch(r"\d{6}-\d{3,}", out.strip()), out  # its new ID, once released
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM request").fetchone()[0] == 2


def test_a_lock_held_beyond_the_timeout_gives_exit_3_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    make_database(path, 1)
    holder = _hold_write_lock(path, 60.0)
    try:
        result = run(path, "new", "while locked", "--customer", "ACME", env={"REQTRACK_BUSY_TIMEOUT": "1"})
        still_held = holder.poll() is None  # the refusal came while the lock was held
    finally:
        holder.communicate("release\n", timeout=30)
    assert still_held
    assert result.returncode == 3
    sentence = one_sentence(result.stderr)
    assert str(path) in sentence and "locked" in sentence and "try again" in sentence
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM request").fetchone()[0] == 1


# -- migration copies -------------------------------------------------------------------------
def database_at_first_schema(path: Path) -> None:
    """A database as reqtrack's first schema wrote it, with one request in it."""
    conn = database_at_schema(path, 1)
    conn.execute(
        "INSERT INTO request (id, id_month, id_seq, customer, description, submitted_at, status) "
        "VALUES ('202401-007', '202401', 7, 'Old Co', 'legacy', '2024-01-05T08:00:00Z', 'pending')"
    )
    conn.execute("INSERT INTO event VALUES ('202401-007', 1, '2024-01-05T08:00:00Z', 'new', 'old', NULL, '')")
    conn.close()


def test_every_command_that_upgrades_says_where_the_copy_is(tmp_path: Path) -> None:
    commands = {"new": ("new", "after upgrade", "--customer", "ACME"), "list": ("list",),
                "classify": ("classify", "202401-007", "--priority", "high")}
    paths = {name: tmp_path / name / "old.db" for name in commands}
    for path in paths.values():
        path.parent.mkdir()
        database_at_first_schema(path)
    old_bytes = sha256(paths["list"])
    results = run_all(*((paths[name], args) for name, args in commands.items()))
    for name, result in zip(commands, results):
        path = paths[name]
        assert result.returncode == 0, result.stderr
        copy = path.parent / "old.db.v1.bak"
        assert f"a copy of the old file is at {copy}" in result.stderr, name
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT customer FROM request").fetchall() == [("Old Co",)]
        conn.close()
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert sha256(paths["list"]) != old_bytes
    again = run(paths["list"], "list")  # upgraded once: no second copy, no message
    assert "upgraded" not in again.stderr
    assert sorted(p.name for p in paths["list"].parent.iterdir() if ".bak" in p.name) == ["old.db.v1.bak"]


def test_two_processes_upgrading_at_once_keep_one_true_copy(tmp_path: Path) -> None:
    from reqtrack.storage.db import Database

    path = tmp_path / "old.db"
    database_at_first_schema(path)
    first = Database.open(path, write=True)
    second = Database.open(path, write=True)  # finds it upgraded: no copy, no message
    assert first.backup_path == tmp_path / "old.db.v1.bak" and second.backup_path is None
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == ["old.db.v1.bak"]


# -- backup -------------------------------------------------------------------------------------
WRITER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from reqtrack import services\n"
    "ctx = services.Context(db_path=Path(sys.argv[1]), actor='writer')\n"
    "i = 0\n"
    "while True:\n"
    "    ctx._now = None\n"
    "    services.register(ctx, f'written during backup {i}', 'ACME', notes='x' * 2000)\n"
    "    print(i, flush=True)\n"
    "    i += 1\n"
)


def _assert_whole(path: Path) -> int:
    """Integrity ok, every request has its registration, and the check command agrees."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        missing = conn.execute(
            "SELECT count(*) FROM request WHERE NOT EXISTS "
            "(SELECT 1 FROM event WHERE event.request_id = request.id AND seq = 1 AND action = 'new')"
        ).fetchone()[0]
        assert missing == 0
        return conn.execute("SELECT count(*) FROM request").fetchone()[0]
    finally:
        conn.close()


def test_backup_while_another_process_writes_is_consistent_private_and_verified(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    make_database(path, 1)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], env={**os.environ, "TZ": "UTC"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    copies = [tmp_path / "backups" / f"copy-{n}.db" for n in range(2)]
    try:
        for _ in range(5):  # the writer is really writing
            assert writer.stdout.readline()
        results = run_all(*((path, ("backup", str(copy))) for copy in copies))
        still_writing = writer.poll() is None
    finally:
        writer.terminate()
        writer.communicate(timeout=30)
    assert still_writing, "the writer stopped before the backups ended"
    for copy, result in zip(copies, results):
        assert result.returncode == 0, result.stderr
        assert str(copy) in result.stdout and "integrity ok" in result.stdout
    counts = [_assert_whole(copy) for copy in copies]
    assert min(counts) >= 6
    _assert_whole(path)
    for copy in copies:
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not [p for p in copy.parent.iterdir() if p.name.endswith((".tmp", "-wal", "-shm", "-journal"))]
    checked = run(copies[-1], "check", "--json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["counts"]["requests"] == counts[-1]


def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    make_database(path, 1)
    target = tmp_path / "copy.db"
    target.write_text("precious")
    refused, directory, itself = run_all((path, ("backup", str(target))), (path, ("backup", str(tmp_path))),
                                         (path, ("backup", str(path), "--force")))
    assert refused.returncode == 2 and "--force" in one_sentence(refused.stderr)
    assert target.read_text() == "precious"
    assert directory.returncode == 2 and "is a directory" in directory.stderr
    assert itself.returncode == 2 and "database itself" in itself.stderr
    forced = run(path, "backup", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _assert_whole(target) == 1
    again = in_process(path, "backup", str(target), "--overwrite")  # the other spelling
    assert again.exit_code == 0, again.stderr
    # A pipe or device (think /dev/null as root) is never replaced by a file, even when forced.
    pipe = tmp_path / "pipe.db"
    os.mkfifo(pipe)
    refused_pipe = in_process(path, "backup", str(pipe), "--force")
    assert refused_pipe.exit_code == 2 and "not a regular file" in one_sentence(refused_pipe.stderr)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    unwritable = in_process(path, "backup", "/proc/reqtrack-backup.db")
    assert unwritable.exit_code == 3 and "cannot write the backup" in one_sentence(unwritable.stderr)


def test_backup_of_a_damaged_database_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    _damaged(path)
    result = run(path, "backup", str(tmp_path / "copy.db"))
    assert result.returncode == 3
    assert "damaged" in one_sentence(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reqtrack.db"]


# -- check ----------------------------------------------------------------------------------------
def test_check_reports_counts_and_exit_0_when_all_is_well(tmp_path: Path) -> None:
    from reqtrack import services

    path = tmp_path / "reqtrack.db"
    ctx = services.Context(db_path=path, actor="setup")
    rid = services.register(ctx, "first", "ACME", priority="high").id
    services.assign(ctx, rid, owner="Li")
    services.progress(ctx, rid, "fixed", done=True)
    services.verify(ctx, rid, passed=True)
    services.close(ctx, rid)
    make_database(path, 1)
    result, text = run_all((path, ("check", "--json")), (path, ("check",)))
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["integrity"] == "ok" and report["problems"] == []
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["counts"]["by_status"] == {"closed": 1, "pending": 1}
    assert report["counts"]["events"] == 6
    assert text.returncode == 0 and "all is well" in text.stdout


def test_check_finds_a_damaged_file_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    _damaged(path)
    before = sha256(path)
    result = run(path, "check")
    assert result.returncode == 1, result.stderr
    assert "DAMAGED" in result.stdout
    assert sha256(path) == before


def test_check_refuses_a_foreign_file_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "reqtrack.db"
    _foreign_sqlite(path)
    result = run(path, "check")
    assert result.returncode == 3
    sentence = one_sentence(result.stderr)
    assert str(path) in sentence and "not a reqtrack database" in sentence, sentence


# -- check's rules, one by one (in-process: fast) ------------------------------------------------
def _closed_request_and_two_pending(ctx: object, tmp_path: Path) -> list[str]:
    from reqtrack import services

    attachment = tmp_path / "screen.png"
    attachment.write_bytes(b"\x89PNG fake screenshot")
    first = services.register(ctx, "first", "ACME", priority="high", attachments=[attachment])  # type: ignore[arg-type]
    services.assign(ctx, first.id, owner="Li")  # type: ignore[arg-type]
    services.progress(ctx, first.id, "fixed", done=True)  # type: ignore[arg-type]
    services.verify(ctx, first.id, passed=True)  # type: ignore[arg-type]
    services.close(ctx, first.id)  # type: ignore[arg-type]
    return [first.id, services.register(ctx, "second", "ACME").id, services.register(ctx, "third", "ACME").id]  # type: ignore[arg-type]


BREAKAGES: dict[str, tuple[str, ...]] = {
    # kind check must report: SQL that causes it ({0} {1} {2} are the three request IDs)
    "no-completion-time": ("UPDATE request SET completed_at = NULL WHERE id = '{0}'",),
    "no-closing-time": ("UPDATE request SET closed_at = NULL WHERE id = '{0}'",),
    "stray-completion-time": ("UPDATE request SET completed_at = '2025-03-14T09:00:00Z' WHERE id = '{1}'",),
    "history-gap": ("DELETE FROM event WHERE request_id = '{0}' AND seq = 2",),
    "no-history": ("DELETE FROM event WHERE request_id = '{2}'",),
    "no-registration": ("DELETE FROM event WHERE request_id = '{1}'",
                        "INSERT INTO event VALUES ('{1}', 1, '2025-03-14T09:30:00Z', 'progress', 't', NULL, 'x')"),
    "orphan-attachment": ("INSERT INTO attachment (request_id, number, name) VALUES ('209901-001', 1, 'a.txt')",),
    "orphan-history": ("INSERT INTO event VALUES ('209901-001', 1, '2025-03-14T09:30:00Z', 'new', 't', NULL, '')",),
    "status-disagrees": ("UPDATE request SET status = 'in-progress' WHERE id = '{2}'",),
    "unknown-value": ("UPDATE request SET priority = 'urgent' WHERE id = '{1}'",),
    "unknown-action": ("UPDATE event SET action = 'frobnicate' WHERE request_id = '{0}' AND seq = 3",),
    "attachment-damaged": ("UPDATE attachment SET content = X'00'",),
    "id-index": ("UPDATE request SET id_seq = 1 WHERE id = '{2}'",),
    "history-order": ("UPDATE event SET at = '2020-01-01T00:00:00Z' WHERE request_id = '{0}' AND seq = 4",),
    "setting": ("UPDATE setting SET value = 'Mars/Olympus' WHERE key = 'calendar.timezone'",),
    "stored-deadlines": ("UPDATE sla_open SET resolution_by = '2000-01-01T00:00:00.000000Z' WHERE request_id = '{1}'",),
}


@pytest.mark.parametrize("key, value", [("calendar.country", "XX"), ("sla.resolution_days.high", "-2"),
                                        ("sla.stale_hours", "soon")])
def test_check_names_a_stored_setting_config_set_would_refuse(ctx: object, tmp_path: Path, db_path: Path,
                                                              key: str, value: str) -> None:
    from reqtrack.services import Context, admin

    _closed_request_and_two_pending(ctx, tmp_path)
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT OR REPLACE INTO setting VALUES (?, ?)", (key, value))
    conn.commit()
    conn.close()
    report = admin.check(Context(db_path=db_path))
    assert [p.kind for p in report.problems] == ["setting"], [p.message for p in report.problems]
    assert key in report.problems[0].message and "config set" in report.problems[0].message


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_check_finds_each_kind_of_inconsistency(ctx: object, tmp_path: Path, db_path: Path, kind: str) -> None:
    from reqtrack.services import Context, admin

    ids = _closed_request_and_two_pending(ctx, tmp_path)
    assert admin.check(Context(db_path=db_path)).ok
    conn = sqlite3.connect(db_path)
    for statement in BREAKAGES[kind]:
        conn.execute(statement.format(*ids))
    conn.commit()
    conn.close()
    report = admin.check(Context(db_path=db_path))
    assert not report.ok
    assert kind in {p.kind for p in report.problems}, [p.message for p in report.problems]
    assert report.integrity == []


# -- the cron example --------------------------------------------------------------------------
NIGHTLY = REPO_ROOT / "examples" / "nightly-backup.sh"


def test_nightly_backup_script_keeps_the_newest_checked_copies(tmp_path: Path) -> None:
    assert os.access(NIGHTLY, os.X_OK), "examples/nightly-backup.sh must be executable"
    path = tmp_path / "reqtrack.db"
    make_database(path, 3)
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"reqtrack-2020-01-0{n}_000000.db" for n in (1, 2, 3)]
    for file in old:
        file.write_text("an old copy")
    environment = {**os.environ, "REQTRACK_DB": str(path), "BACKUP_DIR": str(folder), "KEEP": "2",
                   "REQTRACK": reqtrack_command()[0], "TZ": "Asia/Shanghai"}
    quiet = subprocess.run([str(NIGHTLY)], capture_output=True, text=True, env=environment, timeout=120)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""  # cron mails only trouble
    kept = sorted(folder.iterdir())
    assert len(kept) == 2 and kept[0] == old[2]
    assert _assert_whole(kept[1]) == 3
    assert stat.S_IMODE(kept[1].stat().st_mode) == 0o600

    missing = subprocess.run([str(NIGHTLY)], capture_output=True, text=True, timeout=120,
                             env={**environment, "REQTRACK_DB": str(tmp_path / "gone.db")})
    assert missing.returncode != 0
    assert "backup" in missing.stderr and "gone.db" in missing.stderr
    assert sorted(folder.iterdir()) == kept  # a failed night removes nothing
