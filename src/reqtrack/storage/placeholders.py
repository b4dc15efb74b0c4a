"""Placeholders: the statements are written with `?` and `:name` (sqlite3's); each PostgreSQL
driver wants its own — psycopg `%s` / `%(name)s`, libpq `$1`, `$2`… This is the one translation."""

from __future__ import annotations

import re
from functools import lru_cache

# A quoted string or name (left alone), a cast `::` (not a name), a `:name`, a `?`, a literal `%`.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|:[A-Za-z_]\w*|\?|%")


@lru_cache(maxsize=512)
def pg_statement(sql: str) -> str:
    """A statement with `?` / `:name` placeholders in psycopg's `%s` / `%(name)s` style
    (literal `%` doubled; quoted strings and names left alone)."""
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token[0] in "'\"" or token == "::":
            return token
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({token[1:]})s"

    return _TOKEN.sub(replace, sql)


@lru_cache(maxsize=512)
def dollar_statement(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """A statement with `?` / `:name` placeholders in libpq's `$n` style, and the names in the
    order of their numbers (None for `?`: the parameters are taken in their order). A name used
    twice is one parameter."""
    names: list[str] = []
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group(0)
        if token[0] in "'\"" or token in ("::", "%"):
            return token
        if token == "?":
            count += 1
            return f"${count}"
        if token[1:] not in names:
            names.append(token[1:])
        return f"${names.index(token[1:]) + 1}"

    text = _TOKEN.sub(replace, sql)
    if names and count:
        raise ValueError("a statement mixes ? and :name placeholders")
    return text, tuple(names) if names else None
