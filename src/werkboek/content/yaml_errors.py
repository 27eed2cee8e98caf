"""PyYAML's problems in Dutch, located at the field, with hints for the usual pitfalls.

A content editor meets YAML's errors as English scanner jargon ("mapping values are not
allowed in this context") at a place that is often a line after the real mistake. This
module says in Dutch what is wrong and, for the mistakes people make in practice — a tab or
a non-breaking space (pasted from Word) in the indentation, Word's dash instead of ``-``,
``#`` starting a value (``kleur: #8C2F39``), ``: `` inside a text, curly quotes around a
value — points at the mistake itself and says how to write it.

Three entry points, used by :mod:`werkboek.content.source`:

- :func:`syntax_problem` for a file PyYAML could not parse;
- :func:`value_problems` for a parsed file whose values show a pitfall that YAML accepts
  but that prints wrongly (a value cut off by ``#``, curly quotes, a dash);
- :func:`construction_problem` for a value YAML resolves but cannot construct (a date
  ``2024-13-01``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

PathPart = str | int

PREFIX = "ongeldige YAML: "

# libyaml's (C) and PyYAML's (Python) problem texts, by how they start; the first match wins.
PROBLEMS: tuple[tuple[str, str], ...] = (
    ("found unexpected end of stream", "het bestand houdt onverwacht op (een aanhalingsteken "
     "of haakje niet gesloten?)"),
    ("found unexpected document indicator", "'---' of '...' midden in een tekst tussen "
     "aanhalingstekens (een aanhalingsteken niet gesloten?)"),
    ("found unexpected document separator", "'---' of '...' midden in een tekst tussen "
     "aanhalingstekens (een aanhalingsteken niet gesloten?)"),
    ("did not find expected '-' indicator", "hier hoort een lijstregel die met '- ' begint "
     "(klopt het inspringen?)"),
    ("did not find expected key", "hier hoort een sleutel (klopt het inspringen?)"),
    ("mapping values are not allowed", "hier kan geen 'sleutel: waarde' staan (klopt het "
     "inspringen?)"),
    ("mapping keys are not allowed", "hier kan geen '? ' staan; zet de tekst tussen "
     "aanhalingstekens"),
    ("block sequence entries are not allowed", "hier kan geen lijstregel ('- ') staan "
     "(klopt het inspringen?)"),
    ("sequence entries are not allowed", "hier kan geen lijstregel ('- ') staan "
     "(klopt het inspringen?)"),
    ("could not find expected ':'", "hier hoort een ':' na de sleutel"),
    ("found character that cannot start any token", "met dit teken kan een waarde niet "
     "beginnen; zet de tekst tussen aanhalingstekens"),
    ("found character", "met dit teken kan een waarde niet beginnen; zet de tekst tussen "
     "aanhalingstekens"),
    ("found undefined alias", "een alias (*naam) zonder anker (&naam)"),
    ("found unknown escape character", "onbekende escape met \\ in een tekst tussen dubbele "
     "aanhalingstekens (schrijf \\\\, of gebruik enkele aanhalingstekens)"),
    ("did not find expected hexdecimal number", "na \\x, \\u of \\U horen cijfers 0-9 en "
     "letters a-f"),
    ("expected escape sequence", "na \\x, \\u of \\U horen cijfers 0-9 en letters a-f"),
    ("found invalid Unicode character escape code", "een \\u of \\U die geen teken is"),
    ("found duplicate anchor", "een anker (&naam) staat er twee keer"),
    ("expected a single document", "het bestand heeft meer dan één document ('---'); "
     "werkboek leest er één"),
    ("did not find expected <document start>", "na het einde van het document staat nog "
     "tekst (klopt het inspringen?)"),
    ("expected <document start>", "na het einde van het document staat nog tekst "
     "(klopt het inspringen?)"),
    ("found unexpected ':'", "een ':' op een onverwachte plek; zet de tekst tussen "
     "aanhalingstekens"),
    ("found a tab character", "een tab-teken; spring in met spaties"),
    ("found a leading tab", "een tab-teken; spring in met spaties"),
    ("did not find expected node content", "hier ontbreekt een waarde"),
    ("did not find expected ',' or ']'", "een lijst tussen [ ] is niet gesloten, of mist "
     "een komma"),
    ("did not find expected ',' or '}'", "een verzameling tussen { } is niet gesloten, of "
     "mist een komma"),
    ("expected ',' or ']'", "een lijst tussen [ ] is niet gesloten, of mist een komma"),
    ("expected ',' or '}'", "een verzameling tussen { } is niet gesloten, of mist een komma"),
    ("exceeded maximum nesting depth", "te diep genest"),
    ("expected a comment or a line break", "hier hoort een regeleinde"),
    ("did not find expected comment or line break", "hier hoort een regeleinde"),
    ("found an indentation indicator equal to 0", "na | of > kan geen 0 staan"),
    ("expected indentation indicator", "na | of > kan geen 0 staan"),
    ("expected chomping or indentation indicators", "na | of > mag alleen -, + of een "
     "cijfer 1-9 staan"),
    ("did not find expected alphabetic or numeric character", "na & of * hoort een naam "
     "(letters en cijfers); zet de tekst tussen aanhalingstekens"),
    ("expected alphabetic or numeric character", "na & of * hoort een naam (letters en "
     "cijfers); zet de tekst tussen aanhalingstekens"),
    ("could not determine a constructor", "een onbekend type (!…); laat het weg"),
    ("found undefined tag handle", "een onbekend type (!…); laat het weg"),
    ("did not find expected tag URI", "een onbekend type (!…); laat het weg"),
    ("expected URI", "een onbekend type (!…); laat het weg"),
    ("did not find expected '!'", "een onbekend type (!…); laat het weg"),
    ("expected '!'", "een onbekend type (!…); laat het weg"),
    ("did not find URI escaped octet", "een onbekend type (!…); laat het weg"),
    ("found unhashable key", "een sleutel kan geen lijst of verzameling zijn"),
    ("found unknown directive name", "een regel die met % begint kan alleen bovenaan, voor "
     "'---'; zet de tekst tussen aanhalingstekens"),
    ("did not find expected directive name", "een regel die met % begint kan alleen "
     "bovenaan, voor '---'; zet de tekst tussen aanhalingstekens"),
    ("expected directive name", "een regel die met % begint kan alleen bovenaan, voor "
     "'---'; zet de tekst tussen aanhalingstekens"),
    ("found duplicate", "een %-regel staat er twee keer"),
    ("found incompatible YAML document", "een YAML-versie die werkboek niet leest (%YAML)"),
    ("did not find expected whitespace or line break", "hier hoort een spatie of een "
     "regeleinde"),
    ("expected ' '", "hier hoort een spatie of een regeleinde"),
    ("did not find expected digit or '.' character", "een YAML-versie die werkboek niet "
     "leest (%YAML)"),
    ("did not find expected version number", "een YAML-versie die werkboek niet leest "
     "(%YAML)"),
    ("found extremely long version number", "een YAML-versie die werkboek niet leest "
     "(%YAML)"),
    ("found an incorrect", "geen UTF-8-tekst; bewaar het bestand als UTF-8"),
    ("expected a mapping node", "hier hoort een verzameling (sleutel: waarde)"),
    ("expected a sequence node", "hier hoort een lijst"),
    ("expected a scalar node", "hier hoort een enkele waarde"),
)  # fmt: skip
"""Every problem PyYAML and libyaml report, in words a content editor understands."""

FALLBACK = "YAML kan het bestand hier niet lezen (klopt het inspringen, en staan teksten met " \
    "bijzondere tekens tussen aanhalingstekens?)"  # fmt: skip
"""For a problem not in :data:`PROBLEMS` (a newer PyYAML): still Dutch, never English."""

LOOKALIKE_SPACES = {
    "\u00a0": "een harde spatie",
    "\u2007": "een harde spatie",
    "\u202f": "een smalle harde spatie",
    "\u2002": "een brede spatie",
    "\u2003": "een brede spatie",
    "\u3000": "een brede spatie",
}
CURLY_QUOTES = "“”‘’„‚«»"
DASHES = {"–": "een gedachtestreep (–)", "—": "een lange streep (—)", "−": "een minteken (−)"}


def message(*reasons: str | None) -> str:
    """PyYAML's ``problem`` (or, failing that, its ``context``: "found duplicate anchor")
    in Dutch."""
    for reason in reasons:
        for english, dutch in PROBLEMS:
            if reason and reason.startswith(english):
                return PREFIX + dutch
    return PREFIX + FALLBACK


@dataclass(frozen=True)
class Located:
    line: int
    """1-based."""
    column: int
    """1-based."""
    path: tuple[PathPart, ...]
    message: str


def syntax_problem(
    text: str,
    loader: type[Any],
    line: int,
    column: int,
    reason: str,
    context: tuple[str, int, int] | None = None,
) -> Located:
    """The problem of a file PyYAML stopped reading at ``line``:``column`` (1-based): a
    pitfall at or before it when there is one (the real mistake), else PyYAML's problem in
    Dutch; with the field it was reading. ``context`` is what PyYAML was reading and where
    that began (``while scanning a quoted scalar`` at 3:8)."""
    lines = text.split("\n")
    path = tuple(
        path_at_error(text, loader, line, column) or last_path("\n".join(lines[: line - 1]), loader)
    )
    pitfall = _indentation_pitfall(lines, line)
    if pitfall is not None:
        at_line, at_column, words = pitfall
        return Located(at_line, at_column, path, PREFIX + words)
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if reason.startswith("mapping values are not allowed"):
        before = current[: column - 1]
        key = re.match(r"\s*(?:- )?([^\s:#][^:]*):\s+\S", before)
        if key is not None:
            if key.group(1) not in path[-1:]:
                path = (*path, key.group(1))
            words = (
                "een ': ' midden in een tekst maakt er een nieuwe sleutel van; zet de hele "
                'tekst tussen aanhalingstekens ("…")'
            )
            return Located(line, column, path, PREFIX + words)
    if reason.startswith("found unexpected end of stream") and context and "quoted" in context[0]:
        words = "dit aanhalingsteken wordt nergens gesloten"
        return Located(context[1], context[2], path, PREFIX + words)
    if context and reason.startswith(("did not find expected ',' or", "expected ',' or")):
        bracket = "lijst tussen [ ]" if "]" in reason else "verzameling tussen { }"
        words = f"deze {bracket} wordt niet gesloten, of er ontbreekt een komma"
        opened = path[:-1] if path and isinstance(path[-1], int) else path
        return Located(context[1], context[2], opened, PREFIX + words)
    if context and context[0].startswith("expected a single document"):
        return Located(line, column, (), message(context[0]))
    return Located(line, column, path, message(reason, context[0] if context else None))


def _indentation_pitfall(lines: Sequence[str], upto: int) -> tuple[int, int, str] | None:
    """The last line at or before ``upto`` whose indentation has a tab, a look-alike space or
    a curly quote, or that starts with Word's dash where a list item belongs."""
    for number in range(min(upto, len(lines)), 0, -1):
        found = indentation_mistake(lines[number - 1])
        if found is not None:
            return number, found[0], found[1]
    return None


