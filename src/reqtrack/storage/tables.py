"""The schema, declared once: one SQLModel model per table, as the migrations (migrations.py)
create it. tests/integration/test_storage.py checks that the tables of a freshly created database are
exactly these (names, columns, type affinity, NOT NULL, primary keys).

Nothing on the everyday path imports this module: the repository (repository.py) reads and
writes through a plain DB-API connection, so a command does not pay ~300 ms for importing
SQLAlchemy, SQLModel and pydantic. The models declare the stored form of each column: times
are UTC text (`YYYY-MM-DDTHH:MM:SSZ`; running deadlines with microseconds), JSON is text, flags
are 0/1 integers (storage/stored.py converts them to and from domain values).
"""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class RequestRow(SQLModel, table=True):
    """One request: the template's columns plus the kept extras."""

    __tablename__ = "request"

    id: str = Field(primary_key=True)
    id_month: str | None = None
    id_seq: int | None = None
    customer: str
    description: str
    submitted_at: str  # a stored time
    status: str
    source: str | None = None
    proposer: str | None = None
    contact: str | None = None
    type: str | None = None
    liaison: str | None = None
    priority: str | None = None
    owner: str | None = None
    department: str | None = None
    due: str | None = None
    due_is_date: int = 0
    completed_at: str | None = None
    verification: str | None = None
    verification_note: str | None = None
    satisfaction: str | None = None
    notes: str | None = None
    feasibility: str | None = None
    scores: str | None = None  # JSON
    priority_reason: str | None = None
    assign_reason: str | None = None
    responded_at: str | None = None
    closed_at: str | None = None
    waiting: int = 0
    updated_at: str | None = None  # the latest event's time


class EventRow(SQLModel, table=True):
    """One history entry; never updated or deleted."""

    __tablename__ = "event"

    request_id: str = Field(primary_key=True, foreign_key="request.id")
    seq: int = Field(primary_key=True)
    at: str
    action: str
    actor: str
    changes: str | None = None  # JSON
    note: str = ""


class AttachmentRow(SQLModel, table=True):
    """A file given by the customer, kept inside the database."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="request.id")
    number: int
    name: str
    size: int | None = None
    sha256: str | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    added_at: str | None = None


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
    at: str
    actor: str
    rows: int
    created: int
    updated: int
    unchanged: int


class SlaOpenRow(SQLModel, table=True):
    """The deadlines of an open request's running SLA clocks (derived, migration m004)."""

    __tablename__ = "sla_open"

    request_id: str = Field(primary_key=True, foreign_key="request.id")
    valid_from: str
    response_by: str | None = None
    plan_by: str | None = None
    resolution_by: str | None = None
    due_by: str | None = None
    stale_at: str | None = None
    next_breach: str | None = None


class DerivedRow(SQLModel, table=True):
    """What a kind of derived data was computed with (m004)."""

    __tablename__ = "derived"

    name: str = Field(primary_key=True)
    basis: str


class CountryDayRow(SQLModel, table=True):
    """A country's public holidays and make-up days of one year, as the package gave them (m004)."""

    __tablename__ = "country_day"

    country: str = Field(primary_key=True)
    subdivision: str = Field(default="", primary_key=True)
    year: int = Field(primary_key=True)
    holidays: str  # ISO dates separated by commas
    workdays: str
    source: str


class ReportFactRow(SQLModel, table=True):
    """Per request, what the report reads that does not depend on the settings (m005)."""

    __tablename__ = "report_fact"

    submitted: str = Field(primary_key=True)
    request_id: str = Field(primary_key=True, foreign_key="request.id")
    recorded_end: str
    responded: str | None = None
    assigned: int
    completed: int
    verified: int
    closed: int
    status: str
    type: str | None = None
    source: str | None = None
    priority: str | None = None
    customer: str | None = None
    owner: str | None = None
    department: str | None = None
    recurrence: int = 0  # linked as the recurrence of another request (m007)
    replay: int = 0  # a report at a cut before its last change replays its history (m009)
    answered_after: int | None = None  # seconds from the submission to the first response (m009)


