"""Shared fixtures: every test gets its own database and a fixed clock."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reqtrack.cli import app
from reqtrack.services import Context

FIXED_NOW = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's database, zone or user name."""
    for name in ("REQTRACK_DB", "REQTRACK_LANG", "REQTRACK_NOW", "REQTRACK_DEBUG", "REQTRACK_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    monkeypatch.setenv("REQTRACK_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reqtrack.db"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(db_path: Path, clock: Clock) -> Context:
    return Context(db_path=db_path, actor="tester", clock=clock)


class Cli:
    """Runs reqtrack in-process against the test's database with a pinned clock."""

    def __init__(self, db_path: Path, now: datetime = FIXED_NOW) -> None:
        self.db_path = db_path
        self.runner = CliRunner()
        self.now = now

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
        environment = {"REQTRACK_DB": str(self.db_path), "REQTRACK_NOW": self.now.isoformat()}
        environment.update(env or {})
        return self.runner.invoke(app, list(args), input=input, env=environment)


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)
