"""Mail: every participant their message, with the workbook and any product attached.

The same mailings and send log as ``werkboek mail``: the page writes the list and the
message as files (``deelnemers.csv``, ``bericht.md``) in the session's (or the account's)
mail folder and prepares the mailing from them; its sender (the actor) is the session or
the account, so two trainers' mailings never become one (see :mod:`werkboek.mail.mailing`).
Subject and sender are checked where they are typed: no line break or control character
reaches the message file. The dry run comes first; whoever already had another mailing of
this sender is named, and gets this one only when the trainer ticks the box for it. Sending
runs off the request path with its progress on the page. The mail server and its password
come from the server's configuration, never from the page.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...errors import Problem, WerkboekError
from ...files.atomic import write_atomically
from ...mail import prepare_mailing
from ...mail.errors import AlreadyReached, SendError
from ...mail.headers import header_value_problem
from ...mail.mailing import Mailing, session_actor
from ...mail.recipients import parse_recipients, read_recipients
from ...mail.report import HEADINGS, table_rows
from ...mail.run import MailingState, dry_run, mailing_state, send
from ...mail.sizes import format_size
from ...mail.smtp import SECURITY_WORDS, SmtpSettings
from ...mail.template import (
    MessageTemplate,
    Rendered,
    one_address_problem,
    read_message_template,
)
from ...participants.lists import MAX_BYTES, list_columns
from ...participants.lists import list_text as upload_text
from ...products import workbook_pdf
from ...recipes import recipe_yaml
from ...retention import erase_mail_folder, remember_mailing
from ..daylist import SIGNATURE_FILE, signature_of
from ..daylist import folder as day_folder
from ..daylist import list_text as day_list_text
from ..drafts import Draft
from ..jobs import Job, Report, Work
from ..ready import find, make, ready_products
from ..responses import form_text, is_htmx
from ..security import MAX_PEOPLE_BYTES
from ..site import Site, in_place, site_of
from .composer import Checked, check

SUBJECT = "Je werkboek van de training, {{ naam }}"
BODY = """Beste {{ naam }},

Dank je wel voor je komst. In de bijlage vind je het materiaal van de training.

Met vriendelijke groet,
"""
LIST_EXAMPLE = "naam,email\nAnna de Vries,anna@voorbeeld.nl\n"


@dataclass
class MailForm:
    """What the trainer filled in; kept in the session's mail folder between steps."""

    list_text: str = ""
    sender: str = ""
    subject: str = SUBJECT
    body: str = BODY
    personal: bool = True
    workbook: bool = False
    products: list[str] = field(default_factory=list)
    resend_unknown: bool = False
    resend_to_earlier: bool = False
    reply_to: str = ""
    certificate: bool = False
    own: list[str] = field(default_factory=list)
    """The trainer's own files that go with every message (kept in the mail folder)."""
    uploads: list[tuple[str, bytes]] = field(default_factory=list)
    """Own files uploaded with this form, not yet kept."""
    problems: list[Problem] = field(default_factory=list)
    """What is wrong with an upload (said beside its field)."""


FIELDS = {
    "onderwerp": "het onderwerp",
    "afzender": "de afzender",
    "antwoordadres": "het antwoordadres",
}
"""The form's fields that become a mail header, and what they are called in a problem."""
OWN_FIELD = "eigen-bijlage"
OWN_FOLDER = "eigen-bijlagen"
MAX_OWN_FILES = 5
MAX_OWN_BYTES = 5_000_000
"""The trainer's own attachments: at most this many, each at most this large (the message
as a whole stays under the mail server's limit, checked when the mailing is prepared)."""
OWN_KINDS = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04", ".png": b"\x89PNG\r\n\x1a\n"}
JPEG = (".jpg", ".jpeg")
LAST_MAILING = "mailing.txt"
"""The name of the last mailing (its dry run or send), for its state."""


