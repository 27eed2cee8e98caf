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

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..content import Content
from ..content import schema as model
from ..content.schema import PART_KEYS
from ..content.settings import Word
from ..content.source import YamlFile, load_yaml, parse_yaml
from ..content.validation import validate
from ..errors import Problem, RecipeError, did_you_mean
from ..errors import display_path as display
from .model import (
    MAX_BYTES,
    MAX_ITEMS,
    ArticleItem,
    ExerciseItem,
    Kind,
    NotesItem,
    OwnItem,
    PrincipleItem,
    Recipe,
    RecipeModel,
    Selection,
    StoryItem,
    _ItemList,
)
from .own_pages import OwnPageError, read_own_page


def _resolve(
    source: YamlFile,
    items: list[Any],
    content: Content,
    folder: Path | None = None,
    warnings: list[Problem] | None = None,
) -> list[Selection] | None:
    """The items as selections (``None`` after a problem); ``warnings`` gets what prints,
    but not well."""
    problems: list[Problem] = []
    warnings = [] if warnings is None else warnings
    word = content.words.principle
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

    def bound(kind: Kind, principle: model.Principle, **fields: Any) -> Selection:
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
                unknown(index, "principe", item.principle, principles, word.unknown())
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
                            f"{word.with_this()} heeft geen deel {part!r} "
                            f"(wel: {', '.join(principle.parts)})",
                        )
                    )
            if len(set(parts)) != len(parts):
                problems.append(
                    source.problem(["onderdelen", index, "delen"], "een deel staat er twee keer in")
                )
            parts = tuple(p for p in PART_KEYS if p in parts)  # the principle's own order
            key: tuple[object, ...] = ("principe", principle.slug)
            selection = bound(Kind.PRINCIPLE, principle, parts=parts)
        elif isinstance(item, ExerciseItem):
            if item.exercise not in exercises:
                unknown(index, "oefening", item.exercise, exercises, "onbekende oefening")
                continue
            principle, exercise, number = exercises[item.exercise]
            key = ("oefening", exercise.slug)
            selection = bound(Kind.EXERCISE, principle, exercise=exercise, number=number)
        elif isinstance(item, StoryItem):
            if item.story not in stories:
                unknown(index, "verhaal", item.story, stories, "onbekend verhaal")
                continue
            principle, story = stories[item.story]
            key = ("verhaal", story.slug)
            selection = bound(Kind.STORY, principle, story=story)
        elif isinstance(item, ArticleItem):
            if item.article not in articles:
                unknown(index, "artikel", item.article, articles, "onbekend artikel")
                continue
            key = ("artikel", item.article)
            selection = Selection(Kind.ARTICLE, article=articles[item.article])
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
            warnings += [
                source.problem(["onderdelen", index, "eigen"], message) for message in own.warnings
            ]
            key = ("eigen", index)
            own_number = sum(1 for s in selections if s.kind is Kind.OWN) + 1
            selection = Selection(Kind.OWN, own=own, number=own_number)
        else:
            key = ("notities", index)
            selection = Selection(Kind.NOTES, pages=item.pages)
        if key in seen:
            first = seen[key]
            line, _ = source.locate(["onderdelen", first])
            message = (
                f"dit staat al in het werkboek (onderdeel {first + 1}, regel {line}); "
                "haal een van de twee weg"
            )
            if key[0] == "principe" and selections[indices.index(first)].parts != selection.parts:
                message = (
                    f"{word.with_this()} staat al in het werkboek (onderdeel {first + 1}, "
                    f"regel {line}); noem alle delen die je wilt bij dat onderdeel"
                )
            problems.append(source.problem(["onderdelen", index], message))
            continue
        seen[key] = index
        selections.append(selection)
        indices.append(index)
    problems += _overlaps(source, selections, indices, word)
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


def _overlaps(
    source: YamlFile, selections: list[Selection], indices: list[int], word: Word
) -> list[Problem]:
    """A single exercise or story that a whole principle already brings is a duplicate too."""
    included: dict[tuple[Kind, str], int] = {}
    for selection, index in zip(selections, indices, strict=True):
        if selection.kind is not Kind.PRINCIPLE or selection.principle is None:
            continue
        if "oefenen" in selection.parts:
            included.update({(Kind.EXERCISE, e.slug): index for e in selection.principle.exercises})
        if "verhalen" in selection.parts:
            included.update({(Kind.STORY, v.slug): index for v in selection.principle.stories})
    problems = []
    for selection, index in zip(selections, indices, strict=True):
        item = selection.exercise or selection.story
        if item is None or (selection.kind, item.slug) not in included:
            continue
        other = included[(selection.kind, item.slug)]
        whole = selections[indices.index(other)].principle
        what, it, part = (
            ("de oefening", "hem", "oefenen")
            if selection.kind is Kind.EXERCISE
            else ("het verhaal", "het", "verhalen")
        )
        title = whole.plain_title if whole is not None else ""
        problems.append(
            source.problem(
                ["onderdelen", index, selection.kind.value],
                f"{what} {item.plain_title!r} staat al in het werkboek, bij {word.with_the()} "
                f"{title} (onderdeel {other + 1}); haal {it} hier weg, of laat bij "
                f"{word.with_that()} het deel {part} weg",
            )
        )
    return problems


def _recipe(source: YamlFile, content: Content, folder: Path | None = None) -> Recipe:
    parsed = validate(source, RecipeModel)
    if parsed is None and source.data and isinstance(source.data, dict):
        _resolve_valid_items(source, content)
    warnings: list[Problem] = []
    selections = (
        _resolve(source, parsed.items, content, folder, warnings) if parsed is not None else None
    )
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
        warnings=tuple(warnings),
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
