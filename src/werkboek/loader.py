"""Load ``content/`` into the model, collecting every problem before stopping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from . import model
from .errors import ContentError, Problem
from .slug import did_you_mean
from .source import PathPart, YamlFile, format_path, load_yaml

M = TypeVar("M", bound=BaseModel)

SETTINGS_FILE = "instellingen.yaml"
DOCUMENT_FILE = "document.yaml"
PRINCIPLES_DIR = "principes"
ARTICLES_DIR = "artikelen"


def _aliases() -> set[str]:
    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(f.alias or name for name, f in obj.model_fields.items())
    return names


KNOWN_KEYS = _aliases()


def _clean_loc(data: Any, loc: tuple[Any, ...]) -> list[PathPart]:
    """Drop the parts of a pydantic ``loc`` that are not in the data (union tags)."""
    parts: list[PathPart] = []
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            parts.append(part)
            node = node[part]
        elif isinstance(node, list | tuple) and isinstance(part, int):
            parts.append(part)
            node = None
        elif index == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            parts.append(part)  # a missing or unknown key: name it
    return parts


_TYPE_MESSAGES = {
    "dict_type": "expected a mapping of keys (key: value)",
    "model_type": "expected a mapping of keys (key: value)",
    "list_type": "expected a list (items starting with '- ')",
    "tuple_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "date_type": "expected a date like 2024-02-01",
    "date_from_datetime_parsing": "expected a date like 2024-02-01",
}


DISCRIMINATED: list[tuple[Any, tuple[Callable[[Any], str | None], dict[str, Any]]]] = [
    (model.Block, (model.block_tag, model.BLOCK_KEYS)),
]
"""Unions whose member is chosen by a key: how to find the member, for key suggestions."""


def _model_in(annotation: Any, value: Any) -> type[BaseModel] | None:
    """The model class that validates ``value`` under ``annotation``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin is Annotated:
        for union, (tag_of, classes) in DISCRIMINATED:
            if annotation is union:
                tag = tag_of(value)
                return classes.get(tag) if tag else None
        return _model_in(get_args(annotation)[0], value)
    for arg in get_args(annotation):
        found = _model_in(arg, value)
        if found is not None:
            return found
    return None


def _keys_at(cls: type[BaseModel], data: Any, parts: list[PathPart]) -> set[str]:
    """The keys that the model at ``parts`` (a mapping in ``data``) accepts."""
    current: type[BaseModel] | None = cls
    annotation: Any = cls
    node = data
    for part in parts:
        if isinstance(part, str):
            if current is None:
                return KNOWN_KEYS
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in fields or not isinstance(node, dict):
                return KNOWN_KEYS
            annotation = fields[part].annotation
            node = node.get(part)
            current = _model_in(annotation, node) if not isinstance(node, list) else None
        else:
            node = node[part] if isinstance(node, list) and part < len(node) else None
            current = _model_in(annotation, node)
    if current is None:
        return KNOWN_KEYS
    return {f.alias or n for n, f in current.model_fields.items()}


