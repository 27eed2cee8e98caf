"""The one font werkboek prints with, from a PyPI font package: no system fonts."""

from __future__ import annotations

from functools import cache
from pathlib import Path


def font_dir() -> Path:
    import fontpkg_atkinson_hyperlegible

    return Path(fontpkg_atkinson_hyperlegible.ROOT) / "files"


@cache
def font_css() -> str:
    """``@font-face`` rules for the font package's files."""
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
    return "\n".join(rules)
