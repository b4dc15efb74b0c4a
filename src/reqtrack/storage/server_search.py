"""The full-text index over search_doc on PostgreSQL: pg_trgm's GIN indexes (storage/engine.py
has SQLite's FTS5), the part of `PostgresEngine` (storage/server.py) that makes, reads and checks
them."""

from __future__ import annotations

from typing import Any

# The four fields of search_doc besides the description, as one text (each field ends with a
# space, so a term never matches across two): the expression of a GIN index and of searches.
_OTHER_FIELDS = "d.customer || d.proposer || d.notes || d.progress"


def quote_name(name: str) -> str:
    """A name as an SQL identifier (double-quoted, its quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


class TrigramSearch:
    """The search index's answers of PostgresEngine (a mixin: it uses the engine's `schema` and
    `error`)."""

    schema: str
    error: Any
    _trigrams: str | None = None  # the schema pg_trgm lives in, once found

    def trigram_schema(self, conn: Any) -> str | None:
        """The schema of the pg_trgm extension in this database (None: not installed). Its
        operator classes and functions are named with it: reqtrack's search path is its own
        schema only."""
        if self._trigrams is None:
            row = conn.execute("SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
                               "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").fetchone()
            self._trigrams = row[0] if row else None
        return self._trigrams

    def create_search_index(self, conn: Any) -> None:
        """GIN trigram indexes (pg_trgm) over search_doc: one on the description, one on the other
        four fields together (a search term is looked for in both). pg_trgm is created in the
        database's `public` schema when the database does not have it — shared, never in a
        reqtrack schema: an extension exists once per database, and dropping the schema it lived
        in would drop the indexes of every other schema with it. Where that is not allowed, no
        index is made and a search reads every row (docs/search.md)."""
        if self.trigram_schema(conn) is None:
            conn.execute("SAVEPOINT reqtrack_trigrams")
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
                conn.execute("RELEASE SAVEPOINT reqtrack_trigrams")
            except self.error:
                conn.execute("ROLLBACK TO SAVEPOINT reqtrack_trigrams")
            self._trigrams = None
            if self.trigram_schema(conn) is None:
                return
        ops = f"{quote_name(self.trigram_schema(conn) or '')}.gin_trgm_ops"
        conn.execute(f"CREATE INDEX search_doc_description_trgm ON search_doc USING gin (description {ops})")
        conn.execute(f"CREATE INDEX search_doc_other_trgm ON search_doc USING gin (({_OTHER_FIELDS.replace('d.', '')}) {ops})")

    def search_condition(self, conn: Any, terms: Any) -> tuple[str, list[Any]]:
        """Each term a LIKE on the description or the other four fields (the two GIN indexes;
        pg_trgm uses them for a term of three characters or more, else the rows are read)."""
        from .engine import like_pattern

        conditions, params = [], []
        for term in terms:
            conditions.append(f"(d.description LIKE ? ESCAPE '\\' OR ({_OTHER_FIELDS}) LIKE ? ESCAPE '\\')")
            params += [like_pattern(term)] * 2
        return " AND ".join(conditions) or "1 = 1", params

    def search_candidates(self, conn: Any, terms: Any, open_only: bool) -> tuple[str, list[Any]]:
        """The newest documents containing every term. With a term of three characters or more
        every match is found through the GIN indexes first (MATERIALIZED: else the planner may
        read the table newest first hoping for an early stop, which reads all of it for a rare
        term), then the newest are kept; with shorter terms only, the table is read newest first
        and the read stops at the limit."""
        condition, params = self.search_condition(conn, terms)
        if open_only:
            condition += " AND d.is_open = 1"
        if any(len(term) >= 3 for term in terms):
            return (f"WITH m AS MATERIALIZED (SELECT d.id FROM search_doc d WHERE {condition}) "
                    "SELECT id FROM m ORDER BY id DESC LIMIT ?", params)
        return f"SELECT d.id FROM search_doc d WHERE {condition} ORDER BY d.id DESC LIMIT ?", params

    def search_index_size(self, conn: Any) -> int | None:
        names = [f"{quote_name(self.schema)}.{index}" for index in ("search_doc_description_trgm", "search_doc_other_trgm")]
        row = conn.execute("SELECT coalesce(pg_relation_size(to_regclass(?)), 0) + "
                           "coalesce(pg_relation_size(to_regclass(?)), 0)", names).fetchone()
        return int(row[0])

    def search_index_problems(self, conn: Any) -> list[str]:
        """The GIN indexes exist when pg_trgm does (the server keeps them with every write)."""
        if self.trigram_schema(conn) is None:
            return []
        present = {name for (name,) in conn.execute(
            "SELECT indexname FROM pg_catalog.pg_indexes WHERE schemaname = ? AND tablename = 'search_doc'",
            (self.schema,))}
        return [f"the search index {name} is missing; `reqtrack reindex` makes it again"
                for name in ("search_doc_description_trgm", "search_doc_other_trgm") if name not in present]

    def rebuild_search_index(self, conn: Any) -> None:
        """Make the GIN indexes again (REINDEX, or CREATE when they are missing)."""
        if self.search_index_problems(conn):
            conn.execute("DROP INDEX IF EXISTS search_doc_description_trgm")
            conn.execute("DROP INDEX IF EXISTS search_doc_other_trgm")
            self.create_search_index(conn)
        else:
            conn.execute("REINDEX TABLE search_doc")

    def search_index_tables(self) -> tuple[str, ...]:
        return ()  # indexes only
