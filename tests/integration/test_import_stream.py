"""Import as the rows pass (issue 21): batches are written inside the one transaction while the
file is still being read, and a refusal found later still leaves nothing — in a database that
was there (rolled back) and in one the import was making (never appears). Every problem of the
file is still listed, the file's own before those against the database, and rows without an ID
still take IDs after the highest of the whole file. The batches are made small here so that
every path runs over several of them."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from helpers import database_exists, export, raw_connect, stored_state, write_xlsx
from reqtrack import services
from reqtrack.domain.errors import EnvironmentProblem
from reqtrack.services import Context
from reqtrack.services.admin import check
from reqtrack.services.import_rows import ImportRefused
from reqtrack.services.imports import import_file
from reqtrack.storage.repository import Repository

HEADER = ["ID", "Customer", "Description", "Submitted at", "Priority"]


def _rows(count: int, first: int = 1, month: str = "202405") -> list[list[Any]]:
    return [[f"{month}-{first + i:03d}", f"Customer {i % 3}", f"request {first + i}", f"2024-05-0{1 + i % 5} 09:{i:02d}",
             "high"] for i in range(count)]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Batches of 2 rows; returns the sizes of the batches of new requests written (as they pass)."""
    monkeypatch.setattr("reqtrack.services.imports.BATCH", 2)
    written: list[int] = []
    add_many = Repository.add_many

    def counted(self: Repository, requests: list[Any], contents: Any = None) -> Any:
        written.append(len(requests))
        return add_many(self, requests, contents)

    monkeypatch.setattr(Repository, "add_many", counted)
    return written


def test_batches_are_written_as_the_rows_pass(ctx: Context, tmp_path: Path, small_batches: list[int]) -> None:
    sheet = write_xlsx(tmp_path / "many.xlsx", [HEADER, *_rows(7)])
    result = import_file(ctx, sheet)
    assert (result.rows, result.created) == (7, 7)
    assert small_batches == [2, 2, 2, 1]
    assert sorted(r.id for r in services.list_requests(ctx).requests) == [f"202405-{n:03d}" for n in range(1, 8)]
    assert check(ctx).problems == []  # the derived rows of every batch kept with it


def test_a_refusal_after_batches_were_written_leaves_the_database_as_it_was(ctx: Context, tmp_path: Path,
                                                                             small_batches: list[int]) -> None:
    services.register(ctx, "already there", "ACME", at="2024-04-01 09:00")
    small_batches.clear()
    before = stored_state(ctx.db_path)
    rows = _rows(7)
    rows[6][4] = "very urgent"  # the last row's priority is not one
    sheet = write_xlsx(tmp_path / "late.xlsx", [HEADER, *rows])
    with pytest.raises(ImportRefused) as refused:
        import_file(ctx, sheet)
    assert small_batches == [2, 2, 2]  # written before the problem was found ...
    assert stored_state(ctx.db_path) == before  # ... and rolled back with the transaction
    assert 'row 8, column E (Priority): "very urgent": not a known priority' in str(refused.value)


def test_a_new_database_refused_half_way_is_not_left_behind(ctx: Context, tmp_path: Path,
                                                            small_batches: list[int]) -> None:
    rows = _rows(6)
    rows[5][1] = None  # the last row has no customer
    sheet = write_xlsx(tmp_path / "first.xlsx", [HEADER, *rows])
    with pytest.raises(ImportRefused):
        import_file(ctx, sheet)
    assert small_batches == [2, 2]
    assert not database_exists(ctx.db_path)
    if isinstance(ctx.db_path, Path):  # nothing of the file being made stays beside it
        assert [p.name for p in ctx.db_path.parent.iterdir() if p.name.startswith(".reqtrack-")] == []
    assert import_file(ctx, write_xlsx(tmp_path / "good.xlsx", [HEADER, *_rows(5)])).created == 5
    assert database_exists(ctx.db_path)


