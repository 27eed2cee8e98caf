"""The fonts werkboek prints with, and which characters they can print: no system fonts.

Every font comes from a font package on PyPI (all under the SIL Open Font License 1.1):

* Atkinson Hyperlegible (``fontpkg-atkinson-hyperlegible``) sets every text;
* Noto Sans (``fontpkg-noto-sans``) stands behind it for the Latin, Greek and Cyrillic letters
  Atkinson lacks: the İ of a Turkish name, the ễ of a Vietnamese one, a Greek name;
* Noto Sans Arabic, Hebrew and Ethiopic, Noto Sans Symbols and Noto Emoji (monochrome,
  vector) from ``manimgx-fonts`` (Noto as the Noto project publishes it, one package);
* Noto Sans SC (``justmytype-intl-cjk``, the Noto Sans CJK character set for Simplified
  Chinese, 30,000 characters, which holds most Traditional ones too): Chinese names; and
  Noto Sans KR from the same package, after it: Korean names (Hangul). Only the glyphs a
  PDF uses are embedded (WeasyPrint subsets every font).

:data:`FAMILIES` is the order of fallback every ``font-family`` of the stylesheets gives.
A character none of the fonts has (Tifinagh: no well-kept font package on PyPI has Noto
Sans Tifinagh; a colour-only emoji sequence) cannot be printed without falling back to
whatever the system has: :func:`unprintable` finds those, and content, recipes and lists
report them before anything is built.

This module is below ``content/`` because content, recipes and participant lists check
their text against it; ``rendering/`` writes the ``@font-face`` rules from :func:`faces`.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FAMILIES = (
    "Atkinson Hyperlegible",
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Ethiopic",
    "Noto Sans SC",
    "Noto Sans KR",
    "Noto Sans Symbols",
    "Noto Emoji",
)
"""The font families in their order of fallback (the first that has a character sets it)."""
FONT_PACKAGES = (
    "fontpkg-atkinson-hyperlegible",
    "fontpkg-noto-sans",
    "manimgx-fonts",
    "justmytype-intl-cjk",
)
"""The distributions the fonts come from (a new version may change the PDFs' bytes)."""


@dataclass(frozen=True)
class Face:
    """One font file of a family: an ``@font-face`` rule."""

    family: str
    path: Path
    style: str = "normal"
    weight: int | None = None
    """``None`` for a variable font, which has every weight."""
    features: str = ""
    """Its ``font-feature-settings``, when not the font's own."""


NO_DECOMPOSITION = '"ccmp" 0'
"""Noto Sans draws some accented letters it has whole (the "ị" of "Thị") as a letter and a
combining mark (its ``ccmp`` feature); WeasyPrint then maps the letter's glyph to no text at
all (see :mod:`werkboek.pdf.unicode_map`). Without ``ccmp`` the letter is one glyph,
and the name extracts as written."""


def _atkinson() -> Path:
    import fontpkg_atkinson_hyperlegible

    return Path(fontpkg_atkinson_hyperlegible.ROOT) / "files"


def _noto_sans() -> Path:
    import fontpkg_noto_sans

    return Path(fontpkg_noto_sans.ROOT) / "files"


def _noto_scripts() -> Path:
    import manimgx_fonts

    return Path(manimgx_fonts.__file__).parent


def _noto_cjk(family: str) -> Path:
    """The folder of a family of ``justmytype-intl-cjk`` (``notosanssc``, ``notosanskr``)."""
    import justmytype_intl_cjk

    return Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / family


def font_dir() -> Path:
    """The folder of the main font (the web app serves it)."""
    return _atkinson()


@cache
def faces() -> tuple[Face, ...]:
    """Every font file werkboek prints with, family by family in :data:`FAMILIES` order."""
    atkinson = [
        Face("Atkinson Hyperlegible", _atkinson() / f"AtkinsonHyperlegible-{name}.ttf", s, w)
        for name, s, w in [
            ("Regular", "normal", 400),
            ("Italic", "italic", 400),
            ("Bold", "normal", 700),
            ("BoldItalic", "italic", 700),
        ]
    ]
    scripts = _noto_scripts()
    found = (
        *atkinson,
        Face("Noto Sans", _noto_sans() / "NotoSans[wdth,wght].ttf", features=NO_DECOMPOSITION),
        Face(
            "Noto Sans",
            _noto_sans() / "NotoSans-Italic[wdth,wght].ttf",
            "italic",
            features=NO_DECOMPOSITION,
        ),
        Face("Noto Sans Arabic", scripts / "NotoSansArabic[wght].ttf", features=NO_DECOMPOSITION),
        Face("Noto Sans Hebrew", scripts / "NotoSansHebrew[wght].ttf"),
        Face("Noto Sans Ethiopic", scripts / "NotoSansEthiopic[wght].ttf"),
        Face("Noto Sans SC", _noto_cjk("notosanssc") / "NotoSansSC[wght].ttf"),
        Face("Noto Sans KR", _noto_cjk("notosanskr") / "NotoSansKR[wght].ttf"),
        Face("Noto Sans Symbols", scripts / "NotoSansSymbols[wght].ttf"),
        Face("Noto Emoji", scripts / "NotoEmoji[wght].ttf"),
    )
    assert [f.family for f in found if f.family not in FAMILIES] == []
    return found


def font_dirs() -> list[Path]:
    """The folders of the font files (a stylesheet may read from them)."""
    return list(dict.fromkeys(face.path.parent for face in faces()))


class _Coverage:
    """Which characters the fonts have, read font by font in fallback order and only as far
    as a character needs: Dutch text is settled by the first font's small map, and the
    30,000-character map of the Chinese font is read only for a character no earlier font
    has."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._maps: list[frozenset[int]] = []

    def lacking(self, codepoints: set[int]) -> set[int]:
        """Those of ``codepoints`` that no font has."""
        for cmap in self._maps:
            codepoints = codepoints - cmap
        if not codepoints:
            return codepoints
        with self._lock:
            all_faces = faces()
            for index in range(len(all_faces)):
                if not codepoints:
                    break
                if index == len(self._maps):
                    self._maps.append(_cmap(all_faces[index].path))
                codepoints = codepoints - self._maps[index]
        return codepoints


def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


_printable = _Coverage()


IGNORABLE = frozenset("\u200c\u200d\u200e\u200f\ufe0e\ufe0f")
"""Characters that draw nothing themselves and need no glyph: the zero-width (non-)joiner,
the direction marks and the text/emoji presentation selectors."""


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` that no packaged font has (line breaks and other
    whitespace aside), each once, in order."""
    text = unicodedata.normalize("NFC", text)
    wanted = {ord(c) for c in set(text) if not c.isspace() and c not in IGNORABLE}
    lacking = _printable.lacking(wanted)
    if not lacking:
        return []
    return list(dict.fromkeys(c for c in text if ord(c) in lacking))


def unprintable_problem(text: str) -> str | None:
    """Why ``text`` cannot be printed as written, or ``None``."""
    found = unprintable(text)
    if not found:
        return None
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in found[:5])
    which = "het teken" if len(found) == 1 else "de tekens"
    return f"{which} {shown} kan werkboek niet drukken: het lettertype heeft het niet"


