"""Exercise cards and uitgangspunten cards: single cards and A4 sheets to print and cut.

A card set is what belongs together: one exercise, or one of the twelve
praktische uitgangspunten. Its text is cut into *units* (a title, a paragraph,
a list, a step heading, the QR code) that never break across a card.

Rendering takes two passes, because a sheet is a CSS grid of fixed-size cards
and a fixed-size box cannot flow its overflow into the next card:

1. **measure**: the units flow over pages exactly the size of a face's text
   area; WeasyPrint's pagination decides which units fit on which face. Fronts
   and backs alternate (front, back, front of the follow-up card, …); the steps
   always start on a new face. A text that does not fit continues on a
   follow-up card marked *vervolg*; the text never shrinks or clips.
2. **render**: every face at its own size (for the single-card PDFs) and the
   sheets (fronts, then the backs in mirrored slots), in one layout. The single
   cards and the sheet file are page ranges of that one layout
   (``Document.copy``), so the work is done once.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import model
from .errors import BuildError, WerkboekError
from .markup import plain_text
from .products import Product, Target
from .sheet import A6, BLEED, FORMATS, MARK_WIDTH_PT, CardFormat

FOLDER = "kaarten"
UNIT_PREFIX = "eenheid-"
MEASURE_SLACK_MM = 1.0
"""The measuring page is this much shorter than a face, so rounding never overflows a face."""
NOTE_LINE_MM = 8.0
"""The height of a ruled line (``.regel``) on an empty back."""
UITGANGSPUNTEN = "praktische-uitgangspunten-voor-het-creeren-van-partnerschap"


def mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


# ---------------------------------------------------------------- what goes on cards


@dataclass(frozen=True)
class Unit:
    """A piece of a card's text that is never split over two faces."""

    id: str
    kind: str
    data: Any
    breaks: bool = False
    """Starts a new face (the first unit of the back)."""


@dataclass(eq=False)
class CardSet:
    """The cards of one exercise or one uitgangspunt."""

    slug: str
    title: str
    colour_class: str
    band_front: tuple[str, str]
    """Small and large line of the band on the first front."""
    band_back: tuple[str, str]
    footer: str
    units: list[Unit]
    faces: list[Face] = field(default_factory=list)

    @property
    def cards(self) -> int:
        return len(self.faces) // 2


@dataclass(frozen=True, eq=False)
class Face:
    set: CardSet
    index: int
    """Position among the set's faces: even indexes are fronts."""
    units: tuple[Unit, ...]
    notes: bool = False
    note_lines: int = 0

    @property
    def side(self) -> str:
        return "voor" if self.index % 2 == 0 else "achter"

    @property
    def card(self) -> int:
        return self.index // 2 + 1

    @property
    def band_small(self) -> str:
        s = self.set
        if self.card > 1:
            return f"Vervolg · kaart {self.card} van {s.cards}"
        return (s.band_front if self.side == "voor" else s.band_back)[0]

    @property
    def band_large(self) -> str:
        s = self.set
        if self.index == 0:
            return s.band_front[1]
        return s.band_back[1]

    @property
    def footer_left(self) -> str:
        s = self.set
        side = "voorkant" if self.side == "voor" else "achterkant"
        return f"kaart {self.card} van {s.cards} · {side}" if s.cards > 1 else side

    @property
    def footer_right(self) -> str:
        s = self.set
        last_of_card = self.side == "achter"
        if last_of_card and self.card < s.cards:
            return f"verder op kaart {self.card + 1} →"
        return s.footer


def exercise_set(
    content: Any, principle: model.Principle, exercise: model.Exercise, fmt: CardFormat, key: str
) -> CardSet:
    """The units of an exercise card: front (title, meta, purpose, QR on A5), back (steps)."""
    number = principle.exercises.index(exercise) + 1
    principle_number = content.principles.index(principle) + 1
    url = content.exercise_url(principle, exercise)
    qr = {
        "url": url,
        "label": f"de oefening {exercise.plain_title}",
        "caption": "Deze oefening online:" if fmt.full_steps else "De volledige oefening online:",
    }
    units = _Units(key)
    units.add("kop", {"number": number, "exercise": exercise})
    units.add_blocks(exercise.purpose)
    if fmt.full_steps:
        units.add("qr", qr)
        for step_number, step in enumerate(exercise.steps, 1):
            units.add("stap", {"number": step_number, "step": step}, breaks=step_number == 1)
            units.add_blocks(step.body)
    else:
        units.add("stappen-kop", "Stappen", breaks=True)
        for step_number, step in enumerate(exercise.steps, 1):
            units.add("stap-kort", {"number": step_number, "step": step})
        units.add("qr", qr)
    return CardSet(
        slug=exercise.slug,
        title=exercise.plain_title,
        colour_class=f"kleur-{principle.slug}",
        band_front=(f"Basisprincipe {principle_number} · Oefenkaart", principle.title),
        band_back=(principle.plain_title, exercise.title),
        footer=f"Oefening {number} · {principle.plain_title}",
        units=units,
    )


