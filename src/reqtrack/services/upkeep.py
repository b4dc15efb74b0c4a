"""The derived data every write keeps in step, in the same transaction as what it is computed
from: the open requests' running deadlines (read by `overdue`), the report facts (read by
`report`), the search documents (read by `search`, `list --search` and the likely duplicates of
`new`; the engine's full-text index follows them), the JSON text of each request (read by
`list --format json`; services/documents.py), and the country's holidays of the years the records touch (kept as the installed
`holidays` package said them, so what was computed with them does not move when it changes).

`check` (services/admin.py) recomputes the same data from the histories and compares.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING

from ..domain.errors import InvalidInput, Message
from ..domain.record import Request
from .context import Inputs, with_histories
from .documents import keep_json_docs

if TYPE_CHECKING:
    from ..domain.calendar import WorkingCalendar
    from ..domain.metrics import Completion, CompletionFact, RequestFacts
    from ..domain.sla import RunningDeadlines, SlaPolicy
    from ..storage.repository import Repository, UnitOfWork

OLDEST_YEAR_KEPT = 50  # years back from now: the oldest year whose country days are kept


def keep_deadlines(uow: UnitOfWork, inputs: Inputs, changed: list[Request], recompute: bool = False,
                   elsewhere: bool = False) -> None:
    """Keep the stored running deadlines (domain.sla.running_deadlines; read by `overdue`) in
    step with this unit of work: those of the `changed` requests (loaded with their history), or
    of every open request when the settings they were computed with changed, or `recompute`.

    Called by every service that writes a request or a setting, before it commits, so the stored
    deadlines change in the same transaction as what they are computed from. Keeps the changed
    requests' report facts, search documents and JSON texts too (`keep_report_facts`,
    `keep_search_index`, services.documents.keep_json_docs); `elsewhere`: all but the report
    facts of `changed` (new requests), which the caller keeps (an import's second process:
    services/fact_worker.py).
    """
    judges: Verdicts | None = None
    try:
        recompute = _keep_deadlines(uow, inputs, changed, recompute)
        judges = Verdicts.of(inputs)
    except InvalidInput:
        # A stored setting that does not read (or a country the installed package no longer
        # knows): drop the stored deadlines rather than refuse the write; `overdue` then replays
        # the histories and names the setting to fix.
        uow.requests.replace_running_deadlines({}, None)
    keep_report_facts(uow, [] if elsewhere else changed, judges, recompute)
    keep_search_index(uow, changed)
    keep_json_docs(uow, inputs, changed)


class Verdicts:
    """How the completions are judged under the current settings (domain.metrics.judge_completion),
    and the basis the stored verdicts are then recorded with (the deadlines' and the rules'
    format: stored.VERDICTS_FORMAT)."""

    def __init__(self, calendar: WorkingCalendar, policy: SlaPolicy, basis: str) -> None:
        from ..domain.metrics import judge_completion

        self.calendar, self.policy, self.basis = calendar, policy, basis
        self._judge = judge_completion

    @classmethod
    def of(cls, inputs: Inputs) -> Verdicts:
        """InvalidInput for settings that do not read."""
        from ..domain.sla import SlaPolicy

        return cls(inputs.calendar, SlaPolicy.from_settings(inputs.settings), verdicts_basis(inputs.settings))

    def __call__(self, fact: CompletionFact) -> Completion:
        return self._judge(fact, self.calendar, self.policy)


def verdicts_basis(settings: Mapping[str, str]) -> str:
    """What stored verdicts of completions are computed with: the settings of the deadlines (the
    calendar, the targets) and the format of the rules."""
    from ..domain.sla import deadline_basis
    from ..storage.stored import VERDICTS_FORMAT

    return f"verdicts={VERDICTS_FORMAT};{deadline_basis(settings)}"


def keep_search_index(uow: UnitOfWork, changed: list[Request]) -> None:
    """Keep the search documents (domain.search.search_doc) of the `changed` requests (loaded with
    their history) in step with this unit of work; when they are not complete (or of another
    version), compute every request's afresh. The engine's index over them follows in the same
    transaction (SQLite's triggers, PostgreSQL's GIN indexes)."""
    from ..domain.search import search_doc
    from ..storage.search_index import SEARCH_INDEX_VERSION

    if uow.requests.search_index_basis() != SEARCH_INDEX_VERSION:
        uow.requests.rebuild_search_docs()
    elif changed:
        uow.requests.put_search_docs(search_doc(r) for r in changed)


def keep_report_facts(uow: UnitOfWork, changed: list[Request], judges: Verdicts | None = None,
                      rejudge: bool = False) -> None:
    """Keep the stored report facts (domain.metrics.request_facts; read by `report`) of the
    `changed` requests (loaded with their history) in step with this unit of work; when they
    have never been computed (a database from before migration 5), compute those of every
    request. They do not depend on the settings, so a settings change leaves them as they are.

    With `judges` (the settings read), the completions' verdicts under them are stored too, and
    every stored completion is judged again when they were judged under other settings, or when
    `rejudge` (the calendar's days changed); without, the stored verdicts are not to be read."""
    from ..domain.metrics import request_facts
    from ..storage.stored import REPORT_FACTS_VERSION

    requests = uow.requests
    if judges is None:
        requests.set_verdicts_basis(None)
    if requests.report_facts_basis() != REPORT_FACTS_VERSION:
        if uow.notice is not None and many_requests(requests):
            uow.notice(Message("computing the report's stored facts of every request, once after an upgrade; on a "
                               "large database this takes a while (about a minute at 100,000 requests)"))
        requests.clear_report_facts()
        for chunk in all_report_facts(requests):
            requests.put_report_facts(chunk, judges)
        requests.set_report_facts_basis(REPORT_FACTS_VERSION)
        if judges is not None:
            requests.set_verdicts_basis(judges.basis)
        return
    if changed:
        requests.put_report_facts({r.id: (r, request_facts(r)) for r in changed}, judges)
    if judges is not None and (rejudge or requests.verdicts_basis() != judges.basis):
        requests.rejudge(judges, judges.basis)


NOTICE_AT = 2000  # requests from which a rebuild of every one's derived rows is felt (a second or more)


def many_requests(requests: Repository) -> bool:
    """Whether a rebuild of every request's derived rows is worth a word (a new database's first
    write is not)."""
    from ..storage.stored import RequestFilter

    return requests.count(RequestFilter()) >= NOTICE_AT


def all_report_facts(requests: Repository, chunk_size: int = 5000) -> Iterator[dict[str, tuple[Request, RequestFacts]]]:
    """Every request's report facts computed from its history, a chunk of requests at a time:
    {request ID: (request, RequestFacts)}. `requests`: a repository."""
    from ..domain.metrics import request_facts

    for chunk in chunks_with_histories(requests, chunk_size):
        result = {}
        for request in chunk:
            result[request.id] = (request, request_facts(request))
            request.history = []  # let the chunk's entries go
        yield result


def chunks_with_histories(requests: Repository, chunk_size: int = 5000, attachments: bool = False,
                          open_only: bool = False) -> Iterator[list[Request]]:
    """Every request (or every open one) with its history and links (and `attachments`), in
    submission order, a chunk at a time (never all at once). `requests`: a repository."""
    from ..storage.stored import RequestFilter

    everyone = requests.select(RequestFilter(open_only=open_only), newest_first=False)  # streamed
    while chunk := list(islice(everyone, chunk_size)):
        yield with_histories(requests, chunk, attachments=attachments)


def open_running_deadlines(requests: Repository, calendar: WorkingCalendar,
                           policy: SlaPolicy) -> dict[str, RunningDeadlines | None]:
    """Every open request's running deadlines (domain.sla.running_deadlines), computed from its
    history: what the services store, and what `check` compares the stored rows with.
    `requests`: a repository."""
    from ..domain.sla import running_deadlines
    from ..storage.stored import RequestFilter

    everyone = with_histories(requests, list(requests.select(RequestFilter(open_only=True))))
    return {request.id: running_deadlines(request, calendar, policy) for request in everyone}


def _keep_deadlines(uow: UnitOfWork, inputs: Inputs, changed: list[Request], recompute: bool) -> bool:
    """Keep the running deadlines; whether every one was computed again (the settings or the
    calendar's days changed, or `recompute`)."""
    from ..domain.sla import SlaPolicy, deadline_basis, running_deadlines

    calendar = inputs.calendar
    policy = SlaPolicy.from_settings(inputs.settings)
    basis = deadline_basis(inputs.settings)
    if calendar.country is not None and _refresh_open_years(uow, calendar, inputs.now.year):
        recompute = True  # the package now says otherwise of this year or next: deadlines move
    if recompute or uow.requests.deadline_basis() != basis:
        uow.requests.replace_running_deadlines(open_running_deadlines(uow.requests, calendar, policy), basis)
        recompute = True
    else:
        uow.requests.put_running_deadlines(
            {r.id: running_deadlines(r, calendar, policy) if r.is_open else None for r in changed})
    if calendar.country is not None:
        keep_country_years(uow, calendar, inputs.now.year)
    return recompute


def keep_country_years(uow: UnitOfWork, calendar: WorkingCalendar, this_year: int) -> None:
    """Keep every year the records can touch, from the first submission (at most
    OLDEST_YEAR_KEPT years back) to next year, with what the package says of it now: what is
    computed with those days (deadlines, reports, show) then does not move when the package
    changes. Only the years the database does not keep yet are taken from the package."""
    first = max(min(uow.requests.first_submission_year() or this_year, this_year), this_year - OLDEST_YEAR_KEPT)
    for year in range(first - 1, this_year + 2):
        calendar.country_year_days(year)
    if calendar.fetched_days:
        from ..domain.calendar import holidays_version

        assert calendar.country is not None  # only a country's calendar fetches days
        uow.requests.keep_country_days(calendar.country, calendar.subdivision, calendar.fetched_days,
                                       f"holidays {holidays_version()}")
        calendar.fetched_days.clear()


def _refresh_open_years(uow: UnitOfWork, calendar: WorkingCalendar, this_year: int) -> bool:
    """Re-read this year and next from the installed `holidays` package when they were kept from
    another version; True when their days changed.

    Years that have ended stay as kept. This year and next are not final: governments announce
    the coming year's holidays and make-up days late in the year (China in November or
    December), and the package learns them in a later release.
    """
    from ..domain import calendar as calendars  # its functions by attribute: tests replace country_year

    assert calendar.country is not None
    source = f"holidays {calendars.holidays_version()}"
    kept = uow.requests.country_day_sources(calendar.country, calendar.subdivision)
    changed = False
    for year in (this_year, this_year + 1):
        if year in kept and kept[year] != source:
            calendars.normalise_country(calendar.country, calendar.subdivision)  # InvalidInput if no longer known
            fresh = calendars.country_year(calendar.country, calendar.subdivision, year)
            changed = changed or fresh != calendar.country_year_days(year)
            calendar.replace_country_year(year, fresh)
    return changed
