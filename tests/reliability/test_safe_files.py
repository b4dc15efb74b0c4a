"""Files reqtrack writes (issue 13): no output replaces the database or a special file, none is
left half-written, attachments stay in the directory asked for, and everything is private.

A full disk is simulated in-process by `full_disk` (every file opened for writing under a
directory fails with ENOSPC after a few bytes, as a real full disk does), so these tests always
run; `_tmpfs` tests use a real tiny or read-only tmpfs when mount is permitted (root), and skip
with the reason otherwise (never under CI=true).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reqtrack import safe_output
from reqtrack.domain.errors import EnvironmentProblem, InvalidInput


def one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def register(cli: Any, *extra: str) -> str:
    result = cli("new", "slow export", "--customer", "ACME", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def database_unchanged(db: Path) -> None:
    """The database is still an SQLite file holding the requests."""
    with open(db, "rb") as handle:
        assert handle.read(16) == b"SQLite format 3\x00"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM request").fetchone()[0] >= 1
    finally:
        conn.close()


# -- a full disk, in-process --------------------------------------------------------------------
class _FullDiskFile(io.FileIO):
    """A file on a full disk: the first `allowed` bytes go through, then ENOSPC (or `error`)."""

    allowed = 16
    error: BaseException | None = None

    def write(self, data: Any) -> int:
        room = self.allowed - self.tell()
        if room <= 0:
            raise self.error if self.error is not None else OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(bytes(data)[:room])


@contextmanager
def full_disk(monkeypatch: pytest.MonkeyPatch, folder: Path, error: BaseException | None = None) -> Iterator[None]:
    """Every file opened for writing under `folder` (by name or by descriptor) is on a full disk."""
    real_open = io.open
    folder = folder.resolve()

    def where(file: Any) -> Path | None:
        if isinstance(file, int):
            try:
                return Path(os.readlink(f"/proc/self/fd/{file}"))
            except OSError:
                return None
        if isinstance(file, (str, bytes, os.PathLike)):
            return Path(os.fsdecode(file)).absolute()
        return None

    def fake_open(file: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None,
                  errors: str | None = None, newline: str | None = None, closefd: bool = True, opener: Any = None) -> Any:
        path = where(file)
        writing = any(flag in mode for flag in "wxa+")
        if not writing or path is None or folder not in (path, *path.parents):
            return real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        raw_mode = "".join(flag for flag in mode if flag not in "bt")
        raw = _FullDiskFile(file, raw_mode, closefd=closefd, opener=opener)
        raw.error = error
        buffered = io.BufferedRandom(raw) if "+" in mode else io.BufferedWriter(raw)
        if "b" in mode:
            return buffered
        return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline=newline)

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(builtins, "open", fake_open)
    try:
        yield
    finally:
        monkeypatch.setattr(io, "open", real_open)
        monkeypatch.setattr(builtins, "open", real_open)


# -- finding 1: no output replaces the database or a special file ---------------------------------
def test_no_output_replaces_the_live_database(cli: Any, db_path: Path, tmp_path: Path) -> None:
    rid = register(cli)
    attached = tmp_path / "note.txt"
    attached.write_text("hello")
    assert cli("attach", rid, str(attached)).exit_code == 0
    before = names(tmp_path)
    for args in (("export", str(db_path), "--format", "csv"),
                 ("export", str(db_path), "--format", "xlsx"),
                 ("report", "--xlsx", str(db_path)),
                 ("attachment", rid, "1", "-o", str(db_path), "--force"),
                 ("backup", str(db_path), "--force")):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert "database itself" in one_sentence(result.stderr), args
        database_unchanged(db_path)
    assert names(tmp_path) == before


def test_no_output_replaces_the_databases_companions_or_a_link_to_it(cli: Any, db_path: Path, tmp_path: Path) -> None:
    rid = register(cli)
    attached = tmp_path / "note.txt"
    attached.write_text("hello")
    assert cli("attach", rid, str(attached)).exit_code == 0
    hard = tmp_path / "hard.db"
    os.link(db_path, hard)
    soft = tmp_path / "soft.csv"
    soft.symlink_to(db_path)
    folder = tmp_path / "via"
    folder.symlink_to(tmp_path, target_is_directory=True)
    targets = [Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), Path(f"{db_path}-journal"), hard, soft,
               folder / db_path.name, tmp_path / "." / db_path.name]
    for target in targets:
        for args in (("export", str(target), "--format", "csv"), ("report", "--xlsx", str(target)),
                     ("attachment", rid, "1", "-o", str(target), "--force")):
            result = cli(*args)
            assert result.exit_code == 2, (args, result.stdout, result.stderr)
            assert "database itself" in one_sentence(result.stderr)
    database_unchanged(db_path)
    assert hard.stat().st_ino == db_path.stat().st_ino and soft.is_symlink()


def test_report_workbook_to_dev_null_is_refused(cli: Any, tmp_path: Path) -> None:
    """As root, the workbook renamed over /dev/null replaced it with a regular file. The test uses
    its own null device (root can make one), so a broken build cannot damage the machine's; a
    user who cannot make one tries the real /dev/null, which such a user cannot replace anyway."""
    register(cli)
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        null = Path("/dev/null")
    for args in (("report", "--xlsx", str(null)), ("export", str(null), "--format", "xlsx")):
        result = cli(*args)
        assert result.exit_code == 2 and "not a regular file" in one_sentence(result.stderr)
        assert stat.S_ISCHR(os.stat(null).st_mode)


def test_special_files_and_directories_are_refused(tmp_path: Path) -> None:
    import socket

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for special in (pipe, sock_path, Path("/dev/null"), Path("/dev/zero")):
            with pytest.raises(InvalidInput, match="not a regular file"):
                safe_output.check_target(special)
        with pytest.raises(InvalidInput, match="is a directory"):
            safe_output.check_target(tmp_path)
    finally:
        sock.close()
    with pytest.raises(InvalidInput, match="does not exist"):
        safe_output.check_target(tmp_path / "no" / "such.csv")
    existing = tmp_path / "old.csv"
    existing.write_text("old")
    with pytest.raises(InvalidInput, match="--force"):
        safe_output.check_target(existing, overwrite=False)
    assert safe_output.check_target(existing) == existing


def test_a_symlink_at_the_target_is_replaced_not_followed(cli: Any, tmp_path: Path) -> None:
    register(cli)
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("someone else's file")
    link = tmp_path / "out.csv"
    link.symlink_to(elsewhere)
    dangling = tmp_path / "out.xlsx"
    dangling.symlink_to(tmp_path / "nowhere" / "x.xlsx")
    assert cli("export", str(link)).exit_code == 0
    assert cli("report", "--xlsx", str(dangling)).exit_code == 0
    assert elsewhere.read_text() == "someone else's file"
    assert not link.is_symlink() and link.read_text(encoding="utf-8-sig").startswith("ID,")
    assert not dangling.is_symlink() and dangling.stat().st_size > 0 and not (tmp_path / "nowhere").exists()


def test_the_writer_refuses_to_clobber_a_file_created_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with pytest.raises(InvalidInput, match="exists"):
        with safe_output.atomic_output(target, overwrite=False) as handle:
            handle.write(b"new")
            target.write_bytes(b"theirs")  # another process, between the check and the rename
    assert target.read_bytes() == b"theirs" and names(tmp_path) == ["out.bin"]
    with safe_output.atomic_output(target, overwrite=True) as handle:
        handle.write(b"mine")
    assert target.read_bytes() == b"mine" and stat.S_IMODE(target.stat().st_mode) == 0o600


# -- finding 2: nothing half-written --------------------------------------------------------------
def test_attachment_on_a_full_disk_leaves_nothing_and_keeps_the_old_file(cli: Any, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    rid = register(cli)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(100_000))
    assert cli("attach", rid, str(source)).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    old = out / "kept.bin"
    old.write_bytes(b"the old file")
    with full_disk(monkeypatch, out):
        fresh = cli("attachment", rid, "1", "-o", str(out / "new.bin"))
        forced = cli("attachment", rid, "1", "-o", str(old), "--force")
    for result, path in ((fresh, out / "new.bin"), (forced, old)):
        assert result.exit_code == 3, (result.stdout, result.stderr)
        sentence = one_sentence(result.stderr)
        assert str(path) in sentence and "No space left" in sentence
    assert names(out) == ["kept.bin"] and old.read_bytes() == b"the old file"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_on_a_full_disk_is_one_sentence_and_leaves_nothing(cli: Any, tmp_path: Path, fmt: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        register(cli)
    out = tmp_path / "out"
    out.mkdir()
    old = out / f"week.{fmt}"
    old.write_bytes(b"last week's file")
    with full_disk(monkeypatch, out):
        result = cli("export", str(old))
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert str(old) in one_sentence(result.stderr)
    assert names(out) == [old.name] and old.read_bytes() == b"last week's file"


def test_report_workbook_on_a_full_disk_is_one_sentence_and_leaves_nothing(cli: Any, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    register(cli)
    out = tmp_path / "out"
    out.mkdir()
    with full_disk(monkeypatch, out):
        result = cli("report", "--xlsx", str(out / "meeting.xlsx"))
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert str(out / "meeting.xlsx") in one_sentence(result.stderr)
    assert names(out) == []


def test_an_interrupted_write_leaves_nothing(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = register(cli)
    source = tmp_path / "a.bin"
    source.write_bytes(b"x" * 5000)
    assert cli("attach", rid, str(source)).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.bin").write_bytes(b"old")
    with full_disk(monkeypatch, out, error=KeyboardInterrupt()):
        results = [cli("attachment", rid, "1", "-o", str(out), "--force"), cli("export", str(out / "x.csv")),
                   cli("report", "--xlsx", str(out / "m.xlsx"))]
    assert [r.exit_code for r in results] == [130, 130, 130]
    assert names(out) == ["a.bin"] and (out / "a.bin").read_bytes() == b"old"


def test_the_writer_removes_its_temporary_file_on_every_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    for error in (OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt(), ValueError("bug")):
        with pytest.raises((EnvironmentProblem, KeyboardInterrupt, ValueError)):
            with safe_output.atomic_output(target) as handle:
                handle.write(b"partial")
                raise error
        assert names(tmp_path) == []
    with pytest.raises(EnvironmentProblem, match="cannot write .*out.bin.*No space left"):
        with safe_output.atomic_output(target) as handle:
            raise OSError(errno.ENOSPC, "No space left on device")


def _old_database(cli: Any, path: Path) -> None:
    from helpers import old_database_with_one_request

    old_database_with_one_request(path, 4)


def test_an_upgrade_that_cannot_write_its_safety_copy_leaves_nothing(cli: Any, db_path: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from reqtrack.storage import db as storage

    _old_database(cli, db_path)
    real_copy = storage.copy_database

    def copy_on_a_full_disk(source: sqlite3.Connection, target: Path) -> None:
        real_copy(source, target)
        with open(target, "r+b") as handle:
            handle.truncate(0)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(storage, "copy_database", copy_on_a_full_disk)
    before = names(tmp_path)
    for _ in range(3):
        result = cli("list")
        assert result.exit_code == 3, (result.stdout, result.stderr)
        assert "safety copy" in one_sentence(result.stderr)
    assert names(tmp_path) == before
    monkeypatch.setattr(storage, "copy_database", real_copy)
    assert cli("list").exit_code == 0
    assert [n for n in names(tmp_path) if ".bak" in n] == [f"{db_path.name}.v4.bak"]


def test_creating_a_database_on_a_full_disk_is_an_environment_problem(cli: Any, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from reqtrack.storage import db as storage

    def full(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(storage, "apply_migrations", full)
    result = cli("new", "x", "--customer", "ACME")
    assert result.exit_code == 3 and "full" in one_sentence(result.stderr)
    assert [n for n in names(tmp_path) if n != "xdg-data"] == []


# -- finding 3: attachments stay where they are asked to go --------------------------------------
@pytest.mark.parametrize("stored", ["../../escaped.txt", "/tmp/reqtrack-escaped.txt", "..", "a\\..\\b.txt", "x\n.txt", ""])
def test_an_attachment_is_written_only_inside_the_directory_asked_for(cli: Any, db_path: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch, stored: str) -> None:
    rid = register(cli)
    source = tmp_path / "note.txt"
    source.write_text("secret")
    assert cli("attach", rid, str(source)).exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE attachment SET name = ?", (stored,))  # crafted, or imported from a sheet
    conn.commit()
    conn.close()
    Path("/tmp/reqtrack-escaped.txt").unlink(missing_ok=True)
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    for args in (("attachment", rid, "1"), ("attachment", rid, "1", "-o", str(tmp_path / "a"), "--force")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        written = Path(result.stdout.strip())
        assert written.parent.resolve() in (work.resolve(), (tmp_path / "a").resolve())
        assert written.read_text() == "secret" and "/" not in written.name and "\n" not in written.name
        assert written.name not in ("", ".", "..")
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/reqtrack-escaped.txt").exists()
    assert names(work) == [safe_output.plain_file_name(stored)]


def test_plain_file_name() -> None:
    assert safe_output.plain_file_name("report.pdf") == "report.pdf"
    assert safe_output.plain_file_name("../../etc/passwd") == "passwd"
    assert safe_output.plain_file_name("C:\\Users\\wang\\需求.docx") == "需求.docx"
    assert safe_output.plain_file_name("/tmp/x") == "x"
    for hopeless in ("", "..", ".", "/", "../", "\x00", " "):
        assert safe_output.plain_file_name(hopeless) == "attachment"
    assert "\n" not in safe_output.plain_file_name("a\nb.txt") and "\x00" not in safe_output.plain_file_name("a\x00b")


def test_attach_stores_a_plain_name(cli: Any, tmp_path: Path) -> None:
    import json

    rid = register(cli)
    odd = tmp_path / "x\\..\\y.txt"
    odd.write_text("hi")
    assert cli("attach", rid, str(odd)).exit_code == 0
    shown = json.loads(cli("show", rid, "--json").stdout)
    assert [a["name"] for a in shown["attachments"]] == ["y.txt"]


def test_an_attachment_does_not_follow_a_symlink_at_the_target(cli: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rid = register(cli)
    source = tmp_path / "note.txt"
    source.write_text("secret")
    assert cli("attach", rid, str(source)).exit_code == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    bait = tmp_path / "bait" / "planted.txt"
    (work / "note.txt").symlink_to(bait)  # dangling: pointing where someone wants the file to go
    (tmp_path / "bait").mkdir()
    refused = cli("attachment", rid, "1")
    assert refused.exit_code == 2 and "--force" in one_sentence(refused.stderr)
    assert not bait.exists()
    forced = cli("attachment", rid, "1", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert not bait.exists() and not (work / "note.txt").is_symlink()
    assert (work / "note.txt").read_text() == "secret"


# -- finding 4: modes -----------------------------------------------------------------------------
@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def test_every_file_with_customer_data_is_private(cli: Any, tmp_path: Path) -> None:
    rid = register(cli)
    source = tmp_path / "note.txt"
    source.write_text("secret")
    source.chmod(0o600)
    out = tmp_path / "out"
    out.mkdir()
    with umask(0o022):
        assert cli("attach", rid, str(source)).exit_code == 0
        for args in (("export", str(out / "r.xlsx")), ("export", str(out / "r.csv")), ("export", str(out / "r.json")),
                     ("report", "--xlsx", str(out / "m.xlsx")), ("attachment", rid, "1", "-o", str(out)),
                     ("backup", str(out / "b.db"))):
            result = cli(*args)
            assert result.exit_code == 0, (args, result.stderr)
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # Replacing an existing, readable file keeps the new one private too.
    (out / "r.csv").chmod(0o644)
    with umask(0o022):
        assert cli("export", str(out / "r.csv")).exit_code == 0
    assert stat.S_IMODE((out / "r.csv").stat().st_mode) == 0o600


def test_directories_reqtrack_creates_are_private_whatever_the_umask(tmp_path: Path) -> None:
    from conftest import Cli

    for index, mask in enumerate((0o000, 0o022)):
        db = tmp_path / f"new{index}" / "deeper" / "reqtrack.db"
        with umask(mask):
            result = Cli(db)("new", "x", "--customer", "ACME")
            assert result.exit_code == 0, result.stderr
            backup = Cli(db)("backup", str(tmp_path / f"backups{index}" / "nested" / "b.db"))
            assert backup.exit_code == 0, backup.stderr
        for folder in (db.parent, db.parent.parent, tmp_path / f"backups{index}", tmp_path / f"backups{index}" / "nested"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, (mask, folder)
        assert stat.S_IMODE(db.stat().st_mode) == 0o600


# -- finding 5: read-only media --------------------------------------------------------------------
@contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small tmpfs at `where` (root only); skip, with the reason, where mount is not permitted."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = f"mount -t tmpfs is not permitted here ({mounted.stderr.strip() or mounted.returncode})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def test_read_commands_work_on_read_only_media(tmp_path: Path) -> None:
    import json

    from conftest import Cli

    with _tmpfs(tmp_path / "media", "8m") as media:
        db = media / "reqtrack.db"
        cli = Cli(db)
        rid = register(cli)
        register(cli, "--priority", "high")
        assert names(media) == ["reqtrack.db"]  # closed cleanly: no -wal, no -shm
        _read_only(media)
        out = tmp_path / "out"
        out.mkdir()
        for args in (("list",), ("check",), ("show", rid, "--json"), ("overdue",), ("report",),
                     ("export", str(out / "r.csv")), ("backup", str(out / "b.db")),
                     ("report", "--xlsx", str(out / "m.xlsx"))):
            result = cli(*args)
            assert result.exit_code in (0, 1) if args == ("overdue",) else result.exit_code == 0, (args, result.stderr)
        assert json.loads(cli("show", rid, "--json").stdout)["id"] == rid
        refused = cli("new", "y", "--customer", "ACME")
        assert refused.exit_code == 3 and "read-only" in one_sentence(refused.stderr)
        assert names(media) == ["reqtrack.db"]


def test_a_database_with_unmerged_writes_on_read_only_media_is_read_whole_or_refused(tmp_path: Path) -> None:
    """A copy taken with its -wal (writes not yet merged into the main file): with its -shm it
    is read whole; without, reading the main file alone (immutable) would silently show old
    data, so it is refused in one sentence naming the -wal."""
    import json
    import shutil

    from conftest import Cli

    live = tmp_path / "live.db"
    cli = Cli(live)
    first = register(cli)
    keeper = sqlite3.connect(live)  # holds the WAL open, so the next write stays in the -wal
    keeper.execute("SELECT 1 FROM request").fetchall()
    second = register(cli)
    try:
        for index, suffixes in enumerate((("", "-wal", "-shm"), ("", "-wal"))):
            with _tmpfs(tmp_path / f"media{index}", "8m") as media:
                for suffix in suffixes:
                    shutil.copy(f"{live}{suffix}", media / f"reqtrack.db{suffix}")
                assert (media / "reqtrack.db-wal").stat().st_size > 0
                _read_only(media)
                result = Cli(media / "reqtrack.db")("list", "--format", "json")
                if "-shm" in suffixes:
                    assert result.exit_code == 0, result.stderr
                    assert {r["id"] for r in json.loads(result.stdout)} == {first, second}
                else:
                    assert result.exit_code == 3 and "-wal" in one_sentence(result.stderr)
    finally:
        keeper.close()


def test_a_real_full_disk(tmp_path: Path) -> None:
    """The same on a real full file system, through the installed command: one sentence (no
    "Exception ignored" traceback from a half-written workbook), exit 3, nothing left."""
    import base64

    from conftest import Cli
    from helpers import reqtrack_command

    db = tmp_path / "reqtrack.db"
    cli = Cli(db)
    rid = register(cli)
    for _ in range(40):
        register(cli, "--notes", base64.b64encode(os.urandom(600)).decode())
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(200_000))
    assert cli("attach", rid, str(big)).exit_code == 0
    environment = {**os.environ, "REQTRACK_DB": str(db)}
    environment.pop("REQTRACK_DEBUG", None)

    def run(*args: str, database: Path = db) -> subprocess.CompletedProcess:
        return subprocess.run([*reqtrack_command(), *args], capture_output=True, text=True, timeout=120,
                              env={**environment, "REQTRACK_DB": str(database)})

    with _tmpfs(tmp_path / "small", "64k") as small:
        (small / "filler").write_bytes(b"\0" * 48 * 1024)
        for args in (("attachment", rid, "1", "-o", str(small / "big.bin")), ("export", str(small / "r.xlsx")),
                     ("export", str(small / "r.csv")), ("report", "--xlsx", str(small / "m.xlsx")),
                     ("backup", str(small / "b.db"))):
            result = run(*args)
            assert result.returncode == 3, (args, result.stdout, result.stderr)
            sentence = one_sentence(result.stderr)
            assert str(small) in sentence and ("No space left" in sentence or "full" in sentence), sentence
            assert names(small) == ["filler"], args
        (small / "more").write_bytes(b"\0" * 12 * 1024)
        created = run("new", "x", "--customer", "ACME", database=small / "new.db")
        assert created.returncode == 3, created.stderr
        one_sentence(created.stderr)
        assert names(small) == ["filler", "more"]
