"""Workbook recipes: a trainer's choice of principles, parts, exercises and articles.

A recipe is a small YAML file with Dutch keys (``titel``, ``onderdelen`` …). Like a
Sphinx LaTeX recipe it names sources by slug; an unknown slug is an error that says
where it stands and which slugs come closest.

A recipe comes from a file (:func:`load_recipe`), from text a form or an API sent, YAML
or JSON (:func:`parse_recipe`), or from a mapping (:func:`recipe_from_mapping`, written
out as YAML first so that every problem still has a line). Whichever way, the same
recipe is the same workbook: the cache key is the recipe's meaning, not its file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Discriminator, Field, Tag, ValidationError

from .content import Content
from .content import schema as model
from .content.markup import plain_text
from .content.schema import PART_KEYS, Model, Text
from .content.source import YamlFile, load_yaml, parse_yaml
from .content.validation import validate
from .errors import Problem, RecipeError, did_you_mean
from .errors import display_path as display
from .own_pages import OwnPage, OwnPageError, read_own_page

EDITIONS = ("deelnemer", "trainer")
MAX_BYTES = 256_000
"""The largest recipe werkboek reads."""
MAX_ITEMS = 200
"""The most items (onderdelen) in one recipe."""


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


ITEM_KEYS = {
    "principe": PrincipleItem,
    "oefening": ExerciseItem,
    "verhaal": StoryItem,
    "artikel": ArticleItem,
    "notities": NotesItem,
    "eigen": OwnItem,
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


class _ItemList(Model):
    """Each item validated on its own, so that one bad item hides no other problem."""

    item: Item = Field(alias="item")


# ---------------------------------------------------------------- resolved recipe


@dataclass(frozen=True)
class Selection:
    """One item of a recipe, resolved against the content."""

    kind: str  # principe, oefening, verhaal, artikel, notities, eigen
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
    def title(self) -> str:
        if self.kind == "principe" and self.principle:
            return self.principle.plain_title
        if self.kind == "oefening" and self.exercise:
            return self.exercise.plain_title
        if self.kind == "verhaal" and self.story:
            return self.story.plain_title
        if self.kind == "artikel" and self.article:
            return self.article.plain_title
        if self.kind == "eigen" and self.own:
            return self.own.title
        return "Notities"

    @property
    def anchor(self) -> str:
        if self.kind == "eigen":
            return f"w-eigen-{self.number}"
        slug = {
            "principe": self.principle and self.principle.slug,
            "oefening": self.exercise and self.exercise.slug,
            "verhaal": self.story and self.story.slug,
            "artikel": self.article and self.article.slug,
        }.get(self.kind)
        return f"w-{self.kind}-{slug}" if slug else "w-notities"


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

    @property
    def slug(self) -> str:
        """The title as a file name (shortened when long, see ``file_slug``)."""
        from .rendering.outputs import file_slug

        return file_slug(plain_text(self.title), "werkboek")

    @property
    def file_stem(self) -> str:
        """The workbook's file name without ``.pdf``: the slug, ``-trainer`` for that edition."""
        return f"{self.slug}-trainer" if self.for_trainer else self.slug

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
                s.kind,
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
            if selection.kind == "oefening" and selection.principle and selection.exercise:
                found.append((selection.principle, selection.exercise))
            elif (
                selection.kind == "principe"
                and selection.principle
                and "oefenen" in selection.parts
            ):
                found += [(selection.principle, e) for e in selection.principle.exercises]
        unique: dict[str, tuple[model.Principle, model.Exercise]] = {}
        for principle, exercise in found:
            unique.setdefault(exercise.slug, (principle, exercise))
        return list(unique.values())


