"""The ``@font-face`` rules for the packaged fonts (which fonts, and what they can print:
:mod:`werkboek.content.fonts`)."""

from __future__ import annotations

from functools import cache

from ..content.fonts import faces


@cache
def font_css() -> str:
    """``@font-face`` rules for the font packages' files."""
    rules = []
    for face in faces():
        weight = f"font-weight: {face.weight}; " if face.weight is not None else ""
        features = f"font-feature-settings: {face.features}; " if face.features else ""
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; font-style: {face.style}; '
            f"{weight}{features}src: url({face.path.as_uri()}); }}"
        )
    return "\n".join(rules)
