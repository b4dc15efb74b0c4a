"""SQLModel tables. Their columns match the DDL of the migrations (migrations.py), which is what
creates them; these classes only map them for the repository.

Times are stored as UTC text `YYYY-MM-DDTHH:MM:SSZ`: unambiguous, and sortable as text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, LargeBinary, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_stored_time(value: datetime | None) -> str | None:
    """An aware datetime as stored text (UTC, seconds)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    # isoformat, not strftime(TIME_FORMAT): %Y writes year 24 as "24", which nothing reads back.
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def from_stored_time(value: str | None) -> datetime | None:
    """Stored text back to an aware UTC datetime (never fails: see reader.UNREADABLE_TIME)."""
    if value is None:
        return None
    from .reader import time_from_stored

    return time_from_stored(value)


class UtcTime(TypeDecorator):
    """Aware datetime ⇄ UTC text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return to_stored_time(value)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return from_stored_time(value)


def _time(**kwargs: Any) -> Any:
    return Field(default=None, sa_column=Column(UtcTime(), **kwargs))


class RequestRow(SQLModel, table=True):
    """One request: the template's columns plus the kept extras."""

    __tablename__ = "request"

    id: str = Field(primary_key=True)
    id_month: Optional[str] = None
    id_seq: Optional[int] = None
    customer: str
    description: str
    submitted_at: datetime = Field(sa_column=Column(UtcTime(), nullable=False))
    status: str
    source: Optional[str] = None
    proposer: Optional[str] = None
    contact: Optional[str] = None
    type: Optional[str] = None
    liaison: Optional[str] = None
    priority: Optional[str] = None
    owner: Optional[str] = None
    department: Optional[str] = None
    due: Optional[datetime] = _time()
    due_is_date: bool = False
    completed_at: Optional[datetime] = _time()
    verification: Optional[str] = None
    verification_note: Optional[str] = None
    satisfaction: Optional[str] = None
    notes: Optional[str] = None
    feasibility: Optional[str] = None
    scores: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    priority_reason: Optional[str] = None
    assign_reason: Optional[str] = None
    responded_at: Optional[datetime] = _time()
    closed_at: Optional[datetime] = _time()
    waiting: bool = False
    updated_at: Optional[datetime] = _time()


class EventRow(SQLModel, table=True):
    """One history entry; never updated or deleted."""

    __tablename__ = "event"

    request_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(UtcTime(), nullable=False))
    action: str
    actor: str
    changes: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    note: str = ""


class AttachmentRow(SQLModel, table=True):
    """A file given by the customer, kept inside the database."""

    __tablename__ = "attachment"

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: str
    number: int
    name: str
    size: Optional[int] = None
    sha256: Optional[str] = None
    content: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))
    added_at: Optional[datetime] = _time()


class SettingRow(SQLModel, table=True):
    """A setting shared by everyone who uses the database (time zone, calendar, SLA)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class ImportLogRow(SQLModel, table=True):
    """One import: which file, when, by whom, and how many rows did what."""

    __tablename__ = "import_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    file: str
    at: datetime = Field(sa_column=Column(UtcTime(), nullable=False))
    actor: str
    rows: int
    created: int
    updated: int
    unchanged: int
