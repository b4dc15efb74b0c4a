"""The morning overdue check, as a cron script and the lead run it (SPEC §4, §6)."""

from __future__ import annotations

import json


def overdue(cli, as_of: str, *extra: str):
    result = cli("overdue", "--as-of", as_of, "--json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    rows = json.loads(result.stdout)
    assert result.exit_code == (1 if rows else 0)
    return rows


def register(cli, at: str, priority: str | None = None, assign: bool = True) -> str:
    args = ["new", f"request at {at}", "--customer", "ACME", "--at", at]
    if priority:
        args += ["--priority", priority]
    rid = cli(*args).stdout.strip()
    if assign:
        assert cli("assign", rid, "--owner", "Zhang", "--at", at).exit_code == 0
    return rid


def test_high_priority_friday_is_due_tuesday_same_time_without_a_country(cli) -> None:
    rid = register(cli, "2025-01-10 10:00", "high")  # a Friday
    assert overdue(cli, "2025-01-14 09:59") == []
    rows = overdue(cli, "2025-01-14 10:01")
    assert [(r["id"], r["reason"]) for r in rows] == [(rid, "resolution")]
    assert rows[0]["deadline"] == "2025-01-14T10:00:00+08:00"
    assert set(rows[0]) >= {"id", "reason", "reasons", "deadline", "owner", "priority", "status"}
    assert rows[0]["reasons"][0]["deadline"] == rows[0]["deadline"]


def test_china_make_up_days_and_spring_festival(cli) -> None:
    assert cli("config", "set", "calendar.country", "CN").exit_code == 0
    high = register(cli, "2025-01-24 10:00", "high")
    low = register(cli, "2025-01-27 10:00", "low")
    rows = {r["id"]: r for r in overdue(cli, "2025-01-27 10:01")}
    assert rows[high]["deadline"] == "2025-01-27T10:00:00+08:00"  # Sunday the 26th is worked
    assert low not in rows
    assert low not in {r["id"] for r in overdue(cli, "2025-02-12 09:59")}
    late = {r["id"]: r for r in overdue(cli, "2025-02-12 10:01")}
    assert late[low]["deadline"] == "2025-02-12T10:00:00+08:00"


def test_unanswered_request_is_overdue_after_24_hours_until_answered(cli) -> None:
    rid = register(cli, "2025-03-01 10:00", assign=False)
    assert overdue(cli, "2025-03-02 09:59") == []
    assert [r["reason"] for r in overdue(cli, "2025-03-02 10:01")] == ["response"]
    assert cli("progress", rid, "acknowledged", "--at", "2025-03-02 12:00").exit_code == 0
    assert overdue(cli, "2025-03-02 12:01") == []


def test_only_open_requests_are_listed(cli) -> None:
    a = register(cli, "2025-01-06 10:00", "high")
    b = register(cli, "2025-01-06 10:00", "high")
    cli("cancel", b, "--reason", "duplicate", "--at", "2025-01-06 11:00")
    assert [r["id"] for r in overdue(cli, "2025-02-01 10:00")] == [a]


def test_due_date_and_due_soon_window(cli) -> None:
    rid = cli("new", "x", "--customer", "A", "--priority", "low", "--at", "2025-03-03 09:00").stdout.strip()
    cli("assign", rid, "--owner", "Li", "--due", "2025-03-05", "--at", "2025-03-03 09:10")
    assert overdue(cli, "2025-03-05 12:00") == []
    soon = overdue(cli, "2025-03-05 12:00", "--within", "1d")
    assert [r["reason"] for r in soon] == ["due-soon"]
    assert soon[0]["deadline"] == "2025-03-05T23:59:59+08:00"
    assert [r["reason"] for r in overdue(cli, "2025-03-06 00:30")] == ["due"]


def test_stale_and_owner_filter(cli) -> None:
    a = register(cli, "2025-03-03 09:00", "low")
    register(cli, "2025-03-03 09:00", "low")
    cli("assign", a, "--owner", "Wang", "--at", "2025-03-03 09:30")
    assert overdue(cli, "2025-03-04 10:00") == []
    stale = overdue(cli, "2025-03-04 10:00", "--stale", "--owner", "wang")
    assert [(r["id"], r["reason"]) for r in stale] == [(a, "stale")]


def test_waiting_on_the_customer_pauses_resolution(cli) -> None:
    rid = register(cli, "2025-03-03 10:00", "high")  # Monday; due Wednesday 10:00
    cli("progress", rid, "asked for logs", "--waiting", "--at", "2025-03-03 12:00")
    cli("progress", rid, "logs received", "--at", "2025-03-04 12:00")  # one working day paused
    assert overdue(cli, "2025-03-05 10:30") == []
    rows = overdue(cli, "2025-03-06 10:01")
    assert rows and rows[0]["deadline"] == "2025-03-06T10:00:00+08:00"


def test_table_output_and_exit_codes(cli) -> None:
    register(cli, "2025-01-10 10:00", "high")
    result = cli("overdue", "--as-of", "2025-02-01")
    assert result.exit_code == 1 and "request at" in result.stdout
    assert cli("overdue", "--as-of", "2025-01-10 10:30").exit_code == 0
    refused = cli("overdue", "--within", "soon")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert one_sentence(refused.stderr).startswith("reqtrack: ") and "'soon'" in refused.stderr


def one_sentence(stderr: str) -> str:
    """The error as the user reads it: one line, no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_overdue_only_after_the_deadline_instant_now_and_as_of(cli) -> None:
    """At the deadline's instant a request is still in time; a microsecond later it is late —
    from the stored running deadlines (now) and from the replayed history (--as-of)."""
    rid = register(cli, "2025-01-10 10:00", "high")  # resolution due Tuesday 14th 10:00 (+08:00)
    for now, expected in (("2025-01-14T10:00:00+08:00", []), ("2025-01-14T10:00:00.000001+08:00", [rid])):
        result = cli("overdue", "--json", env={"REQTRACK_NOW": now})
        assert [row["id"] for row in json.loads(result.stdout)] == expected, now
        assert result.exit_code == (1 if expected else 0), now
    later = {"REQTRACK_NOW": "2025-02-01T10:00:00+08:00"}
    at_deadline = cli("overdue", "--as-of", "2025-01-14 10:00", "--json", env=later)
    assert json.loads(at_deadline.stdout) == [] and at_deadline.exit_code == 0
    after = cli("overdue", "--as-of", "2025-01-14 10:00:01", "--json", env=later)
    assert [(r["id"], r["reason"], r["deadline"]) for r in json.loads(after.stdout)] == [
        (rid, "resolution", "2025-01-14T10:00:00+08:00")]


def test_a_wait_that_begins_at_the_deadline_does_not_push_it(cli) -> None:
    rid = register(cli, "2025-01-10 10:00", "high")  # due Tuesday 14th 10:00
    assert cli("progress", rid, "asked for logs", "--waiting", "--at", "2025-01-14 10:00").exit_code == 0
    assert overdue(cli, "2025-01-14 18:00") == []  # waiting: paused
    assert cli("progress", rid, "logs received", "--at", "2025-01-15 10:00").exit_code == 0
    rows = overdue(cli, "2025-01-15 10:01")
    assert [(r["id"], r["reason"], r["deadline"]) for r in rows] == [(rid, "resolution", "2025-01-14T10:00:00+08:00")]


def test_list_overdue_uses_the_same_rules(cli) -> None:
    a = register(cli, "2025-01-10 10:00", "high")
    register(cli, "2025-03-14 09:00", "low")
    rows = json.loads(cli("list", "--overdue", "--format", "json").stdout)
    assert [r["id"] for r in rows] == [a]


def test_config_validation(cli) -> None:
    cli("new", "x", "--customer", "A")
    assert cli("config", "set", "sla.resolution_days.high", "3").exit_code == 0
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["sla.resolution_days.high"] == "3" and shown["calendar.timezone"] == "Asia/Shanghai"
    for key, value, words in [("calendar.country", "XX", "unknown country code 'XX'"),
                              ("sla.response_hours", "-1", "sla.response_hours must be a positive number of hours"),
                              ("calendar.timezone", "Mars/Base", "unknown time zone 'Mars/Base'"),
                              ("no.such.key", "1", "unknown setting 'no.such.key'"),
                              ("calendar.extra_holidays", "2025-02-30", "'2025-02-30' is not a date")]:
        result = cli("config", "set", key, "--", value)  # `--`: a value such as -1 is not read as an option
        assert result.exit_code == 2, (key, result.stdout)
        assert words in one_sentence(result.stderr), (key, result.stderr)
    unchanged = json.loads(cli("config", "show", "--json").stdout)
    assert unchanged["calendar.timezone"] == "Asia/Shanghai" and unchanged["sla.response_hours"] == "24"
    assert cli("config", "unset", "sla.resolution_days.high").exit_code == 0
    assert json.loads(cli("config", "show", "--json").stdout)["sla.resolution_days.high"] == "2"
    refused = cli("config", "unset", "calendar.timezone")
    assert refused.exit_code == 2
    assert "calendar.timezone cannot be unset" in one_sentence(refused.stderr)


def test_a_negative_number_given_to_config_set_is_refused_as_a_value(cli) -> None:
    cli("new", "x", "--customer", "A")
    result = cli("config", "set", "sla.response_hours", "-1")
    assert result.exit_code == 2
    assert "sla.response_hours must be a positive number of hours" in one_sentence(result.stderr)


def test_show_prints_the_clocks(cli) -> None:
    rid = register(cli, "2025-03-13 10:00", "high")
    out = cli("show", rid).stdout
    assert "resolution" in out and "2025-03-17 10:00" in out


def test_as_of_in_the_past_sees_requests_open_then_and_done_since(cli) -> None:
    """`--as-of` replays the past: a request finished since was still late back then."""
    rid = register(cli, "2025-01-10 10:00", "high")  # resolution due Tuesday 14th 10:00
    assert cli("progress", rid, "fixed", "--done", "--at", "2025-01-20 10:00").exit_code == 0
    assert overdue(cli, "2025-03-01 10:00") == []  # verifying since the 20th: the resolution clock stopped
    assert cli("verify", rid, "--pass", "--at", "2025-01-21 10:00").exit_code == 0
    assert cli("close", rid, "--at", "2025-01-22 10:00").exit_code == 0
    assert overdue(cli, "2025-03-01 10:00") == []
    rows = overdue(cli, "2025-01-15 10:00")
    assert [(r["id"], r["reason"], r["status"]) for r in rows] == [(rid, "resolution", "in-progress")]
    assert overdue(cli, "2025-01-14 09:59") == []
