"""Links, search results and likely duplicates as people and scripts read them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..domain.vocab import STATUS
from .labels import label
from .output import plain_table
from .text import one_line

if TYPE_CHECKING:
    from ..domain.record import Link
    from ..domain.search import Similar


def link_text(link: Link, lang: str) -> str:
    """A link as the request sees it, in words: `duplicate of 202405-001`."""
    return label(f"link.{link.direction}.{link.kind}", lang, id=link.id)


def links_json(links: Sequence[Link]) -> list[dict[str, str]]:
    """`links` of `show --json`: [{id, kind, direction}], by the other's ID."""
    return [link.to_json() for link in links]


def search_table(hits: Sequence[Any], limit: int, lang: str) -> None:
    """The results of `search` as an aligned table: ID, status, customer, score, the fragment."""
    from ..domain.vocab import column_label

    if not hits:
        sys.stdout.write(label("search.none", lang) + "\n")
        return
    headers = [column_label("id", lang), column_label("status", lang), column_label("customer", lang),
               label("search.score", lang), label("search.match", lang)]
    rows = [[one_line(h.id), one_line(STATUS.label(h.status, lang)), one_line(h.customer), f"{h.score:.4f}",
             one_line(h.snippet.text if h.snippet else "")] for h in hits]
    lines = plain_table(headers, rows, [None, 12, 24, None, 80])
    if len(hits) >= limit:
        lines.append(label("search.more", lang, shown=len(hits)))
    sys.stdout.write("\n".join(lines) + "\n")


def similar_lines(request_id: str, similar: Sequence[Similar], lang: str, header: str = "similar.warning") -> list[str]:
    """The likely duplicates of a request, one per line, under a heading."""
    lines = [label(header, lang, id=request_id)]
    for item in similar:
        same = f"{label('sep.comma', lang)}{label('similar.same_customer', lang)}" if item.same_customer else ""
        lines.append("  " + label("sep.paren", lang, text=item.id, inner=f"{item.score:.2f}{same}"))
    return lines


def similar_json(similar: Sequence[Similar]) -> list[dict[str, Any]]:
    """`similar` of `new --json` and `similar --json`: [{id, score, same_customer}]."""
    return [{"id": s.id, "score": s.score, "same_customer": s.same_customer} for s in similar]
