"""The cards product: exercise cards and uitgangspunten cards, single and on A4 sheets.

Rendering takes two passes, because a sheet is a CSS grid of fixed-size cards and a
fixed-size box cannot flow its overflow into the next card:

1. **measure** (:mod:`.measure`): which units fit on which face;
2. **render**: every face at its own size (for the single-card PDFs) and the sheets
   (fronts, then the backs in mirrored slots), in one layout. The single cards and the
   sheet file are page ranges of that one layout (``Document.copy``). With single cards,
   the sheets' slots are laid out empty and filled with copies of the singles' laid-out
   faces (:mod:`werkboek.pdf.slots`), so each face is laid out once; the uitgangspunten
   cards, which have no singles, are laid out in their slots.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from ...content.markup import plain_text
from ...errors import BuildError, Problem
from ...pdf import slots
from ..base import Product, ProductOptions, Target
from .measure import assign_faces, naive_faces
from .sheet import A6, FORMATS, CardFormat, Sheet, card_css, sheets
from .units import CardSet, exercise_set, uitgangspunt_set

MAX_CARDS = 2
"""More cards than this for one exercise is a warning: a stack, not a card."""


@dataclass(frozen=True)
class CardOptions(ProductOptions):
    card_size: Literal["a5", "a6"] = "a5"
    """The exercise cards' format (see :mod:`.sheet`); uitgangspunten cards are always A6."""


