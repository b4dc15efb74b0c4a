"""Opening, creating and recognising the reqtrack SQLite file.

All SQLite-specific SQL (pragmas, locking, the file header) lives here and in migrations.py, so
that another SQLAlchemy database could be added beside it.
"""

from __future__ import annotations

import os

import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.errors import EnvironmentProblem
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
        raise EnvironmentProblem(f"{path} is an empty file, not a reqtrack database; move it away or choose another --db")
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise EnvironmentProblem(f"{path} is not a reqtrack database (not an SQLite file); choose another --db")
    return int.from_bytes(header[68:72], "big"), int.from_bytes(header[60:64], "big")


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=busy_timeout(), isolation_level=None)
    return conn


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


def create_database(path: Path, timezone_name: str | None = None) -> bool:
    """Create the database atomically; False when another process created it first.

    The file is built complete under a temporary name in the same directory and linked into
    place, so no process ever sees a half-made database, and of several processes starting at
    once exactly one creates it. The file is private to its owner (0600).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create the directory {path.parent}: {exc.strerror}") from None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".reqtrack-", suffix=".tmp", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create a database in {path.parent}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _initialise(tmp, timezone_name or local_timezone_name())
        try:
            os.link(tmp, path)  # atomic; fails if the path exists
            return True
        except FileExistsError:
            return False
        except OSError:
            # A filesystem without hard links: fall back to a rename that refuses to replace.
            if path.exists():
                return False
            os.replace(tmp, path)
            return True
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass


def _backup_before_migration(path: Path, version: int) -> Path:
    """Copy the database beside itself, named with its old schema version, before migrating it."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.v{version}.bak{counter}")
        counter += 1
    source = sqlite3.connect(str(path), timeout=busy_timeout())
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    os.chmod(target, 0o600)
    return target


@dataclass
class Database:
    """An open, recognised, up-to-date reqtrack database."""

    path: Path
    write: bool
    migrated_from: int | None = None
    backup_path: Path | None = None
    _engine: Any = field(default=None, repr=False)
    _settings: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path, write: bool) -> "Database":
        """Open `path`; create it first when `write` (only write commands create a database).

        Raises EnvironmentProblem (exit 3) for a missing file on a read, a directory, an empty or
        foreign file, a newer schema, or a read-only file for a write. A file that is not ours is
        only read, never written.
        """
        path = Path(path).expanduser()
        if path.is_dir():
            raise EnvironmentProblem(f"{path} is a directory, not a reqtrack database; give a file path with --db")
        if not path.exists():
            if not write:
                raise EnvironmentProblem(
                    f"no reqtrack database at {path}; register a first request with `reqtrack new` to create it"
                )
            create_database(path)
        try:
            application_id, _ = _read_header(path)
        except PermissionError:
            raise EnvironmentProblem(f"cannot read {path}: permission denied") from None
        if application_id != APPLICATION_ID:
            raise EnvironmentProblem(f"{path} is an SQLite file but not a reqtrack database; choose another --db")
        if write and not os.access(path, os.W_OK):
            raise EnvironmentProblem(f"{path} is read-only; this command writes, so make it writable or use a copy")
        db = cls(path=path, write=write)
        db._check_version()
        return db

    def _check_version(self) -> None:
        conn = self.raw_connection()
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise EnvironmentProblem(
                    f"{self.path} was written by a newer reqtrack (schema {version}, this one knows {SCHEMA_VERSION}); "
                    "upgrade reqtrack"
                )
            if version < SCHEMA_VERSION:
                if not os.access(self.path, os.W_OK):
                    raise EnvironmentProblem(
                        f"{self.path} needs an upgrade of its schema (version {version}) but is read-only"
                    )
                self.backup_path = _backup_before_migration(self.path, version)
                apply_migrations(conn)
                self.migrated_from = version
        except sqlite3.OperationalError as exc:
            raise translate_operational_error(exc, self.path) from None
        except sqlite3.DatabaseError as exc:
            raise EnvironmentProblem(f"{self.path} cannot be read as a database ({exc}); restore a backup") from None
        finally:
            conn.close()

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection in autocommit mode (for pragmas, backup and bulk work)."""
        return _connect(self.path)

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine; a write database begins IMMEDIATE so writers queue, not fail."""
        if self._engine is None:
            from sqlalchemy import create_engine, event
            from sqlalchemy.pool import NullPool

            engine = create_engine(
                f"sqlite:///{self.path}",
                connect_args={"timeout": busy_timeout(), "isolation_level": None},
                poolclass=NullPool,
            )
            begin = "BEGIN IMMEDIATE" if self.write else "BEGIN"

            @event.listens_for(engine, "begin")
            def _begin(conn: Any) -> None:
                conn.exec_driver_sql(begin)

            self._engine = engine
        return self._engine

    def dispose(self) -> None:
        """Close pooled connections."""
        if self._engine is not None:
            self._engine.dispose()


def translate_operational_error(exc: Exception, path: Path) -> EnvironmentProblem:
    """sqlite's 'database is locked' and friends as one sentence with exit 3."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return EnvironmentProblem(
            f"{path} is locked by another reqtrack process for more than {busy_timeout():g} s; try again shortly"
        )
    if "readonly" in text or "read-only" in text:
        return EnvironmentProblem(f"{path} is read-only; this command writes, so make it writable or use a copy")
    return EnvironmentProblem(f"cannot use the database {path}: {text}")


