"""`reqtrack vocab`: the team's own `source` and `type` entries (SPEC §10) — show, add, edit,
retire, restore. The root adds `vocab_app` as the `vocab` group."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import Json, area, say, state

vocab_app = area("The team's sources and types: keys, labels in three languages, aliases, default departments.")

Field = Annotated[str, typer.Argument(help="source or type.", show_default=False)]
EntryName = Annotated[str, typer.Argument(help="The entry: its key, or any of its labels or aliases.", show_default=False)]
En = Annotated[str | None, typer.Option("--en", help="English label.")]
ZhCN = Annotated[str | None, typer.Option("--zh-CN", "--zh-cn", help="Simplified Chinese label, e.g. 投诉类.")]
ZhTW = Annotated[str | None, typer.Option("--zh-TW", "--zh-tw", help="Traditional Chinese label, e.g. 投訴類.")]
Alias = Annotated[list[str] | None, typer.Option("--alias", help="Another name people type, e.g. 投诉 (repeatable).")]


def _print(change: object, action: str, ctx: typer.Context) -> None:
    from ..views.vocab import change_lines

    for line in change_lines(change, action, state(ctx).lang):
        say(line)


@vocab_app.command("show")
def vocab_show(
    ctx: typer.Context,
    field: Annotated[str | None, typer.Argument(help="source or type (default: both).", show_default=False)] = None,
    json: Json = False,
) -> None:
    """List the keys with their three labels, aliases, default department, and whether retired."""
    from ..services import vocab
    from ..views.output import dump_json
    from ..views.vocab import vocabulary_json, vocabulary_table

    st = state(ctx)
    view = vocab.show(st.ctx, field)
    if json:
        dump_json(vocabulary_json(view))
    else:
        vocabulary_table(view, st.lang)


@vocab_app.command("add")
def vocab_add(
    ctx: typer.Context,
    field: Field,
    key: Annotated[str, typer.Argument(help="The new key: lowercase ASCII words with hyphens, e.g. complaint.", show_default=False)],
    en: En = None,
    zh_cn: ZhCN = None,
    zh_tw: ZhTW = None,
    alias: Alias = None,
    dept: Annotated[str | None, typer.Option("--dept", help="Default department: `assign` without --dept routes this type there.")] = None,
) -> None:
    """Add a key; a key, label or alias another key has is refused (exit 2)."""
    from ..services import vocab

    change = vocab.add(state(ctx).ctx, field, key, {"en": en, "zh-CN": zh_cn, "zh-TW": zh_tw}, alias or [], dept)
    _print(change, "add", ctx)


@vocab_app.command("edit")
def vocab_edit(
    ctx: typer.Context,
    field: Field,
    entry: EntryName,
    en: En = None,
    zh_cn: ZhCN = None,
    zh_tw: ZhTW = None,
    alias: Alias = None,
    drop_alias: Annotated[list[str] | None, typer.Option("--drop-alias", help="An alias to remove (repeatable).")] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="Default department (\"\" removes it).")] = None,
) -> None:
    """Change the labels, aliases or default department of a key (built-in ones too)."""
    from ..services import vocab

    change = vocab.edit(state(ctx).ctx, field, entry, {"en": en, "zh-CN": zh_cn, "zh-TW": zh_tw}, alias or [],
                        drop_alias or [], dept)
    _print(change, "edit", ctx)


@vocab_app.command("retire")
def vocab_retire(ctx: typer.Context, field: Field, entry: EntryName) -> None:
    """No new use of a key: requests that have it keep it and show it; new ones cannot take it."""
    from ..services import vocab

    _print(vocab.retire(state(ctx).ctx, field, entry), "retire", ctx)


@vocab_app.command("restore")
def vocab_restore(ctx: typer.Context, field: Field, entry: EntryName) -> None:
    """Let new requests take a retired key again."""
    from ..services import vocab

    _print(vocab.restore(state(ctx).ctx, field, entry), "restore", ctx)
