"""What goes on cards: a card set's text cut into units that never break across a card.

A card set is what belongs together: one exercise, or one of the praktische
uitgangspunten. Its text is cut into *units* (a title, a paragraph, a list item, a step
heading, the QR code); measuring (:mod:`.measure`) decides which units land on which
*face*, and the faces make the cards (front and back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...content import Content, schema
from ...content.markup import plain_text
from ...content.settings import UitgangspuntenCards, fill
from ...content.source import PathPart
from .sheet import CardFormat

UNIT_PREFIX = "eenheid-"

Where = tuple[str, tuple[PathPart, ...]]
"""A place in the content: the key of its file in ``Content.sources`` and the path in it."""


def _at(where: Where, *parts: PathPart) -> Where:
    return where[0], (*where[1], *parts)


@dataclass(frozen=True)
class Unit:
    """A piece of a card's text that is never split over two faces."""

    id: str
    kind: str
    data: Any
    breaks: bool = False
    """Starts a new face (the first unit of the back)."""
    where: Where | None = None
    """Where its text is in the content: the source's key and the path in it."""


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
    publisher: str = ""
    """The organisation's name, at the foot of every front."""

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
        if not last_of_card and s.publisher:
            return s.publisher
        if last_of_card and self.card < s.cards:
            # (›: the packaged fonts have no arrow, and no system font may stand in)
            return f"verder op kaart {self.card + 1} ›"
        return s.footer


def exercise_set(
    content: Content,
    principle: schema.Principle,
    exercise: schema.Exercise,
    fmt: CardFormat,
    key: str,
) -> CardSet:
    """The units of an exercise card: front (title, meta, purpose, QR on A5), back (steps)."""
    number = principle.exercises.index(exercise) + 1
    band = fill(
        content.settings.cards.exercise_band,
        nummer=content.principle_number(principle),
        principe=principle.plain_title,
    )
    url = content.exercise_url(principle, exercise)
    qr = {
        "url": url,
        "label": f"de oefening {exercise.plain_title}",
        "caption": "Deze oefening online:" if fmt.full_steps else "De volledige oefening online:",
    }
    units = _Units(key)
    at: Where = (f"principle:{principle.slug}", ("oefeningen", number - 1))
    units.add("kop", {"number": number, "exercise": exercise}, where=at)
    units.add_blocks(exercise.purpose, _at(at, "doel"))
    if fmt.full_steps:
        units.add("qr", qr, where=at)
        for step_number, step in enumerate(exercise.steps, 1):
            step_at = _at(at, "stappen", step_number - 1)
            data = {"number": step_number, "step": step}
            units.add("stap", data, breaks=step_number == 1, where=step_at)
            units.add_blocks(step.body, _at(step_at, "inhoud"))
    else:
        units.add("stappen-kop", "Stappen", breaks=True, where=_at(at, "stappen"))
        steps = units.next_id  # the steps are one numbered list, one unit per step
        for step_number, step in enumerate(exercise.steps, 1):
            data = {"number": step_number, "step": step, "list": steps}
            units.add("stap-kort", data, where=_at(at, "stappen", step_number - 1))
        units.add("qr", qr, where=at)
    return CardSet(
        slug=exercise.slug,
        title=exercise.plain_title,
        colour_class=f"kleur-{principle.slug}",
        band_front=(band, principle.title),
        band_back=(principle.plain_title, exercise.title),
        footer=f"Oefening {number}",  # the band names the principle
        units=units,
    )


def uitgangspunt_set(
    settings: UitgangspuntenCards, article: schema.Article, number: int, item: schema.ArticleItem
) -> CardSet:
    """Number and title on the front; the explanation on the back."""
    data = {"number": number, "item": item}
    units = _Units(f"u{number}")
    at: Where = (f"article:{article.slug}", ("items", number - 1))
    units.add("uitgangspunt", data, where=at)
    units.add("uitgangspunt-kop", data, breaks=True, where=at)
    units.add_blocks(item.body, _at(at, "inhoud"))
    total = len(article.items)
    return CardSet(
        slug=f"uitgangspunt-{number}",
        title=f"{number}. {plain_text(item.title)}",
        colour_class="kleur-uitgangspunten",
        band_front=(plain_text(settings.band[0]), settings.band[1]),
        band_back=(plain_text(settings.band[0]), f"Uitgangspunt {number} van {total}"),
        footer=plain_text(settings.footer),
        units=units,
    )


class _Units(list[Unit]):
    """The units of one card set, numbered in order."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    @property
    def next_id(self) -> str:
        """The ID of the unit added next."""
        return f"{UNIT_PREFIX}{self.key}-{len(self)}"

    def add(self, kind: str, data: Any, breaks: bool = False, where: Where | None = None) -> None:
        self.append(Unit(self.next_id, kind, data, breaks, where))

    def add_blocks(self, blocks: list[Any], where: Where) -> None:
        """A unit per block, and per item of a list, so a long list continues on the next face
        (the items of a list on one face are tagged as one list, see ``werkboek.pdf.finish``).

        Trainer-only material stays off cards.
        """
        for position, block in enumerate(blocks):
            at = _at(where, position)
            if isinstance(block, schema.TrainerOnly):
                continue
            if isinstance(block, schema.BulletList | schema.NumberedList):
                numbered = isinstance(block, schema.NumberedList)
                start = block.start if isinstance(block, schema.NumberedList) else 1
                first = self.next_id  # names the list: its pieces on one face are one list
                for index, item in enumerate(block.items):
                    last = index == len(block.items) - 1
                    entry = {"item": item, "numbered": numbered, "number": start + index}
                    entry["list"] = first
                    self.add("lijst-item-laatste" if last else "lijst-item", entry, where=at)
            else:
                self.add("blok", block, where=at)
