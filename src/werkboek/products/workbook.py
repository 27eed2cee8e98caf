"""Custom workbooks: what a trainer picked in a recipe, for participants or the trainer.

The workbook product makes the workbook of one recipe (its option), or with no recipe
given the workbook of every recipe in the project's recipes folder. With people, every
person gets a personal copy ("Werkboek van <naam>" on the cover); the copies share one
render (see :mod:`werkboek.pdf.covers`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content import schema
from ..content.fonts import language_of
from ..content.markup import plain_text
from ..content.settings import fill
from ..errors import Problem, RecipeError, WerkboekError, display_path
from ..files.outputs import name_slug
from ..participants.lists import PLACEHOLDER
from ..project import Project
from ..recipes import Kind, Recipe, load_recipe
from ..words import dutch_date
from .base import Product, ProductOptions, Target, digest

NAME_CLASS = "werkboek-van"
"""The block of a cover that holds the name ("Werkboek van …")."""


@dataclass
class SessionPlan:
    """The trainer's overview: every exercise with group size, duration and materials."""

    rows: list[PlanRow] = field(default_factory=list)
    total: schema.Range | None = None
    untimed: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRow:
    principle: schema.Principle
    exercise: schema.Exercise


def session_plan(recipe: Recipe) -> SessionPlan:
    plan = SessionPlan()
    total = schema.Range(low=0, high=0)
    for principle, exercise in recipe.exercises():
        plan.rows.append(PlanRow(principle, exercise))
        if exercise.duration is None:
            plan.untimed.append(exercise.plain_title)
        else:
            total = total + exercise.duration
        for item in exercise.materials:
            text = plain_text(item)
            if text not in plan.materials:
                plan.materials.append(text)
    plan.total = total
    return plan


def file_names(names: Sequence[str]) -> list[str]:
    """A file name per person: the slug of the name, made unique with -2, -3 …"""
    used: set[str] = set()
    result = []
    for name in names:
        base = name_slug(name, "deelnemer")
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        result.append(candidate)
    return result


@dataclass(frozen=True)
class WorkbookOptions(ProductOptions):
    recipe: Recipe | None = None
    """The recipe; ``None``: every recipe in the project's recipes folder."""
    people: tuple[str, ...] = ()
    """Names: one personal copy per name, in this order."""
    output: Path | None = None
    """The file to write (with people: the folder for the copies); default below ``werkboeken/``."""
    booklet: bool = False
    """Also the workbook on A5 pages (``-a5.pdf``) and imposed as a booklet (``-boekje.pdf``)."""


