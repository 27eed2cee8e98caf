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
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.slugs import slugify
from ..errors import Problem, WerkboekError
from .compose import Attachment, Composed, Summary, compose_message
from .errors import MailError
from .recipients import Recipient, read_recipients
from .sizes import DEFAULT_MAX_SIZE, format_size
from .template import MessageTemplate, Rendered, RenderError, read_message_template

if TYPE_CHECKING:
    from ..project import Project

MAIL_FOLDER = "mail"
LOG_NAME = "verzendlog.sqlite"


Personal = Callable[[int], list[Attachment]]
"""The attachments of the participant at an index that are theirs alone (a workbook)."""


@dataclass(frozen=True, eq=False)
class Mailing:
    """Every message of a mailing, checked; their bytes are made when they are needed.

    A mailing to two thousand people with a large attachment holds one message at a time:
    :meth:`compose` makes a participant's message again (the same bytes: the Date is fixed
    when the mailing is prepared), :attr:`messages` keeps what a summary needs.
    """

    name: str
    recipients_path: Path
    message_path: Path
    folder: Path
    messages: tuple[Summary, ...]
    recipients: tuple[Recipient, ...] = field(repr=False)
    rendered: tuple[Rendered, ...] = field(repr=False)
    attachments: tuple[Attachment, ...] = field(repr=False)
    personal: Personal = field(repr=False)
    date: dt.datetime = field(repr=False)

    def compose(self, index: int) -> Composed:
        """The message to the participant at ``index``, as it is sent."""
        return compose_message(
            self.rendered[index],
            self.recipients[index],
            mailing=self.name,
            attachments=[*self.personal(index), *self.attachments],
            date=self.date,
        )

    def composed(self) -> Iterator[Composed]:
        """Every message in turn, one at a time."""
        for index in range(len(self.recipients)):
            yield self.compose(index)


def legacy_log_path(output_dir: Path) -> Path:
    """Where werkboek kept the send log before it followed the user: ``output/mail/``."""
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
    certificate: Path | None = None,
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
    files = _read_attachments(attachments, max_size)
    rendered = _render_all(template, recipients, sender)
    mailing_id = name or mailing_name(recipients_path, message_path)
    own: list[Personal] = []
    if workbook is not None:
        own.append(_workbooks(workbook, project, recipients))
    if certificate is not None:
        own.append(_certificates(certificate, project, recipients))
    personal: Personal = _no_attachments if not own else _together(own)
    mailing = Mailing(
        name=mailing_id,
        recipients_path=recipients_path,
        message_path=message_path,
        folder=output_dir / MAIL_FOLDER / mailing_id,
        messages=(),
        recipients=tuple(recipients),
        rendered=tuple(rendered),
        attachments=tuple(files),
        personal=personal,
        date=date or dt.datetime.now(dt.UTC).astimezone().replace(microsecond=0),
    )
    summaries = tuple(message.summary() for message in mailing.composed())
    _check_sizes(summaries, max_size)
    return replace(mailing, messages=summaries)


def _no_attachments(index: int) -> list[Attachment]:
    return []


def _read_attachments(paths: Sequence[Path], limit: int) -> list[Attachment]:
    problems: list[Problem] = []
    files = []
    for path in paths:
        try:
            files.append(Attachment.read(path, limit=limit))
        except MailError as exc:
            problems += exc.problems
    total = sum(len(file.data) for file in files)
    if not problems and total > limit:
        problems.append(
            Problem(
                "",
                0,
                0,
                "--attach",
                f"de bijlagen samen zijn {format_size(total)}, meer dan de grens van "
                f"{format_size(limit)} (--max-size)",
            )
        )
    if problems:
        raise MailError(*problems)
    return files


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


def _workbooks(recipe: Path, project: Project | None, recipients: list[Recipient]) -> Personal:
    """Each participant's own workbook ("Werkboek van <naam>"), built from the recipe now
    (into the build cache) and read from the cache when the message is composed."""
    from ..products import WorkbookOptions, WorkbookProduct
    from ..project import Project
    from ..recipes import load_recipe

    project = project or Project()
    names = tuple(recipient.name for recipient in recipients)
    product = WorkbookProduct(project, WorkbookOptions(load_recipe(recipe, project.content), names))
    targets = [target for batch in product.batches() for target in batch]
    for batch in product.batches():
        product.pdfs(batch)  # rendered once, kept in the cache

    def workbook(index: int) -> list[Attachment]:
        target = targets[index]
        return [Attachment(target.path.name, product.pdf(target), "application/pdf")]

    return workbook


def _certificates(recipe: Path, project: Project | None, recipients: list[Recipient]) -> Personal:
    """Each participant's own certificate of attendance, made now (into the build cache)."""
    from ..products.training_day import CertificateOptions, CertificatesProduct
    from ..project import Project
    from ..recipes import load_recipe

    project = project or Project()
    options = CertificateOptions(load_recipe(recipe, project.content), tuple(recipients))
    product = CertificatesProduct(project, options)
    targets = [target for batch in product.batches() for target in batch]
    for batch in product.batches():
        product.pdfs(batch)

    def certificate(index: int) -> list[Attachment]:
        target = targets[index]
        name = f"bewijs-van-deelname-{target.path.name}"
        return [Attachment(name, product.pdf(target), "application/pdf")]

    return certificate


def _together(parts: list[Personal]) -> Personal:
    def personal(index: int) -> list[Attachment]:
        return [attachment for part in parts for attachment in part(index)]

    return personal


def _check_sizes(messages: Sequence[Summary], limit: int) -> None:
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


EML = re.compile(r"^\d{3,}-.*\.eml$")
"""The dry run's files, ``001-anna-de-vries.eml``: only these are ever removed."""


def write_messages(mailing: Mailing) -> list[Path]:
    """Write every message as ``.eml`` to the mailing's folder (the dry run's output), one
    at a time.

    The dry run's own ``.eml`` files from an earlier run are removed first, so the folder
    always holds exactly the messages of the last run; other files are left alone.
    """
    from ..files.atomic import write_atomically
    from ..files.outputs import name_slug

    mailing.folder.mkdir(parents=True, exist_ok=True)
    for old in mailing.folder.iterdir():
        if EML.match(old.name) and old.is_file():
            old.unlink()
    written = []
    for index, message in enumerate(mailing.composed(), start=1):
        stem = name_slug(message.recipient.name, "deelnemer")
        path = mailing.folder / f"{index:03d}-{stem}.eml"
        written.append(write_atomically(path, message.data))
    return written
