"""YAML files that remember where each value came from.

PyYAML's composer keeps a start mark on every node. :class:`YamlFile` keeps the
node tree beside the plain data so that a validation error found at a dotted
path (``oefeningen[1].stappen[2].minuten``) can be reported at its line and
column, the way yamllint and cloud-init do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from . import yaml_errors

PathPart = str | int

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it: ten times faster, same marks."""

MAX_BYTES = 2_000_000
"""The largest YAML file werkboek reads (the largest content file is about 80 kB)."""
MAX_DEPTH = 40
"""The deepest nesting of lists and mappings (content goes about 12 deep)."""
MAX_NODES = 200_000
"""The most values in one file."""


def too_large(size: int, limit: int) -> str:
    from ..words import format_size

    return f"het bestand is te groot ({format_size(size)}; hoogstens {format_size(limit)})"


def format_path(parts: Sequence[PathPart]) -> str:
    """``("oefeningen", 1, "titel")`` → ``oefeningen[1].titel``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class YamlFile:
    """A parsed YAML file: its data, its node tree, and problems found while parsing."""

    path: Path | None
    display: str
    data: Any = None
    root: yaml.Node | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, parts: Sequence[PathPart], message: str, *, key: bool = False) -> Problem:
        """A problem at ``parts``; with ``key=True`` point at the mapping key, not its value."""
        line, column = self.locate(parts, key=key)
        return Problem(self.display, line, column, format_path(parts), message)

    def locate(self, parts: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of the deepest node along ``parts``.

        Parts that do not match the tree (a missing key, a validator's tag) are
        skipped, so a missing field is reported at its parent mapping.
        """
        node = self.root
        if node is None:
            return 1, 1
        mark = node.start_mark
        for part in parts:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                        mark = key_node.start_mark if key else value_node.start_mark
                        node = value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                node = node.value[part]
                mark = node.start_mark
        return mark.line + 1, mark.column + 1


def _duplicate_keys(
    node: yaml.Node, parts: list[PathPart], found: list[tuple[list[PathPart], yaml.Mark]]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name is not None:
                if name in seen:
                    found.append(([*parts, name], key_node.start_mark))
                seen.add(name)
                _duplicate_keys(value_node, [*parts, name], found)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _duplicate_keys(item, [*parts, index], found)


def _problem(display: str, found: yaml_errors.Located) -> Problem:
    return Problem(display, found.line, found.column, format_path(found.path), found.message)


def _reader_problem(display: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(
        display,
        line,
        column,
        "",
        f"ongeldige YAML: het teken U+{character:04X} kan niet in een YAML-bestand",
    )


def load_yaml(path: Path, display: str | None = None, *, max_bytes: int = MAX_BYTES) -> YamlFile:
    """Read and parse one YAML file; unreadable text, syntax errors and duplicate keys
    become problems."""
    shown = display or str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            problem = Problem(shown, 1, 1, "", "geen gewoon bestand")
            return YamlFile(path=path, display=shown, problems=[problem])
        if size > max_bytes:
            problem = Problem(shown, 1, 1, "", too_large(size, max_bytes))
            return YamlFile(path=path, display=shown, problems=[problem])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        problem = Problem(shown, line, 1, "", "geen UTF-8-tekst; bewaar het bestand als UTF-8")
        return YamlFile(path=path, display=shown, problems=[problem])
    except OSError as exc:
        problem = Problem(shown, 1, 1, "", f"kan het bestand niet lezen: {exc.strerror or exc}")
        return YamlFile(path=path, display=shown, problems=[problem])
    return parse_yaml(text, shown, path, max_bytes=max_bytes)


def parse_yaml(
    text: str, display: str, path: Path | None = None, *, max_bytes: int = MAX_BYTES
) -> YamlFile:
    """Parse YAML text (a file's, or what a form or an API sent) with positions.

    Bounded: at most ``max_bytes``, :data:`MAX_DEPTH` levels and :data:`MAX_NODES` values,
    and no aliases (``*naam``): an alias can make a few hundred bytes stand for billions
    of values.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        problem = Problem(display, 1, 1, "", too_large(size, max_bytes))
        return YamlFile(path=path, display=display, problems=[problem])
    result = YamlFile(path=path, display=display)
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        result.problems.append(_reader_problem(result.display, text, exc))
        return result
    root = None
    try:
        root = loader.get_single_node()
        if root is not None:
            bounds = _bounds(root, display, text)
            if bounds:
                result.problems.extend(bounds)
                return result
            result.data = loader.construct_document(root)
        result.root = root
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or ""
        opened = exc.context_mark
        context = (
            (exc.context, opened.line + 1, opened.column + 1)
            if exc.problem and exc.context and opened
            else None
        )
        found = yaml_errors.syntax_problem(text, _Loader, line, column, reason, context)
        result.problems.append(_problem(result.display, found))
        return result
    except (ValueError, TypeError, OverflowError):
        # a value YAML resolves but cannot construct: a date 2024-13-01, a number too large
        assert root is not None
        result.problems.append(_problem(result.display, yaml_errors.construction_problem(root)))
        return result
    except yaml.reader.ReaderError as exc:
        result.problems.append(_reader_problem(result.display, text, exc))
        return result
    finally:
        loader.dispose()
    if root is not None:
        pitfalls = yaml_errors.value_problems(text, root)
        result.problems.extend(_problem(result.display, found) for found in pitfalls)
        duplicates: list[tuple[list[PathPart], yaml.Mark]] = []
        _duplicate_keys(root, [], duplicates)
        for parts, mark in duplicates:
            result.problems.append(
                Problem(
                    result.display,
                    mark.line + 1,
                    mark.column + 1,
                    format_path(parts),
                    "deze sleutel staat er twee keer (de eerste waarde zou verloren gaan)",
                )
            )
    return result


def _bounds(root: yaml.Node, display: str, text: str) -> list[Problem]:
    """Problems with the size of the node tree: too deep, too many values, aliases."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            return _aliases(display, text)
        seen.add(id(node))
        if depth > MAX_DEPTH:
            mark = node.start_mark
            message = f"te diep genest (hoogstens {MAX_DEPTH} niveaus)"
            return [Problem(display, mark.line + 1, mark.column + 1, "", message)]
        if len(seen) > MAX_NODES:
            return [Problem(display, 1, 1, "", f"te veel waarden (hoogstens {MAX_NODES})")]
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return []


def _aliases(display: str, text: str) -> list[Problem]:
    """One problem at the first alias (``*naam``), saying how many there are."""
    aliases = [e for e in yaml.parse(text, Loader=_Loader) if isinstance(e, yaml.AliasEvent)]
    first = aliases[0]
    mark = first.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    more = f" (en nog {len(aliases) - 1} aliassen)" if len(aliases) > 1 else ""
    message = f"een alias (*{first.anchor}) kan hier niet{more}; schrijf de waarde uit"
    return [Problem(display, line, column, "", message)]