class WorkbookProduct(Product):
    """A workbook from a recipe; with names, one personalised copy per person."""

    name = "workbook"
    folder = "werkboeken"
    description = "een werkboek naar een recept"
    Options = WorkbookOptions
    options: WorkbookOptions

    def recipes(self) -> list[Recipe]:
        """The recipe of the options, or every recipe in the recipes folder (every problem
        in every recipe at once)."""
        if self.options.recipe is not None:
            return [self.options.recipe]
        folder = self.project.recipes_dir
        if folder is None or not folder.is_dir():
            return []
        recipes, problems = [], []
        for path in sorted(folder.glob("*.yaml")):
            try:
                recipes.append(load_recipe(path, self.content))
            except RecipeError as exc:
                problems += exc.problems
        if problems:
            raise RecipeError(*problems)
        return recipes

    def inputs(self) -> list[Path]:
        return [path for recipe in self.recipes() for path in recipe.files]

    def _context(self, recipe: Recipe, person: str | None) -> dict[str, Any]:
        used = []
        for selection in recipe.selections:
            if selection.principle is not None and selection.principle not in used:
                used.append(selection.principle)
        document = self.content.document
        cover_line = fill(
            self.content.settings.workbook.cover_line,
            herkomst=plain_text(self.content.settings.document.origin),
            versie=dutch_date(document.version),
            uitgever=plain_text(document.publisher),
        )
        return {
            "recipe": recipe,
            "person": person,
            "plan": session_plan(recipe) if recipe.for_trainer else SessionPlan(),
            "used_principles": used,
            "cover_line": cover_line,
            "linkable": {
                s.slug
                for sel in recipe.selections
                if sel.kind is Kind.PRINCIPLE and sel.principle
                for s in [
                    *(sel.principle.stories if "verhalen" in sel.parts else []),
                    *(sel.principle.leader_stories if "leidinggevenden" in sel.parts else []),
                ]
            },
        }

    @staticmethod
    def _title(recipe: Recipe) -> str:
        title = plain_text(recipe.title)
        return f"{title} (trainerseditie)" if recipe.for_trainer else title

    def _target(self, recipe: Recipe, path: Path, person: str | None, copy: int = 0) -> Target:
        key = digest(recipe.key, person or "")
        if person is not None:  # (a copy's fonts hold the glyphs of every name on the list)
            key = digest(key, *self.options.people)
        return Target(
            path=path,
            template="workbook.html.j2",
            title=self._title(recipe),
            context={**self._context(recipe, person), "copy": copy},
            key=key,
        )

    def _recipe_targets(self, recipe: Recipe) -> list[Target]:
        people = self.options.people
        output = self.options.output if self.options.recipe is not None else None
        if not people:
            path = output or self.output_folder / f"{recipe.file_stem}.pdf"
            targets = [self._target(recipe, path, None)]
            if self.options.booklet:
                targets.append(self._booklet_target(recipe, path))
            return targets
        base = output or self.output_folder / recipe.file_stem
        return [
            self._target(recipe, base / f"{stem}.pdf", person, copy)
            for copy, (person, stem) in enumerate(zip(people, file_names(people), strict=True))
        ]

    def _booklet_target(self, recipe: Recipe, path: Path) -> Target:
        """The A5 workbook (``<naam>-a5.pdf``) and the booklet imposed from it."""
        stem = path.with_suffix("")
        return Target(
            path=Path(f"{stem}-boekje.pdf"),
            template="workbook.html.j2",
            title=self._title(recipe),
            context={**self._context(recipe, None), "page_format": "a5"},
            key=digest(recipe.key, "a5-boekje"),
            also=(Path(f"{stem}-a5.pdf"),),
        )

    def styles(self, target: Target) -> tuple[str, ...]:
        if target.context.get("page_format") == "a5":
            return (*self.stylesheets, "a5.css")
        return self.stylesheets

    def render_target(self, target: Target) -> list[bytes]:
        if target.context.get("page_format") != "a5":
            return super().render_target(target)
        a5 = self.project.renderer.pdf(self.layout(target), what=str(target.also[0]))
        from ..pdf.booklet import impose
        from ..pdf.press import for_press

        booklet = impose(a5, target.title, target.also[0].name)
        if self.project.print_shop:  # (a PDF/X-4 booklet, checked as every print-shop file)
            booklet = for_press(booklet, what=str(target.path))
        return [a5, booklet]

    def targets(self) -> Iterator[Target]:
        for recipe in self.recipes():
            yield from self._recipe_targets(recipe)

    def batches(self) -> list[list[Target]]:
        """A recipe's personal copies are rendered together; plain workbooks one by one."""
        if self.options.people:
            return [self._recipe_targets(recipe) for recipe in self.recipes()]
        return super().batches()

    def cost(self, target: Target) -> float:
        return 3.0

    def render(self, batch: Sequence[Target]) -> list[list[bytes]]:
        """Personal copies share one render and differ only in their cover: the workbook is
        rendered once with :data:`PLACEHOLDER` on its cover, and each copy gets its own
        cover grafted on (see :mod:`werkboek.pdf.covers`). The covers are the placeholder's
        cover with each name grafted in (:mod:`werkboek.pdf.names`: one cover and the names
        laid out, not a cover for each); a name that cannot be (it takes another number of
        lines) has its cover laid out whole. No copy carries another participant's name."""
        if not self.options.people:
            return super().render(batch)
        renderer = self.project.renderer
        first = batch[0]
        what = str(first.path)
        # (a name in another script is tagged with its language: its cover is laid out
        # whole, and its glyphs stay out of the others' shared fonts)
        graftable = [p for p in self.options.people if language_of(p) is None]
        grafted = [t for t in batch if language_of(t.context["person"]) is None]
        copies: dict[int, bytes | None] = {}
        if grafted:
            placeholder = Target(
                first.path, first.template, first.title, {**first.context, "person": PLACEHOLDER}
            )
            base = renderer.pdf(self.layout(placeholder), what=what)
            covers, pages = self._covers(first, graftable)
            from ..pdf.covers import graft_covers

            made = graft_covers(base, covers, [pages[self._cover_page(t)] for t in grafted])
            copies = {id(t): copy for t, copy in zip(grafted, made, strict=True)}
        return [
            [copy] if (copy := copies.get(id(target))) is not None else self.render_target(target)
            for target in batch
        ]

    def _covers(self, first: Target, people: list[str]) -> tuple[bytes, list[int | None]]:
        """A PDF with the covers of ``people`` (names in Latin script), and for each person
        the page of their cover there (``None``: none, their copy is laid out whole)."""
        together = Target(
            first.path,
            "workbook_covers.html.j2",
            first.title,
            {**first.context, "people": [PLACEHOLDER], "names": people},
        )
        prepared = self.name_graft(together, NAME_CLASS, len(people))
        if prepared is not None:
            graft, (_, _, height, _), grafted = prepared
            try:
                return graft.pages(
                    [
                        (page - 1, own_top, bottom)
                        if own_height == height  # (as many lines as the placeholder's)
                        else None
                        for page, own_top, own_height, bottom in grafted
                    ]
                )
            finally:
                graft.close()
        # every cover laid out whole, one a page
        covers = Target(
            first.path,
            "workbook_covers.html.j2",
            first.title,
            {**first.context, "people": people, "names": []},
        )
        whole = self.project.renderer.pdf(self.layout(covers), what=str(first.path))
        return whole, list(range(len(people)))

    def _cover_page(self, target: Target) -> int:
        """The page of ``target``'s cover among the covers of the names in Latin script
        (the same name may stand on the list twice: the copy's index tells which)."""
        before = self.options.people[: target.context["copy"]]
        return sum(1 for person in before if language_of(person) is None)


