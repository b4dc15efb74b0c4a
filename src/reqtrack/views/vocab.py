"""The vocabularies of the team as people read them: `vocab show` (a plain table or JSON), the
lines of `vocab add/edit/retire/restore`, the routing line of `assign`, and the lists of keys the
`--help` of the commands that take a source or a type shows."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..domain.vocab import LANGUAGES, Vocabulary, column_label
from .labels import label
from .output import plain_table
from .text import one_line

if TYPE_CHECKING:
    from ..domain.vocabularies import Entry, Vocabularies


def field_name(field: str, lang: str) -> str:
    """`source` / `type` as a message names it in `lang` (需求来源, 需求類型, …)."""
    return field if lang == "en" else column_label(field, lang)


def help_choices(vocab: Vocabulary, lang: str) -> str:
    """The keys new records may take, each with its label(s): English shows the simplified
    Chinese label too, since many teams type that."""
    def one(key: str) -> str:
        labels = vocab.labels[key]
        shown = f"{labels[0]}, {labels[1]}" if lang == "en" else vocab.label(key, lang)
        return f"{key} ({shown})"

    return ", ".join(one(key) for key in vocab.active_keys)


def help_text(base: str, field: str, vocabs: Vocabularies, lang: str) -> str:
    """The help of a `--source` or `--type` option: what it is, then the accepted keys."""
    choices = help_choices(vocabs.get(field), lang)
    return f"{base}: {choices}; or any of their labels and aliases (`reqtrack vocab show {field}`)."


def entry_json(vocabs: Vocabularies, entry: Entry, uses: int) -> dict[str, Any]:
    built_in = vocabs.is_built_in(entry.field, entry.key)
    return {"field": entry.field, "key": entry.key, "labels": dict(zip(LANGUAGES, entry.labels)),
            "aliases": list(entry.aliases), "department": entry.department, "retired": entry.retired,
            "built_in": built_in, "edited": built_in and (entry.field, entry.key) in vocabs.stored, "requests": uses}


def vocabulary_json(view: Any) -> list[dict[str, Any]]:
    """Every entry of the view (services.vocab.VocabularyView), in order."""
    return [entry_json(view.vocabularies, entry, view.uses.get(field, {}).get(entry.key, 0))
            for field in view.fields for entry in view.entries(field)]


def vocabulary_table(view: Any, lang: str) -> None:
    """The entries as an aligned plain table: key, the three labels, aliases, department, state,
    how many requests have it."""
    headers = [label("vocab.field", lang), label("vocab.key", lang), "en", "zh-CN", "zh-TW", label("vocab.aliases", lang),
               label("vocab.department", lang), label("vocab.state", lang), label("vocab.uses", lang)]
    rows: list[list[str]] = []
    for field in view.fields:
        for entry in view.entries(field):
            kind = "vocab.edited" if (field, entry.key) in view.vocabularies.stored else "vocab.built_in"
            if not view.vocabularies.is_built_in(field, entry.key):
                kind = "vocab.own"
            state = label(kind, lang) + (f", {label('vocab.retired', lang)}" if entry.retired else "")
            rows.append([field_name(field, lang), entry.key, *(one_line(text) for text in entry.labels),
                         one_line(", ".join(entry.aliases)), one_line(entry.department or ""), state,
                         str(view.uses.get(field, {}).get(entry.key, 0))])
    lines = plain_table(headers, rows, [None, 24, 24, 24, 24, 48, 24, 24, None])
    sys.stdout.write("\n".join(lines) + "\n")


def labels_text(entry: Entry, lang: str) -> str:
    """`Complaint / 投诉类 / 投訴類; aliases: 投诉; → 客服部`."""
    text = " / ".join(entry.labels)
    if entry.aliases:
        text += f"; {label('vocab.aliases', lang).lower()}: {', '.join(entry.aliases)}"
    if entry.department:
        text += f"; → {entry.department}"
    return one_line(text)


def change_lines(change: Any, action: str, lang: str) -> list[str]:
    """What a `vocab` command did (services.vocab.VocabularyChange), in `lang`."""
    entry = change.entry
    names = {"field": field_name(entry.field, lang), "name": entry.key}
    shown = dict(names, label=entry.labels[LANGUAGES.index(lang)])
    if action == "add":
        lines = [label("vocab.added", lang, labels=labels_text(entry, lang), **names)]
        lines += [label("vocab.filled", lang, which=which, source=label("vocab.the_key", lang) if source == "key" else source,
                        field=entry.field, name=entry.key)
                  for which, source in change.filled]
        return lines
    if action == "edit":
        return [label("vocab.edited_line", lang, labels=labels_text(entry, lang), **names)]
    if action == "retire":
        key = "vocab.retired_line" if change.changed else "vocab.already_retired"
        return [label(key, lang, uses=change.uses, **shown)]
    key = "vocab.restored_line" if change.changed else "vocab.not_retired"
    return [label(key, lang, **shown)]


def routed_line(department: str, type_labels: dict[str, str], lang: str) -> str:
    """`assign` without `--dept`: the department came from the request's type."""
    return label("vocab.routed", lang, dept=one_line(department), type=one_line(type_labels.get(lang, "")))
