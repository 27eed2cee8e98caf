"""The typed content model.

The content files use Dutch keys (they are written by editors of a Dutch
document); the model's attributes are English and carry the Dutch key as their
alias. Pydantic v2 was chosen over dataclasses because it validates a whole file
in one pass and reports *every* problem with its location (``loc``), forbids
unknown keys with ``extra="forbid"``, and gives us discriminated unions for the
block types: exactly what "report all problems at once, at their line" needs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .fonts import unprintable_problem
from .markup import inline_problems, link_problem, plain_text
from .slugs import is_slug, slugify

# ---------------------------------------------------------------- scalar types


def _check_inline(text: str) -> str:
    problems = inline_problems(text)
    printable = unprintable_problem(text)
    if printable:
        problems.append(printable)
    if problems:  # every bad link, each its own problem (see validation.py)
        raise PydanticCustomError(
            "werkboek_problems", "{first}", {"first": problems[0], "problems": problems}
        )
    if not text.strip():
        raise ValueError("tekst is leeg")
    return text


def _check_slug(text: str) -> str:
    if not is_slug(text):
        raise ValueError(
            f"{text!r} is geen slug (kleine letters, cijfers en enkele koppeltekens), "
            f"bijvoorbeeld {slugify(text)!r}"
        )
    return text


def _check_url(text: str) -> str:
    problem = link_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white on ``colour`` (``#rrggbb``)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


MIN_CONTRAST = 5.0
"""White text on a principle colour, and that colour on white or light grey, must reach
WCAG AA (4.5:1) with room for the light grey boxes: 5:1 on white."""


def _check_colour(text: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
        raise ValueError(f"{text!r} is geen kleur zoals '#2e6b4f'")
    ratio = contrast_with_white(text)
    if ratio < MIN_CONTRAST:
        shown = f"{ratio:.1f}".replace(".", ",")
        raise ValueError(
            f"{text} is te licht: het contrast met wit is {shown}:1, werkboek vraagt "
            f"{MIN_CONTRAST:.0f}:1 (WCAG AA, ook op lichte achtergronden)"
        )
    return text.lower()


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Text = Annotated[str, AfterValidator(_check_inline)]
"""A text with the safe inline markup (bold, italic, links)."""
Slug = Annotated[str, AfterValidator(_check_slug)]
Url = Annotated[str, AfterValidator(_check_url)]
Colour = Annotated[str, AfterValidator(_check_colour)]
Paragraphs = Annotated[list[Text], BeforeValidator(_one_or_many)]


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=False, str_strip_whitespace=True
    )


class Range(Model):
    """A whole number or a range such as ``15-30`` (minutes, persons)."""

    low: int
    high: int

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("verwacht een getal of een bereik zoals 15-30")
        if isinstance(value, int):
            return {"low": value, "high": value}
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(-?\d+)\s*(?:[-–]\s*(-?\d+)\s*)?", value)
            if not match:
                raise ValueError(f"{value!r} is geen getal of bereik zoals 15-30")
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) else low
            return {"low": low, "high": high}
        if isinstance(value, dict):
            return value
        raise ValueError("verwacht een getal of een bereik zoals 15-30")

    @model_validator(mode="after")
    def _order(self) -> Range:
        if self.low < 0 or self.high < 0:
            raise ValueError("mag niet negatief zijn")
        if self.high < self.low:
            raise ValueError(
                f"het bereik {self.low}-{self.high} loopt terug; schrijf {self.high}-{self.low}"
            )
        return self

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def __add__(self, other: Range) -> Range:
        return Range(low=self.low + other.low, high=self.high + other.high)


def _persons(value: Range | None) -> Range | None:
    if value is not None and value.low < 1:
        raise ValueError("een groep heeft minstens 1 persoon")
    return value


Persons = Annotated[Range, AfterValidator(_persons)]


# ---------------------------------------------------------------- blocks


class BulletList(Model):
    items: list[Text] = Field(alias="lijst", min_length=1)


class NumberedList(Model):
    items: list[Text] = Field(alias="genummerd", min_length=1)
    start: int = Field(default=1, ge=0)


class Subheading(Model):
    text: Text = Field(alias="tussenkop")


class Quote(Model):
    paragraphs: Paragraphs = Field(alias="citaat", min_length=1)
    source: Text | None = Field(default=None, alias="bron")


class Box(Model):
    """A case text or a letter, set apart from the instructions."""

    blocks: list[Block] = Field(alias="kader", min_length=1)
    kind: Literal["casus", "brief"] = Field(alias="soort")
    title: Text | None = Field(default=None, alias="titel")


class WriteIn(Model):
    """Prompts that get ruled lines to write on."""

    prompts: list[Text] = Field(alias="invullen", min_length=1)
    lines: int = Field(default=3, alias="regels", ge=1, le=30)
    numbered: bool = Field(default=False, alias="genummerd")


class TrainerOnly(Model):
    """Material for the trainer / procesbegeleider only (answers, instructions)."""

    blocks: list[Block] = Field(alias="trainer", min_length=1)
    title: Text | None = Field(default=None, alias="titel")


BLOCK_KEYS = {
    "lijst": BulletList,
    "genummerd": NumberedList,
    "tussenkop": Subheading,
    "citaat": Quote,
    "kader": Box,
    "invullen": WriteIn,
    "trainer": TrainerOnly,
}
# "genummerd" is also an option of "invullen": that key decides first.
_TAG_ORDER = ["invullen", "kader", "trainer", "citaat", "tussenkop", "lijst", "genummerd"]


def block_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "alinea"
    if isinstance(value, dict):
        for key in _TAG_ORDER:
            if key in value:
                return key
        return None
    for key, cls in BLOCK_KEYS.items():
        if isinstance(value, cls):
            return key
    return None


Block = Annotated[
    Annotated[Text, Tag("alinea")]
    | Annotated[BulletList, Tag("lijst")]
    | Annotated[NumberedList, Tag("genummerd")]
    | Annotated[Subheading, Tag("tussenkop")]
    | Annotated[Quote, Tag("citaat")]
    | Annotated[Box, Tag("kader")]
    | Annotated[WriteIn, Tag("invullen")]
    | Annotated[TrainerOnly, Tag("trainer")],
    Discriminator(
        block_tag,
        custom_error_type="block_type",
        custom_error_message=(
            "een blok is een alinea (tekst) of heeft een van deze sleutels: "
            + ", ".join(BLOCK_KEYS)
        ),
    ),
]
Blocks = Annotated[list[Block], BeforeValidator(_one_or_many)]

Box.model_rebuild()
TrainerOnly.model_rebuild()


def iter_blocks(blocks: list[Any], *, trainer: bool = True) -> Iterator[Any]:
    """Every block, depth first; with ``trainer=False`` trainer-only material is skipped."""
    for block in blocks:
        if isinstance(block, TrainerOnly) and not trainer:
            continue
        yield block
        if isinstance(block, Box | TrainerOnly):
            yield from iter_blocks(block.blocks, trainer=trainer)


def block_texts(blocks: list[Any], *, trainer: bool = True) -> list[str]:
    """The text strings of blocks, in reading order."""
    out: list[str] = []
    for block in iter_blocks(blocks, trainer=trainer):
        if isinstance(block, str):
            out.append(block)
        elif isinstance(block, BulletList | NumberedList):
            out.extend(block.items)
        elif isinstance(block, Subheading):
            out.append(block.text)
        elif isinstance(block, Quote):
            out.extend(block.paragraphs)
            if block.source:
                out.append(block.source)
        elif isinstance(block, WriteIn):
            out.extend(block.prompts)
        elif isinstance(block, Box | TrainerOnly) and block.title:
            out.append(block.title)
    return out


# ---------------------------------------------------------------- items with slugs


class Titled(Model):
    """An item with a title and a slug derived from it unless given."""

    title: Text = Field(alias="titel")
    slug: Slug = Field(default="", alias="slug", validate_default=False)

    @model_validator(mode="after")
    def _derive_slug(self) -> Titled:
        if not self.slug:
            object.__setattr__(self, "slug", slugify(plain_text(self.title)))
        return self

    @property
    def plain_title(self) -> str:
        return plain_text(self.title)


class Section(Model):
    title: Text = Field(alias="titel")
    body: Blocks = Field(default_factory=list, alias="inhoud")
    sections: list[Section] = Field(default_factory=list, alias="secties")

    @property
    def slug(self) -> str:
        return slugify(plain_text(self.title))


# ---------------------------------------------------------------- a principle


class Kernelement(Model):
    title: Text = Field(alias="titel")
    intro: Text | None = Field(default=None, alias="intro")
    behaviours: list[Text] = Field(alias="gedrag", min_length=1)


class Explanation(Model):
    body: Blocks = Field(alias="inhoud", min_length=1)
    kernelementen_intro: Text | None = Field(default=None, alias="kernelementen_intro")
    kernelementen: list[Kernelement] = Field(alias="kernelementen", min_length=1)


class Story(Titled):
    kernelement: int = Field(alias="kernelement", ge=1)
    summary: Blocks = Field(default_factory=list, alias="samenvatting")
    elements_intro: Text = Field(
        default="Belangrijke elementen in dit verhaal zijn:", alias="elementen_intro"
    )
    elements: list[Text] = Field(default_factory=list, alias="elementen")
    narrator: Text | None = Field(default=None, alias="verteller")
    quote: Paragraphs = Field(default_factory=list, alias="citaat")
    media: Literal["audio", "video"] | None = Field(default=None, alias="media")
    url: Url | None = Field(default=None, alias="url")


class Interview(Model):
    question: Text = Field(alias="vraag")
    answer: Blocks = Field(alias="antwoord", min_length=1)


class Choices(Model):
    options: list[tuple[Text, Text]] = Field(alias="opties", min_length=1)
    note: Text | None = Field(default=None, alias="toelichting")


class Professional(Model):
    name: Text | None = Field(default=None, alias="naam")
    """Optional: a part about a colleague need not invent one."""
    field: Text = Field(alias="vakgebied")
    introduction: Blocks = Field(default_factory=list, alias="introductie")
    questions: list[Interview] = Field(alias="vragen", min_length=1)
    choices: Choices | None = Field(default=None, alias="keuzes")

    @property
    def first_name(self) -> str | None:
        return plain_text(self.name).split()[0] if self.name else None


class Step(Model):
    title: Text = Field(alias="titel")
    minutes: Range | None = Field(default=None, alias="minuten")
    minutes_note: Text | None = Field(default=None, alias="minuten_toelichting")
    body: Blocks = Field(default_factory=list, alias="inhoud")


class Exercise(Titled):
    purpose: Blocks = Field(default_factory=list, alias="doel")
    persons: Persons | None = Field(default=None, alias="personen")
    minutes: Range | None = Field(default=None, alias="minuten")
    materials: list[Text] = Field(default_factory=list, alias="materiaal")
    url: Url | None = Field(default=None, alias="url")
    steps: list[Step] = Field(alias="stappen", min_length=1)

    @property
    def duration(self) -> Range | None:
        """The stated duration, or the sum of the steps' minutes when all steps have one."""
        if self.minutes is not None:
            return self.minutes
        timed = [step.minutes for step in self.steps if step.minutes is not None]
        if not timed or len(timed) != len(self.steps):
            return None
        if any(step.minutes_note for step in self.steps):  # "5 min per persoon" does not add up
            return None
        total = timed[0]
        for minutes in timed[1:]:
            total = total + minutes
        return total

    def has_trainer_material(self) -> bool:
        blocks = [*self.purpose, *(b for step in self.steps for b in step.body)]
        return any(isinstance(b, TrainerOnly) for b in iter_blocks(blocks))


