"""Lazy command loading (issue 21): the registry of cli/registry.py says what the commands say,
the commands built one at a time are the ones `add_typer` of every area built, and the root's
`--help` written without Typer (cli/fast.py) is the one Typer writes, at every width."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer
from typer._click.utils import make_default_short_help
from typer.main import get_command
from typer.testing import CliRunner

from reqtrack.cli import admin, fast, files, links, notices, registry, remind, report, requests, root, sla, vocab
from reqtrack.cli.common import ReqtrackGroup


def eager_app() -> typer.Typer:
    """The root as it was before the registry: every area added, every command built at start."""
    app = typer.Typer(cls=ReqtrackGroup, help=registry.ROOT_HELP, no_args_is_help=True, pretty_exceptions_enable=False,
                      rich_markup_mode=None, add_completion=True,
                      context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 400})
    for area in (requests, links, sla, notices, remind, report, admin, files):
        app.add_typer(area.app)
    app.add_typer(sla.config_app, name="config")
    app.add_typer(vocab.vocab_app, name="vocab")
    app.add_typer(notices.template_app, name="template")
    app.add_typer(remind.people_app, name="people")
    app.callback()(root.main_options)
    return app


def test_the_registry_lists_every_command_in_the_order_of_before() -> None:
    eager = get_command(eager_app())
    assert list(eager.commands) == [entry.name for entry in registry.COMMANDS]  # type: ignore[attr-defined]
    assert len(registry.BY_NAME) == len(registry.COMMANDS)


def test_every_area_module_is_in_the_registry() -> None:
    """A new area module gets its commands into the registry (and into eager_app above)."""
    here = Path(registry.__file__).parent
    areas = {path.stem for path in here.glob("*.py")} - {"__init__", "__main__", "common", "root", "fast", "direct", "session", "registry"}
    assert areas == {entry.module for entry in registry.COMMANDS}


@pytest.mark.parametrize("entry", registry.COMMANDS, ids=lambda entry: entry.name)
def test_each_summary_is_the_commands_own_and_the_command_is_in_its_module(entry: registry.Entry) -> None:
    module = getattr(importlib.import_module(f"reqtrack.cli.{entry.module}"), entry.app)
    built = root.build_command(entry.name)
    assert built.name == entry.name and built.help
    assert make_default_short_help(built.help, 10**6) == entry.summary  # the docstring's first sentence
    if entry.group:
        assert isinstance(module, typer.Typer) and isinstance(built, typer.core.TyperGroup)
    else:
        names = [info.name or typer.main.get_command_name(info.callback.__name__) for info in module.registered_commands]
        assert entry.name in names, (entry.module, names)
    for limit in (10, 30, 45, 60, 80, 120):  # the registry's cut is Click's
        assert registry.short_help(entry.summary, limit) == built.get_short_help_str(limit), limit


def test_the_cut_of_a_summary_is_clicks() -> None:
    texts = ["", "One.", "a b c d e f g h i j k l m n o p", "Word " * 30, "x" * 80, "Ends here. Then more words follow.",
             *(entry.summary for entry in registry.COMMANDS)]
    for text in texts:
        for limit in range(0, 130):
            assert registry.short_help(text, limit) == make_default_short_help(text, limit), (text, limit)


def _help_of(command_line: list[str], app: typer.Typer, env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, command_line, env=env, prog_name="reqtrack")
    return result.exit_code, result.output


def test_every_command_built_alone_is_the_one_add_typer_built(tmp_path) -> None:
    """Same help (options, arguments, texts, the keys of --source/--type) and the same parameters,
    for every command and every command of every group."""
    env = {"REQTRACK_DB": str(tmp_path / "none.db"), "COLUMNS": "120"}
    eager = get_command(eager_app())
    lines: list[list[str]] = []
    for entry in registry.COMMANDS:
        lines.append([entry.name])
        if entry.group:
            lines.extend([entry.name, sub] for sub in eager.commands[entry.name].commands)  # type: ignore[attr-defined]
    assert len(lines) > len(registry.COMMANDS)
    for line in lines:
        assert _help_of([*line, "--help"], root.app, env) == _help_of([*line, "--help"], eager_app(), env), line
    lazy = get_command(root.app)
    for entry in registry.COMMANDS:
        old, new = eager.commands[entry.name], lazy.commands[entry.name]  # type: ignore[attr-defined]
        assert type(old) is type(new) and [p.name for p in old.params] == [p.name for p in new.params]
        assert old.context_settings == new.context_settings and old.options_metavar == new.options_metavar


def test_the_root_help_builds_no_command_and_reads_as_before(tmp_path) -> None:
    lazy = get_command(root.app)
    ctx = lazy.make_context("reqtrack", [], resilient_parsing=True)
    assert lazy.get_help(ctx) == get_command(eager_app()).get_help(ctx)
    assert lazy.commands.built() == []  # type: ignore[attr-defined]
    for extra in ([], ["--lang", "zh-CN"]):
        assert _help_of([*extra, "--help"], root.app, {"COLUMNS": "100"}) == \
            _help_of([*extra, "--help"], eager_app(), {"COLUMNS": "100"})


def test_a_mistyped_command_is_still_told_the_nearest_one() -> None:
    code, output = _help_of(["shw"], root.app, {})
    assert code == 2 and "No such command 'shw'. Did you mean 'show'?" in output


def test_completing_a_command_name_gives_what_it_gave_and_builds_nothing() -> None:
    lazy, eager = get_command(root.app), get_command(eager_app())
    for typed in ("", "s", "co", "re", "x", "-"):
        items = [[(item.value, item.help, item.type) for item in group.shell_complete(
            group.make_context("reqtrack", [], resilient_parsing=True), typed)] for group in (lazy, eager)]
        assert items[0] == items[1], typed
    assert lazy.commands.built() == []  # type: ignore[attr-defined]


def test_the_fast_help_is_typers_at_every_width(monkeypatch) -> None:
    """cli/fast.py writes the root's help without Typer: the same text as the Typer app's, for
    every terminal width (COLUMNS), from the narrowest to beyond the 400-column cap. (Not through
    CliRunner, which fixes the width at 80.)"""
    lazy = get_command(root.app)
    ctx = lazy.make_context("reqtrack", [], resilient_parsing=True)
    for columns in [*range(1, 200), 250, 398, 399, 400, 401, 402, 1000]:
        env = {"COLUMNS": str(columns)}
        monkeypatch.setenv("COLUMNS", str(columns))
        assert fast.help_text(fast.help_width(env)) == lazy.get_help(ctx), columns
    assert lazy.commands.built() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("argv", [["--db", "x"], ["--version", "--help"], ["show"], ["--lang", "zh-CN", "--help"],
                                  ["--help", "x"], ["--install-completion"], ["--show-completion", "bash"], ["-V"]])
def test_the_fast_path_leaves_every_other_command_line_to_typer(argv: list[str]) -> None:
    assert fast.answer(argv, {}) is None


def test_the_fast_path_leaves_completion_and_text_that_is_not_utf8_to_typer() -> None:
    assert fast.answer(["--help"], {"_REQTRACK_COMPLETE": "complete_bash"}) is None
    assert fast.answer([], {"_REQTRACK_COMPLETE": "complete_zsh"}) is None
    assert fast.answer(["--version"], {"REQTRACK_USER": "caf\udce9"}) is None  # refused, with its sentence, by Typer's way


def test_the_fast_path_answers_version_help_and_nothing(capsys) -> None:
    from reqtrack import __version__

    assert fast.answer(["--version"], {}) == 0
    assert capsys.readouterr().out == f"reqtrack {__version__}\n"
    for argv in (["--help"], ["-h"]):
        assert fast.answer(argv, {"COLUMNS": "80"}) == 0
        shown = capsys.readouterr()
        assert shown.out == fast.help_text(78) + "\n"
        assert _help_of(argv, root.app, {}) == (0, fast.help_text(80) + "\n")  # CliRunner's width: 80
    assert fast.answer([], {"COLUMNS": "80"}) == 2  # as Typer: the help on stderr, exit 2
    shown = capsys.readouterr()
    assert shown.out == "" and shown.err == fast.help_text(78) + "\n"
    assert _help_of([], root.app, {}) == (2, fast.help_text(80) + "\n")