def field_problems(mail: MailForm) -> list[Problem]:
    """A header field with a line break or a control character is refused where it is typed:
    it would otherwise write another header into the message file; the reply address must
    be one address. An upload's problems too."""
    problems = list(mail.problems)
    for name, value in (("onderwerp", mail.subject), ("afzender", mail.sender)):
        problem = header_value_problem(value)
        if problem:
            problems.append(Problem(path=name, message=f"{FIELDS[name]} {problem}"))
    for name, value in (("afzender", mail.sender), ("antwoordadres", mail.reply_to)):
        # (said here in the field's words: the message file's check names its From: header)
        problem = one_address_problem(value) if value else None
        if problem and not any(p.path == name for p in problems):
            problems.append(Problem(path=name, message=f"{FIELDS[name]} {problem}"))
    return problems


def own_name(filename: str) -> str:
    """An uploaded file's name as it goes with the mail: its last part, at most 100 characters,
    its suffix kept."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    stem, dot, suffix = name.rpartition(".")
    if len(name) > 100:
        name = f"{stem[: 99 - len(suffix)]}.{suffix}" if dot else name[:100]
    return name


def own_problem(name: str, data: bytes) -> str | None:
    """Why an uploaded file cannot go with the mail (none: it can)."""
    suffix = Path(name).suffix.lower()
    if not name.strip(". ") or header_value_problem(name):
        return "de naam van het bestand kan niet in een e-mail; geef het een andere naam"
    if len(data) > MAX_OWN_BYTES:
        return f"{name} is groter dan {format_size(MAX_OWN_BYTES)}"
    if suffix in JPEG:
        right = data.startswith(b"\xff\xd8\xff")
    elif suffix in OWN_KINDS:
        right = data.startswith(OWN_KINDS[suffix])
    else:
        return f"{name}: kies een PDF, een Word-bestand (.docx) of een afbeelding (PNG of JPEG)"
    if not right:
        return f"{name} is geen {suffix.lstrip('.').upper()}-bestand, al zegt de naam dat"
    return None


Uploads = list[tuple[str, bytes]]


async def read_uploads(form: FormData, kept: list[str]) -> tuple[Uploads, list[Problem]]:
    """The own files uploaded now, checked; each problem names its file."""
    uploads: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    files = [f for f in form.getlist(OWN_FIELD) if isinstance(f, UploadFile) and f.filename]
    for upload in files[: MAX_OWN_FILES + 1]:
        name = own_name(upload.filename or "")
        data = await upload.read(MAX_OWN_BYTES + 1)
        problem = own_problem(name, data)
        if problem:
            problems.append(Problem(path=OWN_FIELD, message=problem))
        else:
            uploads.append((name, data))
    names = {*kept, *(name for name, _ in uploads)}
    if len(names) > MAX_OWN_FILES:
        too_many = f"hoogstens {MAX_OWN_FILES} eigen bijlagen; haal er een vinkje weg"
        problems.append(Problem(path=OWN_FIELD, message=too_many))
    return uploads, problems


def folder(request: Request) -> Path:
    """The session's mail folder: its list, message, choices and attachments."""
    site = site_of(request)
    return site.state / "mail" / site.session(request)


def load(request: Request) -> MailForm:
    """What the trainer filled in last time (the defaults for what was not stored)."""
    base = folder(request)
    saved = MailForm(sender=site_of(request).config.sender or "")
    try:
        saved.list_text = (base / "deelnemers.csv").read_text(encoding="utf-8")
        message = (base / "bericht.md").read_text(encoding="utf-8")
    except OSError:
        saved.list_text = day_list_text(request)  # the training day's list, to start from
        return saved
    head, _, body = message.partition("\n\n")
    for line in head.splitlines():
        name, _, value = line.partition(":")
        if name == "Subject":
            saved.subject = value.strip()
        elif name == "From":
            saved.sender = value.strip()
        elif name == "Reply-To":
            saved.reply_to = value.strip()
    saved.body = body
    try:
        choices = (base / "keuzes.txt").read_text(encoding="utf-8").split()
    except OSError:
        return saved
    saved.personal = "eigen-werkboek" in choices
    saved.workbook = "werkboek" in choices
    saved.products = [c.removeprefix("product:") for c in choices if c.startswith("product:")]
    saved.certificate = "bewijs" in choices
    own = (base / "eigen.txt").read_text(encoding="utf-8") if (base / "eigen.txt").is_file() else ""
    saved.own = [name for name in own.split("\n") if (base / OWN_FOLDER / name).is_file()]
    return saved


