"""The root app: the global options (`--db`, `--lang`, `--version`, completion) and a group that
loads its commands lazily.

The group lists the commands of `cli/registry.py` and builds one only when it is asked for it:
`reqtrack show ID` imports `cli/requests.py` and turns `show` alone into a Click command, with
Typer's own functions and the root's settings, exactly as `add_typer` of every area did before.
The root's `--help` lists the registry's summaries and loads no area; completing a command name
neither. Every command still runs inside the root group's error handling
(`common.ReqtrackGroup`).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from typer._click import Command as ClickCommand
from typer._click.shell_completion import CompletionItem
from typer.models import TyperInfo

from .. import __version__
from . import registry
from .common import ReqtrackGroup, State

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter

__all__ = ["app", "build_command", "LazyGroup"]


class _Commands(MutableMapping[str, ClickCommand]):
    """The root's commands by name, in the registry's order, each built the first time it is
    read: what `TyperGroup` keeps in `commands` (its lookups, listing and the suggestions of a
    mistyped name all read this mapping)."""

    def __init__(self, names: list[str]) -> None:
        self._names = names
        self._built: dict[str, ClickCommand] = {}

    def __getitem__(self, name: str) -> ClickCommand:
        command = self._built.get(name)
        if command is None:
            if name not in registry.BY_NAME or name not in self._names:
                raise KeyError(name)
            command = self._built[name] = build_command(name)
        return command

    def __setitem__(self, name: str, command: ClickCommand) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def built(self) -> list[str]:
        """The names of the commands built so far (for the tests)."""
        return list(self._built)


class LazyGroup(ReqtrackGroup):
    """The root group, whose commands are the registry's, built when used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        given = self.commands
        self.commands = _Commands([entry.name for entry in registry.COMMANDS])
        self.commands.update(given)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if len(args) == 2 and args[0] in _COMPLETION_FLAGS and not args[1].startswith("-"):
            _completion_for(ctx, args[0], args[1])
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # the names, none built (TyperGroup's own reads every command)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The list of commands of `--help`, from the registry's summaries (as TyperGroup
        writes it from the commands' own help, without building them)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._summary(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _summary(self, ctx: Context, name: str, limit: int) -> str:
        entry = registry.BY_NAME.get(name)
        if entry is not None:
            return registry.short_help(entry.summary, limit)
        command = self.get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        """The command names that start with what is typed, with their summaries (as TyperGroup
        completes them, without building them), then the root's options."""
        results = [CompletionItem(name, help=self._summary(ctx, name, 45)) for name in self.list_commands(ctx)
                   if name.startswith(incomplete)]
        results.extend(ClickCommand.shell_complete(self, ctx, incomplete))
        return results


_COMPLETION_FLAGS = ("--show-completion", "--install-completion")
_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_for(ctx: Context, flag: str, shell: str) -> None:
    """`--show-completion SHELL` / `--install-completion SHELL`: Typer's flags detect the shell
    they run in (shellingham), which a script, a Dockerfile or a test is not; naming it is what
    those need, and what the flags took before shellingham was there."""
    from typer._completion_shared import get_completion_script, install

    if shell not in _SHELLS:
        ctx.fail(f"{flag}: unsupported shell {shell!r}; use one of {', '.join(_SHELLS)}")
    prog = ctx.info_name or "reqtrack"
    complete_var = f"_{prog.replace('-', '_').upper()}_COMPLETE"
    if flag == "--show-completion":
        typer.echo(get_completion_script(prog_name=prog, complete_var=complete_var, shell=shell))
    else:
        installed, path = install(shell=shell, prog_name=prog, complete_var=complete_var)
        typer.echo(f"{installed} completion installed in {path}")
        typer.echo("Completion will take effect once you restart the terminal")
    ctx.exit(0)


app = typer.Typer(
    cls=LazyGroup,
    help=registry.ROOT_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh and fish
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": registry.MAX_CONTENT_WIDTH},
)


def build_command(name: str) -> ClickCommand:
    """The Click command (or group) `name`, from its area's Typer app: what `app.add_typer(area.app)`
    (or `app.add_typer(area.config_app, name="config")`) made of it, built alone."""
    entry = registry.BY_NAME[name]
    # __import__, not importlib.import_module: `python -X importtime` then lists the area's import
    area_app: typer.Typer = getattr(__import__(f"{__package__}.{entry.module}", fromlist=[entry.app]), entry.app)
    if entry.group:
        info = TyperInfo(area_app, name=name, options_metavar=app._info_val_str("options_metavar"))
        return typer.main.get_group_from_info(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                              suggest_commands=app.suggest_commands, rich_markup_mode=app.rich_markup_mode)
    for command_info in area_app.registered_commands:
        assert command_info.callback is not None
        if (command_info.name or typer.main.get_command_name(command_info.callback.__name__)) == name:
            return typer.main.get_command_from_info(command_info, pretty_exceptions_short=app.pretty_exceptions_short,
                                                    rich_markup_mode=app.rich_markup_mode)
    raise LookupError(f"cli/{entry.module}.py defines no command {name!r} (cli/registry.py lists it there)")


def _version(value: bool) -> None:
    if value:
        typer.echo(registry.VERSION_TEXT.format(version=__version__))
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="REQTRACK_DB", help=registry.DB_HELP, show_default=False)] = None,
    lang: Annotated[str, typer.Option("--lang", envvar="REQTRACK_LANG", help=registry.LANG_HELP)] = "en",
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=registry.VERSION_HELP)] = False,
) -> None:
    """Track customer requirements and complaints through a closed loop."""
    ctx.obj = State(db, lang)
