"""A sheet of cards filled with the faces the single cards laid out, instead of laying them
out again.

The exercise cards come two ways from one layout: every face as a page of its own (the
single cards) and the faces again in the slots of A4 sheets. Laying a face out a second time
costs what the first did, so the sheet's slots are laid out empty and each then gets a copy
of its face's boxes from the single card's page, moved to the slot's corner. That is where
the face stood when the sheet was laid out with it (a face is ``position: absolute`` at its
slot's top left, and has the size of the single card, bleed included).

The copy shares the face's styles, elements and text: it is drawn, tagged and linked as
the face laid out in the slot was (WeasyPrint's tag tree, links and bookmarks follow the
boxes; the sheet's pages are made again from their boxes, so their links and bookmarks
are gathered from the faces in place). The single cards' pages keep their own boxes.

WeasyPrint places backgrounds after the layout, on the page (absolute rectangles that a
move does not change), so the copy's are placed again where it stands, with the images the
original's hold.

Private WeasyPrint names, through :mod:`.internals`: a page's root box, ``BlockBox``
``deepcopy()``, ``translate()``, ``content_box_x()``/``content_box_y()``, the positions and
``children`` of a box, ``layout_box_backgrounds()`` and ``Page(page_box)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import internals
from .boxes import with_class


def fill(
    pages: list[Any],
    placements: Sequence[tuple[int, Sequence[int]]],
    *,
    slot: str,
    face: str,
) -> None:
    """For each ``(sheet page, face pages)`` of ``placements`` (indexes into ``pages``):
    the blocks of class ``slot`` on the sheet page, in order, each get a copy of the block of
    class ``face`` on its face page; then that page of ``pages`` is made again."""
    for sheet, faces in placements:
        root = internals.page_box(pages[sheet])
        slots = list(with_class(pages[sheet], slot))
        if len(slots) != len(faces):
            raise ValueError(f"blad {sheet + 1}: {len(slots)} vakken voor {len(faces)} zijden")
        for place, number in zip(slots, faces, strict=True):
            if internals.box_attribute(place, "children"):
                raise ValueError(f"blad {sheet + 1}: een vak is niet leeg")
            found = list(with_class(pages[number], face))
            if len(found) != 1:
                raise ValueError(f"blad {number + 1}: {len(found)} kaartzijden")
            original = found[0]
            (x, y), (left, top) = internals.content_corner(place), internals.margin_corner(original)
            copy = internals.moved_copy(original, x - left, y - top)
            internals.place_backgrounds(root, copy, original)
            internals.set_children(place, [copy])
        pages[sheet] = internals.page(root)
