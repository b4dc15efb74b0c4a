"""`reqtrack vocab`: the database's own `source` and `type` entries (SPEC §10), and the quick read
of them that `--help` lists.

Each change is one unit of work: the vocabularies as the database has them, the rule of
domain.vocabularies, the entry stored. Labels, aliases, departments and retirement are kept in
the database (table `vocabulary`), so the whole team types and sees the same names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..domain import vocabularies as rules
from ..domain.vocab import CONFIGURABLE
from ..domain.vocabularies import DEFAULT, Entry, Vocabularies
from .context import Context


@dataclass
class VocabularyView:
    """The entries of the fields asked for, and how many requests have each key."""

    vocabularies: Vocabularies
    fields: tuple[str, ...]
    uses: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> key -> requests

    def entries(self, name: str) -> list[Entry]:
        return self.vocabularies.entries(name)


@dataclass
class VocabularyChange:
    """What a `vocab` command did: the entry as stored now, whether anything changed, the labels
    `add` filled in (language, taken from), and how many requests have the key."""

    entry: Entry
    changed: bool = True
    filled: tuple[tuple[str, str], ...] = ()
    uses: int = 0


def _fields(name: str | None) -> tuple[str, ...]:
    if name is None:
        return CONFIGURABLE
    DEFAULT.get(name.strip().lower())  # refuses an unknown field, naming the configurable ones
    return (name.strip().lower(),)


def show(ctx: Context, name: str | None = None) -> VocabularyView:
    """The entries of `name` (source or type; both when None), retired ones included."""
    fields = _fields(name)
    with ctx.reader() as uow:
        vocabs = uow.requests.vocabularies()
        uses = {f: uow.requests.vocabulary_uses(f) for f in fields}
    return VocabularyView(vocabs, fields, uses)


def add(ctx: Context, name: str, key: str, labels: dict[str, str | None], aliases: Iterable[str] = (),
        department: str | None = None) -> VocabularyChange:
    """A new entry of `name`; a key, label or alias another key has is refused (exit 2)."""
    (name,) = _fields(name)
    with ctx.unit_of_work(write=True) as uow:
        added = rules.add(uow.requests.vocabularies(), name, key, labels, list(aliases), department)
        uow.requests.put_vocabulary_entry(added.entry)
        uow.commit()
    return VocabularyChange(added.entry, filled=added.filled)


def edit(ctx: Context, name: str, entry: str, labels: dict[str, str | None], add_aliases: Iterable[str] = (),
         drop_aliases: Iterable[str] = (), department: str | None = None) -> VocabularyChange:
    """New labels, aliases or department for an entry (built-in ones too); `department` "" clears it."""
    (name,) = _fields(name)
    with ctx.unit_of_work(write=True) as uow:
        changed = rules.edit(uow.requests.vocabularies(), name, entry, labels, list(add_aliases), list(drop_aliases),
                             department)
        uow.requests.put_vocabulary_entry(changed)
        uow.commit()
    return VocabularyChange(changed)


def _set_retired(ctx: Context, name: str, entry: str, retired: bool) -> VocabularyChange:
    (name,) = _fields(name)
    with ctx.unit_of_work(write=True) as uow:
        vocabs = uow.requests.vocabularies()
        stored, changed = (rules.retire if retired else rules.restore)(vocabs, name, entry)
        if changed:
            uow.requests.put_vocabulary_entry(stored)
        uses = uow.requests.vocabulary_uses(name).get(stored.key, 0)
        uow.commit()
    return VocabularyChange(stored, changed, uses=uses)


def retire(ctx: Context, name: str, entry: str) -> VocabularyChange:
    """No new use of the entry; the requests that have it keep it and show its labels."""
    return _set_retired(ctx, name, entry, True)


def restore(ctx: Context, name: str, entry: str) -> VocabularyChange:
    """A retired entry may be used again."""
    return _set_retired(ctx, name, entry, False)


def for_help(location: Path | str | None) -> Vocabularies:
    """The vocabularies `--help` lists: the database's when it can be read at once (a file that
    exists, a server that answers within a second or two), else the built-in ones. Never
    creates, upgrades or waits for a database."""
    from ..storage.peek import vocabulary_entries_quickly
    from .context import database_location, default_database_path

    try:
        where = database_location(location) if location else default_database_path()
        entries = vocabulary_entries_quickly(where)
    except Exception:  # noqa: BLE001 - a help text never fails for the database's sake
        entries = None
    return Vocabularies.merged(entries) if entries else DEFAULT
