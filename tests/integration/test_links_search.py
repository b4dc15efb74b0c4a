"""SPEC §9 through the services, on both engines: links (the four kinds, the refusals, both
histories, cancel as a duplicate, recurrences in the report), the search (Chinese without
spaces, mixed with English, any case, two- and one-character terms, ranking and fragments, the
index kept by every write, `list --search`), likely duplicates, the Links column's round trip,
and the check of the index against the records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import export, fresh_context, raw_connect, sheet_values, stored_state
from reqtrack import services
from reqtrack.domain.errors import InvalidInput, NotFound
from reqtrack.domain.record import Link
from reqtrack.services import Context
from reqtrack.services import report as reports
from reqtrack.services.imports import import_file
from reqtrack.services.search import index_size, search_index_problems


def new(ctx: Context, description: str, customer: str = "ACME", **options: Any) -> str:
    return services.register(ctx, description, customer, **options).id


def found(ctx: Context, text: str, **options: Any) -> list[str]:
    return [hit.id for hit in services.search(ctx, text, **options)]


def finish(ctx: Context, request_id: str, at: str) -> None:
    """Assess, assign, complete, verify and close, an hour apart from `at` (a local time)."""
    services.classify(ctx, request_id, priority="medium", at=at)
    services.assign(ctx, request_id, owner="Li", at=at)
    services.progress(ctx, request_id, "fixed", done=True, at=at)
    services.verify(ctx, request_id, passed=True, at=at)
    services.close(ctx, request_id, at=at)


# -- the Done-means scenarios ------------------------------------------------------------------------
def test_chinese_without_spaces_finds_the_request_first(ctx: Context) -> None:
    new(ctx, "批量导入客户数据时报错")  # 批量 and 导入, not 导出
    new(ctx, "导出报表太慢，希望优化")
    wanted = new(ctx, "希望增加批量导出功能")
    noisy = new(ctx, "订单模块的权限设置需要调整，另外客户提到批量导出的文件在旧版Excel里打不开，还有一些其它的问题需要一起处理")
    hits = services.search(ctx, "批量导出")
    assert [h.id for h in hits] == [wanted, noisy]
    assert hits[0].snippet is not None and hits[0].snippet.text == "希望增加批量导出功能"
    assert hits[0].snippet.spans == ((4, 8),) and hits[0].score > hits[1].score


def test_any_case_full_width_and_mixed_chinese_and_english(ctx: Context) -> None:
    excel = new(ctx, "导出为Excel时格式错乱")
    full_width = new(ctx, "ＥＸＣＥＬ导出失败")
    other = new(ctx, "报表导出很慢")
    assert set(found(ctx, "EXCEL")) == set(found(ctx, "excel")) == {excel, full_width}
    assert set(found(ctx, "excel导出")) == {full_width}  # one term: the text as it is written
    assert set(found(ctx, "导出 excel")) == {excel, full_width}  # two terms: both anywhere
    assert set(found(ctx, "导出")) == {excel, full_width, other}
    hit = services.search(ctx, "EXCEL")[0]
    assert "Excel" in hit.snippet.text or "ＥＸＣＥＬ" in hit.snippet.text  # the text as written


def test_two_character_words_are_found_anywhere_in_a_field(ctx: Context) -> None:
    """登录 is two characters: found at the end of a field (无法登录), in the middle and at the start."""
    end = new(ctx, "系统报错无法登录")
    middle = new(ctx, "登录页面打不开", customer="Globex")
    start = new(ctx, "手机端", notes="登录后闪退")
    new(ctx, "导出报表")
    assert set(found(ctx, "登录")) == {end, middle, start}
    assert found(ctx, "导出") != [] and found(ctx, "汇总") == []


def test_a_one_character_query_reads_every_document(ctx: Context) -> None:
    slow = new(ctx, "页面很慢")
    new(ctx, "页面报错")
    assert found(ctx, "慢") == [slow] and found(ctx, "q") == []


def test_every_searched_field_and_the_fragment_of_each(ctx: Context) -> None:
    by_notes = new(ctx, "打不开", notes="客户说是在切换账号之后")
    by_proposer = new(ctx, "另一个问题", proposer="王经理")
    by_customer = new(ctx, "第三个问题", customer="北京华信科技有限公司")
    by_progress = new(ctx, "第四个问题")
    services.progress(ctx, by_progress, "已联系客户，确认是缓存导致")
    fields = {hit.id: hit.snippet.field for q in ("切换账号", "王经理", "华信", "缓存导致")
              for hit in services.search(ctx, q)}
    assert fields == {by_notes: "notes", by_proposer: "proposer", by_customer: "customer", by_progress: "progress"}


def test_a_long_text_is_cut_around_the_match(ctx: Context) -> None:
    text = "前言" * 40 + "关键的批量导出问题" + "后记" * 40
    new(ctx, text)
    snippet = services.search(ctx, "批量导出")[0].snippet
    assert snippet.text.startswith("…") and snippet.text.endswith("…") and "批量导出" in snippet.text
    start, end = snippet.spans[0]
    assert snippet.text[start:end] == "批量导出" and len(snippet.text) <= 62


def test_open_only_and_limit(ctx: Context) -> None:
    ids = [new(ctx, f"登录问题 {i}") for i in range(5)]
    services.cancel(ctx, ids[0], reason="不需要")
    assert len(found(ctx, "登录", limit=2)) == 2
    assert ids[0] not in found(ctx, "登录", open_only=True) and ids[0] in found(ctx, "登录")
    with pytest.raises(InvalidInput):
        services.search(ctx, "   ")


def test_the_index_is_kept_by_every_write(ctx: Context, tmp_path: Path) -> None:
    """edit, progress, progress --done, cancel and import change what is found, at once."""
    rid = new(ctx, "旧的描述")
    services.edit(ctx, rid, {"description": "新的描述：单点登录失败"})
    assert found(ctx, "旧的") == [] and found(ctx, "单点登录") == [rid]
    services.edit(ctx, rid, {"notes": "客户在深圳", "proposer": "Ms. Taylor"})
    assert found(ctx, "深圳") == [rid] and found(ctx, "taylor") == [rid]
    services.classify(ctx, rid, priority="high")
    services.assign(ctx, rid, owner="Li")
    services.progress(ctx, rid, "定位到证书过期")
    services.progress(ctx, rid, "换了证书", done=True)
    assert found(ctx, "证书过期") == found(ctx, "换了证书") == [rid]
    assert found(ctx, "证书", open_only=True) == [rid]
    services.verify(ctx, rid, passed=True)
    assert found(ctx, "证书", open_only=True) == []  # done: no longer open
    sheet = tmp_path / "in.csv"
    sheet.write_text("Customer / project,Description,Notes\nInitech,移动端扫码失败,来自导入\n", encoding="utf-8-sig")
    import_file(ctx, sheet)
    assert len(found(ctx, "扫码失败")) == 1 and len(found(ctx, "来自导入")) == 1
    with ctx.reader() as uow:
        problems, note = search_index_problems(uow.conn)
    assert problems == [] and note is None


def test_list_and_export_select_with_the_same_index(ctx: Context, tmp_path: Path) -> None:
    both = new(ctx, "导出Excel报错", customer="ACME")
    services.progress(ctx, both, "客户说是大文件")
    new(ctx, "导出很慢", customer="ACME")
    listed = services.list_requests(ctx, search="大文件 导出").requests
    assert [r.id for r in listed] == [both]  # a progress note and the description: every word somewhere
    assert services.list_requests(ctx, search="excel").total == 1
    result = export(ctx, tmp_path / "out.xlsx", search="大文件")
    assert result.rows == 1


# -- likely duplicates -------------------------------------------------------------------------------
def test_new_names_the_open_request_that_looks_like_the_same_problem(ctx: Context) -> None:
    first = new(ctx, "系统报错无法登录，提示密码错误", customer="ACME")
    elsewhere = new(ctx, "系统报错无法登录，提示密码错误！", customer="Globex")
    new(ctx, "希望增加批量导出功能", customer="ACME")
    done = services.register_new(ctx, "系统报错无法登录", "ACME")
    assert [s.id for s in done.similar] == [first, elsewhere]  # the same customer first
    assert done.similar[0].same_customer and not done.similar[1].same_customer
    assert 0.45 <= done.similar[0].score <= 1.0
    assert [s.id for s in services.similar(ctx, done.request.id)] == [first, elsewhere]
    services.cancel(ctx, first, reason="客户撤回")
    assert [s.id for s in services.similar(ctx, done.request.id)] == [elsewhere]  # open requests only
    assert services.register_new(ctx, "完全不同的问题：发票抬头", "ACME").similar == []


# -- links ---------------------------------------------------------------------------------------------
def test_cancel_as_a_duplicate_leaves_it_linked_to_the_one_kept(ctx: Context) -> None:
    kept = new(ctx, "系统报错无法登录")
    twice = new(ctx, "系统报错无法登录（重复提交）")
    cancelled = services.cancel(ctx, twice, duplicate_of=kept)
    assert cancelled.status == "cancelled" and cancelled.links == [Link(kept, "duplicate", "out")]
    assert [e.action for e in cancelled.history[-2:]] == ["link", "cancel"]
    assert cancelled.history[-1].note == f"duplicate of {kept}"
    shown = services.get(ctx, kept)
    assert shown.links == [Link(twice, "duplicate", "in")] and shown.history[-1].action == "link"
    with pytest.raises(InvalidInput):  # cancelled already
        services.cancel(ctx, twice, duplicate_of=kept)
    with pytest.raises(InvalidInput, match="cancelled itself"):
        services.cancel(ctx, new(ctx, "third"), duplicate_of=twice)


def test_a_recurrence_counts_in_the_months_recurrence_rate(ctx: Context) -> None:
    old = new(ctx, "批量导出失败", at="2025-02-10 10:00")
    finish(ctx, old, "2025-02-11 10:00")
    again = services.register_new(ctx, "批量导出又失败了", "ACME", recurrence_of=old, at="2025-03-03 10:00").request
    assert again.links == [Link(old, "recurrence", "out")]
    assert services.get(ctx, old).links == [Link(again.id, "recurrence", "in")]
    finish(ctx, again.id, "2025-03-04 10:00")
    march = reports.report(ctx, period="month").data  # the stored facts (as of now)
    assert (march["completed"], march["reopened"], march["recurrences"], march["recurrence_rate"]) == (1, 0, 1, 1.0)
    replayed = reports.report(ctx, period="month", as_of="2025-03-14 09:00").data  # a past as_of: replayed
    assert replayed["recurrences"] == 1 and replayed["recurrence_rate"] == 1.0
    february = reports.report(ctx, period="month", previous=True).data
    assert (february["recurrences"], february["recurrence_rate"]) == (0, 0.0)


def test_refusals_write_nothing(ctx: Context) -> None:
    a, b, c = new(ctx, "a one"), new(ctx, "b two"), new(ctx, "c three")
    services.link(ctx, a, b, "duplicate")
    services.link(ctx, b, c, "duplicate")
    before = stored_state(ctx.db_path)
    for call, error in ((lambda: services.link(ctx, a, a, "related"), InvalidInput),
                        (lambda: services.link(ctx, a, "209901-001", "related"), NotFound),
                        (lambda: services.link(ctx, c, a, "duplicate"), InvalidInput),
                        (lambda: services.link(ctx, b, a, "duplicate"), InvalidInput),
                        (lambda: services.link(ctx, a, b, "twin"), InvalidInput),
                        (lambda: services.link(ctx, c, a, "recurrence"), InvalidInput),
                        (lambda: services.unlink(ctx, a, c), InvalidInput),
                        (lambda: services.register_new(ctx, "x", "ACME", recurrence_of=a), InvalidInput)):
        with pytest.raises(error):
            call()
    assert stored_state(ctx.db_path) == before


def test_both_histories_record_every_link_change(ctx: Context) -> None:
    a, b = new(ctx, "one"), new(ctx, "two")
    services.link(ctx, a, b, "related", note="same screen")
    services.link(ctx, a, b, "depends-on")
    services.unlink(ctx, b, a, note="not any more")
    first, second = services.get(ctx, a), services.get(ctx, b)
    assert [e.action for e in first.history] == [e.action for e in second.history] == ["new", "link", "link", "unlink"]
    assert [e.changes["link"] for e in first.history[1:]] == [
        [None, {"id": b, "kind": "related", "direction": "out"}],
        [{"id": b, "kind": "related", "direction": "out"}, {"id": b, "kind": "depends-on", "direction": "out"}],
        [{"id": b, "kind": "depends-on", "direction": "out"}, None]]
    assert second.history[1].note == f"related to {a} — same screen"
    assert second.history[3].note == f"no longer needed by {a} — not any more"
    assert first.links == second.links == []


def test_links_are_shown_both_ways(ctx: Context) -> None:
    a, b, c = new(ctx, "one"), new(ctx, "two"), new(ctx, "three")
    services.link(ctx, a, b, "depends-on")
    services.link(ctx, c, a, "related")
    assert services.get(ctx, a).links == [Link(b, "depends-on", "out"), Link(c, "related", "in")]
    assert services.get(ctx, b).links == [Link(a, "depends-on", "in")]


# -- the round trip of the Links column -----------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_import_export_keeps_the_links(ctx: Context, tmp_path: Path, suffix: str) -> None:
    old = new(ctx, "批量导出失败", at="2025-02-10 10:00")
    finish(ctx, old, "2025-02-11 10:00")
    again = services.register(ctx, "批量导出又失败了", "ACME", recurrence_of=old, at="2025-03-03 10:00").id
    kept, twice = new(ctx, "无法登录"), new(ctx, "无法登录！")
    services.cancel(ctx, twice, duplicate_of=kept)
    services.link(ctx, kept, again, "related")
    first = tmp_path / f"first{suffix}"
    export(ctx, first, "zh-CN")
    copy = fresh_context(tmp_path, "copy.db")
    result = import_file(copy, first)
    assert result.links == 3
    second = tmp_path / f"second{suffix}"
    export(copy, second, "zh-CN")
    if suffix == ".xlsx":
        rows = sheet_values(first)
        assert rows[0][18] == "关联需求" and rows == sheet_values(second)
    else:
        assert first.read_text(encoding="utf-8-sig") == second.read_text(encoding="utf-8-sig")
    for rid in (old, again, kept, twice):
        assert services.get(copy, rid).links == services.get(ctx, rid).links
    assert services.get(copy, twice).links == [Link(kept, "duplicate", "out")]
    march = reports.report(copy, period="month").data
    assert march["recurrences"] == 1  # the stored facts of the imported requests know it
    with copy.reader() as uow:
        assert search_index_problems(uow.conn) == ([], None)


def test_a_database_without_links_exports_the_18_columns(ctx: Context, tmp_path: Path) -> None:
    new(ctx, "one")
    export(ctx, tmp_path / "out.xlsx")
    assert len(sheet_values(tmp_path / "out.xlsx")[0]) == 18


def test_an_imported_link_to_an_unknown_request_refuses_the_file(ctx: Context, tmp_path: Path) -> None:
    sheet = tmp_path / "in.csv"
    sheet.write_text("ID,Customer / project,Description,Links\n202503-001,ACME,one,Duplicate → 202503-009\n",
                     encoding="utf-8-sig")
    new(ctx, "something else")
    with pytest.raises(InvalidInput, match="202503-009"):
        import_file(ctx, sheet)
    assert services.list_requests(ctx).total == 1  # all or nothing


def test_importing_a_link_to_a_stored_request_records_it_on_both(ctx: Context, tmp_path: Path) -> None:
    stored = new(ctx, "已有的需求")
    sheet = tmp_path / "in.csv"
    sheet.write_text(f"ID,Customer / project,Description,Links\nTEL-1,ACME,电话记录,重复 → {stored}\n",
                     encoding="utf-8-sig")
    assert import_file(ctx, sheet).links == 1
    kept = services.get(ctx, stored)
    assert kept.links == [Link("TEL-1", "duplicate", "in")] and kept.history[-1].action == "link"
    assert "imported from in.csv, row 2" in kept.history[-1].note
    assert import_file(ctx, sheet).links == 0  # already there: nothing more


# -- the check of the index --------------------------------------------------------------------------------
def test_the_check_finds_a_document_that_differs_from_its_record_and_reindex_mends_it(ctx: Context) -> None:
    a, b = new(ctx, "系统报错无法登录"), new(ctx, "希望增加批量导出功能")
    services.link(ctx, a, b, "related")
    with ctx.reader() as uow:
        assert search_index_problems(uow.conn) == ([], None)
    conn = raw_connect(ctx.db_path)
    with conn:
        conn.execute("UPDATE search_doc SET description = ? WHERE request_id = ?", ("别的文字 ", a))
        conn.execute("DELETE FROM link")
    conn.close()
    with ctx.reader() as uow:
        problems, _ = search_index_problems(uow.conn)
    kinds = sorted((p.kind, p.request_id) for p in problems)
    assert ("search-index", a) in kinds and ("links", a) in kinds and ("links", b) in kinds
    assert found(ctx, "无法登录") == []  # the index follows the (damaged) document
    services.reindex(ctx)
    assert found(ctx, "无法登录") == [a]
    with ctx.reader() as uow:
        assert [p.kind for p in search_index_problems(uow.conn)[0]] == ["links", "links"]  # links are records


def test_the_index_size_is_known(ctx: Context) -> None:
    for i in range(20):
        new(ctx, f"第{i}个需求：系统报错无法登录")
    size = index_size(ctx)
    assert size["documents"] == 20 and size["index_bytes"] is not None and size["index_bytes"] > 0


def test_the_worked_example_of_docs_metrics_with_links(ctx: Context) -> None:
    """docs/metrics.md, "Worked example with links": the week of the worked example, H cancelled
    as a duplicate of A and I registered Thursday as a recurrence of G (completed on Monday):
    (1 reopen + 1 recurrence) ÷ 4 completions = 0.5, the same replayed as of the Monday meeting
    and from the stored facts on Friday."""
    from helpers import MONDAY_MEETING, build_scenario

    ids = build_scenario(ctx)
    services.link(ctx, ids["H"], ids["A"], "duplicate", at="2025-03-05 09:30")
    again = services.register(ctx, "crash on save, again", "ACME", source="phone", type="bug",
                              recurrence_of=ids["G"], at="2025-03-06 11:00")
    for as_of in (MONDAY_MEETING, None):
        week = reports.report(ctx, period="week", previous=True, as_of=as_of).data
        assert (week["new"], week["completed"], week["reopened"], week["recurrences"]) == (8, 4, 1, 1), as_of
        assert week["recurrence_rate"] == 0.5
        assert (week["by_customer"]["ACME"], week["by_type"]["bug"], week["by_source"]["phone"],
                week["by_owner"]["unassigned"], week["cancelled"]) == (3, 3, 4, 4, 1)
    assert services.get(ctx, again.id).links == [Link(ids["G"], "recurrence", "out")]
    assert services.get(ctx, ids["A"]).links == [Link(ids["H"], "duplicate", "in")]


def test_the_score_in_sql_is_the_rule_of_domain_search(ctx: Context) -> None:
    """On both engines the stored documents and the SQL score are domain.search's, to 4 decimals."""
    from reqtrack.domain.search import query_terms, score

    for text, customer, notes in (("希望增加批量导出功能", "ACME", None), ("导出 Excel 批量导出", "批量导出公司", "导出"),
                                  ("Excel export", "Globex", "bulk EXPORT of invoices")):
        rid = new(ctx, text, customer=customer, notes=notes)
        services.progress(ctx, rid, "批量导出 again")
    with ctx.reader() as uow:
        docs = {doc.request_id: doc for doc in uow.requests.search_docs()}
    for query in ("批量导出", "导出", "export", "excel 导出", "e"):
        terms = query_terms(query)
        hits = services.search(ctx, query)
        assert hits, query
        assert [(h.id, h.score) for h in hits] == sorted(
            ((rid, score(doc, terms)) for rid, doc in docs.items() if all(
                t in doc.customer + doc.proposer + doc.description + doc.notes + doc.progress for t in terms)),
            key=lambda item: (-item[1], tuple(-ord(c) for c in item[0])))


