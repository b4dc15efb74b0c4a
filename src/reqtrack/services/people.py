"""The people who appear as owners and liaisons, with their addresses (`reqtrack people`, SPEC §8):
`remind --send` writes each one their digest."""

from __future__ import annotations

from ..domain.errors import NotFound
from ..domain.people import Person, person
from .context import Context


def add_person(ctx: Context, name: str, *, email: str | None = None, department: str | None = None) -> tuple[Person, bool]:
    """Add a person, or update one listed under the same name (what is not given is kept);
    (the person as stored, whether they are new)."""
    given = person(name, email, department)
    with ctx.unit_of_work(write=True) as uow:
        known = uow.requests.person(given.name)
        if known is not None:
            given = Person(given.name, given.email or known.email, given.department or known.department)
        uow.requests.put_person(given)
        uow.commit()
    return given, known is None


def list_people(ctx: Context) -> list[Person]:
    """Everyone listed, by name (nobody while there is no database)."""
    if not ctx.database_exists():
        return []
    with ctx.reader() as uow:
        return uow.requests.people()


def remove_person(ctx: Context, name: str) -> None:
    """Take a person off the list (their name stays on the requests); NotFound when not listed."""
    missing = NotFound("{name!r} is not in the list of people; `reqtrack people list` shows it", name=name.strip())
    if not ctx.database_exists():
        raise missing
    with ctx.unit_of_work(write=True) as uow:
        if not uow.requests.delete_person(name.strip()):
            raise missing
        uow.commit()
