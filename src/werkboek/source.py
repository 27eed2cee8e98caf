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

from .errors import Problem

PathPart = str | int

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it: ten times faster, same marks."""


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

    path: Path
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


def _duplicate_keys(node: yaml.Node, parts: list[PathPart], found: list[tuple]) -> None:
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


def _reader_problem(display: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(
        display, line, column, "", f"invalid YAML: character U+{character:04X} is not allowed"
    )


def load_yaml(path: Path, display: str | None = None) -> YamlFile:
    """Parse one YAML file; syntax errors and duplicate keys become problems."""
    result = YamlFile(path=path, display=display or str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        result.problems.append(Problem(result.display, 1, 1, "", f"not UTF-8 text ({exc.reason})"))
        return result
    except OSError as exc:
        result.problems.append(Problem(result.display, 1, 1, "", f"cannot read: {exc.strerror}"))
        return result
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        result.problems.append(_reader_problem(result.display, text, exc))
        return result
    try:
        root = loader.get_single_node()
        if root is not None:
            result.data = loader.construct_document(root)
        result.root = root
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        result.problems.append(Problem(result.display, line, column, "", f"invalid YAML: {reason}"))
        return result
    except yaml.reader.ReaderError as exc:
        result.problems.append(_reader_problem(result.display, text, exc))
        return result
    finally:
        loader.dispose()
    if root is not None:
        duplicates: list[tuple] = []
        _duplicate_keys(root, [], duplicates)
        for parts, mark in duplicates:
            result.problems.append(
                Problem(
                    result.display,
                    mark.line + 1,
                    mark.column + 1,
                    format_path(parts),
                    "duplicate key (the earlier value would be lost)",
                )
            )
    return result
