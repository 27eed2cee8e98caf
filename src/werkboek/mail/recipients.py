"""The recipients of a mailing: the participant list, with a valid address for everyone.

The list is read by :mod:`werkboek.participants` (the one reader); here every row must also
have a valid address, and no address may stand twice. A name or address with a line
break or a control character is refused (nobody can add headers through the list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from ..participants.lists import (
    Person,
    has_line_break,
    name_problem,
    parse_people,
    read_people,
)
from .headers import header_value_problem

REQUIRED = ("naam", "email")

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])$"
)


@dataclass(frozen=True)
class Recipient(Person):
    """A participant with a valid address."""

    email: str

    @property
    def key(self) -> str:
        """What the send log knows this person by: the address in lower case."""
        return self.email.lower()

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot be a recipient's address, or ``None`` when it can."""
    if not address:
        return "het e-mailadres is leeg"
    if has_line_break(address):
        return "het e-mailadres bevat een regeleinde"
    local = address.rpartition("@")[0]
    if len(address) > 254 or len(local) > 64 or not _ADDRESS.match(address):
        example = "alleen het adres, zoals naam@voorbeeld.nl"
        return f"ongeldig e-mailadres {address!r} (verwacht: {example})"
    return None


def _field_problem(value: str) -> str | None:
    """Other columns can go into the subject: no control characters there either (line
    breaks in a long text column are fine; the subject itself is checked after filling in)."""
    if any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in value):
        return "bevat een stuurteken"
    return None


def read_recipients(path: Path) -> list[Recipient]:
    """Read and check the participant list; raise :class:`ListError` with every problem."""
    return _recipients(read_people(path, REQUIRED, _checks()))


def parse_recipients(text: str, file: str) -> list[Recipient]:
    """:func:`read_recipients` for a list's text (one kept by the web app, say)."""
    return _recipients(parse_people(text, file, REQUIRED, _checks()))


def _recipients(people: list[Person]) -> list[Recipient]:
    return [Recipient(p.file, p.line, p.name, p.fields, p.fields["email"]) for p in people]


def _checks() -> Callable[[Person], list[Problem]]:
    """A row's checks as a recipient; an address only once in a list (its first line)."""
    first_line: dict[str, int] = {}

    def check(person: Person) -> list[Problem]:
        problems = [
            person.problem(column, f"de waarde {problem}")
            for column, value in person.fields.items()
            if column not in ("naam", "email") and (problem := _field_problem(value))
        ]
        if not name_problem(person.name) and (problem := header_value_problem(person.name)):
            problems.append(person.problem("naam", f"de naam {problem}"))
        email = person.fields.get("email", "")
        problem = address_problem(email)
        if problem:
            return [*problems, person.problem("email", problem)]
        key = email.lower()
        if key in first_line:
            message = f"e-mailadres {email!r} staat ook op regel {first_line[key]}"
            return [*problems, person.problem("email", message)]
        first_line[key] = person.line
        return problems

    return check


__all__ = ["Recipient", "address_problem", "name_problem", "parse_recipients", "read_recipients"]
