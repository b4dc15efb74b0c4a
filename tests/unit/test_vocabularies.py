"""The vocabularies that fit the team (SPEC §10): parsing and labels of an entry, the built-in
entries merged with a database's own, and the rules of `vocab add/edit/retire/restore`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reqtrack.domain import vocabularies as rules
from reqtrack.domain.errors import ExitStatus, InvalidInput
from reqtrack.domain.vocab import PRIORITY, SOURCE, TYPE, fold
from reqtrack.domain.vocabularies import DEFAULT, Entry, Vocabularies
from reqtrack.views.messages import render

COMPLAINT = Entry("type", "complaint", ("Complaint", "投诉类", "投訴類"), ("投诉", "投訴", "grievance"), "客服部", False, 5)


def team() -> Vocabularies:
    return Vocabularies.merged([COMPLAINT])


# -- input and labels -----------------------------------------------------------------------------
@pytest.mark.parametrize("text,key", [
    ("新功能", "feature"), ("新功能开发", "feature"), ("New Feature", "feature"), ("FEATURE", "feature"),
    ("改进", "improvement"), ("优化", "improvement"), ("問題修復", "bug"), ("咨询", "support"),
])
def test_built_in_types_take_their_common_names(text: str, key: str) -> None:
    assert TYPE.parse(text) == key


@pytest.mark.parametrize("text,key", [
    ("在线表单", "online-form"), ("网上表单", "online-form"), ("線上表單", "online-form"), ("Online Form", "online-form"),
    ("微信", "social"), ("WeChat", "social"), ("ｅｍａｉｌ", "email"), ("  E-Mail ", "email"), ("来电", "phone"),
])
def test_built_in_sources_take_their_common_names(text: str, key: str) -> None:
    assert SOURCE.parse(text) == key


def test_every_built_in_name_belongs_to_one_key() -> None:
    for vocab in (SOURCE, TYPE):
        owners: dict[str, str] = {}
        for key in vocab.keys:
            for name in vocab.names(key):
                assert owners.setdefault(fold(name), key) == key, (vocab.field, name)


def test_an_unknown_type_is_refused_naming_the_labels_in_the_chosen_language() -> None:
    vocab = team().type
    with pytest.raises(InvalidInput) as zh:
        vocab.parse("特急类")
    text = render(zh.value, "zh-CN")
    assert zh.value.exit_code == ExitStatus.BAD_INPUT
    assert "需求类型「特急类」" in text
    for label in ("功能优化", "问题修复", "新功能开发", "服务支持", "其他", "投诉类"):
        assert label in text
    assert "Bug fix" not in text and "vocab add type" in text
    assert render(zh.value, "zh-TW").startswith("無效的需求類型「特急类」")
    text = render(zh.value, "zh-TW")
    assert "新功能開發" in text and "投訴類" in text and "新功能开发" not in text
    with pytest.raises(InvalidInput) as en:
        vocab.parse("特急类")
    assert "feature (New feature, 新功能开发)" in str(en.value) and "complaint (Complaint, 投诉类)" in str(en.value)


def test_a_near_name_is_suggested() -> None:
    with pytest.raises(InvalidInput, match=r"did you mean complaint \(Complaint, 投诉类\)\?"):
        team().type.parse("投诉类别")
    with pytest.raises(InvalidInput) as near:
        team().type.parse("投诉类别")
    assert "（是否指「投诉类 (complaint)」？）" in render(near.value, "zh-CN")


def test_the_fixed_vocabularies_keep_their_message() -> None:
    with pytest.raises(InvalidInput, match=r"invalid priority 'urgent'; use one of high, medium, low \(or its Chinese label\)$"):
        PRIORITY.parse("urgent")


def test_a_retired_entry_is_read_and_shown_but_refused_for_new_use() -> None:
    retired = Vocabularies.merged([Entry("source", "social", SOURCE.labels["social"], ("微信",), None, True, 6)])
    vocab = retired.source
    assert vocab.label("social", "zh-CN") == "社交媒体"  # old records still show it
    assert vocab.parse("微信", new_use=False) == "social"  # a filter reads it
    with pytest.raises(InvalidInput, match="retired") as refused:
        vocab.parse("微信")
    assert "vocab restore source social" in str(refused.value)
    assert "social" not in vocab.active_keys and "social" in vocab.keys


def test_a_key_no_entry_has_is_shown_as_it_is() -> None:
    assert TYPE.label("gone-key", "zh-CN") == "gone-key" and TYPE.label(None) == ""


ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyz"
NAME = st.text(alphabet=ASCII_LETTERS + "éüå0123456789 -投诉类客服部門务微信", min_size=1, max_size=16).filter(
    lambda s: fold(s) != "")


@st.composite
def entries_and_a_name(draw: st.DrawFn) -> tuple[Vocabularies, str, str]:
    """A database's own entries with distinct names, and one name of one of them in some case."""
    count = draw(st.integers(1, 4))
    taken = {fold(n) for key in TYPE.keys for n in TYPE.names(key)}
    entries = []
    for index in range(count):
        names: list[str] = []
        for _ in range(draw(st.integers(3, 6))):  # three labels, then aliases
            name = draw(NAME.filter(lambda s: fold(s) not in taken))
            taken.add(fold(name))
            names.append(name)
        key = f"k{index}-x"
        taken.add(key)
        entries.append(Entry("type", key, (names[0], names[1], names[2]), tuple(names[3:]), None, False, 10 + index))
    chosen = draw(st.sampled_from(entries))
    name = draw(st.sampled_from(chosen.names()))
    cased = "".join(draw(st.sampled_from((ch.upper(), ch.lower()))) if ch in ASCII_LETTERS + "éüå" else ch for ch in name)
    return Vocabularies.merged(entries), chosen.key, cased


