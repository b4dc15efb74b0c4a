"""README's "A tour of the loop" pastes as written: run its sh block with bash -e on a fresh
database, on today's date (no pinned clock), through the installed `reqtrack` command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT

README = REPO_ROOT / "README.md"


def tour_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A tour of the loop", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the tour has exactly one sh block"
    return blocks[0]


def installed_reqtrack() -> str:
    found = shutil.which("reqtrack", path=str(Path(sys.executable).parent)) or shutil.which("reqtrack")
    if found is None:
        pytest.fail("the installed `reqtrack` command is not beside this Python nor on PATH (pip install -e .)")
    return found


def test_the_tour_runs_as_pasted(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None, "bash is needed to run the README's tour"
    exe = installed_reqtrack()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REQTRACK_")}
    environment.update(REQTRACK_DB=str(tmp_path / "tour" / "reqtrack.db"), REQTRACK_USER="reader",
                       PATH=f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    script = "set -euo pipefail\n" + tour_block() + '\nprintf "TOUR-ID %s\\n" "$id"\n'
    result = subprocess.run([bash, "-e", "-c", script], cwd=tmp_path, env=environment, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    ids = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("TOUR-ID ")]
    assert len(ids) == 1 and re.fullmatch(r"\d{6}-\d{3}", ids[0]), result.stdout[-2000:]
    shown = subprocess.run([exe, "show", ids[0], "--json"], env=environment, capture_output=True, text=True,
                           timeout=120)
    assert shown.returncode == 0, shown.stderr
    request = json.loads(shown.stdout)
    assert request["department"] == "R&D"
    assert request["owner"] == "Zhang" and request["priority"] == "high" and request["status"] == "closed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tour"]  # nothing else written where it ran
