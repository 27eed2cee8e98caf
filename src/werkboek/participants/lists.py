"""The participant list: a table with a column ``naam`` (and for mail ``email``).

One reader for every way a list comes in (a file for the command line, an upload or
pasted names in the web app, ``--voor``), with the same checks and the same limits.
It takes what Excel and LibreOffice write, leniently where that is safe and strictly
where a mistake would reach a real person:

* CSV in UTF-8 (with or without byte-order mark), Windows-1252 (Excel's "CSV" on
  Windows) or UTF-16 with byte-order mark (Excel's "Unicode-tekst"); the delimiter
  (``,``, ``;`` or tab) is the one under which the header line names every required
  column. An ``.xlsx`` workbook is read too (its first sheet, see :mod:`.spreadsheets`);
  an ``.xls`` or ``.ods`` is refused with the way out ("sla op als .xlsx of CSV");
* column names are compared case- and accent-insensitively, and the usual Dutch and
  English names mean the same column (``E-mailadres``, ``Email`` and ``mail`` are
  ``{{ email }}``); a list without ``naam`` may have ``voornaam`` and ``achternaam``
  (and ``tussenvoegsel``), joined into the name. Other columns are used in lower case;
  columns without a name and rows without any value are ignored;
* every row is checked before anything else happens, and every problem is reported at
  once at its line: an empty or too long name, a line break, control character or
  invisible character in a name (a name ends up on a cover, in a file name and in mail
  headers, and "Anna" and "An\u200bna" must not be two people), a row with more fields
  than the header, a missing or repeated column, a value longer than :data:`MAX_FIELD`;
* one limit for every way in: at most :data:`MAX_PEOPLE` participants, :data:`MAX_BYTES`
  of list, :data:`MAX_COLUMNS` columns.

Names are kept as typed, except that they are put in Unicode normal form C and every kind
of space becomes one plain space (a name copied from a web page keeps its look).
"""

from __future__ import annotations

import codecs
import csv
import io
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..content.fonts import unprintable_problem
from ..errors import ListError, Problem, did_you_mean, display_path
from ..words import format_size
from .spreadsheets import SAVE_AS, sheet_rows

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab"}
NAME = "naam"
PLACEHOLDER = "Naam"
"""The name on the one copy (of a workbook, of a certificate) that every participant's own
name is grafted into; it never reaches a participant."""
MAX_BYTES = 5_000_000
"""The largest participant list werkboek reads (a file, an upload, pasted text)."""
MAX_PEOPLE = 10_000
"""The most participants in one list, however it comes in."""
MAX_NAME_LENGTH = 120
"""The longest name (in characters) werkboek takes: generous for any real name (the longest
Dutch ones, with tussenvoegsels and a double surname, stay under 80), and short enough that
every layout holds it, even written in its widest letter (a certificate keeps the training's
facts above the signature; see the test)."""
MAX_FIELD = 2_000
"""The longest value (in characters) of any column."""
MAX_COLUMNS = 100
"""The most columns a list may have."""

# Everything str.splitlines() breaks on: a name must never contain any of them.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) that are not format
# characters (Cf, refused as a category): fillers, variation selectors and the like, all
# of them invisible.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

# The usual column names of Dutch and English spreadsheets, compared by :func:`_key`.
_ALIASES = {
    "naam": ("naam", "name", "volledige naam", "full name"),
    "voornaam": ("voornaam", "first name", "firstname", "given name"),
    "tussenvoegsel": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel"),
    "achternaam": ("achternaam", "last name", "lastname", "surname", "family name"),
    "email": (
        "email",
        "e-mail",
        "e-mailadres",
        "emailadres",
        "mail",
        "mailadres",
        "email address",
        "e-mail address",
    ),
    "organisatie": ("organisatie", "organization", "organisation"),
}
NAME_PARTS = ("voornaam", "tussenvoegsel", "achternaam")
"""Without a column ``naam``: the columns the name is made of (``tussenvoegsel`` optional)."""


