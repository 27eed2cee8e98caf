"""WeasyPrint's tag tree, told more than the HTML element names.

WeasyPrint 70 tags a PDF from the HTML element names alone. :func:`install` wraps its
tag-tree builder (the private ``weasyprint.pdf.tags._build_box_tree``, through
:mod:`.internals`) so the HTML can say more: ``data-pdf-tag="TOC"`` (or ``TOCI``,
``Artifact``…) names an element's structure type; a ``leader()``'s dots become an artifact;
the ``::before``/``::after`` boxes of a link are part of that link (a Span in it), not a
second link inside it; ``data-pdf-id`` becomes the element's ``/ID`` (for :mod:`.faces` and
the name graft, :mod:`.names`).

Private names used (all through :mod:`.internals`): ``_build_box_tree``; the box
attributes ``element``, ``element_tag``, ``is_leader``, ``link_annotation`` and an absolute
placeholder's ``_box``; ``pydyf.String``; and those of :mod:`.spaces`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from . import internals, spaces
from .faces import FACE_ID_PREFIX
from .structure import SOURCE


def install() -> None:
    """Wrap WeasyPrint's tag-tree builder once (see the module's docstring), and with it
    the functions that keep the spaces between words in the text (:mod:`.spaces`)."""
    internals.install({"weasyprint.pdf.tags._build_box_tree": _wrap, **spaces.PATCHES})


def _wrap(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(original)  # (its signature stays WeasyPrint's, for internals.check)
    def build(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        own = internals.placed_box(box)  # an absolute placeholder stands for its box
        for element in original(box, parent, *args):
            if element["P"] == parent.reference:  # this box's element, not a grandchild
                _adjust(own, element)
            yield element

    return build


def _adjust(box: Any, element: Any) -> None:
    node = internals.box_attribute(box, "element")
    tag = internals.box_attribute(box, "element_tag") if node is not None else None
    if getattr(box, "is_leader", False):
        element["S"] = "/Artifact"
    elif tag and "::" in tag:
        if element["S"] == "/Link" and not box.link_annotation:
            element["S"] = "/Span"
    elif tag and (wanted := node.get("data-pdf-tag")) and element["S"] != "/LBody":
        # (a list item without a marker is an LI around an LBody, both for the same box:
        # the name goes to the item, its body stays a body)
        element["S"] = f"/{wanted}"
    if tag and "::" not in tag and (ident := node.get("data-pdf-id")):
        element["ID"] = internals.pdf_string(f"{FACE_ID_PREFIX}{ident}")
    if tag and tag != "html" and "::" not in tag and (language := node.get("lang")):
        # a name in another language: its element says which (ISO 32000-1, 14.9.2)
        element["Lang"] = internals.pdf_string(language)
    if tag and "::" not in tag and str(SOURCE)[1:] not in element:
        # an element split by a line, a column or a page is two boxes, two elements (a link
        # over two lines, a table over three pages): the same HTML element says they are one
        # (joined by the finishing pass, :mod:`.finish`; the key leaves the file there). Its
        # own box comes first: the html and body boxes pass their children's elements on,
        # adjusted again.
        element[str(SOURCE)[1:]] = id(node)  # (alive while the PDF is written)