def indentation_mistake(line: str) -> tuple[int, str] | None:
    """(1-based column, Dutch words) of a mistake in ``line``'s indentation, if any."""
    for index, char in enumerate(line):
        if char == " ":
            continue
        if char == "\t":
            return index + 1, "een tab-teken in het inspringen; spring in met spaties"
        if char in LOOKALIKE_SPACES:
            words = f"{LOOKALIKE_SPACES[char]} (U+{ord(char):04X}, uit Word of een webpagina) "
            return index + 1, words + "in het inspringen; typ de spaties opnieuw"
        if char in CURLY_QUOTES and line[index + 1 : index + 2] in (" ", "\t", "-"):
            words = f"een krul-aanhalingsteken ({char}) in het inspringen; haal het weg"
            return index + 1, words
        if char in DASHES and line[index + 1 : index + 2] == " ":
            return index + 1, _dash(char)
        return None
    return None


def _dash(char: str) -> str:
    return (
        f"{DASHES[char]} uit Word waar een lijstregel hoort; een lijstregel begint met een "
        "gewoon streepje: '- '"
    )


def path_at_error(text: str, loader: type[Any], line: int, column: int) -> list[PathPart]:
    """The field PyYAML was reading when it stopped at ``line``:``column``: the keys and list
    positions of the events it gave before its error; or, when the error came after all
    events (composing, constructing), the field of the value that starts there."""
    frames: list[list[Any]] = []  # ["map", key | None, expecting_value] or ["seq", index]
    at_mark: list[PathPart] | None = None

    def here() -> list[PathPart]:
        return [f[1] for f in frames if f[0] == "seq" or (f[1] is not None and f[2])]

    def value_done() -> None:
        if frames and frames[-1][0] == "map":
            frames[-1][2] = False
        elif frames:
            frames[-1][1] += 1

    try:
        for event in yaml.parse(text, Loader=loader):
            mark = event.start_mark
            starts_here = mark is not None and (mark.line + 1, mark.column + 1) == (line, column)
            top = frames[-1] if frames else None
            if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if top is not None and top[0] == "map" and not top[2]:
                    top[1] = event.value if isinstance(event, yaml.ScalarEvent) else None
                    top[2] = True
                else:
                    if starts_here and at_mark is None:
                        at_mark = here()
                    value_done()
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if starts_here and at_mark is None:
                    at_mark = here()
                mapping = isinstance(event, yaml.MappingStartEvent)
                frames.append(["map", None, False] if mapping else ["seq", 0])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frames.pop()
                value_done()
    except yaml.YAMLError:
        return here()
    return at_mark or []