def workbook_options(
    recipe: Recipe,
    output: Path | None = None,
    *,
    edition: str | None = None,
    names: Sequence[str] = (),
    folder: bool = False,
    booklet: bool = False,
) -> WorkbookOptions:
    """The options for the workbook of one recipe, with the output rules every way in shares.

    ``output`` is the PDF to write, or with ``names`` the folder for the copies; an existing
    folder, or ``folder=True``, is a folder to write the workbook into under its own name.
    """
    recipe = recipe.with_edition(edition)
    if output is not None and not names and (folder or output.is_dir()):
        output = output / f"{recipe.file_stem}.pdf"
    if names and output is not None and output.suffix.lower() == ".pdf":
        raise WerkboekError(
            Problem(
                display_path(output),
                message="met namen wordt een eigen exemplaar per naam gemaakt: "
                "geef een map voor de exemplaren, geen PDF-bestand",
            )
        )
    if names and booklet:
        raise WerkboekError(
            "een boekje wordt gemaakt van het werkboek zonder namen, niet van eigen exemplaren"
        )
    return WorkbookOptions(recipe, tuple(names), output, booklet=booklet)


def workbook_pdf(project: Project, recipe: Recipe) -> bytes:
    """The workbook of ``recipe`` as PDF bytes (from the build cache when nothing changed):
    what the API and the composer's download give, the same bytes as ``werkboek workbook``
    writes."""
    product, target = _one_target(project, recipe)
    return product.pdf(target)


def cached_preview(project: Project, recipe: Recipe) -> bytes | None:
    """The preview of ``recipe``'s workbook when nothing needs to be rendered: the workbook
    itself from the build cache, or the preview made before (see :func:`workbook_preview`)."""
    return _cached_preview(*_one_target(project, recipe))


def _one_target(project: Project, recipe: Recipe) -> tuple[WorkbookProduct, Target]:
    product = WorkbookProduct(project, WorkbookOptions(recipe))
    return product, next(iter(product.targets()))


def _cached_preview(product: WorkbookProduct, target: Target) -> bytes | None:
    found = product.cached(target)
    if found is None and target.key:
        found = product.project.cache.fetch(_preview_key(target))
    return found


def workbook_preview(project: Project, recipe: Recipe) -> bytes:
    """What the composer's preview shows: the pages of :func:`workbook_pdf`, drawn alike.
    From the build cache when it holds the workbook or this preview; else the same layout
    written untagged and unfinished (the tags and the PDF/UA finishing draw nothing: the
    pages are the same, pixel for pixel, and writing takes a third less), and kept in the
    build cache under a key of its own: never given or downloaded as the workbook, which a
    download makes tagged."""
    product, target = _one_target(project, recipe)
    found = _cached_preview(product, target)
    if found is not None:
        return found
    data = project.renderer.preview(product.layout(target), what=str(target.path))
    if target.key:
        project.cache.store(_preview_key(target), data)
    return data


def _preview_key(target: Target) -> str:
    return f"voorbeeld:{target.key}"
