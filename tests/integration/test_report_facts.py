"""The stored report facts (tables report_fact, report_completion, report_event) that `report`
reads instead of replaying a period's histories.

They are derived data: every report read through them must equal the one replaying every
history gives (domain.metrics.compute_metrics), whatever the writes, the period and the moment.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import T0, Clock, examples, export, moving_context, old_database_with_one_request, populate_workload
from reqtrack import services
from reqtrack.services import admin, imports
from reqtrack.services import report as reports
from reqtrack.storage import report_queries


@pytest.fixture
def from_timelines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests changed after its cut each report read from their timelines."""
    counts: list[int] = []
    original = report_queries.stood_at_cut

    def counting(*args: Any, **kwargs: Any):
        found, again = original(*args, **kwargs)
        counts.append(len(found))
        return found, again

    monkeypatch.setattr(report_queries, "stood_at_cut", counting)
    return counts


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests each report replayed from their histories (0: none)."""
    counts: list[int] = []
    original = report_queries._with_history

    def counting(*args: Any, **kwargs: Any):
        requests = original(*args, **kwargs)
        counts.append(len(requests))
        return requests

    monkeypatch.setattr(report_queries, "_with_history", counting)
    return counts


def replayed_report(monkeypatch: pytest.MonkeyPatch, ctx: services.Context, **options: Any) -> dict[str, Any]:
    """The report with every history replayed (the stored facts ignored)."""
    with monkeypatch.context() as patch:
        patch.setattr(report_queries, "report_facts_ready", lambda conn: False)
        return reports.report(ctx, **options).data


def local_text(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def report_cases(clock: Clock) -> list[dict[str, Any]]:
    now = clock.now
    return [
        {"period": "week"}, {"period": "week", "previous": True},
        {"period": "month"}, {"period": "month", "previous": True},
        {"period": "quarter"}, {"period": "year"},
        {"from_": local_text(T0 + timedelta(days=3)), "to": local_text(T0 + timedelta(days=10, hours=5))},
        {"from_": local_text(now - timedelta(days=6)), "to": local_text(now + timedelta(days=1))},
        {"period": "week", "as_of": local_text(now + timedelta(days=2))},  # a moment ahead
        # Moments in the past: every request changed since, as it stood then.
        {"period": "week", "as_of": local_text(now - timedelta(days=3, hours=5))},
        {"period": "month", "previous": True, "as_of": local_text(now - timedelta(days=9))},
        {"from_": local_text(T0 + timedelta(days=3)), "to": local_text(T0 + timedelta(days=10, hours=5)),
         "as_of": local_text(T0 + timedelta(days=20))},
        {"period": "quarter", "as_of": local_text(T0 + timedelta(days=12, hours=7))},
    ]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_reports_from_stored_facts_equal_replaying_every_history(tmp_path: Path, seed: int,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 replays: list[int], from_timelines: list[int]) -> None:
    path = tmp_path / "w.db"
    clock = populate_workload(path, seed, 90)
    ctx = moving_context(path, clock)
    totals: dict[str, int] = {"new": 0, "completed": 0, "closed or reopened": 0, "rated": 0, "overdue then": 0,
                              "from timelines": 0}
    for case in report_cases(clock):
        replays.clear()
        from_timelines.clear()
        fast = reports.report(ctx, **case).data
        assert sum(replays) == 0, case  # no history replayed, whatever the period and the moment
        assert fast == replayed_report(monkeypatch, ctx, **case), case
        totals["new"] += fast["new"]
        totals["completed"] += fast["completed"]
        totals["closed or reopened"] += fast["closed"] + fast["reopened"]
        totals["rated"] += sum(fast["satisfaction"][key] for key in ("satisfied", "neutral", "dissatisfied"))
        totals["overdue then"] += fast["overdue"]["count"] if "as_of" in case else 0
        totals["from timelines"] += sum(from_timelines)
    assert all(totals.values()), totals  # both paths and every kind of figure were exercised


def test_facts_follow_every_write_and_check_compares_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.db"
    clock = populate_workload(path, 5, 70)
    ctx = moving_context(path, clock)
    assert admin.check(ctx).ok
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM report_fact").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM request").fetchone()[0]
    rid = conn.execute("SELECT request_id FROM report_completion LIMIT 1").fetchone()[0]
    conn.execute("UPDATE report_completion SET start = '2000-01-01T00:00:00Z' WHERE request_id = ?", (rid,))
    conn.commit()
    assert [(p.kind, p.request_id) for p in admin.check(ctx).problems] == [("report-facts", rid)]

    # The next write to that request puts its facts right again.
    clock.now += timedelta(hours=1)
    services.edit(ctx, rid, {"notes": "called back"})
    assert admin.check(ctx).ok
    assert reports.report(ctx, period="month").data == replayed_report(monkeypatch, ctx, period="month")

    conn.execute("INSERT INTO report_event (kind, at, request_id, seq, value, submitted) "
                 "VALUES ('close', '2025-01-07T01:00:00Z', '209901-001', 2, NULL, '2025-01-07T00:00:00Z')")
    conn.commit()
    assert [(p.kind, p.request_id) for p in admin.check(ctx).problems] == [("report-facts", "209901-001")]


def test_import_fills_the_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replays: list[int]) -> None:
    """Imported requests (histories read back from the sheet's process log; completion times
    without a `complete` entry) are reported the same from their facts."""
    source = tmp_path / "source.db"
    clock = populate_workload(source, 12, 80)
    export(moving_context(source, clock), tmp_path / "all.xlsx")
    target = tmp_path / "target.db"
    ctx = moving_context(target, clock)
    imports.import_file(ctx, tmp_path / "all.xlsx")
    assert admin.check(ctx).ok
    for case in report_cases(clock):
        assert reports.report(ctx, **case).data == replayed_report(monkeypatch, ctx, **case), case


def test_a_database_from_before_the_facts_is_reported_at_once_and_filled_by_the_first_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replays: list[int]) -> None:
    path = tmp_path / "old.db"
    old_database_with_one_request(path, 4, priority="high")
    clock = Clock(T0 + timedelta(days=2))
    ctx = moving_context(path, clock)
    before = reports.report(ctx, period="month").data
    assert before["new"] == 1 and before["backlog"] == 1 and replays  # replayed: no facts yet
    check = admin.check(ctx)
    assert check.ok and any("report facts not computed yet" in note for note in check.notes)

    services.register(ctx, "new one", "ACME")
    conn = sqlite3.connect(path)
    assert {r for (r,) in conn.execute("SELECT request_id FROM report_fact")} == {"202501-001", "202501-002"}
    replays.clear()
    after = reports.report(ctx, period="month").data
    assert after["new"] == 2 and sum(replays) == 0
    assert after == replayed_report(monkeypatch, ctx, period="month")


def test_a_request_without_facts_is_still_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row written by other means than the services (no facts stored) is replayed, not lost."""
    path = tmp_path / "w.db"
    clock = populate_workload(path, 6, 40)
    ctx = moving_context(path, clock)
    conn = sqlite3.connect(path)
    rid = conn.execute("SELECT request_id FROM report_fact ORDER BY submitted DESC LIMIT 1").fetchone()[0]
    for table in ("report_fact", "report_completion", "report_event"):
        conn.execute(f"DELETE FROM {table} WHERE request_id = ?", (rid,))
    conn.commit()
    assert reports.report(ctx, period="month").data == replayed_report(monkeypatch, ctx, period="month")
    assert [(p.kind, p.request_id) for p in admin.check(ctx).problems] == [("report-facts", rid)]


