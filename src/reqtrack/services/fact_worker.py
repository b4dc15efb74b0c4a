"""The report facts and search documents of an import's new requests, computed by a second
process while the import's own process reads the sheet and writes everything else
(docs/performance.md, "Import on two cores").

A request's report facts (domain.metrics.request_facts: its timeline, completions, events, with
their verdicts under the settings) and its search document (domain.search.search_doc) are about
half of what an import of a large sheet costs, and depend on nothing but the request as stored.
So the import hands the rows it has just written of each batch of new requests
(storage.repository.Repository.add_many's result) to a process forked from it, which reads them
back as requests and computes their derived rows; the import takes those rows back as they come
(a thread of its own receives them, so that neither process ever waits on the other's full
pipe) and writes them in its transaction between its own batches. All or nothing stays: only the
import's transaction writes.

Used where it helps: a machine with two CPUs or more, where processes fork (Linux, macOS), an
import that creates a full batch of requests; REQTRACK_IMPORT_WORKER=0 keeps every row in the
import's process ("1": a worker even on one CPU). Should the worker fail, the import computes the
facts and documents of every request itself (upkeep's rebuilds), so a failure costs time, never
a fact.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .upkeep import Verdicts

__all__ = ["ENVIRONMENT", "DerivedRows", "FactWorker", "WorkerFailed", "start_fact_worker", "uses_more_cpus"]

ENVIRONMENT = "REQTRACK_IMPORT_WORKER"  # "0": no second process; "1": one even on a single CPU

# A batch's derived rows, by table: report_fact, report_completion (with its verdicts),
# report_event, request_state (stored.report_fact_rows), then search_doc (SearchDoc.row).
DerivedRows = list[list[tuple[Any, ...]]]


class WorkerFailed(Exception):
    """The second process stopped without its rows (the text: what it said, or how it ended)."""


def uses_more_cpus() -> bool:
    """Whether an import here may work in more than one process (REQTRACK_IMPORT_WORKER, the
    CPUs, fork)."""
    import multiprocessing

    wanted = os.environ.get(ENVIRONMENT, "").strip()
    if wanted == "0" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if wanted == "1":
        return True
    affinity = getattr(os, "sched_getaffinity", None)
    return (len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)) >= 2


def start_fact_worker(judges: Verdicts) -> FactWorker | None:
    """A started worker judging completions with `judges`, or None where one would not help."""
    return FactWorker(judges) if uses_more_cpus() else None


class FactWorker:
    """The second process: `put` each batch's rows, take the derived rows that are `ready`
    between batches, `finish` for the rest, and `close` (always) to stop it."""

    def __init__(self, judges: Verdicts) -> None:
        import multiprocessing
        import queue
        import threading

        context = multiprocessing.get_context("fork")  # the child has the judges as they are here
        batches_in, self._batches = context.Pipe(duplex=False)
        self._results, results_out = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(batches_in, results_out, judges,
                                                           (self._batches, self._results)),
                                       name="reqtrack-import-facts", daemon=True)
        self.process.start()
        batches_in.close()
        results_out.close()
        self._ready: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._receiver = threading.Thread(target=self._receive, name="reqtrack-import-facts", daemon=True)
        self._receiver.start()
        self.sent = 0  # requests handed over

    def _receive(self) -> None:
        """The receiving thread: every message of the worker into the queue, until its last."""
        while True:
            try:
                message = self._results.recv()
            except (EOFError, OSError):
                self._ready.put(("gone", None))
                return
            self._ready.put(message)
            if message[0] != "rows":
                return

    def put(self, rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]) -> None:
        """The request and history rows of a batch of new requests, whose derived rows the worker
        computes (WorkerFailed: it has stopped)."""
        try:
            self._batches.send(rows)
        except OSError as exc:  # the worker has gone: its reason comes next
            raise WorkerFailed(self._reason(f"cannot hand rows on ({exc})")) from None
        self.sent += len(rows[0])

    def ready(self) -> Iterator[DerivedRows]:
        """The derived rows received so far, batch by batch, without waiting (WorkerFailed: the
        worker stopped)."""
        import queue

        while True:
            try:
                kind, payload = self._ready.get_nowait()
            except queue.Empty:
                return
            yield self._rows(kind, payload)

    def finish(self) -> Iterator[DerivedRows]:
        """The rest of the derived rows, waiting for the worker to compute them (WorkerFailed: it
        stopped without)."""
        try:
            self._batches.send(None)
        except OSError:
            pass
        while True:
            kind, payload = self._ready.get()
            if kind == "done":
                return
            yield self._rows(kind, payload)

    def _rows(self, kind: str, payload: Any) -> DerivedRows:
        if kind == "rows":
            return payload
        raise WorkerFailed(payload if kind == "failed" else self._reason("it stopped without a word"))

    def _reason(self, otherwise: str) -> str:
        """What the worker said at its end (its traceback), else `otherwise` and how it ended."""
        import queue

        self._receiver.join(5)  # it stops at the worker's last word, or at the end of the pipe
        while True:
            try:
                kind, payload = self._ready.get_nowait()
            except queue.Empty:
                break
            if kind == "failed":
                return str(payload)
        self.process.join(5)
        return f"{otherwise}; exit code {self.process.exitcode}"

    def close(self) -> None:
        """Stop the worker if it still runs."""
        self._batches.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self._receiver.join(5)
        self._results.close()


def _work(batches: Connection, results: Connection, judges: Verdicts, parents: tuple[Connection, Connection]) -> None:
    """The worker: each batch's rows read back as requests and their derived rows sent back,
    until None; then ("done", None), or ("failed", the traceback). `parents`: the import's ends
    of the pipes, closed here so that the import's end is seen."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the import's: it stops this process
    for end in parents:
        end.close()
    try:
        from ..domain.metrics import request_facts
        from ..domain.search import search_doc
        from ..storage.stored import report_fact_rows, requests_from_rows

        while (batch := batches.recv()) is not None:
            tables: DerivedRows = [[], [], [], [], []]
            facts, completions, events, states, documents = tables
            for request in requests_from_rows(*batch):
                fact, its_completions, its_events, its_states = report_fact_rows(request, request_facts(request),
                                                                                 judges)
                facts.append(fact)
                completions += its_completions
                events += its_events
                states += its_states
                documents.append(search_doc(request).row())
            results.send(("rows", tables))
        results.send(("done", None))
    except BaseException:  # noqa: BLE001 - whatever it is, the import is told and does the work itself
        results.send(("failed", traceback.format_exc()))
