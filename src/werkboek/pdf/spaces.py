"""The spaces between words, in the text of the PDF.

Text read out of the PDF (through the tags, by copy and paste) has a space between words:
WeasyPrint draws no text box of spaces only (the space between two inline elements:
"Koffie" "of" "Thee") and removes the space where a line breaks ("wat is" "daarin"). Both
are drawn now, as a space: no ink, so the pages look the same, but the space is in the text,
in the marked content of its element.

Three private WeasyPrint functions are wrapped (:data:`PATCHES`, installed with the tag-tree
builder by :func:`.tags.install`, all through :mod:`.internals`):
``weasyprint.layout.inline.split_text_box`` (leaves the space where it breaks a line
between the two lines: the first line's box is marked now),
``weasyprint.layout.inline.remove_last_whitespace`` (removes a space at a line's end, and
now marks the box), ``weasyprint.draw.text.draw_first_line`` (skips a blank box, and draws a
marked box's text with its space; its layout's text set as ``draw_text`` sets it).

A word WeasyPrint hyphenates at a line's end ends in a hyphen it drew (``hyphenate-character``,
U+002D): no hyphen of the text. The box that ends in one is marked where the line is split;
when it is drawn, that last glyph is split off into a ``TJ`` of its own, in marked content
whose ``/ActualText`` is a soft hyphen (U+00AD), as ISO 32000-1 (14.8.2.2.3) and PDF/UA ask:
copy and paste, search and a screen reader get the word whole ("gezinsbe\u00ad" +
"scherming"), while a hyphen of the text stays a hyphen. (Left to right only: a hyphenated
right-to-left line, which no Dutch text has, keeps its hyphen.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import internals

SPACE_KEPT = "werkboek_space"
"""Set on a text box whose space at the end of its line WeasyPrint removed."""
HYPHENATED = "werkboek_hyphenated"
"""Set on a text box that ends in the hyphen WeasyPrint added where it broke the word."""
SOFT_HYPHEN = "\u00ad"
BLANK = "\u200b"
"""What a text box of spaces only says it holds while it is drawn: not blank."""


def _text(box: Any) -> str:
    return internals.box_attribute(box, "text")  # type: ignore[no-any-return]


def _split(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)  # (its signature stays WeasyPrint's, for internals.check)
    def split_text_box(
        context: Any, box: Any, available_width: Any, skip: int, *args: Any, **kwargs: Any
    ) -> Any:
        found = original(context, box, available_width, skip, *args, **kwargs)
        first, resume, preserved = found
        if first is not None and resume is not None and not preserved:
            between = _text(box).encode()[skip + len(_text(first).encode()) : resume]
            if between and not between.strip(b" "):  # (not at a hyphen, not mid-word)
                setattr(first, SPACE_KEPT, True)
            hyphen = internals.box_attribute(box, "style")["hyphenate_character"]
            drawn = _text(first)
            if (
                hyphen
                and drawn.endswith(hyphen)
                and not _text(box).encode()[skip:].startswith(drawn.encode())
            ):  # (the hyphen is WeasyPrint's, not the text's)
                setattr(first, HYPHENATED, hyphen)
        return found

    return split_text_box


def _strip(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def remove_last_whitespace(context: Any, line: Any) -> Any:
        box = line
        while getattr(box, "children", None) and not hasattr(box, "text"):
            box = box.children[-1]
        before = getattr(box, "text", None)
        result = original(context, line)
        if before is not None and _text(box) != before:
            setattr(box, SPACE_KEPT, True)
        return result

    return remove_last_whitespace


def _draw(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def draw_first_line(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        text = _text(textbox)
        spaced = getattr(textbox, SPACE_KEPT, False)
        hyphen = getattr(textbox, HYPHENATED, None)
        if hyphen and len(hyphen) == 1 and text.endswith(hyphen):
            since = len(internals.stream_items(stream))
            drawn = original(stream, textbox, *args, **kwargs)
            if internals.box_attribute(textbox, "style")["direction"] == "ltr":
                internals.last_glyph_as(stream, since, SOFT_HYPHEN)
            return drawn
        if not (spaced or (text and not text.strip())):
            return original(stream, textbox, *args, **kwargs)
        layout = internals.box_attribute(textbox, "pango_layout")
        drawn = internals.layout_text(layout)
        if spaced:
            internals.set_layout_text(layout, drawn + " ")
        textbox.text = text if text.strip() else BLANK
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            textbox.text = text
            if spaced:
                internals.set_layout_text(layout, drawn)

    return draw_first_line


PATCHES: dict[str, internals.Wrap] = {
    "weasyprint.layout.inline.split_text_box": _split,
    "weasyprint.layout.inline.remove_last_whitespace": _strip,
    "weasyprint.draw.text.draw_first_line": _draw,
}
"""The private functions wrapped, and how."""
