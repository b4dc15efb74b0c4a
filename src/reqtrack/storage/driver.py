"""The PostgreSQL drivers, loaded by `storage.server` and `storage.peek` only, when `--db` names a
server (the file's commands never load them): libpq itself through ctypes (storage/libpq.py, the
everyday one: ~10 ms to load), else psycopg 3 (imported as quickly as it can be: ~0.1 s). Both
give a connection with one surface — `execute` with `?` / `:name` placeholders returning a
cursor, `executemany`, `stream` (rows a batch at a time through a server-side cursor),
`copy_in` (COPY FROM STDIN), `transaction_status`, `closed`, `close` — and errors with a
`sqlstate`, of classes named as psycopg names them."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..domain.errors import EnvironmentProblem
from .placeholders import pg_statement

_MISSING = ("--db names a PostgreSQL server, but its driver (psycopg 3) is not installed; install it with: pip "
            "install 'reqtrack[postgres]'")


def installed() -> bool:
    """Whether psycopg 3 (the `postgres` extra) is installed, without importing it."""
    if "psycopg" in sys.modules:
        return sys.modules["psycopg"] is not None
    import importlib.util

    try:
        return importlib.util.find_spec("psycopg") is not None
    except (ImportError, ValueError):
        return False


_bulk = 0  # how many bulk_work blocks are open


@contextmanager
def bulk_work() -> Iterator[None]:
    """Within: new connections go through psycopg (when installed), for commands that move whole
    tables (import, export, copy, backup). Its 0.1 s import is nothing to them, and it does what
    libpq's plain calls from Python cannot do cheaply: rows made as they are fetched (a result of
    a million values is not a million Python objects at once) and executemany pipelined (no round
    trip per statement)."""
    global _bulk
    _bulk += 1
    try:
        yield
    finally:
        _bulk -= 1


def in_bulk_work() -> bool:
    """Whether a bulk_work block is open."""
    return _bulk > 0


def use_libpq() -> bool:
    """Whether the connections go through libpq directly (else through psycopg): yes unless
    REQTRACK_PG_DRIVER=psycopg, inside bulk_work, or no libpq loads here."""
    if not installed():
        raise EnvironmentProblem(_MISSING)
    if os.environ.get("REQTRACK_PG_DRIVER", "").lower() == "psycopg" or _bulk:
        return False
    from . import libpq

    return libpq.load() is not None


def connect(conninfo: str, **params: Any) -> Any:
    """A connection in autocommit mode through the driver of `use_libpq`; the driver's
    OperationalError when the server cannot be reached or refuses."""
    if use_libpq():
        from .libpq import LibpqConnection

        return LibpqConnection.connect(conninfo, **params)
    return PsycopgConnection(psycopg_module().connect(conninfo, autocommit=True, **params))


def conninfo_dict(conninfo: str) -> dict[str, Any]:
    """What a connection string or URL gives, as libpq reads it; ValueError when it cannot."""
    if use_libpq():
        from .libpq import conninfo_dict as parse

        return parse(conninfo)
    psycopg_module()
    from psycopg.conninfo import conninfo_to_dict

    try:
        return conninfo_to_dict(conninfo)
    except Exception as exc:  # noqa: BLE001 - psycopg.ProgrammingError
        raise ValueError(str(exc)) from None


def error_classes() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """The base classes of the drivers' errors and of their OperationalErrors: libpq's, and
    psycopg's once it is imported (a connection of either may be open: storage.driver.bulk_work)."""
    from . import libpq

    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return (libpq.Error,), (libpq.OperationalError,)
    return (libpq.Error, psycopg.Error), (libpq.OperationalError, psycopg.OperationalError)


def is_kind(exc: BaseException, kind: str) -> bool:
    """Whether `exc` is a driver error of class `kind` (`OperationalError`, `DataError`…), of
    either driver."""
    from . import libpq

    if isinstance(exc, getattr(libpq, kind)):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, getattr(psycopg, kind))


class PsycopgConnection:
    """A psycopg connection with the drivers' one surface (see the module's docstring)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = None) -> Any:
        if not params:
            return self.raw.execute(sql)
        return self.raw.execute(pg_statement(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(pg_statement(sql), rows)

    def stream(self, sql: str, params: Sequence[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self.raw.cursor(name=f"reqtrack_rows_{next(_cursor_numbers)}")
        try:
            cursor.execute(pg_statement(sql) if params else sql, tuple(params) or None)
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @property
    def transaction_status(self) -> int:
        return int(self.raw.info.transaction_status)

    @property
    def closed(self) -> bool:
        return bool(self.raw.closed)

    def close(self) -> None:
        self.raw.close()


_cursor_numbers = itertools.count(1)


def psycopg_module() -> Any:
    """psycopg 3, imported with its binary implementation and its version modules answered
    (`known_versions`); EnvironmentProblem naming the extra to install when it is missing."""
    os.environ.setdefault("PSYCOPG_IMPL", "binary")  # no search for a C build or libpq first
    if "psycopg" not in sys.modules:
        known_versions("psycopg", "psycopg_binary")
    try:
        import psycopg
    except ImportError:
        os.environ.pop("PSYCOPG_IMPL", None)
        try:
            import psycopg
        except ImportError:
            raise EnvironmentProblem(_MISSING) from None
    return psycopg


def known_versions(*packages: str) -> None:
    """Give psycopg's two version modules (`psycopg.version`, `psycopg_binary.version`) their
    answer before psycopg imports them: each asks importlib.metadata for its distribution's
    version — importing importlib.metadata, email, zipfile and csv, a tenth of a server
    command's start-up — only to show it in messages. The same version is the name of the
    distribution's `.dist-info` directory beside the package. Where that is not found (another
    kind of install), nothing is given and psycopg asks importlib.metadata as usual."""
    import importlib.util
    import types

    for package in packages:
        module = f"{package}.version"
        if module in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        where = os.path.dirname(next(iter(spec.submodule_search_locations)))
        prefix = f"{package}-"
        try:
            found = [name[len(prefix):-len(".dist-info")] for name in os.listdir(where)
                     if name.startswith(prefix) and name.endswith(".dist-info")]
        except OSError:
            continue
        if len(found) == 1:
            stub = types.ModuleType(module, "The installed distribution's version (storage.driver.known_versions).")
            stub.__version__ = found[0]  # type: ignore[attr-defined]
            sys.modules[module] = stub
