"""A mailing: one message, from one sender, to the people of a participant list.

A mailing is *who* sends *what*: its identity is a hash of the actor (who started it:
``gebruiker:<name>`` for the command line, the browser session for the web app) and of
everything the message is made of (subject, text and every other header, the sender,
every attachment's bytes, the recipe of each participant's own workbook or certificate),
never of a file's name. The name, ``<subject-words>-<hash>``, is where its dry run goes
(``output/mail/<name>/``) and what the send log knows it by. So:

* the same message from the same actor is the same mailing, also after adding someone
  who was forgotten, correcting a name or renaming a file: a run sends only to whoever
  has not had it;
* a changed message is a new mailing; whoever already had another mailing of the same
  actor is named before anything goes out (see :mod:`.run`);
* two actors (two trainers, two browser sessions, the web app and the command line) never
  share a mailing: each one's participants get each one's message.

:func:`prepare_mailing` reads and checks everything and composes every message, before
anything is written or sent; it raises :class:`MailError` with every problem found.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.slugs import slugify
from ..errors import Problem, WerkboekError
from .compose import Attachment, Composed, Summary, compose_message
from .errors import SIZE, MailError
from .recipients import Recipient, read_recipients
from .sizes import DEFAULT_MAX_SIZE, format_size
from .template import MessageTemplate, Rendered, RenderError, read_message_template

if TYPE_CHECKING:
    from ..products import Product
    from ..project import Project
    from ..recipes import Recipe

MAIL_FOLDER = "mail"
LOG_NAME = "verzendlog.sqlite"
STAGING_PREFIX = ".opgesteld-"
"""A folder below ``output/mail/`` that holds a run's messages until they are shown or sent."""


Personal = Callable[[int], list[Attachment]]
"""The attachments of the participant at an index that are theirs alone (a workbook)."""


@dataclass(frozen=True, eq=False)
class Mailing:
    """Every message of a mailing, checked; their bytes are made when they are needed.

    A mailing to two thousand people with a large attachment holds no message in memory:
    each is composed once, when it is prepared, and written to :attr:`staged` (when asked
    for) or made again by :meth:`compose` (the same bytes: the Date is fixed when the
    mailing is prepared); :attr:`messages` keeps what a summary needs.
    """

    name: str
    actor: str
    recipients_path: Path
    message_path: Path
    folder: Path
    messages: tuple[Summary, ...]
    recipients: tuple[Recipient, ...] = field(repr=False)
    rendered: tuple[Rendered, ...] = field(repr=False)
    attachments: tuple[Attachment, ...] = field(repr=False)
    personal: Personal = field(repr=False)
    date: dt.datetime = field(repr=False)
    staged: Path | None = field(default=None, repr=False)
    """The folder with every message as composed, ``NNN.eml`` by index."""
    made: tuple[Path, ...] = field(default=(), repr=False)
    """The folders made to hold :attr:`staged`: removed with it when nothing else is in them."""
    own: tuple[str, ...] = ()
    """What each participant gets of their own (``eigen werkboek``), for the record."""

    def file_names(self) -> list[str]:
        """The files that go with every message, by name (each participant's own file by
        what it is: its name holds theirs)."""
        return [*(attachment.filename for attachment in self.attachments), *self.own]

    def compose(self, index: int) -> Composed:
        """The message to the participant at ``index``, as it is sent."""
        if self.staged is not None and self.messages:
            return self.messages[index].with_data(self._staged_path(index).read_bytes())
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

    def _staged_path(self, index: int) -> Path:
        assert self.staged is not None
        return self.staged / f"{index + 1:06d}.eml"

    def discard(self) -> None:
        """Remove the staged messages (after they were shown or sent, or on a failure)."""
        if self.staged is not None:
            shutil.rmtree(self.staged, ignore_errors=True)
        for made in reversed(self.made):
            with contextlib.suppress(OSError):  # not empty: the dry run's messages are there
                made.rmdir()


