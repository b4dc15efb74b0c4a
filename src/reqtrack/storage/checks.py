"""What `reqtrack check` asks of the engine itself, beside the consistency rules (which
services/admin.py writes once, in SQL both engines speak).

SQLite's file can be checked page by page (`PRAGMA integrity_check`) and a connection can be made
query-only; PostgreSQL keeps its own pages (there is no file of reqtrack's to check) and `check`'s
transaction there is READ ONLY already (storage/server.py's read snapshot).
"""

from __future__ import annotations

from typing import Any

from .copying import on_server


def guard_reads(conn: Any) -> None:
    """Make the connection refuse writes where the engine lets a connection say so (SQLite's
    `query_only`); on PostgreSQL the read snapshot is a READ ONLY transaction."""
    if not on_server(conn):
        conn.execute("PRAGMA query_only = 1")


def page_problems(conn: Any) -> list[str] | None:
    """What SQLite's page check finds wrong with the file (empty when it is whole); None where
    there is no file to check (PostgreSQL)."""
    if on_server(conn):
        return None
    from .db import integrity_problems

    return integrity_problems(conn)


def orphan_facts_query(tables: list[str]) -> str:
    """The request IDs these tables hold facts for that the request table lacks: an anti-join
    (NOT IN over a subquery is one only while the server can hash the subquery in work_mem; at
    1,000,000 requests it scanned the request IDs once per fact row)."""
    return " UNION ".join(f"SELECT request_id FROM {table} AS t WHERE NOT EXISTS "
                          "(SELECT 1 FROM request WHERE request.id = t.request_id)" for table in tables) + " ORDER BY 1"
