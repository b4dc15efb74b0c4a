"""Crashes: processes killed with SIGKILL in the middle of writes leave a database that passes
`PRAGMA integrity_check` and holds each write entirely or not at all.

Four loops, each killing real processes at random points:

- forked writers running the service layer in a loop (registrations with attachments, then
  assignment and progress of the same requests), killed after a random delay: many kills cheaply;
- the installed `reqtrack new` with a 2 MiB attachment, killed at a random time after start;
- the installed `reqtrack import` of a 30,000-row CSV, killed when its write-ahead log has grown
  to a random size (so inside the write), or at a random time;
- the installed `reqtrack backup` of the database the forked writers left, killed at a random
  time: the target is absent or a complete copy.

After every kill: integrity_check and foreign_key_check are clean, `reqtrack check`'s rules find
nothing inconsistent, and the counts are either the old ones or the old ones plus the whole write.

The default run makes at least 50 kills (60 forked writers alone) in about a minute. A longer run:
    REQTRACK_FAULT_KILLS=500 REQTRACK_FAULT_NEW_KILLS=30 REQTRACK_FAULT_IMPORT_KILLS=10 REQTRACK_FAULT_BACKUP_KILLS=10 \\
        pytest -s tests/reliability/test_fault_injection.py
The random choices (delays, thresholds) come from one seed: a fixed one by default, so that runs
are comparable; REQTRACK_FAULT_SEED=N picks another (the seed is printed in pytest's header and
summary and in every failure message). The kill instants still vary with the machine's timing.

Every check after a kill counts as passed or failed on its own counter (not as "kills minus
passes"), and test_the_checks_catch_a_damaged_database shows the checks can fail.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import fault_seed, reqtrack_command, skip_or_fail_in_ci
from reqtrack.domain.vocab import COLUMNS

FORK_KILLS = int(os.environ.get("REQTRACK_FAULT_KILLS", "30"))
NEW_KILLS = int(os.environ.get("REQTRACK_FAULT_NEW_KILLS", "5"))
IMPORT_KILLS = int(os.environ.get("REQTRACK_FAULT_IMPORT_KILLS", "2"))
BACKUP_KILLS = int(os.environ.get("REQTRACK_FAULT_BACKUP_KILLS", "3"))
IMPORT_ROWS = 30_000
SEED = fault_seed()  # fixed by default, so that two runs make the same choices; REQTRACK_FAULT_SEED overrides it


@dataclass
class Tally:
    """Kills made (the process was alive and died of SIGKILL), and the checks that followed, each
    counted where it ended: passed, or failed (with its message)."""

    kills: int = 0
    whole_after_kill: int = 0  # checks passed after a kill
    whole_after_finish: int = 0  # checks passed after a process that ended before its kill
    failures: list[str] = field(default_factory=list)  # checks that failed, killed or not
    finished_first: int = 0  # the process ended before the kill: no crash, still checked
    notes: list[str] = field(default_factory=list)
    forked_acks: list[int] = field(default_factory=list)  # writes committed before each forked kill


TALLY = Tally()


@pytest.fixture
def tallied() -> Iterator[None]:
    """The tally of one kill loop, printed after it (with -s, or when it fails), and checked: no
    check failed, and every kill was followed by checks that passed. Per test, not per run: the
    loops may run in different xdist workers."""
    kills, whole, finished, failures = TALLY.kills, TALLY.whole_after_kill, TALLY.finished_first, len(TALLY.failures)
    notes, acks = len(TALLY.notes), len(TALLY.forked_acks)
    yield
    made = TALLY.kills - kills
    print(f"\nfault injection (seed {SEED}): {made} SIGKILLs; checks after them: {TALLY.whole_after_kill - whole} "
          f"passed (whole and all-or-nothing), {len(TALLY.failures) - failures} failed; "
          f"{TALLY.finished_first - finished} processes finished before their kill")
    if TALLY.forked_acks[acks:]:
        done = TALLY.forked_acks[acks:]
        print(f"  forked writers: {len(done)} kills after 0..{max(done)} committed writes "
              f"({sum(1 for a in done if a == 0)} before the first commit)")
    for note in TALLY.notes[notes:]:
        print(f"  {note}")
    assert TALLY.failures[failures:] == []
    assert TALLY.whole_after_kill - whole == made  # every kill was followed by checks that passed


@contextmanager
def judged(why: str, killed: bool) -> Iterator[None]:
    """The checks of one round: a failure is counted as such (and raised), a pass as a pass."""
    try:
        yield
    except BaseException as exc:
        TALLY.failures.append(f"{why}: {type(exc).__name__}: {exc}")
        raise
    if killed:
        TALLY.whole_after_kill += 1
    else:
        TALLY.whole_after_finish += 1


def environment(db: Path) -> dict[str, str]:
    env = {**os.environ, "REQTRACK_DB": str(db), "TZ": "Asia/Shanghai", "REQTRACK_USER": "crash"}
    env.pop("REQTRACK_DEBUG", None)
    return env


@dataclass
class Counts:
    requests: int
    events: int
    attachments: int
    imports: int


def assert_whole(path: Path, why: str) -> Counts:
    """The file passes SQLite's own checks and reqtrack's consistency rules; its counts."""
    from reqtrack.services import Context, admin

    conn = sqlite3.connect(path)  # recovers the WAL a killed process left, as any next command would
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], why
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], why
        counts = Counts(*(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                          for table in ("request", "event", "attachment", "import_log")))
        # Every stored attachment is complete: its bytes match the digest written with it.
        for name, content, digest, size in conn.execute("SELECT name, content, sha256, size FROM attachment"):
            assert content is not None and len(content) == size, (why, name)
            assert hashlib.sha256(content).hexdigest() == digest, (why, name)
    except sqlite3.DatabaseError as exc:  # too damaged to be read at all
        raise AssertionError(f"{why}: {exc}") from exc
    finally:
        conn.close()
    report = admin.check(Context(db_path=path, actor="checker"))
    assert report.ok, (why, report.integrity, [p.message for p in report.problems[:5]])
    return counts


def make_database(path: Path, requests: int) -> None:
    from reqtrack import services

    ctx = services.Context(db_path=path, actor="setup")
    for n in range(requests):
        ctx._now = None
        services.register(ctx, f"before the crashes {n}", "ACME")


def _kill(pid: int) -> bool:
    """SIGKILL `pid` and reap it; True when it was still running (so this was a real crash)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