async def read_form(form: FormData) -> MailForm:
    """What the trainer filled in now: the list pasted or uploaded, the message, the
    attachments."""
    upload = form.get("lijst")
    list_text = form_text(form, "deelnemers", MAX_BYTES + 1)  # more: refused, not cut
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise WerkboekError(Problem("deelnemers.csv", 1, 1, "", "de lijst is te groot"))
        name = upload.filename.rsplit("/", 1)[-1][:100]
        list_text = await run_in_threadpool(upload_text, data, name)
    products = [p for p in form.getlist("product") if isinstance(p, str)]
    kept = [own_name(n) for n in form.getlist("eigen") if isinstance(n, str) and n.strip()]
    uploads, problems = await read_uploads(form, kept[: MAX_OWN_FILES + 1])
    return MailForm(
        list_text=list_text.replace("\r\n", "\n"),
        sender=form_text(form, "afzender", 300).strip(),
        subject=form_text(form, "onderwerp", 500).strip(),
        body=form_text(form, "tekst", 200_000).replace("\r\n", "\n"),
        personal=form.get("eigen-werkboek") == "ja",
        workbook=form.get("werkboek") == "ja",
        products=products[:50],
        resend_unknown=form.get("onzeker") == "ja",
        resend_to_earlier=form.get("opnieuw") == "ja",
        reply_to=form_text(form, "antwoordadres", 300).strip(),
        certificate=form.get("bewijs") == "ja",
        own=list(dict.fromkeys([*kept[: MAX_OWN_FILES + 1], *(n for n, _ in uploads)])),
        uploads=uploads,
        problems=problems,
    )


def field_of(problem: Problem, mail: MailForm) -> tuple[str, int]:
    """The field of the page a problem concerns, and its line counted in that field."""
    heads = ["onderwerp", *(["afzender"] if mail.sender else [])]
    heads += ["antwoordadres"] if mail.reply_to else []
    header = len(heads) + 1  # Subject, From, Reply-To, blank line: then the text
    name = Path(problem.file).name
    if not problem.file and (problem.path in FIELDS or problem.path == OWN_FIELD):
        return problem.path, problem.line
    if name == "deelnemers.csv":
        return "deelnemers", problem.line
    if name == "bericht.md" and problem.line > header:
        return "tekst", problem.line - header
    if name == "bericht.md" and 1 <= problem.line <= len(heads):
        return heads[problem.line - 1], 0
    if Path(problem.file).parent.name == OWN_FOLDER:
        return OWN_FIELD, 0
    return "algemeen", problem.line


def place_problems(problems: Iterable[Problem], mail: MailForm) -> dict[str, list[str]]:
    """Each problem beside the field it concerns, with the line counted in that field."""
    placed: dict[str, list[str]] = {}
    for problem in problems:
        field, line = field_of(problem, mail)
        where = f"regel {line}: " if line else ""
        what = f"{problem.path}: " if problem.path and field == "algemeen" else ""
        placed.setdefault(field, []).append(f"{where}{what}{problem.message}")
    return placed


def message_text(mail: MailForm) -> str:
    """The message file: its headers (Subject, From and Reply-To when given), a blank line,
    the text (see :mod:`werkboek.mail.template`)."""
    headers = f"Subject: {mail.subject}\n"
    if mail.sender:
        headers += f"From: {mail.sender}\n"
    if mail.reply_to:
        headers += f"Reply-To: {mail.reply_to}\n"
    return f"{headers}\n{mail.body.strip()}\n"


STAND_IN = {
    "onderwerp": "Onderwerp",
    "afzender": "Afzender <afzender@voorbeeld.nl>",
    "antwoordadres": "Antwoord <antwoord@voorbeeld.nl>",
}
"""A header field with a problem, as the message is checked meanwhile: by a harmless value
on the same line, so the text's own problems are found (and counted) all the same."""


