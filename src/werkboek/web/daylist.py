"""The training day's participants' list of a session, kept by the day page in the server's
database (:mod:`werkboek.store.day_lists`), read by the copies and mail pages as their
starting point; the session's day folder (``.web/dag/<sessie>/``) keeps the signature."""

from __future__ import annotations

import shutil
from pathlib import Path

from starlette.requests import Request

from ..content.markup import plain_text
from ..errors import WerkboekError
from ..participants.lists import Person, parse_people
from ..recipes import Recipe
from ..store.day_lists import LIST_FILE
from .site import site_of

SIGNATURE_FILE = "handtekening"
SIGNATURE_ALT_FILE = "handtekening.txt"
"""The trainer's description of the signature image (its alternative text in the PDF)."""


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


def signature_alt(request: Request, recipe: Recipe | None = None) -> str:
    """The description of the signature as the trainer gave it, else the words the
    certificates print without one."""
    try:
        return (folder(request) / SIGNATURE_ALT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        trainer = plain_text(recipe.trainer) if recipe is not None and recipe.trainer else ""
        return f"Handtekening van {trainer or 'de trainer'}"


def signature_of(request: Request, into: Path, recipe: Recipe | None) -> tuple[Path | None, str]:
    """The day's signature as it is now, copied to ``into`` (a new upload meanwhile does
    not change it), and its description; none when there is no signature."""
    sig = folder(request) / SIGNATURE_FILE
    try:
        shutil.copyfile(sig, into)
    except OSError:
        into.unlink(missing_ok=True)
        return None, ""
    return into, signature_alt(request, recipe)
