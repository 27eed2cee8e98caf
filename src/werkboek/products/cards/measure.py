"""Measuring: which units of a card set fit on which face.

The units flow over pages exactly the size of a face's text area; WeasyPrint's
pagination decides which units fit on which face. Fronts and backs alternate (front,
back, front of the follow-up card, …); the steps always start on a new face. A text
that does not fit continues on a follow-up card; it never shrinks or clips.
"""

from __future__ import annotations

import math
from typing import Any

from ...content import Content
from ...errors import BuildError, Problem
from .sheet import CardFormat
from .units import UNIT_PREFIX, CardSet, Face, Unit

NOTE_LINE_MM = 8.0
"""The height of a ruled line (``.regel``) on an empty back."""


def _too_long(
    content: Content | None, unit: Unit, title: str, fmt: CardFormat, what: str
) -> Problem:
    """A unit too long for a face, at its line in the content when known."""
    message = (
        f"te lang voor één {fmt.name.upper()}-kaart ({title}); maak de tekst korter of deel "
        "hem op in kleinere stukken"
    )
    if content is None or unit.where is None or unit.where[0] not in content.sources:
        return Problem(what, 0, 0, "", f"{title}: een {unit.kind} is {message.split(' (')[0]}")
    source, path = unit.where
    return content.sources[source].problem(list(path), message)


def assign_faces(
    document: Any,
    sets: list[CardSet],
    fmt: CardFormat,
    what: str,
    content: Content | None = None,
) -> None:
    """Read from the measuring layout which units landed on which face; a unit too long
    for a face is an error at its place in ``content``."""
    where: dict[str, tuple[int, int]] = {}
    for page_number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(UNIT_PREFIX):
                where.setdefault(anchor, (page_number, page_number))
                first, _ = where[anchor]
                where[anchor] = (first, page_number)
    lines = max(0, math.floor((fmt.body.height - 12) / NOTE_LINE_MM))
    for s in sets:
        pages: dict[int, list[Unit]] = {}
        for u in s.units:
            if u.id not in where:
                raise BuildError(f"{what}: {s.title}: een {u.kind} kwam niet op een kaart")
            first, last = where[u.id]
            if first != last:
                raise BuildError(_too_long(content, u, s.title, fmt, what))
            pages.setdefault(first, []).append(u)
        ordered = [pages[number] for number in sorted(pages)]
        s.faces = [Face(s, i, tuple(units)) for i, units in enumerate(ordered)]
        if len(s.faces) % 2:
            s.faces.append(Face(s, len(s.faces), (), notes=True, note_lines=lines))


def naive_faces(sets: list[CardSet]) -> None:
    """Front and back without measuring: what a dry run (``werkboek check``) renders."""
    for s in sets:
        back = next((i for i, u in enumerate(s.units) if u.breaks), len(s.units))
        s.faces = [Face(s, 0, tuple(s.units[:back])), Face(s, 1, tuple(s.units[back:]))]
