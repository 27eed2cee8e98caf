"""One SMTP connection, and what each way a delivery can end means.

smtplib's ``sendmail`` cannot tell "the connection broke before the server had the
whole message" (safe to send again) from "the connection broke after the final dot"
(the message may have arrived). :meth:`Connection.deliver` walks the transaction
itself (MAIL, RCPT, DATA, the data, the reply) and raises:

* :class:`TemporaryFailure`: a 4xx reply, or a connection that broke before the data
  was complete; sending again is safe.
* :class:`PermanentFailure`: a 5xx reply: this message will not be accepted.
* :class:`UnknownFate`: the data went out but no reply came; it may have arrived.

Connecting raises :class:`Unreachable` (try again later) or :class:`SendError` (a
setting is wrong: certificate, login, STARTTLS; trying again will not help).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from ..errors import Problem
from .errors import CAFILE, SECURITY, SendError


class Security(StrEnum):
    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


SECURITY_WORDS = {
    Security.STARTTLS: "versleuteld met STARTTLS",
    Security.SSL: "versleuteld met TLS",
    Security.NONE: "niet versleuteld",
}
"""How each setting is said to a trainer."""
DEFAULT_PORTS = {Security.STARTTLS: 587, Security.SSL: 465, Security.NONE: 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None
    security: Security = Security.STARTTLS
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None
    timeout: float = 60.0

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.effective_port}"

    def check(self) -> None:
        """Refuse settings that would send a password in the clear."""
        if self.user and self.security is Security.NONE:
            raise SendError(
                Problem(
                    path=SECURITY,
                    message="aanmelden kan alleen over een beveiligde verbinding: "
                    "kies starttls of ssl",
                )
            )


class DeliveryFailure(Exception):
    """A message was not (certainly) delivered; ``str()`` says why, for the summary."""


class TemporaryFailure(DeliveryFailure):
    """Try again: a 4xx reply, or the connection broke before the data was complete."""

    def __init__(self, detail: str, *, dropped: bool = False) -> None:
        super().__init__(detail)
        self.dropped = dropped


class PermanentFailure(DeliveryFailure):
    """The server refused this message (5xx)."""


class UnknownFate(DeliveryFailure):
    """The data was sent, but no reply came: the message may have arrived."""


class Unreachable(Exception):
    """No connection to the server could be made (now)."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _refusal(code: int, text: bytes | str) -> DeliveryFailure:
    reply = _reply(code, text)
    if 400 <= code < 500:
        return TemporaryFailure(f"tijdelijk geweigerd: {reply}", dropped=code == 421)
    return PermanentFailure(f"geweigerd: {reply}")


