"""What a training day needs besides the workbook: the attendance list and certificates.

Both come from the workbook's recipe (title, date, location, hours, trainer, what is covered)
and the participant list. The attendance list is one file; certificates are one file per
participant, laid out together in one render and written page by page (WeasyPrint's
``Document.copy``), so thirty cost little more than one and each file keeps its own tags.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content.markup import plain_text
from ..errors import Problem, WerkboekError
from ..people import Person
from ..recipes import Recipe
from ..words import dutch_date
from .base import Product, ProductOptions, Target, digest
from .workbook import file_names

WALK_INS = 6
"""Blank rows at the end of the attendance list, for who comes without being listed."""
MAX_SIGNATURE = 1_000_000
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
        "articles": [s.title for s in recipe.selections if s.kind == "artikel"],
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


# ---------------------------------------------------------------- attendance list


@dataclass(frozen=True)
class AttendanceOptions(ProductOptions):
    recipe: Recipe | None = None
    people: tuple[Person, ...] = ()
    output: Path | None = None
    """The file to write; default ``werkboeken/<titel>-presentielijst.pdf``."""


class AttendanceProduct(Product):
    """The attendance list of a training day: a row per participant to sign."""

    name = "attendance"
    folder = "werkboeken"
    description = "de presentielijst van een trainingsdag"
    Options = AttendanceOptions
    options: AttendanceOptions
    stylesheets = ("werkboek.css", "trainingsdag.css")

    def targets(self) -> Iterator[Target]:
        recipe = self.options.recipe
        if recipe is None:
            raise WerkboekError("een presentielijst hoort bij een recept")
        rows = [
            {"name": person.name, "organisation": person.fields.get("organisatie", "")}
            for person in self.options.people
        ]
        path = self.options.output or self.output_folder / f"{recipe.slug}-presentielijst.pdf"
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
class CertificateOptions(ProductOptions):
    recipe: Recipe | None = None
    people: tuple[Person, ...] = ()
    output: Path | None = None
    """The folder for the certificates; default ``bewijzen/<titel>/``."""
    signature: Path | None = None
    """An image of the trainer's signature, placed on the signature line."""


class CertificatesProduct(Product):
    """A certificate of attendance per participant ("Bewijs van deelname")."""

    name = "certificates"
    folder = "bewijzen"
    description = "bewijzen van deelname aan een trainingsdag"
    Options = CertificateOptions
    options: CertificateOptions
    stylesheets = ("werkboek.css", "trainingsdag.css")

    def _shared(self, recipe: Recipe) -> dict[str, Any]:
        signature = self.options.signature
        return {
            "recipe": recipe,
            "when": when(recipe),
            "hours": hours_label(recipe.hours),
            "covered": covered(recipe),
            "signature": signature_uri(signature) if signature is not None else None,
        }

    def targets(self) -> Iterator[Target]:
        recipe = self.options.recipe
        if recipe is None:
            raise WerkboekError("bewijzen van deelname horen bij een recept")
        folder = self.options.output or self.output_folder / recipe.slug
        shared = self._shared(recipe)
        signature = shared["signature"] or ""
        names = [person.name for person in self.options.people]
        for name, stem in zip(names, file_names(names), strict=True):
            yield Target(
                path=folder / f"{stem}.pdf",
                template="certificates.html.j2",
                title=f"Bewijs van deelname: {name}, {plain_text(recipe.title)}",
                context={**shared, "people": [name]},
                key=digest(recipe.key, name, signature),
            )

    def batches(self) -> list[list[Target]]:
        """All certificates are laid out together (see :meth:`render`)."""
        targets = list(self.targets())
        return [targets] if targets else []

    def cost(self, target: Target) -> float:
        return 0.2

    def render(self, batch: Sequence[Target]) -> list[list[bytes]]:
        """One layout with a page per person, written out page by page."""
        if len(batch) <= 1:
            return super().render(batch)
        first = batch[0]
        people = [name for target in batch for name in target.context["people"]]
        together = Target(
            first.path, first.template, first.title, {**first.context, "people": people}
        )
        document = self.layout(together)
        if len(document.pages) != len(batch):  # a certificate ran over a page: one by one
            return super().render(batch)
        files = []
        for index, target in enumerate(batch):
            single = document.copy([document.pages[index]])
            single.metadata.title = target.title
            files.append([self.project.renderer.pdf(single, what=str(target.path))])
        return files
