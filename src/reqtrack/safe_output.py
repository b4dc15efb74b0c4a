"""Where reqtrack may write a file, and the one way it writes one (docs/reliability.md, "Files
reqtrack writes").

Every command that writes a file (export, report --xlsx, attachment -o, backup, the safety copy
before an upgrade) goes through `check_target` and `atomic_output` (or, for SQLite's own
backup, `temporary_name_beside` + `put_in_place` + `discard`):

* never onto the open database or its -wal/-shm/-journal (by resolved path and by inode, so a
  hard or symbolic link to it is caught), nor onto a directory, device, FIFO or socket;
* a symbolic link at the target is replaced (the link itself), never followed;
* the content goes to a private (0600) temporary file beside the target, is flushed and
  fsynced, then renamed into place (without `overwrite`, linked, so a file created meanwhile
  is not clobbered) and the directory is fsynced; on every failure the temporary file goes;
* an OSError while writing is the environment's problem (exit 3), in one sentence naming the path.

Standard library only: `reqtrack --help` and the read commands import this cheaply.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .domain.errors import EnvironmentProblem, InvalidInput, Message, OsReason, ReqtrackError

# Every database this process opened: no output may land on one of them (storage.db registers).
_open_databases: set[str] = set()
_COMPANIONS = ("", "-wal", "-shm", "-journal")
FALLBACK_NAME = "attachment"
MAX_NAME_BYTES = 255


def protect(database: Path | str) -> None:
    """Remember `database` (with its companions) as a file no output may replace."""
    _open_databases.add(os.path.abspath(os.fspath(database)))


def _protected_files(protected: Iterable[Path | str]) -> list[str]:
    files: list[str] = []
    for database in {*_open_databases, *(os.path.abspath(os.fspath(p)) for p in protected)}:
        files.extend(database + suffix for suffix in _COMPANIONS)
    return files


def plain_file_name(name: str | None) -> str:
    """`name` as a plain file name: its last component after / or \\ (a Windows path in a sheet),
    without control characters, never empty, `.` or `..`, at most 255 bytes. What is stored for
    an attachment and what `attachment` writes, so a stored name cannot leave the directory."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    import unicodedata

    text = "".join(" " if unicodedata.category(char).startswith("C") else char for char in text).strip()
    if text in ("", ".", ".."):
        return FALLBACK_NAME
    while len(text.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        stem, dot, suffix = text.rpartition(".")
        text = (stem[:-1] + dot + suffix) if dot and stem and len(suffix) < 16 else text[:-1]
    return text


def private_directories(directory: Path) -> None:
    """Create `directory` and any missing parents 0700 whatever the umask (which os.makedirs'
    mode is subject to): they will hold customer data. Existing directories are left as they are."""
    missing = []
    for folder in (directory, *directory.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    try:
        for folder in reversed(missing):
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:
                if not folder.is_dir():
                    raise
                continue  # another process made it meanwhile: theirs
            os.chmod(folder, 0o700)
    except OSError as exc:
        raise EnvironmentProblem("cannot create the directory {directory}: {reason}", directory=directory,
                                 reason=OsReason.of(exc)) from None


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_target(path: Path | str, *, protected: Iterable[Path | str] = (), overwrite: bool = True,
                 what: str = "") -> Path:
    """`path` if a command may write a file there; else InvalidInput (exit 2) in one sentence.

    Refused: the open database or one of its companions (compared by resolved path, and by inode
    so a hard link is caught), a directory, a device, FIFO or socket, an existing file without
    `overwrite`, a directory that does not exist. A symbolic link at `path` is allowed (it is
    replaced, not followed) unless it leads to the database. `what` names the file ("the backup ").
    """
    target = Path(path).expanduser()
    try:
        own = os.lstat(target)
    except FileNotFoundError:
        own = None
    except OSError as exc:
        raise cannot_write(what, target, OsReason.of(exc)) from None
    resolved = os.path.realpath(target)
    for candidate in _protected_files(protected):
        same = resolved == os.path.realpath(candidate)
        if not same and own is not None and not stat.S_ISLNK(own.st_mode):
            try:
                same = _same_file(own, os.stat(candidate))
            except OSError:
                same = False
        if same:
            raise InvalidInput("{target} is the database itself (or one of its -wal, -shm or -journal files); choose "
                               "another file for {what}", target=target, what=Message(what.strip() or "the output"))
    if own is not None and not stat.S_ISLNK(own.st_mode):
        if stat.S_ISDIR(own.st_mode):
            raise InvalidInput("{target} is a directory; give {what} a file name inside it", target=target,
                               what=Message(what.strip() or "the output"))
        if not stat.S_ISREG(own.st_mode):
            # Renaming a finished file over /dev/null (as root) or a pipe would replace it.
            raise InvalidInput("{target} is not a regular file (a device, pipe or socket); write to a file name",
                               target=target)
    if own is not None and not overwrite:
        raise InvalidInput(EXISTS, target=target)
    directory = target.parent
    if not directory.is_dir():
        raise cannot_write(what, target, Message("the directory {directory} does not exist", directory=directory),
                           error=InvalidInput)
    return target


EXISTS = "{target} exists; choose another name or add --force to replace it"


def cannot_write(what: str, path: Path | str, reason: object, hint: object = "",
                 error: type[ReqtrackError] = EnvironmentProblem) -> ReqtrackError:
    """`cannot write [the backup ]PATH: REASON[HINT]`: `what` names the file ("the backup ", "" for
    none), `reason` an OsReason or a Message."""
    if what:
        return error(Message("cannot write {what}{path}: {reason}{hint}", what=Message(what), path=path, reason=reason,
                             hint=hint))
    return error(Message("cannot write {path}: {reason}{hint}", path=path, reason=reason, hint=hint))


def _refusal(exc: OSError, path: Path, what: str) -> ReqtrackError:
    hint = Message("; free some space and try again") if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return cannot_write(what, path, OsReason.of(exc), hint)


def temporary_name_beside(target: Path) -> Path:
    """A fresh name `.NAME.XXXX.tmp` in the target's directory (same file system, so the final
    rename is atomic) for a file the caller creates itself, exclusively and 0600 (SQLite's
    backup). Raises OSError."""
    import tempfile  # not at the top: the read commands import this module and never write

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    return Path(name)


def discard(temporary: Path) -> None:
    """Remove a temporary file and anything SQLite left beside it; never raises."""
    for leftover in (f"{temporary}{suffix}" for suffix in _COMPANIONS):
        try:
            os.unlink(leftover)
        except OSError:
            pass


def put_in_place(temporary: Path, target: Path, *, overwrite: bool, protected: Iterable[Path | str] = (),
                 what: str = "", check: bool = True) -> None:
    """Move the finished `temporary` to `target` atomically and make the new entry durable.

    Without `overwrite` the file is linked into place, which fails if someone created `target`
    meanwhile (InvalidInput); the target is checked again just before (unless `check` is False:
    the database itself being created), so the database cannot have appeared there. Raises
    OSError for the caller to turn into a sentence.
    """
    if check:
        check_target(target, protected=protected, overwrite=overwrite, what=what)
    if overwrite:
        os.replace(temporary, target)
    else:
        try:
            os.link(temporary, target, follow_symlinks=False)
        except FileExistsError:
            raise InvalidInput(EXISTS, target=target) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
                raise
            # A file system without hard links: a rename that refuses to replace, as near as can be.
            if os.path.lexists(target):
                raise InvalidInput(EXISTS, target=target) from None
            os.replace(temporary, target)
        else:
            os.unlink(temporary)
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: Path | str, *, protected: Iterable[Path | str] = (), overwrite: bool = True,
                  what: str = "") -> Iterator[BinaryIO]:
    """Write a file whole or not at all: `with atomic_output(path) as handle: handle.write(...)`.

    The handle is a private temporary file beside `path`; when the block ends it is flushed,
    fsynced and put in place (`put_in_place`). On any failure (an exception in the block, a full
    disk, Ctrl-C) the temporary file is removed and `path` is as it was. OSError becomes
    EnvironmentProblem (exit 3) naming `path`.
    """
    protected = list(protected)
    target = check_target(path, protected=protected, overwrite=overwrite, what=what)
    try:
        import tempfile

        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)  # 0600
    except OSError as exc:
        raise _refusal(exc, target, what) from None
    temporary = Path(name)
    handle = None
    try:
        handle = os.fdopen(fd, "wb")
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        put_in_place(temporary, target, overwrite=overwrite, protected=protected, what=what)
    except BaseException as exc:
        try:
            _close_quietly(handle, fd)
        finally:  # even when closing is interrupted too
            discard(temporary)
        if isinstance(exc, OSError):
            raise _refusal(exc, target, what) from None
        raise


def _close_quietly(handle: BinaryIO | None, fd: int) -> None:
    """Close what is open of the temporary file; its final flush may fail again (a full disk):
    the file is discarded anyway. (A BufferedWriter closes its descriptor even then.)"""
    try:
        if handle is None:
            os.close(fd)
        else:
            handle.close()
    except Exception:  # noqa: BLE001 - nothing of this file is kept
        pass
