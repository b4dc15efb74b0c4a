"""Shared fixtures: every test gets its own database and a fixed clock.

Also the Hypothesis profiles (docs/testing.md):

* `reqtrack-ci` (loaded when CI=true): random examples in every run — not Hypothesis's own CI
  profile, which derandomises and so tries one fixed set of examples forever — with no example
  database and no deadline;
* `reqtrack-dev` (loaded otherwise): the same, keeping the local example database, so a
  failure found once is tried first next time;
* `reqtrack-deep`: like `reqtrack-ci` with ten times the examples of every property
  (`pytest --hypothesis-profile=reqtrack-deep`, or REQTRACK_HYPOTHESIS_SCALE=10).

Every run draws its examples from one seed, printed in the header and the summary of the run:
REQTRACK_TEST_SEED=N (or pytest's own --hypothesis-seed=N) repeats it.
"""

from __future__ import annotations

import os
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from helpers import NOW, Clock
from reqtrack.cli import app
from reqtrack.services import Context

FIXED_NOW = NOW  # the name tests of conftest's fixtures know

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")

# -- Hypothesis ---------------------------------------------------------------------------------
_COMMON = dict(deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("reqtrack-dev", **_COMMON)
settings.register_profile("reqtrack-ci", derandomize=False, database=None, **_COMMON)
settings.register_profile("reqtrack-deep", derandomize=False, database=None, **_COMMON)
settings.load_profile("reqtrack-ci" if IN_CI else "reqtrack-dev")


def _run_seed() -> int:
    text = os.environ.get("REQTRACK_TEST_SEED", "").strip()
    return int(text) if text else random.SystemRandom().randrange(1 << 32)


RUN_SEED = _run_seed()
# pytest-xdist's workers start after this module is imported by the controller: they inherit
# the seed through the environment, so the run has one seed and its line repeats it.
os.environ["REQTRACK_TEST_SEED"] = str(RUN_SEED)


def pytest_configure(config: pytest.Config) -> None:
    """One seed for every Hypothesis test of the run, unless --hypothesis-seed gave one; the
    package's bytecode compiled once (below)."""
    from hypothesis import core

    if not hasattr(config, "workerinput"):  # the controller, before any xdist worker starts
        _compile_the_package()

    config.addinivalue_line("markers", "sqlite_only: looks at the SQLite file itself; runs on that engine only")

    global RUN_SEED
    given = config.getoption("hypothesis_seed", default=None)
    if given is not None:
        RUN_SEED = int(given)  # the plugin has set it already
    else:
        core.global_force_seed = RUN_SEED
    if config.getoption("hypothesis_profile", default=None) == "reqtrack-deep":
        os.environ.setdefault("REQTRACK_HYPOTHESIS_SCALE", "10")


def _compile_the_package() -> None:
    """Write the bytecode of reqtrack's own modules once. Hundreds of tests run the installed
    command in a subprocess; where PYTHONDONTWRITEBYTECODE is set (as on some CI images) an
    editable install would compile every module again in each of them (pip compiles only what
    it copies into site-packages), a third of a second or more each. A pip-installed reqtrack
    has its bytecode from the install: this makes the tests' subprocesses start as a user's do."""
    import compileall

    import reqtrack

    compileall.compile_dir(Path(reqtrack.__file__).parent, quiet=2, workers=1)


def _seed_line() -> str:
    from hypothesis import settings as current

    scale = os.environ.get("REQTRACK_HYPOTHESIS_SCALE", "1") or "1"  # helpers.example_scale
    return (f"reqtrack: hypothesis profile {current.get_current_profile_name()!r}, seed {RUN_SEED} "
            f"(repeat with REQTRACK_TEST_SEED={RUN_SEED}), examples x{scale}; "
            f"fault-injection seed {_fault_seed()}; CI={'true' if IN_CI else 'false'}")


def _fault_seed() -> str:
    try:
        from helpers import fault_seed
    except Exception as exc:  # noqa: BLE001 - the header must not hide the real error of an import
        return f"unknown ({type(exc).__name__})"
    return str(fault_seed())


def pytest_report_header(config: pytest.Config) -> str:
    return _seed_line()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The seed line again, and every skip with its reason (a skip must never hide a check)."""
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_line(f"SKIPPED {report.nodeid}: {reason}")
    terminalreporter.write_line(_seed_line())


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's database, zone or user name."""
    for name in ("REQTRACK_DB", "REQTRACK_LANG", "REQTRACK_NOW", "REQTRACK_DEBUG", "REQTRACK_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    monkeypatch.setenv("REQTRACK_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


# -- the database of a test: a SQLite file, or a schema of its own on the PostgreSQL server ------
# The behavioural tests (tests/integration, tests/cli) run on both engines: every test there that
# takes `db_path` runs twice, `[sqlite]` and `[postgres]`, unless marked `sqlite_only` (it looks at
# the file itself). The server is REQTRACK_TEST_PG; where none answers those runs skip and say
# why, but under CI=true a missing server fails the run.
PG_URL = os.environ.get("REQTRACK_TEST_PG", "postgresql://root@127.0.0.1:5432/test")
BOTH_ENGINES = ("integration", "cli")
_pg_state: dict[str, str | None] = {}


def pg_unavailable() -> str | None:
    """Why the test server cannot be used (None: it can), asked once per run."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            psycopg.connect(PG_URL, connect_timeout=5).close()
            _pg_state["reason"] = None
        except Exception as exc:  # noqa: BLE001 - any failure to connect is a reason to skip
            _pg_state["reason"] = f"no PostgreSQL server for the tests at REQTRACK_TEST_PG ({type(exc).__name__}: " \
                                  f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})"
    return _pg_state["reason"]


def require_pg() -> None:
    """Skip (or, under CI=true, fail) a test that needs the PostgreSQL server when none answers."""
    reason = pg_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run", pytrace=False)
        pytest.skip(reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`db_path` tests of the behavioural layers run on both engines."""
    if "engine" not in metafunc.fixturenames:
        return
    layer = Path(str(metafunc.definition.path)).parent.name
    if layer in BOTH_ENGINES and metafunc.definition.get_closest_marker("sqlite_only") is None \
            and "db_path" in metafunc.fixturenames:
        metafunc.parametrize("engine", ["sqlite", "postgres"])


@pytest.fixture
def engine() -> str:
    """The engine of the test's database (parametrized for the behavioural tests)."""
    return "sqlite"


def new_pg_schema(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh schema on the test server, dropped after the test."""
    import uuid

    import psycopg

    require_pg()
    name = f"t_{uuid.uuid4().hex[:16]}"

    def drop() -> None:
        # A connection the test left inside a transaction (a generator never finished, say) holds
        # locks on the schema's tables and would block the DROP for ever: end those first.
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND application_name = 'reqtrack' AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
                         " AND pid = ANY (SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                         "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s)", (name,))
            conn.execute("SET lock_timeout = '30s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    request.addfinalizer(drop)
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}schema={name}"


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """A fresh schema of its own on the test PostgreSQL server (REQTRACK_TEST_PG)."""
    return new_pg_schema(request)


@pytest.fixture
def db_path(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """The test's database: a file path, or (engine `postgres`) the URL of a schema of its own."""
    if engine == "postgres":
        return new_pg_schema(request)
    return tmp_path / "reqtrack.db"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(db_path: Path, clock: Clock) -> Context:
    return Context(db_path=db_path, actor="tester", clock=clock)


@pytest.fixture
def smtp_server() -> Any:
    """Start a real SMTP server (aiosmtpd) on 127.0.0.1: `smtp_server(inbox=None, **aiosmtpd
    options)` → (its helpers.Inbox, its port); every one started is stopped after the test."""
    from aiosmtpd.controller import Controller

    from helpers import SMTP_HOST, Inbox, free_port

    started: list[Any] = []

    def start(inbox: Inbox | None = None, **options: Any) -> tuple[Inbox, int]:
        inbox = inbox or Inbox()
        port = free_port()
        controller = Controller(inbox, hostname=SMTP_HOST, port=port, ready_timeout=10, **options)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


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
