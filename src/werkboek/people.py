"""The participant list: a CSV with a column ``naam`` (and for mail ``email``).

One reader for every use (personal workbooks, mail, certificates, the web app's
upload). Spreadsheets write CSV in several ways, so the list is read leniently where
that is safe and strictly where a mistake would reach a real person:

* UTF-8 with or without byte-order mark; the delimiter (``,``, ``;`` or tab) is the one
  under which the header line names every required column;
* column names are compared and used in lower case (``Naam`` is ``{{ naam }}``);
  columns without a name and rows without any value are ignored;
* every row is checked before anything else happens, and every problem is reported at
  once at its line: an empty name, a line break or control character in a name (a
  name ends up on a cover and in mail headers), a row with more fields than the header,
  a missing or repeated column.

Names given one by one (``--voor``, a web form) get the same checks.
"""

from __future__ import annotations

import csv
import io
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .content.fonts import unprintable_problem
from .errors import ListError, Problem, did_you_mean, display_path
from .words import format_size

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab"}
NAME = "naam"
PLACEHOLDER = "Naam"
"""The name on the one copy (of a workbook, of a certificate) that every participant's own
name is grafted into; it never reaches a participant."""
MAX_BYTES = 5_000_000
"""The largest participant list werkboek reads."""
MAX_PEOPLE = 10_000
"""The most participants in one list."""

# Everything str.splitlines() breaks on: a name must never contain any of them.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


RowCheck = Callable[["Person"], Iterable[Problem]]
"""More checks on every row, run in the same pass (the mail's addresses, say)."""


@dataclass(frozen=True)
class Person:
    """One participant: where it is in the list, and every column of its row."""

    file: str
    line: int
    name: str
    fields: Mapping[str, str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.file, self.line, 1, column, message)


def has_line_break(text: str) -> bool:
    return any(character in LINE_BREAKS for character in text)


def has_control_character(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 or 0x80 <= ord(c) < 0xA0 for c in text)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a participant's name, or ``None`` when it can."""
    return _form_problem(name) or unprintable_problem(name)


def _form_problem(name: str) -> str | None:
    """Why ``name`` is no name at all (empty, more than one line), or ``None``."""
    if not name:
        return "de naam is leeg"
    if has_line_break(name):
        return "de naam bevat een regeleinde"
    if has_control_character(name):
        return "de naam bevat een stuurteken"
    return None


def left_out(person: Person, problem: str) -> Problem:
    """The problem of a person werkboek makes nothing for (the others are made)."""
    if not person.line:  # (a name given alone: said as people_from_names says it)
        message = f"{problem}: {person.name!r}; voor deze naam is niets gemaakt"
        return Problem("", 0, 0, person.file, message)
    return person.problem(NAME, f"{problem}; voor deze deelnemer is niets gemaakt")


def split_printable(people: Sequence[Person]) -> tuple[list[Person], list[Problem]]:
    """The people whose names werkboek can print, and a problem for each other one, at
    its line: so one name that cannot be printed does not stop the group."""
    printable: list[Person] = []
    problems: list[Problem] = []
    for person in people:
        if problem := unprintable_problem(person.name):
            problems.append(left_out(person, problem))
        else:
            printable.append(person)
    return printable, problems