def last_path(text: str, loader: type[Any]) -> list[PathPart]:
    """The field of the last value in ``text`` (the lines before an error PyYAML found
    before it gave any event for them)."""
    events = list(_events(text, loader))
    for event in reversed(events):
        mark = event.start_mark
        if mark is not None and isinstance(
            event, yaml.ScalarEvent | yaml.AliasEvent | yaml.CollectionStartEvent
        ):
            return path_at_error(text, loader, mark.line + 1, mark.column + 1)
    return []


def _events(text: str, loader: type[Any]) -> Iterator[yaml.Event]:
    try:
        yield from yaml.parse(text, Loader=loader)
    except yaml.YAMLError:
        return


def value_problems(text: str, root: yaml.Node) -> list[Located]:
    """Pitfalls YAML accepts but that print wrongly: a value that ``#`` made empty, a value
    between curly quotes, a list item written with Word's dash."""
    lines = text.split("\n")
    found = []
    for path, node, is_key in _scalars(root, ()):
        mark = node.start_mark
        line = lines[mark.line] if mark.line < len(lines) else ""
        if node.tag == "tag:yaml.org,2002:null" and node.value == "" and not is_key:
            # an empty value; the line goes on with a "comment" that starts like a value
            rest = line[mark.column :]
            match = re.match(r"\s*#(\S+)", rest)
            if match and mark.line == _key_line(root, path):
                column = mark.column + rest.index("#") + 1
                value = "#" + match.group(1)
                found.append(
                    Located(
                        mark.line + 1,
                        column,
                        path,
                        f"'{value}' begint met #, en met # begint in YAML een opmerking: de "
                        f'waarde is nu leeg; zet de waarde tussen aanhalingstekens: "{value}"',
                    )
                )
            continue
        if node.tag != "tag:yaml.org,2002:str":
            continue
        value = node.value.strip()
        dashed = not node.style and value[:1] in DASHES and value[1:2] == " "
        # a key, or a value on a line of its own, where a list item would be ("titel: – x"
        # on one line is a text that starts with a dash)
        if dashed and (is_key or mark.line != _key_line(root, path)):
            found.append(Located(mark.line + 1, mark.column + 1, path, _dash(value[0])))
        elif _between_curly_quotes(value):
            words = (
                f"de tekst staat tussen krul-aanhalingstekens ({value[0]}…{value[-1]}), zoals "
                "Word ze maakt; werkboek zet aanhalingstekens zelf waar ze horen, dus laat ze weg"
            )
            found.append(Located(mark.line + 1, mark.column + 1, path, words))
    return found