def message_template(base: Path, mail: MailForm, stand_ins: set[str]) -> MessageTemplate:
    """The message as stored, or, with header fields that have a problem (``stand_ins``),
    as it would be with a :data:`STAND_IN` for each, read from a scratch file."""
    if not stand_ins:
        return read_message_template(base / "bericht.md")
    checked = replace(
        mail,
        subject=STAND_IN["onderwerp"] if "onderwerp" in stand_ins else mail.subject,
        sender=STAND_IN["afzender"] if "afzender" in stand_ins else mail.sender,
        reply_to=STAND_IN["antwoordadres"] if "antwoordadres" in stand_ins else mail.reply_to,
    )
    with tempfile.TemporaryDirectory(prefix="werkboek-bericht-") as scratch:
        path = Path(scratch) / "bericht.md"
        path.write_text(message_text(checked), encoding="utf-8")
        return read_message_template(path)


def store(base: Path, mail: MailForm, *, message: bool = True) -> Path:
    """Write the list, the message and the choices as the files the mailing is made of;
    the message only with ``message`` (not while a header field has a problem: it would
    write another header), the trainer's own attachments always (none is lost)."""
    base.mkdir(parents=True, exist_ok=True)
    write_atomically(base / "deelnemers.csv", mail.list_text.encode())
    if message:
        write_atomically(base / "bericht.md", message_text(mail).encode())
    choices = [
        *(["eigen-werkboek"] if mail.personal else []),
        *(["werkboek"] if mail.workbook else []),
        *(["bewijs"] if mail.certificate else []),
        *(f"product:{p}" for p in mail.products),
    ]
    write_atomically(base / "keuzes.txt", "\n".join(choices).encode())
    own = base / OWN_FOLDER
    for name, data in mail.uploads:
        write_atomically(own / name, data)
    if own.is_dir():
        for path in own.iterdir():
            if path.name not in mail.own:  # (a box unticked: the file is gone)
                path.unlink(missing_ok=True)
    mail.own = [name for name in mail.own if (own / name).is_file()]
    write_atomically(base / "eigen.txt", "\n".join(mail.own).encode())
    return base


def validate(site: Site, base: Path, mail: MailForm) -> None:
    """Check the list and the message before any work starts: every problem at once."""
    problems = field_problems(mail)
    # (a header field with a problem is not written into the message file: it could write
    # another header; the message is then checked with a stand-in for that field)
    store(base, mail, message=not problems)
    try:
        parse_recipients(mail.list_text, "deelnemers.csv")
    except WerkboekError as exc:
        problems.extend(exc.problems)
    stand_ins = {p.path for p in problems if p.path in STAND_IN}
    try:
        template = message_template(base, mail, stand_ins)
        columns = list_columns(mail.list_text, ("naam", "email"))
        if columns:
            template.check_names(columns)
    except WerkboekError as exc:
        problems.extend(exc.problems)
    if not mail.sender and not site.config.sender:
        message = "vul een afzender in, zoals: Anna de Vries <anna@voorbeeld.nl>"
        problems.append(Problem(path="afzender", message=message))
    if problems:
        raise WerkboekError(*problems)


def attachment_problems(site: Site, checked: Checked, mail: MailForm) -> list[Problem]:
    """Why the chosen attachments cannot go: the workbook is not right, a PDF is gone."""
    problems: list[Problem] = []
    if (mail.personal or mail.workbook or mail.certificate) and checked.recipe is None:
        not_ready = "het werkboek klopt nog niet; los eerst de punten in je werkboek op"
        problems.append(Problem("", 0, 0, "bijlagen", not_ready))
    if any(find(site.project, p) is None for p in mail.products):
        problems.append(Problem("", 0, 0, "bijlagen", "een gekozen PDF bestaat niet meer"))
    return problems