def decode(data: bytes, file: str) -> str:
    """The text of a list: UTF-8, a byte-order mark dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ListError(
            Problem(
                file, line, 1, "", "dit is geen UTF-8-tekst; bewaar het bestand als 'CSV UTF-8'"
            )
        ) from None


def _header(first_line: str, delimiter: str) -> list[str]:
    return [name.strip().lower() for name in next(csv.reader([first_line], delimiter=delimiter))]


def sniff_delimiter(first_line: str, required: Sequence[str]) -> str:
    """The delimiter under which the header names every required column.

    Without such a delimiter, the one that splits the header into the most columns (so
    the problem about the missing column lists the columns the trainer sees).
    """
    headers = {d: _header(first_line, d) for d in DELIMITERS}
    for delimiter, names in headers.items():
        if all(column in names for column in required):
            return delimiter
    return max(DELIMITERS, key=lambda d: len(headers[d]))


def _rows(file: str, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ListError(
            Problem(file, reader.line_num, 1, "", f"geen geldige CSV ({exc})")
        ) from None
    return rows


def read_people(
    path: Path,
    required: Sequence[str] = (NAME,),
    check: RowCheck | None = None,
    *,
    printable: bool = True,
) -> list[Person]:
    """Read and check a participant list; raise :class:`ListError` with every problem
    (``printable``: see :func:`parse_people`)."""
    file = display_path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ListError(Problem(file, 1, 1, "", "de deelnemerslijst is geen gewoon bestand"))
        if info.st_size > MAX_BYTES:
            message = (
                f"de deelnemerslijst is te groot ({format_size(info.st_size)}; "
                f"hoogstens {format_size(MAX_BYTES)})"
            )
            raise ListError(Problem(file, 1, 1, "", message))
        data = path.read_bytes()
    except FileNotFoundError:
        raise ListError(Problem(file, 1, 1, "", "deelnemerslijst niet gevonden")) from None
    except OSError as exc:
        message = f"de deelnemerslijst is niet te lezen: {exc.strerror or exc}"
        raise ListError(Problem(file, 1, 1, "", message)) from None
    return parse_people(decode(data, file), file, required, check, printable=printable)


def list_columns(text: str, required: Sequence[str] = (NAME,)) -> list[str]:
    """The column names of a list's header line (to check a message against, even when a
    row below it is wrong)."""
    first = io.StringIO(text, newline="").readline()
    delimiter = sniff_delimiter(first, required)
    header = next(csv.reader([first], delimiter=delimiter), [])
    return [name.strip().lower() for name in header if name.strip()]


def parse_people(
    text: str,
    file: str,
    required: Sequence[str] = (NAME,),
    check: RowCheck | None = None,
    *,
    printable: bool = True,
) -> list[Person]:
    """The people in a list's text (a file's, or what was pasted in a form); with
    ``printable=False`` a name no font has is no problem here (see :func:`split_printable`)."""
    if not text.strip():
        raise ListError(Problem(file, 1, 1, "", "de deelnemerslijst is leeg"))
    delimiter = sniff_delimiter(io.StringIO(text, newline="").readline(), required)
    rows = _rows(file, text, delimiter)
    (_, header), body = rows[0], rows[1:]
    if len(body) > MAX_PEOPLE:
        message = f"de deelnemerslijst heeft {len(body)} regels; hoogstens {MAX_PEOPLE}"
        raise ListError(Problem(file, MAX_PEOPLE + 2, 1, "", message))
    columns = [name.strip().lower() for name in header]
    _check_header(file, columns, required)

    problems: list[Problem] = []
    people: list[Person] = []
    for line, row in body:
        if not any(value.strip() for value in row):
            continue
        if any(value.strip() for value in row[len(columns) :]):
            problems.append(
                Problem(
                    file,
                    line,
                    1,
                    "",
                    f"deze regel heeft {len(row)} velden, de kopregel {len(columns)}; staat er "
                    f"een {DELIMITER_NAMES[delimiter]} in een waarde? Zet die dan tussen "
                    "aanhalingstekens",
                )
            )
            continue
        values = row + [""] * (len(columns) - len(row))
        fields = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
        person = Person(file, line, fields[NAME], fields)
        problem = name_problem(person.name) if printable else _form_problem(person.name)
        if problem:
            problems.append(person.problem(NAME, problem))
        if check is not None:
            problems.extend(check(person))
        people.append(person)
    if problems:
        raise ListError(*problems)
    if not people:
        message = "de deelnemerslijst heeft geen deelnemers, alleen een kopregel"
        raise ListError(Problem(file, 2, 1, "", message))
    return people


def _check_header(file: str, columns: list[str], required: Sequence[str]) -> None:
    problems = []
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            problems.append(f"kolom {column!r} staat twee keer in de kopregel")
        seen.add(column)
    for column in required:
        if column not in columns:
            named = [c for c in columns if c]
            problems.append(
                f"kolom {column!r} ontbreekt{did_you_mean(column, named)} "
                f"(kolommen: {', '.join(named) or 'geen'})"
            )
    if problems:
        raise ListError(*(Problem(file, 1, 1, "", p) for p in problems))


def people_from_names(
    names: Iterable[str], source: str = "--voor", *, printable: bool = True
) -> list[Person]:
    """People given by name only (``--voor NAAM``, a form), checked like a list's rows
    (``printable``: see :func:`parse_people`)."""
    people = [Person(source, 0, name.strip(), {NAME: name.strip()}) for name in names]
    check = name_problem if printable else _form_problem
    problems = [
        Problem("", 0, 0, source, f"{problem}: {person.name!r}")
        for person in people
        if (problem := check(person.name))
    ]
    if problems:
        raise ListError(*problems)
    return people
