"""The request record: the template's 18 columns plus the fields reqtrack keeps beside them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .errors import InvalidInput, Listed, Message
from .vocab import OPEN_STATUSES

ID_PATTERN = re.compile(r"^(\d{6})-(\d{3,})$")

# The years a time may have, wherever it comes from (a command's --at/--due, an imported cell,
# a process-log line): every part can handle them — the working-day calendar and the holidays
# package, Excel's serial dates (from 1900), the stored `YYYY-MM-DDTHH:MM:SSZ` text (4 digits),
# the conversions between zones. Inputs are checked in local time; storage, in UTC, allows the
# day either side so that any zone's 1900-01-01 00:00 and 2999-12-31 23:59 fit.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999
TIME_RANGE = Message("reqtrack keeps times from {first}-01-01 to {last}-12-31", first=EARLIEST_YEAR, last=LATEST_YEAR)
TIME_RANGE_TEXT = str(TIME_RANGE)  # in English


def year_in_range(year: int) -> bool:
    """Whether a (local) year is one reqtrack takes as input."""
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def storable_time(value: datetime) -> bool:
    """Whether an aware time may be stored: its UTC date within the input range, a day either side."""
    if value.tzinfo is timezone.utc and EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return True  # the common case, without a time tuple
    try:
        utc = value.utctimetuple()
    except (OverflowError, ValueError):
        return False
    return (EARLIEST_YEAR - 1, 12, 31) <= (utc.tm_year, utc.tm_mon, utc.tm_mday) <= (LATEST_YEAR + 1, 1, 1)
SCORE_NAMES = ("value", "urgency", "cost", "impact")


def format_request_id(month: str, sequence: int) -> str:
    """`YYYYMM-NNN`: three digits, four or more past 999."""
    return f"{month}-{sequence:03d}"


def parse_generated_id(request_id: str) -> tuple[str, int] | None:
    """(month, sequence) of an ID in reqtrack's own form, None for a foreign ID such as TEL-002."""
    match = ID_PATTERN.match(request_id)
    if not match:
        return None
    return match.group(1), int(match.group(2))


@dataclass
class HistoryEntry:
    """One action on a request. History is append-only: entries are never rewritten."""

    seq: int
    at: datetime
    action: str
    actor: str
    changes: Mapping[str, list[Any]] = field(default_factory=dict)  # field -> [old, new]
    note: str = ""


@dataclass
class Attachment:
    """A file the customer gave; its content lives in the database (None when only the name is known)."""

    name: str
    size: int | None = None
    sha256: str | None = None
    added_at: datetime | None = None
    number: int = 0  # 1-based position within the request, used by `attachment ID N`


@dataclass(frozen=True)
class Link:
    """A link to another request as this one sees it (domain/links.py has the rules): the other
    request's ID, the kind (related, duplicate, recurrence, depends-on), and `out` (from this
    request to the other) or `in` (from the other to this one)."""

    id: str
    kind: str
    direction: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "direction": self.direction}


@dataclass
class Request:
    """A customer requirement or complaint and everything done about it."""

    id: str
    customer: str
    description: str
    submitted_at: datetime
    status: str = "pending"
    source: str | None = None
    proposer: str | None = None
    contact: str | None = None
    type: str | None = None
    liaison: str | None = None
    priority: str | None = None
    owner: str | None = None
    department: str | None = None
    due: datetime | None = None
    due_is_date: bool = False  # a due given as a date only means the end of that day
    completed_at: datetime | None = None
    verification: str | None = None
    verification_note: str | None = None
    satisfaction: str | None = None
    notes: str | None = None
    feasibility: str | None = None
    scores: dict[str, int] | None = None
    priority_reason: str | None = None
    assign_reason: str | None = None
    responded_at: datetime | None = None
    closed_at: datetime | None = None
    waiting: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # both ways, by the other's ID (table link)

    @property
    def latest_event_at(self) -> datetime | None:
        """Time of the newest history entry (None for a request not yet recorded)."""
        return max((entry.at for entry in self.history), default=None)

    @property
    def is_open(self) -> bool:
        """Pending, in progress or verifying."""
        return self.status in OPEN_STATUSES


def validate_scores(scores: dict[str, int | None]) -> dict[str, int] | None:
    """All four assessment scores 1–10, or none of them."""
    given = {name: value for name, value in scores.items() if value is not None}
    if not given:
        return None
    missing = [name for name in SCORE_NAMES if name not in given]
    if missing:
        raise InvalidInput("scores come as a set of four: give {missing} too (1-10 each)",
                           missing=Listed.of((f"--{name}" for name in missing), " "))
    for name, value in given.items():
        if not 1 <= int(value) <= 10:
            raise InvalidInput("--{name} must be between 1 and 10, not {value}", name=name, value=value)
    return {name: int(given[name]) for name in SCORE_NAMES}


# Weights of the assessment dimensions (analysis-and-assessment guide: customer value, urgency,
# resource cost, business impact). Cost counts against priority, so it enters as 11 - cost.
SCORE_WEIGHTS = {"value": 0.3, "urgency": 0.3, "impact": 0.3, "cost": 0.1}
HIGH_THRESHOLD = 7.0
MEDIUM_THRESHOLD = 4.0


def priority_score(scores: dict[str, int]) -> float:
    """Weighted score 1.0–10.0: 0.3·value + 0.3·urgency + 0.3·impact + 0.1·(11 − cost)."""
    return round(
        SCORE_WEIGHTS["value"] * scores["value"]
        + SCORE_WEIGHTS["urgency"] * scores["urgency"]
        + SCORE_WEIGHTS["impact"] * scores["impact"]
        + SCORE_WEIGHTS["cost"] * (11 - scores["cost"]),
        2,
    )


def priority_from_score(score: float) -> str:
    """high from 7.0, medium from 4.0, low below."""
    if score >= HIGH_THRESHOLD:
        return "high"
    if score >= MEDIUM_THRESHOLD:
        return "medium"
    return "low"


def mask_name(name: str | None) -> str | None:
    """Keep the first character, one `*` for each other: 王经理 → 王**."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)
