"""Links between requests and the recurrence rate (SPEC §9, docs/search.md, docs/metrics.md): the
rules of domain.links, the recurrence rate on both ways to the figures, and the Hypothesis
property that the stored facts and the replayed histories agree, links included."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_metrics import (
    CAL,
    FAR,
    ORIGIN,
    POLICY,
    TZ,
    advance,
    figures,
    figures_from_stored_facts,
    histories,
    long_periods,
    periods,
    play,
)

from helpers import examples
from reqtrack.domain import lifecycle, links, metrics
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.record import Link, Request


def follow_in(requests: list[Request]) -> Any:
    """`follow` for domain.links over requests in memory."""
    by_id = {r.id: r for r in requests}
    return lambda rid, kind: [link.id for link in by_id[rid].links if link.kind == kind and link.direction == "out"]


def fresh(index: int, hours: int = 0, customer: str = "ACME") -> Request:
    request = Request(id=f"202501-{index:03d}", customer=customer, description="x",
                      submitted_at=ORIGIN + timedelta(hours=hours), priority="medium")
    lifecycle.register(request, "t", FAR)
    return request


def completed(index: int, hours: int = 0) -> Request:
    request = fresh(index, hours)
    lifecycle.assign(request, request.submitted_at + timedelta(hours=1), FAR, "t", owner="Li")
    lifecycle.progress(request, request.submitted_at + timedelta(hours=2), FAR, "t", "fixed", done=True)
    return request


# -- the rules ---------------------------------------------------------------------------------------
def test_a_link_is_recorded_on_both_requests_with_its_change() -> None:
    a, b = fresh(1), fresh(2)
    at = ORIGIN + timedelta(hours=3)
    mine, theirs = links.link(a, b, "related", at, FAR, "t", follow_in([a, b]), note="same screen")
    assert (mine.action, theirs.action) == ("link", "link")
    assert mine.changes == {"link": [None, {"id": "202501-002", "kind": "related", "direction": "out"}]}
    assert theirs.changes == {"link": [None, {"id": "202501-001", "kind": "related", "direction": "in"}]}
    assert mine.note == "related to 202501-002 — same screen"
    assert a.links == [Link("202501-002", "related", "out")] and b.links == [Link("202501-001", "related", "in")]


def test_linking_again_with_another_kind_replaces_the_link_and_says_what_it_was() -> None:
    a, b = fresh(1), fresh(2)
    follow = follow_in([a, b])
    links.link(a, b, "related", ORIGIN + timedelta(hours=1), FAR, "t", follow)
    mine, theirs = links.link(b, a, "duplicate", ORIGIN + timedelta(hours=2), FAR, "t", follow)
    assert mine.changes["link"] == [{"id": "202501-001", "kind": "related", "direction": "in"},
                                    {"id": "202501-001", "kind": "duplicate", "direction": "out"}]
    assert a.links == [Link("202501-002", "duplicate", "in")] and len(a.history) == 3


@pytest.mark.parametrize("kind", ["duplicate", "depends-on"])
def test_a_cycle_of_duplicates_or_dependencies_is_refused(kind: str) -> None:
    a, b, c = fresh(1), fresh(2), fresh(3)
    follow = follow_in([a, b, c])
    at = ORIGIN + timedelta(hours=1)
    links.link(a, b, kind, at, FAR, "t", follow)
    links.link(b, c, kind, at, FAR, "t", follow)
    with pytest.raises(InvalidInput, match=f"{kind} cycle"):
        links.link(c, a, kind, at, FAR, "t", follow)
    with pytest.raises(InvalidInput, match=f"{kind} cycle"):
        links.link(b, a, kind, at, FAR, "t", follow)  # the direct way back
    assert [len(r.history) for r in (a, b, c)] == [2, 3, 2]  # nothing recorded by the refusals
    links.link(c, a, "related", at, FAR, "t", follow)  # another kind closes no cycle


def test_a_link_to_itself_or_a_recurrence_of_unfinished_work_is_refused() -> None:
    a, b = fresh(1), fresh(2, hours=5)
    with pytest.raises(InvalidInput, match="itself"):
        links.link(a, a, "related", ORIGIN + timedelta(hours=6), FAR, "t", follow_in([a]))
    with pytest.raises(InvalidInput, match="had not been completed"):
        links.link(b, a, "recurrence", ORIGIN + timedelta(hours=6), FAR, "t", follow_in([a, b]))
    done = completed(3)
    later = fresh(4, hours=10)
    links.link(later, done, "recurrence", ORIGIN + timedelta(hours=10), FAR, "t", follow_in([done, later]))
    assert links.recurrence_of(later) == done.id and links.registered_as_recurrence(later)
    early = fresh(5, hours=1)  # submitted before the work was completed (hour 2)
    with pytest.raises(InvalidInput, match="had not been completed"):
        links.link(early, done, "recurrence", ORIGIN + timedelta(hours=10), FAR, "t", follow_in([done, early]))


def test_nothing_to_change_and_times_out_of_order_are_refused() -> None:
    a, b = fresh(1), fresh(2, hours=4)
    follow = follow_in([a, b])
    links.link(a, b, "related", ORIGIN + timedelta(hours=5), FAR, "t", follow)
    with pytest.raises(InvalidInput, match="nothing changes"):
        links.link(b, a, "related", ORIGIN + timedelta(hours=6), FAR, "t", follow)
    with pytest.raises(InvalidInput, match="before the latest event"):
        links.unlink(a, b, ORIGIN + timedelta(hours=4), FAR, "t")
    links.unlink(a, b, ORIGIN + timedelta(hours=6), FAR, "t")
    assert a.links == b.links == [] and a.history[-1].changes["link"][1] is None
    with pytest.raises(InvalidInput, match="not linked"):
        links.unlink(a, b, ORIGIN + timedelta(hours=7), FAR, "t")


def test_the_links_as_they_stood_undo_the_later_changes() -> None:
    a, b, c = fresh(1), fresh(2), fresh(3)
    follow = follow_in([a, b, c])
    links.link(a, b, "related", ORIGIN + timedelta(hours=1), FAR, "t", follow)
    links.link(a, c, "depends-on", ORIGIN + timedelta(hours=2), FAR, "t", follow)
    links.link(a, b, "duplicate", ORIGIN + timedelta(hours=3), FAR, "t", follow)
    links.unlink(a, c, ORIGIN + timedelta(hours=4), FAR, "t")
    assert a.links == [Link("202501-002", "duplicate", "out")]
    at = lambda hours: metrics.state_at(a, lambda t: t <= ORIGIN + timedelta(hours=hours))  # noqa: E731
    assert at(0).links == []
    assert at(1).links == [Link("202501-002", "related", "out")]
    assert at(2).links == [Link("202501-002", "related", "out"), Link("202501-003", "depends-on", "out")]
    assert at(3).links == [Link("202501-002", "duplicate", "out"), Link("202501-003", "depends-on", "out")]


# -- the recurrence rate -------------------------------------------------------------------------------
def test_the_recurrence_rate_counts_reopens_and_requests_registered_as_a_recurrence() -> None:
    """A week with two completions, one reopen and one request registered as the recurrence of
    work completed the week before: (1 + 1) ÷ 2 = 1.0; the replay and the stored facts agree."""
    old = completed(1)  # completed Monday 06 11:00 (local)
    first, second = completed(2, hours=24 * 7), completed(3, hours=24 * 7 + 3)
    lifecycle.verify(first, first.history[-1].at + timedelta(hours=1), FAR, "t", passed=True)
    lifecycle.reopen(first, first.history[-1].at + timedelta(hours=1), FAR, "t", "back")
    again = fresh(4, hours=24 * 8)
    links.link(again, old, "recurrence", again.submitted_at, FAR, "t", follow_in([old, again]))
    requests = [old, first, second, again]
    period, replayed = figures(requests, 24 * 7 - 1, 24 * 7, 24 * 30)
    assert (replayed["completed"], replayed["reopened"], replayed["recurrences"]) == (2, 1, 1)
    assert replayed["recurrence_rate"] == 1.0
    assert figures_from_stored_facts(copy.deepcopy(requests), period) == replayed
    # The week before: old's completion, no recurrence registered in it (again came later).
    _, before = figures(requests, -1, 24 * 7 - 1, 24 * 30)
    assert (before["completed"], before["recurrences"], before["recurrence_rate"]) == (1, 0, 0.0)


def test_a_recurrence_counts_in_its_submission_period_when_linked_by_the_period_end() -> None:
    """The period's requests as they stood at the cut: linked as a recurrence within the week
    (day 5), the request counts in the week's rate; linked after the week ended (day 20), it
    never does — a report on a past week does not change."""
    week = (0, 24 * 7, 24 * 30)
    for linked_on, counted in ((5, 1), (20, 0)):
        old, again = completed(1), fresh(2, hours=30)
        links.link(again, old, "recurrence", ORIGIN + timedelta(hours=24 * linked_on), FAR, "t",
                   follow_in([old, again]))
        _, report = figures([old, again], *week)
        assert report["recurrences"] == counted, linked_on
        _, as_of_day_4 = figures([old, again], 0, 24 * 7, 24 * 4)
        assert as_of_day_4["recurrences"] == 0  # not linked yet on day 4


# -- the agreement of the two ways, links included --------------------------------------------------------
LINK_KINDS = ("related", "duplicate", "depends-on", "recurrence", "registered", "registered")
link_plans = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 5), st.integers(1, 200),
                                st.integers(0, 3), st.lists(st.tuples(st.integers(0, 23), st.integers(1, 60)),
                                                            max_size=4)),
                      max_size=6)


def linked(specs: list[tuple[int, list[tuple[int, int]]]], plans: list[tuple[Any, ...]]) -> list[Request]:
    """`play`'s requests, then links between them (each `gap` hours after the later of the two
    requests' latest entries, some removed again) and new requests registered as the recurrence
    of one of them (going on with their own steps); what the rules refuse is left out."""
    requests = [play(i, start, steps) for i, (start, steps) in enumerate(specs)]
    for a, b, kind_index, gap, unlink_after, steps in plans:
        kind = LINK_KINDS[kind_index]
        other = requests[b % len(requests)]
        follow = follow_in(requests)
        if kind == "registered":
            done = [r for r in requests if metrics.completion_times(r)]  # mostly a request it may recur of
            other = done[b % len(done)] if done else other
            at = other.history[-1].at + timedelta(hours=gap)
            new = Request(id=f"202501-{len(requests) + 1:03d}", customer="C0", description="x", submitted_at=at,
                          type="bug", priority=("high", None)[gap % 2])
            lifecycle.register(new, "t", FAR)
            try:
                links.link(new, other, "recurrence", at, FAR, "t", follow_in([*requests, new]))
            except InvalidInput:
                pass  # not completed then: an ordinary new request
            requests.append(advance(new, steps))
            continue
        request = requests[a % len(requests)]
        at = max(request.history[-1].at, other.history[-1].at) + timedelta(hours=gap)
        try:
            links.link(request, other, kind, at, FAR, "t", follow)
            if unlink_after:
                links.unlink(request, other, at + timedelta(hours=unlink_after * 24), FAR, "t")
        except InvalidInput:
            continue
    return requests


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories, link_plans, st.one_of(periods, long_periods))
def test_figures_from_stored_facts_equal_the_replayed_histories_with_links(
        specs: list[tuple[int, list[tuple[int, int]]]], plans: list[tuple[Any, ...]],
        window: tuple[int, int, int]) -> None:
    """The stored-facts path (report_fact.recurrence among them) gives exactly the figures of
    replaying every history, with links made, replaced and removed before and after the cut and
    requests registered as recurrences."""
    requests = linked(specs, plans)
    period, replayed = figures(requests, *window)
    assert figures_from_stored_facts(copy.deepcopy(requests), period) == replayed
    assert replayed["recurrences"] <= replayed["new"]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories, link_plans, periods)
def test_figures_with_links_do_not_depend_on_later_events(specs: list[tuple[int, list[tuple[int, int]]]],
                                                          plans: list[tuple[Any, ...]],
                                                          window: tuple[int, int, int]) -> None:
    requests = linked(specs, plans)
    as_of = ORIGIN + timedelta(hours=window[2])
    truncated = [v for v in (metrics.state_at(q, lambda t: t <= as_of) for q in requests) if v is not None]
    assert figures(requests, *window)[1] == figures(truncated, *window)[1]


def test_the_recurrence_rate_is_its_definition_over_random_links() -> None:
    """A hand check of the property's generator: a plan that registers a recurrence of completed
    work counts once in the period of its submission."""
    done = completed(1)
    requests = linked([(0, [])], [])
    assert len(requests) == 1
    again = fresh(2, hours=48)
    links.link(again, done, "recurrence", again.submitted_at, FAR, "t", follow_in([done, again]))
    start = datetime(2025, 1, 6, tzinfo=TZ)
    period = metrics.Period(start, start + timedelta(days=7), start + timedelta(days=30))
    report = metrics.compute_metrics([done, again], period, CAL, POLICY, TZ)
    assert report["recurrences"] == 1 and report["recurrence_rate"] == 1.0  # 1 ÷ 1 completion
