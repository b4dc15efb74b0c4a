"""The commands of SPEC §9: link, unlink, search, similar, and reindex (the repair of the search
index that `check` points to). `new --recurrence-of`, `cancel --duplicate-of` and the likely
duplicates `new` warns of are options of those commands (cli/requests.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import At, Json, RequestId, area, say, state

app = area()

Other = Annotated[str, typer.Argument(help="The other request's ID.", show_default=False)]


@app.command()
def link(
    ctx: typer.Context,
    request_id: RequestId,
    other: Other,
    kind: Annotated[str, typer.Option("--as", help="related, duplicate, recurrence or depends-on: ID is KIND OTHER.",
                                      show_default=False)],
    note: Annotated[str | None, typer.Option(help="Why they are linked.")] = None,
    at: At = None,
) -> None:
    """Link two requests: ID is a duplicate, recurrence, dependant or relative of OTHER."""
    from .. import services
    from ..views.labels import label
    from ..views.links import link_text

    st = state(ctx)
    done = services.link(st.ctx, request_id, other, kind, note=note, at=at)
    mine = next(item for item in done.request.links if item.id == done.other.id)
    say(label("link.done", st.lang, id=done.request.id, what=link_text(mine, st.lang)))


@app.command()
def unlink(ctx: typer.Context, request_id: RequestId, other: Other,
           note: Annotated[str | None, typer.Option(help="Why the link goes.")] = None, at: At = None) -> None:
    """Remove the link between two requests (whichever way it goes)."""
    from .. import services
    from ..views.labels import label

    st = state(ctx)
    done = services.unlink(st.ctx, request_id, other, note=note, at=at)
    say(label("link.removed", st.lang, id=done.request.id, other=done.other.id))


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to find (Chinese needs no spaces): every one must appear.",
                                        show_default=False)],
    open_: Annotated[bool, typer.Option("--open", help="Only open requests.")] = False,
    limit: Annotated[int, typer.Option(help="Results at most.", min=1, max=10_000)] = 20,
    json: Json = False,
) -> None:
    """Full-text search over description, customer, proposer, notes and progress notes, best first."""
    from .. import services

    st = state(ctx)
    hits = services.search(st.ctx, text, open_only=open_, limit=limit)
    if json:
        from ..views.output import dump_json

        dump_json([hit.to_json() for hit in hits])
        return
    from ..views.links import search_table

    search_table(hits, limit, st.lang)


@app.command()
def similar(
    ctx: typer.Context,
    request_id: RequestId,
    limit: Annotated[int, typer.Option(help="Requests at most.", min=1, max=1000)] = 10,
    json: Json = False,
) -> None:
    """Open requests that look like the same problem as ID (the same customer first)."""
    from .. import services

    st = state(ctx)
    found = services.similar(st.ctx, request_id, limit=limit)
    if json:
        from ..views.links import similar_json
        from ..views.output import dump_json

        dump_json(similar_json(found))
        return
    from ..views.labels import label
    from ..views.links import similar_lines

    if not found:
        say(label("similar.none", st.lang))
        return
    for line in similar_lines(request_id.strip(), found, st.lang, header="similar.header"):
        say(line)


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index and the stored JSON texts from the records (when `check` finds them apart)."""
    from .. import services
    from ..views.labels import label

    st = state(ctx)
    size = services.reindex(st.ctx)
    shown = f"{(size['index_bytes'] or 0) / 1e6:.1f} MB" if size["index_bytes"] is not None else "?"
    say(label("reindex.done", st.lang, documents=size["documents"], size=shown))