def attachments(site: Site, base: Path, checked: Checked, mail: MailForm) -> list[Path]:
    """The chosen PDFs, and the same workbook for everyone, as files in the mail folder; the
    trainer's own files."""
    found: list[Path] = [base / OWN_FOLDER / name for name in mail.own]
    for ident in mail.products:
        ready = find(site.project, ident)
        assert ready is not None
        path = base / "bijlagen" / ready.file
        write_atomically(path, make(site.project, ready))
        found.append(path)
    if checked.recipe is not None and mail.workbook:
        path = base / "bijlagen" / f"{checked.recipe.file_stem}.pdf"
        write_atomically(path, workbook_pdf(site.project, checked.recipe))
        found.append(path)
    return found


def prepared(
    site: Site,
    base: Path,
    draft: Draft,
    mail: MailForm,
    actor: str,
    signature: tuple[Path | None, str] = (None, ""),
) -> Mailing:
    """The mailing, composed and checked (raises with every problem); its list and
    message are the files :func:`validate` stored; ``signature`` (the image and its
    description) goes on every certificate."""
    checked = check(site, draft)
    problems = attachment_problems(site, checked, mail)
    if problems:
        raise WerkboekError(*problems)
    files = attachments(site, base, checked, mail)
    recipe_path = None
    if checked.recipe is not None and (mail.personal or mail.workbook or mail.certificate):
        recipe_path = base / "recept.yaml"
        write_atomically(recipe_path, recipe_yaml(checked.draft.mapping()).encode())
    return prepare_mailing(
        base / "deelnemers.csv",
        base / "bericht.md",
        output_dir=site.project.output_dir,
        attachments=files,
        workbook=recipe_path if mail.personal else None,
        certificate=recipe_path if mail.certificate else None,
        signature=signature[0],
        signature_alt=signature[1],
        project=site.project,
        sender=site.config.sender,
        actor=actor,
        stage=True,
    )


def mail_page(request: Request, mail: MailForm, status: int = 200, **extra: Any) -> Response:
    site = site_of(request)
    context = {
        "active": "mail",
        "mail": mail,
        "products": ready_products(site.project),
        "smtp": site.config.smtp,
        "security_words": SECURITY_WORDS,
        "checked": check(site, site.draft(request)),
        "example": LIST_EXAMPLE,
        "placed": {},
        "preview": None,
        "state": None,
        "job": site.jobs.latest(site.session(request), "mail"),
        "own_files": [n for n in mail.own if (folder(request) / OWN_FOLDER / n).is_file()],
        "max_own": MAX_OWN_FILES,
        "max_own_size": format_size(MAX_OWN_BYTES),
        "signature": (day_folder(request) / SIGNATURE_FILE).is_file(),
        **extra,
    }
    return site.page(request, "mail.html", status=status, **context)


def problems_page(request: Request, exc: WerkboekError, mail: MailForm | None = None) -> Response:
    """The page as the trainer sent it (else as last stored), each problem beside its field
    (422); the server's own folder is never named, only the file the trainer knows."""
    mail = mail or load(request)
    inside = f"{folder(request)}/"
    problems = [
        replace(p, file=p.file.replace(inside, ""), message=p.message.replace(inside, ""))
        for p in exc.problems
    ]
    return mail_page(request, mail, status=422, placed=place_problems(problems, mail))


def last_state(base: Path, output_dir: Path) -> MailingState | None:
    """Where the last mailing stands (none before its first dry run)."""
    try:
        name = (base / LAST_MAILING).read_text(encoding="utf-8").strip()
        return mailing_state(name, base / "deelnemers.csv", output_dir)
    except (OSError, WerkboekError):
        return None


def state_of(request: Request) -> MailingState | None:
    """Where this trainer's last mailing stands (for the day at a glance)."""
    return last_state(folder(request), site_of(request).project.output_dir)


async def show(request: Request) -> Response:
    output_dir = site_of(request).project.output_dir
    state = await run_in_threadpool(last_state, folder(request), output_dir)  # (reads the list)
    return await run_in_threadpool(mail_page, request, load(request), state=state)