class CardsProduct(Product):
    """Exercise cards (A5, or A6) and the uitgangspunten cards."""

    name = "cards"
    folder = "kaarten"
    description = "oefenkaarten, en kaarten van de genummerde items van een artikel, los en op A4"
    Options = CardOptions
    stylesheets = ("werkboek.css", "kaarten.css")
    options: CardOptions

    def targets(self) -> Iterator[Target]:
        content = self.content
        fmt = FORMATS[self.options.card_size]
        source = content.source_name
        # the small exercise cards in a folder of their own, beside (never over) the A5 ones
        folder = self.output_folder if fmt.name == "a5" else self.output_folder / fmt.name
        exercises = Target(
            path=folder / "oefenkaarten.pdf",
            template="cards.html.j2",
            title=f"Oefenkaarten ({fmt.name.upper()}) — {source}",
            context={"kind": "oefeningen", "card_format": fmt},
            key=f"oefeningen:{fmt.name}",
        )
        singles = tuple(folder / f"{s.slug}.pdf" for s in self.card_sets(exercises))
        yield dataclasses.replace(exercises, also=singles)
        uitgangspunten = content.settings.cards.uitgangspunten
        if uitgangspunten is not None:
            article = content.article(uitgangspunten.article)
            yield Target(
                path=self.output_folder / "uitgangspunten.pdf",
                template="cards.html.j2",
                title=f"{article.plain_title}: kaarten — {source}",
                context={"kind": "uitgangspunten", "card_format": A6},
                key="uitgangspunten",
            )

    def cost(self, target: Target) -> float:
        return 5.0 if target.context["kind"] == "oefeningen" else 1.0

    def card_sets(self, target: Target) -> list[CardSet]:
        content = self.content
        fmt: CardFormat = target.context["card_format"]
        if target.context["kind"] == "uitgangspunten":
            settings = content.settings.cards.uitgangspunten
            assert settings is not None
            article = content.article(settings.article)
            sets = [
                uitgangspunt_set(settings, article, n, item)
                for n, item in enumerate(article.items, 1)
            ]
        else:
            sets = [
                exercise_set(content, principle, exercise, fmt, f"o{n}")
                for n, (principle, exercise) in enumerate(content.exercises(), 1)
            ]
        for card_set in sets:
            card_set.publisher = plain_text(content.organisation.name)
        return sets

    def html(self, target: Target) -> str:
        """The cards as HTML, faces filled without measuring: for a dry run."""
        sets = self.card_sets(target)
        naive_faces(sets)
        return self._html(target, mode="kaarten", sets=sets, singles=True)

    def check(self) -> int:
        """The dry run, and the cards measured as a build measures them: a text too long
        for a card is an error at its line in the content; an exercise over more than
        :data:`MAX_CARDS` cards a warning (see :meth:`warnings`)."""
        count = super().check()
        self._warnings: list[Problem] = []
        for target in self.targets():
            fmt: CardFormat = target.context["card_format"]
            sets = self.card_sets(target)
            measured = self.layout(
                target, self._html(target, mode="maat", sets=sets, singles=False)
            )
            assign_faces(measured, sets, fmt, str(target.path), self.content)
            for card_set in sets:
                first = card_set.units[0].where if card_set.units else None
                if card_set.cards > MAX_CARDS and first is not None:
                    message = (
                        f"neemt {card_set.cards} {fmt.name.upper()}-kaarten, meer dan "
                        f"{MAX_CARDS}: maak de tekst korter"
                    )
                    source, path = first
                    self._warnings.append(self.content.sources[source].problem(list(path), message))
        return count

    def warnings(self) -> list[Problem]:
        """What the last :meth:`check` found worth a look."""
        return list(getattr(self, "_warnings", []))

    @staticmethod
    def _sheets(sets: list[CardSet], fmt: CardFormat) -> list[Sheet]:
        cards = [(s.faces[i], s.faces[i + 1]) for s in sets for i in range(0, len(s.faces), 2)]
        return sheets(cards, fmt)

    def _html(self, target: Target, *, mode: str, sets: list[CardSet], singles: bool) -> str:
        fmt: CardFormat = target.context["card_format"]
        extra = {
            **target.context,
            "card_css": card_css(fmt),
            "mode": mode,
            "sets": sets,
            "singles": singles,
            "sheets": self._sheets(sets, fmt) if mode == "kaarten" else [],
        }
        page = Target(target.path, target.template, target.title, extra)
        return self.project.renderer.html(page.template, **self.context(page))

    def render_target(self, target: Target) -> list[bytes]:
        """Measure, lay out once, and give the single cards (exercises) and the sheet file."""
        fmt: CardFormat = target.context["card_format"]
        what = str(target.path)
        sets = self.card_sets(target)
        measured = self.layout(target, self._html(target, mode="maat", sets=sets, singles=False))
        assign_faces(measured, sets, fmt, what, self.content)

        singles = bool(target.also)
        document = self._laid_out(target, sets, singles=singles)
        faces = sum(len(s.faces) for s in sets) if singles else 0
        sheet = document
        if singles and not _filled(document, sets, self._sheets(sets, fmt)):
            # a programme's own styles made the faces or the slots something else than
            # blocks: the faces laid out in their slots, as the uitgangspunten cards are
            sheet, faces = self._laid_out(target, sets, singles=False), 0
        renderer = self.project.renderer
        files = []
        if singles:
            start = 0
            for s, path in zip(sets, target.also, strict=True):
                pages = document.pages[start : start + len(s.faces)]
                start += len(s.faces)
                single = _subset(document, pages, f"{s.title} — oefenkaart")
                files.append(renderer.pdf(single, what=str(path)))
        sheet_file = _subset(sheet, sheet.pages[faces:], target.title)
        files.append(renderer.pdf(sheet_file, what=what))
        return files

    def _laid_out(self, target: Target, sets: list[CardSet], *, singles: bool) -> Any:
        """The faces (with ``singles``, each on a page of its own first) and the sheets."""
        fmt: CardFormat = target.context["card_format"]
        document = self.layout(
            target, self._html(target, mode="kaarten", sets=sets, singles=singles)
        )
        faces = sum(len(s.faces) for s in sets) if singles else 0
        cards = sum(len(s.faces) // 2 for s in sets)
        expected = faces + 2 * -(-cards // fmt.per_sheet)
        if len(document.pages) != expected:
            raise BuildError(
                f"{target.path}: {expected} pagina's verwacht, {len(document.pages)} gekregen "
                "(een kaartzijde loopt over)"
            )
        return document


def _filled(document: Any, sets: list[CardSet], laid_out: list[Sheet]) -> bool:
    """The sheets' empty slots filled with copies of the single cards' faces, the first
    pages of ``document``, face after face (see :mod:`werkboek.pdf.slots`); False when a
    slot or a face is not a block of its own there."""
    number = {id(f): n for n, f in enumerate(f for s in sets for f in s.faces)}
    first = len(number)
    placements = [
        (first + 2 * n + i, [number[id(slot.face)] for slot in side.slots])
        for n, sheet in enumerate(laid_out)
        for i, side in enumerate(sheet.sides)
    ]
    try:
        slots.fill(document.pages, placements, slot="vak", face="kaart")
    except ValueError:
        return False
    return True


def _subset(document: Any, pages: list[Any], title: str) -> Any:
    part = document.copy(pages)
    part.metadata = copy.copy(document.metadata)
    part.metadata.title = title
    return part
