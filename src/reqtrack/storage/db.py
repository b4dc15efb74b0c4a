"""Opening, creating and recognising the reqtrack SQLite file; `open_database` also opens the
team database on a PostgreSQL server (storage/server.py) when the location is a URL.

The SQLite file itself (pragmas, the file header, creating, copying, upgrading) lives here and in
migrations.py; how a transaction begins and the engine's wording of SQL are storage/engine.py's.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.errors import EnvironmentProblem, InvalidInput, OsReason
from .engine import SQLITE, Engine, SqliteConnection
from .migrations import SCHEMA_VERSION, apply_migrations

APPLICATION_ID = 0x52515452  # "RQTR": marks the file as reqtrack's
SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a command waits for another process's write


def busy_timeout() -> float:
    """Seconds to wait for a lock (REQTRACK_BUSY_TIMEOUT overrides the default)."""
    try:
        return float(os.environ.get("REQTRACK_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT


def local_timezone_name() -> str:
    """The IANA name of this machine's time zone (TZ, /etc/timezone, /etc/localtime), else UTC."""
    from zoneinfo import ZoneInfo

    candidates: list[str] = []
    if os.environ.get("TZ"):
        candidates.append(os.environ["TZ"].lstrip(":"))
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        try:
            ZoneInfo(name)
            return "UTC" if name in ("Etc/UTC", "UTC", "Etc/Universal", "Universal", "Zulu") else name
        except Exception:  # noqa: BLE001 - any unreadable name just falls through
            continue
    return "UTC"


def _read_header(path: Path) -> tuple[int, int]:
    """(application_id, user_version) from the file's header, without opening it as a database."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) == 0:
        raise EnvironmentProblem("{path} is an empty file, not a reqtrack database; move it away or choose another --db",
                                 path=path)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise EnvironmentProblem("{path} is not a reqtrack database (not an SQLite file); choose another --db", path=path)
    return int.from_bytes(header[68:72], "big"), int.from_bytes(header[60:64], "big")


def _connect(path: Path | str, read_only: bool = False) -> SqliteConnection:
    """An autocommit connection; `read_only` ones also work where the directory is not writable.

    A WAL database needs its -shm file, which a reader creates if it is missing: on read-only
    media (a mounted backup disk, a read-only bind) it cannot, and SQLite says "unable to open
    database file". Then, if no -wal holds writes not yet merged and no -journal is pending,
    nobody can be writing this file (a writer would need those very files), so it is opened
    `immutable`: read directly, without -shm. With an unmerged -wal it is refused, because the
    main file alone would silently show old data. Where the directory is writable a reader is
    an ordinary connection, as before, so the last one out still removes the -wal and -shm.
    """
    conn = sqlite3.connect(str(path), timeout=busy_timeout(), isolation_level=None, factory=SqliteConnection)
    if not read_only:
        return conn
    try:
        conn.execute("PRAGMA user_version").fetchone()  # opens the -wal and -shm now (reads page 1 only)
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "unable to open" not in str(exc) or os.path.exists(f"{path}-journal"):
            raise
    try:
        unmerged = os.path.getsize(f"{path}-wal") > 0
    except OSError:
        unmerged = False
    if unmerged:
        raise EnvironmentProblem(
            "{path} has writes not yet merged into it ({path}-wal) and its directory is read-only, so it cannot be read "
            "whole; copy the database with its -wal file to a writable directory", path=path)
    uri = Path(path).absolute().as_uri()
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=busy_timeout(), isolation_level=None,
                           factory=SqliteConnection)


def _initialise(path: Path, timezone_name: str) -> None:
    """Make a complete, empty reqtrack database at `path` (a private temp file)."""
    conn = _connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        apply_migrations(conn)
        conn.execute("INSERT INTO setting (key, value) VALUES ('calendar.timezone', ?)", (timezone_name,))
    finally:
        conn.close()


def _built_beside(path: Path, timezone_name: str | None = None) -> Path:
    """A complete, empty database under a private temporary name in `path`'s directory, for the
    caller to put in place (or to discard)."""
    import tempfile  # only a write creates a database: the read commands never import it

    from ..safe_output import discard, private_directories

    private_directories(path.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".reqtrack-", suffix=".tmp", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise EnvironmentProblem("cannot create a database in {directory}: {reason}", directory=path.parent,
                                 reason=OsReason.of(exc)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _initialise(tmp, timezone_name or local_timezone_name())
    except (OSError, sqlite3.DatabaseError) as exc:  # a full disk, a read-only directory
        discard(tmp)
        raise EnvironmentProblem(_CANNOT_CREATE, path=path, reason=_reason(exc)) from None
    return tmp


_CANNOT_CREATE = "cannot create the database {path}: {reason}; nothing was written"


def create_database(path: Path, timezone_name: str | None = None) -> bool:
    """Create the database atomically; False when another process created it first.

    The file is built complete under a temporary name in the same directory and linked into
    place, so no process ever sees a half-made database, and of several processes starting at
    once exactly one creates it. The file is private to its owner (0600).
    """
    from ..safe_output import discard, put_in_place

    tmp = _built_beside(path, timezone_name)
    try:
        put_in_place(tmp, path, overwrite=False, check=False)  # linked: of several processes, one creates it
        return True
    except InvalidInput:
        return False  # another process created it first
    except OSError as exc:
        raise EnvironmentProblem(_CANNOT_CREATE, path=path, reason=_reason(exc)) from None
    finally:
        discard(tmp)


def _private_new_file(path: Path) -> None:
    """Create `path` empty and private (0600) from the start, failing if it exists: a copy of
    the database must never be readable by others, not even for a moment."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the open database `source` at the new path `target` (0600).

    SQLite's online backup copies every page under one read snapshot, so writers of other
    processes are neither blocked (WAL) nor able to make the copy half old, half new. The copy
    is one self-contained file in the source's journal mode, so a restored copy behaves as the
    original did.
    """
    _private_new_file(target)
    dest = sqlite3.connect(str(target), isolation_level=None)
    try:
        source.backup(dest)
    finally:
        dest.close()
    with open(target, "rb+") as handle:  # on disk before anyone relies on it
        os.fsync(handle.fileno())


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong with the file itself; empty when it is whole.
    (Records that contradict each other are the business of `reqtrack check`'s other rules.)"""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        problems = [] if rows == ["ok"] else rows
    except sqlite3.DatabaseError as exc:
        problems = [f"the file cannot be read: {exc}"]
    return problems


