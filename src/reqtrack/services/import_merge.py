"""Import, phase B: the rows against the database. Rows are matched to stored requests (by ID,
or for rows without one by submission minute + customer + description), compared with them
(the changes applied to the loaded request, the process log checked to be no older than the
history), refused when they would put masked names over real ones, and new requests are built
with generated IDs (docs/excel.md, "Import").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.errors import Message, Rendering, plural
from ..domain.lifecycle import FIRST_ACTIONS, RESPONSE_ACTIONS
from ..domain.record import Attachment, HistoryEntry, Request, format_request_id, parse_generated_id
from ..excel.columns import TIME_COLUMNS, VOCABULARY_COLUMNS, Column
from ..excel.masking import masked_copy
from ..excel.rows import local_minute, log_line
from ..excel.safety import strip_cut_marker
from ..excel.validator import parse_process_log
from .import_rows import MASKED_MESSAGE, TEXT_EXACT, TEXT_TRIMMED, ImportProblem, ParsedRow, ProcessLog

if TYPE_CHECKING:
    from ..storage.repository import Repository


# -- masked names over real ones --------------------------------------------------------------------
def masked_cells(request: Request, row: ParsedRow, columns: set[str], by_key: dict[str, Column],
                  tz: ZoneInfo) -> list[ImportProblem]:
    """The cells of a row that would put masked names over the stored request's real ones: a name
    that is the stored name masked (王经理 → 王**) or looks masked, a text (description, notes,
    reasons, process log) that is the stored text with its names hidden as `export --mask` hides
    them. Checked before the row is compared (which changes the request)."""
    values = row.values
    by_name = {key: name for key, name, _ in row.mask_like}
    problems = [ImportProblem(row.number, name, value, MASKED_MESSAGE, masked=True)
                for key, name, value in row.mask_like
                if value != (request.owner if key == "owner" else getattr(request, key))]
    texts = [key for key in ("description", "notes", "priority_reason", "assign_reason", "verification_note")
             if isinstance(values.get(key), str) and values[key] != getattr(request, key)]
    names = [key for key in ("proposer", "contact", "liaison") if key in values and key not in by_name
             and values[key] != getattr(request, key)]
    owner = "owner" in values and "owner" not in by_name and owner_from(values, columns)[1] != request.owner
    entries = row.log[0] or []
    log_differs = bool(values.get("history")) and bool(entries) and any(
        (local_minute(e.at, tz), e.action, e.note) not in _history_keys(request, tz) for e in entries)
    if not (texts or names or owner or log_differs):
        return problems  # the usual case (an unchanged re-import): no masked copy needed
    masked = masked_copy(request)
    for key in names + texts:
        if values[key] == getattr(masked, key):
            problems.append(ImportProblem(row.number, by_key[key].name, values[key],
                                          Message("is the stored value with its names masked"), masked=True))
    if owner and owner_from(values, columns)[1] == masked.owner:
        problems.append(ImportProblem(row.number, by_key["owner"].name, values["owner"][1],
                                      Message("is the stored owner with the name masked"), masked=True))
    if log_differs:
        hidden = _history_keys(masked, tz)
        if all((local_minute(e.at, tz), e.action, e.note) in hidden for e in entries):
            problems.append(ImportProblem(row.number, by_key["history"].name, None,
                                          Message("the process log is the stored one with its names masked"), masked=True))
    return problems


def _history_keys(request: Request, tz: ZoneInfo) -> set[tuple[datetime, str, str]]:
    return {(local_minute(e.at, tz), e.action, e.note) for e in request.history}


# -- comparing a row with the stored request ----------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class Comparison:
    """The changes a row makes to an existing request (applied to it as they are found)."""

    def __init__(self, request: Request, tz: ZoneInfo, log_tz: ZoneInfo | None = None) -> None:
        self.request = request
        self.tz = tz
        self.log_tz = log_tz or tz  # the zone of the file's process-log times
        self.changes: dict[str, list[Any]] = {}
        self.new_attachments: list[Attachment] = []
        self.log_added: list[str] = []
        self.problem: Message | None = None

    def set(self, name: str, value: Any) -> None:
        old = getattr(self.request, name)
        if old != value:
            self.changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(self.request, name, value)

    def same_minute(self, old: datetime | None, new: datetime | None) -> bool:
        if old is None or new is None:
            return old is new
        return local_minute(old, self.tz) == local_minute(new, self.tz)


def compare(request: Request, row: ParsedRow, tz: ZoneInfo, columns: set[str],
             log_tz: ZoneInfo | None = None) -> Comparison:
    """Apply the row's cells to the loaded request; empty optional cells clear their field."""
    cmp = Comparison(request, tz, log_tz)
    values = row.values
    for key, value in values.items():
        if key in TEXT_EXACT or key in TEXT_TRIMMED:
            if key == "department" and "owner" in columns:
                continue  # handled with the owner cell
            if key == "verification_note" and "verification" in columns:
                continue
            old = getattr(request, key)
            if isinstance(value, str):
                body, cut = strip_cut_marker(value)
                if cut and old and old.startswith(body):
                    continue  # the sheet holds the part Excel could; the full text stays
            if value is None and key in ("customer", "description"):
                continue
            cmp.set(key, value)
        elif key in VOCABULARY_COLUMNS:
            if value is None and key == "status":
                continue
            cmp.set(key, value)
        elif key in TIME_COLUMNS:
            if value is None and key == "submitted_at":
                continue
            if not cmp.same_minute(getattr(request, key), value):
                cmp.set(key, value)
        elif key == "due":
            if value is None:
                cmp.set("due", None)
                cmp.set("due_is_date", False)
                continue
            moment, date_only = value
            old = request.due
            if date_only:
                same = old is not None and request.due_is_date and old.astimezone(tz).date() == moment.astimezone(tz).date()
            else:
                same = not request.due_is_date and cmp.same_minute(old, moment)
            if not same:
                cmp.set("due", moment)
                cmp.set("due_is_date", date_only)
        elif key == "owner":
            department, owner = owner_from(values, columns)
            cmp.set("department", department)
            cmp.set("owner", owner or None)
        elif key == "verification":
            verdict, note = value
            cmp.set("verification", verdict)
            cmp.set("verification_note", values.get("verification_note") if "verification_note" in columns else note)
        elif key == "attachments":
            have = [a.name for a in request.attachments]
            missing = [name for name in value if name not in have]
            if missing:
                number = max((a.number for a in request.attachments), default=0)
                for name in missing:
                    number += 1
                    attachment = Attachment(name=name, number=number)
                    cmp.new_attachments.append(attachment)
                    request.attachments.append(attachment)
                cmp.changes["attachments"] = [have, have + missing]
        elif key in ("scores", "waiting"):
            cmp.set(key, value)
        elif key == "history":
            _compare_log(cmp, value, row.log)
    return cmp