# -- 1. forked writers: registrations and lifecycle steps -----------------------------------
def _write_forever(path: Path, attachment: Path, acks: int, round_no: int) -> None:
    """Child process: register (every third with an attachment), then assign and report progress
    on the request just registered; one byte on `acks` after each committed write."""
    from reqtrack import services

    ctx = services.Context(db_path=path, actor=f"crash{round_no}")
    i = 0
    while True:
        ctx._now = None
        files = [attachment] if i % 3 == 0 else None
        request = services.register(ctx, f"round {round_no} write {i}\n第{i}条 — 🚀", "ACME", attachments=files,
                                    notes="n" * 3000, priority="high")
        os.write(acks, b"r")
        ctx._now = None
        services.assign(ctx, request.id, owner="Li")
        os.write(acks, b"a")
        ctx._now = None
        services.progress(ctx, request.id, f"working on {i}", done=i % 2 == 0)
        os.write(acks, b"p")
        i += 1


def _forked_round(path: Path, attachment: Path, rng: random.Random, round_no: int) -> None:
    before = assert_whole(path, f"seed {SEED}: before round {round_no}")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.close(read_end)
            _write_forever(path, attachment, write_end, round_no)
        except BaseException:  # noqa: BLE001 - any failure must end the child, not run pytest on
            import traceback

            traceback.print_exc()  # shown in the test's captured stderr
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    time.sleep(rng.uniform(0.0, 0.6))  # the child needs ~0.1 s to import reqtrack: some kills land early
    killed = _kill(pid)
    acks = b""
    while chunk := os.read(read_end, 65536):
        acks += chunk
    os.close(read_end)
    why = f"seed {SEED}: forked round {round_no}, killed after acks {acks.decode()!r}"
    TALLY.kills += killed
    with judged(why, killed):
        assert killed, f"{why}: the writer died on its own"
        after = assert_whole(path, why)
        registered = acks.count(b"r")
        # The write in flight may have committed before its acknowledgement was sent: one more, at most.
        assert after.requests - before.requests in (registered, registered + 1), why
    TALLY.forked_acks.append(len(acks))


@pytest.mark.e2e
@pytest.mark.slow
def test_sigkilled_writers_leave_a_whole_database(tmp_path: Path, tallied: None) -> None:
    if not hasattr(os, "fork"):
        skip_or_fail_in_ci("needs os.fork (not on this platform)")
    rng = random.Random(SEED)
    path = tmp_path / "reqtrack.db"
    make_database(path, 3)
    attachment = tmp_path / "scan.pdf"
    attachment.write_bytes(os.urandom(300_000))
    print(f"\nfault injection seed {SEED}")
    start = TALLY.kills
    for round_no in range(FORK_KILLS):
        _forked_round(path, attachment, rng, round_no)
    assert TALLY.kills - start == FORK_KILLS  # every forked writer was alive when killed
    _kill_backups(path, tmp_path / "backups", rng)