def _backup_before_migration(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the database beside itself, named with its old schema version, before migrating it.

    `conn` holds the write lock, so the copy is exactly what the migration starts from.
    """
    from ..safe_output import discard, put_in_place, temporary_name_beside

    target = path.with_name(f"{path.name}.v{version}.bak")
    counter = 1
    tmp = None
    try:
        tmp = temporary_name_beside(target)
        copy_database(conn, tmp)  # built under a temporary name, so a failure leaves no .bak behind
        while True:
            try:
                put_in_place(tmp, target, overwrite=False)
                return target
            except InvalidInput:  # that name is taken (an earlier upgrade's copy): the next one
                target = path.with_name(f"{path.name}.v{version}.bak{counter}")
                counter += 1
    except (OSError, sqlite3.DatabaseError) as exc:
        raise EnvironmentProblem(
            "{path} needs an upgrade of its schema (version {version}), but the safety copy {target} cannot be written "
            "({reason}); make room or make the directory writable", path=path, version=version, target=target,
            reason=_reason(exc)) from None
    finally:
        if tmp is not None:
            discard(tmp)


# `postgresql://…` as a Path has lost one of its slashes ("postgresql:/…"): a URL, not a file name.
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):/")  # two letters at least: C:/ is a Windows drive
SERVER_SCHEMES = ("postgresql", "postgres")


def is_server_url(location: object) -> bool:
    """Whether a --db location names a PostgreSQL server rather than a file."""
    match = _URL.match(str(location))
    return match is not None and match.group(1).lower() in SERVER_SCHEMES


def refuse_url(location: object) -> None:
    """A URL of another kind in --db / REQTRACK_DB is refused (exit 3) rather than taken as a
    file name. The URL itself is not repeated: it may hold a password."""
    match = _URL.match(str(location))
    if match:
        raise EnvironmentProblem(
            "--db names a {scheme}:// URL; reqtrack keeps its database in a SQLite file or on a PostgreSQL server "
            "(postgresql://…), so give a file path or a postgresql:// URL with --db", scheme=match.group(1))


def open_database(location: Path | str, write: bool, new: bool = False) -> Any:
    """The open database at `location`: a SQLite file path, or a postgresql:// URL (the team
    database, storage/server.py). Only writers create a missing one.

    `new` (a writer of a database that is not there yet): it is made for one unit of work and
    appears at `location` only when that unit commits; if it does not, nothing is left, not even
    an empty database (an import refused half-way). The file is built under a temporary name and
    linked into place after the commit; the server's schema is created inside the transaction."""
    if is_server_url(location):
        from .server import ServerDatabase

        text = str(location)
        if not text.lower().startswith(tuple(f"{s}://" for s in SERVER_SCHEMES)):
            text = text.replace(":/", "://", 1)  # a Path made of the URL lost a slash
        return ServerDatabase.open(text, write, new=new)
    if new and write and not Path(location).expanduser().exists():
        return Database.new(Path(location))
    return Database.open(Path(location), write)


