"""The report: period statistics for the weekly meeting (docs/metrics.md), as one JSON-ready dict.

Periods are calendar weeks (Monday start), months, quarters and years in the database's time
zone; `previous` picks the last complete one; `from_`/`to` give any half-open range.
"""

from __future__ import annotations

import gc
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput
from ..domain.record import Request
from ..domain.vocabularies import DEFAULT, Vocabularies
from .context import Context, Inputs, inputs, with_histories

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..domain.calendar import WorkingCalendar
    from ..domain.metrics import EventCounts, LateNow, MonthlyInputs, NewCounts, OpenRequest, Period, Tally
    from ..domain.sla import SlaPolicy
    from ..storage.report_queries import Bounds
    from ..storage.repository import UnitOfWork
    from ..storage.side_reads import SideReads

PERIOD_KINDS = ("week", "month", "quarter", "year")
DEFAULT_PERIOD = "month"


def _first_of(kind: str, day: date) -> date:
    """The first day of the period of `kind` that contains `day`."""
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _next_start(kind: str, first: date) -> date:
    if kind == "week":
        return first + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    y, m = divmod(first.year * 12 + first.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def period_bounds(kind: str, as_of: datetime, tz: ZoneInfo, previous: bool = False) -> tuple[datetime, datetime]:
    """[start, end) of the week (Monday 00:00), month, quarter or year containing `as_of` in
    zone `tz`; with `previous`, of the last complete one before it."""
    if kind not in PERIOD_KINDS:
        raise InvalidInput("unknown period {kind!r}; use one of {kinds}", kind=kind, kinds=", ".join(PERIOD_KINDS))
    first = _first_of(kind, as_of.astimezone(tz).date())
    if previous:
        first = _first_of(kind, first - timedelta(days=1))
    return _midnight(first, tz), _midnight(_next_start(kind, first), tz)


def period_label(kind: str | None, start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """`2025-W11`, `2025-03`, `2025-Q1`, `2025`, or `2025-03-01 – 2025-03-08` for a custom range."""
    local = start.astimezone(tz)
    if kind == "week":
        year, week, _ = local.date().isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return local.strftime("%Y-%m")
    if kind == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    if kind == "year":
        return str(local.year)
    last = end.astimezone(tz)
    fmt = "%Y-%m-%d" if (local.time(), last.time()) == (datetime.min.time(),) * 2 else "%Y-%m-%d %H:%M"
    return f"{local.strftime(fmt)} – {last.strftime(fmt)}"


@dataclass
class ReportResult:
    """The report's figures, the period's requests (for the workbook) and the display zone."""

    data: dict[str, Any]
    requests: list[Request]
    tz: ZoneInfo
    vocabularies: Vocabularies = DEFAULT  # source and type as the database has them (their labels)


def report(
    ctx: Context,
    period: str | None = None,
    previous: bool = False,
    from_: str | None = None,
    to: str | None = None,
    as_of: str | None = None,
    with_requests: bool = False,
) -> ReportResult:
    """Compute the report; `with_requests` also loads the period's requests in full (history and
    attachments, newest submission first) for the workbook's request sheet."""
    if period is not None and (from_ is not None or to is not None):
        raise InvalidInput("give either --period or --from/--to, not both")
    if (from_ is None) != (to is None):
        raise InvalidInput("--from and --to go together (the range is [from, to))")
    if previous and from_ is not None:
        raise InvalidInput("--previous goes with --period, not with --from/--to")
    kind = period if from_ is None else None
    if from_ is None and kind is None:
        kind = DEFAULT_PERIOD
    if kind is not None:
        kind = kind.strip().lower()
        if kind not in PERIOD_KINDS:
            raise InvalidInput("unknown period {kind!r}; use one of {kinds}", kind=period, kinds=", ".join(PERIOD_KINDS))

    # Loading a year of a large database allocates millions of small objects (requests, history
    # entries, times), none of them in reference cycles; the cyclic garbage collector would walk
    # them over and over as they pile up (a fifth of the report's time at 100,000 requests).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _report(ctx, kind, previous, from_, to, as_of, with_requests)
    finally:
        if collecting:
            gc.enable()


def _report(ctx: Context, kind: str | None, previous: bool, from_: str | None, to: str | None,
            as_of: str | None, with_requests: bool) -> ReportResult:
    """`report` once its arguments are checked: read, compute, and label the period."""
    from ..domain import metrics
    from ..domain.sla import SlaPolicy
    from ..storage import report_queries

    # One read snapshot: the report only reads, and a year of a large database must not pay for
    # per-value result processing (storage.report_queries reads the rows as stored).
    with ctx.reader() as uow:
        given = inputs(uow, ctx)
        tz = given.tz
        moment = given.time(as_of, "start", "--as-of")
        when = (moment.at if moment else ctx.now).astimezone(timezone.utc)
        if kind is not None:
            start, end = period_bounds(kind, when, tz, previous)
        else:
            start = given.time(from_, "start", "--from").at  # type: ignore[union-attr]
            end = given.time(to, "start", "--to").at  # type: ignore[union-attr]
            if end <= start:
                raise InvalidInput("--to must be after --from (the range is [from, to))")
        start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
        span = metrics.Period(start, end, when)
        calendar = given.calendar
        policy = SlaPolicy.from_settings(given.settings)
        vocabularies = given.vocabularies

        boundaries = metrics.trend_months(span, tz)
        requests: list[Request] | None = None
        if report_queries.report_facts_ready(uow.conn):
            # "Overdue now" as `overdue` answers it (the stored running deadlines; for a past
            # as_of, the requests as they stood then, from their timelines), and the other
            # figures from the stored report facts: no history is read.
            from ..storage.side_reads import side_reads
            from .upkeep import verdicts_basis

            judged = uow.requests.verdicts_basis() == verdicts_basis(given.settings)
            with side_reads(uow) as side:
                # The reads that need no other answer go ahead (on the server, to other
                # connections of this snapshot), answered while this thread works on the rest.
                quiet = _QuietReads.sent(side, span, boundaries, policy, judged)
                late = _overdue_at(uow, given, span, calendar, policy, past=when < ctx.now, lacking=quiet.lacking)
                tally, monthly = _from_facts(uow.conn, span, boundaries, calendar, policy, quiet)
            figures = metrics.figures(tally, span, policy, tz, monthly, late)
        else:
            # Facts not computed yet: every relevant request's history replayed.
            requests = report_queries.relevant_requests(uow.conn, submitted_by=when, touched_since=min(start, when))
            monthly = report_queries.monthly_inputs(uow.conn, boundaries[0], min(boundaries[-1], end), when)
            late = None
            if when >= ctx.now:
                late = _overdue_at(uow, given, span, calendar, policy, past=False)
            figures = metrics.compute_metrics(requests, span, calendar, policy, tz, monthly, overdue=late)

        period_requests: list[Request] = []
        if with_requests:
            # The loaded requests are complete but for their attachments; they show the
            # current state of each request, as `export` does.
            if requests is None:
                requests = report_queries.touched_requests(uow.conn, submitted_by=when, since=start)
            period_requests = [r for r in requests if metrics.touched_in_period(r, span)]
            report_queries.materialise(period_requests)
            attachments = uow.requests.attachments_of([r.id for r in period_requests])
            for request in period_requests:
                request.attachments = attachments[request.id]
            period_requests.sort(key=lambda r: (r.submitted_at, r.id), reverse=True)

    data: dict[str, Any] = {
        "period": {
            "from": start.astimezone(tz).isoformat(), "to": end.astimezone(tz).isoformat(),
            "as_of": when.astimezone(tz).isoformat(),
            "kind": kind or "custom", "label": period_label(kind, start, end, tz),
        },
        "timezone": str(tz),
    }
    data.update(figures)
    return ReportResult(data, period_requests, tz, vocabularies)


def _overdue_at(uow: UnitOfWork, given: Inputs, span: Period, calendar: WorkingCalendar, policy: SlaPolicy,
                past: bool, lacking: Callable[[], bool] | None = None) -> list[LateNow]:
    """"Overdue now" (at the report's as_of), each request as `overdue` lists it then. In the
    past, each request open then as it stood then, from the segment of its timeline in force
    (the fields of the request as it stood, as a replay reads them: metrics.overdue_now); those
    without stored facts are replayed."""
    from ..domain import metrics
    from ..domain.sla import state_reasons
    from ..storage import report_queries
    from ..storage.stored import RequestFilter

    if not past:
        return _overdue_now(uow, given, span.as_of, calendar, policy)
    late = []
    for request, status, fields, state in report_queries.open_states_at(uow.conn, RequestFilter(), span.as_of,
                                                                        report=True):
        reasons = state_reasons(state, calendar, policy)
        if reasons:
            request.status = status  # the request (read for this report only) as it stood then
            for name, value in fields.items():
                setattr(request, name, value)
            late.append(metrics.late_now(request, reasons))
    without = report_queries.without_facts(uow.conn, RequestFilter(), span.as_of, lacking() if lacking else None)
    if without:
        late += [metrics.late_now(request, reasons) for request, reasons
                 in metrics.overdue_now(with_histories(uow.requests, without), span, calendar, policy)]
    return late


def _overdue_now(uow: UnitOfWork, given: Inputs, when: datetime, calendar: WorkingCalendar,
                 policy: SlaPolicy) -> list[LateNow]:
    """The rows of `overdue` at `when` (now or later), as the report lists them: what
    services.sla.overdue_rows gives, read the same way — the stored running deadlines while they
    were computed with the current settings, the requests whose deadlines hold only from after
    `when` replayed — but with no Request made of each row and the working days of its first
    reason only (metrics.breached; thousands of rows at 100,000 requests)."""
    from ..domain import metrics
    from ..domain.sla import deadline_basis, overdue_reasons
    from ..storage import report_queries
    from ..storage.stored import RequestFilter

    if uow.requests.deadline_basis() != deadline_basis(given.settings):
        from .sla import overdue_rows

        return [metrics.late_now(row.request, row.reasons)
                for row in overdue_rows(uow, given, RequestFilter(open_only=True), when, lite=True)]
    late: list[LateNow] = []
    replay: list[str] = []
    for shown, changed_after, deadlines in report_queries.running_breaches(uow.conn, when):
        if changed_after:  # a clock behind the machine's: replayed, as overdue_rows does
            replay.append(shown[0])
            continue
        row = metrics.breached(shown, deadlines, calendar, when)
        if row is not None:
            late.append(row)
    for request in uow.requests.get_many(replay).values() if replay else ():
        reasons = overdue_reasons(request, calendar, policy, when) if request.submitted_at <= when else []
        if reasons:
            late.append(metrics.late_now(request, reasons))
    return late


@dataclass
class _QuietReads:
    """The reads of the report from facts that need no other answer, sent ahead
    (storage/side_reads.py): whether some request lacks facts, the quiet requests' new counts,
    backlog and completions, the period's event counts and the trend's counts between its cuts;
    with the period's `bounds` they were sent with."""

    bounds: Bounds
    lacking: Callable[[], bool]
    new_counts: Callable[[], NewCounts]
    backlog: Callable[[], list[OpenRequest]]
    completions: Callable[[], list[Any]]
    events: Callable[[], EventCounts]
    submitted_between: Callable[[], list[int]]
    completions_between: Callable[[], list[int]]

    @classmethod
    def sent(cls, side: SideReads, span: Period, boundaries: list[datetime], policy: SlaPolicy,
             judged: bool) -> _QuietReads:
        """The reads sent to `side`, the slowest of the first needed first. `judged`: the
        completions' stored verdicts hold under the current settings."""
        from ..domain import metrics
        from ..storage import report_queries as queries

        bounds = queries.Bounds.of(span.start, span.end, span.as_of)
        cuts = metrics.trend_cuts(boundaries, span)
        completions: Callable[..., list[Any]] = queries.quiet_judged if judged else queries.quiet_completions
        return cls(
            bounds=bounds,
            lacking=side.later(queries.facts_lacking),
            completions=side.later(completions, bounds),
            new_counts=side.later(queries.quiet_new_counts, bounds, timedelta(hours=policy.response_hours), span.as_of),
            backlog=side.later(queries.quiet_backlog, bounds),
            events=side.later(queries.period_event_counts, bounds),
            submitted_between=side.later(queries.submitted_between, cuts),
            completions_between=side.later(queries.quiet_completions_between, bounds, cuts),
        )


def _from_facts(conn: sqlite3.Connection, span: Period, boundaries: list[datetime], calendar: WorkingCalendar,
                policy: SlaPolicy, quiet: _QuietReads) -> tuple[Tally, MonthlyInputs]:
    """The period's tally and the trend's inputs from the stored report facts: requests whose
    record ends before the cut from their facts (`quiet`: the reads of them sent ahead), those
    changed after the cut from the segments of their timelines in force at the cut (and the few a
    timeline cannot answer by replaying their histories), and the period's entries from the
    stored event facts."""
    from ..domain import metrics
    from ..storage import report_queries as queries

    bounds = quiet.bounds
    at_cut, again = queries.stood_at_cut(conn, bounds)
    spans = queries.completion_spans(conn, [row.request_id for row in at_cut], bounds) if at_cut else []
    responses = None
    if span.as_of >= span.end:  # the first responses are judged at as_of, after the cut
        new = [row.request_id for row in at_cut if row.submitted >= span.start]
        responses = queries.responses_at(conn, new, span.as_of) if new else {}
    replayed = queries.replayed_requests(conn, bounds, again, quiet.lacking())
    tally = metrics.tally_quiet(quiet.new_counts(), quiet.backlog(), quiet.completions(), span, calendar, policy)
    tally.add(metrics.tally_at_cut(at_cut, spans, responses, span, calendar, policy))
    tally.add(metrics.tally_requests(replayed, span, calendar, policy, count_entries=False))
    tally.events = quiet.events()

    # The trend's twelve months, cut as the period is: the same split; the submissions and the
    # quiet requests' completions counted in SQL between the trend's cuts, not read one by one.
    monthly = metrics.trend_inputs(replayed)
    monthly.submissions = []  # those of the replayed requests are among the ones counted
    monthly.submitted_between = quiet.submitted_between()
    monthly.standing = metrics.trend_times(spans, span)
    monthly.standing_between = quiet.completions_between()
    return tally, monthly
