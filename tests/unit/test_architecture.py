"""The house rules of docs/architecture.md, checked on the source: which layer may import which,
no import cycle when modules load, nothing imports the command line back, and the sizes a reader
can hold in mind (a module at most 600 lines, a function at most 80)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from helpers import REPO_ROOT

SRC = REPO_ROOT / "src"
PACKAGE = SRC / "reqtrack"

# Layer -> the layers it may import at run time (imports under `if TYPE_CHECKING:` are for the
# type checker only and are not counted). `root` is reqtrack/__init__.py (the version).
ALLOWED = {
    "domain": {"domain"},
    "safe_output": {"domain"},
    "mail": {"domain"},
    "forking": set(),  # the standard library only
    "storage": {"storage", "domain", "safe_output"},
    "services": {"services", "domain", "storage", "excel", "safe_output", "mail", "forking", "root"},
    "excel": {"excel", "domain", "views", "safe_output", "forking", "root"},
    "views": {"views", "domain", "excel.safety"},
    "cli": {"cli", "services", "views", "domain", "excel", "root"},
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def runtime_imports(path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported module, line, at module level) for each import of reqtrack outside TYPE_CHECKING."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "reqtrack" or target.startswith("reqtrack."):
                for alias in node.names:  # `from . import x` may name a submodule
                    candidate = f"{target}.{alias.name}"
                    found = (SRC / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                        (SRC / Path(*candidate.split(".")) / "__init__.py").exists()
                    yield (candidate if found else target), node.lineno, id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reqtrack."):
                    yield alias.name, node.lineno, id(node) in top_level


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "root"


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_each_layer_imports_only_what_it_may() -> None:
    wrong = []
    for path in sources():
        layer = layer_of(module_name(path))
        for target, line, _ in runtime_imports(path):
            target_layer = layer_of(target)
            allowed = ALLOWED.get(layer, set())
            if target_layer == layer or target_layer in allowed or ".".join(target.split(".")[1:3]) in allowed:
                continue
            wrong.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert wrong == []


def test_nothing_imports_the_command_line_back() -> None:
    back = [f"{path.relative_to(SRC)}:{line}" for path in sources() if layer_of(module_name(path)) != "cli"
            and not path.name == "__main__.py" for target, line, _ in runtime_imports(path) if layer_of(target) == "cli"]
    back += [f"{path.relative_to(SRC)}:{line}" for path in (PACKAGE / "cli").glob("*.py")
             if path.name not in ("__init__.py", "__main__.py")
             for target, line, _ in runtime_imports(path) if target == "reqtrack.cli"]
    assert back == []


def test_no_import_cycle_when_modules_load() -> None:
    graph: dict[str, set[str]] = {}
    for path in sources():
        graph[module_name(path)] = {target for target, _, top in runtime_imports(path) if top}
    # A package's __init__ runs before its submodules: importing a.b loads a first.
    for name in list(graph):
        parent = name.rpartition(".")[0]
        if parent and parent in graph:
            graph[name].add(parent)
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1 and not (node.startswith(nxt + ".")):  # a submodule needing its package is fine
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


# What domain/ may never import (docs/architecture.md: pure rules, no I/O, no clock, no rendering):
# the modules that reach files, the network, processes or a terminal, and the template engine.
IMPURE = ("os", "sys", "io", "socket", "ssl", "smtplib", "email", "sqlite3", "subprocess", "shutil", "pathlib", "time",
          "threading", "asyncio", "jinja2", "markupsafe", "rich", "typer", "openpyxl", "sqlalchemy", "sqlmodel")


def third_party_imports(path: Path) -> Iterator[tuple[str, int]]:
    """(top-level module, line) of every non-reqtrack import in a module, wherever it stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module.split(".")[0], node.lineno


def test_the_domain_imports_nothing_impure() -> None:
    found = [f"{path.relative_to(SRC)}:{line} imports {name}" for path in sorted((PACKAGE / "domain").rglob("*.py"))
             for name, line in third_party_imports(path) if name in IMPURE]
    assert found == []
    mail = {name for name, _ in third_party_imports(PACKAGE / "mail.py")}
    assert {"smtplib", "email"} <= mail and not mail & {"jinja2", "rich", "typer", "sqlite3"}  # standard library only


def test_modules_and_functions_are_of_a_readable_size() -> None:
    too_long = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 600:
            too_long.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    too_long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []


def test_the_checks_see_a_violation() -> None:
    """The import walker finds relative and absolute imports (so the rules above can fail)."""
    found = {target for target, _, _ in runtime_imports(PACKAGE / "cli" / "requests.py")}
    assert any(target.startswith("reqtrack.services") for target in found)
    assert any(target.startswith("reqtrack.views") for target in found)


def test_every_public_name_of_services_resolves_to_its_module() -> None:
    """`services/__init__.py` loads each verb's module when the verb is first asked for (PEP
    562): a name in `__all__` without a home in its table would fail only at run time."""
    import importlib
    import subprocess
    import sys

    from reqtrack import services

    # The names mypy sees (imported under TYPE_CHECKING) are the names the table loads, from the same module.
    tree = ast.parse(Path(services.__file__).read_text(encoding="utf-8"))
    checked = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    typed = {alias.asname or alias.name: node.module for node in checked.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert typed == services._HOME
    homes = {**services._HOME, **{name: "search" for name in ("Hit", "reindex", "search", "similar")}}
    assert set(services.__all__) == set(homes)
    for name in services.__all__:
        assert getattr(services, name) is getattr(importlib.import_module(f"reqtrack.services.{homes[name]}"), name)
    # In a fresh interpreter: asking for `show` loads services/requests.py, not links'.
    probe = ("import sys; from reqtrack import services; services.show; "
             "print('reqtrack.services.requests' in sys.modules, 'reqtrack.services.links' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "False"], result.stderr