def test_the_fact_queries_read_their_tables_by_key_range(tmp_path: Path) -> None:
    """Each query reads one range of a table's primary key or index: no scan, no temporary
    B-tree (what keeps a year's report over 100,000 requests near two seconds)."""
    path = tmp_path / "w.db"
    populate_workload(path, 7, 10)
    conn = sqlite3.connect(path)
    bounds = report_queries.Bounds("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2025-06-01T00:00:00Z")
    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    report_queries.quiet_new(conn, bounds)
    report_queries.quiet_backlog(conn, bounds)
    report_queries.quiet_completions(conn, bounds)
    report_queries.period_event_counts(conn, bounds)
    cuts = [datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 2, 1, tzinfo=timezone.utc),
            datetime(2025, 2, 3, 12, tzinfo=timezone.utc)]
    report_queries.submitted_between(conn, cuts)
    report_queries.quiet_completions_between(conn, bounds, cuts)
    list(report_queries.running_breaches(conn, datetime(2025, 6, 1, tzinfo=timezone.utc)))
    conn.set_trace_callback(None)
    for statement in captured:
        plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement))
        assert "SCAN report" not in plan and "SCAN request" not in plan, (statement, plan)


def test_facts_of_version_1_are_recomputed_so_a_notice_counts_as_the_first_response(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replays: list[int]) -> None:
    """Version 2 of the facts: a notice answers the first response (version 3: with the
    timelines; 4: a segment's completion without its entry only where it can count). Facts stored
    by version 1 (which did not know it) are not read; the next write computes them all again."""
    from reqtrack.storage.stored import REPORT_FACTS_VERSION

    assert REPORT_FACTS_VERSION == "4"
    path = tmp_path / "w.db"
    clock = Clock(T0 + timedelta(days=3))
    ctx = moving_context(path, clock)
    answered = services.register(ctx, "导出很慢", "ACME", at=local_text(T0)).id
    services.notice(ctx, answered, "ack", via="phone", at=local_text(T0 + timedelta(hours=1)))
    services.register(ctx, "登录报错", "ACME", at=local_text(T0))
    expected = reports.report(ctx, period="month").data
    assert expected["first_response"]["in_time"] == 1 and expected["first_response"]["late"] == 1
    # As version 1 left them: the notice not counted, and its version.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE report_fact SET responded = NULL")
    conn.execute("UPDATE derived SET basis = '1' WHERE name = 'report_facts'")
    conn.commit()
    replays.clear()
    assert reports.report(ctx, period="month").data == expected and sum(replays) == 2  # replayed, not read
    services.edit(ctx, answered, {"notes": "called back"})  # any write
    assert conn.execute("SELECT basis FROM derived WHERE name = 'report_facts'").fetchone()[0] == REPORT_FACTS_VERSION
    assert conn.execute("SELECT responded FROM report_fact WHERE request_id = ?", (answered,)).fetchone()[0] is not None
    replays.clear()
    assert reports.report(ctx, period="month").data == expected and sum(replays) == 0
    conn.close()


