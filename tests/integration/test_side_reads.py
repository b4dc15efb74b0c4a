"""Reads sent ahead beside a unit of work (storage/side_reads.py): on the server a second
connection of the caller's very snapshot, on a thread; elsewhere, or when that connection cannot
be had, the caller's own connection, with the same answers."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import PG_URL
from reqtrack.storage.db import open_database
from reqtrack.storage.repository import UnitOfWork
from reqtrack.storage.side_reads import SideReads, side_reads


def _made(location: Any) -> None:
    """A reqtrack database at `location`, with one setting of ours."""
    db = open_database(location, write=True)
    with UnitOfWork(db) as uow:
        uow.conn.execute("INSERT INTO setting (key, value) VALUES ('test.marker', 'before')")
        uow.commit()


def _as_role(url: str, role: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    return urlunsplit(parts._replace(netloc=f"{role}@{host}:{parts.port or 5432}"))


def _backend(conn: Any) -> int:
    return int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])


def _marker(conn: Any) -> str:
    return str(conn.execute("SELECT value FROM setting WHERE key = 'test.marker'").fetchone()[0])


def _changed_elsewhere(location: Any) -> None:
    """The marker changed and committed by another unit of work, after the reader's snapshot."""
    writer = open_database(location, write=True)
    with UnitOfWork(writer) as uow:
        uow.conn.execute("UPDATE setting SET value = 'after' WHERE key = 'test.marker'")
        uow.commit()


def test_on_the_server_side_reads_see_the_callers_snapshot_on_another_connection(pg_url: str) -> None:
    _made(pg_url)
    with UnitOfWork(open_database(pg_url, write=False)) as uow:
        _changed_elsewhere(pg_url)  # committed after the reader's snapshot was taken
        assert _marker(uow.conn) == "before"
        with side_reads(uow) as side:
            backend, marker = side.later(_backend), side.later(_marker)
            assert backend() != _backend(uow.conn)
            assert marker() == "before"  # the snapshot's, not the newer commit's
            side_backend = backend()
    # Leaving ends the thread and closes its connection.
    assert not any(t.name == "reqtrack-side-reads" for t in threading.enumerate())
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        for _ in range(100):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (side_backend,)).fetchall():
                break
            time.sleep(0.02)
        else:
            pytest.fail("the side connection's backend is still there")


def test_without_a_second_connection_the_reads_are_made_on_the_callers(pg_url: str) -> None:
    """A role allowed one connection: the second cannot be made, the caller answers."""
    import psycopg

    _made(pg_url)
    role = f"t_one_{uuid.uuid4().hex[:10]}"
    schema = pg_url.rsplit("schema=", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 1')
        admin.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
    try:
        url = _as_role(pg_url, role)
        db = open_database(url, write=False)
        with UnitOfWork(db) as uow:
            with side_reads(uow) as side:
                backend, marker = side.later(_backend), side.later(_marker)
                assert (backend(), marker()) == (_backend(uow.conn), "before")
        db.release()
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
            admin.execute(f'DROP OWNED BY "{role}"')
            admin.execute(f'DROP ROLE "{role}"')


def test_a_read_that_fails_on_the_side_is_made_again_on_the_callers_connection(pg_url: str) -> None:
    """The caller sees the answer (or the error) its own connection gives; the reads after a
    failure are the caller's too (the side transaction is spoilt)."""
    _made(pg_url)
    with UnitOfWork(open_database(pg_url, write=False)) as uow:
        mine = _backend(uow.conn)

        def only_mine(conn: Any) -> int:
            if _backend(conn) != mine:
                conn.execute("SELECT no_such_function()")
            return _backend(conn)

        # On one side connection: the failure ends it, and the caller reads the rest.
        with SideReads(uow.conn, uow.engine.export_snapshot(uow.conn), uow.db.side_connection, connections=1) as side:
            first, then = side.later(only_mine), side.later(_backend)
            assert (first(), then()) == (mine, mine)
        # On two: the other connection answers the rest.
        with side_reads(uow) as side:
            reads = [side.later(only_mine)] + [side.later(_backend) for _ in range(4)]
            answers = [read() for read in reads]
            assert answers[0] == mine and mine not in answers[1:] and len(set(answers[1:])) == 1
        # A failure on each: every read is the caller's.
        with side_reads(uow) as side:
            reads = [side.later(only_mine) for _ in range(2)] + [side.later(_backend) for _ in range(4)]
            assert [read() for read in reads] == [mine] * 6
            assert side.later(_backend)() == mine  # sent after the last one gave up


def test_an_error_of_the_read_itself_reaches_the_caller(pg_url: str) -> None:
    from reqtrack.storage import libpq

    _made(pg_url)
    with pytest.raises(libpq.Error, match="division by zero"):
        with UnitOfWork(open_database(pg_url, write=False)) as uow, side_reads(uow) as side:
            side.later(lambda conn: conn.execute("SELECT 1 / 0").fetchone())()


def test_a_unit_that_writes_reads_on_its_own_connection(pg_url: str) -> None:
    """Another connection would not see the unit's own writes."""
    _made(pg_url)
    with UnitOfWork(open_database(pg_url, write=True)) as uow:
        uow.conn.execute("UPDATE setting SET value = 'mine' WHERE key = 'test.marker'")
        with side_reads(uow) as side:
            backend, marker = side.later(_backend), side.later(_marker)
            assert (backend(), marker()) == (_backend(uow.conn), "mine")


def test_on_the_file_side_reads_are_the_callers_own_reads(tmp_path: Path) -> None:
    db_file = tmp_path / "reqtrack.db"
    _made(db_file)
    with UnitOfWork(open_database(db_file, write=False)) as uow:
        with side_reads(uow) as side:
            same = side.later(lambda conn: conn)
            assert same() is uow.conn and _marker(uow.conn) == "before"
        assert not any(t.name == "reqtrack-side-reads" for t in threading.enumerate())


def test_leaving_early_drops_the_reads_not_yet_made(pg_url: str) -> None:
    """An error in the caller's work: leaving drops the reads not begun (and does not wait for
    those under way)."""
    _made(pg_url)
    made: list[int] = []

    def slow(conn: Any) -> None:
        conn.execute("SELECT pg_sleep(0.2)")
        made.append(1)

    with UnitOfWork(open_database(pg_url, write=False)) as uow:
        with pytest.raises(RuntimeError), side_reads(uow) as side:
            for _ in range(20):
                side.later(slow)
            started = time.monotonic()
            raise RuntimeError("the caller's work failed")
    assert time.monotonic() - started < 0.15  # not the 0.2 s of a read under way
    time.sleep(0.5)  # the reads under way end
    assert len(made) <= 2
