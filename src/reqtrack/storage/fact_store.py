"""The statements of the report facts (derived data, tables report_fact, report_completion,
report_event, request_state: migrations m005, m009), once for both engines, mixed into the
repository (storage/repository.py `Repository`). What they hold: stored.report_fact_rows and
the migrations' docstrings; who keeps them: services/upkeep.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .engine import Engine
from .stored import (
    REPORT_FACT_TABLES,
    REPORT_FACTS_BASIS,
    VERDICT_COLUMNS,
    VERDICTS_BASIS,
    completion_fact_from_row,
    report_fact_rows,
    verdict_values,
)

if TYPE_CHECKING:
    from pathlib import Path


class FactStore:
    """The report facts' statements (a mixin of Repository: its connection, engine, `_value`
    and `_delete_for_ids`)."""

    conn: Any
    engine: Engine

    def _value(self, sql: str, params: Any = ()) -> Any:
        raise NotImplementedError  # Repository's

    def _delete_for_ids(self, table: str, request_ids: list[str]) -> None:
        raise NotImplementedError  # Repository's

    def report_facts_basis(self) -> str | None:
        """The version of the stored report facts (None: not computed)."""
        return self._value("SELECT basis FROM derived WHERE name = ?", (REPORT_FACTS_BASIS,))

    def put_report_facts(self, facts: dict[str, Any], judge: Callable[[Any], Any] | None = None) -> None:
        """Replace the report facts of these requests: request ID → (the request,
        domain.metrics.RequestFacts); with `judge`, their completions' verdicts too (see
        stored.report_fact_rows)."""
        ids = list(facts)
        for table, _ in REPORT_FACT_TABLES:
            self._delete_for_ids(table, ids)
        rows: list[list[tuple]] = [[] for _ in REPORT_FACT_TABLES]
        for request, value in facts.values():
            fact, *others = report_fact_rows(request, value, judge)
            rows[0].append(fact)
            for collected, more in zip(rows[1:], others):
                collected.extend(more)
        for (table, columns), table_rows in zip(REPORT_FACT_TABLES, rows):
            if table == "report_completion" and judge is not None:
                columns = (*columns, *VERDICT_COLUMNS)
            self.engine.insert_rows(self.conn, table, columns, table_rows)

    def fact_scratch_layout(self) -> list[str]:
        """How a scratch file of report facts is best laid out for `copy_report_facts` here
        (Engine.scratch_layout; empty: its plain tables)."""
        from .fact_scratch import SCRATCH_TABLES

        return self.engine.scratch_layout(self.conn, [table for table, _ in SCRATCH_TABLES])

    def copy_report_facts(self, scratch: Path) -> None:
        """Append the report facts a scratch file holds (storage.fact_scratch: those of new
        requests, which have none yet; completions judged under the current settings)."""
        from .fact_scratch import SCRATCH_TABLES

        self.engine.append_from(self.conn, scratch, SCRATCH_TABLES)

    def verdicts_basis(self) -> str | None:
        """What the stored verdicts of the completions were computed with (None: not computed)."""
        return self._value("SELECT basis FROM derived WHERE name = ?", (VERDICTS_BASIS,))

    def set_verdicts_basis(self, basis: str | None) -> None:
        """Record that every completion's verdicts are stored, computed with `basis` (None: they
        are not to be read)."""
        self.conn.execute("DELETE FROM derived WHERE name = ?", (VERDICTS_BASIS,))
        if basis is not None:
            self.conn.execute(self.engine.insert("derived", ("name", "basis")), (VERDICTS_BASIS, basis))

    def rejudge(self, judge: Callable[[Any], Any], basis: str) -> None:
        """Compute every stored completion's verdicts again with `judge` (the rows rewritten at
        once: one stream on either engine), as `basis`."""
        columns = REPORT_FACT_TABLES[1][1]
        assert REPORT_FACT_TABLES[1][0] == "report_completion"
        fact_at = [columns.index(name) for name in ("at", "seq", "start", "completed", "priority", "due", "pauses",
                                                     "as_of")]
        rows = [(*row, *verdict_values(judge(completion_fact_from_row(*(row[i] for i in fact_at)))))
                for row in self.conn.execute(f"SELECT {', '.join(columns)} FROM report_completion").fetchall()]
        self.conn.execute("DELETE FROM report_completion")
        self.engine.insert_rows(self.conn, "report_completion", (*columns, *VERDICT_COLUMNS), rows)
        self.set_verdicts_basis(basis)

    def clear_report_facts(self) -> None:
        """Drop every stored report fact and their version (reports read the histories until
        they are computed again)."""
        for table, _ in REPORT_FACT_TABLES:
            self.conn.execute(f"DELETE FROM {table}")
        self.conn.execute("DELETE FROM derived WHERE name = ?", (REPORT_FACTS_BASIS,))

    def set_report_facts_basis(self, basis: str) -> None:
        """Record that the stored report facts are complete, as version `basis`."""
        self.conn.execute(self.engine.upsert("derived", ("name", "basis"), ("name",)), (REPORT_FACTS_BASIS, basis))
