"""The import's second process (services/fact_worker.py): the report facts of the new requests
computed in a forked process and appended from its scratch file store exactly what the import
alone stores, on both engines; a worker that fails or dies costs time, never a fact; a refused
import stops it and leaves no scratch file; REQTRACK_DEBUG=1 says why it failed. Batches are
small here, so that the worker takes several of them."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from conftest import new_pg_schema
from helpers import export, populate_workload, stored_state, write_xlsx
from reqtrack import forking
from reqtrack.services import Context, fact_worker
from reqtrack.services.admin import check
from reqtrack.services.import_rows import ImportRefused
from reqtrack.services.imports import import_file

BATCH = 8


@pytest.fixture(scope="module")
def worked_sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export of requests worked through their lifecycle (completions, verifications,
    reopenings, pauses), as a team's sheet arrives."""
    folder = tmp_path_factory.mktemp("worked")
    clock = populate_workload(folder / "source.db", seed=21, count=220)
    ctx = Context(db_path=folder / "source.db", actor="tester", clock=clock)
    sheet = folder / "worked.xlsx"
    export(ctx, sheet)
    ctx.close()
    return sheet


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Batches of BATCH rows; the scratch files go to a folder of the test's (returned)."""
    monkeypatch.setattr("reqtrack.services.imports.BATCH", BATCH)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of requests handed to each worker started (appended when it finishes)."""
    handed: list[int] = []
    finish = fact_worker.FactWorker.finish

    def counted(self: fact_worker.FactWorker) -> Any:
        handed.append(self.sent)
        return finish(self)

    monkeypatch.setattr(fact_worker.FactWorker, "finish", counted)
    return handed


def _import(location: Any, sheet: Path, monkeypatch: pytest.MonkeyPatch, worker: str, clock: Any) -> Any:
    monkeypatch.setenv(forking.ENVIRONMENT, worker)
    ctx = Context(db_path=location, actor="importer", clock=clock)
    try:
        return import_file(ctx, sheet)
    finally:
        ctx.close()


def _second_location(db_path: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    return new_pg_schema(request) if "://" in str(db_path) else tmp_path / "alone.db"


def test_the_worker_stores_what_the_import_alone_stores(db_path: Any, tmp_path: Path, worked_sheet: Path,
                                                         small_batches: Path, workers: list[int], clock: Any,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         request: pytest.FixtureRequest) -> None:
    with_worker = _import(db_path, worked_sheet, monkeypatch, "1", clock)
    assert workers and workers[0] >= with_worker.created - 2 * BATCH  # every full batch after the first
    alone_at = _second_location(db_path, tmp_path, request)
    alone = _import(alone_at, worked_sheet, monkeypatch, "0", clock)
    assert len(workers) == 1  # none started with REQTRACK_IMPORT_WORKER=0
    assert (with_worker.created, with_worker.rows) == (alone.created, alone.rows)
    ours, theirs = stored_state(db_path), stored_state(alone_at)
    ours["import_log"] = theirs["import_log"] = []  # it names the file's place and time of import
    for table in ("report_fact", "report_completion", "report_event", "request_state"):
        assert ours[table], table  # the sheet's requests have facts of every kind
    assert ours == theirs
    assert check(Context(db_path=db_path, actor="tester", clock=clock)).problems == []
    assert list(small_batches.iterdir()) == []  # the scratch file is gone
    assert multiprocessing.active_children() == []


def _failing(*rows: Any) -> Any:
    raise RuntimeError("the worker's disk is full")


def _dying(*rows: Any) -> Any:
    os._exit(3)  # killed, as by the kernel's out-of-memory killer: no word


@pytest.mark.parametrize("failure", [_failing, _dying], ids=["fails", "dies"])
def test_a_worker_that_fails_costs_time_never_a_fact(db_path: Any, tmp_path: Path, worked_sheet: Path,
                                                      small_batches: Path, clock: Any, failure: Any,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      request: pytest.FixtureRequest) -> None:
    alone_at = _second_location(db_path, tmp_path, request)
    _import(alone_at, worked_sheet, monkeypatch, "0", clock)
    monkeypatch.setattr("reqtrack.storage.stored.requests_from_rows", failure)  # the worker's alone
    result = _import(db_path, worked_sheet, monkeypatch, "1", clock)
    assert result.created > 2 * BATCH
    ours, theirs = stored_state(db_path), stored_state(alone_at)
    ours["import_log"] = theirs["import_log"] = []
    assert ours == theirs
    assert list(small_batches.iterdir()) == []  # the scratch file is gone
    assert multiprocessing.active_children() == []


def test_debug_says_why_the_worker_failed(db_path: Any, worked_sheet: Path, small_batches: Path, clock: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqtrack.storage.stored.requests_from_rows", _failing)
    monkeypatch.setenv("REQTRACK_DEBUG", "1")
    with pytest.raises(fact_worker.WorkerFailed, match="the worker's disk is full"):
        _import(db_path, worked_sheet, monkeypatch, "1", clock)
    assert list(small_batches.iterdir()) == []  # the scratch file is gone
    assert multiprocessing.active_children() == []


def test_a_refused_import_stops_the_worker_and_leaves_nothing(db_path: Any, tmp_path: Path, small_batches: Path,
                                                              workers: list[int], clock: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    header = ["ID", "Customer", "Description", "Submitted at", "Priority"]
    rows: list[list[Any]] = [[f"202405-{n:03d}", "ACME", f"request {n}", "2024-05-02 09:00", "high"]
                             for n in range(1, 5 * BATCH)]
    rows[-1][4] = "very urgent"  # the last row's priority is not one: found after the worker started
    started: list[fact_worker.FactWorker] = []
    start = fact_worker.start_fact_worker

    def noted(judges: Any, layout: Any) -> Any:
        worker = start(judges, layout)
        started.append(worker)
        return worker

    monkeypatch.setattr("reqtrack.services.imports.start_fact_worker", noted)
    with pytest.raises(ImportRefused):
        _import(db_path, write_xlsx(tmp_path / "late.xlsx", [header, *rows]), monkeypatch, "1", clock)
    assert started and started[0] is not None  # it ran ...
    assert workers == []  # ... and was stopped, not waited for
    assert not started[0].process.is_alive()


def test_an_import_killed_after_its_worker_finished_leaves_no_scratch_file(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker has written its last rows and said so; the import is copying its file (or
    making the indexes after) when it is killed: the worker, still waiting for the import's end,
    removes the file. While the import lives, the file stays for it to copy."""
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the import: its worker finishes, then it dies without closing it
        try:
            os.close(read_end)
            worker = fact_worker.FactWorker(None)  # type: ignore[arg-type]  # no batch: nothing is judged
            path = worker.finish()
            os.write(write_end, f"{path}\n".encode())
            time.sleep(1.0)  # copying the file
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as said:
        path = Path(said.readline().strip())
        assert path.parent.exists(), "removed while the import could still copy it"
        said.read()  # the import has ended
    os.waitpid(child, 0)
    gone_by = time.monotonic() + 10
    while path.parent.exists() and time.monotonic() < gone_by:
        time.sleep(0.02)
    assert not path.parent.exists()


