"""Card formats and how cards sit on an A4 sheet: slots, bleed and crop marks.

All sizes are in millimetres. This module is the one place that knows them: the
card templates turn them into CSS (page sizes, the sheet's grid tracks, the
crop marks) and the tests measure the printed sheets against them.

Two A5 cards fill an A4 sheet edge to edge, and so do four A6 cards: no room is
left for bleed, for crop marks or for the few millimetres every office printer
cannot print on. So:

* an A5 card (148 × 210 mm) sits alone, centred, on an A4 sheet, with marks;
  the single-card PDFs are A5 pages, to print on A5 stock without cutting;
* the small card is "A6 trimmed" to 90 × 130 mm, four to an A4 sheet with a
  6 mm gutter (two bleeds) between them and 12 mm or more of margin for the marks.

The sheets themselves are CSS: :func:`card_css` gives the page and face sizes, and
:func:`sheets` the grid tracks, the slot of every face and the crop marks as inline
styles; the templates only place what these say.

Fronts and backs are laid out for **double-sided printing, flipped on the long
edge** (the usual duplex setting for portrait pages): the back of the card in
column ``c`` is printed in column ``columns - 1 - c`` of the next page, same
row, and the sheet is symmetric, so the back lands behind its own front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from .units import Face

SHEET_WIDTH = 210.0
SHEET_HEIGHT = 297.0
BLEED = 3.0
"""How far colour areas run past the cut line."""
MARK_GAP = 0.5
"""Space between the bleed and the start of a crop mark."""
MARK_LENGTH = 6.0
MARK_EDGE = 5.0
"""A mark stops this far from the paper edge: inside what an office printer prints."""
MARK_WIDTH_PT = 0.5


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (
            self.x - margin <= x <= self.right + margin
            and self.y - margin <= y <= self.bottom + margin
        )


@dataclass(frozen=True)
class Mark:
    """A crop mark: a line segment from (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def vertical(self) -> bool:
        return self.x1 == self.x2


@dataclass(frozen=True)
class CardFormat:
    """A card size, the layout of its face and its place on an A4 sheet."""

    name: str
    label: str
    width: float
    height: float
    columns: int
    rows: int
    gutter: float
    band: float
    """Height of the coloured band at the top of every face (without bleed)."""
    padding: float
    """Left and right padding of a face, and the space between band and text."""
    footer: float
    """Room at the bottom of a face for the small footer: two lines of 8.5 pt above the
    3 mm kept clear of the edge (the organisation's name may take two on a small card)."""
    full_steps: bool
    """The back shows every step in full; otherwise titles and minutes, and a QR code."""

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def body(self) -> Rect:
        """The text area of a face, relative to the card's top left corner."""
        top = self.band + self.padding
        return Rect(
            self.padding, top, self.width - 2 * self.padding, self.height - top - self.footer
        )

    @property
    def margin_x(self) -> float:
        return (SHEET_WIDTH - self.columns * self.width - (self.columns - 1) * self.gutter) / 2

    @property
    def margin_y(self) -> float:
        return (SHEET_HEIGHT - self.rows * self.height - (self.rows - 1) * self.gutter) / 2

    def slot(self, index: int) -> Rect:
        """Where the card in slot ``index`` (row by row) is cut out of the sheet."""
        row, column = divmod(index, self.columns)
        return Rect(
            self.margin_x + column * (self.width + self.gutter),
            self.margin_y + row * (self.height + self.gutter),
            self.width,
            self.height,
        )

    def back_slot(self, index: int) -> int:
        """The slot of a card's back on the next page (long-edge flip mirrors columns)."""
        row, column = divmod(index, self.columns)
        return row * self.columns + (self.columns - 1 - column)

    def marks(self, used: int | None = None) -> list[Mark]:
        """Crop marks in the sheet's margins, on the extension of every cut line."""
        slots = [self.slot(i) for i in range(self.per_sheet if used is None else used)]
        # the back of a part-filled sheet uses the mirrored slots: mark both
        slots += [self.slot(self.back_slot(i)) for i in range(len(slots))]
        xs = sorted({s.x for s in slots} | {s.right for s in slots})
        ys = sorted({s.y for s in slots} | {s.bottom for s in slots})
        top, bottom = min(ys), max(ys)
        left, right = min(xs), max(xs)
        marks = []
        for x in xs:
            start, end = self._mark_span(top)
            marks.append(Mark(x, top - end, x, top - start))
            start, end = self._mark_span(SHEET_HEIGHT - bottom)
            marks.append(Mark(x, bottom + start, x, bottom + end))
        for y in ys:
            start, end = self._mark_span(left)
            marks.append(Mark(left - end, y, left - start, y))
            start, end = self._mark_span(SHEET_WIDTH - right)
            marks.append(Mark(right + start, y, right + end, y))
        return marks

    @staticmethod
    def _mark_span(margin: float) -> tuple[float, float]:
        """Where a mark starts and ends, measured outward from the cut line."""
        start = BLEED + MARK_GAP
        end = min(start + MARK_LENGTH, margin - MARK_EDGE)
        if end - start < 3:
            raise ValueError(f"a margin of {margin} mm leaves no room for crop marks")
        return start, end


A5 = CardFormat(
    name="a5",
    label="A5 (148 × 210 mm), één kaart per A4-vel",
    width=148.0,
    height=210.0,
    columns=1,
    rows=1,
    gutter=0.0,
    band=20.0,
    padding=9.0,
    footer=11.0,
    full_steps=True,
)
A6 = CardFormat(
    name="a6",
    label="A6-formaat bijgesneden tot 90 × 130 mm, vier kaarten per A4-vel",
    width=90.0,
    height=130.0,
    columns=2,
    rows=2,
    gutter=2 * BLEED,
    band=15.0,
    padding=6.0,
    footer=10.0,
    full_steps=False,
)
FORMATS: dict[str, CardFormat] = {f.name: f for f in (A5, A6)}

MEASURE_SLACK_MM = 1.0
"""The measuring page is this much shorter than a face, so rounding never overflows a face."""


def mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


# ---------------------------------------------------------------- imposition


@dataclass(frozen=True)
class Slot:
    face: Face
    style: str


@dataclass(frozen=True)
class Side:
    name: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Sheet:
    sides: tuple[Side, Side]
    grid_style: str
    marks: tuple[str, ...]
    cards: tuple[tuple[Face, Face], ...]


def _grid_style(fmt: CardFormat) -> str:
    def tracks(count: int, size: float, margin: float) -> str:
        inner = [mm(size)] * count
        between = f" {mm(fmt.gutter)} ".join(inner)
        return f"{mm(margin)} {between} {mm(margin)}"

    return (
        f"grid-template-columns: {tracks(fmt.columns, fmt.width, fmt.margin_x)}; "
        f"grid-template-rows: {tracks(fmt.rows, fmt.height, fmt.margin_y)}"
    )


def _slot_style(fmt: CardFormat, index: int) -> str:
    row, column = divmod(index, fmt.columns)
    return f"grid-row: {2 + 2 * row}; grid-column: {2 + 2 * column}"


def _mark_style(fmt: CardFormat, used: int) -> tuple[str, ...]:
    width = MARK_WIDTH_PT * 25.4 / 72
    styles = []
    for mark in fmt.marks(used):
        if mark.vertical:
            box = (mark.x1 - width / 2, mark.y1, width, mark.y2 - mark.y1)
        else:
            box = (mark.x1, mark.y1 - width / 2, mark.x2 - mark.x1, width)
        left, top, w, h = box
        styles.append(f"left: {mm(left)}; top: {mm(top)}; width: {mm(w)}; height: {mm(h)}")
    return tuple(styles)


def sheets(cards: Sequence[tuple[Face, Face]], fmt: CardFormat) -> list[Sheet]:
    """The physical cards (front, back), in order, on A4 sheets: fronts, then backs mirrored."""
    result = []
    for start in range(0, len(cards), fmt.per_sheet):
        batch = cards[start : start + fmt.per_sheet]
        fronts = tuple(Slot(front, _slot_style(fmt, i)) for i, (front, _) in enumerate(batch))
        backs = tuple(
            Slot(back, _slot_style(fmt, fmt.back_slot(i))) for i, (_, back) in enumerate(batch)
        )
        result.append(
            Sheet(
                sides=(Side("voor", fronts), Side("achter", backs)),
                grid_style=_grid_style(fmt),
                marks=_mark_style(fmt, len(batch)),
                cards=tuple(batch),
            )
        )
    return result


def card_css(fmt: CardFormat) -> Markup:
    """The sizes of this format as CSS: page sizes and the face's boxes (numbers only)."""
    body = fmt.body
    return Markup(
        f"@page maat {{ size: {mm(body.width)} {mm(body.height - MEASURE_SLACK_MM)}; }}\n"
        # a single card is for the print shop: its trim size, with a real bleed (the bleed
        # box around the trim box, see werkboek.pdf.press.bleed_boxes) and crop marks
        # outside the bleed: WeasyPrint draws them over the outer half of its bleed area
        # (12 mm: marks from 6 to 12 mm beyond the trim, the colour 3 mm)
        f"@page kaart {{ size: {mm(fmt.width)} {mm(fmt.height)}; "
        f"bleed: {mm(2 * max(MARK_LENGTH, BLEED + MARK_GAP))}; marks: crop; }}\n"
        f".kaart {{ width: {mm(fmt.width)}; height: {mm(fmt.height)}; }}\n"
        f".kaart-band {{ top: -{mm(BLEED)}; left: -{mm(BLEED)}; right: -{mm(BLEED)}; "
        f"height: {mm(fmt.band + BLEED)}; padding: {mm(BLEED)} {mm(BLEED + fmt.padding)} 0; }}\n"
        f".kaart-inhoud, .kaart-maat {{ width: {mm(body.width)}; }}\n"
        f".kaart .kaart-inhoud {{ left: {mm(body.x)}; top: {mm(body.y)}; "
        f"height: {mm(body.height)}; }}\n"
        f".kaart-voet {{ left: {mm(fmt.padding)}; right: {mm(fmt.padding)}; "
        f"height: {mm(fmt.footer)}; }}\n"
    )
