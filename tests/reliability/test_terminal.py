"""What a real terminal receives (SPEC §11): escape codes on a terminal, none under NO_COLOR (any
value), TERM=dumb or into a pipe. The installed command runs on a pseudo-terminal (pty), as a
person's shell runs it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from pathlib import Path

import pytest

from helpers import NOW_TEXT, installed_reqtrack


def on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """Everything the command writes to its terminal (stdout and stderr on one pty)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([installed_reqtrack(), *args], stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                               env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the command closed its end
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks)


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "REQTRACK_DB": str(tmp_path / "r.db"), "REQTRACK_NOW": NOW_TEXT, "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    for args in (["new", "导出超时", "--customer", "ACME", "--priority", "high"], ["new", "second", "--customer", "B"]):
        subprocess.run([installed_reqtrack(), *args], env=env, check=True, capture_output=True)
    return env


@pytest.mark.e2e
def test_a_terminal_gets_styles_and_no_color_or_a_dumb_terminal_none(database: dict[str, str]) -> None:
    screens = [["list"], ["show", "202503-001"], ["overdue", "--as-of", "2025-03-20"], ["report"]]
    styled = on_a_terminal(["list"], database)
    assert b"\x1b[" in styled and "导出超时".encode() in styled  # the check below can fail
    for args in screens:
        for extra in ({"NO_COLOR": "1"}, {"NO_COLOR": ""}, {"TERM": "dumb"}):
            output = on_a_terminal(args, {**database, **extra})
            assert b"\x1b" not in output, (args, extra, output[:300])
            assert output.strip(), (args, extra)


@pytest.mark.e2e
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_completes_commands_and_request_ids(database: dict[str, str], shell: str) -> None:
    script = subprocess.run([installed_reqtrack(), "--show-completion", shell], env=database, capture_output=True,
                            text=True)
    assert script.returncode == 0 and "_REQTRACK_COMPLETE" in script.stdout, script.stderr
    asked = {"bash": {"_REQTRACK_COMPLETE": "complete_bash", "COMP_WORDS": "reqtrack show 2025", "COMP_CWORD": "2"},
             "zsh": {"_REQTRACK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "reqtrack show 2025"},
             "fish": {"_REQTRACK_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "reqtrack show 2025",
                      "_TYPER_COMPLETE_FISH_ACTION": "get-args"}}[shell]
    ids = subprocess.run([installed_reqtrack()], env={**database, **asked}, capture_output=True, text=True).stdout
    assert "202503-002" in ids and "202503-001" in ids and ids.index("202503-002") < ids.index("202503-001")
    commands = {**asked, "COMP_WORDS": "reqtrack sh", "COMP_CWORD": "1", "_TYPER_COMPLETE_ARGS": "reqtrack sh"}
    assert "show" in subprocess.run([installed_reqtrack()], env={**database, **commands}, capture_output=True,
                                    text=True).stdout


def test_completion_of_ids_on_a_missing_database_is_quietly_empty(tmp_path: Path) -> None:
    env = {**os.environ, "REQTRACK_DB": str(tmp_path / "none.db"), "_REQTRACK_COMPLETE": "complete_bash",
           "COMP_WORDS": "reqtrack show 2", "COMP_CWORD": "2"}
    result = subprocess.run([installed_reqtrack()], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "" and result.stderr == "" and not (tmp_path / "none.db").exists()


def test_help_uses_the_terminal_width() -> None:
    wide = subprocess.run([installed_reqtrack(), "--help"], env={**os.environ, "COLUMNS": "160"}, capture_output=True,
                          text=True).stdout
    assert "Copy the database to FILE, safely while others are writing; the copy is private and verified." in wide
    narrow = subprocess.run([installed_reqtrack(), "--help"], env={**os.environ, "COLUMNS": "80"}, capture_output=True,
                            text=True).stdout
    assert all(len(line) <= 80 for line in narrow.splitlines())
