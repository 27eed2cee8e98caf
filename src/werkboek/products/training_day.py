"""What a training day needs besides the workbook: the attendance list and certificates.

Both come from the workbook's recipe (title, date, location, hours, trainer, what is covered)
and the participant list. The attendance list is one file; certificates are one file per
participant: one certificate is laid out and written whole and every participant's name is
grafted into a copy of it (:mod:`werkboek.pdf.names`), so thirty cost little more than one and each
file keeps its own tags.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content.fonts import language_of
from ..content.markup import plain_text
from ..errors import Problem, WerkboekError
from ..participants.lists import PLACEHOLDER, Person
from ..recipes import Kind, Recipe
from ..words import dutch_date
from .base import Product, ProductOptions, Target, digest
from .workbook import file_names

NAME_CLASS = "bewijs-naam"
"""The class of the block that holds a certificate's name (see ``certificates.html.j2``)."""
WALK_INS = 6
"""Blank rows at the end of the attendance list, for who comes without being listed."""
MAX_SIGNATURE = 1_000_000
MAX_SIGNATURE_ALT = 200
"""The longest description of a signature image (its alternative text)."""
PARTS_OF_DAY = {
    1: ("Handtekening",),
    2: ("Ochtend", "Middag"),
    3: ("Ochtend", "Middag", "Avond"),
    4: ("Dagdeel 1", "Dagdeel 2", "Dagdeel 3", "Dagdeel 4"),
}


def when(recipe: Recipe) -> str:
    """ "14 maart 2026 · Zaandam": the date and place a recipe gives, as printed."""
    parts = [dutch_date(recipe.date) if recipe.date else "", plain_text(recipe.location or "")]
    return " · ".join(p for p in parts if p)


def hours_label(hours: float | None) -> str:
    if hours is None:
        return ""
    number = f"{hours:g}".replace(".", ",")
    return f"{number} uur"


def covered(recipe: Recipe) -> dict[str, list[str]]:
    """What the training covered, by the recipe: its principles, exercises and texts."""
    principles: dict[str, str] = {}
    for selection in recipe.selections:
        if selection.principle is not None:
            principles.setdefault(selection.principle.slug, selection.principle.plain_title)
    return {
        "principles": list(principles.values()),
        "slugs": list(principles),
        "exercises": [exercise.plain_title for _, exercise in recipe.exercises()],
        "articles": [s.title for s in recipe.selections if s.kind is Kind.ARTICLE],
    }


def signature_uri(path: Path) -> str:
    """The trainer's signature (PNG or JPEG, at most 1 MB) as a ``data:`` URI."""
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"handtekening niet te lezen: {exc.strerror}"
        raise WerkboekError(Problem(where, 1, 1, "", message)) from None
    if len(data) > MAX_SIGNATURE:
        raise WerkboekError(Problem(where, 1, 1, "", "de handtekening is groter dan 1 MB"))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "image/jpeg"
    else:
        raise WerkboekError(Problem(where, 1, 1, "", "de handtekening is geen PNG of JPEG"))
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def signature_alt_problem(text: str) -> str | None:
    """Why ``text`` cannot describe the signature image (none: it can)."""
    if not text.strip():
        example = "Handtekening van Anna de Vries"
        return f"beschrijf de handtekening in een paar woorden, zoals: {example}"
    if len(text) > MAX_SIGNATURE_ALT:
        return f"de beschrijving is langer dan {MAX_SIGNATURE_ALT} tekens"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "de beschrijving is één regel, zonder regeleinden of tabs"
    return None


# ---------------------------------------------------------------- attendance list


@dataclass(frozen=True)
class TrainingDayOptions(ProductOptions):
    recipe: Recipe | None = None
    people: tuple[Person, ...] = ()
    output: Path | None = None
    """Where to write (the attendance list: the file, default
    ``presentielijsten/<titel>.pdf``; certificates: the folder, default
    ``bewijzen/<titel>/``)."""


AttendanceOptions = TrainingDayOptions


class AttendanceProduct(Product):
    """The attendance list of a training day: a row per participant to sign."""

    name = "attendance"
    folder = "presentielijsten"
    description = "de presentielijst van een trainingsdag"
    Options = AttendanceOptions
    options: AttendanceOptions
    stylesheets = ("werkboek.css", "trainingsdag.css")

    def inputs(self) -> list[Path]:
        return list(self.options.recipe.files) if self.options.recipe is not None else []

    def targets(self) -> Iterator[Target]:
        recipe = self.options.recipe
        if recipe is None:  # (a list belongs to a recipe: with none, there is nothing to make)
            return
        rows = [
            {"name": person.name, "organisation": person.fields.get("organisatie", "")}
            for person in self.options.people
        ]
        path = self.options.output or self.output_folder / f"{recipe.slug}.pdf"
        columns = PARTS_OF_DAY[recipe.parts_of_day]
        yield Target(
            path=path,
            template="attendance.html.j2",
            title=f"Presentielijst: {plain_text(recipe.title)}",
            context={
                "recipe": recipe,
                "rows": rows,
                "walk_ins": WALK_INS,
                "columns": columns,
                "with_organisation": any(row["organisation"] for row in rows),
                "when": when(recipe),
            },
            key=digest(recipe.key, *(f"{r['name']}\0{r['organisation']}" for r in rows)),
        )