def message_preview(request: Request, mail: MailForm, index: str) -> dict[str, Any]:
    """The message to one participant (the ``index``-th, or the first), as the page shows it
    (off the event loop: template work is bounded, but not free)."""
    problems = field_problems(mail)
    if problems:
        store(folder(request), mail, message=False)
        raise WerkboekError(*problems)
    base = store(folder(request), mail)
    recipients = read_recipients(base / "deelnemers.csv")
    template = read_message_template(base / "bericht.md")
    template.check_names(list(recipients[0].fields))
    chosen = (
        recipients[int(index)]
        if index.isdigit() and int(index) < len(recipients)
        else recipients[0]
    )
    rendered: Rendered = template.render(chosen, sender=site_of(request).config.sender)
    html = None
    if rendered.html:
        body = rendered.html.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
        html = Markup(body)  # markdown-it, raw HTML off, values escaped: see mail/template.py
    return {
        "recipients": recipients,
        "chosen": chosen,
        "rendered": rendered,
        "html": html,
        "attached": attached(request, mail, chosen.name),
    }


def attached(request: Request, mail: MailForm, name: str) -> list[str]:
    """What goes with the message to ``name``, as the preview lists it."""
    site = site_of(request)
    recipe = check(site, site.draft(request)).recipe
    found = []
    if recipe is not None and mail.personal:
        found.append(f"het eigen werkboek van {name}")
    if recipe is not None and mail.certificate:
        found.append(f"het bewijs van deelname van {name}")
    if recipe is not None and mail.workbook:
        found.append(f"{recipe.file_stem}.pdf")
    found += [ready.file for p in mail.products if (ready := find(site.project, p)) is not None]
    return found + list(mail.own)


async def preview(request: Request) -> Response:
    mail: MailForm | None = None
    try:
        async with request.form(max_part_size=MAX_PEOPLE_BYTES) as form:
            mail = await read_form(form)
            index = form_text(form, "wie", 6)
        data = await run_in_threadpool(message_preview, request, mail, index)
    except WerkboekError as exc:
        return await run_in_threadpool(problems_page, request, exc, mail)
    page = await run_in_threadpool(mail_page, request, mail, preview=data)
    # (the whole page: problems shown before, now solved, go)
    return in_place(page) if is_htmx(request) else page


async def submitted(request: Request) -> MailForm:
    """What the trainer sent (a list too large is refused here already)."""
    async with request.form(max_part_size=MAX_PEOPLE_BYTES) as form:
        return await read_form(form)


async def check_form(request: Request, mail: MailForm, need_smtp: bool = False) -> MailForm:
    """The form, stored and checked (raises with every problem)."""
    if need_smtp and site_of(request).config.smtp is None:
        no_server = "deze server heeft geen mailserver; vraag de beheerder er een in te stellen"
        raise SendError(Problem(message=no_server))
    await run_in_threadpool(validate, site_of(request), folder(request), mail)
    return mail


Signature = tuple[Path | None, str]
"""The training day's signature for the certificates (a copy in the mail folder) and its
description."""


def day_signature(request: Request, mail: MailForm) -> Signature:
    """The signature as the training day has it now, when certificates go with the mail."""
    if not mail.certificate:
        return None, ""
    site = site_of(request)
    recipe = check(site, site.draft(request)).recipe
    return signature_of(request, folder(request) / SIGNATURE_FILE, recipe)


def dry_running(
    site: Site, base: Path, draft: Draft, mail: MailForm, actor: str, signature: Signature
) -> Work:
    """The job of a dry run: every message written, nothing sent."""

    def work(job: Job) -> Report:
        job.step(0, 1, "berichten opstellen")
        mailing = prepared(site, base, draft, mail, actor, signature)
        remember_mailing(base, mailing.name)
        lines = dry_run(
            mailing, site.project.output_dir, show_folder=False, show_name=False, table=False
        )
        job.step(1, 1)
        return Report(lines, (HEADINGS, list(table_rows(mailing.messages))))

    return work


async def dry(request: Request) -> Response:
    mail: MailForm | None = None
    try:
        mail = await submitted(request)
        await check_form(request, mail)
    except WerkboekError as exc:
        return await run_in_threadpool(problems_page, request, exc, mail)
    site = site_of(request)
    actor = session_actor(site.session(request))
    signature = await run_in_threadpool(day_signature, request, mail)
    work = dry_running(site, folder(request), site.draft(request), mail, actor, signature)
    return await started(request, mail, site.start_job(request, "mail", "Proefrun", work))


