"""The PostgreSQL driver, psycopg 3, imported as quickly as it can be: by `storage.server` and
`storage.peek` only, when `--db` names a server (the file's commands never load it)."""

from __future__ import annotations

import os
import sys
from typing import Any

from ..domain.errors import EnvironmentProblem


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
            raise EnvironmentProblem(
                "--db names a PostgreSQL server, but its driver (psycopg 3) is not installed; install it with: pip "
                "install 'reqtrack[postgres]'") from None
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
