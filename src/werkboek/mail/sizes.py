"""Message sizes in decimal units, written the Dutch way (``1,2 MB``)."""

from __future__ import annotations

import re

from ..words import format_size

DEFAULT_MAX_SIZE = 10_000_000  # 10 MB: what most providers accept, attachments encoded

UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
}
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>[a-z]*)\s*$")


def parse_size(text: str) -> int:
    """``"10MB"``, ``"2,5 MB"``, ``"500kB"``, ``"123456"`` → bytes; ValueError otherwise."""
    match = _SIZE.match(text.lower())
    if match is None or match["unit"] not in UNITS:
        raise ValueError(f"{text!r} is geen grootte; schrijf bijvoorbeeld 10MB, 500kB of 2,5MB")
    size = round(float(match["number"].replace(",", ".")) * UNITS[match["unit"]])
    if size <= 0:
        raise ValueError(f"{text!r}: de grens moet groter dan 0 zijn")
    return size


__all__ = ["DEFAULT_MAX_SIZE", "format_size", "parse_size"]
