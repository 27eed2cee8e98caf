"""How werkboek says things in Dutch: dates and counts, the same in print and on screen."""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


def dutch_date(day: dt.date) -> str:
    """``2024-02-01`` → ``1 februari 2024``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def plural(count: int, one: str, many: str) -> str:
    """``plural(1, "bericht", "berichten")`` → ``1 bericht``; 0 and 2 take ``many``."""
    return f"{count} {one if count == 1 else many}"


def format_size(size: int) -> str:
    """``1234567`` → ``1,2 MB``: sizes in decimal units, written the Dutch way."""
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".", ",")
    return f"{size} B"


def capital(text: str) -> str:
    """A word of the programme at the start of a line: its first letter a capital, the rest
    as written (``pijler`` → ``Pijler``, ``KOPP-team`` stays)."""
    return text[:1].upper() + text[1:]
