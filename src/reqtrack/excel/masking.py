"""Masking (`export --mask`, docs/excel.md "Masking"): a copy of a request with personal names
hidden, for sheets shared outside the team, and the marker that makes import refuse such a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from ..domain.record import HistoryEntry, Request, mask_name
from .columns import NAME_FIELDS

MASK_TOKEN = "[reqtrack:masked]"  # in the info sheet / first CSV line of a --mask export

__all__ = ["MASK_TOKEN", "mask_name", "masked_copy"]


def _name_hider(names: Iterable[Any]) -> Callable[[str | None], str | None]:
    known = sorted({n.strip() for n in names if isinstance(n, str) and len(n.strip()) > 1}, key=len, reverse=True)
    if not known:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in known))

    def hide(text: str | None) -> str | None:
        return pattern.sub(lambda m: mask_name(m.group(0)) or "", text) if text else text

    return hide


def masked_copy(request: Request) -> Request:
    """A copy for sheets shared outside the team: proposer, contact, liaison, owner and every
    actor keep their first character (王经理 → 王**), and those names are hidden wherever they
    appear in the history, description, notes and reasons. The original is not touched."""
    names: list[Any] = [getattr(request, name) for name in NAME_FIELDS]
    for entry in request.history:
        names.append(entry.actor)
        for name in NAME_FIELDS:
            names.extend(entry.changes.get(name, ()))
    hide = _name_hider(names)

    def changes(entry: HistoryEntry) -> dict[str, list[Any]]:
        out = {}
        for key, pair in entry.changes.items():
            if key in NAME_FIELDS:
                out[key] = [mask_name(v) if isinstance(v, str) else v for v in pair]
            else:
                out[key] = [hide(v) if isinstance(v, str) else v for v in pair]
        return out

    history = [replace(e, actor=mask_name(e.actor) or e.actor, note=hide(e.note) or "", changes=changes(e))
               for e in request.history]
    return replace(
        request, proposer=mask_name(request.proposer), contact=mask_name(request.contact),
        liaison=mask_name(request.liaison), owner=mask_name(request.owner), description=hide(request.description) or "",
        notes=hide(request.notes), priority_reason=hide(request.priority_reason), assign_reason=hide(request.assign_reason),
        verification_note=hide(request.verification_note), history=history, attachments=list(request.attachments),
    )