# ---------------------------------------------------------------- scripts and languages

LANGUAGES = {
    "ARABIC": "ar",
    "HEBREW": "he",
    "ETHIOPIC": "ti",
    "CJK": "zh",
    "HANGUL": "ko",
    "GREEK": "el",
}
"""The language a name in a script other than Latin is tagged with, by the first word of
its letters' Unicode names. A name says little about its language; these are the languages
of the participants werkboek is made for (Ethiopic: Tigrinya, of Eritrea; Arabic script:
Arabic). A screen reader uses the tag to pick a voice that can say the name."""
RIGHT_TO_LEFT = frozenset({"ARABIC", "HEBREW"})


def script_of(text: str) -> str | None:
    """The first word of the Unicode name of the first letter of ``text`` that is not
    Latin (``"ARABIC"``, ``"CJK"``, ...), or ``None`` for Latin text."""
    for character in text:
        if character.isalpha() and ord(character) >= 0x250:
            name = unicodedata.name(character, "")
            script = name.split(" ", 1)[0]
            if script not in ("LATIN", "MODIFIER", "COMBINING"):
                return script
    return None


def language_of(text: str) -> str | None:
    """The language tag (BCP 47) a name is printed with when it is not in Latin script:
    ``"ar"`` for an Arabic name; ``None`` for a Latin one or a script without a language
    here (it keeps the document's)."""
    script = script_of(text)
    return LANGUAGES.get(script) if script is not None else None


def is_right_to_left(text: str) -> bool:
    return script_of(text) in RIGHT_TO_LEFT