def _key(header: str) -> str:
    """A column name without case, accents, spaces and punctuation (``E-mail`` → ``email``)."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(c for c in decomposed if c.isalnum())


_CANONICAL = {_key(alias): column for column, aliases in _ALIASES.items() for alias in aliases}


def column_name(header: str) -> str:
    """The name a column is known by: a usual name's Dutch form, else the header in lower
    case (``Naam`` is ``{{ naam }}``)."""
    text = unicodedata.normalize("NFC", header).strip()
    return _CANONICAL.get(_key(text), text.lower()) if text else ""


RowCheck = Callable[["Person"], Iterable[Problem]]
"""More checks on every row, run in the same pass (the mail's addresses, say)."""

Record = tuple[int, list[str]]
"""One row of a list and the line (or spreadsheet row) it starts on."""


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


def invisible_characters(text: str) -> list[str]:
    """The characters of ``text`` that show nothing: format characters (zero-width space,
    bidirectional controls, soft hyphen, byte-order mark …) and the other default-ignorable
    ones. Two names that differ only in these look the same."""
    return [
        c
        for c in text
        if unicodedata.category(c) == "Cf"
        or any(low <= ord(c) <= high for low, high in _INVISIBLE_RANGES)
    ]


def clean_name(name: str) -> str:
    """A name as werkboek keeps it: normal form C, every run of spaces one plain space."""
    text = unicodedata.normalize("NFC", name)
    spaced = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)
    return " ".join(part for part in spaced.split(" ") if part)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a participant's name, or ``None`` when it can."""
    return _form_problem(name) or unprintable_problem(name)


def _form_problem(name: str) -> str | None:
    """Why ``name`` is no name at all (empty, more than one line, invisible characters, too
    long), or ``None``: whether werkboek's fonts can print it is :func:`split_printable`'s."""
    if not name:
        return "de naam is leeg"
    if has_line_break(name):
        return "de naam bevat een regeleinde"
    if has_control_character(name):
        return "de naam bevat een stuurteken"
    invisible = invisible_characters(name)
    if invisible:
        shown = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in invisible))
        return (
            f"de naam bevat een onzichtbaar teken ({shown}); typ de naam opnieuw, zonder "
            "het te kopiëren"
        )
    if len(name) > MAX_NAME_LENGTH:
        return f"de naam is te lang ({len(name)} tekens; hoogstens {MAX_NAME_LENGTH})"
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


TOO_MANY = f"de deelnemerslijst heeft meer dan {MAX_PEOPLE} deelnemers; hoogstens {MAX_PEOPLE}"


def _too_large(size: int) -> str:
    return (
        f"de deelnemerslijst is te groot ({format_size(size)}; hoogstens {format_size(MAX_BYTES)})"
    )


# ---------------------------------------------------------------- bytes to text


_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_spreadsheet(data: bytes) -> bool:
    """Whether ``data`` is a ZIP container (an .xlsx, or an .ods that will be refused)."""
    return data.startswith(_ZIP)


def decode(data: bytes, file: str) -> str:
    """The text of a CSV list: UTF-8 (a byte-order mark dropped), else UTF-16 with a
    byte-order mark, else Windows-1252; anything else (an .xls, a PDF) is refused."""
    if data.startswith(_OLE2):
        message = f"dit is een oud Excel-bestand (.xls) of een beveiligd werkblad; {SAVE_AS}"
        raise ListError(Problem(file, 1, 1, "", message))
    if is_spreadsheet(data):
        message = f"dit is een werkblad of ander ZIP-bestand, geen CSV-tekst; {SAVE_AS}"
        raise ListError(Problem(file, 1, 1, "", message))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode("utf-16", "replace").count("\n") + 1
            message = f"dit is geen geldige UTF-16-tekst; {SAVE_AS}"
            raise ListError(Problem(file, line, 1, "", message)) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if data.startswith(codecs.BOM_UTF8):  # says it is UTF-8: no other reading
                # (the error's position counts from after the byte-order mark)
                line = data.count(b"\n", 0, exc.start + len(codecs.BOM_UTF8)) + 1
                message = (
                    "dit is geen geldige UTF-8-tekst; bewaar het bestand opnieuw als 'CSV UTF-8'"
                )
                raise ListError(Problem(file, line, 1, "", message)) from None
            try:
                # What Excel on Windows writes as "CSV (gescheiden door lijstscheidingsteken)".
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                message = (
                    "dit is geen tekst in UTF-8 of Windows-1252; bewaar het bestand als "
                    "'CSV UTF-8' of als .xlsx"
                )
                raise ListError(Problem(file, line, 1, "", message)) from None
    if text.lstrip().startswith("<"):
        message = f"dit is geen CSV-tekst maar HTML of XML; {SAVE_AS}"
        raise ListError(Problem(file, 1, 1, "", message))
    return text


