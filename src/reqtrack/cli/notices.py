"""The commands of customer notices (SPEC §8, docs/notices.md): `notice` (fill one, record it,
e-mail it) and `template` (the team's templates: show, set, reset).

Jinja2 (views/notices.py) is imported only inside these commands, when a template is filled or
checked: `reqtrack --help` and the read commands never load it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.errors import InvalidInput
from .common import At, Json, RequestId, area, read_stdin_text, say, state

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..domain.record import Request

app = area()
template_app = area("The notice templates the whole team sends: show, set, reset.")  # the root adds it as `template`

Kind = Annotated[str, typer.Argument(help="ack, plan, progress, done, survey or cancel.", show_default=False)]
Lang = Annotated[str | None, typer.Option("--lang", help="Language of the notice: en, zh-CN or zh-TW (default: the global --lang).", show_default=False)]


def _language(ctx: typer.Context, lang: str | None) -> str:
    from ..domain.vocab import normalise_language

    return normalise_language(lang) if lang is not None else state(ctx).lang


def _recorded(request: Request, tz: ZoneInfo | None = None) -> dict[str, Any]:
    """What the notice entry just recorded says: when (ISO, in the database's zone `tz`) and
    through which channel."""
    from ..domain.notices import notice_of

    entry = request.history[-1]
    kind_and_channel = notice_of(entry) or ("", "")
    return {"at": entry.at.astimezone(tz).isoformat() if tz else entry.at.isoformat(), "via": kind_and_channel[1]}


@app.command()
def notice(
    ctx: typer.Context,
    request_id: RequestId,
    kind: Kind,
    lang: Lang = None,
    json: Json = False,
    mask: Annotated[bool, typer.Option("--mask", help="Hide the proposer's name as exports do (王经理 → 王**).")] = False,
    sent: Annotated[bool, typer.Option("--sent", help="Record that this notice reached the customer (another way than --send).")] = False,
    via: Annotated[str | None, typer.Option("--via", help="With --sent: the channel (email, phone, wechat, …; default email).", show_default=False)] = None,
    at: At = None,
    send: Annotated[bool, typer.Option("--send", help="E-mail it to the request's contact (smtp.* settings) and record it.")] = False,
) -> None:
    """Print the filled customer notice: a subject line, a blank line, the body."""
    from .. import services
    from ..domain.notices import check_kind

    if sent and send:
        raise InvalidInput("--sent records a notice that went another way and --send e-mails and records it: use one")
    if (via is not None or at is not None) and not sent:
        raise InvalidInput("--via and --at describe a notice recorded with --sent")
    check_kind(kind)
    st = state(ctx)
    language = _language(ctx, lang)
    if sent and not json:
        request = services.notice(st.ctx, request_id, kind, via=via, at=at)
        _confirm(request, kind, "notice.recorded", st.lang, via=_recorded(request)["via"])
        return
    from ..services.notices import prepare_notice, send_notice
    from ..views.notices import render_notice

    draft = prepare_notice(st.ctx, request_id, kind, language, mask=mask)
    subject, body = render_notice(kind, language, draft.values, draft.template)
    recorded = None
    if send:
        recorded = send_notice(st.ctx, draft, subject, body)
        if not json:
            _confirm(recorded, kind, "notice.mailed", st.lang, to=str(draft.to))
            return
    elif sent:
        recorded = services.notice(st.ctx, request_id, kind, via=via, at=at)
    if json:
        from ..domain.record import mask_name
        from ..views.output import dump_json

        shown: dict[str, Any] = {"id": draft.request.id, "kind": kind, "lang": language, "subject": subject, "body": body,
                                 "to": mask_name(draft.to) if mask else draft.to}
        if recorded is not None:
            shown["recorded"] = _recorded(recorded, draft.tz)
        dump_json(shown)
        return
    say(f"{subject}\n\n{body}", lines=True)


def _confirm(request: Request, kind: str, what: str, lang: str, **values: str) -> None:
    """The confirmation of a recorded notice: ID, kind, what happened (the label `what`), the status."""
    from ..domain.vocab import NOTICE_KIND, STATUS
    from ..views.history import channel_label
    from ..views.labels import label

    if "via" in values:
        values["via"] = values["via"] if lang == "en" else channel_label(values["via"], lang)
    shown = kind if lang == "en" else NOTICE_KIND.label(kind, lang)
    say(label(what, lang, id=request.id, kind=shown, status=STATUS.label(request.status, lang), **values))


# -- templates -------------------------------------------------------------------------------------
@template_app.command("show")
def template_show(ctx: typer.Context, kind: Kind, lang: Lang = None) -> None:
    """Print the template in use for KIND: the team's, else the built-in one."""
    from ..services.notices import stored_template
    from ..views.notices import builtin_template
    from ..views.text import visible

    language = _language(ctx, lang)
    text = stored_template(state(ctx).ctx, kind, language)
    if text is None:
        text = builtin_template(kind, language)
    sys.stdout.write(visible(text if text.endswith("\n") else text + "\n", multiline=True))


def _read_template(file: str) -> str:
    if file == "-":
        return read_stdin_text("the template")
    path = Path(file).expanduser()
    if not path.is_file():
        raise InvalidInput("template file {file} does not exist or is not a file", file=file)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("template file {file} is not UTF-8 text (byte 0x{byte:02X} at offset {offset}); save it as "
                           "UTF-8 and try again", file=file, byte=data[exc.start], offset=exc.start) from None


@template_app.command("set")
def template_set(
    ctx: typer.Context,
    kind: Kind,
    file: Annotated[str, typer.Argument(help="The template: a UTF-8 text file (- reads stdin); first line the subject, then a blank line, then the body.", show_default=False)],
    lang: Lang = None,
) -> None:
    """Keep FILE as the template of KIND for everyone (checked first: a bad one changes nothing)."""
    from ..domain.notices import check_kind
    from ..services.notices import set_template
    from ..views.notices import check_template

    check_kind(kind)
    language = _language(ctx, lang)
    text = _read_template(file)
    try:
        set_template(state(ctx).ctx, kind, language, text, check=check_template)
    except InvalidInput as exc:
        raise InvalidInput("{file}: {problem}; the {kind} template ({lang}) was not changed", file=file, problem=exc,
                           kind=kind, lang=language) from None
    say(_template_line("template.set", kind, language, state(ctx).lang, file=file))


@template_app.command("reset")
def template_reset(ctx: typer.Context, kind: Kind, lang: Lang = None) -> None:
    """Go back to the built-in template of KIND."""
    from ..services.notices import reset_template

    language = _language(ctx, lang)
    done = reset_template(state(ctx).ctx, kind, language)
    say(_template_line("template.reset" if done else "template.builtin", kind, language, state(ctx).lang))


def _template_line(key: str, kind: str, language: str, lang: str, **values: str) -> str:
    """What `template set` or `reset` did, in the screen's language `lang`."""
    from ..domain.vocab import NOTICE_KIND
    from ..views.labels import label

    return label(key, lang, kind=kind if lang == "en" else NOTICE_KIND.label(kind, lang), language=language, **values)
