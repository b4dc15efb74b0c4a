"""`reqtrack copy TARGET [--force]`: the whole database the command is pointed at, into another
one — a file or a schema on a PostgreSQL server, either way (SPEC §7) — and the copy into a new
SQLite file that `backup` of the team database is.

All or nothing: the source is read in one snapshot, the target written in one write transaction
that is verified before it commits (each table holds as many rows as the source's, and `check`'s
consistency rules find nothing on the target that they do not find on the source); anything else
rolls back, so the target is as it was. A target holding requests is refused unless `--force`
(which drops them, in the same transaction, after the caller has said how many). A new file is
built under a temporary name beside its own and put in place only when complete and verified.
The table list and the engine-specific mechanics are storage/copying.py's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.errors import EnvironmentProblem, InvalidInput, Message, OsReason
from ..storage.driver import bulk_work
from .admin import Problem, consistency_problems
from .context import Context, database_location

OnDrop = Callable[[int, "str | Message"], None]  # (requests about to be dropped, the target as sentences name it)
Names = tuple["str | Message", "str | Message"]  # how sentences name the source and the target


@dataclass
class CopyResult:
    """What was copied where, and what the verification found."""

    source: str  # the databases' labels: a file path, or a schema on a server (never a password)
    target: str
    tables: dict[str, int]  # rows copied per table, each equal to the source's and the target's count
    dropped: int = 0  # requests the target held before (--force)
    created: bool = False  # the target file was made by this copy
    problems: list[Problem] = field(default_factory=list)  # check's findings on the target, each also the source's
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return self.tables.get("request", 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "created": self.created,
            "dropped": self.dropped,
            "tables": self.tables,
            "verified": {"counts": "equal", "check": "ok" if not self.problems else "problems of the source"},
            "problems": [p.to_json() for p in self.problems],
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


@bulk_work()  # on the server: psycopg's fetching and pipelining (storage.driver.bulk_work)
def copy_database(ctx: Context, target: str | Path, *, force: bool = False, on_drop: OnDrop | None = None) -> CopyResult:
    """Copy the database of `ctx` into `target` (a file path or a postgresql:// URL): a missing
    target is created, an existing one must be a reqtrack database without requests (`force`:
    they are dropped first; `on_drop` is told how many, before). InvalidInput (exit 2) for a
    target holding requests or the source itself; EnvironmentProblem (exit 3) for a copy that
    cannot be made or does not verify, with nothing written."""
    from ..storage.db import Database, is_server_url, open_database, refuse_url

    started = time.perf_counter()
    source = ctx.database(write=False)
    location = database_location(target)
    if is_server_url(location):
        _refuse_same_address(source, str(location))
        result = _copy(source, open_database(location, write=True), force=force, on_drop=on_drop)
    else:
        path = Path(location).expanduser()
        refuse_url(path)
        _refuse_same_file(source, path)
        if path.exists():
            result = _copy(source, Database.open(path, write=True), force=force, on_drop=on_drop)
        else:
            result = copy_into_new_file(source, path, overwrite=False, what="the copy ")
    result.seconds = time.perf_counter() - started
    return result


def copy_into_new_file(source: Any, target: Path, *, overwrite: bool, what: str) -> CopyResult:
    """Copy `source` (an open database of either engine) into a new SQLite file at `target`:
    built complete under a temporary name beside it (private, 0600), verified as every copy is
    and by SQLite's page check, then put in place (`overwrite`: replacing a file there; else
    linked, so a file that appeared meanwhile is kept). An interrupted copy leaves nothing
    under `target`'s name."""
    from ..safe_output import cannot_write, check_target, discard, private_directories, put_in_place, temporary_name_beside
    from ..storage.db import Database, create_database

    if not target.parent.is_dir():
        private_directories(target.parent)  # 0700 whatever the umask: it holds customer data
    check_target(target, protected=source.protected_paths, overwrite=overwrite, what=what)
    try:
        tmp = temporary_name_beside(target)
    except OSError as exc:
        raise cannot_write(what, target, OsReason.of(exc), Message("; choose a writable directory")) from None
    try:
        create_database(tmp)  # complete and empty; its own rows (the time zone) are replaced by the source's
        made = Database.open(tmp, write=True)
        result = _copy(source, made, force=False, on_drop=None, shown=str(target))
        _settle_new_file(made, target)
        put_in_place(tmp, target, overwrite=overwrite, protected=source.protected_paths, what=what)
    except EnvironmentProblem as exc:  # sentences name the file being made, not its temporary name
        raise EnvironmentProblem(exc.message.replacing(str(tmp), str(target))) from None
    except OSError as exc:
        raise cannot_write(what, target, OsReason.of(exc), Message("; nothing was written there")) from None
    finally:
        discard(tmp)
    result.created = True
    return result


