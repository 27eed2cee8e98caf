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
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from ..errors import Problem, display_path
from ..words import format_size
from .errors import SIZE, MailError
from .headers import header_value_problem
from .recipients import Recipient
from .template import Rendered


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str

    @classmethod
    def read(cls, path: Path, *, limit: int, filename: str | None = None) -> Attachment:
        """Read a file to attach: only a regular file, and only when it is at most ``limit``
        bytes — checked before reading, so ``/dev/zero`` or a FIFO never blocks or fills
        memory, and a file too large for any message is refused once, not per recipient."""
        shown = display_path(path)

        def refuse(message: str, what: str = "") -> MailError:
            return MailError(Problem(shown, 1, 1, what, message))

        try:
            info = path.stat()
        except OSError as exc:
            raise refuse(f"bijlage niet te lezen: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise refuse("de bijlage is geen gewoon bestand")
        if info.st_size > limit:
            raise refuse(
                f"de bijlage is {format_size(info.st_size)}, meer dan de grootste "
                f"berichtgrootte van {format_size(limit)}",
                SIZE,
            )
        try:
            with path.open("rb") as file:
                data = file.read(limit + 1)
        except OSError as exc:
            raise refuse(f"bijlage niet te lezen: {exc.strerror or exc}") from None
        if len(data) > limit:
            raise refuse(
                f"de bijlage is meer dan de grootste berichtgrootte van {format_size(limit)}",
                SIZE,
            )
        name = filename or path.name
        problem = header_value_problem(name)
        if problem:
            raise refuse(f"de bestandsnaam: {problem}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(filename=name, data=data, content_type=content_type)


@dataclass(frozen=True)
class Summary:
    """What is known of one participant's message without holding its bytes."""

    recipient: Recipient
    message_id: str
    subject: str
    sender: str
    envelope: tuple[str, ...]
    attachments: tuple[str, ...]
    size: int

    def with_data(self, data: bytes) -> Composed:
        """The message itself, from its bytes as composed (and kept on disk)."""
        return Composed(
            self.recipient,
            self.message_id,
            self.subject,
            self.sender,
            self.envelope,
            self.attachments,
            data,
        )


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

    def summary(self) -> Summary:
        return Summary(
            self.recipient,
            self.message_id,
            self.subject,
            self.sender,
            self.envelope,
            self.attachments,
            self.size,
        )


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
    stand_ins = []
    if attachments:
        message.make_mixed()
        for attachment in attachments:
            stand_in = _stand_in()
            message.attach(stand_in)
            stand_ins.append((stand_in.as_bytes(), _attachment_bytes(attachment)))
    _fix_boundaries(message, identifier)
    for part in message.iter_parts():
        _drop_inner_mime_version(part)
    data = message.as_bytes()
    for stand_in_bytes, attachment_bytes in stand_ins:
        # the part as the generator writes it, written once for every message
        before, found, after = data.partition(stand_in_bytes)
        assert found and stand_in_bytes not in after, "an attachment's stand-in is not unique"
        data = before + attachment_bytes + after
    _check_headers(data, recipient)
    return Composed(
        recipient=recipient,
        message_id=identifier,
        subject=rendered.subject,
        sender=rendered.sender.addr_spec,
        envelope=(recipient.email, *(a.addr_spec for a in rendered.cc)),
        attachments=tuple(a.filename for a in attachments),
        data=data,
    )


EXPECTED = {
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}


@lru_cache(maxsize=8)
def _attachment_bytes(attachment: Attachment) -> bytes:
    """An attachment's MIME part as it is written in a message (headers, base64), made once
    for every message it goes with: the same file attached to two thousand messages is
    encoded and written once. (The few kept are those of the files for everyone.)"""
    maintype, subtype = attachment.content_type.split("/", 1)
    part = EmailMessage(policy=policy.SMTP)
    part.set_content(
        attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
    )
    del part["MIME-Version"]
    return part.as_bytes()


def _stand_in() -> EmailMessage:
    """A small part that holds an attachment's place while the message is written; its
    bytes are then replaced by the attachment's (a random token: nobody can forge it)."""
    part = EmailMessage(policy=policy.SMTP)
    part.set_content(f"werkboek-bijlage-{secrets.token_hex(16)}")
    del part["MIME-Version"]
    return part


def _check_headers(data: bytes, recipient: Recipient) -> None:
    """Read the message's headers back as a mail program would and check what it will see:
    only the headers werkboek wrote, each on one line, the recipient as the only To.
    Only the header block is read, not the whole message. (Attachments' file names were
    checked when they were read.)"""
    end = data.find(b"\r\n\r\n")
    head = data if end < 0 else data[: end + 4]
    parsed = BytesHeaderParser(policy=policy.default).parsebytes(head)
    problems = []
    names = set(parsed.keys())
    if not names <= EXPECTED or len(parsed.get_all("To") or []) != 1:
        problems.append(f"het bericht krijgt andere kopregels: {', '.join(sorted(names))}")
    for name in ("From", "To", "Cc", "Reply-To", "Subject"):
        for value in parsed.get_all(name) or []:
            problem = header_value_problem(str(value))
            if problem:
                problems.append(f"{name} {problem}")
    to = parsed["To"]
    addresses = getattr(to, "addresses", ()) if to is not None else ()
    if [a.addr_spec for a in addresses] != [recipient.email]:
        problems.append("het bericht gaat niet alleen naar deze deelnemer")
    if problems:
        raise MailError(*(recipient.problem("", p) for p in problems))


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
