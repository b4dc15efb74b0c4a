"""`config set calendar.timezone`: a new zone keeps date-only planned completions on their dates
and says what moves (SPEC §11; issue 20)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from reqtrack.domain.lifecycle import reanchor_due
from reqtrack.domain.record import Request

UTC, SHANGHAI = ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai")


def _request(due: datetime | None, date_only: bool) -> Request:
    request = Request(id="202612-001", description="x", customer="A", submitted_at=datetime(2026, 12, 1, tzinfo=timezone.utc))
    request.due, request.due_is_date = due, date_only
    return request


def test_a_date_only_due_keeps_its_date_in_the_new_zone_and_the_history_says_so() -> None:
    request = _request(datetime(2026, 12, 20, 23, 59, 59, tzinfo=timezone.utc), True)
    entry = reanchor_due(request, UTC, SHANGHAI, datetime(2026, 12, 2, tzinfo=timezone.utc), "lead")
    assert entry is not None and entry.action == "edit" and set(entry.changes) == {"due"}
    assert request.due == datetime(2026, 12, 20, 23, 59, 59, tzinfo=SHANGHAI)
    assert request.due.astimezone(SHANGHAI).date().isoformat() == "2026-12-20"
    assert reanchor_due(request, SHANGHAI, SHANGHAI, datetime(2026, 12, 2, tzinfo=timezone.utc), "lead") is None


def test_a_due_with_a_time_of_day_or_none_stays_the_same_moment() -> None:
    moment = datetime(2026, 12, 20, 15, 0, tzinfo=timezone.utc)
    timed = _request(moment, False)
    assert reanchor_due(timed, UTC, SHANGHAI, datetime(2026, 12, 2, tzinfo=timezone.utc), "lead") is None
    assert timed.due == moment
    assert reanchor_due(_request(None, True), UTC, SHANGHAI, datetime(2026, 12, 2, tzinfo=timezone.utc), "lead") is None


def test_changing_the_zone_keeps_planned_dates_and_says_what_moves(cli) -> None:
    assert cli("config", "set", "calendar.timezone", "UTC").exit_code == 0
    for description, due in (("dated", "2025-03-20"), ("timed", "2025-03-20 15:00")):
        created = cli("new", description, "--customer", "ACME", "--priority", "high")
        assert cli("assign", created.stdout.strip(), "--owner", "Zhang", "--due", due).exit_code == 0
    before = {r["description"]: r for r in json.loads(cli("list", "--format", "json").stdout)}

    changed = cli("config", "set", "calendar.timezone", "Asia/Shanghai")
    assert changed.exit_code == 0, changed.stderr
    assert "from UTC to Asia/Shanghai" in changed.stdout and "(1 of them" in changed.stdout
    after = {r["description"]: r for r in json.loads(cli("list", "--format", "json").stdout)}
    assert after["dated"]["due"].startswith("2025-03-20T23:59:59+08:00"), after["dated"]["due"]
    timed_before = datetime.fromisoformat(before["timed"]["due"])
    assert datetime.fromisoformat(after["timed"]["due"]) == timed_before  # the same moment, another zone
    history = json.loads(cli("show", after["dated"]["id"], "--json").stdout)["history"]
    assert history[-1]["action"] == "edit" and "due" in history[-1]["changes"]
    assert cli("check").exit_code == 0

    again = cli("--lang", "zh-CN", "config", "set", "calendar.timezone", "Asia/Shanghai")
    assert again.exit_code == 0 and "时区" not in again.stdout  # the same zone: nothing moves, nothing said
    other = cli("--lang", "zh-CN", "config", "set", "calendar.timezone", "Europe/Paris")
    assert "时区已从 Asia/Shanghai 改为 Europe/Paris" in other.stdout and "保持原日期" in other.stdout
