"""The commands of the SLA: `overdue`, and `config` for the shared settings (time zone,
calendar, SLA targets)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..domain.errors import ExitStatus
from .common import AsOf, Json, area, say, state

app = area()
config_app = area("Shared settings: time zone, calendar, SLA targets.")  # the root adds it as `config`


@app.command()
def overdue(
    ctx: typer.Context,
    as_of: AsOf = None,
    within: Annotated[str | None, typer.Option(help="Also list what comes due within this window: 1d, 4h, 2wd.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Also list in-progress requests with no update for sla.stale_hours.")] = False,
    owner: Annotated[str | None, typer.Option(help="Only this owner (or department).")] = None,
    json: Json = False,
) -> None:
    """List open requests past a deadline; exit 1 when anything is listed (for cron)."""
    from .direct import print_overdue

    found = print_overdue(state(ctx), as_of, within, stale, owner, json)
    raise typer.Exit(ExitStatus.FOUND if found else ExitStatus.SUCCESS)


@config_app.command("show")
def config_show(ctx: typer.Context, json: Json = False) -> None:
    """Show every setting, its value and its default."""
    from ..services import sla
    from ..views.output import dump_json
    from ..views.sla import settings_table

    st = state(ctx)
    views = sla.config_show(st.ctx)
    if json:
        dump_json({v.key: v.value for v in views})
    else:
        settings_table(views, st.lang)


# A value such as -1 is a value to refuse in one sentence, not an unknown option.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting, e.g. calendar.country or sla.resolution_days.high.", show_default=False)],
    value: Annotated[str, typer.Argument(help="New value.", show_default=False)],
) -> None:
    """Change a setting for everyone who uses this database."""
    from ..services import sla

    changed = sla.config_set(state(ctx).ctx, key, value)
    say(f"{key} = {changed.value}")
    if changed.old_zone is not None:
        from ..views.sla import zone_change_lines

        say("\n".join(zone_change_lines(changed.old_zone, changed.value, changed.dates_kept, state(ctx).lang)),
            lines=True)


@config_app.command("unset")
def config_unset(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help="Setting to return to its default.", show_default=False)]
) -> None:
    """Return a setting to its default."""
    from ..services import sla
    from ..views.labels import label

    st = state(ctx)
    sla.config_unset(st.ctx, key)
    say(label("config.unset", st.lang, setting=key))
