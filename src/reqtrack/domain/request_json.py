"""A request as scripts read it: its JSON object (every field of the record, English vocabulary
keys, times as ISO 8601 text in the database's zone) and that object as one line of compact
JSON text — what `list --format json` prints for each request, and what the services keep
stored beside each request (table request_json, services/documents.py) so that listing
thousands of requests is a read of their texts. Pure.

A change to what `request_json` makes is a new REQUEST_JSON_VERSION (storage/json_docs.py):
the stored texts of the old one are then made again (tests/unit/test_request_json.py pins
one text of each version).
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from .isotime import iso_writer
from .record import Request

# The keys of a request in JSON and CSV (English vocabulary keys, ISO times): the template's
# columns first, then the fields kept beside them (docs/excel.md lists both).
JSON_KEYS = (
    "id", "source", "proposer", "customer", "type", "description", "attachments", "submitted_at", "liaison",
    "priority", "owner", "department", "due", "completed_at", "status", "history", "verification", "satisfaction",
    "notes", "contact", "feasibility", "scores", "priority_reason", "assign_reason", "verification_note",
    "responded_at", "closed_at", "waiting", "due_is_date",
)
# The text of an object or array on one line (", " and ": " between its parts), non-ASCII kept:
# the C encoder, which `indent` would have traded for the pure-Python one.
ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def request_json(request: Request, tz: ZoneInfo) -> dict[str, Any]:
    """Every key of JSON_KEYS, in its order (English vocabulary keys, ISO times); history oldest
    first; then `links`, both ways: [{id, kind, direction}] (`out`: from this request, `in`: to
    it). Spelled out field by field: `list --format json` makes one for each of thousands of
    requests, and a loop over JSON_KEYS with getattr was a fifth of its time; the times are
    written by `domain.isotime.iso_writer` (astimezone + isoformat were half of the rest)."""
    r = request
    write = iso_writer(tz)
    return {
        "id": r.id, "source": r.source, "proposer": r.proposer, "customer": r.customer, "type": r.type,
        "description": r.description,
        "attachments": [{"number": a.number, "name": a.name, "size": a.size, "sha256": a.sha256} for a in r.attachments],
        "submitted_at": write(r.submitted_at), "liaison": r.liaison, "priority": r.priority,
        "owner": r.owner, "department": r.department, "due": write(r.due), "completed_at": write(r.completed_at),
        "status": r.status,
        "history": [{"seq": e.seq, "at": write(e.at), "action": e.action, "actor": e.actor, "changes": e.changes,
                     "note": e.note} for e in r.history],
        "verification": r.verification,
        "satisfaction": r.satisfaction, "notes": r.notes, "contact": r.contact, "feasibility": r.feasibility,
        "scores": r.scores, "priority_reason": r.priority_reason, "assign_reason": r.assign_reason,
        "verification_note": r.verification_note, "responded_at": write(r.responded_at),
        "closed_at": write(r.closed_at), "waiting": r.waiting, "due_is_date": r.due_is_date,
        "links": [link.to_json() for link in r.links],
    }


def request_json_text(request: Request, tz: ZoneInfo) -> str:
    """`request_json` as one line of compact JSON text: one element of `list --format json`
    (views.output.dump_json_lines lays them out and escapes what a terminal would obey)."""
    return ENCODE(request_json(request, tz))
