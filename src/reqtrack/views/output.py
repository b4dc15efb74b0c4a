"""Writing to the terminal and to scripts: JSON, Rich consoles, plain text for Rich, and aligned
plain-text tables."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TextIO

from .text import visible

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console
    from rich.text import Text


def colour_allowed(stream: Any = None) -> bool:
    """Whether escape codes (colour, bold) may be written: a terminal, NO_COLOR unset (any value,
    even empty, turns them off: no-color.org) and TERM not `dumb`."""
    import os

    stream = sys.stdout if stream is None else stream
    return bool(stream.isatty()) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def console_for_stdout(width_when_piped: int, **options: Any) -> Console:
    """A Rich console for stdout: the terminal's width, or `width_when_piped` into a pipe or file.

    A reader that closes the pipe early (`reqtrack report | head`) is not a failure: Rich would
    exit 1 there, which scripts read as "overdue found something"; this console raises
    BrokenPipeError instead, which the CLI ends with exit 0.
    """
    from rich.console import Console

    class _PipeAwareConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    if not colour_allowed():
        options.setdefault("color_system", None)  # no escape code at all, not even bold
    return _PipeAwareConsole(width=None if sys.stdout.isatty() else width_when_piped, **options)


def plain(value: object, multiline: bool = False) -> Text:
    """User text for a Rich table or console: a `rich.text.Text`, so that `[red]`, `[/]`,
    `[link=…]` or `:smile:` in it are shown as typed, never read as markup; its control
    characters made visible (`views.text.visible`; `multiline` keeps newlines and tabs)."""
    from rich.text import Text

    return Text(visible("" if value is None else value, multiline))


# -- JSON ----------------------------------------------------------------------------------------
# Characters JSON may carry raw (it escapes only C0 controls) that a terminal obeys or that
# disguise text: DEL, C1 controls, line/paragraph separators, bidi overrides, lone surrogates.
# They only ever occur inside JSON strings, where `\uXXXX` means exactly the same character.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_safe(text: str) -> str:
    """Encoded JSON with the characters of _JSON_UNSAFE as `\\uXXXX` escapes: the same JSON value
    for programs, nothing a terminal obeys for people who print it."""
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def dump_json(value: Any, out: TextIO | None = None) -> None:
    """JSON with Chinese kept readable: an object one key per line (`_pretty`); an array one
    element per line. Text is exact; the few characters a terminal would obey that JSON leaves
    raw are written as `\\uXXXX` escapes (`_json_safe`), which decode to the same text.

    An array can hold tens of thousands of rows (`list --format json`, `overdue --json`), and
    `indent` makes the json module fall back from its C encoder to pure Python (about ten times
    slower); one compact element per line keeps the C encoder and is still easy to read and grep.
    An object's text is written as it is made, a few hundred array elements at a time: one string
    of all of it (a report's is megabytes) would be copied again at every level it is nested in.
    """
    stream = out or sys.stdout
    encode = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder (no indent)
    if isinstance(value, list):
        dump_json_lines(map(encode, value), stream)
        return
    for piece in _pretty(value, "", encode):
        stream.write(_json_safe(piece))
    stream.write("\n")


def dump_json_lines(lines: Iterable[str], out: TextIO | None = None) -> None:
    """A JSON array of elements already written as compact JSON text (what
    `json.JSONEncoder(ensure_ascii=False).encode` writes), laid out as dump_json lays out a
    list: one element per line, the characters of _JSON_UNSAFE escaped. Written 500 elements at
    a time: one string of every row would double the peak memory."""
    stream = out or sys.stdout
    lines = iter(lines)
    opening = "[\n"
    while chunk := list(islice(lines, 500)):
        text = ",\n".join(chunk)
        # Every character of _JSON_UNSAFE is one Python calls unprintable (a control, a line or
        # paragraph separator, a format character, a surrogate): elements that are all printable
        # need no escape, and str.isprintable reads them in half the time of the regex's search.
        stream.write(opening + (text if all(map(str.isprintable, chunk)) else _json_safe(text)))
        opening = ",\n"
    stream.write("[]\n" if opening == "[\n" else "\n]\n")


def _pretty(value: Any, indent: str, encode: Callable[[Any], str]) -> Iterator[str]:
    """The pieces of `value`'s text, in order: an object with one key per line (indented by two),
    an array of objects or arrays with one compact element per line (500 at a time, as
    dump_json writes a list), anything else compact: readable, and written by the C encoder (a
    report's object holds thousands of overdue rows)."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        before = "{\n"
        for key, item in value.items():
            yield f"{before}{inner}{encode(str(key))}: "
            yield from _pretty(item, inner, encode)
            before = ",\n"
        yield "\n" + indent + "}"
    elif isinstance(value, list) and value and any(isinstance(item, (dict, list)) for item in value):
        joint = ",\n" + inner
        for start in range(0, len(value), 500):
            yield ("[\n" if start == 0 else ",\n") + inner + joint.join(encode(item) for item in value[start:start + 500])
        yield "\n" + indent + "]"
    else:
        yield encode(value)


# -- aligned plain text --------------------------------------------------------------------------
def cell_width(text: str) -> int:
    """Terminal columns `text` takes: Chinese (East Asian wide and fullwidth) characters take two."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_cell(text: str, width: int) -> str:
    """`text` cut to `width` columns (with … when cut) and padded with spaces to exactly `width`."""
    used = cell_width(text)
    if used > width:
        kept, used = [], 0
        for ch in text:
            w = cell_width(ch)
            if used + w > width - 1:
                break
            kept.append(ch)
            used += w
        text = "".join(kept) + "…"
        used += 1
    return text + " " * (width - used)


def plain_table(headers: list[str], rows: list[list[str]], caps: list[int | None],
                styles: Sequence[str | None] | None = None) -> list[str]:
    """Lines of an aligned plain-text table: a bold header, a rule, one line per row.

    `caps[i]` is the widest column i may get (None: its natural width); the last column gets
    what is left of the terminal (at least 10). Cells are cut with … and padded by screen
    columns (Chinese characters count as two); cells must be single lines, with their control
    characters made visible (`views.text.visible`; callers pass user text through it).
    `styles[i]` is an ANSI SGR code ("1;31": bold red) for row i, used on a terminal only. For
    thousands of rows this costs a small fraction of a Rich table, which measures every cell
    several times.
    """
    import shutil

    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((160, 24)).columns if tty else 160
    tty = colour_allowed()  # from here on: whether to style
    widths = []
    for index, header in enumerate(headers):
        natural = max([cell_width(header)] + [cell_width(row[index]) for row in rows])
        cap = caps[index]
        widths.append(min(natural, cap) if cap else natural)
    room = width - sum(widths[:-1]) - 2 * (len(widths) - 1)
    widths[-1] = max(10, min(widths[-1], room))
    header_line = "  ".join(fit_cell(h, w) for h, w in zip(headers, widths)).rstrip()
    lines = [f"\x1b[1m{header_line}\x1b[0m" if tty else header_line, "  ".join("─" * w for w in widths)]
    for index, row in enumerate(rows):
        line = "  ".join(fit_cell(cell, w) for cell, w in zip(row, widths)).rstrip()
        style = styles[index] if styles is not None and tty else None
        lines.append(f"\x1b[{style}m{line}\x1b[0m" if style else line)
    return lines


# -- wrapped plain text: the screens of one request (show) without Rich --------------------------
_TOKENS = re.compile(r"\S+|\s+")


def _split_at(text: str, width: int) -> tuple[str, str]:
    """The longest head of `text` that fits `width` columns (at least one character), and the rest."""
    used = 0
    for index, ch in enumerate(text):
        used += cell_width(ch)
        if used > width:
            return (text[:index], text[index:]) if index else (text[:1], text[1:])
    return text, ""


def wrap_text(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` screen columns: its own newlines kept, lines broken
    at spaces where a word fits, and inside a word (Chinese has no spaces) where it does not.
    Nothing is dropped but the spaces at a break."""
    width = max(1, width)
    lines: list[str] = []
    for line in text.split("\n"):
        current, used = "", 0
        for token in _TOKENS.findall(line):
            size = cell_width(token)
            if used + size <= width:
                current, used = current + token, used + size
                continue
            if token.isspace():
                lines.append(current.rstrip())
                current, used = "", 0
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = ""
            while cell_width(token) > width:
                head, token = _split_at(token, width)
                lines.append(head)
            current, used = token, cell_width(token)
        lines.append(current.rstrip())
    return lines


def screen_width(width_when_piped: int) -> int:
    """Columns to fill: the terminal's, or `width_when_piped` into a pipe or a file."""
    import shutil

    return shutil.get_terminal_size((width_when_piped, 24)).columns if sys.stdout.isatty() else width_when_piped


def _fitted_widths(natural: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths that fit `room` columns in all: the widest column narrowed first, none
    below its floor (the table is then wider than the room: the terminal wraps it)."""
    widths = list(natural)
    while sum(widths) > room:
        index = max(range(len(widths)), key=lambda i: (widths[i] - floors[i] > 0, widths[i]))
        if widths[index] <= floors[index]:
            break
        widths[index] -= 1
    return widths


def wrapped_table(title: str | None, headers: list[str], rows: list[list[str]], width: int) -> list[str]:
    """Lines of a plain-text table whose cells wrap (`wrap_text`) to fit `width` columns: a bold
    title and header on a terminal, a rule, then each row on as many lines as its tallest cell.
    Cells are text people read, their controls already made visible (`views.text.visible`,
    multi-line where newlines are kept)."""
    gap = 2
    natural = [max([cell_width(h)] + [cell_width(line) for row in rows for line in row[i].split("\n")])
               for i, h in enumerate(headers)]
    floors = [min(n, max(cell_width(h), 6)) for n, h in zip(natural, headers)]
    widths = _fitted_widths(natural, floors, width - gap * (len(headers) - 1))
    bold = colour_allowed()
    lines = []
    if title:
        lines.append(f"\x1b[1m{title}\x1b[0m" if bold else title)
    header = (" " * gap).join(fit_cell(h, w) for h, w in zip(headers, widths)).rstrip()
    lines += [f"\x1b[1m{header}\x1b[0m" if bold else header, (" " * gap).join("─" * w for w in widths)]
    for row in rows:
        cells = [wrap_text(cell, w) for cell, w in zip(row, widths)]
        for depth in range(max(len(c) for c in cells)):
            parts = [fit_cell(c[depth] if depth < len(c) else "", w) for c, w in zip(cells, widths)]
            lines.append((" " * gap).join(parts).rstrip())
    return lines


def field_block(pairs: list[tuple[str, str]], width: int) -> list[str]:
    """Lines of label–value pairs: the labels in one column (bold cyan on a terminal), each
    value wrapped to the rest of the width, its own newlines kept."""
    if not pairs:
        return []
    label_width = max(cell_width(name) for name, _ in pairs)
    room = max(20, width - label_width - 2)
    styled = colour_allowed()
    lines = []
    for name, value in pairs:
        head = fit_cell(name, label_width)
        head = f"\x1b[1;36m{head}\x1b[0m" if styled else head
        for depth, line in enumerate(wrap_text(value, room)):
            lines.append(f"{head if depth == 0 else ' ' * label_width}  {line}".rstrip())
    return lines