class LeaderStory(Titled):
    intro: Blocks = Field(default_factory=list, alias="inleiding")
    narrator: Text | None = Field(default=None, alias="verteller")
    quote: Paragraphs = Field(default_factory=list, alias="citaat")
    media: Literal["audio", "video"] | None = Field(default=None, alias="media")
    url: Url | None = Field(default=None, alias="url")


class Leaders(Model):
    body: Blocks = Field(default_factory=list, alias="inhoud")
    stories: list[LeaderStory] = Field(default_factory=list, alias="verhalen")
    closing: Blocks = Field(default_factory=list, alias="slot")


SOURCE_KINDS = (
    "podcast",
    "onderzoek",
    "artikel",
    "website",
    "video",
    "boek",
    "hulpmiddel",
    "overig",
)


class BackgroundSource(Model):
    text: Text = Field(alias="tekst")
    kind: Literal[SOURCE_KINDS] = Field(alias="soort")  # type: ignore[valid-type]
    url: Url | None = Field(default=None, alias="url")

    @property
    def slug(self) -> str:
        return slugify(plain_text(self.text))[:60].rstrip("-")


class MediaStory(Model):
    text: Text = Field(alias="tekst")
    story: Slug | None = Field(default=None, alias="verhaal")


class Background(Model):
    body: Blocks = Field(default_factory=list, alias="inhoud")
    sources: list[BackgroundSource] = Field(default_factory=list, alias="bronnen")
    media_stories: list[MediaStory] = Field(default_factory=list, alias="beeld_en_geluid")


