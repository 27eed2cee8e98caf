"""Composing messages, apart from sending them (as mailmerge does).

A composed message is the exact bytes that will go over the wire (CRLF line ends,
quoted-printable text, base64 attachments), so its size is the size the server sees
and the dry run's ``.eml`` files are what the participants will get. The Message-ID is
fixed by the mailing and the recipient, and the MIME boundaries by the Message-ID, so
composing again gives the same message, apart from its Date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from pathlib import Path

from ..errors import Problem, display_path
from .errors import MailError
from .recipients import Recipient
from .template import Rendered


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str

    @classmethod
    def read(cls, path: Path, *, filename: str | None = None) -> Attachment:
        try:
            data = path.read_bytes()
        except OSError as exc:
            message = f"bijlage niet te lezen: {exc.strerror or exc}"
            raise MailError(Problem(display_path(path), 1, 1, "", message)) from None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(filename=filename or path.name, data=data, content_type=content_type)


@dataclass(frozen=True)
class Composed:
    """One participant's message, ready to send or to write as ``.eml``."""

    recipient: Recipient
    message_id: str
    subject: str
    sender: str
    envelope: tuple[str, ...]
    attachments: tuple[str, ...]
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def message_id(mailing: str, recipient: Recipient, domain: str) -> str:
    """``<mailing.hash@domain>``: the same for the same mailing and recipient, always."""
    digest = hashlib.sha256(f"{mailing}\0{recipient.key}".encode()).hexdigest()[:24]
    return f"<{mailing}.{digest}@{domain}>"


def compose_message(
    rendered: Rendered,
    recipient: Recipient,
    *,
    mailing: str,
    attachments: Sequence[Attachment] = (),
    date: dt.datetime | None = None,
) -> Composed:
    """Build the MIME message for one participant from its rendered template."""
    identifier = message_id(mailing, recipient, rendered.sender.domain)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = rendered.sender
    message["To"] = Address(display_name=recipient.name, addr_spec=recipient.email)
    if rendered.cc:
        message["Cc"] = rendered.cc
    if rendered.reply_to:
        message["Reply-To"] = rendered.reply_to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date or dt.datetime.now(dt.UTC).astimezone())
    message["Message-ID"] = identifier
    message.set_content(rendered.text, subtype="plain", cte="quoted-printable")
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    for attachment in attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    _fix_boundaries(message, identifier)
    for part in message.iter_parts():
        _drop_inner_mime_version(part)
    return Composed(
        recipient=recipient,
        message_id=identifier,
        subject=rendered.subject,
        sender=rendered.sender.addr_spec,
        envelope=(recipient.email, *(a.addr_spec for a in rendered.cc)),
        attachments=tuple(a.filename for a in attachments),
        data=message.as_bytes(),
    )


def _fix_boundaries(message: EmailMessage, identifier: str) -> None:
    """Boundaries from the Message-ID instead of chance.

    ``=_`` never occurs in quoted-printable (``=`` is ``=3D`` there) nor in base64, so
    the boundary cannot collide with a part's content.
    """
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:16]
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_werkboek_{digest}_{index}")


def _drop_inner_mime_version(part: MIMEPart) -> None:
    """Only the message itself carries MIME-Version (the email package adds it to parts)."""
    del part["MIME-Version"]
    for inner in part.iter_parts():
        _drop_inner_mime_version(inner)