def _between_curly_quotes(value: str) -> bool:
    """``“Een citaat.”``, but not ``“Ja”, zei ze, “nee.”``."""
    return (
        len(value) >= 2
        and value[0] in "“‘„‚«"
        and value[-1] in "”’“»"
        and not any(q in value[1:-1] for q in CURLY_QUOTES)
    )


def _scalars(
    node: yaml.Node, path: tuple[PathPart, ...]
) -> Iterator[tuple[tuple[PathPart, ...], yaml.ScalarNode, bool]]:
    if isinstance(node, yaml.ScalarNode):
        yield path, node, False
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            if isinstance(key, yaml.ScalarNode):
                yield (*path, name), key, True
            yield from _scalars(value, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, (*path, index))


def _key_line(root: yaml.Node, path: tuple[PathPart, ...]) -> int | None:
    """The 0-based line of the key at the end of ``path``."""
    node: yaml.Node | None = root
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    line, node = key.start_mark.line, value
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part]
            line = None
        else:
            return None
    return line


CONSTRUCTION = {
    "tag:yaml.org,2002:timestamp": "geen bestaande datum; schrijf jjjj-mm-dd, zoals 2026-01-31",
    "tag:yaml.org,2002:int": "geen geheel getal",
    "tag:yaml.org,2002:float": "geen getal",
}


def construction_problem(root: yaml.Node) -> Located:
    """The first value YAML resolved but could not construct (``2024-13-01``)."""
    constructor = yaml.constructor.SafeConstructor()
    for path, node, _ in _scalars(root, ()):
        try:
            constructor.construct_object(node)
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            mark = node.start_mark
            words = CONSTRUCTION.get(node.tag, "YAML kan deze waarde niet lezen")
            return Located(mark.line + 1, mark.column + 1, path, f"{PREFIX}{words}")
    return Located(1, 1, (), PREFIX + FALLBACK)