def _resolve(
    source: YamlFile, items: list[Any], content: Content, folder: Path | None = None
) -> list[Selection] | None:
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
    seen: dict[tuple[object, ...], int] = {}

    def bound(kind: str, principle: model.Principle, **fields: Any) -> Selection:
        """A selection from a principle, which knows its place in the document."""
        return Selection(
            kind, principle=principle, principle_number=numbers[principle.slug], **fields
        )

    def unknown(index: int, key: str, slug: str, pool: dict[str, Any], what: str) -> None:
        message = f"{what} {slug!r}{did_you_mean(slug, pool)}"
        problems.append(source.problem(["onderdelen", index, key], message))

    for index, item in enumerate(items):
        if isinstance(item, PrincipleItem):
            principle = principles.get(item.principle)
            if principle is None:
                unknown(index, "principe", item.principle, principles, "onbekend basisprincipe")
                continue
            parts = tuple(item.parts or principle.parts)
            for position, part in enumerate(parts):
                if part not in PART_KEYS:
                    problems.append(
                        source.problem(
                            ["onderdelen", index, "delen", position],
                            f"{part!r} is geen deel{did_you_mean(part, PART_KEYS)} "
                            f"(delen: {', '.join(PART_KEYS)})",
                        )
                    )
                elif part not in principle.parts:
                    problems.append(
                        source.problem(
                            ["onderdelen", index, "delen", position],
                            f"dit basisprincipe heeft geen deel {part!r} "
                            f"(wel: {', '.join(principle.parts)})",
                        )
                    )
            if len(set(parts)) != len(parts):
                problems.append(
                    source.problem(["onderdelen", index, "delen"], "een deel staat er twee keer in")
                )
            parts = tuple(p for p in PART_KEYS if p in parts)  # the principle's own order
            key: tuple[object, ...] = ("principe", principle.slug)
            selection = bound("principe", principle, parts=parts)
        elif isinstance(item, ExerciseItem):
            if item.exercise not in exercises:
                unknown(index, "oefening", item.exercise, exercises, "onbekende oefening")
                continue
            principle, exercise, number = exercises[item.exercise]
            key = ("oefening", exercise.slug)
            selection = bound("oefening", principle, exercise=exercise, number=number)
        elif isinstance(item, StoryItem):
            if item.story not in stories:
                unknown(index, "verhaal", item.story, stories, "onbekend verhaal")
                continue
            principle, story = stories[item.story]
            key = ("verhaal", story.slug)
            selection = bound("verhaal", principle, story=story)
        elif isinstance(item, ArticleItem):
            if item.article not in articles:
                unknown(index, "artikel", item.article, articles, "onbekend artikel")
                continue
            key = ("artikel", item.article)
            selection = Selection("artikel", article=articles[item.article])
        elif isinstance(item, OwnItem):
            here = source.path.parent if source.path is not None else folder
            try:
                own = read_own_page(item.own, here)
            except OwnPageError as exc:
                problems += [
                    source.problem(["onderdelen", index, "eigen"], message)
                    for _, message in exc.problems
                ]
                continue
            key = ("eigen", index)
            own_number = sum(1 for s in selections if s.kind == "eigen") + 1
            selection = Selection("eigen", own=own, number=own_number)
        else:
            key = ("notities", index)
            selection = Selection("notities", pages=item.pages)
        if key in seen:
            first = seen[key]
            line, _ = source.locate(["onderdelen", first])
            message = f"dubbel onderdeel: hetzelfde als onderdelen[{first}] (regel {line})"
            if key[0] == "principe" and selections[indices.index(first)].parts != selection.parts:
                message = (
                    f"dit basisprincipe staat al in onderdelen[{first}] (regel {line}); "
                    "noem alle delen die je wilt in één onderdeel"
                )
            problems.append(source.problem(["onderdelen", index], message))
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
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        return
    valid = []
    for item in items:
        try:
            valid.append(_ItemList.model_validate({"item": item}).item)
        except ValidationError:
            valid.append(NotesItem(notities=1))  # a stand-in that resolves to nothing
    _resolve(source, valid, content)


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
                f"dubbel onderdeel: {item.slug!r} zit al in onderdelen[{other}] "
                f"(principe: {selection.principle.slug if selection.principle else ''})",
            )
        )
    return problems


def _recipe(source: YamlFile, content: Content, folder: Path | None = None) -> Recipe:
    parsed = validate(source, RecipeModel)
    if parsed is None and source.data and isinstance(source.data, dict):
        _resolve_valid_items(source, content)
    selections = _resolve(source, parsed.items, content, folder) if parsed is not None else None
    if parsed is None or selections is None:
        raise RecipeError(*source.problems)
    return Recipe(
        path=source.path,
        title=parsed.title,
        subtitle=parsed.subtitle,
        trainer=parsed.trainer,
        edition=parsed.edition,
        selections=tuple(selections),
        date=parsed.date,
        hours=parsed.hours,
        location=parsed.location,
        parts_of_day=parsed.parts_of_day,
    )


def load_recipe(path: Path | str, content: Content) -> Recipe:
    """Read and check a recipe file; raise :class:`RecipeError` with every problem in it."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError(Problem(display(path), 1, 1, "", "recept niet gevonden"))
    return _recipe(load_yaml(path, display(path), max_bytes=MAX_BYTES), content)


def parse_recipe(
    text: str, content: Content, name: str = "recept", folder: Path | None = None
) -> Recipe:
    """A recipe from YAML or JSON text; problems are located in ``text`` (shown as ``name``).
    ``folder`` is where its own pages (``eigen: welkom.md``) are, if anywhere."""
    return _recipe(parse_yaml(text, name, max_bytes=MAX_BYTES), content, folder)


def recipe_from_mapping(
    data: Mapping[str, Any], content: Content, name: str = "recept", folder: Path | None = None
) -> Recipe:
    """A recipe from a mapping (a web form's, say), located in its YAML form
    (:func:`recipe_yaml`)."""
    return parse_recipe(recipe_yaml(data), content, name, folder)


def recipe_yaml(data: Mapping[str, Any]) -> str:
    """A recipe mapping as the YAML a trainer would write."""
    return yaml.safe_dump(
        json.loads(json.dumps(data)), allow_unicode=True, sort_keys=False, width=1000
    )


def parse_edition(value: str | None) -> str | None:
    if value is not None and value not in EDITIONS:
        raise RecipeError(
            Problem(
                "", 0, 0, "--editie", f"editie {value!r} bestaat niet; kies {' of '.join(EDITIONS)}"
            )
        )
    return value