def _named_as_sheet(data: bytes, file: str) -> None:
    """A file named .xlsx that is none (a PDF or a text renamed) is refused as such: read
    as CSV it became a list of one "participant", or a word about text encodings."""
    if file.lower().endswith(".xlsx") and not is_spreadsheet(data):
        message = f"dit bestand heet .xlsx, maar het is geen Excel-werkblad; {SAVE_AS}"
        raise ListError(Problem(file, 1, 1, "", message))


def list_text(data: bytes, file: str) -> str:
    """A list's bytes as CSV text (an .xlsx's first sheet written as CSV), for a form
    that shows the list as text."""
    _named_as_sheet(data, file)
    if not is_spreadsheet(data):
        return decode(data, file)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for _, row in sheet_rows(data, file, MAX_PEOPLE, MAX_COLUMNS):
        writer.writerow(row)
    return out.getvalue()


# ---------------------------------------------------------------- text to rows


def _header(first_line: str, delimiter: str) -> list[str]:
    """The column names of a header line (none when the line cannot be one: a field longer
    than the csv module takes, a stray quote; reading the rows says what is wrong, at its
    line)."""
    try:
        row = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error:
        return []
    return [column_name(name) for name in row]


def sniff_delimiter(first_line: str, required: Sequence[str]) -> str:
    """The delimiter under which the header names every required column.

    Without such a delimiter, the one that splits the header into the most columns (so
    the problem about the missing column lists the columns the trainer sees).
    """
    headers = {d: _header(first_line, d) for d in DELIMITERS}
    for delimiter, names in headers.items():
        if not _missing(names, required):
            return delimiter
    return max(DELIMITERS, key=lambda d: len(headers[d]))


def _csv_records(file: str, text: str, delimiter: str) -> Iterator[Record]:
    """Each record with the line it starts on (a quoted field may span lines)."""
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # The csv module's own words are English: say what can be wrong, in Dutch.
            record = text.splitlines(keepends=True)[start - 1 : reader.line_num]
            if sum(len(line) for line in record) > csv.field_size_limit():
                message = f"een waarde is langer dan {MAX_FIELD} tekens"
            else:
                begins = f" (de waarde begint op regel {start})" if start < reader.line_num else ""
                message = (
                    f"geen geldige CSV: een aanhalingsteken staat verkeerd{begins}; zet een "
                    'waarde helemaal tussen aanhalingstekens en schrijf een " erin als ""'
                )
            raise ListError(Problem(file, reader.line_num, 1, "", message)) from None
        yield start, row
        start = reader.line_num + 1


# ---------------------------------------------------------------- rows to people


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
            raise ListError(Problem(file, 1, 1, "", _too_large(info.st_size)))
        data = path.read_bytes()
    except FileNotFoundError:
        raise ListError(Problem(file, 1, 1, "", "deelnemerslijst niet gevonden")) from None
    except OSError as exc:
        message = f"de deelnemerslijst is niet te lezen: {exc.strerror or exc}"
        raise ListError(Problem(file, 1, 1, "", message)) from None
    return people_from_bytes(data, file, required, check, printable=printable)