def _kill_backups(path: Path, folder: Path, rng: random.Random) -> None:
    """`reqtrack backup` killed at a random time: the target is absent or a whole copy, the
    source is untouched by it."""
    expected = assert_whole(path, f"seed {SEED}: before the backup kills").requests
    for round_no in range(BACKUP_KILLS):
        target = folder / f"copy-{round_no}.db"
        folder.mkdir(exist_ok=True)
        for leftover in folder.glob(".*.tmp"):  # what an earlier killed backup left
            leftover.unlink()
        proc = subprocess.Popen([*reqtrack_command(), "backup", str(target)], env=environment(path),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Start-up takes most of a second and the copy a few milliseconds: wait for the copy's
        # temporary file to appear (or for a random start-up moment), then a random instant more.
        give_up = time.monotonic() + (rng.uniform(0.1, 1.0) if round_no == 0 else 30.0)
        while proc.poll() is None and time.monotonic() < give_up and not any(folder.glob(".*.tmp")):
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.03))
        killed = _kill(proc.pid)
        proc.returncode = 0
        why = f"seed {SEED}: backup round {round_no} ({'killed' if killed else 'finished first'})"
        TALLY.kills += killed
        with judged(why, killed):
            if target.exists():
                assert assert_whole(target, why).requests == expected, why
            else:
                assert killed, why
            assert assert_whole(path, why).requests == expected, why
        if killed:
            TALLY.notes.append(f"backup round {round_no}: killed, target {'complete' if target.exists() else 'absent'}")
        else:
            TALLY.finished_first += 1


# -- 2. the installed `reqtrack new`, killed at a random time -------------------------------
@pytest.mark.e2e
@pytest.mark.slow
def test_sigkilled_reqtrack_new_registers_all_or_nothing(tmp_path: Path, tallied: None) -> None:
    rng = random.Random(SEED + 1)
    path = tmp_path / "reqtrack.db"
    make_database(path, 1)
    attachment = tmp_path / "video.bin"
    attachment.write_bytes(os.urandom(2 * 1024 * 1024))
    for round_no in range(NEW_KILLS):
        before = assert_whole(path, f"seed {SEED}: before new round {round_no}")
        proc = subprocess.Popen([*reqtrack_command(), "new", f"crash test {round_no}", "--customer", "ACME",
                                 "--attach", str(attachment)], env=environment(path),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.5))  # start-up takes most of a second: before, during or after the write
        killed = _kill(proc.pid)
        proc.returncode = 0  # reaped above; keep Popen from waiting again
        why = f"seed {SEED}: new round {round_no} ({'killed' if killed else 'finished first'})"
        TALLY.kills += killed
        with judged(why, killed):
            after = assert_whole(path, why)
            assert after.requests - before.requests in (0, 1), why
            added = after.requests - before.requests
            assert after.attachments - before.attachments == added, why  # the request and its file together
            if not killed:
                assert added == 1, why
        if not killed:
            TALLY.finished_first += 1


# -- 3. the installed `reqtrack import` of 30,000 rows, killed inside its write --------------
def write_import_csv(path: Path, tag: str, rows: int = IMPORT_ROWS) -> None:
    """A sheet with the template's English headers and `rows` new requests."""
    keys = [key for key, *_ in COLUMNS]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([en for _, en, *_ in COLUMNS])
        for n in range(rows):
            values = {"source": "email", "customer": f"Customer {n % 97}", "type": "bug",
                      "description": f"{tag} row {n}: 导入的需求, \"quoted\", tab\there",
                      "submitted_at": "2025-01-06 09:15", "priority": "medium", "status": "pending"}
            writer.writerow([values.get(key, "") for key in keys])


def _wal_size(path: Path) -> int:
    try:
        return Path(f"{path}-wal").stat().st_size
    except FileNotFoundError:
        return 0