def test_every_problem_is_listed_the_files_own_before_those_against_the_database(ctx: Context, tmp_path: Path,
                                                                                  small_batches: list[int]) -> None:
    services.register(ctx, "stored", "ACME", at="2024-05-01 08:00")
    sheet = tmp_path / "old.xlsx"
    export(ctx, sheet)
    services.progress(ctx, "202405-001", "worked on after the export")
    stale = write_xlsx(tmp_path / "stale.xlsx", [
        ["ID", "Customer", "Description", "Submitted at", "Process log"],
        *[[f"202405-{n:03d}", "B", f"r{n}", "2024-05-02 09:00", None] for n in range(2, 7)],
        ["202405-001", "ACME", "stored", "2024-05-01 08:00", "2024-05-01 08:00 Registered"],
        *[[f"202405-{n:03d}", "B", f"r{n}", "2024-05-02 09:00", None] for n in range(7, 10)]])
    with pytest.raises(ImportRefused) as refused:
        import_file(ctx, stale)
    assert "202405-001 has 1 history entry in reqtrack that this sheet's process log lacks" in str(refused.value)
    assert refused.value.problems[0].row == 7
    # A problem of the file itself, found in a later batch, is what the refusal lists (as before:
    # the file is corrected first); both of the file's problems, in different batches, are listed.
    bad = write_xlsx(tmp_path / "bad.xlsx", [
        ["ID", "Customer", "Description", "Submitted at", "Process log"],
        ["202405-002", "B", "r2", "2024-13-45", None],
        ["202405-001", "ACME", "stored", "2024-05-01 08:00", "2024-05-01 08:00 Registered"],
        *[[f"202405-{n:03d}", "B", f"r{n}", "2024-05-02 09:00", None] for n in range(3, 8)],
        ["202405-003", "B", "again", "2024-05-02 09:00", None]])
    with pytest.raises(ImportRefused) as refused:
        import_file(ctx, bad)
    assert [(p.row, str(p.column)) for p in refused.value.problems] == [(2, "column D (Submitted at)"),
                                                                        (9, "column A (ID)")]
    assert len(services.list_requests(ctx).requests) == 1


def test_rows_without_an_id_take_ids_after_the_highest_of_the_whole_file(ctx: Context, tmp_path: Path,
                                                                         small_batches: list[int]) -> None:
    services.register(ctx, "existing", "ACME", at="2024-05-02 09:00")
    sheet = write_xlsx(tmp_path / "ids.xlsx", [
        ["ID", "Customer", "Description", "Submitted at"],
        [None, "C", "no id 1", "2024-05-03 10:00"],
        ["TEL-002", "B", "phone", "2024-05-03 09:00"],
        [None, "E", "no id 2", "2024-05-04 10:00"],
        [None, "F", "no id 3", "2024-05-04 11:00"],
        [None, "G", "june", "2024-06-01 10:00"],
        ["202405-007", "D", "explicit, in a later batch", "2024-05-03 11:00"],
    ])
    result = import_file(ctx, sheet)
    assert (result.created, result.matched_without_id) == (6, 0)
    described = {r.description: r.id for r in services.list_requests(ctx).requests}
    assert described == {"existing": "202405-001", "phone": "TEL-002", "explicit, in a later batch": "202405-007",
                         "no id 1": "202405-008", "no id 2": "202405-009", "no id 3": "202405-010",
                         "june": "202406-001"}
    again = import_file(ctx, sheet)  # the same sheet again: every row without ID matches its request
    assert (again.created, again.unchanged, again.matched_without_id) == (0, 6, 4)


def test_a_stored_request_an_id_of_the_file_names_is_never_matched_by_a_row_without_one(
        ctx: Context, tmp_path: Path, small_batches: list[int]) -> None:
    services.register(ctx, "same words", "ACME", at="2024-05-02 09:00")
    sheet = write_xlsx(tmp_path / "both.xlsx", [
        ["ID", "Customer", "Description", "Submitted at"],
        [None, "ACME", "same words", "2024-05-02 09:00"],  # would match 202405-001 ...
        [None, "X", "filler", "2024-05-05 09:00"],
        [None, "Y", "filler", "2024-05-05 09:00"],
        ["202405-001", "ACME", "same words", "2024-05-02 09:00"],  # ... which a later row names
    ])
    result = import_file(ctx, sheet)
    assert (result.created, result.unchanged, result.matched_without_id) == (3, 1, 0)


def test_a_database_created_by_another_process_meanwhile_is_left_to_it(db_path: Any, tmp_path: Path) -> None:
    from reqtrack.storage.db import open_database
    from reqtrack.storage.repository import UnitOfWork

    made = open_database(db_path, write=True, new=True)
    other = Context(db_path=db_path, actor="other")
    services.register(other, "theirs", "ACME", at="2024-05-01 09:00")  # creates the database meanwhile
    with pytest.raises(EnvironmentProblem) as problem, UnitOfWork(made) as uow:
        uow.requests.set_setting("calendar.timezone", "UTC")
        uow.commit()
    assert "was created by another process" in str(problem.value)
    with raw_connect(db_path) as conn:
        assert [row[0] for row in conn.execute("SELECT description FROM request").fetchall()] == ["theirs"]
    if isinstance(db_path, Path):
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".reqtrack-")] == []