def people_from_bytes(
    data: bytes,
    file: str,
    required: Sequence[str] = (NAME,),
    check: RowCheck | None = None,
    *,
    printable: bool = True,
) -> list[Person]:
    """The people of a list's bytes (a file's, an upload's): CSV text or an .xlsx."""
    if len(data) > MAX_BYTES:
        raise ListError(Problem(file, 1, 1, "", _too_large(len(data))))
    _named_as_sheet(data, file)
    if is_spreadsheet(data):
        rows = sheet_rows(data, file, MAX_PEOPLE, MAX_COLUMNS)
        return _people(file, iter(rows), required, check, None, printable)
    return parse_people(decode(data, file), file, required, check, printable=printable)


def list_columns(text: str, required: Sequence[str] = (NAME,)) -> list[str]:
    """The column names of a list's header line (to check a message against, even when a
    row below it is wrong); ``naam`` among them when the name is made of its parts."""
    first = io.StringIO(text, newline="").readline()
    columns = [c for c in _header(first, sniff_delimiter(first, required)) if c]
    if NAME not in columns and _has_name_parts(columns):
        columns.append(NAME)
    return columns


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
    if len(text) > MAX_BYTES:
        raise ListError(Problem(file, 1, 1, "", _too_large(len(text.encode()))))
    if not text.strip():
        raise ListError(Problem(file, 1, 1, "", "de deelnemerslijst is leeg"))
    delimiter = sniff_delimiter(io.StringIO(text, newline="").readline(), required)
    records = _csv_records(file, text, delimiter)
    return _people(file, records, required, check, delimiter, printable)


def _has_name_parts(columns: Sequence[str]) -> bool:
    return "voornaam" in columns and "achternaam" in columns


def _missing(columns: Sequence[str], required: Sequence[str]) -> list[str]:
    return [
        c for c in required if c not in columns and not (c == NAME and _has_name_parts(columns))
    ]


def _people(
    file: str,
    records: Iterator[Record],
    required: Sequence[str],
    check: RowCheck | None,
    delimiter: str | None,
    printable: bool = True,
) -> list[Person]:
    """Check a list's rows (the first is the header) and make its people."""
    first = next((record for record in records if any(v.strip() for v in record[1])), None)
    if first is None:
        raise ListError(Problem(file, 1, 1, "", "de deelnemerslijst is leeg"))
    header_line, header = first
    columns = _check_header(file, header_line, header, required)
    named = NAME in columns

    problems: list[Problem] = []
    people: list[Person] = []
    for line, row in records:
        if not any(value.strip() for value in row):
            continue
        if len(people) == MAX_PEOPLE:
            raise ListError(Problem(file, line, 1, "", TOO_MANY))
        if any(value.strip() for value in row[len(columns) :]):
            if delimiter is None:
                message = (
                    f"deze rij heeft waarden in {len(row)} kolommen, de kopregel maar "
                    f"{len(columns)}; geef elke kolom een naam in de eerste rij"
                )
            else:
                message = (
                    f"deze regel heeft {len(row)} velden, de kopregel {len(columns)}; staat er "
                    f"een {DELIMITER_NAMES[delimiter]} in een waarde? Zet die dan tussen "
                    "aanhalingstekens"
                )
            problems.append(Problem(file, line, 1, "", message))
            continue
        values = row + [""] * (len(columns) - len(row))
        fields = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
        long = [c for c, v in fields.items() if len(v) > MAX_FIELD]
        if named:
            fields[NAME] = clean_name(fields[NAME])
        else:
            fields[NAME] = clean_name(" ".join(fields.get(part, "") for part in NAME_PARTS))
        person = Person(file, line, fields[NAME], fields)
        if long:
            problems.extend(
                person.problem(c, f"de waarde is te lang (hoogstens {MAX_FIELD} tekens)")
                for c in long
            )
            people.append(person)
            continue
        problem = name_problem(person.name) if printable else _form_problem(person.name)
        if problem:
            where = NAME if named else "voornaam, achternaam"
            problems.append(person.problem(where, problem))
        if check is not None:
            problems.extend(check(person))
        people.append(person)
    if problems:
        raise ListError(*problems)
    if not people:
        message = "de deelnemerslijst heeft geen deelnemers, alleen een kopregel"
        raise ListError(Problem(file, header_line + 1, 1, "", message))
    return people