def legacy_log_path(output_dir: Path) -> Path:
    """Where werkboek kept the send log before it followed the user: ``output/mail/``."""
    return output_dir / MAIL_FOLDER / LOG_NAME


def local_actor() -> str:
    """Who starts a mailing from the command line: the computer's user."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = f"uid-{os.getuid()}"
    return f"gebruiker:{user}"


def session_actor(session: str) -> str:
    """Who starts a mailing from the web app: the browser session (its id never stored)."""
    return "sessie:" + hashlib.sha256(session.encode()).hexdigest()[:24]


def mailing_name(
    actor: str,
    template: MessageTemplate,
    *,
    sender: str | None = None,
    attachments: Sequence[Attachment] = (),
    own: Sequence[str] = (),
) -> str:
    """The mailing's name: the subject's words and a hash of who sends what (see above).

    ``own`` are the keys of each participant's own attachments (``werkboek:<recipe key>``);
    a file's name, the list's or the message's, is not part of it.
    """
    digest = hashlib.sha256()

    def part(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    part("actor", actor.encode())
    for name in sorted(template.headers):
        if name != "Content-Type":
            part(f"kop:{name}", template.headers[name].source.encode())
    part("markdown", b"1" if template.markdown else b"0")
    part("tekst", template.body.encode())
    if "From" not in template.headers:
        part("afzender", (sender or "").strip().encode())
    for data_digest in sorted(hashlib.sha256(a.data).digest() for a in attachments):
        part("bijlage", data_digest)
    for key in sorted(own):
        part("eigen", key.encode())
    subject = template.headers["Subject"].source if "Subject" in template.headers else ""
    words = slugify(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", subject))[:40].strip("-")
    return f"{words or 'mailing'}-{digest.hexdigest()[:10]}"


def prepare_mailing(
    recipients_path: Path,
    message_path: Path,
    *,
    output_dir: Path = Path("output"),
    attachments: Sequence[Path] = (),
    workbook: Path | None = None,
    certificate: Path | None = None,
    signature: Path | None = None,
    signature_alt: str = "",
    project: Project | None = None,
    sender: str | None = None,
    name: str | None = None,
    actor: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    date: dt.datetime | None = None,
    stage: bool = False,
) -> Mailing:
    """Read, check and compose every message of a mailing; send nothing.

    ``actor`` is who sends it (:func:`local_actor` when not given). With ``stage`` every
    message is composed once and kept on disk (below ``output/mail/``) for the dry run or
    the send that follows; the caller removes it (:meth:`Mailing.discard`, done by
    :func:`~.run.dry_run` and :func:`~.run.send`). Without it the messages are composed
    again when they are needed. ``signature`` and ``signature_alt`` go on every
    ``certificate`` (and are part of the mailing's identity).
    """
    if name is not None and slugify(name) != name:
        raise MailError(
            Problem(
                "",
                0,
                0,
                "",
                f"naam van de mailing {name!r}: gebruik alleen kleine letters, cijfers en '-'",
            )
        )
    actor = actor or local_actor()
    recipients, template = _read_inputs(recipients_path, message_path)
    template.check_names(list(recipients[0].fields))
    files = _read_attachments(attachments, max_size)
    rendered = _render_all(template, recipients, sender)
    if (workbook is not None or certificate is not None) and project is None:
        raise TypeError("a mailing with own workbooks or certificates needs the project")
    own: list[Personal] = []
    keys: list[str] = []
    labels: list[str] = []
    if workbook is not None and project is not None:
        from ..products import WorkbookOptions, WorkbookProduct

        recipe = _recipe(workbook, project)
        keys.append(f"werkboek:{recipe.key}")
        labels.append("eigen werkboek")
        names = tuple(recipient.name for recipient in recipients)
        own.append(_own_files(WorkbookProduct(project, WorkbookOptions(recipe, names))))
    if certificate is not None and project is not None:
        from ..products import CertificateOptions, CertificatesProduct
        from ..products.training_day import signature_uri

        recipe = _recipe(certificate, project)
        # (the signature's check: PNG or JPEG, at most 1 MB; raises with the problem)
        signed = hashlib.sha256(signature_uri(signature).encode()).hexdigest() if signature else ""
        alt = hashlib.sha256(signature_alt.encode()).hexdigest() if signature_alt else ""
        keys.append(f"bewijs:{recipe.key}" + (f":{signed}:{alt}" if signed or alt else ""))
        labels.append("eigen bewijs van deelname")
        options = CertificateOptions(
            recipe, tuple(recipients), signature=signature, signature_alt=signature_alt
        )
        own.append(_own_files(CertificatesProduct(project, options), "bewijs-van-deelname-"))
    mailing_id = name or mailing_name(actor, template, sender=sender, attachments=files, own=keys)
    personal: Personal = _no_attachments if not own else _together(own)
    folder = output_dir / MAIL_FOLDER
    mailing = Mailing(
        name=mailing_id,
        actor=actor,
        recipients_path=recipients_path,
        message_path=message_path,
        folder=folder / mailing_id,
        messages=(),
        recipients=tuple(recipients),
        rendered=tuple(rendered),
        attachments=tuple(files),
        personal=personal,
        date=date or dt.datetime.now(dt.UTC).astimezone().replace(microsecond=0),
        own=tuple(labels),
    )
    if stage:
        made = tuple(d for d in (output_dir, folder) if not d.exists())
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(folder)
        staged = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=folder))
        mailing = replace(mailing, staged=staged, made=made)
    try:
        summaries = []
        for index, message in enumerate(mailing.composed()):
            summaries.append(message.summary())
            if mailing.staged is not None:
                mailing._staged_path(index).write_bytes(message.data)
            del message
        _check_sizes(summaries, max_size)
    except BaseException:
        mailing.discard()  # nothing is left of a mailing that was refused
        raise
    if mailing.staged is not None:  # the messages are on disk: no rendered text is kept
        return replace(mailing, messages=tuple(summaries), rendered=())
    return replace(mailing, messages=tuple(summaries))


def _remove_stale_staging(folder: Path) -> None:
    """Remove what a run that was killed left staged (its process is gone)."""
    for path in folder.glob(f"{STAGING_PREFIX}*-*"):
        pid = path.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass  # alive, another user's


def _recipe(path: Path, project: Project) -> Recipe:
    from ..recipes import load_recipe

    return load_recipe(path, project.content)


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
                SIZE,
                f"de bijlagen samen zijn {format_size(total)}, meer dan de grootste "
                f"berichtgrootte van {format_size(limit)}",
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


def _own_files(product: Product, prefix: str = "") -> Personal:
    """Each participant's own file of ``product`` (a target per participant, in the list's
    order: their workbook, their certificate), made now into the build cache and read from
    it when their message is composed."""
    batches = product.batches()
    targets = [target for batch in batches for target in batch]
    for batch in batches:
        product.pdfs(batch)  # rendered once, kept in the cache

    def own(index: int) -> list[Attachment]:
        target = targets[index]
        data = product.pdf(target)
        return [Attachment(f"{prefix}{target.path.name}", data, "application/pdf")]

    return own


def _together(parts: list[Personal]) -> Personal:
    def personal(index: int) -> list[Attachment]:
        return [attachment for part in parts for attachment in part(index)]

    return personal


def _check_sizes(messages: Sequence[Summary], limit: int) -> None:
    problems = [
        m.recipient.problem(
            SIZE,
            f"het bericht aan {m.recipient.email} is {format_size(m.size)}, "
            f"meer dan de grootste berichtgrootte van {format_size(limit)}",
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
    for index, message in enumerate(mailing.messages):
        stem = name_slug(message.recipient.name, "deelnemer")
        path = mailing.folder / f"{index + 1:03d}-{stem}.eml"
        if mailing.staged is not None:  # composed once, when the mailing was prepared
            os.replace(mailing._staged_path(index), path)
            written.append(path)
        else:
            written.append(write_atomically(path, mailing.compose(index).data))
    mailing.discard()
    return written
