"""The fonts werkboek prints with, from PyPI font packages: no system fonts.

Atkinson Hyperlegible sets every text. Noto Sans stands behind it for letters Atkinson
lacks — the İ of a Turkish name, the ễ of a Vietnamese one — so a participant's name
is printed as written. A character neither font has (an emoji, Chinese) cannot be
printed without falling back to whatever the system has: :func:`unprintable` finds
those, and content, recipes and lists report them as problems before anything is built.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


def font_dir() -> Path:
    import fontpkg_atkinson_hyperlegible

    return Path(fontpkg_atkinson_hyperlegible.ROOT) / "files"


def fallback_dir() -> Path:
    import fontpkg_noto_sans

    return Path(fontpkg_noto_sans.ROOT) / "files"


def font_dirs() -> list[Path]:
    return [font_dir(), fallback_dir()]


@cache
def font_css() -> str:
    """``@font-face`` rules for the font packages' files."""
    faces = [
        ("Regular", "normal", 400),
        ("Italic", "italic", 400),
        ("Bold", "normal", 700),
        ("BoldItalic", "italic", 700),
    ]
    rules = []
    for name, style, weight in faces:
        url = (font_dir() / f"AtkinsonHyperlegible-{name}.ttf").as_uri()
        rules.append(
            f'@font-face {{ font-family: "Atkinson Hyperlegible"; font-style: {style}; '
            f"font-weight: {weight}; src: url({url}); }}"
        )
    for file, style in [
        ("NotoSans[wdth,wght].ttf", "normal"),
        ("NotoSans-Italic[wdth,wght].ttf", "italic"),
    ]:
        url = (fallback_dir() / file).as_uri()
        rules.append(
            f'@font-face {{ font-family: "Noto Sans"; font-style: {style}; src: url({url}); }}'
        )
    return "\n".join(rules)


@cache
def _printable() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    codepoints: set[int] = set()
    for folder in font_dirs():
        for file in sorted(folder.glob("*.ttf")):
            with TTFont(file, lazy=True) as font:
                codepoints.update(font.getBestCmap())
    return frozenset(codepoints)


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` that no packaged font has (line breaks and other
    whitespace aside), each once, in order."""
    printable = _printable()
    found: list[str] = []
    for character in text:
        if ord(character) not in printable and not character.isspace() and character not in found:
            found.append(character)
    return found


def unprintable_problem(text: str) -> str | None:
    """Why ``text`` cannot be printed as written, or ``None``."""
    found = unprintable(text)
    if not found:
        return None
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in found[:5])
    which = "het teken" if len(found) == 1 else "de tekens"
    return f"{which} {shown} kan werkboek niet drukken: het lettertype heeft het niet"
