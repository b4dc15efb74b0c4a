"""PostgreSQL through libpq itself, called by ctypes: the team database's everyday driver.

Why: importing psycopg 3 costs a server command 0.1 s before the first statement (its Python
layer loads asyncio, logging, ctypes.util and a class per SQLSTATE), which is most of what a
`show` on the server adds to the same `show` on the file. The library underneath psycopg is
libpq, and loading it costs ~10 ms. So reqtrack speaks to libpq — the copy psycopg's binary
wheel ships, else the system's — for the few things its statements need: connect with libpq's
conventions, run a statement with parameters (text format; the types chosen as psycopg would),
read its rows into Python values by type, COPY rows in, report errors with their SQLSTATE. The
connection offers the surface of `storage.driver.PsycopgConnection`, and psycopg stays the
fallback (`REQTRACK_PG_DRIVER=psycopg`, or when libpq cannot be loaded here).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from .placeholders import dollar_statement

# -- errors: psycopg's classes of SQLSTATE, so that callers may treat the two drivers alike ------


class Error(Exception):
    """An error of the server or of libpq; `sqlstate` None when the server gave none."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class OperationalError(Error):
    """The environment failed: connecting, authentication, a lock, the server going away."""


class DataError(Error):
    """A value the server (or the driver) cannot take."""


class IntegrityError(Error):
    """A constraint refused the statement."""


class ProgrammingError(Error):
    """The statement is wrong: syntax, a missing table, a permission."""


class InternalError(Error):
    """The transaction's or a cursor's state is wrong."""


class NotSupportedError(Error):
    """A feature the server does not have."""


_CLASSES: dict[str, type[Error]] = {  # psycopg.errors._base_exc_map, by the first two (or one) characters
    "08": OperationalError, "0A": NotSupportedError, "10": ProgrammingError, "20": ProgrammingError,
    "21": ProgrammingError, "22": DataError, "23": IntegrityError, "24": InternalError, "25": InternalError,
    "26": ProgrammingError, "27": OperationalError, "28": OperationalError, "2B": InternalError,
    "2D": InternalError, "2F": OperationalError, "34": ProgrammingError, "38": OperationalError,
    "39": OperationalError, "3B": OperationalError, "3D": ProgrammingError, "3F": ProgrammingError,
    "40": OperationalError, "42": ProgrammingError, "44": ProgrammingError, "53": OperationalError,
    "54": OperationalError, "55": OperationalError, "57": OperationalError, "58": OperationalError,
    "F": OperationalError, "H": OperationalError, "P": ProgrammingError, "X": InternalError,
}


def error_for(sqlstate: str | None, message: str) -> Error:
    """The exception of a SQLSTATE (OperationalError without one: libpq's own failures)."""
    if not sqlstate:
        return OperationalError(message)
    kind = _CLASSES.get(sqlstate[:2]) or _CLASSES.get(sqlstate[:1]) or Error
    return kind(message, sqlstate)


# -- the library ---------------------------------------------------------------------------
_P = ctypes.c_void_p
_S = ctypes.c_char_p
_I = ctypes.c_int
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "PQconnectdbParams": (_P, [ctypes.POINTER(_S), ctypes.POINTER(_S), _I]),
    "PQstatus": (_I, [_P]),
    "PQerrorMessage": (_S, [_P]),
    "PQfinish": (None, [_P]),
    "PQsetNoticeProcessor": (_P, [_P, _P, _P]),
    "PQtransactionStatus": (_I, [_P]),
    "PQexec": (_P, [_P, _S]),
    "PQexecParams": (_P, [_P, _S, _I, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(_S), ctypes.POINTER(_I),
                          ctypes.POINTER(_I), _I]),
    "PQresultStatus": (_I, [_P]),
    "PQresultErrorField": (_S, [_P, _I]),
    "PQresultErrorMessage": (_S, [_P]),
    "PQntuples": (_I, [_P]),
    "PQnfields": (_I, [_P]),
    "PQfname": (_S, [_P, _I]),
    "PQftype": (ctypes.c_uint, [_P, _I]),
    "PQgetvalue": (_S, [_P, _I, _I]),
    "PQgetisnull": (_I, [_P, _I, _I]),
    "PQcmdTuples": (_S, [_P]),
    "PQclear": (None, [_P]),
    "PQputCopyData": (_I, [_P, _S, _I]),
    "PQputCopyEnd": (_I, [_P, _S]),
    "PQgetResult": (_P, [_P]),
    "PQconninfoParse": (_P, [_S, ctypes.POINTER(_P)]),
    "PQconninfoFree": (None, [_P]),
    "PQfreemem": (None, [_P]),
}

