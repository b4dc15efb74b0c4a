"""The services: what the commands call, one function per verb, each one unit of work.

    context.py   Context (database, actor, clock), Inputs (raw values read in the database's
                 zone and calendar), loading the histories of a batch of requests
    requests.py  the verbs on requests: register, classify, assign, ... get, show, list
    links.py     link, unlink, cancel as a duplicate      search.py  search, similar, reindex
    upkeep.py    the derived data every write keeps: running deadlines, report facts, country days
    sla.py       overdue, clocks, settings          report.py  the meeting report
    exports.py   export                             imports.py import (import_rows, import_merge: its phases)
    admin.py     backup and check
    notices.py   a notice filled and e-mailed, the team's templates
    people.py    the people (owners, liaisons) and their addresses
    remind.py    what each person must do now, and their digests by e-mail

This module is the public face: `services.register(ctx, ...)`, `services.Context`, ...
"""

from __future__ import annotations

from .context import Context, Inputs, calendar_for, current_actor, default_database_path, inputs, system_clock
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
from .search import Hit, reindex, search, similar

__all__ = [
    "MAX_ATTACHMENT_BYTES", "Assigned", "Context", "Hit", "Inputs", "Linked", "Listing", "Registered", "Shown", "assign",
    "assign_routed", "attach", "build_filter", "calendar_for", "cancel", "cancel_duplicate", "classify", "close",
    "current_actor", "default_database_path", "edit", "get", "inputs", "iter_requests", "link", "list_requests",
    "notice", "progress", "rate", "register", "register_new", "reindex", "reopen", "save_attachment", "search", "show",
    "similar", "system_clock", "timezone_of", "unlink", "verify",
]
