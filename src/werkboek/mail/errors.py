"""The mail command's expected failures: one line each, in the trainer's language."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import WerkboekError
from ..slug import closest


class MailError(WerkboekError):
    """A mailing cannot go ahead: a bad participant list, message or attachment.

    Holds every problem found, one line each (``FILE:LINE: message``), so a trainer
    can fix them all in one go.
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))

    def lines(self) -> list[str]:
        return list(self.problems)


class SendError(MailError):
    """Sending stopped or could not start (server unreachable, refused login, ...)."""


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """``"; bedoel je 'naam'?"`` for a near miss, or an empty string."""
    found = closest(word, candidates)
    if not found:
        return ""
    return "; bedoel je " + " of ".join(repr(f) for f in found) + "?"