_CONNECTION_OK = 0
_COMMAND_OK, _TUPLES_OK, _COPY_IN = 1, 2, 4
_SQLSTATE, _PRIMARY = ord("C"), ord("M")
_NOTICE_PROCESSOR = ctypes.CFUNCTYPE(None, _P, _S)
_ignore_notice = _NOTICE_PROCESSOR(lambda arg, message: None)  # libpq prints NOTICEs on stderr otherwise


class _ConninfoOption(ctypes.Structure):
    _fields_ = [("keyword", _S), ("envvar", _S), ("compiled", _S), ("val", _S), ("label", _S),
                ("dispchar", _S), ("dispsize", _I)]


_library: Any = None
_getvalue: Any = None  # PQgetvalue without argtypes: see LibpqConnection._rows


def library_files() -> list[str]:
    """Where libpq may be, best first: the copy in psycopg's binary wheel (the library psycopg
    itself runs on), then the system's by its usual names."""
    found: list[str] = []
    import importlib.util

    try:
        spec = importlib.util.find_spec("psycopg_binary")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        package = next(iter(spec.submodule_search_locations))
        for folder in (package + ".libs", os.path.join(package, ".dylibs"), package):
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            found += [os.path.join(folder, n) for n in names
                      if n.startswith("libpq") and (".so" in n or n.endswith((".dylib", ".dll")))]
    return found + ["libpq.so.5", "libpq.5.dylib", "libpq.dll"]


def load() -> Any:
    """libpq with its functions' signatures set; None when no libpq can be loaded here."""
    global _library, _getvalue
    if _library is None:
        _library = False
        for candidate in library_files():
            try:
                lib = ctypes.CDLL(candidate)
                for name, (restype, argtypes) in _SIGNATURES.items():
                    function = getattr(lib, name)
                    function.restype, function.argtypes = restype, argtypes
            except (OSError, AttributeError):
                continue
            _library = lib
            # A second function pointer (`lib[name]` is not the attribute whose argtypes are
            # set) called without argument conversion: the result as a c_void_p, the indexes as
            # C ints — a value costs 275 ns instead of 460.
            _getvalue = lib["PQgetvalue"]
            _getvalue.restype = _S
            break
    return _library or None


def _text(raw: bytes | None) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


def conninfo_dict(conninfo: str) -> dict[str, str]:
    """The parameters a connection string or URL gives (PQconninfoParse); ValueError when libpq
    cannot read it."""
    lib = load()
    failure = _P()
    options = lib.PQconninfoParse(conninfo.encode(), ctypes.byref(failure))
    if not options:
        message = _text(ctypes.cast(failure, _S).value) if failure.value else "cannot parse the connection string"
        if failure.value:
            lib.PQfreemem(failure)
        raise ValueError(message.strip())
    try:
        given: dict[str, str] = {}
        entries = ctypes.cast(options, ctypes.POINTER(_ConninfoOption))
        index = 0
        while entries[index].keyword:
            if entries[index].val is not None:
                given[entries[index].keyword.decode()] = entries[index].val.decode("utf-8", "replace")
            index += 1
        return given
    finally:
        lib.PQconninfoFree(options)


# -- values in and out ---------------------------------------------------------------------
_INT_OIDS = ((-2**15, 2**15 - 1, 21), (-2**31, 2**31 - 1, 23), (-2**63, 2**63 - 1, 20))


def _parameter(value: Any) -> tuple[int, bytes | None]:
    """A parameter's type and text, chosen as psycopg chooses: a str as `unknown` (the server
    takes the type the statement gives it), an int as the smallest integer type it fits."""
    if value is None:
        return 0, None
    kind = type(value)
    if kind is str:
        if "\x00" in value:
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return 0, value.encode()
    if kind is bool:
        return 16, b"t" if value else b"f"
    if kind is int:
        for low, high, oid in _INT_OIDS:
            if low <= value <= high:
                return oid, str(value).encode()
        return 1700, str(value).encode()
    if kind is float:
        if value != value:
            return 701, b"NaN"
        if value in (float("inf"), float("-inf")):
            return 701, b"Infinity" if value > 0 else b"-Infinity"
        return 701, repr(value).encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return 17, b"\\x" + bytes(value).hex().encode()
    decimal = sys.modules.get("decimal")  # not imported for this: a Decimal exists only once it is
    if decimal is not None and isinstance(value, decimal.Decimal):
        return 1700, str(value).encode()
    if hasattr(value, "isoformat"):  # date, datetime (aware: timestamptz), time
        oid = 1082 if not hasattr(value, "hour") else (1184 if getattr(value, "tzinfo", None) else 1114)
        return oid, value.isoformat().encode()
    if isinstance(value, str):  # a subclass of str
        return _parameter(str(value))
    if isinstance(value, int):
        return _parameter(int(value))
    raise ProgrammingError(f"cannot adapt type {kind.__name__!r} to a PostgreSQL parameter")


