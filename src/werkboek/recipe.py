"""Workbook recipes: a trainer's choice of principles, parts, exercises and articles.

A recipe is a small YAML file with Dutch keys (``titel``, ``onderdelen`` …). Like a
Sphinx LaTeX recipe it names sources by slug; an unknown slug is an error that
says where it stands and which slugs come closest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from . import model
from .errors import Problem, RecipeError
from .loader import DISCRIMINATED, Content, validate
from .model import PARTS, Model, Text
from .slug import did_you_mean, slugify
from .source import YamlFile, load_yaml

EDITIONS = ("deelnemer", "trainer")


class PrincipleItem(Model):
    principle: str = Field(alias="principe")
    parts: list[str] | None = Field(default=None, alias="delen", min_length=1)


class ExerciseItem(Model):
    exercise: str = Field(alias="oefening")


class StoryItem(Model):
    story: str = Field(alias="verhaal")


class ArticleItem(Model):
    article: str = Field(alias="artikel")


class NotesItem(Model):
    pages: int = Field(alias="notities", ge=1, le=20)


ITEM_KEYS = {
    "principe": PrincipleItem,
    "oefening": ExerciseItem,
    "verhaal": StoryItem,
    "artikel": ArticleItem,
    "notities": NotesItem,
}


def _item_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ITEM_KEYS:
            if key in value:
                return key
        return None
    for key, cls in ITEM_KEYS.items():
        if isinstance(value, cls):
            return key
    return None


Item = Annotated[
    Annotated[PrincipleItem, Tag("principe")]
    | Annotated[ExerciseItem, Tag("oefening")]
    | Annotated[StoryItem, Tag("verhaal")]
    | Annotated[ArticleItem, Tag("artikel")]
    | Annotated[NotesItem, Tag("notities")],
    Discriminator(
        _item_tag,
        custom_error_type="recipe_item",
        custom_error_message="an item names one of: " + ", ".join(ITEM_KEYS),
    ),
]


DISCRIMINATED.append((Item, (_item_tag, ITEM_KEYS)))


class RecipeModel(Model):
    title: Text = Field(alias="titel")
    subtitle: Text | None = Field(default=None, alias="ondertitel")
    trainer: Text | None = Field(default=None, alias="trainer")
    edition: Literal["deelnemer", "trainer"] = Field(default="deelnemer", alias="editie")
    items: list[Item] = Field(alias="onderdelen", min_length=1)


class _ItemList(Model):
    """Each item validated on its own, so that one bad item hides no other problem."""

    item: Item = Field(alias="item")


# ---------------------------------------------------------------- resolved recipe


@dataclass(frozen=True)
class Selection:
    """One item of a recipe, resolved against the content."""

    kind: str  # principe, oefening, verhaal, artikel, notities
    principle: model.Principle | None = None
    principle_number: int = 0  # the principle's place in the document, from 1
    parts: tuple[str, ...] = ()
    exercise: model.Exercise | None = None
    number: int = 0  # the exercise's number within its principle
    story: model.Story | None = None
    article: model.Article | None = None
    pages: int = 0

    @property
    def title(self) -> str:
        if self.kind == "principe" and self.principle:
            return self.principle.plain_title
        if self.kind == "oefening" and self.exercise:
            return self.exercise.plain_title
        if self.kind == "verhaal" and self.story:
            return self.story.plain_title
        if self.kind == "artikel" and self.article:
            return self.article.plain_title
        return "Notities"

    @property
    def anchor(self) -> str:
        slug = {
            "principe": self.principle and self.principle.slug,
            "oefening": self.exercise and self.exercise.slug,
            "verhaal": self.story and self.story.slug,
            "artikel": self.article and self.article.slug,
        }.get(self.kind)
        return f"w-{self.kind}-{slug}" if slug else "w-notities"


@dataclass(frozen=True)
class Recipe:
    path: Path
    title: str
    subtitle: str | None
    trainer: str | None
    edition: str
    selections: tuple[Selection, ...]

    @property
    def slug(self) -> str:
        return slugify(model.plain_text(self.title)) or "werkboek"

    @property
    def for_trainer(self) -> bool:
        return self.edition == "trainer"

    def exercises(self) -> list[tuple[model.Principle, model.Exercise]]:
        """Every exercise in the workbook, in order: single ones and those of whole principles."""
        found: list[tuple[model.Principle, model.Exercise]] = []
        for selection in self.selections:
            if selection.kind == "oefening" and selection.principle and selection.exercise:
                found.append((selection.principle, selection.exercise))
            elif (
                selection.kind == "principe"
                and selection.principle
                and "oefenen" in selection.parts
            ):
                found += [(selection.principle, e) for e in selection.principle.exercises]
        seen: set[str] = set()
        return [(p, e) for p, e in found if not (e.slug in seen or seen.add(e.slug))]


def _resolve(source: YamlFile, recipe: RecipeModel, content: Content) -> list[Selection] | None:
    problems: list[Problem] = []
    principles = {p.slug: p for p in content.principles}
    numbers = {p.slug: n for n, p in enumerate(content.principles, 1)}
    exercises = {
        e.slug: (p, e, n) for p in content.principles for n, e in enumerate(p.exercises, 1)
    }
    stories = {s.slug: (p, s) for p, s in content.stories()}
    articles = {a.slug: a for a in content.articles}
    selections: list[Selection] = []
    indices: list[int] = []
    seen: dict[tuple, int] = {}

    def bound(kind: str, principle: model.Principle, **fields: Any) -> Selection:
        """A selection from a principle, which knows its place in the document."""
        return Selection(
            kind, principle=principle, principle_number=numbers[principle.slug], **fields
        )

    def unknown(index: int, key: str, slug: str, pool: dict[str, Any], what: str) -> None:
        message = f"unknown {what} {slug!r}{did_you_mean(slug, pool)}"
        problems.append(source.problem(["onderdelen", index, key], message))

    for index, item in enumerate(recipe.items):
        if isinstance(item, PrincipleItem):
            principle = principles.get(item.principle)
            if principle is None:
                unknown(index, "principe", item.principle, principles, "principle")
                continue
            parts = tuple(item.parts or PARTS)
            for position, part in enumerate(parts):
                if part not in PARTS:
                    problems.append(
                        source.problem(
                            ["onderdelen", index, "delen", position],
                            f"{part!r} is not a part{did_you_mean(part, PARTS)} "
                            f"(parts: {', '.join(PARTS)})",
                        )
                    )
            if len(set(parts)) != len(parts):
                problems.append(
                    source.problem(["onderdelen", index, "delen"], "a part is named twice")
                )
            parts = tuple(p for p in PARTS if p in parts)  # the principle's own order
            key: tuple = ("principe", principle.slug, parts)
            selection = bound("principe", principle, parts=parts)
        elif isinstance(item, ExerciseItem):
            if item.exercise not in exercises:
                unknown(index, "oefening", item.exercise, exercises, "exercise")
                continue
            principle, exercise, number = exercises[item.exercise]
            key = ("oefening", exercise.slug)
            selection = bound("oefening", principle, exercise=exercise, number=number)
        elif isinstance(item, StoryItem):
            if item.story not in stories:
                unknown(index, "verhaal", item.story, stories, "story")
                continue
            principle, story = stories[item.story]
            key = ("verhaal", story.slug)
            selection = bound("verhaal", principle, story=story)
        elif isinstance(item, ArticleItem):
            if item.article not in articles:
                unknown(index, "artikel", item.article, articles, "article")
                continue
            key = ("artikel", item.article)
            selection = Selection("artikel", article=articles[item.article])
        else:
            key = ("notities", index)
            selection = Selection("notities", pages=item.pages)
        if key in seen:
            line, _ = source.locate(["onderdelen", seen[key]])
            problems.append(
                source.problem(
                    ["onderdelen", index],
                    f"duplicate item: the same as onderdelen[{seen[key]}] (line {line})",
                )
            )
            continue
        seen[key] = index
        selections.append(selection)
        indices.append(index)
    problems += _overlaps(source, selections, indices)
    source.problems.extend(problems)
    return None if problems else selections


def _resolve_valid_items(source: YamlFile, content: Content) -> None:
    """When the recipe as a whole is invalid, still check the slugs of its valid items."""
    items = source.data.get("onderdelen")
    if not isinstance(items, list):
        return
    valid = []
    for item in items:
        try:
            valid.append(_ItemList.model_validate({"item": item}).item)
        except ValueError:
            valid.append(NotesItem(notities=1))  # a stand-in that resolves to nothing
    _resolve(source, RecipeModel.model_construct(items=valid), content)


def _overlaps(source: YamlFile, selections: list[Selection], indices: list[int]) -> list[Problem]:
    """A single exercise or story that a whole principle already brings is a duplicate too."""
    included: dict[tuple[str, str], int] = {}
    for selection, index in zip(selections, indices, strict=True):
        if selection.kind != "principe" or selection.principle is None:
            continue
        if "oefenen" in selection.parts:
            included.update({("oefening", e.slug): index for e in selection.principle.exercises})
        if "verhalen" in selection.parts:
            included.update({("verhaal", v.slug): index for v in selection.principle.stories})
    problems = []
    for selection, index in zip(selections, indices, strict=True):
        item = selection.exercise or selection.story
        if item is None or (selection.kind, item.slug) not in included:
            continue
        other = included[(selection.kind, item.slug)]
        problems.append(
            source.problem(
                ["onderdelen", index, selection.kind],
                f"duplicate item: {item.slug!r} is already in onderdelen[{other}] "
                f"(principe: {selection.principle.slug if selection.principle else ''})",
            )
        )
    return problems


def load_recipe(path: Path | str, content: Content) -> Recipe:
    """Read and check a recipe; raise :class:`RecipeError` with every problem in it."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError([Problem(str(path), 1, 1, "", "recipe file not found")])
    source = load_yaml(path)
    parsed = validate(source, RecipeModel)
    if parsed is None and source.data and isinstance(source.data, dict):
        _resolve_valid_items(source, content)
    selections = _resolve(source, parsed, content) if parsed is not None else None
    if parsed is None or selections is None:
        raise RecipeError(source.problems)
    return Recipe(
        path=path,
        title=parsed.title,
        subtitle=parsed.subtitle,
        trainer=parsed.trainer,
        edition=parsed.edition,
        selections=tuple(selections),
    )


def parse_edition(value: str | None) -> str | None:
    if value is not None and value not in EDITIONS:
        raise RecipeError(
            [
                Problem(
                    "--editie", 1, 1, "", f"edition {value!r} is not one of {', '.join(EDITIONS)}"
                )
            ]
        )
    return value