def test_the_import_hands_batches_to_a_busy_worker_without_waiting_for_it(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """While the worker is at one batch, the import hands it the next ones (each larger than a
    pipe holds) and goes on: the worker receives them beside its work, up to its limit ahead."""
    import threading

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    go_on = tmp_path / "go-on"

    def busy(*rows: Any) -> list[Any]:  # the worker's first batch takes until the test says so
        import time

        while not go_on.exists():
            time.sleep(0.01)
        return []

    monkeypatch.setattr("reqtrack.storage.stored.requests_from_rows", busy)
    worker = fact_worker.FactWorker(None)  # type: ignore[arg-type]  # no request: nothing is judged
    try:
        batches = [([(f"{n}-{i}" + "x" * 1000,) for i in range(300)], []) for n in range(fact_worker._AHEAD)]
        handed = threading.Thread(target=lambda: [worker.put(batch) for batch in batches], daemon=True)
        handed.start()
        handed.join(20)
        assert not handed.is_alive(), "the import waited for the worker's batch"
        assert not go_on.exists()
        go_on.touch()
        assert worker.finish().exists()
    finally:
        go_on.touch()
        worker.close()


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_GETPIPE_SZ"), reason="the pipe's size is Linux's")
def test_the_helpers_pipes_hold_a_batch() -> None:
    """A pipe of 64 KB made the sender wait for the receiver a piece at a time: widened to 1 MB."""
    import fcntl

    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    try:
        assert fcntl.fcntl(sending.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 16
        forking.widen_pipe(sending)
        assert fcntl.fcntl(sending.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
        assert fcntl.fcntl(receiving.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20  # one pipe, both ends
    finally:
        receiving.close()
        sending.close()


def test_a_files_scratch_is_laid_out_as_its_database(tmp_path: Path, clock: Any) -> None:
    """On SQLite the worker's tables are made as the database has them (keys, the indexes kept
    while they are copied), so that the copy takes their rows in key order, whole."""
    import sqlite3

    from reqtrack.services.requests import register_new
    from reqtrack.storage.engine import _layout
    from reqtrack.storage.fact_scratch import SCRATCH_TABLES, FactScratch

    ctx = Context(db_path=tmp_path / "team.db", actor="tester", clock=clock)
    register_new(ctx, customer="ACME", description="a first request")
    with ctx.unit_of_work(write=True) as uow:
        layout = uow.requests.fact_scratch_layout()
    ctx.close()
    scratch = FactScratch(tmp_path / "facts.db", layout)
    scratch.close()
    conn = sqlite3.connect(tmp_path / "team.db")
    conn.execute("ATTACH DATABASE ? AS scratch", (str(tmp_path / "facts.db"),))
    for table, _ in SCRATCH_TABLES:
        assert _layout(conn, "main", table) == _layout(conn, "scratch", table) != []
    plain = FactScratch(tmp_path / "plain.db")  # the server's: plain tables of the columns
    plain.close()
    conn.execute("ATTACH DATABASE ? AS plain", (str(tmp_path / "plain.db"),))
    assert all(_layout(conn, "main", table) != _layout(conn, "plain", table) for table, _ in SCRATCH_TABLES)
    conn.close()
