"""The participant list: a CSV with the columns ``naam`` and ``email``.

Spreadsheets write CSV in several ways, so the list is read leniently where that is
safe and strictly where a mistake would reach a real person:

* UTF-8 with or without byte-order mark; the delimiter (``,``, ``;`` or tab) is the one
  that makes the header line name both ``naam`` and ``email``.
* Column names are compared and used in lower case (``Naam`` is ``{{ naam }}``); columns
  without a name and rows without any value are ignored.
* Every row is checked before anything else happens, and every problem is reported at
  once as ``FILE:LINE: message``: an empty name, an invalid or duplicate address, a line
  break or control character in a name or address (header injection), a missing column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import MailError, suggestion

REQUIRED = ("naam", "email")
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab"}

# Everything str.splitlines() breaks on: a header must never contain any of them.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])$"
)


@dataclass(frozen=True)
class Recipient:
    """One participant: where it is in the list, and every column of its row."""

    file: str
    line: int
    name: str
    email: str
    fields: Mapping[str, str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def key(self) -> str:
        """What the send log knows this person by: the address in lower case."""
        return self.email.lower()

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def has_line_break(text: str) -> bool:
    return any(character in LINE_BREAKS for character in text)


def has_control_character(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 or 0x80 <= ord(c) < 0xA0 for c in text)


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot be a recipient's address, or ``None`` when it can."""
    if not address:
        return "e-mailadres is leeg"
    if has_line_break(address):
        return "e-mailadres bevat een regeleinde"
    local = address.rpartition("@")[0]
    if len(address) > 254 or len(local) > 64 or not _ADDRESS.match(address):
        example = "alleen het adres, zoals naam@voorbeeld.nl"
        return f"ongeldig e-mailadres {address!r} (verwacht: {example})"
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "naam is leeg"
    if has_line_break(name):
        return "naam bevat een regeleinde"
    if has_control_character(name):
        return "naam bevat een stuurteken"
    return None


def decode(path: Path) -> str:
    """The file's text: UTF-8, a byte-order mark dropped."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MailError(
            f"{path}:{line}: dit is geen UTF-8-tekst; bewaar het bestand als 'CSV UTF-8'"
        ) from None


def _header(first_line: str, delimiter: str) -> list[str]:
    return [name.strip().lower() for name in next(csv.reader([first_line], delimiter=delimiter))]


def sniff_delimiter(first_line: str) -> str:
    """The delimiter under which the header names both required columns.

    Without such a delimiter, the one that splits the header into the most columns
    (so the error about the missing column lists the columns the trainer sees).
    """
    headers = {d: _header(first_line, d) for d in DELIMITERS}
    for delimiter, names in headers.items():
        if all(column in names for column in REQUIRED):
            return delimiter
    return max(DELIMITERS, key=lambda d: len(headers[d]))


def _rows(path: Path, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted field may span lines)."""
    # newline="": split lines where CSV does (a quoted field keeps its line breaks)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise MailError(f"{path}:{reader.line_num}: geen geldige CSV ({exc})") from None
    return rows


def read_recipients(path: Path) -> list[Recipient]:
    """Read and check the participant list; raise :class:`MailError` with every problem."""
    text = decode(path)
    if not text.strip():
        raise MailError(f"{path}:1: de deelnemerslijst is leeg")
    delimiter = sniff_delimiter(io.StringIO(text, newline="").readline())
    rows = _rows(path, text, delimiter)
    (_, header), body = rows[0], rows[1:]
    columns = [name.strip().lower() for name in header]
    _check_header(path, columns)

    problems: list[str] = []
    recipients: list[Recipient] = []
    first_line: dict[str, int] = {}
    for line, row in body:
        if not any(value.strip() for value in row):
            continue
        recipient, row_problems = _recipient(path, line, columns, row, delimiter, first_line)
        problems += [f"{path}:{line}: {problem}" for problem in row_problems]
        if recipient is not None:
            recipients.append(recipient)
    if problems:
        raise MailError(problems)
    if not recipients:
        raise MailError(f"{path}:2: de deelnemerslijst heeft geen deelnemers, alleen een kopregel")
    return recipients


def _check_header(path: Path, columns: list[str]) -> None:
    problems = []
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            problems.append(f"kolom {column!r} staat twee keer in de kopregel")
        seen.add(column)
    for column in REQUIRED:
        if column not in columns:
            named = [c for c in columns if c]
            problems.append(
                f"kolom {column!r} ontbreekt{suggestion(column, named)} "
                f"(kolommen: {', '.join(named) or 'geen'})"
            )
    if problems:
        raise MailError([f"{path}:1: {problem}" for problem in problems])


def _recipient(
    path: Path,
    line: int,
    columns: list[str],
    row: list[str],
    delimiter: str,
    first_line: dict[str, int],
) -> tuple[Recipient | None, list[str]]:
    extra = row[len(columns) :]
    if any(value.strip() for value in extra):
        return None, [
            f"deze regel heeft {len(row)} velden, de kopregel {len(columns)}; staat er een "
            f"{DELIMITER_NAMES[delimiter]} in een waarde? Zet die dan tussen aanhalingstekens"
        ]
    values = row + [""] * (len(columns) - len(row))
    fields = {c: v for c, v in zip(columns, values, strict=False) if c}
    name, email = fields["naam"].strip(), fields["email"].strip()
    problems = [p for p in (name_problem(name), address_problem(email)) if p]
    key = email.lower()
    if not address_problem(email):
        if key in first_line:
            problems.append(f"e-mailadres {email!r} staat ook op regel {first_line[key]}")
        else:
            first_line[key] = line
    if problems:
        return None, problems
    fields.update(naam=name, email=email)
    return Recipient(file=str(path), line=line, name=name, email=email, fields=fields), []