@given(entries_and_a_name())
def test_any_label_or_alias_in_any_case_parses_to_its_key(case: tuple[Vocabularies, str, str]) -> None:
    vocabs, key, name = case
    assert vocabs.type.parse(name) == key
    assert vocabs.type.parse(f"  {name} ") == key
    assert vocabs.type.label(key, "zh-TW") == next(e for e in vocabs.entries("type") if e.key == key).labels[2]


# -- merging -----------------------------------------------------------------------------------------
def test_a_database_without_rows_is_the_built_in_vocabularies() -> None:
    plain = Vocabularies.merged([])
    assert plain.type is TYPE and plain.source is SOURCE and plain.stored == frozenset()


def test_rows_replace_built_in_entries_in_place_and_add_their_own_after_them() -> None:
    edited_bug = Entry("type", "bug", ("Bug", "问题反馈", "問題反饋"), (), "技术部", False, 99)
    later = Entry("type", "praise", ("Praise", "表扬", "表揚"), (), None, False, 7)
    merged = Vocabularies.merged([later, COMPLAINT, edited_bug])
    assert merged.type.keys == ("improvement", "bug", "feature", "support", "other", "complaint", "praise")
    assert merged.type.label("bug", "zh-CN") == "问题反馈" and merged.type.department("bug") == "技术部"
    assert merged.type.lookup("问题修复") is None  # its old label was replaced
    assert merged.source is not SOURCE and merged.source.keys == SOURCE.keys
    assert merged.stored == {("type", "bug"), ("type", "praise"), ("type", "complaint")}


# -- the rules of vocab add / edit / retire / restore -------------------------------------------------
def test_add_fills_in_the_labels_left_out_and_says_so() -> None:
    added = rules.add(DEFAULT, "type", "after-sales", {"zh-CN": "售后"}, ["售后服务"], "客服部")
    assert added.entry.labels == ("After sales", "售后", "售后")
    assert added.entry.position == len(TYPE.keys) and added.entry.department == "客服部"
    assert dict(added.filled) == {"zh-TW": "zh-CN", "en": "key"}


@pytest.mark.parametrize("key,labels,aliases,why", [
    ("complaint", {"zh-CN": "另一个"}, [], "exists already"),
    ("gripe", {"zh-CN": "投诉"}, [], "already a name of complaint"),  # another key's alias
    ("gripe", {"en": "COMPLAINT"}, [], "already a name of complaint"),  # a label, in another case
    ("gripe", {"en": "Gripe"}, ["新功能"], "already a name of feature"),  # a built-in alias
    ("gripe", {"en": "Gripe"}, ["bug"], "already a name of bug"),  # another key
    ("Gripe", {"en": "Gripe"}, [], "lowercase ASCII"),
    ("投诉", {"en": "Gripe"}, [], "lowercase ASCII"),
    ("gripe", {}, [], "at least one label"),
    ("gripe", {"en": "x\x07"}, [], "control"),
])
def test_add_refuses_conflicts_and_bad_keys(key: str, labels: dict, aliases: list, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as refused:
        rules.add(team(), "type", key, labels, aliases)
    assert refused.value.exit_code == ExitStatus.BAD_INPUT


def test_edit_changes_labels_aliases_and_department_of_built_in_and_own_entries() -> None:
    vocabs = team()
    support = rules.edit(vocabs, "type", "服务支持", {"zh-TW": "服務支援"}, ["help"], ["咨询", "諮詢"], "客服部")
    assert support.key == "support" and support.labels[2] == "服務支援" and support.department == "客服部"
    assert "咨询" not in support.aliases and "help" in support.aliases
    freed = Vocabularies.merged([COMPLAINT, support])
    consult = rules.add(freed, "type", "consult", {"zh-CN": "咨询类"}, ["咨询"]).entry  # the name is free now
    assert consult.aliases == ("咨询",)
    cleared = rules.edit(vocabs, "type", "complaint", {}, department="")
    assert cleared.department is None
    with pytest.raises(InvalidInput, match="already a name of feature"):
        rules.edit(vocabs, "type", "complaint", {}, ["新功能"])
    with pytest.raises(InvalidInput, match="nothing changes"):
        rules.edit(vocabs, "type", "complaint", {"zh-CN": "投诉类"})
    with pytest.raises(InvalidInput, match="has no alias"):
        rules.edit(vocabs, "type", "complaint", {}, drop_aliases=["nope"])
    with pytest.raises(InvalidInput, match="no entry"):
        rules.edit(vocabs, "type", "特急类", {"en": "x"})


def test_retire_and_restore_say_whether_anything_changes() -> None:
    retired, changed = rules.retire(team(), "type", "投诉")
    assert retired.retired and changed
    again, changed = rules.retire(Vocabularies.merged([retired]), "type", "complaint")
    assert again.retired and not changed
    restored, changed = rules.restore(Vocabularies.merged([retired]), "type", "complaint")
    assert not restored.retired and changed
    assert rules.restore(team(), "type", "complaint")[1] is False


def test_only_source_and_type_are_configurable() -> None:
    with pytest.raises(InvalidInput, match="source, type"):
        rules.add(DEFAULT, "priority", "urgent", {"en": "Urgent"})
