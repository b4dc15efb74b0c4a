"""Full-text search and likely duplicates, the rules (docs/search.md). Pure: no SQL.

A request's *search document* is its customer, proposer, description, notes and progress notes
(the notes of `progress` and `complete` entries), each *normalised*: Unicode NFKC (full-width
Ｅｘｃｅｌ and ，become Excel and ,), case-folded (EXCEL, Excel and excel are one word), runs of
white space made one space, and one space appended so that every one- or two-character piece
of a field starts a three-character piece (what lets the trigram index find 登录 at the end of
无法登录). The storage keeps one document per request (table search_doc) and an index over it;
both engines store the same text, so they find and score the same requests.

A query is cut at white space into terms; a request matches when its document contains every
term (as a piece of text: Chinese needs no spaces, `批量导出` is found in `希望增加批量导出功能`).
The score (`SCORE_WEIGHTS`) favours a field that the terms cover more of.

Likely duplicates compare descriptions by the Dice coefficient of their character trigrams
(letters and digits only, normalised): `similarity`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from .record import HistoryEntry, Request

# Fields of the search document, in the order of table search_doc, and the weight of a term's
# coverage of each in the score.
DOC_FIELDS = ("customer", "proposer", "description", "notes", "progress")
SCORE_WEIGHTS = {"description": 1.0, "customer": 0.8, "proposer": 0.6, "notes": 0.5, "progress": 0.4}
SCORE_PAD = 20  # added to a field's length in the score, so that a short field is not everything
PROGRESS_ACTIONS = ("progress", "complete")  # their notes are the progress notes
MAX_TERMS = 8  # a query's terms beyond these are ignored (each costs an index lookup)
MIN_INDEXED = 3  # terms shorter than this cannot be looked up by trigram directly
SNIPPET_WIDTH = 60  # characters of the fragment shown around the first match
SIMILAR_THRESHOLD = 0.45  # descriptions at least this similar are "likely the same problem"
SIMILAR_SHOWN = 3  # `new` names at most this many

_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")  # white space and control characters


def normalise(text: str | None) -> str:
    """Text as the index keeps it: NFKC, case-folded, runs of white space and control
    characters as one space, trimmed."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def stored_field(text: str | None) -> str:
    """A normalised field as stored in the search document: with one trailing space (empty
    stays empty), so that the trigram index sees every one- or two-character piece begin a
    trigram."""
    value = normalise(text)
    return value + " " if value else ""


def query_terms(query: str) -> list[str]:
    """The distinct normalised terms of a query, in order (at most MAX_TERMS)."""
    seen: list[str] = []
    for term in normalise(query).split(" "):
        if term and term not in seen:
            seen.append(term)
    return seen[:MAX_TERMS]


def progress_notes(history: Iterable[HistoryEntry]) -> str:
    """The notes of the progress entries, oldest first, one per line."""
    return "\n".join(e.note for e in history if e.action in PROGRESS_ACTIONS and e.note)


@dataclass(frozen=True)
class SearchDoc:
    """A request's search document (normalised, as stored in table search_doc)."""

    request_id: str
    open: bool
    customer: str
    proposer: str
    description: str
    notes: str
    progress: str

    def row(self) -> tuple[str, int, str, str, str, str, str]:
        return (self.request_id, int(self.open), self.customer, self.proposer, self.description, self.notes,
                self.progress)


def search_doc(request: Request) -> SearchDoc:
    """The search document of a request (with its history)."""
    return document(request.id, request.is_open, request.customer, request.proposer, request.description,
                    request.notes, progress_notes(request.history))


def document(request_id: str, is_open: bool, customer: str | None, proposer: str | None, description: str | None,
             notes: str | None, progress: str | None) -> SearchDoc:
    """The search document of these field values."""
    return SearchDoc(request_id, is_open, stored_field(customer), stored_field(proposer), stored_field(description),
                     stored_field(notes), stored_field(progress))


def score(doc: SearchDoc, terms: Sequence[str]) -> float:
    """The score of a document for the terms (what the storage computes in SQL, written out):
    for each field, its weight × the characters the terms' occurrences cover ÷ (its length +
    SCORE_PAD), summed, rounded to 4 decimals."""
    total = 0.0
    for name in DOC_FIELDS:
        text = getattr(doc, name)
        covered = sum(len(text) - len(text.replace(term, "")) for term in terms)
        total += SCORE_WEIGHTS[name] * covered / (len(text) + SCORE_PAD)
    return round(total, 4)


def matches(doc: SearchDoc, terms: Sequence[str]) -> bool:
    """Whether the document contains every term."""
    text = " ".join(getattr(doc, name) for name in DOC_FIELDS)
    return all(term in text for term in terms)