@pytest.mark.e2e
@pytest.mark.slow
def test_sigkilled_import_of_30000_rows_is_all_or_nothing(tmp_path: Path, tallied: None) -> None:
    rng = random.Random(SEED + 2)
    path = tmp_path / "reqtrack.db"
    make_database(path, 2)
    sheet = tmp_path / "sheet.csv"
    for round_no in range(IMPORT_KILLS):
        write_import_csv(sheet, f"import {round_no}")
        before = assert_whole(path, f"seed {SEED}: before import round {round_no}")
        # Rows are parsed and checked first (seconds), then written in one transaction whose pages
        # spill into the WAL as it grows (about 12 MB for 30,000 rows). Kill when the WAL has
        # reached a random size, so the kill lands inside the write; the last round kills at a
        # random time instead, wherever that falls.
        by_time = round_no == IMPORT_KILLS - 1 and IMPORT_KILLS > 1
        threshold = rng.randrange(64 * 1024, 10 * 1024 * 1024)
        deadline = rng.uniform(0.5, 12.0)
        base_wal = _wal_size(path)
        scratch = tmp_path / f"tmp-{round_no}"  # the import's temporary files (its worker's scratch file)
        scratch.mkdir()
        proc = subprocess.Popen([*reqtrack_command(), "import", str(sheet)],
                                env={**environment(path), "TMPDIR": str(scratch), "REQTRACK_IMPORT_WORKER": "1"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started = time.monotonic()
        while proc.poll() is None:
            elapsed = time.monotonic() - started
            if (by_time and elapsed >= deadline) or (not by_time and _wal_size(path) - base_wal >= threshold):
                break
            if elapsed > 120:
                proc.kill()
                pytest.fail(f"seed {SEED}: import round {round_no} did not finish in 120 s")
            time.sleep(0.005)
        finished = proc.poll() is not None
        killed = False if finished else _kill(proc.pid)
        if not finished:
            proc.returncode = -signal.SIGKILL
        assert proc.stderr is not None
        error = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        how = (f"killed with the WAL at {threshold} bytes" if not by_time else f"killed after {deadline:.1f} s")
        why = f"seed {SEED}: import round {round_no} ({how if killed else 'finished first: ' + error})"
        TALLY.kills += killed
        with judged(why, killed):
            after = assert_whole(path, why)
            added = after.requests - before.requests
            assert added in (0, IMPORT_ROWS), why
            assert after.imports - before.imports == (1 if added else 0), why
            assert after.events - before.events == added, why  # each imported row has its one history entry
            if not killed:
                assert proc.returncode == 0 and added == IMPORT_ROWS, why
            # The worker of a killed import notices its end and removes its scratch file.
            gone_by = time.monotonic() + 30
            while list(scratch.iterdir()) and time.monotonic() < gone_by:
                time.sleep(0.05)
            assert list(scratch.iterdir()) == [], why
        if killed:
            TALLY.notes.append(f"import round {round_no}: {how}, {'all' if added else 'none'} of the rows kept")
        else:
            TALLY.finished_first += 1


# -- the checks can fail ----------------------------------------------------------------------
def test_the_checks_catch_a_damaged_database(tmp_path: Path) -> None:
    """assert_whole, which judges every kill above, fails on a database that is not whole: torn
    pages, an attachment whose bytes are not those written, a request without its history."""
    torn = tmp_path / "torn.db"
    make_database(torn, 30)
    size = torn.stat().st_size
    with open(torn, "r+b") as handle:  # a write cut in the middle: pages of garbage
        handle.seek(size // 2)
        handle.write(os.urandom(8192))
    with pytest.raises(AssertionError):
        assert_whole(torn, "torn")

    from reqtrack import services

    cut = tmp_path / "cut.db"
    ctx = services.Context(db_path=cut, actor="setup")
    attachment = tmp_path / "scan.pdf"
    attachment.write_bytes(os.urandom(5000))
    services.register(ctx, "with a file", "ACME", attachments=[attachment])
    assert assert_whole(cut, "whole").attachments == 1  # whole before the damage
    conn = sqlite3.connect(cut)
    conn.execute("UPDATE attachment SET content = substr(content, 1, 100)")
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError):
        assert_whole(cut, "cut attachment")

    orphan = tmp_path / "orphan.db"
    make_database(orphan, 2)
    conn = sqlite3.connect(orphan)
    conn.execute("DELETE FROM event WHERE request_id = (SELECT min(id) FROM request)")
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError):
        assert_whole(orphan, "request without history")


def test_a_failed_check_is_counted_as_a_failure() -> None:
    """judged() counts a check where it ended: a failure as a failure, a pass as a pass."""
    saved = (TALLY.whole_after_kill, TALLY.whole_after_finish, list(TALLY.failures))
    try:
        with pytest.raises(AssertionError):
            with judged("round x", killed=True):
                assert 1 == 2, "damaged"
        with judged("round y", killed=False):
            pass
        assert TALLY.whole_after_kill == saved[0] and TALLY.whole_after_finish == saved[1] + 1
        assert TALLY.failures[len(saved[2]):] == ["round x: AssertionError: damaged\nassert 1 == 2"]
    finally:
        TALLY.whole_after_kill, TALLY.whole_after_finish, TALLY.failures[:] = saved