def _settle_new_file(made: Any, target: Path) -> None:
    """SQLite's page check of the new file, and every write merged into it (no -wal may be left
    beside a file that is about to be linked under its name)."""
    from ..storage.db import integrity_problems

    conn = made.raw_connection()
    try:
        problems = integrity_problems(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    if problems:
        raise EnvironmentProblem("the copy fails SQLite's page check ({problem}); nothing was written to {target}",
                                 problem=problems[0], target=target)
    wal = Path(f"{made.path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise EnvironmentProblem("the copy's writes could not be merged into one file; nothing was written to {target}",
                                 target=target)


# -- the one copy ----------------------------------------------------------------------------
def _copy(source_db: Any, target_db: Any, *, force: bool, on_drop: OnDrop | None, shown: str | None = None) -> CopyResult:
    """Copy in one read snapshot of the source and one write transaction of the target, verify,
    commit; anything else rolls the target back. `shown`: how sentences name the target."""
    from ..storage import copying

    names: Names = (source_db.named, shown or target_db.named)
    with _blame(source_db, "source", names):
        src = source_db.raw_connection()
    dst = None
    try:
        with _blame(target_db, "target", names):
            dst = target_db.raw_connection()
            if copying.same_server_database(src, dst):
                raise InvalidInput("{target} is the database this command copies; give another file or URL", target=names[1])
            dst.begin(write=True)
        with _blame(source_db, "source", names):
            src.begin(write=False)  # one snapshot: counts, rows and (if needed) its own checks
            expected = copying.row_counts(src)
            unknown = copying.unknown_tables(src)
        with _blame(target_db, "target", names):
            dropped = _make_room(dst, names[1], force, on_drop)
        with _failures(source_db, target_db, names):
            copied = copying.copy_tables(src, dst)
            copying.settle(dst)
        with _blame(target_db, "target", names):
            found = copying.row_counts(dst)
        _verify_counts(expected, copied, found, names)
        with _blame(target_db, "target", names):
            problems, notes = consistency_problems(dst)
        if problems:
            with _blame(source_db, "source", names):
                problems = _nothing_new(problems, consistency_problems(src)[0], names)
        with _blame(target_db, "target", names):
            dst.execute("COMMIT")
            copying.tidy(dst)
    finally:
        _close(src, dst)
    if unknown:
        notes.append(f"not copied: {', '.join(unknown)}, not reqtrack's own table(s) (added by hand?)")
    return CopyResult(source=source_db.label, target=shown or target_db.label, tables=copied, dropped=dropped,
                      problems=problems, notes=notes)


def _make_room(dst: Any, shown: str | Message, force: bool, on_drop: OnDrop | None) -> int:
    """Empty the target (inside its transaction); refuse one holding requests unless `force`."""
    from ..storage import copying

    held = int(dst.execute("SELECT count(*) FROM request").fetchone()[0])
    if held and not force:
        raise InvalidInput("{target} holds {held} request; copy writes only into an empty database: add --force to empty it "
                           "first (its {held} request and everything else in it are dropped)" if held == 1 else
                           "{target} holds {held} requests; copy writes only into an empty database: add --force to empty "
                           "it first (its {held} requests and everything else in it are dropped)", target=shown, held=held)
    if held and on_drop is not None:
        on_drop(held, shown)
    copying.empty(dst)  # also the rows a new database starts with (its time zone): the source's replace them
    return held


def _verify_counts(expected: dict[str, int], copied: dict[str, int], found: dict[str, int], names: Names) -> None:
    for table, count in expected.items():
        if copied.get(table) != count or found.get(table) != count:
            raise EnvironmentProblem(
                "the copy does not verify: table {table} holds {found} rows in {target} ({copied} copied) but {count} in "
                "{source}; nothing was written to {target}", table=table, found=found.get(table), target=names[1],
                copied=copied.get(table), count=count, source=names[0])


def _nothing_new(found: list[Problem], theirs: list[Problem], names: Names) -> list[Problem]:
    """The target's problems when each is also the source's (copied as they were); else the copy
    does not verify."""
    known = {(p.kind, p.message) for p in theirs}
    new = [p for p in found if (p.kind, p.message) not in known]
    if new:
        more = Message(" and {count} more", count=len(new) - 1) if len(new) > 1 else ""
        raise EnvironmentProblem("the copy does not verify: `check` finds in {target} what it does not find in {source} "
                                 "({problem}{more}); nothing was written to {target}", target=names[1], source=names[0],
                                 problem=new[0].message, more=more)
    return found


def _close(src: Any, dst: Any) -> None:
    for conn in (dst, src):
        if conn is None:
            continue
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - a lost connection: the server rolls back itself
            pass
        finally:
            conn.close()


# -- sentences -------------------------------------------------------------------------------
def _first_line(db: Any, exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    address = getattr(db, "address", None)
    return str(address.scrub(first)) if address is not None else first


def _sentence(db: Any, side: str, exc: BaseException, names: Names, table: str | None = None) -> Exception:
    problem = db.problem(exc)
    if problem is not None:  # the engine's own sentence (and exit status), said of the copy
        message = problem.message
        if side == "target" and table and not table.startswith("("):
            message = Message("{target} refused a row of {table}: {problem}", target=names[1], table=table, problem=message)
        if "nothing" not in str(message):
            message = Message("{problem}; nothing was written to {target}", problem=message, target=names[1])
        return type(problem)(message)
    if side == "source":
        return EnvironmentProblem("cannot read {source} (table {table}): {detail}; nothing was written to {target}" if table
                                  else "cannot read {source}: {detail}; nothing was written to {target}",
                                  source=names[0], table=table, detail=_first_line(db, exc), target=names[1])
    what = Message("a row of {table}", table=table) if table and not table.startswith("(") else Message("the copy")
    return EnvironmentProblem("{target} refused {what} ({detail}); nothing was written there; `reqtrack check` on "
                              "{source} may name the row", target=names[1], what=what, detail=_first_line(db, exc),
                              source=names[0])


@contextmanager
def _blame(db: Any, side: str, names: Names) -> Iterator[None]:
    """A driver error of `db` inside the block as one sentence (exit 3) naming the side."""
    try:
        yield
    except db.engine.error as exc:
        raise _sentence(db, side, exc, names) from None


@contextmanager
def _failures(source_db: Any, target_db: Any, names: Names) -> Iterator[None]:
    from ..storage.copying import ColumnsMissing, CopyFailure

    try:
        yield
    except CopyFailure as failure:
        db = source_db if failure.side == "source" else target_db
        raise _sentence(db, failure.side, failure.error, names, failure.table) from None
    except ColumnsMissing as missing:
        raise EnvironmentProblem("{target} has no column {columns} in table {table}, which {source} has; nothing was "
                                 "written (is one of them from another reqtrack version?)", target=names[1],
                                 columns=", ".join(missing.columns), table=missing.table, source=names[0]) from None


# -- the same database? ----------------------------------------------------------------------
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")


def _refuse_same_file(source: Any, path: Path) -> None:
    if source.path is None:
        return
    mine = os.path.realpath(source.path)
    theirs = os.path.realpath(path)
    same = theirs in [mine + suffix for suffix in ("", "-wal", "-shm", "-journal")]
    if not same and path.exists():
        try:
            same = os.path.samefile(path, source.path)
        except OSError:
            same = False
    if same:
        raise InvalidInput("{path} is the database this command copies (or one of its files); give another file or a "
                           "postgresql:// URL", path=path)


def _refuse_same_address(source: Any, url: str) -> None:
    address = getattr(source, "address", None)
    if address is None:
        return
    from ..storage.server import parse_address

    other = parse_address(url)

    def key(a: Any) -> tuple[str, str, str, str]:
        host = a.host.lower()
        return ("local" if host in _LOCAL_HOSTS or host.startswith("/") else host, a.port, a.dbname, a.schema)

    if key(address) == key(other):
        raise InvalidInput("the target is the database this command copies ({source}); give another file or URL",
                           source=source.named)
