"""The report facts of an import's new requests, computed by a second process while the
import's own process reads the sheet and writes everything else (docs/performance.md, "Import
on two cores").

A request's report facts (domain.metrics.request_facts: its timeline, completions, events, with
their verdicts under the settings) are about half of what an import of a large sheet costs, and
depend on nothing but the request as stored. So the import hands the rows it has just written of
each batch of new requests (storage.repository.Repository.add_many's result) to a process forked
from it, which reads them back as requests, computes their report-fact rows and appends them to
a scratch file (storage.fact_scratch); at the end the import appends that file to the database
inside its own transaction (`FactStore.copy_report_facts`). All or nothing stays: the scratch
file is only read by the import's transaction, and thrown away with it.

The worker receives the batches with a thread beside its work (`_Received`), so that the import
hands one on and goes on instead of waiting until the worker has done the one before.

The rows go through a file rather than back through a pipe because SQLite then copies them in
itself (one INSERT ... SELECT a table, in C), which costs the import's process far less than
binding them a value at a time (docs/performance.md, "Import on two cores").

Used where it helps (forking.more_processes: two CPUs or more, processes that fork), for an
import that creates a full batch of requests; REQTRACK_IMPORT_WORKER=0 keeps every row in the
import's process. Should the worker fail, the import computes the facts of every request itself
(upkeep.keep_report_facts' rebuild), so a failure costs time, never a fact. (The search
documents stay with the import: into a new database it builds their full-text index at the end,
while the worker finishes its last batches.)
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .upkeep import Verdicts

__all__ = ["FactWorker", "WorkerFailed", "start_fact_worker"]


class WorkerFailed(Exception):
    """The second process stopped without its rows (the text: what it said, or how it ended)."""


def start_fact_worker(judges: Verdicts, layout: Sequence[str] = ()) -> FactWorker | None:
    """A started worker judging completions with `judges`, its scratch file made by the
    statements of `layout` (FactStore.fact_scratch_layout), or None where one would not help
    (forking.more_processes)."""
    from ..forking import more_processes

    return FactWorker(judges, layout) if more_processes() else None


class FactWorker:
    """The second process and its scratch file: `put` each batch's rows, then `finish` for the
    file to copy, and `close` (always) to stop the process and remove the file."""

    def __init__(self, judges: Verdicts, layout: Sequence[str] = ()) -> None:
        import multiprocessing

        from ..forking import widen_pipe

        self.folder = Path(tempfile.mkdtemp(prefix="reqtrack-import-"))  # private (0700)
        self.path = self.folder / "facts.db"
        context = multiprocessing.get_context("fork")  # the child has the judges as they are here
        rows_in, self._rows = context.Pipe(duplex=False)
        widen_pipe(self._rows)
        self._result, result_out = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(rows_in, result_out, self.path, judges, tuple(layout),
                                                           (self._rows, self._result)),
                                       name="reqtrack-import-facts", daemon=True)
        self.process.start()
        rows_in.close()
        result_out.close()
        self.sent = 0

    def put(self, rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]) -> None:
        """The request and history rows of a batch of new requests, whose facts the worker
        computes (WorkerFailed: it has stopped)."""
        try:
            self._rows.send(rows)
        except OSError as exc:  # the worker has gone: its last word says why
            raise WorkerFailed(self._reason(f"cannot hand rows on ({exc})")) from None
        self.sent += len(rows[0])

    def finish(self) -> Path:
        """Wait for the worker to write its last rows: the scratch file, complete (WorkerFailed:
        it stopped without)."""
        try:
            self._rows.send(None)
        except OSError:
            pass
        # The pipe stays open until `close`: the worker waits for its end to remove the file, so
        # that an import killed while it copies the file (or after) leaves none behind.
        reason = self._reason("it stopped without a word")
        if reason != "done":
            raise WorkerFailed(reason)
        return self.path

    def _reason(self, otherwise: str) -> str:
        """What the worker said at its end ("done", or its traceback), else `otherwise`."""
        try:
            said = self._result.recv()
        except (EOFError, OSError):
            self.process.join(5)
            return f"{otherwise}; exit code {self.process.exitcode}"
        return str(said)

    def close(self) -> None:
        """Stop the worker if it still runs, and remove its file."""
        for end in (self._rows, self._result):
            end.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        shutil.rmtree(self.folder, ignore_errors=True)


def _work(rows: Connection, result: Connection, path: Path, judges: Verdicts, layout: tuple[str, ...],
          parents: tuple[Connection, Connection]) -> None:
    """The worker: each batch's rows read back as requests, their facts computed and appended to
    the scratch file at `path`, until None; then "done" (or the traceback) on `result`.
    `parents`: the import's ends of the pipes, closed here so that the import's end is seen."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the import's: it stops this process
    for end in parents:
        end.close()
    batches = _Received(rows, path)
    try:
        from ..domain.metrics import request_facts
        from ..storage.fact_scratch import FactScratch
        from ..storage.stored import report_fact_rows, requests_from_rows

        scratch = FactScratch(path, layout)
        while (batch := batches.next()) is not None:
            tables: list[list[tuple[Any, ...]]] = [[], [], [], []]
            for request in requests_from_rows(*batch):
                fact, completions, events, states = report_fact_rows(request, request_facts(request), judges)
                tables[0].append(fact)
                tables[1] += completions
                tables[2] += events
                tables[3] += states
            scratch.put(tables)
        scratch.close()
        result.send("done")
    except BaseException:  # noqa: BLE001 - whatever it is, the import is told and does the work itself
        result.send(traceback.format_exc())
    batches.until_the_import_ends()


_AHEAD = 6  # batches received ahead of the work (each some 2 MB of rows)


class _Received:
    """The batches as the import sends them, received by a thread beside the work: the import's
    `put` returns as soon as the batch is in the pipe, instead of waiting until the worker has
    done the batch before (up to _AHEAD batches ahead), so that neither process waits for the
    other while both have work (the thread holds the interpreter only to read a batch)."""

    _GONE = object()  # the import's end of the pipe closed without the end of the batches

    def __init__(self, rows: Connection, path: Path) -> None:
        import queue
        import threading

        self.rows, self.path = rows, path
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=_AHEAD)
        self.thread = threading.Thread(target=self._receive, name="reqtrack-import-receive", daemon=True)
        self.thread.start()

    def _receive(self) -> None:
        try:
            while True:
                batch = self.rows.recv()
                self.queue.put(batch)
                if batch is None:
                    return
        except (EOFError, OSError):
            self.queue.put(self._GONE)

    def next(self) -> Any:
        """The next batch of rows, or None at the end (the thread has ended: the pipe is this
        process's again). When the import is gone without a word (killed: its end of the pipe
        closed), nobody will remove the scratch file but this process: removed, and the worker
        ends."""
        batch = self.queue.get()
        if batch is self._GONE:
            shutil.rmtree(self.path.parent, ignore_errors=True)
            raise SystemExit(0)
        if batch is None:
            self.thread.join()
        return batch

    def until_the_import_ends(self) -> None:
        """After the last word: wait until the import's end of the pipe closes — when it has
        copied the file and closes the worker, or when it is killed — and remove the file."""
        batch: Any = None
        if self.thread.is_alive() or not self.queue.empty():  # the work stopped before the end of the batches
            while (batch := self.queue.get()) is not None and batch is not self._GONE:
                pass
            self.thread.join()
        if batch is not self._GONE:  # the pipe is this process's again: read until the import's end closes
            try:
                while self.rows.recv() is not None:
                    pass
            except (EOFError, OSError):
                pass
        shutil.rmtree(self.path.parent, ignore_errors=True)
