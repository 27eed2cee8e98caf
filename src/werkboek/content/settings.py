"""The settings of a content set (``instellingen.yaml``): everything that is the programme's own.

werkboek knows the *shape* of the material — principles with six parts, stories,
exercises, articles — but nothing of one programme: its name on covers and cards, the
file name of its document, the titles of the parts, where its material is online, its
language. Those are here, validated like the rest of the content, so a second
programme is a second content folder, not a change to the code.

Texts with ``{…}`` are patterns; only the names listed with each may be used.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from .schema import PART_KEYS, Colour, Model, Slug, Text, Url

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_FIELD = re.compile(r"\{([^{}]*)\}")


def fill(pattern: str, **values: object) -> str:
    """``fill("Basisprincipe {nummer}", nummer=3)``: only plain ``{name}`` fields, no format
    specs or attribute access, so a pattern from a content file can do nothing else."""
    return _FIELD.sub(lambda m: str(values[m.group(1)]), pattern)


def pattern(*names: str) -> AfterValidator:
    """A text pattern that may only use the given ``{names}``."""

    def check(text: str) -> str:
        for field in _FIELD.findall(text):
            if field not in names:
                allowed = ", ".join("{" + n + "}" for n in names)
                raise ValueError(f"onbekend veld {{{field}}} in het patroon (wel: {allowed})")
        if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
            raise ValueError("een { of } zonder partner in het patroon")
        return text

    return AfterValidator(check)


def _language(value: str) -> str:
    if not LANGUAGE.match(value):
        raise ValueError(f"{value!r} is geen taalcode zoals 'nl' of 'en-GB'")
    return value


class DocumentSettings(Model):
    file_name: Slug = Field(alias="bestand")
    """The full document's file name, without ``.pdf``."""
    origin: Text = Field(alias="herkomst")
    """The document as the sentence "Uit …" names it: ``het Inspiratiedocument …``."""


class UitgangspuntenCards(Model):
    article: Slug = Field(alias="artikel")
    """The article whose numbered items become the uitgangspunten cards."""
    band: tuple[Text, Text] = Field(alias="band")
    """The small and the large line of the band on the front of every card."""
    footer: Text = Field(alias="voet")
    """The source line at the foot of every card."""


class CardSettings(Model):
    exercise_band: Annotated[Text, pattern("nummer", "principe")] = Field(alias="oefening")
    """The small line of an exercise card's band: ``Basisprincipe {nummer} · Oefenkaart``."""
    uitgangspunten: UitgangspuntenCards | None = Field(default=None, alias="uitgangspunten")


class WorkbookSettings(Model):
    cover_line: Annotated[Text, pattern("herkomst", "versie", "uitgever")] = Field(alias="omslag")
    """The line at the foot of a workbook's cover."""


def _file_below(value: str) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value or not path.parts:
        raise ValueError(
            f"{value!r}: geef een pad binnen de map met de inhoud, zoals 'beeld/logo.svg'"
        )
    if path.suffix.lower() not in LOGO_TYPES:
        raise ValueError(f"{value!r}: een logo is een SVG- of PNG-bestand (.svg of .png)")
    return value


NEUTRAL_COLOUR = "#3d4852"
"""The house colour of a programme that names none: a dark slate grey, nobody's colour."""

LOGO_TYPES = (".svg", ".png")
"""The kinds of file a logo may be: WeasyPrint draws both, sharp (SVG) or at its pixels."""


class Logo(Model):
    file: Annotated[str, AfterValidator(_file_below)] = Field(alias="bestand")
    """The logo's file, relative to the content folder."""
    alt: Text = Field(alias="alt")
    """What the logo says, for a screen reader."""


class Organisation(Model):
    name: Text = Field(alias="naam")
    """The organisation's name, on the attendance list, certificates and cards."""
    colour: Colour = Field(alias="kleur")
    """The house colour: the web app's accent and the products' own (non-principle) colour."""
    logo: Logo | None = Field(default=None, alias="logo")
    contact: list[Text] = Field(default_factory=list, alias="contact")
    """Every contact line (address, website, e-mail), all printed on the handouts."""


class Word(Model):
    """A word of the programme as it is written in a sentence (``basisprincipe``); a
    template capitalises it where it starts a line."""

    singular: Text = Field(alias="enkelvoud")
    plural: Text = Field(alias="meervoud")
    article: Text = Field(default="de", alias="lidwoord")
    """The definite article: ``het`` basisprincipe, ``de`` pijler."""

    def with_this(self) -> str:
        """``dit basisprincipe``, ``deze pijler``."""
        return f"{'dit' if self.article == 'het' else 'deze'} {self.singular}"

    def with_that(self) -> str:
        """``dat basisprincipe``, ``die pijler``."""
        return f"{'dat' if self.article == 'het' else 'die'} {self.singular}"

    def with_the(self) -> str:
        """``het basisprincipe``, ``de pijler``."""
        return f"{self.article} {self.singular}"

    def unknown(self) -> str:
        """``onbekend basisprincipe``, ``onbekende pijler``."""
        return f"{'onbekend' if self.article == 'het' else 'onbekende'} {self.singular}"


def _word(singular: str, plural: str, article: str) -> Word:
    return Word.model_validate({"enkelvoud": singular, "meervoud": plural, "lidwoord": article})


class Words(Model):
    """What the programme calls the things werkboek knows the shape of."""

    principle: Word = Field(
        default_factory=lambda: _word("principe", "principes", "het"), alias="principe"
    )
    part: Word = Field(default_factory=lambda: _word("deel", "delen", "het"), alias="deel")
    core_element: Word = Field(
        default_factory=lambda: _word("kernelement", "kernelementen", "het"), alias="kernelement"
    )
    experience_expert: Word = Field(
        default_factory=lambda: _word("ervaringsdeskundige", "ervaringsdeskundigen", "de"),
        alias="ervaringsdeskundige",
    )


class Settings(Model):
    base_url: Url = Field(alias="base_url")
    language: Annotated[str, AfterValidator(_language)] = Field(alias="taal")
    deep_link: Annotated[str, pattern("base_url", "principe", "deel", "item")] = Field(
        alias="deeplink"
    )
    """The online address of an item without a url of its own."""
    document: DocumentSettings = Field(alias="document")
    parts: dict[str, Text] = Field(alias="delen")
    """The printed title of each of a principle's six parts."""
    cards: CardSettings = Field(alias="kaarten")
    workbook: WorkbookSettings = Field(alias="werkboek")
    organisation: Organisation | None = Field(default=None, alias="organisatie")
    """Who publishes the material; without it, the document's publisher in a neutral colour."""
    words: Words = Field(default_factory=Words, alias="woorden")

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("parts")
    @classmethod
    def _every_part(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [key for key in PART_KEYS if key not in value]
        unknown = [key for key in value if key not in PART_KEYS]
        if unknown:
            raise ValueError(f"onbekend deel {unknown[0]!r} (delen: {', '.join(PART_KEYS)})")
        if missing:
            raise ValueError(f"de titel van deel {missing[0]!r} ontbreekt")
        return {key: value[key] for key in PART_KEYS}

    def link(self, principle: str, part: str, item: str) -> str:
        """The deep link of an item in a part of a principle."""
        return fill(
            self.deep_link, base_url=self.base_url, principe=principle, deel=part, item=item
        )