PART_KEYS: tuple[str, ...] = (
    "uitleg",
    "verhalen",
    "professional",
    "oefenen",
    "leidinggevenden",
    "achtergrond",
)
"""The six parts of every principle, in their order (their titles are in the settings)."""


class Principle(Model):
    slug: Slug = Field(alias="slug")
    title: Text = Field(alias="titel")
    colour: Colour = Field(alias="kleur")
    experienced: Text | None = Field(default=None, alias="ervaringsdeskundige")
    quote: Text = Field(alias="citaat")
    invitation: Text = Field(alias="uitnodiging")
    # the six parts: a principle has the ones it has, and prints only those
    explanation: Explanation | None = Field(default=None, alias="uitleg")
    stories: list[Story] = Field(default_factory=list, alias="verhalen")
    professional: Professional | None = Field(default=None, alias="professional")
    exercises: list[Exercise] = Field(default_factory=list, alias="oefeningen")
    leaders: Leaders | None = Field(default=None, alias="leidinggevenden")
    background: Background | None = Field(default=None, alias="achtergrond")

    @property
    def plain_title(self) -> str:
        return plain_text(self.title)

    @property
    def parts(self) -> tuple[str, ...]:
        """The keys of the parts this principle has (an empty ``leidinggevenden: {}`` is
        none), in the order of :data:`PART_KEYS`."""
        present = {
            "uitleg": self.explanation is not None,
            "verhalen": bool(self.stories),
            "professional": self.professional is not None,
            "oefenen": bool(self.exercises),
            "leidinggevenden": self.leaders is not None
            and bool(self.leaders.body or self.leaders.stories or self.leaders.closing),
            "achtergrond": self.background is not None
            and bool(
                self.background.body or self.background.sources or self.background.media_stories
            ),
        }
        return tuple(key for key in PART_KEYS if present[key])

    @property
    def kernelementen(self) -> list[Kernelement]:
        return self.explanation.kernelementen if self.explanation is not None else []

    @property
    def leader_stories(self) -> list[LeaderStory]:
        return self.leaders.stories if self.leaders is not None else []


