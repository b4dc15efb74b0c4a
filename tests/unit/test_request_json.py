"""A request's JSON (domain/request_json.py, views/requests.py `request_to_json`): every field, in JSON_KEYS's order,
times in the database's zone, whatever the request holds."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from reqtrack.domain.record import Attachment, HistoryEntry, Link, Request
from reqtrack.views.requests import JSON_KEYS, request_to_json

# Zones with daylight saving (twice a year, half an hour, negative), offsets that are not whole
# hours, and none: the times are written by domain.isotime, which must equal astimezone + isoformat.
ZONES = [ZoneInfo(name) for name in ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata",
                                     "Australia/Lord_Howe", "America/St_Johns", "Europe/Dublin", "Pacific/Chatham")]
MOMENTS = st.one_of(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(timezone.utc)),
    # around the changes of 2026 in Europe and North America, to the second
    st.datetimes(min_value=datetime(2026, 3, 7), max_value=datetime(2026, 4, 6), timezones=st.just(timezone.utc))
    .map(lambda t: t.replace(microsecond=0)),
    st.datetimes(min_value=datetime(2026, 10, 24), max_value=datetime(2026, 11, 3), timezones=st.just(timezone.utc))
    .map(lambda t: t.replace(microsecond=0)),
)
TEXT = st.one_of(st.none(), st.text(max_size=8))


def reference(request: Request, tz: ZoneInfo) -> dict[str, Any]:
    """The JSON by the rule itself: each key of JSON_KEYS read off the request, datetimes as ISO
    text in `tz`, nested records as their fields."""
    data: dict[str, Any] = {}
    for key in JSON_KEYS:
        value = getattr(request, key)
        if key == "history":
            value = [{"seq": e.seq, "at": e.at.astimezone(tz).isoformat(), "action": e.action, "actor": e.actor,
                      "changes": e.changes, "note": e.note} for e in value]
        elif key == "attachments":
            value = [{"number": a.number, "name": a.name, "size": a.size, "sha256": a.sha256} for a in value]
        elif isinstance(value, datetime):
            value = value.astimezone(tz).isoformat()
        data[key] = value
    data["links"] = [{"id": link.id, "kind": link.kind, "direction": link.direction} for link in request.links]
    return data


@st.composite
def requests(draw: st.DrawFn) -> Request:
    submitted = draw(MOMENTS)
    maybe_time = st.one_of(st.none(), MOMENTS)
    return Request(
        id="202611-001", customer=draw(st.text(min_size=1, max_size=8)), description=draw(st.text(max_size=20)),
        submitted_at=submitted, status=draw(st.sampled_from(["pending", "in-progress", "closed"])),
        source=draw(TEXT), proposer=draw(TEXT), contact=draw(TEXT), type=draw(TEXT), liaison=draw(TEXT),
        priority=draw(TEXT), owner=draw(TEXT), department=draw(TEXT), due=draw(maybe_time),
        due_is_date=draw(st.booleans()), completed_at=draw(maybe_time), verification=draw(TEXT),
        verification_note=draw(TEXT), satisfaction=draw(TEXT), notes=draw(TEXT), feasibility=draw(TEXT),
        scores=draw(st.one_of(st.none(), st.dictionaries(st.sampled_from(["value", "cost"]), st.integers(1, 10)))),
        priority_reason=draw(TEXT), assign_reason=draw(TEXT), responded_at=draw(maybe_time),
        closed_at=draw(maybe_time), waiting=draw(st.booleans()),
        attachments=[Attachment(name=f"a{i}.png", size=i * 10, sha256=None, number=i + 1)
                     for i in range(draw(st.integers(0, 2)))],
        history=[HistoryEntry(seq=i + 1, at=submitted + timedelta(hours=i), action="progress", actor="lead",
                              changes={"status": ["pending", "in-progress"]} if i else {}, note=draw(st.text(max_size=5)))
                 for i in range(draw(st.integers(0, 3)))],
        links=[Link("202611-002", "related", "out")] if draw(st.booleans()) else [],
    )


@given(requests(), st.sampled_from(ZONES))
def test_the_json_of_a_request_is_every_field_in_order_with_local_times(request: Request, tz: ZoneInfo) -> None:
    data = request_to_json(request, tz)
    assert list(data) == [*JSON_KEYS, "links"]
    assert data == reference(request, tz)


def test_every_field_of_the_record_but_internal_ones_is_in_the_json() -> None:
    """A field added to Request and forgotten in the JSON fails here."""
    fields = {f.name for f in dataclasses.fields(Request)}
    assert fields == set(JSON_KEYS) | {"links"}


def test_the_text_of_format_1_is_pinned() -> None:
    """The stored JSON texts (storage/json_docs.py) are read while they were made with
    REQUEST_JSON_VERSION: a change to what `request_json_text` writes must come with a new
    version (then every stored text is made again), and this text with it."""
    from reqtrack.domain.request_json import request_json_text
    from reqtrack.storage.json_docs import REQUEST_JSON_VERSION

    def utc(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    request = Request(
        id="202603-007", customer="ACME 客户", description='导出\n"慢"\x1b', submitted_at=utc("2026-03-08T06:59:59"),
        status="in-progress", priority="high", owner="Li", due=utc("2026-03-20T03:59:59"), due_is_date=True,
        scores={"value": 5, "urgency": 6, "cost": 3, "impact": 9}, waiting=True,
        attachments=[Attachment(name="a.png", size=3, sha256="ab", number=1)],
        history=[HistoryEntry(1, utc("2026-03-08T06:59:59"), "new", "lead", {"customer": [None, "ACME 客户"]}, ""),
                 HistoryEntry(2, utc("2026-03-08T07:00:00.5"), "assign", "lead", {"status": ["pending", "in-progress"]},
                              "ok")],
        links=[Link("202603-001", "related", "in")])
    assert REQUEST_JSON_VERSION == "1"
    assert request_json_text(request, ZoneInfo("America/New_York")) == (
        '{"id": "202603-007", "source": null, "proposer": null, "customer": "ACME 客户", "type": null, '
        '"description": "导出\\n\\"慢\\"\\u001b", "attachments": [{"number": 1, "name": "a.png", "size": 3, "sha256": '
        '"ab"}], "submitted_at": "2026-03-08T01:59:59-05:00", "liaison": null, "priority": "high", "owner": "Li", '
        '"department": null, "due": "2026-03-19T23:59:59-04:00", "completed_at": null, "status": "in-progress", '
        '"history": [{"seq": 1, "at": "2026-03-08T01:59:59-05:00", "action": "new", "actor": "lead", "changes": '
        '{"customer": [null, "ACME 客户"]}, "note": ""}, {"seq": 2, "at": "2026-03-08T03:00:00.500000-04:00", '
        '"action": "assign", "actor": "lead", "changes": {"status": ["pending", "in-progress"]}, "note": "ok"}], '
        '"verification": null, "satisfaction": null, "notes": null, "contact": null, "feasibility": null, "scores": '
        '{"value": 5, "urgency": 6, "cost": 3, "impact": 9}, "priority_reason": null, "assign_reason": null, '
        '"verification_note": null, "responded_at": null, "closed_at": null, "waiting": true, "due_is_date": true, '
        '"links": [{"id": "202603-001", "kind": "related", "direction": "in"}]}')