# ---------------------------------------------------------------- certificates


@dataclass(frozen=True)
class CertificateOptions(TrainingDayOptions):
    signature: Path | None = None
    """An image of the trainer's signature, placed on the signature line."""
    signature_alt: str = ""
    """What the signature image shows, in words (its PDF tag's ``/Alt``); empty: "Handtekening
    van" and the recipe's trainer."""


class CertificatesProduct(Product):
    """A certificate of attendance per participant ("Bewijs van deelname")."""

    name = "certificates"
    folder = "bewijzen"
    description = "bewijzen van deelname aan een trainingsdag"
    Options = CertificateOptions
    options: CertificateOptions
    stylesheets = ("werkboek.css", "trainingsdag.css")

    def inputs(self) -> list[Path]:
        recipe, signature = self.options.recipe, self.options.signature
        files = list(recipe.files) if recipe is not None else []
        return files + ([signature] if signature is not None else [])

    def _shared(self, recipe: Recipe) -> dict[str, Any]:
        signature = self.options.signature
        return {
            "recipe": recipe,
            "when": when(recipe),
            "hours": hours_label(recipe.hours),
            "covered": covered(recipe),
            "signature": signature_uri(signature) if signature is not None else None,
            "signature_alt": self.options.signature_alt.strip(),
            "names": [],
        }

    def targets(self) -> Iterator[Target]:
        recipe = self.options.recipe
        if recipe is None:  # (certificates belong to a recipe: with none, nothing to make)
            return
        folder = self.options.output or self.output_folder / recipe.slug
        shared = self._shared(recipe)
        signature = shared["signature"] or ""
        names = [person.name for person in self.options.people]
        everyone = digest(*names)
        for index, (name, stem) in enumerate(zip(names, file_names(names), strict=True)):
            yield Target(
                path=folder / f"{stem}.pdf",
                template="certificates.html.j2",
                title=f"Bewijs van deelname: {name}, {plain_text(recipe.title)}",
                context={**shared, "people": [name], "everyone": names, "index": index},
                # (a certificate's fonts hold the glyphs of every name on the list)
                key=digest(recipe.key, name, signature, shared["signature_alt"], everyone),
            )

    def batches(self) -> list[list[Target]]:
        """All certificates are made together (see :meth:`render`)."""
        targets = list(self.targets())
        return [targets] if targets else []

    def cost(self, target: Target) -> float:
        return 0.2

    def render(self, batch: Sequence[Target]) -> list[list[bytes]]:
        """One certificate laid out whole, and every name of the list laid out alone after
        it, in one layout; each certificate is the whole one with its own name grafted in
        (see :mod:`werkboek.pdf.names`). A name that cannot be grafted (it takes more lines than
        the whole certificate's) is laid out whole; so are all when the whole certificate
        runs over a page.

        The whole certificate carries :data:`PLACEHOLDER` and every name is grafted, so a
        certificate is the same bytes whether it is made with the whole list or alone (the
        cache may hold the others), and a long first name does not stop the others."""
        if not batch:
            return []
        first = batch[0]
        # (a name in another script is tagged with its language: its certificate is laid
        # out whole, and its glyphs stay out of the others' shared fonts)
        everyone = [name for name in first.context["everyone"] if language_of(name) is None]
        whole = [t for t in batch if language_of(t.context["people"][0]) is not None]
        if whole:
            made = {id(t): self.render_target(t) for t in whole}
            rest = [t for t in batch if id(t) not in made]
            others = iter(self.render(rest) if rest else [])
            return [made[id(t)] if id(t) in made else next(others) for t in batch]
        together = Target(
            first.path,
            first.template,
            first.title,
            {**first.context, "people": [PLACEHOLDER], "names": everyone},
        )
        prepared = self.name_graft(together, NAME_CLASS, len(everyone))
        if prepared is None:
            return [self.render_target(target) for target in batch]
        graft, (_, _, height, _), grafted = prepared
        try:
            files = []
            for target in batch:
                before = first.context["everyone"][: target.context["index"]]
                place = sum(1 for name in before if language_of(name) is None)
                page, own_top, own_height, bottom = grafted[place]
                data = None
                if own_height == height:  # as many lines as the whole certificate's name
                    data = graft.certificate(page - 1, own_top, bottom, target.title)
                files.append([data] if data is not None else self.render_target(target))
            return files
        finally:
            graft.close()