def _message(error: Any, cls: type[BaseModel], data: Any, parts: list[PathPart]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        return f"unknown key {key!r}{did_you_mean(key, _keys_at(cls, data, parts[:-1]))}"
    if kind == "missing":
        return f"required key {error['loc'][-1]!r} is missing"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    if kind == "greater_than_equal":
        return f"must be at least {error['ctx']['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {error['ctx']['le']}"
    if kind == "too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    if kind == "literal_error":
        allowed = error["msg"].replace("Input should be", "use")
        return f"{error['input']!r} is not allowed here; {allowed}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def validate(source: YamlFile, cls: type[M]) -> M | None:
    """Validate a parsed file against a model; problems are added to ``source``."""
    if not source.ok:
        return None
    if not isinstance(source.data, dict):
        source.problems.append(source.problem([], "expected a mapping of keys at the top"))
        return None
    try:
        return cls.model_validate(source.data)
    except ValidationError as exc:
        for error in exc.errors():
            parts = _clean_loc(source.data, error["loc"])
            key = error["type"] in ("extra_forbidden",)
            if error["type"] == "missing":
                located = source.locate(parts[:-1])
                source.problems.append(
                    Problem(
                        source.display,
                        *located,
                        format_path(parts),
                        _message(error, cls, source.data, parts),
                    )
                )
            else:
                source.problems.append(
                    source.problem(parts, _message(error, cls, source.data, parts), key=key)
                )
        return None


@dataclass
class Content:
    """All content, validated, with the settings that derive links."""

    root: Path
    settings: model.Settings
    document: model.Document
    principles: list[model.Principle]
    articles: list[model.Article]
    sources: dict[str, YamlFile] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ look-ups

    def principle(self, slug: str) -> model.Principle:
        for principle in self.principles:
            if principle.slug == slug:
                return principle
        raise KeyError(slug)

    def exercises(self) -> Iterator[tuple[model.Principle, model.Exercise]]:
        for principle in self.principles:
            for exercise in principle.exercises:
                yield principle, exercise

    def stories(self) -> Iterator[tuple[model.Principle, model.Story]]:
        for principle in self.principles:
            for story in principle.stories:
                yield principle, story

    def article(self, slug: str) -> model.Article:
        for article in self.articles:
            if article.slug == slug:
                return article
        raise KeyError(slug)

    # ------------------------------------------------------------ links

    def deep_link(self, principle: model.Principle, part: str, slug: str | None = None) -> str:
        """The online address of a part of a principle, or of one item in it."""
        url = f"{self.settings.base_url}/{principle.slug}/{part}"
        return f"{url}#{slug}" if slug else url

    def story_url(self, principle: model.Principle, story: model.Story) -> str:
        return story.url or self.deep_link(principle, "verhalen", story.slug)

    def exercise_url(self, principle: model.Principle, exercise: model.Exercise) -> str:
        return exercise.url or self.deep_link(principle, "oefenen", exercise.slug)

    def source_url(self, principle: model.Principle, source: model.BackgroundSource) -> str:
        return source.url or self.deep_link(principle, "achtergrond", source.slug)

    def warnings(self) -> list[Problem]:
        """What an editor should look at, though the content is valid."""
        return sorted(_duration_warnings(self) + self.missing_urls())

    def missing_urls(self) -> list[Problem]:
        """Warnings for items that link to a derived deep link instead of their own URL."""
        warnings: list[Problem] = []
        for principle in self.principles:
            file = self.sources[f"principle:{principle.slug}"]
            groups: list[tuple[list[PathPart], list[Any], Any]] = [
                (["verhalen"], principle.stories, self.story_url),
                (["oefeningen"], principle.exercises, self.exercise_url),
                (["achtergrond", "bronnen"], principle.background.sources, self.source_url),
            ]
            for parts, items, derive in groups:
                for position, item in enumerate(items):
                    if not item.url:
                        message = f"warning: no url of its own; links to {derive(principle, item)}"
                        warnings.append(file.problem([*parts, position], message))
        return warnings


def _principle_files(root: Path) -> dict[str, Path]:
    folder = root / PRINCIPLES_DIR
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _cross_check(
    document_file: YamlFile,
    document: model.Document,
    principle_files: dict[str, YamlFile],
    principles: dict[str, model.Principle],
    article_files: dict[str, YamlFile],
    articles: dict[str, model.Article],
) -> list[Problem]:
    problems: list[Problem] = []
    listed = set(document.principles)
    seen: set[str] = set()
    for index, slug in enumerate(document.principles):
        if slug in seen:
            problems.append(
                document_file.problem(["principes", index], f"{slug!r} is listed twice")
            )
        seen.add(slug)
        if slug not in principle_files:
            hint = did_you_mean(slug, principle_files)
            problems.append(
                document_file.problem(
                    ["principes", index], f"no file {PRINCIPLES_DIR}/{slug}.yaml{hint}"
                )
            )
    for stem, source in principle_files.items():
        if stem not in listed:
            problems.append(
                source.problem([], f"principle {stem!r} is not listed in {DOCUMENT_FILE} principes")
            )

    story_owner: dict[str, tuple[YamlFile, list[PathPart]]] = {}
    exercise_owner: dict[str, tuple[YamlFile, list[PathPart]]] = {}
    for stem, principle in principles.items():
        source = principle_files[stem]
        if principle.slug != stem:
            problems.append(
                source.problem(
                    ["slug"], f"slug {principle.slug!r} does not match the file name {stem!r}"
                )
            )
        count = len(principle.explanation.kernelementen)
        local_stories: set[str] = set()
        for index, story in enumerate(principle.stories):
            local_stories.add(story.slug)
            if story.kernelement > count:
                problems.append(
                    source.problem(
                        ["verhalen", index, "kernelement"],
                        f"kernelement {story.kernelement} does not exist "
                        f"(this principle has {count})",
                    )
                )
            problems.extend(_claim(story_owner, "story", source, "verhalen", index, story.slug))
        for index, exercise in enumerate(principle.exercises):
            problems.extend(
                _claim(exercise_owner, "exercise", source, "oefeningen", index, exercise.slug)
            )
        local_stories.update(story.slug for story in principle.leaders.stories)
        for index, item in enumerate(principle.background.media_stories):
            if item.story is not None and item.story not in local_stories:
                problems.append(
                    source.problem(
                        ["achtergrond", "beeld_en_geluid", index, "verhaal"],
                        f"no story {item.story!r} in this principle"
                        + did_you_mean(item.story, local_stories),
                    )
                )
    for stem, article in articles.items():
        if article.slug != stem:
            problems.append(
                article_files[stem].problem(
                    ["slug"], f"slug {article.slug!r} does not match the file name {stem!r}"
                )
            )
    return problems


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
        f"duplicate {what} slug {slug!r} (also at {other.display}:{line}); "
        "give one of them its own slug"
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


def _duration_warnings(content: Content) -> list[Problem]:
    """Exercises should say how long they take, at least through their steps."""
    warnings = []
    for principle in content.principles:
        source = content.sources[f"principle:{principle.slug}"]
        for index, exercise in enumerate(principle.exercises):
            if exercise.duration is None:
                warnings.append(
                    source.problem(
                        ["oefeningen", index],
                        "warning: no duration; give the exercise's minuten, "
                        "or minuten on every step",
                    )
                )
    return warnings


def load_content(root: Path | str = "content") -> Content:
    """Load and validate everything below ``root``.

    Raises :class:`ContentError` with every problem found in every file.
    """
    root = Path(root)
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, 1, "", "content folder not found")])

    def parse(path: Path) -> YamlFile:
        if not path.is_file():
            return YamlFile(
                path=path,
                display=_display(path),
                problems=[Problem(_display(path), 1, 1, "", "file not found")],
            )
        return load_yaml(path, _display(path))

    settings_file = parse(root / SETTINGS_FILE)
    document_file = parse(root / DOCUMENT_FILE)
    principle_files = {stem: parse(p) for stem, p in _principle_files(root).items()}
    article_dir = root / ARTICLES_DIR
    article_files = (
        {p.stem: parse(p) for p in sorted(article_dir.glob("*.yaml"))}
        if article_dir.is_dir()
        else {}
    )

    settings = validate(settings_file, model.Settings)
    document = validate(document_file, model.Document)
    principles = {s: validate(f, model.Principle) for s, f in principle_files.items()}
    articles = {s: validate(f, model.Article) for s, f in article_files.items()}

    files = [settings_file, document_file, *principle_files.values(), *article_files.values()]
    problems = [p for f in files for p in f.problems]
    if document is not None:
        problems += _cross_check(
            document_file,
            document,
            principle_files,
            {s: p for s, p in principles.items() if p is not None},
            article_files,
            {s: a for s, a in articles.items() if a is not None},
        )
    if problems:
        raise ContentError(problems)
    assert settings is not None and document is not None
    by_slug: dict[str, model.Principle] = {s: p for s, p in principles.items() if p}
    sources: dict[str, YamlFile] = {"document": document_file}
    sources.update({f"principle:{s}": f for s, f in principle_files.items()})
    sources.update({f"article:{s}": f for s, f in article_files.items()})
    return Content(
        root=root,
        settings=settings,
        document=document,
        principles=[by_slug[slug] for slug in document.principles],
        articles=[a for a in articles.values() if a is not None],
        sources=sources,
    )