# -- random past cuts, on both engines ---------------------------------------------------------------
_WORKLOADS: dict[str, Clock] = {}  # a database populated once, read by every example of the property


def _workload(db_path: Any, seed: int) -> Clock:
    key = f"{db_path}#{seed}"
    if key not in _WORKLOADS:
        _WORKLOADS[key] = populate_workload(db_path, seed, 110)
    return _WORKLOADS[key]


def _overdue_rows(report: Any) -> list[tuple[Any, ...]]:
    return sorted((row.request.id, row.status, [(r.reason, r.deadline, r.late_calendar, round(r.late_working_days, 9))
                                                for r in row.reasons]) for row in report.rows)


@pytest.mark.parametrize("seed", [31, 32])
@settings(max_examples=examples(10), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start_hours=st.integers(0, 24 * 40), length=st.sampled_from([None, "week", "month", "quarter", 30, 24 * 9]),
       as_of_hours=st.integers(0, 24 * 60), overdue_options=st.sampled_from([(None, False, None), ("1d", True, None),
                                                                             (None, True, "li"), ("2wd", False, "wang")]))
def test_reports_and_overdue_at_random_past_cuts_equal_the_replayed_histories(
        db_path: Any, seed: int, start_hours: int, length: str | int | None, as_of_hours: int,
        overdue_options: tuple[str | None, bool, str | None], monkeypatch: pytest.MonkeyPatch) -> None:
    """A report of any period at any past moment, and `overdue --as-of` any past moment, read
    from the stored facts and timelines with no history replayed, equal what replaying every
    history gives — on SQLite and on PostgreSQL."""
    from reqtrack.services import sla
    from reqtrack.storage.repository import Repository

    clock = _workload(db_path, seed)
    ctx = moving_context(db_path, clock)
    as_of = local_text(T0 + timedelta(hours=as_of_hours))
    start = T0 + timedelta(hours=start_hours)
    if isinstance(length, int):
        case: dict[str, Any] = {"from_": local_text(start), "to": local_text(start + timedelta(hours=length))}
    elif length is None:
        case = {"period": "week", "previous": True}
    else:
        case = {"period": length, "previous": start_hours % 2 == 1}
    case["as_of"] = as_of
    read: list[int] = []
    with monkeypatch.context() as patch:
        for module, name in ((report_queries, "_with_history"), (Repository, "histories")):
            original = getattr(module, name)

            def counting(*args: Any, original: Any = original, **kwargs: Any) -> Any:
                found = original(*args, **kwargs)
                read.append(len(found))
                return found

            patch.setattr(module, name, counting)
        fast = reports.report(ctx, **case).data
        within, stale, owner = overdue_options
        listed = _overdue_rows(sla.overdue(ctx, as_of=as_of, within=within, stale=stale, owner=owner))
    assert sum(read) == 0, case  # no history replayed
    assert fast == replayed_report(monkeypatch, ctx, **case), case
    with monkeypatch.context() as patch:
        patch.setattr(report_queries, "report_facts_ready", lambda conn: False)
        assert listed == _overdue_rows(sla.overdue(ctx, as_of=as_of, within=within, stale=stale, owner=owner))


