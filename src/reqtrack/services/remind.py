"""`reqtrack remind` (SPEC §8, docs/notices.md): what each person must do now (domain/remind.py),
and e-mailing each person a digest of their rows.

The requests read are those a row can be about: the open ones, those closed within
`remind.survey_until_days` (the survey), and for a past `--as-of` those changed since (perhaps
open then); their histories are read in bulk, a batch at a time. The digests' words are the
views' (views/remind.py): the command line writes them and hands them to `send_digests`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from ..domain.people import Person
from ..domain.record import Request
from .context import Context, inputs, with_histories

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..domain.remind import Reminder
    from ..mail import SendFailed

BATCH = 1000  # requests whose histories are read at a time


@dataclass
class RemindReport:
    """The rows due at `as_of` (ordered as domain.remind.reminders orders them), the requests
    they are about (without history), everyone in the people list, and the display zone."""

    rows: list[Reminder]
    requests: dict[str, Request]
    people: dict[str, Person]
    as_of: datetime
    tz: ZoneInfo

    def by_person(self) -> list[tuple[str | None, list[Reminder]]]:
        """The rows grouped by person, in their order (nobody last)."""
        groups: dict[str | None, list[Reminder]] = {}
        for row in self.rows:
            groups.setdefault(row.person, []).append(row)
        return list(groups.items())

    def address_of(self, person: str | None) -> str | None:
        """The e-mail address of a person in the people list (None: not listed, or no address)."""
        listed = self.people.get(person) if person is not None else None
        return listed.email if listed is not None else None


def remind(ctx: Context, *, as_of: str | None = None, person: str | None = None) -> RemindReport:
    """Every row due at `as_of` (default now) for everyone, or for `person` only."""
    from ..domain.remind import reminders, sort_reminders
    from ..domain.sla import RemindPolicy
    from ..storage.stored import bulk_objects

    who = person.strip() if person is not None and person.strip() else None
    with ctx.reader() as uow, bulk_objects():
        given = inputs(uow, ctx)
        moment = given.time(as_of, "start", "--as-of")
        when = moment.at if moment else ctx.now
        policy = RemindPolicy.from_settings(given.settings)  # InvalidInput naming a stored setting that does not read
        calendar = given.calendar
        closed_since = when - timedelta(days=policy.survey_until_days + 1)
        candidates = uow.requests.remind_candidates(when, closed_since, when if when < ctx.now else None, who)
        rows: list[Reminder] = []
        about: dict[str, Request] = {}
        while batch := list(islice(candidates, BATCH)):
            found = reminders(with_histories(uow.requests, batch), given.settings, calendar, when)
            rows.extend(r for r in found if who is None or r.person == who)
            ids = {r.id for r in found}
            for request in batch:
                request.history = []  # let the batch's entries go
                if request.id in ids:
                    about[request.id] = request
        people = {p.name: p for p in uow.requests.people()}
    return RemindReport(sort_reminders(rows), about, people, when, given.tz)


# -- digests by e-mail -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Digest:
    """One person's digest, written by the views: to whom (their address) and what it says."""

    person: str
    address: str
    subject: str
    body: str


@dataclass
class Delivery:
    """What became of the digests: those sent, those not sent after a failure (the failed one
    first), and the failure (an EnvironmentProblem naming the server) if any."""

    sent: list[Digest] = field(default_factory=list)
    not_sent: list[Digest] = field(default_factory=list)
    failure: SendFailed | None = None


def send_digests(ctx: Context, digests: list[Digest]) -> Delivery:
    """Send the digests over one connection, in order. A failure stops the batch: what was sent
    before it stays sent, the rest is returned as not sent with the failure. E-mail not set up
    is an EnvironmentProblem (exit 3) raised before anything is sent."""
    from ..mail import SendFailed, SmtpSettings, build_message, send_messages

    if not digests:
        return Delivery()
    with ctx.reader() as uow:
        smtp = SmtpSettings.from_settings(uow.requests.settings())
    messages = [build_message(smtp.sender, d.address, d.subject, d.body, to_name=d.person,
                              headers={"X-Reqtrack-Digest": "remind"}) for d in digests]
    try:
        send_messages(smtp, messages)
    except SendFailed as exc:
        return Delivery([digests[i] for i in exc.sent], [digests[i] for i in exc.not_sent], exc)
    return Delivery(list(digests))
