"""The catalogue as the home page shows it: every item a trainer can add, with a summary,
and the filters (principle, kind, duration, group size, a word) over them."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..content import Content, schema
from ..content.markup import plain_text
from ..words import capital

KINDS = {
    "principe": "Principe",  # the programme's own word in its place: kind_labels()
    "oefening": "Oefening",
    "verhaal": "Verhaal",
    "artikel": "Tekst",
}


def kind_labels(content: Content) -> dict[str, str]:
    """The kinds as the catalogue names them: a principle by the programme's own word."""
    return {**KINDS, "principe": capital(content.words.principle.singular)}


DURATIONS = {"kort": "tot 30 minuten", "middel": "30 tot 60 minuten", "lang": "langer dan een uur"}
SUMMARY = 220


@dataclass(frozen=True)
class Entry:
    kind: str
    slug: str
    title: str
    summary: str
    principle: schema.Principle | None = None
    persons: schema.Range | None = None
    minutes: schema.Range | None = None
    media: str | None = None
    parts: tuple[tuple[str, str], ...] = ()

    @property
    def words(self) -> str:
        return fold(
            f"{self.title} {self.summary} {self.principle.plain_title if self.principle else ''}"
        )


def fold(text: str) -> str:
    """Lower case without accents, for searching (``Özdemir`` finds ``ozdemir``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def summary(blocks: Sequence[object], limit: int = SUMMARY) -> str:
    """The first paragraph(s) as plain text, cut at a word."""
    texts = [plain_text(t) for t in schema.block_texts(list(blocks), trainer=False)]
    text = " ".join(texts)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def entries(content: Content) -> list[Entry]:
    found: list[Entry] = []
    parts = tuple(content.parts.items())
    for principle in content.principles:
        found.append(
            Entry(
                "principe",
                principle.slug,
                principle.plain_title,
                plain_text(principle.invitation),
                principle=principle,
                parts=tuple((key, title) for key, title in parts if key in principle.parts),
            )
        )
        for story in principle.stories:
            found.append(
                Entry(
                    "verhaal",
                    story.slug,
                    story.plain_title,
                    summary(story.summary),
                    principle=principle,
                    media=story.media,
                )
            )
        for exercise in principle.exercises:
            found.append(
                Entry(
                    "oefening",
                    exercise.slug,
                    exercise.plain_title,
                    summary(exercise.purpose),
                    principle=principle,
                    persons=exercise.persons,
                    minutes=exercise.duration,
                )
            )
    for article in content.articles:
        text = summary([*article.body, *(b for s in article.sections for b in s.body)])
        if not text and article.items:
            text = "; ".join(plain_text(i.title) for i in article.items[:4]) + " …"
        found.append(Entry("artikel", article.slug, article.plain_title, text))
    return found


def _duration_matches(entry: Entry, duration: str) -> bool:
    if entry.minutes is None:
        return False
    low, high = entry.minutes.low, entry.minutes.high
    if duration == "kort":
        return low <= 30
    if duration == "middel":
        return high >= 30 and low <= 60
    return high > 60


def select(
    found: Sequence[Entry],
    *,
    word: str = "",
    principle: str = "",
    kind: str = "",
    duration: str = "",
    group: int | None = None,
) -> list[Entry]:
    """The entries that match every filter given."""
    words = fold(word).split()
    result = []
    for entry in found:
        if principle and (entry.principle is None or entry.principle.slug != principle):
            continue
        if kind and entry.kind != kind:
            continue
        if duration and (entry.kind != "oefening" or not _duration_matches(entry, duration)):
            continue
        if group is not None and (
            entry.kind != "oefening"
            or entry.persons is None
            or not entry.persons.low <= group <= entry.persons.high
        ):
            continue
        if words and not all(w in entry.words for w in words):
            continue
        result.append(entry)
    return result