def _csv_sheet(path: Path, rows: int) -> Path:
    lines = ["ID,Customer,Description,Submitted at,Priority,Process log"]
    for i in range(rows):
        at = f"2024-{1 + i % 12:02d}-0{1 + i % 9} 09:{i % 60:02d}"
        lines.append(f'2024{1 + i % 12:02d}-{i + 1:03d},Customer {i % 7},"the customer\'s words, number {i}",{at},high,'
                     f'"{at} Registered"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_memory_does_not_grow_with_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an import holds per row once it is written is a few IDs (to find duplicates, to number
    rows without one): ten times the rows, not ten times the memory. Python's own allocations
    are traced (tracemalloc); the engine's page cache is not, and is bounded by the engine."""
    import tracemalloc

    monkeypatch.setattr("reqtrack.services.imports.BATCH", 50)
    peaks = {}
    for rows in (10, 400, 4000):  # the first one loads what any import loads once
        ctx = Context(db_path=tmp_path / f"{rows}.db", actor="tester")
        sheet = _csv_sheet(tmp_path / f"{rows}.csv", rows)
        tracemalloc.start()
        try:
            assert import_file(ctx, sheet).created == rows
            peaks[rows] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # about 170 bytes a row were measured (holding every parsed row, as imports once did: 1,200)
    assert peaks[4000] - peaks[400] < 3600 * 500, peaks


@pytest.mark.sqlite_only  # the file's own schema
def test_a_database_an_import_makes_has_every_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new database's history indexes are set aside while the import fills it and made again
    before it commits: its schema is that of any new database."""
    import sqlite3

    monkeypatch.setattr("reqtrack.services.imports.BATCH", 50)
    imported = Context(db_path=tmp_path / "imported.db", actor="tester")
    assert import_file(imported, _csv_sheet(tmp_path / "many.csv", 120)).created == 120
    made = Context(db_path=tmp_path / "made.db", actor="tester")
    services.register(made, "a request", "ACME")

    def schema(path: Path) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(path)) as conn:
            return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=repr)

    assert schema(tmp_path / "imported.db") == schema(tmp_path / "made.db")
    with closing(sqlite3.connect(tmp_path / "imported.db")) as conn:
        plan = " ".join(row[-1] for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM event WHERE action = 'import' AND at > '2024'"))
    assert "event_action_at" in plan
    with closing(sqlite3.connect(tmp_path / "imported.db")) as conn:  # the full-text index, rebuilt over the rows
        conn.execute("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")
        # "number 11" is in the words of rows 11 and 110-119
        assert conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"number 11\"'").fetchone()[0] == 11
    assert [hit.id for hit in services.search(imported, "number 119")] == ["202412-120"]


def _server_schema(url: str) -> list[tuple[Any, ...]]:
    """The indexes and constraints of a schema on the server, its name taken out of them."""
    from reqtrack.storage.server import parse_address

    schema = parse_address(url).schema
    conn = raw_connect(url)
    try:
        indexes = conn.execute("SELECT 'index', tablename, indexname, indexdef FROM pg_catalog.pg_indexes "
                               "WHERE schemaname = ?", (schema,)).fetchall()
        constraints = conn.execute(
            "SELECT 'constraint', k.conrelid::regclass::text, k.conname, pg_catalog.pg_get_constraintdef(k.oid), "
            "k.condeferrable, k.condeferred, k.convalidated FROM pg_catalog.pg_constraint AS k "
            "WHERE k.connamespace = ?::regnamespace", (schema,)).fetchall()
    finally:
        conn.close()
    return sorted((tuple(str(v).replace(f"{schema}.", "").replace(f'"{schema}".', "") for v in row)
                   for row in [*indexes, *constraints]), key=repr)


def test_a_schema_an_import_makes_on_the_server_has_every_index_and_key(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """On the server a new schema's secondary indexes and foreign keys are set aside while the
    import fills it and made again before it commits: the same indexes and keys (deferred, each
    checked) as any new schema's, and a row the keys refuse still refuses the whole import."""
    from conftest import new_pg_schema

    monkeypatch.setattr("reqtrack.services.imports.BATCH", 50)
    imported, made = new_pg_schema(request), new_pg_schema(request)
    assert import_file(Context(db_path=imported, actor="tester"), _csv_sheet(tmp_path / "many.csv", 120)).created == 120
    services.register(Context(db_path=made, actor="tester"), "a request", "ACME")
    found = _server_schema(imported)
    assert found == _server_schema(made)
    assert any(row[0] == "constraint" and row[2] == "event_request_id_fkey" and row[4:] == ("True", "True", "True")
               for row in found), found
    conn = raw_connect(imported)
    try:
        assert conn.execute("SELECT count(*) FROM event").fetchone()[0] >= 120
        # The report facts: the second process's, copied in under the table's keys
        assert conn.execute("SELECT count(*) FROM report_fact").fetchone()[0] == 120
        assert conn.execute("SELECT count(DISTINCT request_id) FROM request_state").fetchone()[0] == 120
        with pytest.raises(Exception, match="foreign key"):
            conn.execute("INSERT INTO event (request_id, seq, at, action, actor) VALUES ('209901-001', 1, 'x', 'note', 't')")
            conn.commit()
    finally:
        conn.close()
    with closing(raw_connect(imported)) as conn, pytest.raises(Exception, match="duplicate key"):
        conn.execute("INSERT INTO report_fact SELECT * FROM report_fact LIMIT 1")
