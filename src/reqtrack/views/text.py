"""User text as people see it on a terminal: every character shown, none obeyed.

Descriptions, names, IDs, notes, sheet headers and the error messages that quote them come from
users and from other people's files. Printed raw, a control character is an instruction to the
terminal (`ESC [2J` clears the screen, `ESC ] 0;…BEL` sets the window title, OSC 52 writes the
clipboard), a carriage return overwrites what was printed, and a bidi override reorders the
text that follows it so that it reads as something else. `visible` makes each of them a visible
mark instead, so that people see every character and the terminal obeys none:

- C0 controls and DEL become their Unicode control pictures: ESC → ␛, BEL → ␇, CR → ␍, NUL → ␀
  (U+2400–U+241F, U+2421). Newline and tab stay themselves where the display is multi-line
  (`multiline=True`: a description or a note in `show`); in one-line cells they become ␊ and ␉.
- C1 controls (U+0080–U+009F, e.g. the one-byte CSI U+009B), the bidi embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069), and the line and paragraph separators (U+2028,
  U+2029) become `<U+XXXX>`.
- A byte that was not valid UTF-8 (Python's surrogate escape, U+DC80–U+DCFF) becomes `<0xFF>`;
  any other lone surrogate `<U+D800>`. Such text cannot be written to a UTF-8 stream at all.

Markup is a separate matter: Rich reads `[red]`, `[/]` and `[link=…]` in plain strings, so user
text reaches Rich only as `rich.text.Text` (`views.output.plain`); this module is standard library only
and cheap on the start-up path. JSON and CSV are for programs and keep text exact.
"""

from __future__ import annotations

import re

_MULTILINE_KEEP = "\n\t"
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _mark(ch: str, multiline: bool) -> str:
    code = ord(ch)
    if multiline and ch in _MULTILINE_KEEP:
        return ch
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0xDC80 <= code <= 0xDCFF:
        return f"<0x{code - 0xDC00:02X}>"
    return f"<U+{code:04X}>"


def visible(text: object, multiline: bool = False) -> str:
    """`text` with every character a terminal would obey replaced by a visible mark (see the
    module's docstring); plain text comes back unchanged. `multiline` keeps newlines and tabs."""
    value = text if isinstance(text, str) else str(text)
    if value.isprintable() or _UNSAFE.search(value) is None:  # isprintable: every unsafe character is not
        return value
    return _UNSAFE.sub(lambda m: _mark(m.group(0), multiline), value)


def one_line(text: object, limit: int = 200) -> str:
    """`text` for a one-line table cell: its first `limit` characters (a cell is cut with … far
    sooner, so a 20,000-character description costs no more than a short one), made `visible`
    with newlines and tabs as ␊ and ␉."""
    value = "" if text is None else text if isinstance(text, str) else str(text)
    return visible(value[:limit])


def has_undecodable(text: str) -> bool:
    """True when `text` holds lone surrogates: bytes that were not valid UTF-8 (or whatever the
    locale's encoding is), which Python keeps as U+DC80–U+DCFF and no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