def _listed(late: list[Any]) -> list[Any]:
    return sorted(late, key=lambda row: row.id)


def test_overdue_now_in_a_report_is_what_overdue_lists_and_replaying_gives(db_path: Any) -> None:
    """"Overdue now" of a report made now or ahead (services.report._overdue_now: from the stored
    running deadlines, no Request made per row, the first reason's working days only) lists
    what `overdue`'s rows give and what replaying every history gives — also when the machine's
    clock is behind the recorded times (those requests replayed) and when the stored deadlines
    were computed under other settings (not read) — on SQLite and on PostgreSQL."""
    from helpers import raw_connect
    from reqtrack.domain import metrics
    from reqtrack.domain.sla import SlaPolicy
    from reqtrack.services.context import inputs
    from reqtrack.services.sla import overdue_rows
    from reqtrack.storage.stored import RequestFilter, instant_to_stored

    clock = _workload(db_path, 33)

    def three_ways(now: datetime, when: datetime) -> tuple[list[Any], list[Any], list[Any]]:
        ctx = moving_context(db_path, Clock(now))
        with ctx.reader() as uow:
            given = inputs(uow, ctx)
            policy = SlaPolicy.from_settings(given.settings)
            fast = reports._overdue_now(uow, given, when, given.calendar, policy)
            rows = overdue_rows(uow, given, RequestFilter(open_only=True), when, lite=True)
            everyone = uow.requests.get_many([r.id for r in uow.requests.select(RequestFilter())])
            replayed = metrics.overdue_now(everyone.values(), metrics.Period(when, when, when), given.calendar, policy)
        ctx.close()
        return (_listed(fast), _listed([metrics.late_now(row.request, row.reasons) for row in rows]),
                _listed([metrics.late_now(request, reasons) for request, reasons in replayed]))

    seen = 0
    for ahead in (timedelta(0), timedelta(hours=30), timedelta(days=9)):
        fast, from_rows, replayed = three_ways(clock.now, clock.now + ahead)
        assert fast == from_rows == replayed, ahead
        seen += len(fast)
    assert seen and any(len(row.reasons) > 1 for row in fast)
    # A clock behind the recorded times: the requests changed since are replayed, as `overdue` does.
    behind = clock.now - timedelta(hours=20)
    fast, from_rows, _ = three_ways(behind, behind)
    assert fast == from_rows and fast
    with raw_connect(db_path) as conn:
        changed = conn.execute("SELECT count(*) FROM sla_open WHERE valid_from > ?", (instant_to_stored(behind),))
        assert changed.fetchone()[0]  # some requests' deadlines hold only from after `behind`
        # Deadlines stored under other settings are not read.
        conn.execute("UPDATE derived SET basis = 'format=0;' || basis WHERE name = 'sla_open'")
        conn.execute("UPDATE sla_open SET response_by = NULL, plan_by = NULL, resolution_by = NULL, due_by = NULL")
    fast, from_rows, replayed = three_ways(clock.now, clock.now)
    assert fast == from_rows == replayed and fast
    _WORKLOADS.pop(f"{db_path}#33")