def _compare_log(cmp: Comparison, text: str | None, parsed: ProcessLog | None = None) -> None:
    """Check that the sheet's process log is not older than the database, and find its lines
    that the history lacks. An empty cell leaves the history alone. `parsed` is the cell as
    `parse_process_log` read it (read again when not given)."""
    if not text:
        return
    request, tz = cmp.request, cmp.tz
    history = [(local_minute(e.at, tz), e.action, e.note) for e in request.history]
    recorded_by_imports = "\n".join(e.note for e in request.history if e.action == "import")
    entries, cut = parsed if parsed is not None else parse_process_log(text, cmp.log_tz)
    if entries is None:
        own = [h for h, e in zip(history, request.history) if e.action != "import"]
        if own:
            cmp.problem = _stale_message(request, len(own), tz)
        elif text not in recorded_by_imports:
            cmp.log_added.append(text)
        return
    in_cell = Counter((local_minute(e.at, tz), e.action, e.note) for e in entries)
    lacking = 0
    remaining = Counter(in_cell)
    for key, stored in zip(history, request.history):
        if remaining[key] > 0:
            remaining[key] -= 1
        elif stored.action != "import":
            lacking += 1
    if lacking and not cut:
        cmp.problem = _stale_message(request, lacking, tz)
        return
    for entry in entries:
        key = (local_minute(entry.at, tz), entry.action, entry.note)
        if remaining[key] > 0:
            if entry.text not in recorded_by_imports:
                cmp.log_added.append(entry.text)
            remaining[key] -= 1


def owner_from(values: dict[str, Any], columns: set[str]) -> tuple[str | None, str | None]:
    """(department, owner) from the "dept/person" cell; with a separate department column (an
    `--extra` export) that column says where the department ends, even if it contains `/`."""
    department, owner = values["owner"]
    if "department" not in columns:
        return department, owner
    given = values.get("department")
    cell = f"{department}/{owner or ''}" if department is not None else (owner or "")
    if not given:
        return None, cell or None
    if cell.startswith(given + "/"):
        return given, cell[len(given) + 1:] or None
    return given, owner


@dataclass(frozen=True)
class _LogLine:
    """A history entry in a message as the process-log cell writes it, in the message's language."""

    entry: HistoryEntry
    tz: ZoneInfo

    def shown(self, how: Rendering) -> str:
        return log_line(self.entry, self.tz, how.lang)


def _stale_message(request: Request, lacking: int, tz: ZoneInfo) -> Message:
    newest = max(request.history, key=lambda e: e.seq)
    return Message("{rid} has {entries} in reqtrack that this sheet's process log lacks (newest: {newest!r}); the sheet "
                   "is older than the database or its log was edited: export a fresh sheet, or empty the process-log "
                   "cell to leave the history as it is", rid=request.id, newest=_LogLine(newest, tz),
                   entries=plural(lacking, "{n} history entry", "{n} history entries"))


def _description_key(submitted: datetime, customer: str, description: str, tz: ZoneInfo) -> bytes:
    """What a row without an ID and a stored request must share to be the same request: the
    submission minute (local), the customer (trimmed) and the description, as one digest."""
    text = f"{local_minute(submitted, tz).isoformat()}\x00{customer.strip()}\x00{description}"
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