# -- the fragment shown -------------------------------------------------------------------------
@dataclass(frozen=True)
class Snippet:
    """The fragment of a field around the first match: its text, the field it comes from, and
    the spans (start, end) of the matches within the text."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """The case-folded NFKC text (white space kept as it is) and, for each of its characters,
    the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        folded = " " if ch.isspace() or _SPACE.fullmatch(ch) else folded
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def snippet(fields: Sequence[tuple[str, str | None]], terms: Sequence[str], width: int = SNIPPET_WIDTH) -> Snippet | None:
    """The fragment of the first of `fields` ((name, original text), in the order to look)
    that contains a term: about `width` characters of the original text around the first
    match, white space shown as single spaces, `…` where it was cut; None when none does."""
    for name, text in fields:
        if not text:
            continue
        folded, origin = _normalised_with_offsets(text)
        found = [(folded.find(term), term) for term in terms if term and folded.find(term) >= 0]
        if not found:
            continue
        first = min(found)[0]
        start_char = origin[first]
        begin = max(0, start_char - width // 3)
        end = min(len(text), begin + width)
        begin = max(0, min(begin, end - width))
        spans = []
        for term in terms:
            at = folded.find(term)
            while at >= 0:
                lo, hi = origin[at], origin[at + len(term) - 1] + 1
                if begin <= lo and hi <= end:
                    spans.append((lo, hi))
                at = folded.find(term, at + len(term))
        piece, shifted = _flatten(text[begin:end], [(lo - begin, hi - begin) for lo, hi in sorted(set(spans))])
        prefix = "…" if begin > 0 else ""
        suffix = "…" if end < len(text) else ""
        spans_out = tuple((lo + len(prefix), hi + len(prefix)) for lo, hi in shifted)
        return Snippet(name, prefix + piece + suffix, spans_out)
    return None


def _flatten(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """`text` with each run of white space as one space, and the spans moved with it."""
    out: list[str] = []
    moved: list[int] = []  # new index of each original character
    previous_space = False
    for ch in text:
        if ch.isspace():
            if previous_space:
                moved.append(len(out) - 1)
                continue
            previous_space = True
            moved.append(len(out))
            out.append(" ")
        else:
            previous_space = False
            moved.append(len(out))
            out.append(ch)
    moved.append(len(out))
    return "".join(out), [(moved[lo], moved[hi - 1] + 1) for lo, hi in spans]


# -- likely duplicates ----------------------------------------------------------------------------
_NOT_ALNUM = re.compile(r"[\W_]+")  # what is not a letter or digit (of any script)


def grams(text: str) -> frozenset[str]:
    """The character trigrams of a normalised text's letters and digits (the whole text when it
    has fewer than three)."""
    return _trigrams(_NOT_ALNUM.sub("", text))


def _trigrams(kept: str) -> frozenset[str]:
    if len(kept) < 3:
        return frozenset([kept]) if kept else frozenset()
    return frozenset([kept[i:i + 3] for i in range(len(kept) - 2)])


_SLICES: list[slice] = []  # slice(i, i + 3) for i from 0: a text's trigrams taken by C, not by a loop


def _slices(count: int) -> Iterator[slice]:
    if len(_SLICES) < count:
        _SLICES.extend(slice(i, i + 3) for i in range(len(_SLICES), count))
    return islice(_SLICES, count)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """The Dice coefficient of two trigram sets: 2 × shared ÷ (|a| + |b|), rounded to 4 decimals."""
    if not a or not b:
        return 0.0
    return round(2 * len(a & b) / (len(a) + len(b)), 4)


@dataclass(frozen=True)
class Similar:
    """A likely duplicate: the request, its score, whether it has the same customer."""

    id: str
    score: float
    same_customer: bool


def rank_similar(description: str, customer: str, candidates: Iterable[tuple[str, str, str]], exclude: str | None = None,
                 limit: int = SIMILAR_SHOWN, threshold: float = SIMILAR_THRESHOLD) -> list[Similar]:
    """The likely duplicates among `candidates` ((request ID, stored customer, stored
    description), open requests): those at least `threshold` similar to `description`, the same
    customer first, then by score (highest first), then the newer ID first; at most `limit`."""
    wanted = grams(normalise(description))
    own = stored_field(customer)
    # Dice ≥ t needs the smaller set at least t ÷ (2 − t) of the larger: a text much shorter or
    # longer is passed over without building its trigrams.
    ratio = threshold / (2 - threshold) if 0 < threshold < 2 else 0.0
    low, high = len(wanted) * ratio, (len(wanted) / ratio if ratio else float("inf"))
    found: dict[str, Similar] = {}
    seen: set[str] = set()
    for request_id, their_customer, their_description in candidates:
        if request_id == exclude or request_id in seen:
            continue
        seen.add(request_id)
        kept = _NOT_ALNUM.sub("", their_description)
        if wanted and not low <= max(len(kept) - 2, 1) <= high:
            continue
        if wanted and len(kept) >= 3 and threshold > 0:
            # Its shared trigrams first, without building its set: with s of them shared, its own
            # set has at least s, so the score is at most 2s ÷ (|wanted| + s) (rounded as `similarity`
            # rounds): most candidates of a thousand fall below the threshold here.
            shared = len(wanted.intersection(map(kept.__getitem__, _slices(len(kept) - 2))))
            if round(2 * shared / (len(wanted) + shared), 4) < threshold:
                continue
        value = similarity(wanted, _trigrams(kept))
        if value >= threshold:
            found[request_id] = Similar(request_id, value, their_customer == own)
    ordered = sorted(found.values(), key=lambda s: (not s.same_customer, -s.score, _descending(s.id)))
    return ordered[:limit]


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text) + (1,)
