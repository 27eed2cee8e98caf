"""The training day's participants' list of a session: one CSV in the session's day folder
(``.web/dag/<sessie>/deelnemers.csv``), kept by the day page, read by the copies and mail
pages as their starting point."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request

from ..errors import WerkboekError
from ..participants.lists import Person, parse_people
from .site import site_of

LIST_FILE = "deelnemers.csv"


def folder(request: Request) -> Path:
    """The session's day folder: its participants' list and the signature."""
    site = site_of(request)
    return site.state / "dag" / site.session(request)


def list_text(request: Request) -> str:
    """The session's participants' list as CSV text (empty when there is none)."""
    try:
        return (folder(request) / LIST_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""


def day_people(request: Request) -> list[Person]:
    """The people of the session's list; none when there is no good list."""
    text = list_text(request)
    if not text:
        return []
    try:
        return parse_people(text, LIST_FILE)
    except WerkboekError:
        return []


def names_for_copies(request: Request) -> str:
    """The day's names, one a line (what the copies page starts from)."""
    return "\n".join(person.name for person in day_people(request))
