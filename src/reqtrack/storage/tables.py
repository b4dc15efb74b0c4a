"""SQLModel tables. Their columns match the DDL of the migrations (migrations.py), which is what
creates them; these classes only map them for the repository.

Times are stored as UTC text `YYYY-MM-DDTHH:MM:SSZ`: unambiguous, and sortable as text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

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
    id_month: str | None = None
    id_seq: int | None = None
    customer: str
    description: str
    submitted_at: datetime = Field(sa_column=Column(UtcTime(), nullable=False))
    status: str
    source: str | None = None
    proposer: str | None = None
    contact: str | None = None
    type: str | None = None
    liaison: str | None = None
    priority: str | None = None
    owner: str | None = None
    department: str | None = None
    due: datetime | None = _time()
    due_is_date: bool = False
    completed_at: datetime | None = _time()
    verification: str | None = None
    verification_note: str | None = None
    satisfaction: str | None = None
    notes: str | None = None
    feasibility: str | None = None
    scores: dict | None = Field(default=None, sa_column=Column(JSON))
    priority_reason: str | None = None
    assign_reason: str | None = None
    responded_at: datetime | None = _time()
    closed_at: datetime | None = _time()
    waiting: bool = False
    updated_at: datetime | None = _time()


class EventRow(SQLModel, table=True):
    """One history entry; never updated or deleted."""

    __tablename__ = "event"

    request_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(UtcTime(), nullable=False))
    action: str
    actor: str
    changes: dict | None = Field(default=None, sa_column=Column(JSON))
    note: str = ""


class AttachmentRow(SQLModel, table=True):
    """A file given by the customer, kept inside the database."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    request_id: str
    number: int
    name: str
    size: int | None = None
    sha256: str | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    added_at: datetime | None = _time()


class SettingRow(SQLModel, table=True):
    """A setting shared by everyone who uses the database (time zone, calendar, SLA)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class ImportLogRow(SQLModel, table=True):
    """One import: which file, when, by whom, and how many rows did what."""

    __tablename__ = "import_log"

    id: int | None = Field(default=None, primary_key=True)
    file: str
    at: datetime = Field(sa_column=Column(UtcTime(), nullable=False))
    actor: str
    rows: int
    created: int
    updated: int
    unchanged: int
