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
