"""The tagged PDF as pikepdf shows it: structure elements, marked content, content streams.

Shared by the finishing pass (:mod:`.finish`) and the grafts (:mod:`.covers`,
:mod:`.names`). Public pikepdf only.
"""

from __future__ import annotations

import re
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

MARKED = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
"""A marked-content sequence as WeasyPrint writes it: ``/Tag <</MCID n>> BDC`` (its text
as glyph ids in hex strings, so the pattern cannot occur inside text)."""
SOURCE = Name("/WerkboekSource")
"""Which HTML element a structure element comes from (set by :mod:`.tags`, read and
removed by :mod:`.finish`: never in a finished file)."""


def marked_content(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (tag, MCID) pairs of a content stream, in order."""
    return MARKED.findall(data)


def objgen(obj: Any) -> tuple[int, int]:
    """An indirect object's number and generation."""
    return obj.objgen  # type: ignore[no-any-return]


def children_of(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def is_element(obj: Any) -> bool:
    """A structure element (not a marked-content or object reference, not a number)."""
    return isinstance(obj, Dictionary) and "/S" in obj


def is_mcid(obj: Any) -> bool:
    """A marked-content ID standing for itself in an element's kids: a number (pikepdf
    gives a direct integer as a Python ``int``; WeasyPrint writes them direct)."""
    return isinstance(obj, int) and not isinstance(obj, bool)


def page_contents(page: pikepdf.Page) -> bytes:
    """The page's content streams, decoded, as one."""
    contents = page.obj.get("/Contents")
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes() if contents is not None else b""
