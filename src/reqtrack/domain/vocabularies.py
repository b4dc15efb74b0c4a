"""The vocabularies that fit the team (SPEC §10): `source` and `type` per database.

The built-in entries (domain.vocab SOURCE and TYPE) are the defaults; a database keeps rows of
its own (storage: table `vocabulary`) for the entries it added and for the built-in ones it
edited, retired or restored. `Vocabularies.merged(entries)` is what a command works with: the
built-in entries in their order, each replaced by the database's row of the same key, then the
database's own entries in the order they were added. A database without rows behaves exactly as
the built-in vocabularies.

The rules of `reqtrack vocab add/edit/retire/restore` are here too, pure: each takes the current
Vocabularies and returns the `Entry` to store (or refuses with InvalidInput, exit 2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .errors import InvalidInput, Listed, Message
from .vocab import CONFIGURABLE, LANGUAGES, SOURCE, TYPE, FieldName, Term, Vocabulary, fold

BUILT_IN: dict[str, Vocabulary] = {"source": SOURCE, "type": TYPE}
KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_KEY = 40
MAX_NAME = 60  # a label, an alias or a department
MAX_ALIASES = 20


@dataclass(frozen=True)
class Entry:
    """One key of `source` or `type`: its three labels (en, zh-CN, zh-TW), aliases, default
    department (types), whether it is retired, and its place in the list."""

    field: str
    key: str
    labels: tuple[str, str, str]
    aliases: tuple[str, ...] = ()
    department: str | None = None
    retired: bool = False
    position: int = 0

    def names(self) -> tuple[str, ...]:
        return (self.key, *self.labels, *self.aliases)


def built_in_entries(field: str) -> list[Entry]:
    """The built-in entries of `field`, in order (positions 0, 1, ...)."""
    vocab = BUILT_IN[field]
    return [Entry(field, key, vocab.labels[key], vocab.aliases.get(key, ()), vocab.department(key),
                  key in vocab.retired, position) for position, key in enumerate(vocab.keys)]


def _vocabulary(field: str, entries: list[Entry]) -> Vocabulary:
    return Vocabulary(
        field, {e.key: e.labels for e in entries}, aliases={e.key: e.aliases for e in entries if e.aliases},
        departments={e.key: e.department for e in entries if e.department},
        retired=frozenset(e.key for e in entries if e.retired))


class Vocabularies:
    """`source` and `type` as one database has them: the built-in entries with its rows laid over
    them (`merged`). `Vocabularies()` is the built-in ones alone."""

    def __init__(self, entries: dict[str, list[Entry]] | None = None, stored: frozenset[tuple[str, str]] = frozenset()):
        self._entries = entries or {field: built_in_entries(field) for field in CONFIGURABLE}
        self.stored = stored  # (field, key) of the entries the database keeps rows for
        self.source = BUILT_IN["source"] if entries is None else _vocabulary("source", self._entries["source"])
        self.type = BUILT_IN["type"] if entries is None else _vocabulary("type", self._entries["type"])

    @classmethod
    def merged(cls, rows: Iterable[Entry]) -> Vocabularies:
        """The built-in entries, each replaced by the row of its key, then the database's own
        entries by position (`rows` in any order)."""
        by_field: dict[str, dict[str, Entry]] = {f: {} for f in CONFIGURABLE}
        for row in rows:
            if row.field in by_field:
                by_field[row.field][row.key] = row
        if not any(by_field.values()):
            return cls()
        entries: dict[str, list[Entry]] = {}
        for field, stored in by_field.items():
            builtin = built_in_entries(field)
            known = {e.key for e in builtin}
            merged = [replace(stored[e.key], position=e.position) if e.key in stored else e for e in builtin]
            merged += sorted((e for k, e in stored.items() if k not in known), key=lambda e: (e.position, e.key))
            entries[field] = merged
        return cls(entries, frozenset((f, k) for f, stored in by_field.items() for k in stored))

    def get(self, field: str) -> Vocabulary:
        if field not in CONFIGURABLE:
            raise InvalidInput("unknown vocabulary {field!r}; the configurable ones are {known}", field=field,
                               known=", ".join(CONFIGURABLE))
        return self.source if field == "source" else self.type

    def label(self, field: str, key: str | None, lang: str) -> str:
        return self.get(field).label(key, lang)

    def entries(self, field: str) -> list[Entry]:
        """Every entry of `field` in order, retired ones included."""
        self.get(field)
        return list(self._entries[field])

    def entry(self, field: str, name: str) -> Entry:
        """The entry one of whose names (key, label, alias; retired ones too) is `name`."""
        key = self.get(field).lookup(name)
        if key is None:
            raise InvalidInput("{name} has no entry {entry!r}; `reqtrack vocab show {field}` lists them",
                               name=FieldName(field), entry=name.strip(), field=field)
        return next(e for e in self._entries[field] if e.key == key)

    def is_built_in(self, field: str, key: str) -> bool:
        return key in BUILT_IN[field].labels

    def next_position(self, field: str) -> int:
        """The position of an entry added now: after every entry there is."""
        return max((e.position for e in self.entries(field)), default=-1) + 1


DEFAULT = Vocabularies()


# -- the rules of `vocab add / edit / retire / restore` ------------------------------------------
def _clean(text: str | None, what: Message) -> str | None:
    """A label, alias or department as stored: trimmed, one line, printable, not too long."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in cleaned):
        raise InvalidInput("{what} {text!r} holds control or unassigned characters; type it plainly", what=what, text=text)
    if len(cleaned) > MAX_NAME:
        raise InvalidInput("{what} {text!r}… is longer than {most} characters", what=what, text=cleaned[:20], most=MAX_NAME)
    return cleaned


def _label_of(lang: str) -> Message:
    return Message("the {lang} label", lang=lang)


