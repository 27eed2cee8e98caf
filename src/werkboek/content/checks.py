"""What no single file can check: the files of a content set against each other."""

from __future__ import annotations

from typing import Any

from ..errors import Problem, did_you_mean
from . import schema
from .source import PathPart, YamlFile

DOCUMENT_FILE = "document.yaml"
PRINCIPLES_DIR = "principes"


def cross_check(
    document_file: YamlFile,
    document: schema.Document,
    principle_files: dict[str, YamlFile],
    principles: dict[str, schema.Principle],
    article_files: dict[str, YamlFile],
    articles: dict[str, schema.Article],
) -> list[Problem]:
    """The principles listed against their files, slugs against file names, unique slugs,
    kernelement numbers and story references."""
    problems = _listed_principles(document_file, document, principle_files)
    story_owner: dict[str, tuple[YamlFile, list[PathPart]]] = {}
    exercise_owner: dict[str, tuple[YamlFile, list[PathPart]]] = {}
    for stem, principle in principles.items():
        source = principle_files[stem]
        problems += _slug_is_file_name(source, principle.slug, stem)
        count = len(principle.kernelementen)
        local_stories: set[str] = set()
        for index, story in enumerate(principle.stories):
            local_stories.add(story.slug)
            if story.kernelement > count:
                problems.append(
                    source.problem(
                        ["verhalen", index, "kernelement"],
                        f"kernelement {story.kernelement} bestaat niet "
                        f"(dit principe heeft er {count})",
                    )
                )
            problems.extend(_claim(story_owner, "verhaal", source, "verhalen", index, story.slug))
        for index, exercise in enumerate(principle.exercises):
            problems.extend(
                _claim(exercise_owner, "oefening", source, "oefeningen", index, exercise.slug)
            )
        local_stories.update(story.slug for story in principle.leader_stories)
        media = principle.background.media_stories if principle.background else []
        for index, item in enumerate(media):
            if item.story is not None and item.story not in local_stories:
                problems.append(
                    source.problem(
                        ["achtergrond", "beeld_en_geluid", index, "verhaal"],
                        f"geen verhaal {item.story!r} in dit principe"
                        + did_you_mean(item.story, local_stories),
                    )
                )
    for stem, article in articles.items():
        problems += _slug_is_file_name(article_files[stem], article.slug, stem)
    return problems


def _listed_principles(
    document_file: YamlFile, document: schema.Document, principle_files: dict[str, YamlFile]
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, slug in enumerate(document.principles):
        if slug in seen:
            problems.append(
                document_file.problem(["principes", index], f"{slug!r} staat er twee keer in")
            )
        seen.add(slug)
        if slug not in principle_files:
            hint = did_you_mean(slug, principle_files)
            problems.append(
                document_file.problem(
                    ["principes", index], f"geen bestand {PRINCIPLES_DIR}/{slug}.yaml{hint}"
                )
            )
    for stem, source in principle_files.items():
        if stem not in seen:
            problems.append(
                source.problem(
                    [], f"principe {stem!r} staat niet onder principes in {DOCUMENT_FILE}"
                )
            )
    return problems


def _slug_is_file_name(source: YamlFile, slug: str, stem: str) -> list[Problem]:
    if slug == stem:
        return []
    return [source.problem(["slug"], f"slug {slug!r} past niet bij de bestandsnaam {stem!r}")]


def _claim(
    owners: dict[str, tuple[YamlFile, list[PathPart]]],
    what: str,
    source: YamlFile,
    key: str,
    index: int,
    slug: str,
) -> list[Problem]:
    """Record who has ``slug``; a second claim is a problem that names the first."""
    where: list[PathPart] = [key, index, "slug" if "slug" in _raw(source, key, index) else "titel"]
    if slug not in owners:
        owners[slug] = (source, where)
        return []
    other, other_parts = owners[slug]
    line, _ = other.locate(other_parts)
    message = (
        f"{what}-slug {slug!r} komt twee keer voor (ook op {other.display}:{line}); "
        "geef een van beide een eigen slug"
    )
    return [source.problem(where, message)]


def _raw(source: YamlFile, *parts: PathPart) -> Any:
    node = source.data
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, dict) else {}
