"""Custom workbooks: what a trainer picked in a recipe, for participants or the trainer."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import model
from .cache import write_bytes_atomically
from .errors import Problem, RecipeError, WerkboekError
from .markup import plain_text
from .products import Product, Project, Target
from .recipe import Recipe, load_recipe, parse_edition
from .slug import slugify


@dataclass
class SessionPlan:
    """The trainer's overview: every exercise with group size, duration and materials."""

    rows: list[Any] = field(default_factory=list)
    total: model.Range | None = None
    untimed: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRow:
    principle: model.Principle
    exercise: model.Exercise


def session_plan(recipe: Recipe) -> SessionPlan:
    plan = SessionPlan()
    total = model.Range(low=0, high=0)
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
        base = slugify(name) or "deelnemer"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        result.append(candidate)
    return result


def read_names(path: Path) -> list[str]:
    """The ``naam`` column of a participant list (``,`` ``;`` or tab, UTF-8 with or without BOM)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WerkboekError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise WerkboekError(f"{path}: not UTF-8 text") from None
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "naam" not in columns:
        raise RecipeError([Problem(str(path), 1, 1, "", "no column 'naam' in the first line")])
    key = (reader.fieldnames or [])[columns.index("naam")]
    names, problems = [], []
    for row in reader:
        name = (row.get(key) or "").strip()
        if not name:
            problems.append(Problem(str(path), reader.line_num, 1, "naam", "empty name"))
        names.append(name)
    if problems:
        raise RecipeError(problems)
    if not names:
        raise RecipeError([Problem(str(path), 1, 1, "", "no participants in the list")])
    return names


class WorkbookProduct(Product):
    """A workbook from a recipe; with names, one personalised copy per person."""

    name = "workbook"
    description = "a custom workbook from a recipe"

    def __init__(
        self,
        project: Project,
        recipe: Recipe,
        output: Path | None = None,
        names: Sequence[str] = (),
    ) -> None:
        super().__init__(project)
        self.recipe = recipe
        self.output = output
        self.names = list(names)

    def _context(self, person: str | None) -> dict[str, Any]:
        recipe = self.recipe
        used = []
        for selection in recipe.selections:
            if selection.principle is not None and selection.principle not in used:
                used.append(selection.principle)
        return {
            "recipe": recipe,
            "person": person,
            "plan": session_plan(recipe) if recipe.for_trainer else SessionPlan(),
            "used_principles": used,
            "linkable": {
                s.slug
                for sel in recipe.selections
                if sel.kind == "principe" and sel.principle
                for s in [
                    *(sel.principle.stories if "verhalen" in sel.parts else []),
                    *(sel.principle.leaders.stories if "leidinggevenden" in sel.parts else []),
                ]
            },
        }

    def _title(self) -> str:
        title = plain_text(self.recipe.title)
        return f"{title} (trainerseditie)" if self.recipe.for_trainer else title

    def _key(self, person: str | None) -> str:
        recipe = hashlib.sha256(self.recipe.path.read_bytes()).hexdigest()
        return f"{recipe}:{self.recipe.edition}:{person or ''}"

    def targets(self) -> Iterator[Target]:
        folder = self.project.output_dir / "werkboeken"
        suffix = "-trainer" if self.recipe.for_trainer else ""
        if not self.names:
            path = self.output or folder / f"{self.recipe.slug}{suffix}.pdf"
            yield Target(
                path, "workbook.html.j2", self._title(), self._context(None), self._key(None)
            )
            return
        base = self.output or folder / f"{self.recipe.slug}{suffix}"
        for person, stem in zip(self.names, file_names(self.names), strict=True):
            yield Target(
                base / f"{stem}.pdf",
                "workbook.html.j2",
                self._title(),
                self._context(person),
                self._key(person),
            )

    def build_all(self) -> list[Path]:
        """Every target; personal copies share one render and differ only in their cover."""
        targets = list(self.targets())
        cache = self.project.cache
        todo = [t for t in targets if not cache.fetch(f"{self.name}:{t.key}", t.path)]
        if len(todo) <= 1:
            for target in todo:
                self.build(target)
            return [t.path for t in targets]
        for target, pdf in zip(todo, self._personal_copies(todo), strict=True):
            write_bytes_atomically(target.path, pdf)
            cache.store(f"{self.name}:{target.key}", target.path)
        return [t.path for t in targets]

    def _personal_copies(self, targets: list[Target]) -> Iterator[bytes]:
        """The first copy is rendered whole; the others get its pages with their own cover."""
        from .covers import graft_covers
        from .render import pdf_bytes

        first, others = targets[0], targets[1:]
        what = str(first.path)
        base = pdf_bytes(self.layout(first), what=what)
        covers_target = Target(
            first.path,
            "workbook_covers.html.j2",
            self._title(),
            {**self._context(None), "people": [t.context["person"] for t in others]},
        )
        covers = pdf_bytes(self.layout(covers_target), what=what)
        yield base
        for index, copy in enumerate(graft_covers(base, covers, len(others))):
            yield copy if copy is not None else self._whole(others[index])

    def _whole(self, target: Target) -> bytes:
        from .render import pdf_bytes

        return pdf_bytes(self.layout(target), what=str(target.path))


def build_workbook(
    project: Project,
    recipe_path: Path,
    output: Path | None = None,
    *,
    edition: str | None = None,
    names: Sequence[str] = (),
) -> list[Path]:
    """Build the workbook a recipe describes; with ``names`` one copy per name, in that order."""
    recipe = load_recipe(recipe_path, project.content)
    edition = parse_edition(edition)
    if edition is not None and edition != recipe.edition:
        recipe = Recipe(
            recipe.path, recipe.title, recipe.subtitle, recipe.trainer, edition, recipe.selections
        )
    if names and output is not None and output.suffix.lower() == ".pdf":
        raise WerkboekError(f"{output}: with names, -o is the folder for the copies, not a file")
    return WorkbookProduct(project, recipe, output, names).build_all()
