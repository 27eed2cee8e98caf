"""The content as the reader sees it: plain text with the printed labels.

The templates print labels around the content ("Kernelement 2: …", "Stap 1. …
(15 min)", "De keuzes van Sabine:"). This module yields the same words in
reading order, without markup. The fidelity test compares it with the seeds,
and tests use it to know which text a product must contain.
"""

from __future__ import annotations

from collections.abc import Iterator

from werkboek.content import Content
from werkboek.content import schema as model
from werkboek.content.markup import plain_text


def minutes_label(step: model.Step) -> str:
    if step.minutes is None:
        return ""
    note = f" {plain_text(step.minutes_note)}" if step.minutes_note else ""
    return f"{step.minutes} min{note}"


def step_heading(number: int, step: model.Step) -> str:
    minutes = minutes_label(step)
    return f"Stap {number}. {plain_text(step.title)}" + (f" ({minutes})" if minutes else "")


def kernelement_label(principle: model.Principle, number: int) -> str:
    kernelement = principle.kernelementen[number - 1]
    return f"Kernelement {number}: {plain_text(kernelement.title)}"


def blocks_text(blocks: list[model.Block], *, trainer: bool = True) -> Iterator[str]:
    for text in model.block_texts(blocks, trainer=trainer):
        yield plain_text(text)


def principle_text(principle: model.Principle, *, trainer: bool = True) -> Iterator[str]:
    yield principle.plain_title
    yield plain_text(principle.invitation)
    yield plain_text(principle.quote)
    explanation = principle.explanation
    if explanation is not None:
        yield from blocks_text(explanation.body)
        if explanation.kernelementen_intro:
            yield plain_text(explanation.kernelementen_intro)
        for number, kernelement in enumerate(explanation.kernelementen, 1):
            yield kernelement_label(principle, number)
            if kernelement.intro:
                yield plain_text(kernelement.intro)
            yield from (plain_text(b) for b in kernelement.behaviours)
    for story in principle.stories:
        yield from story_text(principle, story)
    if principle.professional is not None:
        yield from professional_text(principle.professional)
    for number, exercise in enumerate(principle.exercises, 1):
        yield from exercise_text(exercise, number, trainer=trainer)
    if principle.leaders is not None:
        yield from blocks_text(principle.leaders.body)
        for leader_story in principle.leaders.stories:
            yield leader_story.plain_title
            yield from blocks_text(leader_story.intro)
            if leader_story.narrator:
                yield f"{plain_text(leader_story.narrator)} vertelt:"
            yield from (plain_text(p) for p in leader_story.quote)
        yield from blocks_text(principle.leaders.closing)
    background = principle.background
    if background is not None:
        yield from blocks_text(background.body)
        yield from (plain_text(s.text) for s in background.sources)
        if background.media_stories:
            yield "Sprekende verhalen in beeld en geluid"
            yield from (plain_text(m.text) for m in background.media_stories)


def story_text(principle: model.Principle, story: model.Story) -> Iterator[str]:
    yield kernelement_label(principle, story.kernelement)
    yield story.plain_title
    yield from blocks_text(story.summary)
    if story.elements:
        yield plain_text(story.elements_intro)
        yield from (plain_text(e) for e in story.elements)
    if story.narrator:
        yield f"{plain_text(story.narrator)} vertelt:"
    yield from (plain_text(p) for p in story.quote)


def professional_text(professional: model.Professional) -> Iterator[str]:
    if professional.name:
        yield plain_text(professional.name)
    yield plain_text(professional.field)
    yield from blocks_text(professional.introduction)
    for interview in professional.questions:
        yield plain_text(interview.question)
        yield from blocks_text(interview.answer)
    if professional.choices:
        name = professional.first_name
        yield f"De keuzes van {name}:" if name else "De keuzes:"
        yield from (f"{plain_text(a)} of {plain_text(b)}" for a, b in professional.choices.options)
        if professional.choices.note:
            yield plain_text(professional.choices.note)


def exercise_text(
    exercise: model.Exercise, number: int | None = None, *, trainer: bool = True
) -> Iterator[str]:
    yield f"Oefening {number}: {exercise.plain_title}" if number else exercise.plain_title
    yield from blocks_text(exercise.purpose, trainer=trainer)
    if exercise.persons:
        yield f"{exercise.persons} personen"
    if exercise.duration:
        yield f"{exercise.duration} minuten"
    for step_number, step in enumerate(exercise.steps, 1):
        yield step_heading(step_number, step)
        yield from blocks_text(step.body, trainer=trainer)


def section_text(section: model.Section) -> Iterator[str]:
    yield plain_text(section.title)
    yield from blocks_text(section.body)
    for sub in section.sections:
        yield from section_text(sub)


def article_text(article: model.Article) -> Iterator[str]:
    yield article.plain_title
    if article.subtitle:
        yield plain_text(article.subtitle)
    yield from blocks_text(article.body)
    for section in article.sections:
        yield from section_text(section)
    for number, item in enumerate(article.items, 1):
        yield f"{number}. {plain_text(item.title)}"
        yield from blocks_text(item.body)
    if article.author:
        yield f"Geschreven door {plain_text(article.author)}"


def content_text(content: Content) -> Iterator[str]:
    """Everything a reader of the full document and the articles sees, in order."""
    document = content.document
    yield plain_text(document.title)
    if document.subtitle:
        yield plain_text(document.subtitle)
    yield from blocks_text(document.home)
    if document.home_quote:
        yield plain_text(document.home_quote)
    for chapter in document.chapters:
        yield from section_text(chapter)
    for principle in content.principles:
        yield from principle_text(principle)
    yield from blocks_text(document.colofon)
    yield from blocks_text(document.contact)
    for article in content.articles:
        yield from article_text(article)
