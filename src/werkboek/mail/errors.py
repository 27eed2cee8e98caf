"""The mail command's expected failures (one family with the rest of werkboek's)."""

from __future__ import annotations

from ..errors import WerkboekError


class MailError(WerkboekError):
    """A mailing cannot go ahead: a bad participant list, message or attachment."""


class SendError(MailError):
    """Sending stopped or could not start (server unreachable, refused login, …)."""


class AlreadyReached(SendError):
    """Nothing was sent: some participants already had another mailing of the same sender,
    and sending them this one too was not chosen explicitly."""


SIZE = "grootte"
"""The field of a problem with a message's size (the command line names its option there)."""
SENDER = "afzender"
"""The field of a problem with the sender given apart from the message."""
SECURITY = "beveiliging"
"""The field of a problem with how the connection to the mail server is secured."""
CAFILE = "ca-bestand"
"""The field of a problem with the certificate of the mail server."""
