"""Reads of a unit of work's snapshot answered beside it, while the caller works.

A report on the server waits for the answers of its 29 statements one after the other, and the
client works on the rows of each before it sends the next: a year's report at 100,000 requests
waited 0.42 s on the server and worked 0.71 s itself, never both at once. The reads that do not
depend on other answers (the aggregates of the quiet requests, the event counts, the trend's
counts) are sent ahead here: on the server, to other connections, each on a thread, that import
the caller's snapshot (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`), so that they see exactly
what the caller's transaction sees, and the server answers them while the caller works (libpq's
calls, made by ctypes, let the caller's thread run meanwhile).

Where no snapshot can be shared (SQLite's file, a unit of work that writes: its own writes are
not in the snapshot another connection sees), or no other connection can be made or keep going,
each read is made on the caller's connection when its answer is asked for: the same answer, at
the time it always was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Later(Generic[T]):
    """The answer of one read, asked for by calling it: waited for from the side connection, or
    read on the caller's connection (once) if the side one did not take it."""

    def __init__(self, read: Callable[..., T], args: tuple[Any, ...], conn: Any) -> None:
        self._read, self._args, self._conn = read, args, conn
        self._answered = threading.Event()
        self._here = False  # the side connection left it to the caller
        self._value: Any = None

    def _answer(self, conn: Any) -> bool:
        """Answer on the side connection; False (left to the caller) when it fails there."""
        try:
            self._value = self._read(conn, *self._args)
        except BaseException:  # noqa: BLE001 - the caller reads it again on its connection, and sees its error
            self._leave()
            return False
        self._answered.set()
        return True

    def _leave(self) -> None:
        self._here = True
        self._answered.set()

    def __call__(self) -> T:
        self._answered.wait()
        if self._here:
            self._value, self._here = self._read(self._conn, *self._args), False
        return self._value


class SideReads:
    """`with SideReads(conn, snapshot, connect) as side: counts = side.later(read, *args); …;
    counts()`: each `read(conn, *args)` taken in the order given by the first of `connections`
    threads free, each on a connection `connect()` makes that joins `snapshot` (the engine's
    `join_snapshot`); with no snapshot, on `conn` when asked for. Leaving drops the reads not
    begun, and waits for those under way unless it leaves on an exception.

    Two connections by default: the server has a core for each (a year's report at 100,000
    requests gives them 0.37 s of statements, which one connection answered after the caller had
    done the rest of its work)."""

    def __init__(self, conn: Any, snapshot: str | None, connect: Callable[[], Any] | None,
                 connections: int = 2) -> None:
        self._conn = conn
        self._snapshot = snapshot if connect is not None else None
        self._connect = connect
        self._jobs: SimpleQueue[Later[Any] | None] = SimpleQueue()
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._connections = connections
        self._lock = threading.Lock()
        self._live = 0  # threads whose connection still answers

    def __enter__(self) -> SideReads:
        if self._snapshot is not None:
            self._live = self._connections
            for _ in range(self._connections):
                thread = threading.Thread(target=self._serve, name="reqtrack-side-reads", daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def later(self, read: Callable[..., T], *args: Any) -> Later[T]:
        """`read(conn, *args)`, sent ahead; its answer when the result is called."""
        job: Later[T] = Later(read, args, self._conn)
        with self._lock:
            if self._live:
                self._jobs.put(job)
                return job
        job._leave()
        return job

    def _serve(self) -> None:
        conn = None
        try:
            conn = self._connect()  # type: ignore[misc]
            conn.engine.join_snapshot(conn, self._snapshot)
        except Exception:  # noqa: BLE001 - no second connection (too many clients, a pooler…): others read
            conn = self._closed(conn)
        while conn is not None and (job := self._jobs.get()) is not None:
            if self._stopping:
                job._leave()
            elif not job._answer(conn):  # the transaction is spoilt: the job and the rest go elsewhere
                conn = self._closed(conn)
        if conn is None:
            self._give_up()
        self._closed(conn)

    def _give_up(self) -> None:
        """This thread has no connection: the others take the reads; the last one leaves every
        read still waiting (and those sent from now on) to the caller."""
        with self._lock:
            self._live -= 1
            if self._live:
                return
        while True:
            try:
                job = self._jobs.get_nowait()
            except Empty:
                return
            if job is not None:
                job._leave()

    @staticmethod
    def _closed(conn: Any) -> None:
        if conn is not None:
            try:
                conn.close()  # its transaction ends with it
            except Exception:  # noqa: BLE001, S110 - a connection already lost has nothing to give back
                pass

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._stopping = True
        for _ in self._threads:
            self._jobs.put(None)
        if exc_type is None:
            for thread in self._threads:
                thread.join()
        # Else (the caller failed, or was interrupted: Ctrl-C) not waited for: a read of a large
        # database can take seconds; each thread ends with its read, and closes its connection.


def side_reads(uow: Any) -> SideReads:
    """Reads beside the unit of work `uow` (a storage.repository.UnitOfWork, begun): on other
    connections of the same snapshot where the engine shares one and the unit only reads."""
    conn = uow.conn
    if uow.db.write:
        return SideReads(conn, None, None)
    snapshot = uow.engine.export_snapshot(conn)
    return SideReads(conn, snapshot, uow.db.side_connection if snapshot is not None else None)


__all__ = ["Later", "SideReads", "side_reads"]
