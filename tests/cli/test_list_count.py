"""`list --count`: the number of requests the filters match, alone on a line, for scripts."""

from __future__ import annotations

import json


def test_count_is_the_number_of_rows_the_same_filters_list(cli) -> None:
    for n, customer in enumerate(["ACME", "ACME", "Globex", "ACME"]):
        assert cli("new", f"request {n}", "--customer", customer, "--at", f"2025-03-0{n + 1} 09:00").exit_code == 0
    assert cli("cancel", "202503-002", "--reason", "duplicate").exit_code == 0
    for filters in ([], ["--open"], ["--customer", "ACME"], ["--customer", "ACME", "--open"], ["--customer", "nobody"],
                    ["--since", "2025-03-03"]):
        counted = cli("list", *filters, "--count")
        assert counted.exit_code == 0, counted.stderr
        listed = json.loads(cli("list", *filters, "--format", "json").stdout)
        assert counted.stdout == f"{len(listed)}\n", filters
    assert cli("list", "--open", "--count").stdout == "3\n"
    assert cli("list", "--customer", "nobody", "--count").stdout == "0\n"
