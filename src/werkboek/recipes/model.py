"""A recipe's shape: the items a trainer can name, and the recipe resolved against the content.

The YAML keys are Dutch (``titel``, ``onderdelen`` …); the model's attributes are English and
carry the Dutch key as their alias, as the content's do. An item's kind is a :class:`Kind`,
never a bare string.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from ..content import schema as model
from ..content.markup import plain_text
from ..content.schema import Model, Text
from ..errors import Problem
from .own_pages import OwnPage


class Kind(StrEnum):
    """What an item of a recipe is; the value is its key in the recipe (Dutch)."""

    PRINCIPLE = "principe"
    EXERCISE = "oefening"
    STORY = "verhaal"
    ARTICLE = "artikel"
    NOTES = "notities"
    OWN = "eigen"


EDITIONS = ("deelnemer", "trainer")
MAX_BYTES = 256_000
"""The largest recipe werkboek reads."""
MAX_ITEMS = 200
"""The most items (onderdelen) in one recipe."""
HOURS = re.compile(r"\d{1,3}([.,]\d+)?")
"""A number of hours as written: 6, 6.5, or with a decimal comma as Dutch writes it, 6,5."""


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


class OwnItem(Model):
    own: str = Field(alias="eigen", min_length=1)
    """A Markdown file next to the recipe (``welkom.md``), or the Markdown itself."""


ITEM_KEYS: dict[Kind, type[Model]] = {
    Kind.PRINCIPLE: PrincipleItem,
    Kind.EXERCISE: ExerciseItem,
    Kind.STORY: StoryItem,
    Kind.ARTICLE: ArticleItem,
    Kind.NOTES: NotesItem,
    Kind.OWN: OwnItem,
}


def _item_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ITEM_KEYS:
            if key in value:
                return key.value
        return None
    for key, cls in ITEM_KEYS.items():
        if isinstance(value, cls):
            return key.value
    return None


Item = Annotated[
    Annotated[PrincipleItem, Tag("principe")]
    | Annotated[ExerciseItem, Tag("oefening")]
    | Annotated[StoryItem, Tag("verhaal")]
    | Annotated[ArticleItem, Tag("artikel")]
    | Annotated[NotesItem, Tag("notities")]
    | Annotated[OwnItem, Tag("eigen")],
    Discriminator(
        _item_tag,
        custom_error_type="recipe_item",
        custom_error_message="een onderdeel noemt een van: " + ", ".join(ITEM_KEYS),
    ),
]


class RecipeModel(Model):
    title: Text = Field(alias="titel")
    subtitle: Text | None = Field(default=None, alias="ondertitel")
    trainer: Text | None = Field(default=None, alias="trainer")
    edition: Literal["deelnemer", "trainer"] = Field(default="deelnemer", alias="editie")
    date: dt.date | None = Field(default=None, alias="datum")
    hours: float | None = Field(default=None, alias="uren", gt=0, le=100)
    location: Text | None = Field(default=None, alias="locatie")
    parts_of_day: int = Field(default=1, alias="dagdelen", ge=1, le=4)
    items: list[Item] = Field(alias="onderdelen", min_length=1, max_length=MAX_ITEMS)

    @field_validator("hours", mode="before")
    @classmethod
    def _decimal_comma(cls, value: object) -> object:
        """Hours as a Dutch trainer writes them: 6,5 is 6.5."""
        if not isinstance(value, str):
            return value
        if not HOURS.fullmatch(value.strip()):
            raise ValueError("verwacht een aantal uren, zoals 6 of 6,5")
        return value.strip().replace(",", ".")


class _ItemList(Model):
    """Each item validated on its own, so that one bad item hides no other problem."""

    item: Item = Field(alias="item")


# ---------------------------------------------------------------- resolved recipe


@dataclass(frozen=True)
class Selection:
    """One item of a recipe, resolved against the content."""

    kind: Kind
    principle: model.Principle | None = None
    principle_number: int = 0  # the principle's place in the document, from 1
    parts: tuple[str, ...] = ()
    exercise: model.Exercise | None = None
    number: int = 0  # the exercise's number within its principle
    story: model.Story | None = None
    article: model.Article | None = None
    pages: int = 0
    own: OwnPage | None = None

    @property
    def _item(self) -> model.Principle | model.Exercise | model.Story | model.Article | None:
        """What the item names in the content (its principle, exercise, story or article)."""
        return {
            Kind.PRINCIPLE: self.principle,
            Kind.EXERCISE: self.exercise,
            Kind.STORY: self.story,
            Kind.ARTICLE: self.article,
        }.get(self.kind)

    @property
    def title(self) -> str:
        if (item := self._item) is not None:
            return item.plain_title
        if self.kind is Kind.OWN and self.own:
            return self.own.title
        return "Notities"

    @property
    def anchor(self) -> str:
        if self.kind is Kind.OWN:
            return f"w-eigen-{self.number}"
        item = self._item
        return f"w-{self.kind.value}-{item.slug}" if item is not None else "w-notities"


@dataclass(frozen=True)
class Recipe:
    path: Path | None
    """The recipe file, when it came from one (own pages are found next to it)."""
    title: str
    subtitle: str | None
    trainer: str | None
    edition: str
    selections: tuple[Selection, ...]
    date: dt.date | None = None
    hours: float | None = None
    location: str | None = None
    parts_of_day: int = 1
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    """What prints, but not well (an own page's image under 150 ppi), located."""

    @property
    def slug(self) -> str:
        """The title as a file name (shortened when long, see ``file_slug``)."""
        from ..files.outputs import file_slug

        return file_slug(plain_text(self.title), "werkboek")

    @property
    def file_stem(self) -> str:
        """The workbook's file name without ``.pdf``: the slug, ``-trainer`` for that edition."""
        return f"{self.slug}-trainer" if self.for_trainer else self.slug

    @property
    def files(self) -> tuple[Path, ...]:
        """The files the recipe was read from: itself, its own pages and their images."""
        own = [path for s in self.selections if s.own is not None for path in s.own.files]
        return (*([self.path] if self.path is not None else []), *own)

    @property
    def for_trainer(self) -> bool:
        return self.edition == "trainer"

    def with_edition(self, edition: str | None) -> Recipe:
        """The same recipe in another edition (``None``: unchanged)."""
        return self if edition is None else replace(self, edition=edition)

    @property
    def key(self) -> str:
        """What the recipe means, whatever file or form it came from: for the build cache."""
        items = [
            [
                s.kind.value,
                s.principle.slug if s.principle else "",
                list(s.parts),
                s.exercise.slug if s.exercise else "",
                s.story.slug if s.story else "",
                s.article.slug if s.article else "",
                s.pages,
                s.own.digest if s.own else "",
            ]
            for s in self.selections
        ]
        fields = [
            self.title,
            self.subtitle,
            self.trainer,
            self.edition,
            items,
            *([self.date.isoformat() if self.date else None, self.hours, self.location]),
            self.parts_of_day,
        ]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    def exercises(self) -> list[tuple[model.Principle, model.Exercise]]:
        """Every exercise in the workbook, in order: single ones and those of whole principles."""
        found: list[tuple[model.Principle, model.Exercise]] = []
        for selection in self.selections:
            if selection.kind is Kind.EXERCISE and selection.principle and selection.exercise:
                found.append((selection.principle, selection.exercise))
            elif (
                selection.kind is Kind.PRINCIPLE
                and selection.principle
                and "oefenen" in selection.parts
            ):
                found += [(selection.principle, e) for e in selection.principle.exercises]
        unique: dict[str, tuple[model.Principle, model.Exercise]] = {}
        for principle, exercise in found:
            unique.setdefault(exercise.slug, (principle, exercise))
        return list(unique.values())
