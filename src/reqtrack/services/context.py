"""What every service needs: the Context (database, actor, clock), the user's raw values read in
the database's zone and calendar (Inputs), and loading the histories of a batch of requests."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput, Message
from ..domain.record import Request
from ..domain.timeparse import ParsedTime, parse_time
from ..domain.vocabularies import Vocabularies

if TYPE_CHECKING:
    from ..domain.calendar import WorkingCalendar
    from ..storage.db import Database
    from ..storage.repository import Repository, UnitOfWork



class Work(Protocol):
    """A unit of work (storage.repository.UnitOfWork, for reading or writing),
    as the services read through it."""

    @property
    def requests(self) -> Repository: ...


def default_database_path() -> Path | str:
    """REQTRACK_DB (a file path or a postgresql:// URL), else `reqtrack.db` in the user's data
    directory."""
    if os.environ.get("REQTRACK_DB"):
        return database_location(os.environ["REQTRACK_DB"])
    from platformdirs import user_data_dir

    return Path(user_data_dir("reqtrack", appauthor=False)) / "reqtrack.db"


def database_location(text: str | Path) -> Path | str:
    """A --db value: a URL stays text (a Path would lose one of its slashes), a path is expanded."""
    text = str(text)
    if "://" in text:
        return text
    return Path(text).expanduser()


def current_actor() -> str:
    """Who is acting: REQTRACK_USER, else the login name."""
    if os.environ.get("REQTRACK_USER"):
        return os.environ["REQTRACK_USER"]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def system_clock() -> datetime:
    """Now, in UTC, to the second; REQTRACK_NOW (an ISO 8601 time with its offset) pins it, as
    given, for demos and tests."""
    pinned = os.environ.get("REQTRACK_NOW")
    if pinned:
        try:
            value = datetime.fromisoformat(pinned)
        except ValueError:
            raise InvalidInput("REQTRACK_NOW={pinned!r} is not an ISO 8601 time", pinned=pinned) from None
        if value.tzinfo is None:
            raise InvalidInput("REQTRACK_NOW needs a UTC offset, e.g. 2025-01-24T10:00:00+08:00")
        from ..domain.record import TIME_RANGE, storable_time

        if not storable_time(value):
            raise InvalidInput("REQTRACK_NOW={pinned!r} is out of range: {range}", pinned=pinned, range=TIME_RANGE)
        return value.astimezone(timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class Context:
    """What every service needs: where the database is (a file path or a postgresql:// URL), who
    acts, the clock, and the language people read."""

    db_path: Path | str
    actor: str = field(default_factory=current_actor)
    clock: Callable[[], datetime] = system_clock
    lang: str = "en"  # the language people read (the command line's --lang)
    zone: tzinfo | None = field(default=None, repr=False)  # the database's zone, once a command has read it (for errors)
    # Told before work that takes long once (the CLI says it on stderr); None: nobody is told.
    on_notice: Callable[[Message], None] | None = field(default=None, repr=False)
    _databases: dict[bool, Database] = field(default_factory=dict, repr=False)
    _now: datetime | None = field(default=None, repr=False)

    @property
    def now(self) -> datetime:
        """One instant for the whole command."""
        if self._now is None:
            self._now = self.clock()
        return self._now

    def database(self, write: bool) -> Database:
        """The open database (the file, or the team database on a server: storage.db.open_database);
        only writers create a missing one."""
        if write not in self._databases:
            from ..storage.db import open_database

            self._databases[write] = open_database(self.db_path, write=write)
        return self._databases[write]

    def close(self) -> None:
        """The command is over: a server connection kept for its next unit of work is closed (a
        process running many commands, a test, would otherwise keep one per command until the
        garbage collector finds it)."""
        for db in self._databases.values():
            release = getattr(db, "release", None)
            if release is not None:
                release()

    def database_exists(self) -> bool:
        """Whether there is a reqtrack database at the location yet (nothing is created)."""
        from ..storage.db import database_exists

        return database_exists(self.db_path)

    @property
    def on_server(self) -> bool:
        """Whether the database is on a PostgreSQL server rather than in a file."""
        from ..storage.db import is_server_url

        return is_server_url(self.db_path)

    def upgrades(self) -> list[tuple[str, int, Path | None]]:
        """(database, old schema version, copy of the old file) for each database this command
        opened that was upgraded from an older schema; once each, also when the read and the
        write connection both saw it."""
        seen: dict[object, tuple[str, int, Path | None]] = {}
        for db in self._databases.values():
            if db.migrated_from is not None:
                seen.setdefault(db.backup_path or db.label, (db.label, db.migrated_from, db.backup_path))
        return list(seen.values())

    def unit_of_work(self, write: bool, new: bool = False) -> UnitOfWork:
        """A unit of work (`write`: it takes the write lock; else a read-only snapshot). `new` (a
        write on a database that is not there yet): the database is made for this unit of work
        and appears only if it commits; otherwise nothing is left (storage.db.open_database)."""
        from ..storage.repository import UnitOfWork

        if new and write:
            from ..storage.db import open_database

            self._databases[True] = open_database(self.db_path, write=True, new=True)
        uow = UnitOfWork(self.database(write))
        uow.notice = self.on_notice
        return uow

    def reader(self) -> UnitOfWork:
        """A read-only unit of work: one snapshot of the database."""
        from ..storage.repository import UnitOfWork

        return UnitOfWork(self.database(False))


# -- reading user values --------------------------------------------------------------------
class Inputs:
    """Reads times in the database's zone and calendar, and vocabulary values in its
    vocabularies (each loaded only when a value needs it).

    `requests`: the repository of the unit of work, for the country's days the
    database keeps (without it, every year comes from the `holidays` package)."""

    def __init__(self, settings: dict[str, str], now: datetime, requests: Repository | None = None) -> None:
        self.settings = settings
        self.now = now
        self.requests = requests
        self.tz = ZoneInfo(settings.get("calendar.timezone", "UTC"))
        self._calendar: WorkingCalendar | None = None
        self._vocabularies: Vocabularies | None = None

    @property
    def calendar(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = calendar_for(self.settings, self.requests)
        return self._calendar

    @property
    def vocabularies(self) -> Vocabularies:
        """`source` and `type` as the database has them (read once, when a value needs them)."""
        if self._vocabularies is None:
            self._vocabularies = self.requests.vocabularies() if self.requests is not None else Vocabularies()
        return self._vocabularies

    def time(self, text: str | None, role: Literal["start", "end"] = "start", what: str = "--at") -> ParsedTime | None:
        """`text` read as a time (see domain.timeparse) for the option `what`; None for None."""
        if text is None:
            return None
        try:
            add = self.calendar.add_working_days if "wd" in text.lower() else None
            return parse_time(text, self.now, self.tz, role, add)
        except InvalidInput as exc:
            raise InvalidInput("{what}: {problem}", what=what, problem=exc) from None

    def at(self, text: str | None) -> datetime:
        """`--at`, defaulting to now, in UTC; microseconds are dropped because storage keeps
        whole seconds."""
        parsed = self.time(text)
        return (parsed.at if parsed else self.now).astimezone(timezone.utc).replace(microsecond=0)


def inputs(uow: Work, ctx: Context) -> Inputs:
    """The Inputs of a unit of work: its stored settings, the command's instant, its store. The
    Context keeps the database's zone from then on (an error's times are shown in it)."""
    given = Inputs(uow.requests.settings(), ctx.now, uow.requests)
    ctx.zone = given.tz
    return given


def calendar_for(settings: Mapping[str, str], requests: Repository | None = None) -> WorkingCalendar:
    """The working calendar of the settings, with the country's days the database keeps
    (`requests`: a repository; without it, every year comes from the package)."""
    from ..domain.sla import calendar_from_settings

    country = settings.get("calendar.country")
    days = None
    if country and requests is not None:
        days = requests.country_days(country, settings.get("calendar.subdivision") or None)
    return calendar_from_settings(settings, days)


def with_histories(requests: Repository, batch: list[Request], attachments: bool = False) -> list[Request]:
    """`batch` with each request's history and links (and, with `attachments`, its attachments)
    loaded, in one query each for the whole batch; returns `batch`."""
    ids = [r.id for r in batch]
    histories = requests.histories(ids)
    links = requests.links_of(ids)
    files = requests.attachments_of(ids) if attachments else None
    for request in batch:
        request.history = histories[request.id]
        request.links = links[request.id]
        if files is not None:
            request.attachments = files[request.id]
    return batch


def collector_paused() -> AbstractContextManager[None]:
    """The cyclic garbage collector paused for a block (storage.stored.bulk_objects): for the
    command line, which makes and prints many rows around one service call."""
    from ..storage.stored import bulk_objects

    return bulk_objects()
