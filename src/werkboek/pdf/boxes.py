"""Walks over WeasyPrint's laid-out boxes: what a page holds and where.

WeasyPrint has no public API for its boxes; every access goes through :mod:`.internals`
(``Page._page_box``, ``block_level_page_break``, the box attributes ``children``,
``element``, ``position_y``, ``height`` and the methods ``descendants()`` and
``margin_height()``), so a WeasyPrint that lays out otherwise stops the build in one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from . import internals

Place = tuple[int, float, float, float]
"""A box's page (0-based), top, height and bottom with margins (CSS pixels)."""


def body(page: Any) -> Any:
    """The body box on a laid-out page, or None."""
    children = internals.box_attribute(internals.page_box(page), "children")
    if not children or not getattr(children[0], "children", None):
        return None
    return children[0].children[0]


def page_break(before: Any, after: Any) -> Any:
    """The break between two pages' bodies (their last and first boxes): a value of CSS
    ``break-before``/``break-after`` (``"page"``, ``"left"``…), or None when it is none;
    False when either body is missing or empty."""
    first, second = body(before), body(after)
    if first is None or second is None or not first.children or not second.children:
        return False
    return internals.page_break(first.children[-1], second.children[0])


def places(pages: Sequence[Any], css_class: str) -> list[Place] | None:
    """Where each block with the class ``css_class`` stands, in order; ``None`` when one is
    split over two pages."""
    found: list[Place] = []
    seen = set()
    for number, page in enumerate(pages):
        for box in with_class(page, css_class):
            if id(box.element) in seen:
                return None
            seen.add(id(box.element))
            top = round(internals.box_attribute(box, "position_y"), 4)
            bottom = round(box.position_y + box.margin_height(), 4)
            found.append((number, top, round(box.height, 4), bottom))
    return found


def with_class(page: Any, css_class: str) -> Iterator[Any]:
    """The blocks on a laid-out page whose element has the class ``css_class``, in order."""
    block = internals.block_box()
    for box in internals.page_box(page).descendants():
        element = internals.box_attribute(box, "element")
        if (
            isinstance(box, block)
            and element is not None
            and css_class in (element.get("class") or "").split()
        ):
            yield box
