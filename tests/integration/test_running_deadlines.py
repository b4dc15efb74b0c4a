"""The stored running deadlines (table sla_open) that `overdue` reads instead of replaying histories.

They are derived data: every answer read through them must equal the one the histories give
(domain.sla.overdue_reasons over each open request), whatever the writes, settings and moment.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpers import T0, Clock
from helpers import moving_context as _context
from helpers import populate_workload as _populate
from reqtrack import services
from reqtrack.domain.sla import SlaPolicy, calendar_from_settings, overdue_reasons
from reqtrack.services import admin, imports, sla
from reqtrack.storage import stored as reader_module
from reqtrack.storage.repository import Repository as Reader
from reqtrack.storage.stored import RequestFilter, where_clause


def _replayed(path: Path, as_of: datetime, within: timedelta | None, stale: bool, owner: str | None = None):
    """What the histories say, without the stored deadlines: (id, [(reason, deadline instant)])."""
    conn = sqlite3.connect(path)
    reader = Reader(conn)
    settings = reader.settings()
    calendar, policy = calendar_from_settings(settings), SlaPolicy.from_settings(settings)
    requests = list(reader.select(RequestFilter(open_only=True, owner=owner)))
    histories = reader.histories([r.id for r in requests])
    result = {}
    for request in requests:
        request.history = histories[request.id]
        reasons = overdue_reasons(request, calendar, policy, as_of, within=within, include_stale=stale)
        if reasons:
            result[request.id] = [(r.reason, r.deadline.astimezone(timezone.utc), round(r.late_working_days, 9))
                                  for r in reasons]
    conn.close()
    return result


def _listed(report: sla.OverdueReport):
    return {row.request.id: [(r.reason, r.deadline.astimezone(timezone.utc), round(r.late_working_days, 9))
                             for r in row.reasons] for row in report.rows}


@pytest.fixture
def history_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many histories each `overdue` read (0: answered from the stored deadlines alone)."""
    counts: list[int] = []
    original = Reader.histories

    def counting(self: Reader, request_ids: list[str]):
        counts.append(len(request_ids))
        return original(self, request_ids)

    monkeypatch.setattr(Reader, "histories", counting)
    return counts


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_overdue_from_stored_deadlines_equals_the_replayed_histories(tmp_path: Path, seed: int,
                                                                    history_reads: list[int]) -> None:
    path = tmp_path / "r.db"
    clock = _populate(path, seed)
    if seed % 2:
        services.sla.config_set(_context(path, clock), "calendar.country", "CN")
    ctx = _context(path, clock)
    for later, within, stale, owner in [
        (timedelta(0), None, False, None), (timedelta(hours=5), "1d", True, None),
        (timedelta(days=3), "2wd", False, "li"), (timedelta(days=40), None, True, None),
        (timedelta(minutes=1), "4h", True, "wang"),
    ]:
        as_of = clock.now + later
        history_reads.clear()
        report = sla.overdue(ctx, as_of=as_of.isoformat(), within=within, stale=stale, owner=owner)
        assert sum(history_reads) == 0, "the stored deadlines were not used"
        assert _listed(report) == _replayed(path, as_of, _window(ctx, as_of, within), stale, owner)
    assert admin.check(ctx).ok


def _window(ctx: services.Context, as_of: datetime, within: str | None) -> timedelta | None:
    if within is None:
        return None
    from reqtrack.domain.timeparse import parse_duration

    with ctx.reader() as uow:
        calendar = calendar_from_settings(uow.requests.settings())
    return parse_duration(within).after(as_of, calendar.add_working_days) - as_of


def test_changing_a_target_recomputes_every_stored_deadline(tmp_path: Path, history_reads: list[int]) -> None:
    path = tmp_path / "r.db"
    clock = _populate(path, 7)
    ctx = _context(path, clock)
    as_of = clock.now + timedelta(days=2)
    before = _listed(sla.overdue(ctx, as_of=as_of.isoformat()))
    services.sla.config_set(ctx, "sla.resolution_days.medium", "1")
    services.sla.config_set(ctx, "sla.response_hours", "2")
    history_reads.clear()
    after = _listed(sla.overdue(_context(path, clock), as_of=as_of.isoformat()))
    assert sum(history_reads) == 0
    assert after == _replayed(path, as_of, None, False) and after != before


