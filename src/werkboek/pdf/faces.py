"""Card faces in reading order: each back right after its own front in the tags."""

from __future__ import annotations

import re
from typing import Any

from pikepdf import Array

from .structure import children_of, is_element, objgen

FACE_ID_PREFIX = "werkboek:"
"""What :mod:`.tags` puts before a ``data-pdf-id`` in a structure element's ``/ID``."""
FACE = re.compile(re.escape(FACE_ID_PREFIX) + r"kaart-(\d+)-(\d+)-(voor|achter)")

Faces = dict[tuple[str, str, str], Any]
"""The structure elements of card faces by (sheet, card, side)."""


def face_of(ident: str) -> tuple[str, str, str] | None:
    """The (sheet, card, side) an element's ``/ID`` names, if it names a card face."""
    match = FACE.fullmatch(ident)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def pair_faces(faces: Faces) -> None:
    """On a card sheet the fronts come first, then the backs (they are printed on the other
    side of the paper); in the tags each back follows its own front."""
    fronts = {(a, b): e for (a, b, side), e in faces.items() if side == "voor"}
    backs = {(a, b): e for (a, b, side), e in faces.items() if side == "achter"}
    for card in sorted(backs, key=lambda k: (int(k[0]), int(k[1]))):
        back, front = backs[card], fronts.get(card)
        if front is None:
            continue
        old, new = back.P, front.P
        old.K = Array(
            k for k in children_of(old) if not (is_element(k) and objgen(k) == objgen(back))
        )
        siblings = children_of(new)
        at = next(i for i, k in enumerate(siblings) if is_element(k) and objgen(k) == objgen(front))
        new.K = Array([*siblings[: at + 1], back, *siblings[at + 1 :]])
        back.P = new
