"""E-mail addresses as reqtrack takes them: a request's contact, a person's address, `smtp.from`.

A bare address (`wang@acme.com`) or a mailbox with a display name (`王经理 <wang@acme.com>`). The
address itself is the usual `local@domain` in ASCII (RFC 5322's dot-atom; no quoted local parts,
no IP literals, no internationalised local part): what every SMTP server takes without SMTPUTF8.
A display name may be any single-line text, Chinese included (mail.py encodes it). Pure.
"""

from __future__ import annotations

import re

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")
_MAILBOX = re.compile(r"(.*?)\s*<([^<>]*)>")


def is_email_address(text: str | None) -> bool:
    """Whether `text` is exactly one e-mail address (`local@domain.tld`, nothing around it)."""
    if not text or len(text) > 254 or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return False
    return _TLD.fullmatch(labels[-1]) is not None


def parse_mailbox(text: str | None) -> tuple[str, str] | None:
    """(display name, address) of `addr` or `Name <addr>` (the name "" when none); None when the
    text is not one mailbox (no address, two of them, a line break, a name with `<`, `>` or `"`
    left unbalanced)."""
    if text is None:
        return None
    text = text.strip()
    if not text or any(ch in text for ch in "\r\n\x00"):
        return None
    if is_email_address(text):
        return "", text
    match = _MAILBOX.fullmatch(text)
    if match is None:
        return None
    name, address = match.group(1).strip(), match.group(2).strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    if any(ch in name for ch in '"<>') or not all(ch.isprintable() for ch in name):
        return None
    return (name, address) if is_email_address(address) else None