class ReportCompletionRow(SQLModel, table=True):
    """One completion of a request and when it stood (m005; spans and the far end since m009)."""

    __tablename__ = "report_completion"

    valid_until: str = Field(primary_key=True)
    at: str = Field(primary_key=True)
    request_id: str = Field(primary_key=True, foreign_key="request.id")
    seq: int = Field(primary_key=True)
    valid_from: str = Field(primary_key=True)
    start: str
    completed: str | None = None
    priority: str | None = None
    due: str | None = None
    pauses: str | None = None  # JSON
    as_of: str | None = None
    owner: str | None = None
    department: str | None = None
    recorded_end: str
    days: str | None = None  # the verdicts under the settings of derived.report_verdicts (m009)
    met: int | None = None
    on_time: int | None = None


class RequestStateRow(SQLModel, table=True):
    """A request as it stood from one recorded moment to the next (derived, m009)."""

    __tablename__ = "request_state"

    request_id: str = Field(primary_key=True, foreign_key="request.id")
    valid_from: str = Field(primary_key=True)
    valid_until: str
    status: str
    is_open: int
    span: int  # the least L with a length of at most 2^L hours; 99: no end
    fields: str | None = None  # JSON
    assigned: int
    completed: int
    verified: int
    closed: int
    recurrence: int
    responded: str | None = None
    clocks: str | None = None  # JSON
    report_clocks: str | None = None  # JSON


class ReportEventRow(SQLModel, table=True):
    """An entry the report's event counts read (m005)."""

    __tablename__ = "report_event"

    kind: str = Field(primary_key=True)
    at: str = Field(primary_key=True)
    request_id: str = Field(primary_key=True, foreign_key="request.id")
    seq: int = Field(primary_key=True)
    value: str | None = None
    submitted: str
    later: str | None = None  # a rating: the time of the request's next rating (m009)
    ordered: int = 1  # the request's history is in time order (m009)


class VocabularyRow(SQLModel, table=True):
    """A database's own entry of `source` or `type`: added, or a built-in one edited (m006)."""

    __tablename__ = "vocabulary"

    field: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    en: str
    zh_cn: str
    zh_tw: str
    aliases: str = "[]"  # JSON array of text
    department: str | None = None
    retired: int = 0
    position: int


class LinkRow(SQLModel, table=True):
    """A link from one request to another (m007): related, duplicate, recurrence, depends-on."""

    __tablename__ = "link"

    request_id: str = Field(primary_key=True, foreign_key="request.id")
    other_id: str = Field(primary_key=True, foreign_key="request.id")
    kind: str
    at: str  # a stored time: when it was linked


class SearchDocRow(SQLModel, table=True):
    """A request's search document, normalised (domain.search; m007). The full-text index over it
    is the engine's and is not declared here (docs/search.md): SQLite's FTS5 tables search_fts*
    and search_vocab, PostgreSQL's GIN indexes; the schema test leaves them out."""

    __tablename__ = "search_doc"

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="request.id", unique=True)
    is_open: int
    customer: str
    proposer: str
    description: str
    notes: str
    progress: str


class RequestJsonRow(SQLModel, table=True):
    """A request as one line of compact JSON in the database's zone (domain.request_json; derived,
    m010): what `list --format json` prints for it."""

    __tablename__ = "request_json"

    request_id: str = Field(primary_key=True, foreign_key="request.id")
    body: str


class TemplateRow(SQLModel, table=True):
    """A notice template the team set for one kind and language (m008_notice_templates_and_people):
    the whole text, subject line, blank line and body (the built-in one is used where none is set)."""

    __tablename__ = "template"

    kind: str = Field(primary_key=True)
    lang: str = Field(primary_key=True)
    body: str
    updated_at: str  # a stored time
    updated_by: str


class PersonRow(SQLModel, table=True):
    """A person who appears as owner or liaison, with the address `remind --send` writes to
    (m008_notice_templates_and_people)."""

    __tablename__ = "person"

    name: str = Field(primary_key=True)
    email: str | None = None
    department: str | None = None