def database_exists(location: Path | str) -> bool:
    """Whether a reqtrack database is at `location` (a file exists; a server's schema is made)."""
    if is_server_url(location):
        from .server import ServerDatabase

        return ServerDatabase.exists(str(location))
    return Path(location).expanduser().exists()


@dataclass
class Database:
    """An open, recognised, up-to-date reqtrack database."""

    path: Path
    write: bool
    engine: Engine = SQLITE
    migrated_from: int | None = None
    backup_path: Path | None = None
    _settings: dict[str, str] | None = field(default=None, repr=False)
    pending: Path | None = None  # where a database made for one unit of work appears when it commits (`new`)

    @classmethod
    def new(cls, path: Path) -> Database:
        """A database that is not at `path` yet, for one write unit of work: built complete and
        empty under a temporary name beside it, where the unit of work writes; `settle` links it
        into place after the commit, or removes it (open_database's `new`)."""
        path = Path(path).expanduser()
        refuse_url(path)
        from ..safe_output import protect

        tmp = _built_beside(path)
        protect(path)
        protect(tmp)
        return cls(path=tmp, write=True, pending=path)

    def make_in(self, conn: Any) -> None:
        """Right after the unit of work's BEGIN: a new file is complete already (`new`)."""

    def settle(self, committed: bool) -> None:
        """The end of the unit of work a database was made for (`new`), its connection closed (the
        -wal merged and gone): linked into place if it committed, else removed. Another process
        that created a database there meanwhile keeps its own: EnvironmentProblem, and this one is
        removed. Nothing for a database that was there."""
        if self.pending is None:
            return
        from ..safe_output import discard, put_in_place

        target = self.pending
        try:
            if committed:
                conn = _connect(self.path)
                try:
                    conn.execute("PRAGMA journal_mode = WAL")  # as every reqtrack database is
                finally:
                    conn.close()
                put_in_place(self.path, target, overwrite=False, check=False)
                self.pending = None
        except InvalidInput:
            raise EnvironmentProblem(CREATED_MEANWHILE, database=target) from None
        except (OSError, sqlite3.DatabaseError) as exc:
            raise EnvironmentProblem(_CANNOT_CREATE, path=target, reason=_reason(exc)) from None
        finally:
            discard(self.path)  # the temporary name (once linked, the file is the target's) and its companions
        if committed:
            self.path = target

    @classmethod
    def open(cls, path: Path, write: bool) -> Database:
        """Open `path`; create it first when `write` (only write commands create a database).

        Raises EnvironmentProblem (exit 3) for a missing file on a read, a directory, an empty or
        foreign file, a newer schema, or a read-only file for a write. A file that is not ours is
        only read, never written.
        """
        path = Path(path).expanduser()
        refuse_url(path)
        if path.is_dir():
            raise EnvironmentProblem("{path} is a directory, not a reqtrack database; give a file path with --db", path=path)
        if path.exists() and not path.is_file():
            # A pipe or a device: reading its "header" could block or consume someone else's data.
            raise EnvironmentProblem("{path} is not a regular file, so not a reqtrack database; give a file path with --db",
                                     path=path)
        if not path.exists():
            if not write:
                raise EnvironmentProblem(
                    "no reqtrack database at {path}; register a first request with `reqtrack new` to create it", path=path)
            create_database(path)
        try:
            application_id, _ = _read_header(path)
        except PermissionError:
            raise EnvironmentProblem("cannot read {path}: permission denied", path=path) from None
        if application_id != APPLICATION_ID:
            raise EnvironmentProblem("{path} is an SQLite file but not a reqtrack database; choose another --db", path=path)
        if write and not os.access(path, os.W_OK):
            raise EnvironmentProblem(READ_ONLY, path=path)
        from ..safe_output import protect

        protect(path)  # no output of this process may replace it (safe_output.check_target)
        db = cls(path=path, write=write)
        db._check_version()
        return db

    def _check_version(self) -> None:
        conn = None
        try:
            conn = self.raw_connection()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise EnvironmentProblem(NEWER, database=self.path, version=version, known=SCHEMA_VERSION)
            if version < SCHEMA_VERSION:
                if not os.access(self.path, os.W_OK):
                    raise EnvironmentProblem(
                        "{path} needs an upgrade of its schema (version {version}) but is read-only; make it writable "
                        "once (a copy is kept beside it) or use the reqtrack that wrote it", path=self.path,
                        version=version)
                self._upgrade(conn)
        except sqlite3.DatabaseError as exc:
            raise environment_problem(exc, self.path) or EnvironmentProblem(
                CANNOT_USE, database=self.path, detail=str(exc)) from None
        finally:
            if conn is not None:
                conn.close()

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Keep a copy of the old file, then migrate.

        `conn` holds the write lock while a second connection copies the file, so the copy is
        exactly the old schema and its data (SQLite cannot back up through the connection that
        holds the write lock). The version is re-read under the lock: of several processes
        starting at once, only those that still find the old schema copy and migrate it.
        """
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            backup = None
            if version < SCHEMA_VERSION:
                reader = self.raw_connection()
                try:
                    backup = _backup_before_migration(reader, self.path, version)
                finally:
                    reader.close()
        finally:
            conn.execute("COMMIT")
        if backup is None:
            return  # another process migrated it meanwhile
        apply_migrations(conn)
        self.migrated_from, self.backup_path = version, backup

    def raw_connection(self) -> SqliteConnection:
        """A plain sqlite3 connection in autocommit mode (the unit of work begins its transactions).

        A database made for its unit of work (`new`) is private to this process until it is linked
        into place: its writes go straight into the file, with the rollback journal in memory (of a
        new file only the few pages it started with are journaled), instead of into a -wal that the
        last connection then copies into the file; `settle` puts it back in WAL mode."""
        conn = _connect(self.path, read_only=not self.write)
        if self.pending is not None:
            conn.execute("PRAGMA journal_mode = MEMORY")
        return conn

    @property
    def label(self) -> str:
        """How sentences name the database."""
        return str(self.path)

    @property
    def named(self) -> str:
        """The database as error sentences name it (a server's says it in their language)."""
        return str(self.path)

    @property
    def protected_paths(self) -> list[Path]:
        """The files no output of this command may replace (safe_output.check_target)."""
        return [self.path]

    def problem(self, exc: Exception) -> EnvironmentProblem | None:
        """The environment problem behind a driver error (exit 3), or None when it is not one."""
        return environment_problem(exc, self.path)


# What SQLite says about a damaged file (sqlite3.DatabaseError, not an OperationalError).
_DAMAGE_WORDS = ("malformed", "not a database", "file is encrypted", "corrupt")


def environment_problem(exc: Exception, path: Path) -> EnvironmentProblem | None:
    """The environment problem behind an SQLite error (exit 3), or None when it is not one
    (a constraint violation, say, is a bug and must stay an internal error).
    """
    original = exc
    text = str(original)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return EnvironmentProblem(
            "{path} is locked by another process (another reqtrack writing?) for more than {seconds:g} s; try again "
            "shortly, or raise REQTRACK_BUSY_TIMEOUT", path=path, seconds=busy_timeout())
    if "readonly" in lowered or "read-only" in lowered:
        return EnvironmentProblem(READ_ONLY, path=path)
    if "disk is full" in lowered:
        return EnvironmentProblem("the disk holding {path} is full; nothing was written, free some space and try again",
                                  path=path)
    if any(word in lowered for word in _DAMAGE_WORDS):
        return EnvironmentProblem(
            "{path} is damaged ({detail}); run `reqtrack check` and restore the latest backup (`reqtrack backup` makes "
            "them)", path=path, detail=text)
    if isinstance(original, sqlite3.OperationalError):
        return EnvironmentProblem(CANNOT_USE, database=path, detail=text)
    return None


def translate_operational_error(exc: Exception, path: Path) -> EnvironmentProblem:
    """sqlite's 'database is locked' and friends as one sentence with exit 3."""
    return environment_problem(exc, path) or EnvironmentProblem(CANNOT_USE, database=path, detail=str(exc))


def _reason(exc: BaseException) -> object:
    """Why a file could not be made: the system's reason (OSError) or SQLite's words."""
    return OsReason.of(exc) if isinstance(exc, OSError) else str(exc)


# The sentences both engines say (storage/server.py too).
CANNOT_USE = "cannot use the database {database}: {detail}"
NEWER = "{database} was written by a newer reqtrack (schema {version}, this one knows {known}); upgrade reqtrack to use it"
READ_ONLY = "{path} is read-only; this command writes, so make it writable or use a copy"
CREATED_MEANWHILE = ("{database} was created by another process while this command was making it anew; this "
                     "command wrote nothing to it: run the command again")
