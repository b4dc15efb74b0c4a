"""Customer notices (SPEC §8, docs/notices.md): what a notice is filled with, e-mailing one to the
request's contact and recording it, and the templates the team keeps in the database.

The words are the views' (views/notices.py renders a NoticeDraft); the services never import
them: `notice` in the command line fills the draft and hands subject and body back to
`send_notice`. Recording a notice is the verb `services.notice` (services/requests.py), the path
every lifecycle step takes, so the derived data is kept with it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain import lifecycle
from ..domain.addresses import parse_mailbox
from ..domain.errors import EnvironmentProblem, InvalidInput, Message, ReqtrackError
from ..domain.notices import NoticeValues, check_kind, notice_values
from ..domain.record import Request
from ..domain.vocab import LANGUAGES, NOTICE_KIND, Term
from .context import Context, inputs
from .requests import notice

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass
class NoticeDraft:
    """A notice about to be filled: the request (with its history) and the values, the template
    set for its kind and language (None: the built-in one), the e-mail address it would go to
    (the request's contact when that is one address, else None), and the stored settings."""

    request: Request
    values: NoticeValues
    lang: str
    template: str | None
    to: str | None
    settings: Mapping[str, str]
    tz: ZoneInfo


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InvalidInput("unknown language {lang!r}; use one of {languages}", lang=lang, languages=", ".join(LANGUAGES))
    return lang


def prepare_notice(ctx: Context, request_id: str, kind: str, lang: str, *, mask: bool = False) -> NoticeDraft:
    """The draft of the notice of `kind` in `lang` about the request, as it stands now (one
    snapshot); `mask` hides the proposer's name as exports do."""
    check_kind(kind)
    check_language(lang)
    with ctx.reader() as uow:
        given = inputs(uow, ctx)
        request = uow.requests.get(request_id.strip())
        values = notice_values(request, kind, given.settings, given.calendar, ctx.now, mask=mask)
        template = uow.requests.template(kind, lang)
    to = request.contact.strip() if request.contact and parse_mailbox(request.contact) else None
    return NoticeDraft(request, values, lang, template, to, given.settings, given.tz)


def send_notice(ctx: Context, draft: NoticeDraft, subject: str, body: str) -> Request:
    """E-mail the filled notice to the request's contact, then record it (via email).

    Refused before anything is sent: a contact that is not an e-mail address (exit 2), a
    notice that could not be recorded now (exit 2), e-mail not set up (exit 3). A send that
    fails is an EnvironmentProblem (exit 3) and nothing is recorded. The SMTP conversation
    happens outside any transaction, so no writer waits on the mail server."""
    from ..mail import SmtpSettings, build_message, send_message

    request, kind = draft.request, draft.values.kind
    if draft.to is None:
        contact = Message("contact {contact!r}", contact=request.contact) if request.contact else Message("no contact")
        raise InvalidInput("request {rid} has {contact}, which is not an e-mail address, so the notice cannot be e-mailed; "
                           "send it another way and record it with `reqtrack notice {rid} {kind} --sent --via CHANNEL`",
                           rid=request.id, contact=contact, kind=kind)
    # The entry it would record, tried on a copy: a notice that could not be recorded is not sent.
    lifecycle.notice(copy.deepcopy(request), ctx.now, ctx.now, ctx.actor, kind, "email")
    smtp = SmtpSettings.from_settings(draft.settings)
    message = build_message(smtp.sender, draft.to, subject, body, to_name=request.proposer,
                            headers={"X-Reqtrack-Request": request.id, "X-Reqtrack-Notice": kind})
    send_message(smtp, message)
    try:
        return notice(ctx, request.id, kind, via="email")
    except ReqtrackError as exc:
        sent_at = ctx.now.astimezone(draft.tz).strftime("%Y-%m-%d %H:%M")
        raise EnvironmentProblem("the {kind} notice was e-mailed to {to} but could not be recorded ({problem}); record it "
                                 "with `reqtrack notice {rid} {key} --sent --at '{sent_at}'`", kind=Term(NOTICE_KIND, kind),
                                 to=draft.to, problem=exc, rid=request.id, key=kind, sent_at=sent_at) from None


# -- templates -------------------------------------------------------------------------------------
def stored_template(ctx: Context, kind: str, lang: str) -> str | None:
    """The template the team set for `kind` in `lang`; None when none is set (or there is no
    database yet): the built-in one is used."""
    check_kind(kind)
    check_language(lang)
    if not ctx.database_exists():
        return None
    with ctx.reader() as uow:
        return uow.requests.template(kind, lang)


def set_template(ctx: Context, kind: str, lang: str, text: str, *, check: Callable[[str], None]) -> None:
    """Keep `text` as the template of `kind` in `lang` for the whole team, once `check` (the
    views' check_template) accepts it: a refused template leaves the stored one as it was."""
    check_kind(kind)
    check_language(lang)
    check(text)
    with ctx.unit_of_work(write=True) as uow:
        uow.requests.set_template(kind, lang, text, ctx.now, ctx.actor)
        uow.commit()


def reset_template(ctx: Context, kind: str, lang: str) -> bool:
    """Go back to the built-in template of `kind` in `lang`; whether one had been set."""
    check_kind(kind)
    check_language(lang)
    if not ctx.database_exists():
        return False
    with ctx.unit_of_work(write=True) as uow:
        dropped = uow.requests.delete_template(kind, lang)
        uow.commit()
    return dropped
