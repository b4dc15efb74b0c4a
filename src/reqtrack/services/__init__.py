"""The services: what the commands call, one function per verb, each one unit of work.

    context.py   Context (database, actor, clock), Inputs (raw values read in the database's
                 zone and calendar), loading the histories of a batch of requests
    requests.py  the verbs on requests: register, classify, assign, ... get, show, list
    links.py     link, unlink, cancel as a duplicate      search.py  search, similar, reindex
    upkeep.py    the derived data every write keeps: running deadlines, report facts, country days
    documents.py the stored JSON text of each request (kept by upkeep, read by `list --format json`)
    sla.py       overdue, clocks, settings          report.py  the meeting report
    exports.py   export                             imports.py import (import_rows, import_merge: its phases)
    admin.py     backup and check
    notices.py   a notice filled and e-mailed, the team's templates
    people.py    the people (owners, liaisons) and their addresses
    remind.py    what each person must do now, and their digests by e-mail

This module is the public face: `services.register(ctx, ...)`, `services.Context`, ...
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# `search` is both a module and its verb: importing the module (which `register` does) sets the
# package's attribute to the module, so that one is imported here at once, its verb after it.
from .search import Hit, reindex, search, similar

if TYPE_CHECKING:  # the names as mypy and readers see them; at run time each loads with its module
    from .context import Context, Inputs, calendar_for, current_actor, default_database_path, inputs, system_clock
    from .documents import request_json_texts
    from .links import Linked, cancel_duplicate, link, unlink
    from .requests import (
        MAX_ATTACHMENT_BYTES,
        Assigned,
        Listing,
        Registered,
        Shown,
        assign,
        assign_routed,
        attach,
        build_filter,
        cancel,
        classify,
        close,
        edit,
        get,
        iter_requests,
        list_requests,
        notice,
        progress,
        rate,
        register,
        register_new,
        reopen,
        save_attachment,
        show,
        timezone_of,
        verify,
    )

# Which module holds each public name: `services.show` imports services/requests.py when first
# asked for, so that `show` does not pay for the modules of links or of the rest (PEP 562).
_HOME: dict[str, str] = {
    "Context": "context",
    "Inputs": "context",
    "calendar_for": "context",
    "current_actor": "context",
    "default_database_path": "context",
    "inputs": "context",
    "system_clock": "context",
    "request_json_texts": "documents",
    "Linked": "links",
    "cancel_duplicate": "links",
    "link": "links",
    "unlink": "links",
    "MAX_ATTACHMENT_BYTES": "requests",
    "Assigned": "requests",
    "Listing": "requests",
    "Registered": "requests",
    "Shown": "requests",
    "assign": "requests",
    "assign_routed": "requests",
    "attach": "requests",
    "build_filter": "requests",
    "cancel": "requests",
    "classify": "requests",
    "close": "requests",
    "edit": "requests",
    "get": "requests",
    "iter_requests": "requests",
    "list_requests": "requests",
    "notice": "requests",
    "progress": "requests",
    "rate": "requests",
    "register": "requests",
    "register_new": "requests",
    "reopen": "requests",
    "save_attachment": "requests",
    "show": "requests",
    "timezone_of": "requests",
    "verify": "requests",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # asked once
    return value


__all__ = [
    "MAX_ATTACHMENT_BYTES", "Assigned", "Context", "Hit", "Inputs", "Linked", "Listing", "Registered", "Shown", "assign",
    "assign_routed", "attach", "build_filter", "calendar_for", "cancel", "cancel_duplicate", "classify", "close",
    "current_actor", "default_database_path", "edit", "get", "inputs", "iter_requests", "link", "list_requests",
    "notice", "progress", "rate", "register", "register_new", "reindex", "reopen", "request_json_texts",
    "save_attachment", "search", "show", "similar", "system_clock", "timezone_of", "unlink", "verify",
]