def _check_header(file: str, line: int, header: list[str], required: Sequence[str]) -> list[str]:
    """The header's column names; raise with every problem of the header."""
    if len(header) > MAX_COLUMNS and any(h.strip() for h in header[MAX_COLUMNS:]):
        message = f"de kopregel heeft {len(header)} kolommen; hoogstens {MAX_COLUMNS}"
        raise ListError(Problem(file, line, 1, "", message))
    columns = [column_name(name) for name in header]
    problems = []
    seen: dict[str, str] = {}
    for written, column in zip(header, columns, strict=True):
        if not column:
            continue
        if column in seen:
            if seen[column].strip().lower() == written.strip().lower():
                problems.append(f"kolom {column!r} staat twee keer in de kopregel")
            else:
                first = seen[column].strip()
                problems.append(
                    f"de kolommen {first!r} en {written.strip()!r} betekenen allebei "
                    f"{column!r}; laat er één staan"
                )
        else:
            seen[column] = written
    named = [c for c in columns if c]
    for column in _missing(columns, required):
        if column == NAME and "voornaam" in columns:
            problems.append(f"kolom 'achternaam' ontbreekt bij 'voornaam' (of geef kolom {NAME!r})")
            continue
        problems.append(
            f"kolom {column!r} ontbreekt{did_you_mean(column, named)} "
            f"(kolommen: {', '.join(named) or 'geen'})"
        )
    if problems:
        raise ListError(*(Problem(file, line, 1, "", p) for p in problems))
    return columns


# ---------------------------------------------------------------- names one by one


def people_from_names(
    names: Iterable[str], source: str = "--voor", *, printable: bool = True
) -> list[Person]:
    """People given by name only (``--voor NAAM``), checked like a list's rows
    (``printable``: see :func:`parse_people`)."""
    check = name_problem if printable else _form_problem
    people: list[Person] = []
    problems = []
    for given in names:
        if len(people) == MAX_PEOPLE:
            raise ListError(Problem("", 0, 0, source, f"te veel namen; hoogstens {MAX_PEOPLE}"))
        name = clean_name(given)
        person = Person(source, 0, name, {NAME: name})
        if problem := check(name):
            problems.append(Problem("", 0, 0, source, f"{problem}: {name!r}"))
        people.append(person)
    if problems:
        raise ListError(*problems)
    return people


def people_from_text(text: str, field: str) -> list[Person]:
    """People pasted one name per line in a form's ``field``; every problem names its line."""
    if len(text) > MAX_BYTES:
        raise ListError(Problem("", 0, 0, field, _too_large(len(text.encode()))))
    people: list[Person] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(people) == MAX_PEOPLE:
            message = f"regel {number}: meer dan {MAX_PEOPLE} namen; hoogstens {MAX_PEOPLE}"
            raise ListError(Problem("", 0, 0, field, message))
        name = clean_name(line)
        if problem := name_problem(name):
            problems.append(Problem("", 0, 0, field, f"regel {number}: {problem}: {name!r}"))
        people.append(Person(field, number, name, {NAME: name}))
    if problems:
        raise ListError(*problems)
    if not people:
        raise ListError(Problem("", 0, 0, field, "geef minstens één naam"))
    return people


def at_most(people: list[Person], source: str) -> list[Person]:
    """``people`` (from several ways in at once), refused when there are too many."""
    if len(people) > MAX_PEOPLE:
        message = f"{len(people)} deelnemers samen; hoogstens {MAX_PEOPLE}"
        raise ListError(Problem("", 0, 0, source, message))
    return people
