"""A mailing: one message file sent to one participant list.

Its name, ``<message-file-stem>-<hash>``, is where its dry run goes
(``output/mail/<name>/``) and what the send log knows it by. The hash covers the
message file's bytes and the participant list's file *name*, not the list's rows, so:

* the same message to the same list is the same mailing, also after adding someone
  who was forgotten or correcting a name: a run sends only to whoever has not had it;
* a changed message (another text, subject or sender) is a new mailing, sent to
  everyone; ``--mailing NAME`` keeps the old name when only a typo was fixed.

:func:`prepare_mailing` reads and checks everything and composes every message, before
anything is written or sent; it raises :class:`MailError` with every problem found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.slugs import slugify
from ..errors import Problem, WerkboekError
from .compose import Attachment, Composed, compose_message
from .errors import MailError
from .recipients import Recipient, read_recipients
from .sizes import DEFAULT_MAX_SIZE, format_size
from .template import MessageTemplate, Rendered, RenderError, read_message_template

if TYPE_CHECKING:
    from ..project import Project

MAIL_FOLDER = "mail"
LOG_NAME = "verzendlog.sqlite"


@dataclass(frozen=True)
class Mailing:
    name: str
    recipients_path: Path
    message_path: Path
    folder: Path
    messages: tuple[Composed, ...]


def log_path(output_dir: Path) -> Path:
    """The send log every mailing shares: ``output/mail/verzendlog.sqlite``."""
    return output_dir / MAIL_FOLDER / LOG_NAME


def mailing_name(recipients_path: Path, message_path: Path) -> str:
    digest = hashlib.sha256(message_path.read_bytes())
    digest.update(b"\0" + recipients_path.name.encode())
    return f"{slugify(message_path.stem) or 'bericht'}-{digest.hexdigest()[:8]}"


def prepare_mailing(
    recipients_path: Path,
    message_path: Path,
    *,
    output_dir: Path = Path("output"),
    attachments: Sequence[Path] = (),
    workbook: Path | None = None,
    project: Project | None = None,
    sender: str | None = None,
    name: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    date: dt.datetime | None = None,
) -> Mailing:
    """Read, check and compose every message of a mailing; write and send nothing."""
    if name is not None and slugify(name) != name:
        raise MailError(
            Problem(
                "", 0, 0, "--mailing", f"{name!r}: gebruik alleen kleine letters, cijfers en '-'"
            )
        )
    recipients, template = _read_inputs(recipients_path, message_path)
    template.check_names(list(recipients[0].fields))
    files = [Attachment.read(path) for path in attachments]
    rendered = _render_all(template, recipients, sender)
    mailing = name or mailing_name(recipients_path, message_path)
    personal = _workbooks(workbook, project, recipients) if workbook else [[] for _ in recipients]
    messages = tuple(
        compose_message(r, recipient, mailing=mailing, attachments=[*own, *files], date=date)
        for r, recipient, own in zip(rendered, recipients, personal, strict=True)
    )
    _check_sizes(messages, max_size)
    return Mailing(
        name=mailing,
        recipients_path=recipients_path,
        message_path=message_path,
        folder=output_dir / MAIL_FOLDER / mailing,
        messages=messages,
    )


def _read_inputs(
    recipients_path: Path, message_path: Path
) -> tuple[list[Recipient], MessageTemplate]:
    """Both files, with the problems of both reported at once."""
    problems: list[Problem] = []
    recipients: list[Recipient] = []
    template = None
    try:
        recipients = read_recipients(recipients_path)
    except WerkboekError as exc:
        problems += exc.problems
    try:
        template = read_message_template(message_path)
    except MailError as exc:
        problems += exc.problems
    if problems:
        raise MailError(*problems)
    assert template is not None
    return recipients, template


def _render_all(
    template: MessageTemplate, recipients: list[Recipient], sender: str | None
) -> list[Rendered]:
    """Every participant's message; the same template problem is reported once."""
    rendered: list[Rendered] = []
    problems: dict[Problem, Problem] = {}
    for recipient in recipients:
        try:
            rendered.append(template.render(recipient, sender=sender))
        except RenderError as exc:
            problems.setdefault(exc.where, exc.problems[0])
        except MailError as exc:
            for problem in exc.problems:
                problems.setdefault(problem, problem)
    if problems:
        raise MailError(*problems.values())
    return rendered


def _workbooks(
    recipe: Path, project: Project | None, recipients: list[Recipient]
) -> list[list[Attachment]]:
    """Each participant's own workbook ("Werkboek van <naam>"), built from the recipe."""
    from ..products import WorkbookOptions, WorkbookProduct
    from ..project import Project
    from ..recipes import load_recipe

    project = project or Project()
    names = tuple(recipient.name for recipient in recipients)
    product = WorkbookProduct(project, WorkbookOptions(load_recipe(recipe, project.content), names))
    attachments = []
    for batch in product.batches():
        for target, files in zip(batch, product.pdfs(batch), strict=True):
            attachments.append([Attachment(target.path.name, files[-1], "application/pdf")])
    return attachments


def _check_sizes(messages: Sequence[Composed], limit: int) -> None:
    problems = [
        m.recipient.problem(
            "",
            f"het bericht aan {m.recipient.email} is {format_size(m.size)}, "
            f"meer dan de grens van {format_size(limit)} (--max-size)",
        )
        for m in messages
        if m.size > limit
    ]
    if problems:
        raise MailError(*problems)


def write_messages(mailing: Mailing) -> list[Path]:
    """Write every message as ``.eml`` to the mailing's folder (the dry run's output).

    ``.eml`` files left there by an earlier dry run are removed first, so the folder
    always holds exactly the messages of the last run.
    """
    mailing.folder.mkdir(parents=True, exist_ok=True)
    for old in mailing.folder.glob("*.eml"):
        old.unlink()
    written = []
    for index, message in enumerate(mailing.messages, start=1):
        path = mailing.folder / f"{index:03d}-{slugify(message.recipient.name) or 'deelnemer'}.eml"
        path.write_bytes(message.data)
        written.append(path)
    return written
