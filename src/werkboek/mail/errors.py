"""The mail command's expected failures (one family with the rest of werkboek's)."""

from __future__ import annotations

from ..errors import WerkboekError


class MailError(WerkboekError):
    """A mailing cannot go ahead: a bad participant list, message or attachment."""


class SendError(MailError):
    """Sending stopped or could not start (server unreachable, refused login, …)."""
