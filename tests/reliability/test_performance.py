"""The changes made for speed keep behaviour: the index migration, the bulk readers of the
repository (plain sqlite3), the query plans, what the read and write commands import, plain
rendering of lists and line-per-row JSON arrays. (The timings themselves live in bench/; no test
here asserts a time.)"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import NOW_TEXT, database_at_schema, examples, modules_after
from reqtrack import services
from reqtrack.domain.errors import NotFound
from reqtrack.domain.record import HistoryEntry
from reqtrack.storage.db import Database
from reqtrack.storage.migrations import SCHEMA_VERSION
from reqtrack.storage.repository import UnitOfWork
from reqtrack.storage.stored import RequestFilter
from reqtrack.views.output import cell_width, dump_json, fit_cell


def _database_at_schema_2(path: Path) -> None:
    conn = database_at_schema(path, 2)
    conn.execute(
        "INSERT INTO request (id, id_month, id_seq, customer, description, submitted_at, status, completed_at, updated_at) "
        "VALUES ('202401-001', '202401', 1, 'Old Co', 'slow export', '2024-01-05T08:00:00Z', 'verifying', "
        "'2024-01-06T08:00:00Z', '2024-01-06T08:00:00Z')"
    )
    conn.execute("INSERT INTO event VALUES ('202401-001', 1, '2024-01-05T08:00:00Z', 'new', 'old', NULL, '')")
    conn.execute("INSERT INTO event VALUES ('202401-001', 2, '2024-01-06T08:00:00Z', 'complete', 'old', "
                 "'{\"status\": [\"in-progress\", \"verifying\"]}', 'done')")
    conn.close()


def test_migration_3_adds_the_completion_indexes_and_the_plan_uses_them(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    _database_at_schema_2(path)
    db = Database.open(path, write=True)
    assert db.migrated_from == 2 and SCHEMA_VERSION >= 3
    conn = sqlite3.connect(path)
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"event_request_action", "request_completed"} <= indexes
    # The product's query for completions without a `complete` entry (report_queries.monthly_inputs),
    # captured as it runs: not SQL written here.
    from reqtrack.storage import report_queries

    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    inputs = report_queries.monthly_inputs(conn, datetime(2024, 1, 1, tzinfo=timezone.utc),
                                           datetime(2025, 1, 1, tzinfo=timezone.utc),
                                           datetime(2025, 1, 1, tzinfo=timezone.utc))
    conn.set_trace_callback(None)
    [query] = [s for s in captured if "NOT EXISTS (SELECT 1 FROM event e" in s]
    plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "event_request_action (request_id=? AND action=?)" in plan, plan  # one lookup per request, not a scan
    assert "request_completed" in plan, plan
    assert inputs.completed_without_entry == []  # it has a complete entry
    conn.close()
    request = services.get(services.Context(db_path=path, actor="t"), "202401-001")
    assert [e.action for e in request.history] == ["new", "complete"]
    assert request.history[1].changes == {"status": ["in-progress", "verifying"]}


def test_bulk_readers_give_back_what_was_written(ctx) -> None:
    first = services.register(ctx, "慢 export\nsecond line", "华信银行", priority="high", at="2025-03-01 09:00")
    services.classify(ctx, first.id, value=8, urgency=9, cost=3, impact=7, at="2025-03-01 10:00")
    services.assign(ctx, first.id, owner="张伟", department="研发部", due="2025-03-05", at="2025-03-02 10:00")
    services.progress(ctx, first.id, "waiting for logs", waiting=True, at="2025-03-03 10:00")
    second = services.register(ctx, "second", "ACME", at="2025-03-02 09:00")
    conn = sqlite3.connect(ctx.db_path)
    stored = dict(conn.execute("SELECT id, scores FROM request").fetchall())
    assert json.loads(stored[first.id]) == {"value": 8, "urgency": 9, "cost": 3, "impact": 7}
    assert stored[second.id] == "null"  # no scores: JSON null, as always stored
    raw_events = conn.execute("SELECT request_id, seq, at, action, actor, changes, note FROM event "
                              "ORDER BY request_id, seq").fetchall()
    conn.close()
    with UnitOfWork(ctx.database(write=False)) as uow:
        fast = {r.id: r for r in uow.requests.select(RequestFilter())}
        assert fast[first.id].scores == {"value": 8, "urgency": 9, "cost": 3, "impact": 7}
        assert fast[second.id].scores is None
        assert fast[first.id].waiting is True and fast[first.id].due_is_date is True
        assert fast[second.id].waiting is False and fast[second.id].due_is_date is False
        assert fast[first.id].submitted_at == datetime(2025, 3, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
        for request_id in fast:
            expected = [HistoryEntry(seq, datetime.fromisoformat(at[:-1]).replace(tzinfo=timezone.utc), action, actor,
                                     json.loads(changes or "null") or {}, note or "")
                        for rid, seq, at, action, actor, changes, note in raw_events if rid == request_id]
            assert uow.requests.history(request_id) == expected
            assert uow.requests.histories([request_id])[request_id] == expected
            loaded = uow.requests.get(request_id)
            assert loaded.history == expected
            loaded.history, loaded.attachments = [], []
            assert loaded == fast[request_id]


def test_json_arrays_are_one_element_per_line_and_objects_stay_pretty() -> None:
    out = io.StringIO()
    rows = [{"id": "202501-001", "customer": "华信"}, {"id": "202501-002", "note": "a\nb"}]
    dump_json(rows, out)
    text = out.getvalue()
    assert json.loads(text) == rows
    assert text.splitlines() == ["[", '{"id": "202501-001", "customer": "华信"},', '{"id": "202501-002", "note": "a\\nb"}', "]"]
    many = [{"n": n, "text": "华信"} for n in range(1234)]  # across the 500-element chunks
    out = io.StringIO()
    dump_json(many, out)
    assert json.loads(out.getvalue()) == many and len(out.getvalue().splitlines()) == 1236
    out = io.StringIO()
    dump_json([], out)
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    dump_json({"id": "x"}, out)
    assert out.getvalue() == '{\n  "id": "x"\n}\n'


def _json_in_one_string(value: Any) -> str:
    """dump_json's text for an object as first written: the whole text made as one string, then
    escaped (views.output before it wrote its pieces as they are made)."""
    from reqtrack.views.output import _json_safe

    encode = json.JSONEncoder(ensure_ascii=False).encode

    def pretty(value: Any, indent: str) -> str:
        inner = indent + "  "
        if isinstance(value, dict) and value:
            members = [f"{inner}{encode(str(key))}: {pretty(item, inner)}" for key, item in value.items()]
            return "{\n" + ",\n".join(members) + "\n" + indent + "}"
        if isinstance(value, list) and value and any(isinstance(item, (dict, list)) for item in value):
            return "[\n" + ",\n".join(inner + encode(item) for item in value) + "\n" + indent + "]"
        return encode(value)

    return _json_safe(pretty(value, "")) + "\n"


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(alphabet=st.sampled_from("a华\n\x7f\x85\u2028\u202e\"\\ ")))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner,
                                                                                              max_size=4), max_leaves=20)


@settings(max_examples=examples(200), deadline=None)
@given(value=st.dictionaries(st.text(max_size=3), _VALUES, min_size=1, max_size=5),
       rows=st.integers(0, 1100))
def test_an_object_written_in_pieces_is_the_text_made_in_one_string(value: dict[str, Any], rows: int) -> None:
    """A report's object is written as it is made (a few hundred rows at a time): the same
    characters as the whole text made at once and escaped, whatever the nesting, the controls
    in the text and the number of rows (across the chunks of 500)."""
    value = {**value, "rows": [{"id": n, "text": "华\u2028"} for n in range(rows)]}
    out = io.StringIO()
    dump_json(value, out)
    assert out.getvalue() == _json_in_one_string(value)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(value))


def test_plain_list_cells_count_chinese_as_two_columns() -> None:
    assert cell_width("ACME") == 4 and cell_width("华信银行") == 8 and cell_width("华A") == 3
    assert fit_cell("华信银行", 10) == "华信银行  "
    assert fit_cell("华信银行股份有限公司", 9) == "华信银行…"
    cut = fit_cell("华信银行", 6)  # a wide character does not fit in the last column: padded instead
    assert cut == "华信… " and cell_width(cut) == 6
    assert fit_cell("abcdefghij", 5) == "abcd…"


def test_list_table_aligns_columns(cli) -> None:
    cli("new", "导出很慢", "--customer", "华信银行", "--at", "2025-03-10 09:00")
    cli("new", "export is slow", "--customer", "ACME", "--at", "2025-03-11 09:00")
    lines = cli("list").stdout.splitlines()
    header, rule, *rows, footer = lines
    assert footer == "2 requests."
    # Every row starts its customer column at the same screen column as the header does.
    starts = [cell_width(line[: line.index(name)]) for line, name in
              zip([header, *rows], ["Customer", "ACME", "华信银行"])]
    assert len(set(starts)) == 1, lines


# -- the plain-sqlite3 repository of show, list and overdue ----------------------------------------
def _varied_requests(ctx) -> list[str]:
    """A few requests that exercise every column type and filter (Chinese, %, _, waiting, scores)."""
    ids = []
    first = services.register(ctx, "导出报表很慢 100%_done\n第二行", "华信银行/CRM二期", source="email", priority="high",
                              at="2025-03-01 09:00")
    services.classify(ctx, first.id, type="bug", value=8, urgency=9, cost=3, impact=7, at="2025-03-01 10:00")
    services.assign(ctx, first.id, owner="张伟", department="研发部", due="2025-03-05", at="2025-03-02 10:00")
    services.progress(ctx, first.id, "waiting for logs", waiting=True, at="2025-03-03 10:00")
    ids.append(first.id)
    second = services.register(ctx, "Export is slow", "ACME Traders", source="phone", priority="medium",
                               at="2025-03-02 09:00")
    services.assign(ctx, second.id, owner="Alice Chen", department="Support", due="2025-03-09 18:00",
                    at="2025-03-03 09:00")
    services.progress(ctx, second.id, "fixed", done=True, at="2025-03-04 09:00")
    ids.append(second.id)
    third = services.register(ctx, "training request", "Initech", source="chat", priority="low", at="2025-03-05 09:00")
    services.cancel(ctx, third.id, reason="withdrawn", at="2025-03-06 09:00")
    ids.append(third.id)
    return ids


FILTERS = [
    RequestFilter(),
    RequestFilter(open_only=True),
    RequestFilter(open_only=True, statuses=("cancelled",)),  # open and cancelled: nothing
    RequestFilter(open_only=True, statuses=("verifying", "cancelled")),
    RequestFilter(statuses=("cancelled", "pending")),
    RequestFilter(type="bug"),
    RequestFilter(priority="low"),
    RequestFilter(source="phone"),
    RequestFilter(customer="华信"),
    RequestFilter(customer="acme"),  # case-insensitive
    RequestFilter(owner="研发"),  # department
    RequestFilter(owner="alice"),
    RequestFilter(search="100%_"),  # LIKE wildcards are literal
    RequestFilter(search="100%x"),
    RequestFilter(since=datetime(2025, 3, 2, 1, 0, tzinfo=timezone.utc)),
    RequestFilter(until=datetime(2025, 3, 2, 1, 0, tzinfo=timezone.utc)),
    RequestFilter(open_at=datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)),  # overdue --as-of in the past
    RequestFilter(open_at=datetime(2025, 3, 5, 12, 0, tzinfo=timezone.utc), owner="alice"),
]


def test_the_filters_select_what_they_say(ctx) -> None:
    ids = _varied_requests(ctx)
    db = ctx.database(write=False)
    with UnitOfWork(db) as fast:
        every = {r.id: r for r in fast.requests.select(RequestFilter())}
        assert sorted(every) == sorted(ids)
        for request_id in ids:
            assert fast.requests.get(request_id).id == request_id and fast.requests.exists(request_id)
        assert not fast.requests.exists("209901-001")
        assert set(fast.requests.histories(ids)) == set(ids)
        for flt in FILTERS:
            selected = list(fast.requests.select(flt))
            assert fast.requests.count(flt) == len(selected), flt
            assert [r.submitted_at for r in selected] == sorted((r.submitted_at for r in selected), reverse=True)
            oldest = list(fast.requests.select(flt, limit=1, newest_first=False))
            assert oldest == selected[-1:], flt
        assert [r.id for r in fast.requests.select(RequestFilter(open_only=True, statuses=("cancelled",)))] == []
        assert {r.id for r in fast.requests.select(RequestFilter(owner="研发"))} == {ids[0]}
        assert {r.id for r in fast.requests.select(RequestFilter(customer="acme"))} == {ids[1]}
        assert {r.id for r in fast.requests.select(RequestFilter(statuses=("cancelled", "pending")))} == {ids[2]}
    with UnitOfWork(db) as fast:
        assert fast.requests.count(RequestFilter(search="100%_")) == 1
        assert fast.requests.count(RequestFilter(search="100%x")) == 0
        try:
            fast.requests.get("209901-001")
        except NotFound as exc:
            assert "209901-001" in str(exc)
        else:  # pragma: no cover - the test fails here
            raise AssertionError("a missing request must raise NotFound")


def test_the_reader_reads_one_snapshot(ctx) -> None:
    """A write that commits while a read unit of work is open is not seen by it."""
    services.register(ctx, "first", "ACME", at="2025-03-01 09:00")
    with UnitOfWork(ctx.database(write=False)) as fast:
        before = fast.requests.count(RequestFilter())
        services.register(ctx, "second", "ACME", at="2025-03-02 09:00")
        assert fast.requests.count(RequestFilter()) == before == 1
    with UnitOfWork(ctx.database(write=False)) as fast:
        assert fast.requests.count(RequestFilter()) == 2


def _plan(conn: sqlite3.Connection, sql: str, params: list) -> str:
    return " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_the_hot_queries_use_the_indexes(ctx) -> None:
    """The queries of overdue, list's first page, show and the history reads search an index
    instead of scanning the tables (no ANALYZE: a user's database has no statistics either)."""
    from reqtrack.storage import repository, stored

    _varied_requests(ctx)
    conn = sqlite3.connect(ctx.db_path)
    columns = repository._REQUEST_COLUMNS
    condition, params = stored.where_clause(RequestFilter(open_only=True))
    assert "USING INDEX request_status (status=?)" in _plan(
        conn, f"SELECT {columns} FROM request WHERE {condition} ORDER BY submitted_at DESC, id DESC", params)
    first_page = _plan(conn, f"SELECT {columns} FROM request WHERE 1 ORDER BY submitted_at DESC, id DESC LIMIT 50", [])
    assert "SCAN request USING INDEX request_submitted" in first_page  # walks the newest 50, no sort of all rows
    assert "USING INDEX sqlite_autoindex_request_1 (id=?)" in _plan(
        conn, f"SELECT {columns} FROM request WHERE id = ?", ["202503-001"])
    history = _plan(conn, "SELECT request_id, seq, at, action, actor, changes, note FROM event "
                          "WHERE request_id IN (?, ?) ORDER BY request_id, seq", ["a", "b"])
    assert "SEARCH event USING INDEX" in history and "(request_id=?)" in history, history
    conn.close()


def test_show_list_and_overdue_import_neither_sqlalchemy_nor_sqlmodel(ctx, db_path: Path) -> None:
    """The read commands people run all day start without SQLAlchemy, SQLModel, pydantic (which
    Typer 0.29 imports to coerce options: pyproject pins Typer below it) or Rich tables for
    lists (their import alone costs more than the command's work)."""
    request_id = _varied_requests(ctx)[0]
    env = {**os.environ, "REQTRACK_DB": str(db_path), "REQTRACK_NOW": NOW_TEXT}
    for argv in (["show", request_id], ["list"], ["list", "--open", "--format", "json"], ["overdue", "--json"],
                 ["report", "--json"], ["report"]):  # the report loads the workbook's modules for --xlsx alone
        imported, stdout = modules_after(argv, env, ("sqlalchemy", "sqlmodel", "openpyxl", "pydantic",
                                                     "reqtrack.excel.workbook"))
        assert imported == [], argv
        assert stdout.strip(), argv


def test_jinja2_and_smtplib_load_only_in_the_commands_that_fill_or_send(ctx, db_path: Path) -> None:
    """The template engine (views/notices.py) is imported only by `notice` and `template`, and
    the mail modules only when something is e-mailed: `--help`, the read commands and `remind`
    (without --send) start without them."""
    request_id = _varied_requests(ctx)[0]
    env = {**os.environ, "REQTRACK_DB": str(db_path), "REQTRACK_NOW": NOW_TEXT}
    heavy = ("jinja2", "smtplib", "reqtrack.mail", "reqtrack.views.notices")
    for argv in (["--help"], ["show", request_id], ["list"], ["overdue", "--json"], ["remind", "--json"],
                 ["remind"], ["people", "list"], ["notice", "--help"]):
        imported, stdout = modules_after(argv, env, heavy)
        assert imported == [], argv
        assert stdout.strip(), argv
    imported, stdout = modules_after(["notice", request_id, "ack"], env, heavy)
    assert imported == ["jinja2", "reqtrack.views.notices"] and request_id in stdout


def test_write_commands_import_neither_sqlalchemy_nor_sqlmodel(ctx, db_path: Path) -> None:
    """The write commands people run all day (new, classify, edit, progress) go through the
    same plain-sqlite3 repository: no SQLAlchemy, SQLModel or pydantic (tables.py, which
    declares the schema with them, is imported by the schema test only). The first `new` also
    creates the database."""
    env = {**os.environ, "REQTRACK_DB": str(db_path.with_name("fresh.db")), "REQTRACK_NOW": NOW_TEXT}
    heavy = ("sqlalchemy", "sqlmodel", "pydantic", "reqtrack.storage.tables")
    imported, stdout = modules_after(["new", "x", "--customer", "A"], env, heavy)
    request_id = stdout.strip()
    assert imported == [] and request_id.startswith("202503-"), stdout
    for argv in (["classify", request_id, "--type", "bug"], ["edit", request_id, "--notes", "n"],
                 ["progress", request_id, "step one"]):
        imported, stdout = modules_after(argv, env, heavy)
        assert imported == [], argv
        assert request_id in stdout, (argv, stdout)


def test_bulk_objects_pauses_the_collector_and_restores_it() -> None:
    import gc

    from reqtrack.storage.stored import bulk_objects

    assert gc.isenabled()
    with bulk_objects():
        assert not gc.isenabled()
        with bulk_objects():  # nested: the inner one leaves it to the outer
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with bulk_objects():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk_objects():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


# -- start-up: lazy command loading (issue 21; the times: bench/startup.py) ------------------------
AREAS = tuple(f"reqtrack.cli.{name}" for name in
              ("requests", "links", "sla", "notices", "remind", "report", "admin", "files", "vocab"))
TYPER = ("typer", "typer._click", "typer.main", "reqtrack.cli.root", "reqtrack.cli.common")


def test_version_and_the_root_help_import_neither_typer_nor_any_area(tmp_path: Path) -> None:
    """`--version`, `--help`, `-h` and a bare `reqtrack` are answered before Typer (and its copy
    of Click) is imported, and load no area module, the database layer or Rich."""
    env = {**os.environ, "REQTRACK_DB": str(tmp_path / "none.db"), "COLUMNS": "100"}
    heavy = (*TYPER, *AREAS, "click", "rich", "reqtrack.services", "reqtrack.storage", "sqlite3", "typing")
    for argv in (["--version"], ["--help"], ["-h"], []):
        imported, stdout = modules_after(argv, env, heavy)
        assert imported == [], argv
    assert not (tmp_path / "none.db").exists()


def _typer_way(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`reqtrack ARGV` through the Typer app, never the fast path."""
    code = "import sys\nfrom reqtrack.cli.root import app\napp(prog_name='reqtrack')\n"
    return subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, timeout=60)


def test_the_installed_command_answers_version_and_help_as_typer_does(tmp_path: Path) -> None:
    """The console script (pyproject's [project.scripts]) takes the fast path — `python -X
    importtime` lists no Typer — and prints what the Typer app prints, with its exit status, at the
    terminal's width or the 80 columns of a pipe."""
    from helpers import installed_reqtrack

    script = installed_reqtrack()
    base = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    base["REQTRACK_DB"] = str(tmp_path / "none.db")
    for argv in (["--version"], ["--help"]):
        timed = subprocess.run([sys.executable, "-X", "importtime", script, *argv], env=base, capture_output=True,
                               text=True, timeout=60)
        loaded = {line.rpartition("|")[2].strip() for line in timed.stderr.splitlines() if line.startswith("import time:")}
        assert "reqtrack.cli.fast" in loaded and not loaded & {"typer", "click", *AREAS}, argv
    for extra in ({}, {"COLUMNS": "100"}, {"COLUMNS": "30"}, {"COLUMNS": "500"}, {"REQTRACK_LANG": "zh-CN"}):
        env = {**base, **extra}
        for argv in (["--version"], ["--help"], ["-h"], []):
            fast = subprocess.run([script, *argv], env=env, capture_output=True, text=True, timeout=60)
            full = _typer_way(argv, env)
            assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout, full.stderr), (argv, extra)
            assert (fast.stdout or fast.stderr).strip()


def test_each_command_loads_its_own_area_and_no_other(ctx, db_path: Path) -> None:
    """The root builds only the command that runs: `show` imports cli/requests.py and no other
    area, `config show` only cli/sla.py, `overdue` none and no Typer; the root's help through Typer (`--db X --help`) and a
    mistyped command none."""
    request_id = _varied_requests(ctx)[0]
    env = {**os.environ, "REQTRACK_DB": str(db_path), "REQTRACK_NOW": NOW_TEXT}
    expected = {("show", request_id): "requests", ("list",): "requests", ("overdue", "--json", "--help"): "sla",
                ("config", "show"): "sla", ("vocab", "show"): "vocab", ("people", "list"): "remind",
                ("report", "--json"): "report", ("search", "export"): "links", ("template", "show", "ack"): "notices",
                ("check", "--json"): "admin", ("export", "--help"): "files"}
    for argv, area in expected.items():
        imported, stdout = modules_after(list(argv), env, AREAS)
        assert imported == [f"reqtrack.cli.{area}"], argv
        assert stdout.strip(), argv
    for argv in (["--db", str(db_path), "--help"], ["--lang", "zh-CN", "-h"]):
        imported, stdout = modules_after(argv, env, AREAS)
        assert imported == [] and "Commands:" in stdout, argv
    imported, _ = modules_after(["shw"], env, AREAS)
    assert imported == []
    # `overdue`, which cron runs, goes without Typer (cli/direct.py): no area, no Typer, no Click.
    for argv in (["overdue", "--json"], ["--lang", "zh-CN", "overdue", "--within", "2d"]):
        imported, stdout = modules_after(argv, env, (*AREAS, *TYPER, "click"))
        assert imported == [] and stdout.strip(), argv


def test_completing_a_command_name_loads_no_area(tmp_path: Path) -> None:
    env = {**os.environ, "REQTRACK_DB": str(tmp_path / "none.db"), "_REQTRACK_COMPLETE": "complete_bash",
           "COMP_WORDS": "reqtrack s", "COMP_CWORD": "1"}
    imported, stdout = modules_after([], env, AREAS)
    assert imported == [] and {"show", "search", "similar"} <= set(stdout.split()), stdout