def _dot_stuffed(data: bytes) -> bytes:
    """The data as DATA sends it: leading dots doubled, CRLF and ``.`` at the end."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class Connection:
    """A reusable SMTP connection: :meth:`open`, many :meth:`deliver`, :meth:`close`."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self.data_sent = False

    @property
    def is_open(self) -> bool:
        return self._smtp is not None

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _context(self) -> ssl.SSLContext:
        cafile = str(self.settings.cafile) if self.settings.cafile else None
        return ssl.create_default_context(cafile=cafile)

    def open(self) -> None:
        """Connect, secure the connection and log in."""
        settings = self.settings
        settings.check()
        smtp: smtplib.SMTP
        if settings.security is Security.SSL:
            smtp = smtplib.SMTP_SSL(context=self._context(), timeout=settings.timeout)
        else:
            smtp = smtplib.SMTP(timeout=settings.timeout)
        # smtplib checks the certificate against ``_host``, which only its constructor
        # sets; connecting here instead keeps a half-open socket ours to close on failure.
        smtp._host = settings.host  # type: ignore[attr-defined]
        try:
            smtp.connect(settings.host, settings.effective_port)
            smtp.ehlo()
            if settings.security is Security.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise SendError(
                        Problem(
                            path=SECURITY,
                            message=f"{settings.address} biedt geen STARTTLS aan; "
                            "kies ssl (meestal poort 465) of vraag de beheerder",
                        )
                    )
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
        except BaseException as exc:
            _close_quietly(smtp)
            raise _connect_error(settings, exc) from exc
        self._smtp = smtp

    def max_size(self) -> int | None:
        """The largest message the server accepts, when it says so (ESMTP SIZE)."""
        if self._smtp is None or not self._smtp.has_extn("size"):
            return None
        value = self._smtp.esmtp_features.get("size", "").strip()
        return int(value) if value.isdigit() and int(value) > 0 else None

    def deliver(self, sender: str, recipients: Sequence[str], data: bytes) -> None:
        """Hand one message to the server; raise a :class:`DeliveryFailure` if it is not."""
        smtp = self._smtp
        assert smtp is not None, "open() first"
        self.data_sent = False
        try:
            options = [f"SIZE={len(data)}"] if smtp.has_extn("size") else []
            code, text = smtp.mail(sender, options)
            if code != 250:
                raise self._reset(_refusal(code, text))
            for recipient in recipients:
                code, text = smtp.rcpt(recipient)
                if code not in (250, 251):
                    raise self._reset(_refusal(code, text))
            code, text = smtp.docmd("DATA")
            if code != 354:
                raise self._reset(_refusal(code, text))
            smtp.send(_dot_stuffed(data))
            self.data_sent = True
            code, text = smtp.getreply()
        except OSError as exc:  # smtplib's errors are OSErrors too
            self.close()
            reason = str(exc) or type(exc).__name__
            if self.data_sent:
                raise UnknownFate(
                    f"verbinding verbroken nadat het bericht was verzonden ({reason})"
                ) from exc
            raise TemporaryFailure(f"verbinding verbroken ({reason})", dropped=True) from exc
        if code != 250:
            raise self._reset(_refusal(code, text))

    def _reset(self, failure: DeliveryFailure) -> DeliveryFailure:
        """Undo the transaction after a refusal (or close a connection that is going)."""
        if isinstance(failure, TemporaryFailure) and failure.dropped:
            self.close()
            return failure
        try:
            assert self._smtp is not None
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()
        return failure

    def close(self) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            with contextlib.suppress(OSError):  # smtplib's errors are OSErrors too
                smtp.quit()
            _close_quietly(smtp)


def _close_quietly(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()


def _connect_error(settings: SmtpSettings, exc: BaseException) -> BaseException:
    """What a failure while connecting means for the trainer."""
    where = settings.address
    if isinstance(exc, SendError) or not isinstance(exc, Exception):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendError(
            Problem(
                path=CAFILE,
                message=f"{where}: het certificaat van de server is niet te vertrouwen "
                f"({exc.verify_message}); gebruikt de server een eigen certificaat, "
                "geef dan het CA-bestand van de server",
            )
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        reply = _reply(exc.smtp_code, exc.smtp_error)
        return SendError(f"{where}: aanmelden als {settings.user} mislukt ({reply})")
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = _reply(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            return Unreachable(f"{where}: tijdelijk niet beschikbaar ({reply})")
        return SendError(f"{where}: de server weigert de verbinding ({reply})")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Unreachable(f"{where}: verbinding verbroken ({exc or 'zonder antwoord'})")
    if isinstance(exc, smtplib.SMTPException):  # no AUTH, no common AUTH method, ...
        return SendError(f"{where}: {exc}")
    if isinstance(exc, ssl.SSLError):
        return SendError(f"{where}: beveiligde verbinding mislukt ({exc.reason or exc})")
    if isinstance(exc, socket.gaierror):
        return SendError(f"{where}: de servernaam {settings.host!r} is onbekend")
    if isinstance(exc, OSError):  # refused, reset, timed out
        return Unreachable(f"{where}: geen verbinding ({exc.strerror or exc})")
    return exc
