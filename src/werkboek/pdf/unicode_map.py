"""Every glyph's text in a font's ``/ToUnicode`` map: none maps to nothing.

When a font draws one character with two glyphs (Noto Sans draws "ị" as "i" and a
combining dot below, through its ``ccmp`` feature; so do fonts for a base letter and its
marks), WeasyPrint gives the whole character to the last glyph and the empty string to the
others. An empty entry is no text at all: pdfium and MuPDF read "Thị" as "ThL ị", and
PDF/UA-1 (ISO 14289-1, 7.21.7) fails the file. Since all names of a batch share the fonts
of a grafted cover or certificate, one such name failed the others' files too.

So before WeasyPrint writes the fonts, each glyph of such a cluster gets the character the
font's own ``cmap`` gives it, when that character is part of the cluster's text (decomposed,
NFD): "i" is "i" and the dot below is U+0323, and the name reads "Thi\u0323", which is "Thị"
(the same text, normalised: NFC). A glyph the ``cmap`` does not give (or gives only a
private-use character) keeps what it had, or :data:`UNKNOWN` instead of nothing.

WeasyPrint names used (all private; checked in :func:`install`, which refuses in one Dutch
line when they changed): ``weasyprint.pdf.build_fonts_dictionary(pdf, fonts, compress,
subset, options)``, called from ``weasyprint.pdf`` with ``fonts`` the document's fonts by
name; a font's ``to_unicode`` (glyph id → text), ``file_content`` (the font file, not yet
subset) and ``index`` (the face in a collection).
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from ..errors import WerkboekError

UNKNOWN = "\ufffd"
"""The text of a glyph that stands for no character of its own (Noto Emoji's keycap "1️⃣",
whose text WeasyPrint gives to a glyph it does not draw): the replacement character."""
EXPECTED = ["pdf", "fonts", "compress", "subset", "options"]
"""The parameters of ``weasyprint.pdf.build_fonts_dictionary`` this module was written for."""


def install() -> None:
    """Wrap WeasyPrint's font writer once (see the module's docstring)."""
    import weasyprint.pdf as pdf_module

    original = getattr(pdf_module, "build_fonts_dictionary", None)
    if getattr(original, "werkboek", False):
        return
    if original is None or list(inspect.signature(original).parameters) != EXPECTED:
        raise WerkboekError(
            "deze versie van WeasyPrint schrijft lettertypen anders dan werkboek verwacht "
            "(weasyprint.pdf.build_fonts_dictionary); installeer de versie uit pyproject.toml"
        )

    def build(pdf: Any, fonts: Mapping[str, Any], *args: Any, **kwargs: Any) -> Any:
        for font in fonts.values():
            complete(font)
        return original(pdf, fonts, *args, **kwargs)

    build.werkboek = True  # type: ignore[attr-defined]
    pdf_module.build_fonts_dictionary = build


def complete(font: Any) -> None:
    """Give every glyph of ``font`` that shares its character with another glyph the
    character of its own (see the module's docstring)."""
    try:
        to_unicode: dict[int, str] = font.to_unicode
        data: bytes = font.file_content
        index: int = font.index
    except AttributeError:
        raise WerkboekError(
            "deze versie van WeasyPrint bewaart lettertypen anders dan werkboek verwacht "
            "(Font.to_unicode, file_content, index); installeer de versie uit pyproject.toml"
        ) from None
    if all(to_unicode.values()):
        return
    own = _characters(data, index)
    for glyph, text in list(to_unicode.items()):
        character = own.get(glyph)
        if character is None or unicodedata.category(character) == "Co":
            if not text:  # (a glyph of a private character, or of none: not nothing)
                to_unicode[glyph] = UNKNOWN
            continue
        if not text or (character != text and character in unicodedata.normalize("NFD", text)):
            to_unicode[glyph] = character


def _characters(data: bytes, index: int) -> dict[int, str]:
    """Each glyph id of the font in ``data`` with the (first) character its ``cmap`` maps to
    it."""
    from fontTools.ttLib import TTFont

    with TTFont(BytesIO(data), fontNumber=index, lazy=True) as font:
        found: dict[int, str] = {}
        for codepoint, glyph_name in sorted(font.getBestCmap().items()):
            found.setdefault(font.getGlyphID(glyph_name), chr(codepoint))
    return found