def uitgangspunt_set(article: model.Article, number: int, item: model.ArticleItem) -> CardSet:
    """Number and title on the front; the explanation on the back."""
    data = {"number": number, "item": item}
    units = _Units(f"u{number}")
    units.add("uitgangspunt", data)
    units.add("uitgangspunt-kop", data, breaks=True)
    units.add_blocks(item.body)
    total = len(article.items)
    return CardSet(
        slug=f"uitgangspunt-{number}",
        title=f"{number}. {plain_text(item.title)}",
        colour_class="kleur-uitgangspunten",
        band_front=("Praktische uitgangspunten", "voor het creëren van partnerschap"),
        band_back=("Praktische uitgangspunten", f"Uitgangspunt {number} van {total}"),
        footer="Uit het Inspiratiedocument",
        units=units,
    )


class _Units(list[Unit]):
    """The units of one card set, numbered in order."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def add(self, kind: str, data: Any, breaks: bool = False) -> None:
        self.append(Unit(f"{UNIT_PREFIX}{self.key}-{len(self)}", kind, data, breaks))

    def add_blocks(self, blocks: list[Any]) -> None:
        """A unit per block, and per item of a list, so a long list continues on the next face.

        Trainer-only material stays off cards.
        """
        for block in blocks:
            if isinstance(block, model.TrainerOnly):
                continue
            if isinstance(block, model.BulletList | model.NumberedList):
                numbered = isinstance(block, model.NumberedList)
                start = block.start if numbered else 1
                for index, item in enumerate(block.items):
                    last = index == len(block.items) - 1
                    entry = {"item": item, "numbered": numbered, "number": start + index}
                    self.add("lijst-item-laatste" if last else "lijst-item", entry)
            else:
                self.add("blok", block)


# ---------------------------------------------------------------- sheets


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


def sheets(sets: list[CardSet], fmt: CardFormat) -> list[Sheet]:
    """The physical cards, in order, on A4 sheets: fronts, then backs mirrored."""
    cards = [(s.faces[i], s.faces[i + 1]) for s in sets for i in range(0, len(s.faces), 2)]
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
        f"@page kaart {{ size: {mm(fmt.width)} {mm(fmt.height)}; }}\n"
        f".kaart {{ width: {mm(fmt.width)}; height: {mm(fmt.height)}; }}\n"
        f".kaart-band {{ top: -{mm(BLEED)}; left: -{mm(BLEED)}; right: -{mm(BLEED)}; "
        f"height: {mm(fmt.band + BLEED)}; padding: {mm(BLEED)} {mm(BLEED + fmt.padding)} 0; }}\n"
        f".kaart-inhoud, .kaart-maat {{ width: {mm(body.width)}; }}\n"
        f".kaart .kaart-inhoud {{ left: {mm(body.x)}; top: {mm(body.y)}; "
        f"height: {mm(body.height)}; }}\n"
        f".kaart-voet {{ left: {mm(fmt.padding)}; right: {mm(fmt.padding)}; "
        f"height: {mm(fmt.footer)}; }}\n"
    )


# ---------------------------------------------------------------- measuring


def assign_faces(document: Any, sets: list[CardSet], fmt: CardFormat, what: str) -> None:
    """Read from the measuring layout which units landed on which face."""
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
                raise BuildError(f"{what}: {s.title}: part {u.kind} was not laid out")
            first, last = where[u.id]
            if first != last:
                raise BuildError(
                    f"{what}: {s.title}: a {u.kind} is too long for one {fmt.name.upper()} card"
                )
            pages.setdefault(first, []).append(u)
        ordered = [pages[number] for number in sorted(pages)]
        s.faces = [Face(s, i, tuple(units)) for i, units in enumerate(ordered)]
        if len(s.faces) % 2:
            s.faces.append(Face(s, len(s.faces), (), notes=True, note_lines=lines))


# ---------------------------------------------------------------- the product


class CardsProduct(Product):
    """Exercise cards (A5, or A6 with ``card_size="a6"``) and the uitgangspunten cards."""

    name = "cards"
    description = "exercise cards and uitgangspunten cards, single and on A4 sheets"
    extra_stylesheets = ("kaarten.css",)

    @property
    def card_format(self) -> CardFormat:
        size = self.project.card_size
        if size not in FORMATS:
            raise WerkboekError(f"unknown card size {size!r} (card sizes: {', '.join(FORMATS)})")
        return FORMATS[size]

    def targets(self) -> Iterator[Target]:
        folder = self.project.output_dir / FOLDER
        fmt = self.card_format
        document = self.content.document
        source = f"{plain_text(document.title)} {plain_text(document.programme)}"
        yield Target(
            path=folder / "oefenkaarten.pdf",
            template="cards.html.j2",
            title=f"Oefenkaarten ({fmt.name.upper()}) — {source}",
            context={"kind": "oefeningen", "card_format": fmt},
            key=f"oefeningen:{fmt.name}",
        )
        if any(a.slug == UITGANGSPUNTEN for a in self.content.articles):
            article = self.content.article(UITGANGSPUNTEN)
            yield Target(
                path=folder / "uitgangspunten.pdf",
                template="cards.html.j2",
                title=f"{article.plain_title}: kaarten — {source}",
                context={"kind": "uitgangspunten", "card_format": A6},
                key="uitgangspunten",
            )

    def cost(self, target: Target) -> float:
        return 5.0 if target.context["kind"] == "oefeningen" else 1.0

    def outputs(self, target: Target) -> list[Path]:
        singles = []
        if target.context["kind"] == "oefeningen":
            singles = [target.path.parent / f"{s.slug}.pdf" for s in self.card_sets(target)]
        return [*singles, target.path]

    def card_sets(self, target: Target) -> list[CardSet]:
        content = self.content
        fmt: CardFormat = target.context["card_format"]
        if target.context["kind"] == "uitgangspunten":
            article = content.article(UITGANGSPUNTEN)
            return [uitgangspunt_set(article, n, item) for n, item in enumerate(article.items, 1)]
        return [
            exercise_set(content, principle, exercise, fmt, f"o{n}")
            for n, (principle, exercise) in enumerate(content.exercises(), 1)
        ]

    def html(self, target: Target) -> str:
        """The cards as HTML, faces filled naively: for a dry run (``werkboek check``)."""
        if "mode" in target.context:
            return super().html(target)
        fmt: CardFormat = target.context["card_format"]
        sets = self.card_sets(target)
        for s in sets:
            back = next((i for i, u in enumerate(s.units) if u.breaks), len(s.units))
            s.faces = [Face(s, 0, tuple(s.units[:back])), Face(s, 1, tuple(s.units[back:]))]
        return self._html(target, mode="kaarten", sets=sets, singles=True, sheets=sheets(sets, fmt))

    def _html(self, target: Target, **context: Any) -> str:
        fmt: CardFormat = target.context["card_format"]
        extra = {**target.context, "card_css": card_css(fmt), "singles": False, "sheets": []}
        extra.update(context)
        return super().html(Target(target.path, target.template, target.title, extra))

    def build(self, target: Target) -> Path:
        return self.make(target)[-1]

    def make(self, target: Target) -> list[Path]:
        """The files from the build cache when nothing changed, or else built and cached."""
        outputs = self.outputs(target)
        keys = [f"{self.name}:{target.key}:{path.name}" for path in outputs]
        cache = self.project.cache
        if target.key and all(cache.path(key).is_file() for key in keys):
            return [cache.fetch(key, path) or path for key, path in zip(keys, outputs, strict=True)]
        written = self._make(target)
        if target.key:
            for key, path in zip(keys, written, strict=True):
                cache.store(key, path)
        return written

    def _make(self, target: Target) -> list[Path]:
        """Measure, lay out once, and write the sheet file (and for exercises every card)."""
        from .render import write_pdf

        fmt: CardFormat = target.context["card_format"]
        what = str(target.path)
        sets = self.card_sets(target)
        measured = self.layout(target, self._html(target, mode="maat", sets=sets))
        assign_faces(measured, sets, fmt, what)

        singles = target.context["kind"] == "oefeningen"
        laid_out = sheets(sets, fmt)
        document = self.layout(
            target,
            self._html(target, mode="kaarten", sets=sets, singles=singles, sheets=laid_out),
        )
        faces = sum(len(s.faces) for s in sets) if singles else 0
        expected = faces + 2 * len(laid_out)
        if len(document.pages) != expected:
            raise BuildError(
                f"{what}: expected {expected} pages, got {len(document.pages)} (a face overflows)"
            )
        written = []
        if singles:
            start = 0
            for s in sets:
                pages = document.pages[start : start + len(s.faces)]
                start += len(s.faces)
                single = _subset(document, pages, f"{s.title} — oefenkaart")
                path = target.path.parent / f"{s.slug}.pdf"
                written.append(write_pdf(single, path, what=str(path)))
        sheet_file = _subset(document, document.pages[faces:], target.title)
        written.append(write_pdf(sheet_file, target.path, what=what))
        return written


def _subset(document: Any, pages: list[Any], title: str) -> Any:
    part = document.copy(pages)
    part.metadata = copy.copy(document.metadata)
    part.metadata.title = title
    return part
