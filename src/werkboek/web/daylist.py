"""The training day's participants' list of a session, kept by the day page in the server's
database (:mod:`werkboek.store.day_lists`), read by the copies and mail pages as their
starting point; the session's day folder (``.web/dag/<sessie>/``) keeps the signature."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request

from ..errors import WerkboekError
from ..participants.lists import Person, parse_people
from ..store.day_lists import LIST_FILE
from .site import site_of


def folder(request: Request) -> Path:
    """The session's day folder: the signature."""
    site = site_of(request)
    return site.state / "dag" / site.session(request)


def list_text(request: Request) -> str:
    """The session's participants' list as CSV text (empty when there is none)."""
    site = site_of(request)
    return site.day_lists.get(site.session(request))


def save_list_text(request: Request, text: str) -> None:
    """Keep ``text`` as the session's participants' list."""
    site = site_of(request)
    site.day_lists.save(site.session(request), text)


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
