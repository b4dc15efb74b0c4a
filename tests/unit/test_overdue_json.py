"""`overdue --json` (views/sla.py `overdue_json_lines`, views/output.py `dump_json_lines`): each
row written field by field is exactly what json's encoder writes for the row as an object of
the keys docs/sla.md lists, whatever the text, the figures and the zone; the array around the
rows is laid out as `dump_json` lays out any list."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from reqtrack.domain.record import Request
from reqtrack.domain.sla import OverdueReason
from reqtrack.services.sla import OverdueReport, OverdueRow
from reqtrack.views.output import dump_json, dump_json_lines
from reqtrack.views.sla import _hundredths, overdue_json_lines

ENCODE = json.JSONEncoder(ensure_ascii=False).encode
ZONES = [ZoneInfo(name) for name in ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC")]
MOMENTS = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(timezone.utc))
# Any text (controls, quotes, backslashes, lone surrogates, the characters a terminal obeys), or none
# (and the unprintable characters that are not: an ideographic space, a zero-width joiner).
TEXT = st.one_of(st.none(), st.text(max_size=12),
                 st.sampled_from(["\x1b[31m", "\u202e", "\x85\u2028", '"\\', "需求", "\u3000", "👩\u200d💻", "\ud800"]))


def reference(row: OverdueRow, tz: ZoneInfo) -> dict[str, Any]:
    """The row as an object, by the rule itself: the most urgent reason's figures beside every
    reason's, times as `astimezone(tz).isoformat()`, hours and working days to two places."""
    def figures(x: OverdueReason) -> dict[str, Any]:
        return {"reason": x.reason, "deadline": x.deadline.astimezone(tz).isoformat(),
                "late_calendar_hours": round(x.late_calendar.total_seconds() / 3600, 2),
                "late_working_days": round(x.late_working_days, 2)}

    r, first = row.request, figures(row.reasons[0])
    return {"id": r.id, "reason": first["reason"], "reasons": [figures(x) for x in row.reasons],
            "deadline": first["deadline"], "late_calendar_hours": first["late_calendar_hours"],
            "late_working_days": first["late_working_days"], "owner": r.owner, "department": r.department,
            "priority": r.priority, "status": row.status, "customer": r.customer, "description": r.description,
            "due": r.due.astimezone(tz).isoformat() if r.due is not None else None}


reasons = st.builds(
    OverdueReason, st.sampled_from(["response", "plan", "resolution", "due", "stale", "due-soon"]), MOMENTS,
    st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=4000)),
    st.one_of(st.floats(min_value=-400, max_value=4000), st.sampled_from([0.0, -0.0, 0.005, 1e-9, 2.675, 1 / 3])),
)
rows = st.builds(
    lambda rid, customer, description, owner, department, priority, status, due, found: OverdueRow(
        Request(rid, customer, description, datetime(2026, 1, 1, tzinfo=timezone.utc), status=status,
                priority=priority, owner=owner, department=department, due=due), found, status),
    st.sampled_from(["202612-001", "202601-1234"]), st.text(max_size=12), st.text(max_size=40),
    st.one_of(TEXT, st.integers(-5, 5)),  # an owner a hand's edit of the file made a number
    TEXT, TEXT, st.sampled_from(["pending", "in-progress", "verifying"]),
    st.one_of(st.none(), MOMENTS, MOMENTS.map(lambda t: t.replace(microsecond=0))), st.lists(reasons, min_size=1, max_size=4),
)


@given(st.lists(rows, max_size=5), st.sampled_from(ZONES))
def test_each_line_is_what_the_encoder_writes_for_the_row(found: list[OverdueRow], tz: ZoneInfo) -> None:
    report = OverdueReport(found, datetime(2026, 12, 1, tzinfo=timezone.utc), tz)
    lines = overdue_json_lines(report)
    assert lines == [ENCODE(reference(row, tz)) for row in found]
    assert [json.loads(line)["id"] for line in lines] == [row.request.id for row in found]


@given(st.lists(st.dictionaries(st.sampled_from(["id", "note"]), TEXT), max_size=1200))
def test_lines_are_laid_out_as_dump_json_lays_out_a_list(items: list[dict[str, Any]]) -> None:
    """Empty, one, and more than one chunk of 500; the characters a terminal obeys escaped."""
    by_lines, by_value = io.StringIO(), io.StringIO()
    dump_json_lines((ENCODE(item) for item in items), by_lines)
    dump_json(items, by_value)
    assert by_lines.getvalue() == by_value.getvalue()
    text = by_lines.getvalue()
    assert text == ("[]\n" if not items else "[\n" + ",\n".join(ENCODE(i) for i in items).translate(
        {c: f"\\u{c:04x}" for c in [*range(0x7f, 0xa0), 0x2028, 0x2029, *range(0x202a, 0x202f), *range(0x2066, 0x206a),
                                    *range(0xd800, 0xe000)]}) + "\n]\n")
    assert json.loads(text) == items


@given(st.one_of(st.floats(), st.floats(min_value=-1e6, max_value=1e6), st.integers(-10**6, 10**6).map(lambda n: n / 200),
                 st.sampled_from([1e13, -1e13, 9999999999999.995, 0.005, -0.005, 2.675, 1.005])))
def test_hundredths_are_what_the_encoder_writes_for_round_to_two_places(value: float) -> None:
    assert _hundredths(value) == ENCODE(round(value, 2))
