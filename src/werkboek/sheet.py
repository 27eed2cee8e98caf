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

Fronts and backs are laid out for **double-sided printing, flipped on the long
edge** (the usual duplex setting for portrait pages): the back of the card in
column ``c`` is printed in column ``columns - 1 - c`` of the next page, same
row, and the sheet is symmetric, so the back lands behind its own front.
"""

from __future__ import annotations

from dataclasses import dataclass

SHEET_WIDTH = 210.0
SHEET_HEIGHT = 297.0
BLEED = 3.0
"""How far colour areas run past the cut line."""
MARK_GAP = 1.5
"""Space between the bleed and the start of a crop mark."""
MARK_LENGTH = 6.0
MARK_EDGE = 1.5
"""A mark stops this far from the paper edge."""
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
    """Room at the bottom of a face for the small footer line."""
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
    footer=9.0,
    full_steps=False,
)
FORMATS: dict[str, CardFormat] = {f.name: f for f in (A5, A6)}