def check_key(key: str) -> str:
    """A new key: lowercase ASCII words with hyphens (`complaint`, `after-sales`)."""
    text = key.strip()
    if not KEY_PATTERN.fullmatch(text) or len(text) > MAX_KEY:
        raise InvalidInput("key {key!r} is not lowercase ASCII words with hyphens (e.g. complaint, after-sales; at most "
                           "{most} characters); labels in any language go in --en, --zh-CN and --zh-TW", key=key,
                           most=MAX_KEY)
    return text


def _conflicts(vocabs: Vocabularies, entry: Entry) -> None:
    """Refuse a name of `entry` that another key of its field already has (retired keys too: old
    records and sheets still carry their names)."""
    vocab = vocabs.get(entry.field)
    for name in entry.names():
        other = vocab.lookup(name)
        if other is not None and other != entry.key:
            raise InvalidInput(
                "{field} {name!r} is already a name of {other} ({label}); each name belongs to one key: choose another, "
                "or change {other} first (`reqtrack vocab edit {field_key} {other} --drop-alias …`)",
                field=FieldName(entry.field), name=name, other=other, label=Term(vocab, other, "label"),
                field_key=entry.field)


def _aliases(given: Iterable[str], labels: tuple[str, str, str], key: str) -> tuple[str, ...]:
    """The aliases as stored: cleaned, without repeats or names the entry has already."""
    kept: list[str] = []
    seen = {fold(n) for n in (key, *labels)}
    for alias in given:
        cleaned = _clean(alias, Message("alias"))
        if cleaned is not None and fold(cleaned) not in seen:
            seen.add(fold(cleaned))
            kept.append(cleaned)
    if len(kept) > MAX_ALIASES:
        raise InvalidInput("at most {most} aliases per entry", most=MAX_ALIASES)
    return tuple(kept)


@dataclass(frozen=True)
class Added:
    """What `add` stores, and which labels it filled in from another (language, from)."""

    entry: Entry
    filled: tuple[tuple[str, str], ...]


def add(vocabs: Vocabularies, field: str, key: str, labels: dict[str, str | None], aliases: Iterable[str] = (),
        department: str | None = None) -> Added:
    """A new entry, after every entry there is. A label left out is filled in: zh-CN from zh-TW
    and back (else from English), English from the key (`after-sales` → `After sales`)."""
    vocab = vocabs.get(field)
    key = check_key(key)
    if key in vocab.labels:
        raise InvalidInput("{name} {key} exists already; change it with `reqtrack vocab edit {field} {key}`",
                           name=FieldName(field), key=key, field=field)
    given = {lang: _clean(labels.get(lang), _label_of(lang)) for lang in LANGUAGES}
    if not any(given.values()):
        raise InvalidInput("give at least one label: --en, --zh-CN or --zh-TW (e.g. --zh-CN 投诉类 for {key})", key=key)
    filled: list[tuple[str, str]] = []
    for lang, sources in (("zh-CN", ("zh-TW", "en")), ("zh-TW", ("zh-CN", "en")), ("en", ())):
        if given[lang] is None:
            source = next((other for other in sources if given[other]), "key")
            given[lang] = given[source] if source != "key" else key.replace("-", " ").capitalize()
            filled.append((lang, source))
    final = (str(given["en"]), str(given["zh-CN"]), str(given["zh-TW"]))
    entry = Entry(field, key, final, _aliases(aliases, final, key), _clean(department, Message("the department")),
                  False, vocabs.next_position(field))
    _conflicts(vocabs, entry)
    return Added(entry, tuple(filled))


def edit(vocabs: Vocabularies, field: str, name: str, labels: dict[str, str | None], add_aliases: Iterable[str] = (),
         drop_aliases: Iterable[str] = (), department: str | None = None) -> Entry:
    """The entry named `name` (its key, a label or an alias) with the labels given, aliases added
    and dropped, and its department set (`department`; "" clears it, None leaves it)."""
    entry = vocabs.entry(field, name)
    current = dict(zip(LANGUAGES, entry.labels))
    for lang in LANGUAGES:
        cleaned = _clean(labels.get(lang), _label_of(lang))
        if cleaned is not None:
            current[lang] = cleaned
    new_labels = (current["en"], current["zh-CN"], current["zh-TW"])
    have = {fold(a) for a in entry.aliases}
    unknown = [a for a in drop_aliases if fold(a) not in have]
    if unknown:
        raise InvalidInput("{name} {key} has no alias {alias!r}; its aliases: {aliases}", name=FieldName(field),
                           key=entry.key, alias=unknown[0], aliases=Listed.of(entry.aliases, ", ", empty=Message("none")))
    dropped = {fold(a) for a in drop_aliases}
    aliases = _aliases([*(a for a in entry.aliases if fold(a) not in dropped), *add_aliases], new_labels, entry.key)
    if department is None:
        new_department = entry.department
    else:
        new_department = _clean(department, Message("the department"))
    changed = replace(entry, labels=new_labels, aliases=aliases, department=new_department)
    if changed == entry:
        raise InvalidInput("nothing changes: {name} {key} already has these labels, aliases and department",
                           name=FieldName(field), key=entry.key)
    _conflicts(vocabs, changed)
    return changed


def retire(vocabs: Vocabularies, field: str, name: str) -> tuple[Entry, bool]:
    """(the entry retired, whether that changes anything): new records can no longer take it;
    those that have it keep it and show its labels."""
    entry = vocabs.entry(field, name)
    return replace(entry, retired=True), not entry.retired


def restore(vocabs: Vocabularies, field: str, name: str) -> tuple[Entry, bool]:
    """(the entry restored, whether it was retired before)."""
    entry = vocabs.entry(field, name)
    return replace(entry, retired=False), entry.retired
