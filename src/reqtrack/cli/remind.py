"""The commands of reminders (SPEC §8, docs/notices.md): `remind` (what each person must do now;
`--send` e-mails each one a digest) and `people` (the owners and liaisons, with their addresses)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.errors import ExitStatus, InvalidInput
from .common import AsOf, Json, area, say, state

if TYPE_CHECKING:
    from ..services import Context
    from ..services.remind import RemindReport

app = area()
people_app = area("The people who appear as owners and liaisons, with their e-mail addresses.")  # the root adds it as `people`


@app.command()
def remind(
    ctx: typer.Context,
    as_of: AsOf = None,
    person: Annotated[str | None, typer.Option("--person", help="Only this person's rows (the name as in owner or liaison).")] = None,
    json: Json = False,
    send: Annotated[bool, typer.Option("--send", help="E-mail each person a digest of their rows (addresses from `people`).")] = False,
) -> None:
    """List, per person, what is due now; exit 1 when anything is (for cron)."""
    from ..services.remind import remind as reminders

    if json and send:
        raise InvalidInput("--json lists the rows and --send reports what was e-mailed: use one")
    st = state(ctx)
    report = reminders(st.ctx, as_of=as_of, person=person)
    if send:
        _send(st.ctx, report, st.lang)
    elif json:
        from ..views.output import dump_json
        from ..views.remind import remind_json

        dump_json(remind_json(report))
    else:
        from ..views.remind import remind_screen

        remind_screen(report, st.lang)
    raise typer.Exit(ExitStatus.FOUND if report.rows else ExitStatus.SUCCESS)


def _send(ctx: Context, report: RemindReport, lang: str) -> None:
    """E-mail the digests and say, one line per person, what became of theirs; a failure of the
    server ends the command with exit 3 after the lines (what was sent before it stays sent)."""
    from ..services.remind import Digest, send_digests
    from ..views.cells import local
    from ..views.labels import label
    from ..views.remind import digest, person_name

    if not report.rows:
        say(label("remind.send.nothing", lang, as_of=local(report.as_of, report.tz)))
        return
    digests, unreached = [], []
    for person, rows in report.by_person():
        address = report.address_of(person)
        if person is None or address is None:
            unreached.append((person, len(rows)))
            continue
        subject, body = digest(report, person, rows, lang)
        digests.append((Digest(person, address, subject, body), len(rows)))
    delivery = send_digests(ctx, [d for d, _ in digests])
    counts = {d.person: n for d, n in digests}
    for sent in delivery.sent:
        say(label("remind.send.sent", lang, person=sent.person, address=_bare(sent.address), n=counts[sent.person]))
    for missed in delivery.not_sent:
        say(label("remind.send.not_sent", lang, person=missed.person, address=_bare(missed.address), n=counts[missed.person]))
    for person, count in unreached:
        say(label("remind.send.unreached", lang, person=person_name(person, lang), n=count,
                  why=_why_unreached(report, person, lang)))
    if delivery.failure is not None:
        raise delivery.failure


def _bare(address: str) -> str:
    from ..domain.addresses import parse_mailbox

    mailbox = parse_mailbox(address)
    return mailbox[1] if mailbox else address


def _why_unreached(report: RemindReport, person: str | None, lang: str) -> str:
    from ..views.labels import label

    if person is None:
        return label("remind.send.no_one", lang)
    if person not in report.people:
        return label("remind.send.not_listed", lang, person=person)
    return label("remind.send.no_address", lang, person=person)


# -- people ----------------------------------------------------------------------------------------
@people_app.command("add")
def people_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name as it is written in owner and liaison fields.", show_default=False)],
    email: Annotated[str | None, typer.Option("--email", help="E-mail address: name@example.com or 'Name <name@example.com>'.", show_default=False)] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="Department.", show_default=False)] = None,
) -> None:
    """Add a person (or update one: what is not given is kept)."""
    from ..services.people import add_person
    from ..views.labels import label

    st = state(ctx)
    person, new = add_person(st.ctx, name, email=email, department=dept)
    details = [person.email or label("people.no_address", st.lang)] + ([person.department] if person.department else [])
    said = label("people.added" if new else "people.updated", st.lang, person=person.name)
    say(label("sep.paren", st.lang, text=said, inner=label("sep.comma", st.lang).join(details)))


@people_app.command("list")
def people_list(ctx: typer.Context, json: Json = False) -> None:
    """List the people: name, e-mail address, department."""
    from ..services.people import list_people
    from ..views.labels import label

    st = state(ctx)
    people = list_people(st.ctx)
    if json:
        from ..views.output import dump_json

        dump_json([{"name": p.name, "email": p.email, "department": p.department} for p in people])
        return
    if not people:
        say(label("people.none", st.lang))
        return
    import sys

    from ..views.output import plain_table
    from ..views.text import one_line

    rows = [[one_line(p.name), one_line(p.email or ""), one_line(p.department or "")] for p in people]
    headers = [label("people.name", st.lang), label("people.email", st.lang), label("department", st.lang)]
    sys.stdout.write("\n".join(plain_table(headers, rows, [30, 60, 30])) + "\n")


@people_app.command("remove")
def people_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name, as `people list` shows it.", show_default=False)],
) -> None:
    """Take a person off the list (their name stays on the requests)."""
    from ..services.people import remove_person
    from ..views.labels import label

    st = state(ctx)
    remove_person(st.ctx, name)
    say(label("people.removed", st.lang, person=name.strip()))