def _decimal(text: str) -> Any:
    from decimal import Decimal  # here: loading the decimal module is a tenth of libpq's own start

    return Decimal(text)


def _bytea(raw: bytes) -> bytes:
    return bytes.fromhex(raw[2:].decode()) if raw.startswith(b"\\x") else raw


def _json(raw: bytes) -> Any:
    import json

    return json.loads(raw)


def _moment(kind: str) -> Callable[[bytes], Any]:
    def load(raw: bytes) -> Any:
        from datetime import date, datetime

        text = raw.decode()
        try:
            return date.fromisoformat(text) if kind == "date" else datetime.fromisoformat(text)
        except ValueError:  # infinity, BC dates: as the text
            return text
    return load


_LOADERS: dict[int, Callable[[bytes], Any]] = {
    16: lambda raw: raw == b"t", 20: int, 21: int, 23: int, 26: int, 28: int,
    700: float, 701: float, 1700: lambda raw: _decimal(raw.decode()), 17: _bytea, 114: _json, 3802: _json,
    1082: _moment("date"), 1114: _moment("timestamp"), 1184: _moment("timestamp"), 2278: lambda raw: None,
}
_TEXT = bytes.decode  # every other type as its text (UTF-8: the connection's client encoding)


class Cursor:
    """The rows of one statement, read whole (as psycopg's client-side cursor does)."""

    def __init__(self, rows: list[tuple[Any, ...]], description: list[tuple[Any, ...]] | None, rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.description = description
        self.rowcount = rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        start, self._next = self._next, min(self._next + size, len(self._rows))
        return self._rows[start:self._next]

    def fetchall(self) -> list[tuple[Any, ...]]:
        start, self._next = self._next, len(self._rows)
        return self._rows[start:]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._rows = []


def _copy_field(value: Any) -> str:
    """A value as COPY's text format writes it (psycopg's Copy.write_row does the same)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    text = str(value)
    if "\x00" in text:
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


_COPY_CHUNK = 1 << 16  # bytes a PQputCopyData carries


class LibpqConnection:
    """One connection to the server in autocommit mode (statements begin their transactions)."""

    def __init__(self, lib: Any, handle: int) -> None:
        self._lib = lib
        self._handle: int | None = handle
        self._cursors = 0

    @classmethod
    def connect(cls, conninfo: str, **params: Any) -> LibpqConnection:
        """Connect with libpq's conventions (the URL or keywords; PGHOST, ~/.pgpass…), UTF-8 as the
        client encoding; OperationalError with libpq's sentence when it cannot."""
        lib = load()
        keywords = ["dbname", *params, "client_encoding"]
        values = [conninfo, *(str(v) for v in params.values()), "UTF8"]
        words = (_S * (len(keywords) + 1))(*(k.encode() for k in keywords), None)
        given = (_S * (len(values) + 1))(*(v.encode() for v in values), None)
        handle = lib.PQconnectdbParams(words, given, 1)
        if not handle:
            raise OperationalError("out of memory: libpq could not make a connection")
        if lib.PQstatus(handle) != _CONNECTION_OK:
            message = _text(lib.PQerrorMessage(handle)).strip()
            lib.PQfinish(handle)
            raise OperationalError(message or "the connection failed")
        lib.PQsetNoticeProcessor(handle, ctypes.cast(_ignore_notice, _P), None)
        return cls(lib, handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        if self._handle is not None:
            self._lib.PQfinish(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()

    @property
    def transaction_status(self) -> int:
        """libpq's: 0 idle, 1 active, 2 in a transaction, 3 in a failed one, 4 unknown."""
        return int(self._lib.PQtransactionStatus(self._live()))

    def _live(self) -> int:
        if self._handle is None:
            raise OperationalError("the connection is closed")
        return self._handle

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Cursor:
        """Run one statement with `?` / `:name` placeholders (several without parameters)."""
        handle = self._live()
        if not params:  # the simple protocol: several statements may be given at once
            return self._result(self._lib.PQexec(handle, sql.encode()))
        text, names = dollar_statement(sql)
        ordered = [params[name] for name in names] if names is not None else list(params)  # type: ignore[call-overload]
        count = len(ordered)
        types = (ctypes.c_uint * count)()
        values = (_S * count)()
        for index, value in enumerate(ordered):
            types[index], values[index] = _parameter(value)
        return self._result(self._lib.PQexecParams(handle, text.encode(), count, types, values, None, None, 0))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.execute(sql, row)

    def stream(self, sql: str, params: Sequence[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a SELECT `size` at a time through a cursor on the server, inside the
        caller's transaction (the rows are never all in memory)."""
        self._cursors += 1
        name = f"reqtrack_rows_{self._cursors}"
        self.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)
        try:
            while rows := self.execute(f"FETCH FORWARD {int(size)} FROM {name}").fetchall():
                yield rows
        finally:
            if self._handle is not None and self.transaction_status == 2:
                self.execute(f"CLOSE {name}")

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows into `table` by one COPY FROM STDIN (all or, on any error, none of them)."""
        handle = self._live()
        lib = self._lib
        result = lib.PQexec(handle, f"COPY {table} ({', '.join(columns)}) FROM STDIN".encode())
        if lib.PQresultStatus(result) != _COPY_IN:
            self._result(result)  # raises the server's error
            raise InternalError("COPY did not start")
        lib.PQclear(result)
        failure: BaseException | None = None
        try:
            buffer: list[str] = []
            size = 0
            for row in rows:
                line = "\t".join(map(_copy_field, row)) + "\n"
                buffer.append(line)
                size += len(line)
                if size >= _COPY_CHUNK:
                    self._put(handle, "".join(buffer))
                    buffer, size = [], 0
            if buffer:
                self._put(handle, "".join(buffer))
        except BaseException as exc:
            failure = exc
        lib.PQputCopyEnd(handle, b"stopped by reqtrack" if failure is not None else None)
        last = None
        while result := lib.PQgetResult(handle):
            if last is not None:
                lib.PQclear(last)
            last = result
        if failure is not None:
            if last is not None:
                lib.PQclear(last)
            raise failure
        self._result(last)

    def _put(self, handle: int, text: str) -> None:
        data = text.encode()
        if self._lib.PQputCopyData(handle, data, len(data)) != 1:
            raise OperationalError(_text(self._lib.PQerrorMessage(handle)).strip() or "COPY failed")

    def _result(self, result: int | None) -> Cursor:
        """The rows of a finished statement (its PGresult freed); its error raised."""
        lib = self._lib
        if not result:
            raise OperationalError(_text(lib.PQerrorMessage(self._handle)).strip() or "the connection was lost")
        try:
            status = lib.PQresultStatus(result)
            if status == _TUPLES_OK:
                return self._rows(result)
            if status == _COMMAND_OK:
                affected = lib.PQcmdTuples(result)
                return Cursor([], None, int(affected) if affected else -1)
            if status in (0, 3, 4, 8):  # empty query; a COPY this connection did not start
                return Cursor([], None, -1)
            sqlstate = lib.PQresultErrorField(result, _SQLSTATE)
            message = lib.PQresultErrorField(result, _PRIMARY) or lib.PQresultErrorMessage(result)
            error = error_for(sqlstate.decode() if sqlstate else None, _text(message).strip())
            if not sqlstate and self._handle is not None and lib.PQstatus(self._handle) != _CONNECTION_OK:
                error = OperationalError(_text(lib.PQerrorMessage(self._handle)).strip() or str(error))
            raise error
        finally:
            lib.PQclear(result)

    def _rows(self, result: int) -> Cursor:
        """The rows, read a column at a time (one C call per value, through `_getvalue`: the cost
        of a value is most of a large result's)."""
        lib = self._lib
        width, count = lib.PQnfields(result), lib.PQntuples(result)
        types = [lib.PQftype(result, column) for column in range(width)]
        description = [(_text(lib.PQfname(result, column)), types[column], None, None, None, None, None)
                       for column in range(width)]
        value, null, handle = _getvalue, lib.PQgetisnull, ctypes.c_void_p(result)
        columns = []
        for column in range(width):
            raw = [value(handle, index, column) for index in range(count)]
            loader = _LOADERS.get(types[column], _TEXT)
            if b"" in raw:  # NULL, or an empty text: libpq gives both as ""
                loaded = [loader(v) if v or not null(result, index, column) else None for index, v in enumerate(raw)]
            else:
                loaded = list(map(loader, raw))
            columns.append(loaded)
        return Cursor(list(zip(*columns)) if width else [() for _ in range(count)], description, count)


__all__ = ["Cursor", "DataError", "Error", "IntegrityError", "InternalError", "LibpqConnection",
           "NotSupportedError", "OperationalError", "ProgrammingError", "conninfo_dict",
           "error_for", "load"]
