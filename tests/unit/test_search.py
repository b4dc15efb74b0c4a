"""The rules of search and likely duplicates (domain/search.py, docs/search.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import examples
from reqtrack.domain import search


def test_normalised_text_folds_width_case_and_space() -> None:
    assert search.normalise("  ＥＸＣＥＬ\t导出\n\n失败，Straße\x00x ") == "excel 导出 失败,strasse x"
    assert search.stored_field("Excel") == "excel " and search.stored_field("  ") == ""
    assert search.query_terms("导出  EXCEL 导出 ") == ["导出", "excel"]
    assert search.query_terms("a b c d e f g h i j") == list("abcdefgh")  # at most MAX_TERMS


def test_the_score_favours_the_field_the_terms_cover_more_of() -> None:
    short = search.document("1", True, "ACME", None, "希望增加批量导出功能", None, None)
    long = search.document("2", True, "ACME", None, "订单模块的权限设置需要调整，另外客户提到批量导出的文件打不开", None, None)
    noted = search.document("3", True, "ACME", None, "别的", "批量导出", None)
    terms = ["批量导出"]
    assert search.score(short, terms) > search.score(long, terms)
    assert search.score(short, terms) == round(1.0 * 4 / (11 + 20), 4)  # 10 characters and the space
    assert search.score(noted, terms) == round(0.5 * 4 / (5 + 20), 4)
    assert search.matches(short, terms) and not search.matches(short, ["批量导入"])
    assert search.matches(short, ["acme", "导出"])  # every term, each in any field


def test_the_fragment_is_the_original_text_around_the_first_match() -> None:
    snip = search.snippet([("description", None), ("notes", "客户说：导出ＥＸＣＥＬ报错")], ["excel"])
    assert snip is not None and snip.field == "notes" and snip.text == "客户说：导出ＥＸＣＥＬ报错"
    assert snip.text[snip.spans[0][0]:snip.spans[0][1]] == "ＥＸＣＥＬ"
    long = "甲" * 100 + "登录" + "乙" * 100
    cut = search.snippet([("description", long)], ["登录"], width=30)
    assert cut is not None and cut.text.startswith("…") and cut.text.endswith("…") and "登录" in cut.text
    assert len(cut.text) == 32 and cut.text[cut.spans[0][0]:cut.spans[0][1]] == "登录"
    assert search.snippet([("description", "a\n\n  b 登录")], ["登录"]).text == "a b 登录"  # type: ignore[union-attr]
    assert search.snippet([("description", "nothing")], ["登录"]) is None


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet="ab 登录导出ＥＸ\n", max_size=80), st.sampled_from(["a", "ab", "登录", "导出", "ex", "b登"]))
def test_a_fragment_shows_a_match_whenever_the_text_holds_the_term(text: str, term: str) -> None:
    snip = search.snippet([("description", text)], [term])
    found = term in search.normalise(text)
    assert (snip is not None) == found
    if snip is not None:
        start, end = snip.spans[0]
        assert search.normalise(snip.text[start:end]) == term and len(snip.text) <= search.SNIPPET_WIDTH + 2


def test_similarity_of_the_done_means_example() -> None:
    new = search.grams(search.normalise("系统报错无法登录"))
    old = search.grams(search.normalise("系统报错无法登录，提示密码错误"))
    assert search.similarity(new, old) == round(2 * 6 / (6 + 12), 4) == 0.6667
    assert search.similarity(new, search.grams("手机app无法登录")) < search.SIMILAR_THRESHOLD
    assert search.similarity(frozenset(), new) == 0.0


def test_likely_duplicates_same_customer_first_then_by_score() -> None:
    candidates = [("202503-001", "globex ", "系统报错无法登录,提示密码错误 "),
                  ("202503-002", "acme ", "系统报错无法登录,提示密码错误!!! "),
                  ("202503-003", "acme ", "希望增加批量导出功能 "),
                  ("202503-004", "initech ", "系统报错无法登录 ")]
    found = search.rank_similar("系统报错无法登录", "ACME", candidates + candidates[:1])
    assert [s.id for s in found] == ["202503-002", "202503-004", "202503-001"]
    assert found[0].same_customer and not found[1].same_customer and found[1].score == 1.0
    assert [s.id for s in search.rank_similar("系统报错无法登录", "ACME", candidates, exclude="202503-002", limit=1)] \
        == ["202503-004"]


@pytest.mark.parametrize(("query", "terms"), [("", []), ("   ", []), ("批量导出", ["批量导出"]),
                                              ("Excel导出", ["excel导出"])])
def test_query_terms(query: str, terms: list[str]) -> None:
    assert search.query_terms(query) == terms


@settings(max_examples=examples(200))
@given(st.text(alphabet="abcde 登录报错", max_size=30),
       st.lists(st.text(alphabet="abcde 登录报错", max_size=40), max_size=25),
       st.sampled_from([0.0, 0.3, 0.45, 0.6, 1.0]))
def test_likely_duplicates_are_every_candidate_scored_at_the_threshold(description: str, texts: list[str],
                                                                         threshold: float) -> None:
    """The shortcuts of rank_similar (lengths, shared trigrams counted first) leave out only
    candidates whose score is below the threshold."""
    candidates = [(f"2025{n:02d}-001", "acme ", text) for n, text in enumerate(texts, 1)]
    wanted = search.grams(search.normalise(description))
    expected = {rid for rid, _, text in candidates
                if search.similarity(wanted, search.grams(text)) >= threshold}
    found = search.rank_similar(description, "ACME", candidates, limit=len(candidates) + 1, threshold=threshold)
    assert {s.id for s in found} == expected
