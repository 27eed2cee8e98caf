"""The content, loaded and valid: look-ups by slug, links, and what an editor should see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from . import schema
from .settings import NEUTRAL_COLOUR, Organisation, Settings, Words
from .source import PathPart, YamlFile


@dataclass
class Content:
    """All content of one content set, validated, with its settings."""

    root: Path
    settings: Settings
    document: schema.Document
    principles: list[schema.Principle]
    articles: list[schema.Article]
    sources: dict[str, YamlFile] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ look-ups

    def principle(self, slug: str) -> schema.Principle:
        for principle in self.principles:
            if principle.slug == slug:
                return principle
        raise KeyError(slug)

    def principle_number(self, principle: schema.Principle) -> int:
        """The principle's place in the document, from 1."""
        return self.principles.index(principle) + 1

    def exercises(self) -> Iterator[tuple[schema.Principle, schema.Exercise]]:
        for principle in self.principles:
            for exercise in principle.exercises:
                yield principle, exercise

    def answers(
        self,
    ) -> Iterator[tuple[schema.Principle, schema.Exercise, int, schema.TrainerOnly]]:
        """Every trainer-only block of an exercise (answers, mostly), with its step number."""
        for principle, exercise in self.exercises():
            for number, step in enumerate(exercise.steps, start=1):
                for block in step.body:
                    if isinstance(block, schema.TrainerOnly):
                        yield principle, exercise, number, block

    def stories(self) -> Iterator[tuple[schema.Principle, schema.Story]]:
        for principle in self.principles:
            for story in principle.stories:
                yield principle, story

    def article(self, slug: str) -> schema.Article:
        for article in self.articles:
            if article.slug == slug:
                return article
        raise KeyError(slug)

    def has_article(self, slug: str) -> bool:
        return any(article.slug == slug for article in self.articles)

    @property
    def parts(self) -> dict[str, str]:
        """The six parts of a principle: key → printed title, in order."""
        return self.settings.parts

    @property
    def organisation(self) -> Organisation:
        """Who publishes the material: the settings' ``organisatie``, or else the document's
        publisher in a neutral colour, with the contact text's paragraphs as its lines."""
        if self.settings.organisation is not None:
            return self.settings.organisation
        lines = [b for b in self.document.contact if isinstance(b, str)]
        return Organisation.model_validate(
            {"naam": self.document.publisher, "kleur": NEUTRAL_COLOUR, "contact": lines}
        )

    @property
    def logo(self) -> Path | None:
        """The logo's file, if the organisation has one."""
        organisation = self.settings.organisation
        if organisation is None or organisation.logo is None:
            return None
        return self.root / organisation.logo.file

    @property
    def words(self) -> Words:
        """What the programme calls a principle, a part, a core element, an experience expert."""
        return self.settings.words

    @property
    def source_name(self) -> str:
        """The document's name as a source: ``Inspiratiedocument Toekomstscenario …``."""
        from .markup import plain_text

        document = self.document
        return f"{plain_text(document.title)} {plain_text(document.programme)}"

    # ------------------------------------------------------------ links

    def deep_link(self, principle: schema.Principle, part: str, slug: str) -> str:
        """The online address of an item in a part of a principle."""
        return self.settings.link(principle.slug, part, slug)

    def story_url(self, principle: schema.Principle, story: schema.Story) -> str:
        return story.url or self.deep_link(principle, "verhalen", story.slug)

    def exercise_url(self, principle: schema.Principle, exercise: schema.Exercise) -> str:
        return exercise.url or self.deep_link(principle, "oefenen", exercise.slug)

    def source_url(self, principle: schema.Principle, source: schema.BackgroundSource) -> str:
        return source.url or self.deep_link(principle, "achtergrond", source.slug)

    # ------------------------------------------------------------ warnings

    def warnings(self) -> list[Problem]:
        """What an editor should look at, though the content is valid."""
        return sorted(self._untimed_exercises() + self._steps_off_time() + self.missing_urls())

    def missing_urls(self) -> list[Problem]:
        """Items that link to a derived deep link instead of a url of their own."""
        warnings: list[Problem] = []
        for principle in self.principles:
            file = self.sources[f"principle:{principle.slug}"]
            groups: list[tuple[list[PathPart], list[Any], Any]] = [
                (["verhalen"], principle.stories, self.story_url),
                (["oefeningen"], principle.exercises, self.exercise_url),
                (
                    ["achtergrond", "bronnen"],
                    principle.background.sources if principle.background else [],
                    self.source_url,
                ),
            ]
            for parts, items, derive in groups:
                for position, item in enumerate(items):
                    if not item.url:
                        message = f"geen eigen url; linkt naar {derive(principle, item)}"
                        warnings.append(file.problem([*parts, position], message))
        return warnings

    def _steps_off_time(self) -> list[Problem]:
        """The steps of an exercise should fit in its minutes, and, when every step is timed,
        fill most of them."""
        warnings = []
        for principle in self.principles:
            source = self.sources[f"principle:{principle.slug}"]
            for index, exercise in enumerate(principle.exercises):
                stated = exercise.minutes
                # a step "per persoon" (with a note) does not add up
                timed = [s.minutes for s in exercise.steps if s.minutes and not s.minutes_note]
                if stated is None or not timed:
                    continue
                total = sum((m.low for m in timed), 0), sum((m.high for m in timed), 0)
                shown = str(total[0]) if total[0] == total[1] else f"{total[0]}-{total[1]}"
                if total[0] > stated.high:
                    comparison = "langer dan"
                elif len(timed) == len(exercise.steps) and total[1] * 2 < stated.low:
                    # Shorter is common (a welcome, a round-up or a talk that is no step of
                    # its own), so only when every step has its minutes and they fill less
                    # than half of the exercise: a step's minutes forgotten, or a typo.
                    comparison = "veel korter dan"
                else:
                    continue
                message = (
                    f"de stappen duren samen {shown} minuten, {comparison} de oefening "
                    f"({stated} minuten)"
                )
                warnings.append(source.problem(["oefeningen", index, "minuten"], message))
        return warnings

    def _untimed_exercises(self) -> list[Problem]:
        """Exercises should say how long they take, at least through their steps."""
        warnings = []
        for principle in self.principles:
            source = self.sources[f"principle:{principle.slug}"]
            for index, exercise in enumerate(principle.exercises):
                if exercise.duration is None:
                    message = "geen duur; geef de oefening minuten, of elke stap minuten"
                    warnings.append(source.problem(["oefeningen", index], message))
        return warnings
