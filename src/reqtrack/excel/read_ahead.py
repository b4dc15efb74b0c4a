"""A large sheet's rows read ahead by a forked process (docs/performance.md, "Import on two
cores"): the import's own process then only turns cells into values and writes, while the XML
is parsed beside it.

The child is forked with the reading as it stands (the archive open, the XML parser past the
header rows), goes on with the same row generator and hands the rows over through a pipe, a
batch at a time; the parent never reads the archive again. What the reading raises in the child
is handed over in its place and raised again by the parent after the rows before it, so a
damaged sheet is refused at the same row with the same sentence (excel.reader names it).
Used where it helps: two CPUs or more, processes that fork, a sheet whose XML is large;
REQTRACK_IMPORT_WORKER=0 reads in the import's own process.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["LARGE_SHEET_BYTES", "read_ahead", "reads_ahead"]

LARGE_SHEET_BYTES = 8 << 20  # a sheet's XML from which reading it beside the import pays (about 6,000 rows)
_BATCH = 500  # rows a message


def reads_ahead(sheet_bytes: int) -> bool:
    """Whether a sheet of this size (its XML, inflated) is read by a second process here."""
    from ..forking import forced, more_processes

    return more_processes() and (sheet_bytes >= LARGE_SHEET_BYTES or forced())


def read_ahead(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The rows of `rows` (a generator over the open sheet, not to be used here again), read by
    a forked child; the child is stopped when this iterator is closed or collected."""
    import multiprocessing

    from ..forking import widen_pipe

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    widen_pipe(sending)
    child = context.Process(target=_read, args=(rows, sending, receiving), name="reqtrack-import-read",
                            daemon=True)
    child.start()
    sending.close()
    try:
        while True:
            try:
                kind, payload = receiving.recv()
            except EOFError:
                child.join(5)
                raise OSError(f"the process reading the sheet stopped (exit code {child.exitcode})") from None
            if kind == "rows":
                yield from payload
            elif kind == "end":
                return
            else:
                raise payload
    finally:
        receiving.close()
        if child.is_alive():
            child.terminate()
        child.join(5)


def _read(rows: Iterator[list[Any]], sending: Connection, receiving: Connection) -> None:
    """The child: batches of rows until the end, then ("end", None); what the reading raises,
    as ("error", the exception)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the import's: it stops this process
    receiving.close()
    batch: list[list[Any]] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                sending.send(("rows", batch))
                batch = []
        if batch:
            sending.send(("rows", batch))
        sending.send(("end", None))
    except BrokenPipeError:
        pass  # the import stopped reading (a refusal, Ctrl-C): nothing more to do
    except Exception as exc:  # noqa: BLE001 - handed over as it is, for the reader to name the row
        if batch:
            sending.send(("rows", batch))
        try:
            sending.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle: its words
            sending.send(("error", ValueError(f"{type(exc).__name__}: {exc}")))
