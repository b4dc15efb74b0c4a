"""The `report` command: period statistics on screen, as JSON, or as the meeting workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import Json, area, say, state

app = area()


@app.command()
def report(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option("--period", help="week (Monday start), month, quarter or year; default month.")] = None,
    previous: Annotated[bool, typer.Option("--previous", help="The last complete period instead of the current one.")] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Start of a custom range (a date means 00:00).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="End of a custom range, excluded (a date means 00:00).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Report as of this moment instead of now.")] = None,
    json: Json = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write the meeting workbook to this file.")] = None,
) -> None:
    """Figures for a period: volumes, response and resolution against the SLA, satisfaction, trend."""
    from ..services import report as reports
    from ..views.labels import label
    from ..views.output import dump_json
    from ..views.report import show_report

    st = state(ctx)
    result = reports.report(st.ctx, period=period, previous=previous, from_=from_, to=to, as_of=as_of,
                            with_requests=xlsx is not None)
    if xlsx is not None:
        from ..excel.workbook import write_report_workbook  # openpyxl and the charts: only for a workbook

        write_report_workbook(xlsx, result.data, result.requests, result.tz, st.lang, result.vocabularies)
    if json:
        dump_json(result.data)
    else:
        show_report(result.data, st.lang, result.vocabularies)
        if xlsx is not None:
            say(label("written", st.lang, path=xlsx))