def test_stored_verdicts_follow_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The completions' verdicts are stored under the settings of the moment: a change of a
    target or of the calendar judges every completion again; verdicts stored under other settings
    (or when the settings do not read) are not read."""
    from reqtrack.services.upkeep import verdicts_basis

    path = tmp_path / "w.db"
    clock = populate_workload(path, 14, 90)
    ctx = moving_context(path, clock)
    case = {"period": "quarter"}
    before = reports.report(ctx, **case).data
    assert before == replayed_report(monkeypatch, ctx, **case) and before["completed"]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM report_completion WHERE days IS NULL AND met IS NULL").fetchone()[0] == 0
    for key, value in (("sla.resolution_days.high", "0.01"), ("calendar.extra_holidays", local_text(T0)[:10]),
                       ("calendar.timezone", "Europe/Berlin")):
        services.sla.config_set(ctx, key, value)
        after = reports.report(ctx, **case).data
        assert after == replayed_report(monkeypatch, ctx, **case), key
    assert after != before
    with ctx.reader() as uow:
        assert uow.requests.verdicts_basis() == verdicts_basis(uow.requests.settings())
    # Wrong verdicts under another basis are not read.
    conn.execute("UPDATE report_completion SET days = '99.0', met = 0")
    conn.execute("UPDATE derived SET basis = 'verdicts=0;' || basis WHERE name = 'report_verdicts'")
    conn.commit()
    assert reports.report(ctx, **case).data == after
    services.edit(ctx, conn.execute("SELECT id FROM request WHERE status = 'pending' LIMIT 1").fetchone()[0],
                  {"notes": "again"})  # any write judges them again
    assert conn.execute("SELECT count(*) FROM report_completion WHERE days = '99.0'").fetchone()[0] == 0
    assert reports.report(ctx, **case).data == replayed_report(monkeypatch, ctx, **case)
    conn.close()


def test_the_requests_open_at_a_past_moment_are_read_through_an_index(tmp_path: Path) -> None:
    """`overdue --as-of` in the past reads the segments in force then as a few short ranges of
    the index on (is_open, span, valid_from): no scan of request_state, whose segments begun
    before the moment or ended after it are most of the table."""
    from reqtrack.storage.stored import RequestFilter

    path = tmp_path / "w.db"
    populate_workload(path, 7, 30)
    conn = sqlite3.connect(path)
    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    found = list(report_queries.open_states_at(conn, RequestFilter(owner="li"), T0 + timedelta(days=9, hours=3)))
    conn.set_trace_callback(None)
    [statement] = [s for s in captured if "request_state" in s]
    plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement))
    assert "SCAN request_state" not in plan and "request_state_open" in plan, plan
    assert all(state.as_of.tzinfo is timezone.utc for _, _, _, state in found)