def test_documents_written_many_at_a_time_keep_the_index_in_step(ctx: Context, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """search_doc is written a chunk of rows a statement (storage.engine.upsert_rows: its SQLite
    index, kept by triggers, updates once per statement); with chunks of 7 here, an import of 30
    rows spans five statements, and a request given twice in one call keeps the later document."""
    from reqtrack.domain.search import document
    from reqtrack.storage.engine import Engine

    monkeypatch.setattr("reqtrack.storage.engine.UPSERT_CHUNK", 7)
    statements: list[int] = []
    upsert = Engine.upsert

    def counted(self: Engine, table: str, columns: Any, key: Any, rows: int = 1) -> str:
        if table == "search_doc":
            statements.append(rows)
        return upsert(self, table, columns, key, rows)

    monkeypatch.setattr(Engine, "upsert", counted)
    sheet = tmp_path / "many.csv"
    sheet.write_text("Customer,Description\n" + "".join(f"ACME,问题编号{i:03d}号\n" for i in range(30)), encoding="utf-8")
    assert import_file(ctx, sheet).created == 30
    assert statements == [7, 7, 7, 7, 2]
    assert all(len(found(ctx, f"问题编号{i:03d}号")) == 1 for i in range(30))
    with ctx.reader() as uow:
        assert search_index_problems(uow.conn) == ([], None)  # the engine's index matches the documents
    first = found(ctx, "问题编号000号")[0]
    with ctx.unit_of_work(write=True) as uow:
        uow.requests.put_search_docs([document(first, True, "ACME", "", "旧的说法", "", ""),
                                      document(first, True, "ACME", "", "新的说法", "", "")])
        uow.commit()
    assert (found(ctx, "新的说法"), found(ctx, "旧的说法")) == ([first], [])
    with ctx.reader() as uow:  # the document differs from its record, the index follows the document
        assert [(p.kind, p.request_id) for p in search_index_problems(uow.conn)[0]] == [("search-index", first)]
    services.reindex(ctx)
    assert found(ctx, "问题编号000号") == [first]
