"""The commands of reminders (SPEC §8, docs/notices.md): `remind` (what each person must do now;
`--send` e-mails each one a digest) and `people` (the owners and liaisons, with their addresses)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.errors import ExitStatus, InvalidInput
from .common import Json, area, say, state

if TYPE_CHECKING:
    from ..services import Context
    from ..services.remind import RemindReport

app = area()
people_app = area("The people who appear as owners and liaisons, with their e-mail addresses.")  # the root adds it as `people`


@app.command()
def remind(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate at this time instead of now.")] = None,
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
    from ..views.remind import digest, person_name

    if not report.rows:
        say(f"nothing to do as of {report.as_of.astimezone(report.tz):%Y-%m-%d %H:%M}; no e-mail sent")
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
        say(f"sent to {sent.person} <{_bare(sent.address)}>: {counts[sent.person]} to do")
    for missed in delivery.not_sent:
        say(f"not sent to {missed.person} <{_bare(missed.address)}>: {counts[missed.person]} to do")
    for person, count in unreached:
        say(f"not reached: {person_name(person, 'en')}: {count} to do; {_why_unreached(report, person)}")
    if delivery.failure is not None:
        raise delivery.failure


def _bare(address: str) -> str:
    from ..domain.addresses import parse_mailbox

    mailbox = parse_mailbox(address)
    return mailbox[1] if mailbox else address


def _why_unreached(report: RemindReport, person: str | None) -> str:
    if person is None:
        return "the requests have neither owner nor liaison"
    if person not in report.people:
        return f"not in the people list (reqtrack people add '{person}' --email ADDRESS)"
    return f"no e-mail address (reqtrack people add '{person}' --email ADDRESS)"


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

    person, new = add_person(state(ctx).ctx, name, email=email, department=dept)
    address = person.email or "no e-mail address"
    say(f"{'added' if new else 'updated'} {person.name} ({address}{', ' + person.department if person.department else ''})")


@people_app.command("list")
def people_list(ctx: typer.Context, json: Json = False) -> None:
    """List the people: name, e-mail address, department."""
    from ..services.people import list_people

    people = list_people(state(ctx).ctx)
    if json:
        from ..views.output import dump_json

        dump_json([{"name": p.name, "email": p.email, "department": p.department} for p in people])
        return
    if not people:
        say("nobody listed yet; add people with `reqtrack people add NAME --email ADDRESS`")
        return
    import sys

    from ..views.output import plain_table
    from ..views.text import one_line

    rows = [[one_line(p.name), one_line(p.email or ""), one_line(p.department or "")] for p in people]
    sys.stdout.write("\n".join(plain_table(["name", "e-mail", "department"], rows, [30, 60, 30])) + "\n")


@people_app.command("remove")
def people_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name, as `people list` shows it.", show_default=False)],
) -> None:
    """Take a person off the list (their name stays on the requests)."""
    from ..services.people import remove_person

    remove_person(state(ctx).ctx, name)
    say(f"removed {name.strip()}")
