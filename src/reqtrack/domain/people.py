"""The people who appear as owners and liaisons (`reqtrack people`, SPEC §8), with the address
`remind --send` writes their digest to. Pure: what a person is and what is accepted as one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .addresses import parse_mailbox
from .errors import InvalidInput, Message

NAME_MAX = 100  # characters of a name or a department


@dataclass(frozen=True)
class Person:
    """A member of the team: the name as it is written in owner and liaison fields, an e-mail
    address (`name@example.com` or `Name <name@example.com>`; None: none known) and a department."""

    name: str
    email: str | None = None
    department: str | None = None


def _one_line(value: str, what: str | Message) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("{what} may not be empty", what=what)
    if len(text) > NAME_MAX or any(not ch.isprintable() for ch in text):
        raise InvalidInput("{what} must be at most {most} printable characters on one line, not {text!r}", what=what,
                           most=NAME_MAX, text=text[:60])
    return text


def person(name: str, email: str | None = None, department: str | None = None) -> Person:
    """A Person from what was typed; InvalidInput (one sentence) for an empty or multi-line
    name or department, or an e-mail that is not one address. Empty email/department: none."""
    checked_email = None
    if email is not None and email.strip():
        checked_email = email.strip()
        if parse_mailbox(checked_email) is None:
            raise InvalidInput("--email {email!r} is not an e-mail address (name@example.com, or Name <name@example.com>)",
                               email=checked_email)
    dept = _one_line(department, "--dept") if department is not None and department.strip() else None
    return Person(_one_line(name, Message("the name")), checked_email, dept)