class RowsWithoutId:
    """Rows without an ID that are already in the database (same submission minute, customer
    and description, as when the same old sheet is imported twice) take that request's ID.

    The rows are noted as they pass (a digest each, and the span of their submission times);
    once the whole file is read, `load` reads the stored requests of that span once, leaving out
    those an ID of the file names, and `target` gives each noted row, in the file's order, the
    first stored request of its key that no earlier row took."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.wanted: set[bytes] = set()
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.known: dict[bytes, list[str]] = {}

    def _key(self, row: ParsedRow) -> bytes | None:
        values = row.values
        if row.id is not None or not (values.get("submitted_at") and values.get("customer") and values.get("description")):
            return None
        return _description_key(values["submitted_at"], values["customer"], values["description"], self.tz)

    def note(self, row: ParsedRow) -> None:
        key = self._key(row)
        if key is None:
            return
        self.wanted.add(key)
        minute = row.values["submitted_at"].replace(second=0)
        self.since = minute if self.since is None else min(self.since, minute)
        self.until = minute if self.until is None else max(self.until, minute)

    def load(self, repo: Repository | None, explicit: set[str]) -> None:
        """Read the stored candidates (`explicit`: the IDs the file's rows name)."""
        if repo is None or self.since is None or self.until is None:
            return
        for request_id, submitted, customer, description in repo.submissions_between(
                self.since, self.until + timedelta(seconds=59)):
            key = _description_key(submitted, customer, description, self.tz)
            if key in self.wanted and request_id not in explicit:
                self.known.setdefault(key, []).append(request_id)

    def target(self, row: ParsedRow) -> str | None:
        """The stored request the row is (taken: no later row gets it), or None."""
        key = self._key(row)
        ids = self.known.get(key) if key is not None else None
        return ids.pop(0) if ids else None


# -- creating requests ---------------------------------------------------------------------------
def new_request(row: ParsedRow, request_id: str, tz: ZoneInfo, now: datetime, actor: str, label: str,
                 columns: set[str]) -> Request:
    """A request new to the database from a row; `tz` is the zone of the file's times."""
    values = row.values
    submitted = values.get("submitted_at") or now
    request = Request(id=request_id, customer=values["customer"], description=values["description"],
                      submitted_at=submitted, status=values.get("status") or "pending")
    for key in (*TEXT_EXACT, *TEXT_TRIMMED, "source", "type", "priority", "satisfaction", "feasibility",
                "completed_at", "responded_at", "closed_at", "scores", "waiting"):
        if key in values and key not in ("customer", "description"):
            setattr(request, key, values[key])
    if "due" in values and values["due"] is not None:
        request.due, request.due_is_date = values["due"]
    if "owner" in values:
        request.department, request.owner = owner_from(values, columns)
    if "verification" in values:
        request.verification, note = values["verification"]
        request.verification_note = values.get("verification_note") if "verification_note" in columns else note
    request.attachments = [Attachment(name=name, number=i) for i, name in enumerate(values.get("attachments") or [], 1)]
    log = values.get("history")
    entries, _ = row.log
    if entries:
        history = [HistoryEntry(seq=0, at=e.at, action=e.action, actor=actor, note=e.note) for e in entries]
        if history[0].action not in FIRST_ACTIONS:  # the sheet lost its registration line: say so first
            history.insert(0, HistoryEntry(seq=0, at=min(submitted, history[0].at), action="import", actor=actor,
                                           note=f"imported from {label}, row {row.number}; its process log "
                                                "has no registration line"))
        for seq, entry in enumerate(history, start=1):
            entry.seq = seq
        request.history = history
    else:  # foreign text: one imported note; an empty cell: where the request came from
        note = log if entries is None else f"imported from {label}, row {row.number}"
        request.history = [HistoryEntry(seq=1, at=now, action="import", actor=actor, note=note or "")]
    if "responded_at" not in columns:
        request.responded_at = next((e.at for e in request.history if e.action in RESPONSE_ACTIONS), None)
    if "closed_at" not in columns and request.status == "closed":
        request.closed_at = max((e.at for e in request.history if e.action == "close"), default=None)
    return request


class Ids:
    """Generated IDs: `YYYYMM-NNN` after the month's highest, in the database or in the file (every
    ID of the file `saw` before the first is generated)."""

    def __init__(self, repo: Repository | None) -> None:
        self.repo = repo
        self.highest_in_file: dict[str, int] = {}
        self.next: dict[str, int] = {}

    def saw(self, request_id: str) -> None:
        """An ID a row of the file names."""
        parsed = parse_generated_id(request_id)
        if parsed:
            month, seq = parsed
            if seq > self.highest_in_file.get(month, 0):
                self.highest_in_file[month] = seq

    def new(self, submitted: datetime, tz: ZoneInfo) -> str:
        month = submitted.astimezone(tz).strftime("%Y%m")
        if month not in self.next:
            from_db = self.repo.next_sequence(month) if self.repo is not None else 1
            self.next[month] = max(from_db, self.highest_in_file.get(month, 0) + 1)
        seq = self.next[month]
        self.next[month] = seq + 1
        return format_request_id(month, seq)
