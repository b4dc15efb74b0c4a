"""The stored JSON text of each open request (table request_json; services/documents.py), on both
engines: every kind of write keeps it equal to the JSON made from the record, a request that
closes loses it and one reopened gets it back, a change of zone makes them all again, `list
--format json` prints the same text whether it reads them or makes them, and `check` names one
that differs, is missing, or belongs to a request that is not open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_check_engines import raw_sql

from helpers import NOW, Clock, export, raw_connect
from reqtrack import services
from reqtrack.domain.request_json import request_json_text
from reqtrack.services import Context, admin, sla
from reqtrack.services.context import inputs, with_histories
from reqtrack.services.imports import import_file
from reqtrack.storage.json_docs import REQUEST_JSON_BASIS, request_json_basis
from reqtrack.storage.stored import RequestFilter


def stored(location: Any) -> dict[str, str]:
    conn = raw_connect(location)
    try:
        return dict(conn.execute("SELECT request_id, body FROM request_json").fetchall())
    finally:
        conn.close()


def from_records(ctx: Context) -> dict[str, str]:
    """Every open request's JSON text made from its record, as the services would store it."""
    with ctx.reader() as uow:
        tz = inputs(uow, ctx).tz
        requests = with_histories(uow.requests, list(uow.requests.select(RequestFilter(open_only=True))), attachments=True)
        return {r.id: request_json_text(r, tz) for r in requests}


def listed(ctx: Context, **filters: Any) -> list[str]:
    return services.request_json_texts(ctx, **filters)


def made_afresh(ctx: Context, **filters: Any) -> list[str]:
    """What a reader prints when no stored text is to be read (the basis gone): each made from its record."""
    raw_sql(ctx.db_path, [("DELETE FROM derived WHERE name = ?", (REQUEST_JSON_BASIS,))])
    try:
        return listed(ctx, **filters)
    finally:
        basis = request_json_basis(zone_of(ctx))
        raw_sql(ctx.db_path, [("INSERT INTO derived (name, basis) VALUES (?, ?)", (REQUEST_JSON_BASIS, basis))])


def test_every_write_keeps_the_open_requests_texts(ctx: Context, tmp_path: Path) -> None:
    screenshot = tmp_path / "屏幕 \u202e.png"
    screenshot.write_bytes(b"\x89PNG")
    a = services.register(ctx, "导出很慢\n\t\x1b[31m“quoted”\x85", "ACME", priority="high", attachments=[screenshot]).id
    b = services.register(ctx, "second", "Globex", proposer="Wang", contact="\u2028x", priority="low").id
    c = services.register(ctx, "third", "ACME").id
    assert stored(ctx.db_path) == from_records(ctx) and set(stored(ctx.db_path)) == {a, b, c}
    services.classify(ctx, a, type="bug", feasibility="now", reason="因为", value=5, urgency=6, cost=3, impact=9)
    services.assign(ctx, a, owner="Li", due="+3wd")
    services.progress(ctx, b, "called back")
    services.assign(ctx, b, owner="Wang\u2066", due="2025-04-01")
    services.attach(ctx, b, screenshot)
    services.edit(ctx, c, {"description": "third, edited", "notes": "n\x07"})
    services.link(ctx, a, b, "related", note="same customer")
    assert stored(ctx.db_path) == from_records(ctx)
    services.cancel_duplicate(ctx, c, a)  # c closes: its text goes; a's links change: its text follows
    services.progress(ctx, b, "done", done=True)
    services.verify(ctx, b, passed=True)
    services.close(ctx, b)
    assert set(stored(ctx.db_path)) == {a} and stored(ctx.db_path) == from_records(ctx)
    services.reopen(ctx, b, reason="again")
    services.unlink(ctx, a, b)
    assert set(stored(ctx.db_path)) == {a, b} and stored(ctx.db_path) == from_records(ctx)
    sheet = tmp_path / "all.xlsx"
    export(ctx, sheet)
    import_file(Context(db_path=ctx.db_path, actor="importer", clock=Clock(NOW)), sheet)  # rows the database has
    assert stored(ctx.db_path) == from_records(ctx)
    assert listed(ctx) == made_afresh(ctx) and listed(ctx, open_only=True) == made_afresh(ctx, open_only=True)
    assert [t for t in listed(ctx) if t in stored(ctx.db_path).values()] == listed(ctx, open_only=True)
    assert admin.check(ctx).problems == []


def test_a_new_zone_makes_every_text_again_and_the_lists_are_the_same_either_way(ctx: Context) -> None:
    first = services.register(ctx, "first", "ACME", priority="low", at="2025-03-01 09:00").id
    services.assign(ctx, first, owner="Li", due="2025-03-20", at="2025-03-02 09:00")  # a date: kept on its date
    services.register(ctx, "second", "ACME", at="2025-03-10 01:30")
    before = stored(ctx.db_path)
    sla.config_set(ctx, "calendar.timezone", "America/New_York")
    after = stored(ctx.db_path)
    assert after == from_records(ctx) and after != before and "-05:00" in after[first] and "-04:00" in after[first]
    for filters in ({}, {"open_only": True}, {"customer": "acme", "since": "2025-03-05"}, {"search": "second"},
                    {"overdue": True}):
        assert listed(ctx, **filters) == made_afresh(ctx, **filters), filters
    with ctx.reader() as uow:
        assert uow.requests.json_docs_basis() == "format=1;zone=America/New_York"


def test_check_names_texts_apart_from_their_records_and_the_next_write_mends_them(ctx: Context) -> None:
    a = services.register(ctx, "first", "ACME").id
    b = services.register(ctx, "second", "ACME").id
    c = services.register(ctx, "third", "ACME").id
    services.cancel(ctx, c, reason="no")
    raw_sql(ctx.db_path, [("UPDATE request_json SET body = '{}' WHERE request_id = ?", (a,)),
                          ("DELETE FROM request_json WHERE request_id = ?", (b,)),
                          ("INSERT INTO request_json (request_id, body) VALUES (?, '{}')", (c,))])
    assert listed(ctx)[-1] == "{}"  # the stored text is what a reader prints (a's, the oldest)
    found = [(p.kind, p.request_id) for p in admin.check(ctx).problems]
    assert found == [("request-json", a), ("request-json", b), ("request-json", c)]
    services.progress(ctx, a, "called")
    services.progress(ctx, b, "called")
    assert [p.request_id for p in admin.check(ctx).problems] == [c]
    services.reindex(ctx)
    assert admin.check(ctx).problems == [] and stored(ctx.db_path) == from_records(ctx)


def test_without_stored_texts_the_check_says_so_and_the_next_write_makes_them(ctx: Context) -> None:
    a = services.register(ctx, "first", "ACME").id
    raw_sql(ctx.db_path, [("DELETE FROM request_json", ()), ("DELETE FROM derived WHERE name = ?", (REQUEST_JSON_BASIS,))])
    report = admin.check(ctx)
    assert report.problems == [] and any("stored JSON texts not made" in note for note in report.notes)
    assert listed(ctx) == [request_json_text(services.get(ctx, a), zone_of(ctx))]
    services.register(ctx, "second", "ACME")
    assert stored(ctx.db_path) == from_records(ctx) and len(stored(ctx.db_path)) == 2


def zone_of(ctx: Context) -> Any:
    with ctx.reader() as uow:
        return inputs(uow, ctx).tz