def test_stored_deadlines_computed_with_other_settings_are_not_used(tmp_path: Path, history_reads: list[int]) -> None:
    path = tmp_path / "r.db"
    clock = _populate(path, 8)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE derived SET basis = 'format=0;' || basis")  # as after an upgrade of reqtrack
    conn.execute("UPDATE sla_open SET next_breach = '2000-01-01T00:00:00.000000Z'")  # and wrong rows
    conn.commit()
    ctx = _context(path, clock)
    as_of = clock.now + timedelta(hours=20)
    report = sla.overdue(ctx, as_of=as_of.isoformat())
    assert sum(history_reads) > 0  # replayed
    assert _listed(report) == _replayed(path, as_of, None, False)
    assert any("other settings" in note for note in admin.check(ctx).notes)
    # The next write recomputes them all.
    services.register(_context(path, clock), "again", "ACME")
    history_reads.clear()
    report = sla.overdue(_context(path, clock), as_of=as_of.isoformat())
    assert sum(history_reads) == 0
    assert _listed(report) == _replayed(path, as_of, None, False)
    assert admin.check(ctx).ok


def test_check_finds_stored_deadlines_that_disagree_with_the_history(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    clock = _populate(path, 9)
    conn = sqlite3.connect(path)
    rid = conn.execute("SELECT request_id FROM sla_open LIMIT 1").fetchone()[0]
    conn.execute("UPDATE sla_open SET resolution_by = '2000-01-01T00:00:00.000000Z' WHERE request_id = ?", (rid,))
    conn.commit()
    report = admin.check(_context(path, clock))
    assert [(p.kind, p.request_id) for p in report.problems] == [("stored-deadlines", rid)]
    services.sla.config_set(_context(path, clock), "sla.stale_hours", "24")  # the repair the message names
    assert admin.check(_context(path, clock)).ok


def test_a_request_changed_after_the_moment_asked_is_replayed(tmp_path: Path, history_reads: list[int]) -> None:
    """A machine whose clock is behind the one that wrote the last entry: the stored deadlines
    hold only from the request's last recorded time, so that request is replayed."""
    path = tmp_path / "r.db"
    clock = Clock(T0)
    rid = services.register(_context(path, clock), "x", "ACME", priority="high").id
    clock.now = T0 + timedelta(days=1)
    services.assign(_context(path, clock), rid, owner="Li")
    behind = Clock(T0 + timedelta(hours=20))
    history_reads.clear()  # the writes' own reads (report facts) are not overdue's
    report = sla.overdue(_context(path, behind), as_of=(T0 + timedelta(hours=20)).isoformat())
    assert history_reads == [1]  # that one request only
    assert _listed(report) == _replayed(path, T0 + timedelta(hours=20), None, False)


def test_import_and_migration_keep_the_stored_deadlines(tmp_path: Path) -> None:
    from helpers import export, old_database_with_one_request

    source = tmp_path / "source.db"
    clock = _populate(source, 11)
    export(_context(source, clock), tmp_path / "all.xlsx")
    target = tmp_path / "target.db"
    imports.import_file(_context(target, clock), tmp_path / "all.xlsx")
    conn = sqlite3.connect(target)
    open_ids = {r for (r,) in conn.execute("SELECT id FROM request WHERE status IN ('pending','in-progress','verifying')")}
    assert {r for (r,) in conn.execute("SELECT request_id FROM sla_open")} == open_ids and open_ids
    assert admin.check(_context(target, clock)).ok

    # A database of schema 3 (before stored deadlines): read right at once, filled by the first write.
    old = tmp_path / "old.db"
    old_database_with_one_request(old, 3)
    late = Clock(T0 + timedelta(days=2))
    assert [r.reason.reason for r in sla.overdue(_context(old, late)).rows] == ["response"]
    services.register(_context(old, late), "new one", "ACME")
    rows = sqlite3.connect(old).execute("SELECT request_id, response_by FROM sla_open ORDER BY 1").fetchall()
    assert rows[0] == ("202501-001", "2025-01-07T01:00:00.000000Z") and len(rows) == 2


def test_the_overdue_query_reads_only_open_requests_through_an_index(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    _populate(path, 12, count=5)
    conn = sqlite3.connect(path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    list(Reader(conn).running_deadlines(RequestFilter(open_only=True, owner="li"), T0, T0, True))
    query = next(s for s in statements if "sla_open" in s)
    plan = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "SCAN request" not in plan and "USING INDEX request_status" in plan, plan
    assert where_clause(RequestFilter(open_only=True)) is not None
    assert reader_module.DEADLINE_COLUMNS.keys() == {"response", "plan", "resolution", "due", "stale"}


def test_a_countrys_days_are_kept_once_used_so_past_figures_do_not_move(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from reqtrack.domain import calendar as calendar_module

    path = tmp_path / "r.db"
    clock = Clock(datetime(2025, 1, 24, 2, 0, tzinfo=timezone.utc))  # Friday 10:00 in Shanghai
    services.sla.config_set(_context(path, clock), "calendar.country", "CN")
    rid = services.register(_context(path, clock), "x", "ACME", priority="low").id
    kept = sqlite3.connect(path).execute("SELECT country, year, source FROM country_day ORDER BY year").fetchall()
    # From the year before the first submission to next year (the first write had no requests yet).
    assert [row[:2] for row in kept] == [("CN", 2024), ("CN", 2025), ("CN", 2026)]
    assert all(row[2].startswith("holidays ") for row in kept)

    def deadline(ctx: services.Context) -> str:
        reasons = sla.overdue(ctx, as_of="2025-03-01T00:00:00+08:00").rows[0].reasons
        return next(r for r in reasons if r.reason == "resolution").deadline.astimezone(timezone.utc).isoformat()

    before = deadline(_context(path, clock))
    assert before == "2025-02-10T02:00:00+00:00"  # 7 working days across the Spring Festival

    # A new holidays package that knows no Chinese holidays at all:
    calendar_module.country_year.cache_clear()
    monkeypatch.setattr(calendar_module, "country_year", lambda country, subdivision, year: (frozenset(), frozenset()))
    assert deadline(_context(path, clock)) == before  # kept days: the figure does not move
    with _context(path, clock).reader() as uow:
        assert services.Inputs(uow.requests.settings(), clock.now, uow.requests).calendar.is_working_day(
            datetime(2025, 1, 26).date())  # the make-up Sunday, from the kept days
    # Setting the country again takes its days afresh from the installed package.
    services.sla.config_set(_context(path, clock), "calendar.country", "CN")
    assert deadline(_context(path, clock)) == "2025-02-04T02:00:00+00:00"
    assert rid


def test_show_and_overdue_with_a_country_need_not_import_holidays(tmp_path: Path) -> None:
    import os

    from helpers import modules_after

    path = tmp_path / "r.db"
    clock = Clock(datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc))
    services.sla.config_set(_context(path, clock), "calendar.country", "CN")
    rid = services.register(_context(path, clock), "x", "ACME", priority="high").id
    env = {**os.environ, "REQTRACK_DB": str(path), "REQTRACK_NOW": "2025-03-20T09:30:00+00:00"}
    for argv in (["show", rid], ["overdue", "--json"]):
        imported, stdout = modules_after(argv, env, ("holidays",))
        assert imported == [] and rid in stdout, argv


def test_this_year_and_next_follow_a_new_package_version_while_ended_years_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Governments announce next year's days late, so only years that have ended are frozen."""
    from reqtrack.domain import calendar as calendar_module

    path = tmp_path / "r.db"
    clock = Clock(datetime(2025, 1, 24, 2, 0, tzinfo=timezone.utc))
    services.sla.config_set(_context(path, clock), "calendar.country", "CN")
    rid = services.register(_context(path, clock), "x", "ACME", priority="low").id
    conn = sqlite3.connect(path)
    conn.execute("UPDATE country_day SET source = 'holidays 0.0'")  # kept by an older package
    conn.commit()
    before_2024 = conn.execute("SELECT holidays, workdays FROM country_day WHERE year = 2024").fetchone()

    real = calendar_module.country_year

    def newer_package(country: str, subdivision: str | None, year: int):
        off, made_up = real(country, subdivision, year)
        return (off | {datetime(2025, 2, 5).date()}, made_up) if year == 2025 else (off, made_up)

    monkeypatch.setattr(calendar_module, "country_year", newer_package)
    clock.now += timedelta(hours=1)
    services.progress(_context(path, clock), rid, "looking into it")  # any write
    rows = dict(conn.execute("SELECT year, source FROM country_day").fetchall())
    assert rows[2024] == "holidays 0.0" and rows[2025] != "holidays 0.0" and rows[2026] != "holidays 0.0"
    assert conn.execute("SELECT holidays, workdays FROM country_day WHERE year = 2024").fetchone() == before_2024
    assert "2025-02-05" in conn.execute("SELECT holidays FROM country_day WHERE year = 2025").fetchone()[0]
    # The stored deadline moved with the new day off (7 working days now end a day later) ...
    stored = conn.execute("SELECT resolution_by FROM sla_open WHERE request_id = ?", (rid,)).fetchone()[0]
    assert stored == "2025-02-11T02:00:00.000000Z"
    # ... and agrees with the history replayed on the same kept days.
    assert admin.check(_context(path, clock)).ok