# ---------------------------------------------------------------- document, articles


class Document(Model):
    title: Text = Field(alias="titel")
    subtitle: Text | None = Field(default=None, alias="ondertitel")
    programme: Text = Field(alias="programma")
    publisher: Text = Field(alias="uitgever")
    version: dt.date = Field(alias="versie")
    home: Blocks = Field(alias="home", min_length=1)
    home_quote: Text | None = Field(default=None, alias="home_citaat")
    principles: list[Slug] = Field(alias="principes", min_length=1)
    chapters: list[Section] = Field(alias="hoofdstukken", min_length=1)
    colofon: Blocks = Field(alias="colofon", min_length=1)
    contact: Blocks = Field(alias="contact", min_length=1)


class ArticleItem(Model):
    title: Text = Field(alias="titel")
    body: Blocks = Field(default_factory=list, alias="inhoud")


class Article(Model):
    slug: Slug = Field(alias="slug")
    title: Text = Field(alias="titel")
    running_title: str | None = Field(default=None, alias="kopregel", max_length=60)
    """A short title for the running head, when the title is long."""
    subtitle: Text | None = Field(default=None, alias="ondertitel")
    author: Text | None = Field(default=None, alias="auteur")
    publisher: Text | None = Field(default=None, alias="bron")
    url: Url | None = Field(default=None, alias="url")
    body: Blocks = Field(default_factory=list, alias="inhoud")
    sections: list[Section] = Field(default_factory=list, alias="secties")
    items: list[ArticleItem] = Field(default_factory=list, alias="items")

    @model_validator(mode="after")
    def _not_empty(self) -> Article:
        if not (self.body or self.sections or self.items):
            raise ValueError("een artikel heeft inhoud, secties of items nodig")
        return self

    @property
    def plain_title(self) -> str:
        return plain_text(self.title)