async def started(request: Request, mail: MailForm, response: Response) -> Response:
    """The page after a job started from the form. With htmx the whole page in place (the
    job's progress in it, the form's problems shown before gone); after files were uploaded
    with the form, the page loaded again (the file field lets go of them, and the list of
    the trainer's own attachments shows them)."""
    if not is_htmx(request):
        return response
    if mail.uploads:
        response.headers["HX-Refresh"] = "true"
        return response
    return in_place(await run_in_threadpool(mail_page, request, mail))


def no_password(prompt: str) -> str:
    raise SendError(
        Problem(
            message="het wachtwoord voor de mailserver staat niet in de "
            "instellingen van de server (WERKBOEK_SMTP_PASSWORD)"
        )
    )


def sending(
    site: Site,
    base: Path,
    draft: Draft,
    mail: MailForm,
    smtp: SmtpSettings,
    actor: str,
    signature: Signature,
) -> Work:
    """The job that sends what the send log says is left, with its progress."""

    def work(job: Job) -> Report:
        job.step(0, 1, "berichten opstellen")
        mailing = prepared(site, base, draft, mail, actor, signature)
        remember_mailing(base, mailing.name)

        def progress(count: int) -> Any:
            job.step(0, count, "verzenden")
            return lambda _message, _state: job.step()

        planned: list[str] = []
        try:
            outcome = send(
                mailing,
                smtp,
                output_dir=site.project.output_dir,
                rate=30,
                retries=3,
                resend_unknown=mail.resend_unknown,
                resend_to_earlier=mail.resend_to_earlier,
                ask_password=no_password,
                announce=planned.extend,
                progress=progress,
                show_name=False,
            )
        except AlreadyReached as exc:
            hint = Problem(
                message="moeten zij dit bericht ook krijgen? Zet dan het vinkje "
                "'Ook naar wie al een ander bericht kreeg' aan en verzend opnieuw"
            )
            raise AlreadyReached(*exc.problems, hint) from None
        if outcome.problem:
            raise SendError(*(Problem(message=line) for line in [*planned, *outcome.lines]))
        return Report([*planned, *outcome.lines])

    return work


async def deliver(request: Request) -> Response:
    mail: MailForm | None = None
    try:
        mail = await submitted(request)
        await check_form(request, mail, need_smtp=True)
    except WerkboekError as exc:
        return await run_in_threadpool(problems_page, request, exc, mail)
    site = site_of(request)
    smtp = site.config.smtp
    assert smtp is not None  # check_form refuses without one
    actor = session_actor(site.session(request))
    signature = await run_in_threadpool(day_signature, request, mail)
    work = sending(site, folder(request), site.draft(request), mail, smtp, actor, signature)
    return await started(request, mail, site.start_job(request, "mail", "Verzenden", work))


async def erase(request: Request) -> Response:
    """Erase this trainer's participants' data at once, after a confirmation step."""
    site = site_of(request)
    async with request.form() as form:
        confirmed = form.get("bevestigd") == "ja"
    if not confirmed:
        return site.page(request, "mail_wissen.html", active="mail", erased=None)
    erased = await run_in_threadpool(erase_mail_folder, folder(request), site.project.output_dir)
    # and the reports of its dry runs and sends, which name the participants
    await run_in_threadpool(site.jobs.forget, site.session(request), "mail")
    return site.page(request, "mail_wissen.html", active="mail", erased=erased.lines())


ROUTES: list[BaseRoute] = [
    Route("/mail", show, methods=["GET"], name="mail"),
    Route("/mail/voorbeeld", preview, methods=["POST"], name="mail_preview"),
    Route("/mail/proefrun", dry, methods=["POST"], name="mail_dry_run"),
    Route("/mail/verzenden", deliver, methods=["POST"], name="mail_send"),
    Route("/mail/wissen", erase, methods=["POST"], name="mail_erase"),
]


__all__ = ["ROUTES", "MailingState"]
