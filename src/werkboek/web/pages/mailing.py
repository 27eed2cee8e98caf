"""Mail: every participant their message, with the workbook and any product attached.

The same mailings and send log as ``werkboek mail``: the page writes the list and the
message as files (``deelnemers.csv``, ``bericht.md``) in the session's mail folder and
prepares the mailing from them; its sender (the actor) is the browser session, so two
trainers' mailings never become one (see :mod:`werkboek.mail.mailing`). Subject and
sender are checked where they are typed: no line break or control character reaches
the message file. The dry run comes first; whoever already had another mailing of this
session is named, and gets this one only when the trainer ticks the box for it. Sending
runs off the request path with its progress on the page. The mail server and its
password come from the server's configuration, never from the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...errors import Problem, WerkboekError
from ...mail import prepare_mailing
from ...mail.errors import AlreadyReached, SendError
from ...mail.headers import header_value_problem
from ...mail.mailing import session_actor
from ...mail.recipients import read_recipients
from ...mail.run import MailingState, dry_run, mailing_state, send
from ...mail.template import Rendered, read_message_template
from ...people import MAX_BYTES, decode, list_columns
from ...products import WorkbookOptions, WorkbookProduct
from ...recipes import recipe_yaml
from ...rendering.files import write_atomically
from ..app import form_text, is_htmx
from ..drafts import Draft
from ..jobs import Job
from ..products import find, make, ready_products
from ..security import protected
from .composer import check

if TYPE_CHECKING:
    from ..app import WebApp

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


FIELDS = {"onderwerp": "het onderwerp", "afzender": "de afzender"}
"""The form's fields that become a mail header, and what they are called in a problem."""
LAST_MAILING = "mailing.txt"
"""The name of the session's last mailing (its dry run or send), for its state."""


def field_problems(mail: MailForm) -> list[Problem]:
    """A header field with a line break or a control character is refused where it is typed:
    it would otherwise write another header into the message file."""
    problems = []
    for name, value in (("onderwerp", mail.subject), ("afzender", mail.sender)):
        problem = header_value_problem(value)
        if problem:
            problems.append(Problem(path=name, message=f"{FIELDS[name]} {problem}"))
    return problems


@dataclass(frozen=True)
class Report:
    """What a dry run or a send leaves for the page: the lines for the trainer."""

    lines: list[str]


def routes(app: WebApp) -> list[Route]:
    def folder(request: Request) -> Path:
        return app.state / "mail" / app.session(request)

    def load(request: Request) -> MailForm:
        base = folder(request)
        saved = MailForm(sender=app.config.sender or "")
        try:
            saved.list_text = (base / "deelnemers.csv").read_text(encoding="utf-8")
            message = (base / "bericht.md").read_text(encoding="utf-8")
            head, _, body = message.partition("\n\n")
            for line in head.splitlines():
                name, _, value = line.partition(":")
                if name == "Subject":
                    saved.subject = value.strip()
                elif name == "From":
                    saved.sender = value.strip()
            saved.body = body
            choices = (base / "keuzes.txt").read_text(encoding="utf-8").split()
            saved.personal = "eigen-werkboek" in choices
            saved.workbook = "werkboek" in choices
            saved.products = [
                c.removeprefix("product:") for c in choices if c.startswith("product:")
            ]
        except OSError:
            pass
        return saved

    async def read_form(request: Request) -> MailForm:
        form: FormData = await request.form()
        upload = form.get("lijst")
        list_text = form_text(form, "deelnemers", MAX_BYTES)
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise WerkboekError(Problem("deelnemers.csv", 1, 1, "", "de lijst is te groot"))
            list_text = decode(data, upload.filename.rsplit("/", 1)[-1][:100])
        products = [p for p in form.getlist("product") if isinstance(p, str)]
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
        )

    def place_problems(problems: Iterable[Problem], mail: MailForm) -> dict[str, list[str]]:
        """Each problem beside the field it concerns, with the line counted in that field."""
        header = 2 + (1 if mail.sender else 0)  # Subject, From, blank line: then the text
        placed: dict[str, list[str]] = {}
        for problem in problems:
            field, line, name = "algemeen", problem.line, Path(problem.file).name
            if not problem.file and problem.path in FIELDS:
                field = problem.path
            elif name == "deelnemers.csv":
                field = "deelnemers"
            elif name == "bericht.md" and problem.line > header:
                field, line = "tekst", problem.line - header
            elif name == "bericht.md" and problem.line == 1:
                field, line = "onderwerp", 0
            elif name == "bericht.md" and problem.line == 2 and mail.sender:
                field, line = "afzender", 0
            where = f"regel {line}: " if line else ""
            what = f"{problem.path}: " if problem.path and field == "algemeen" else ""
            placed.setdefault(field, []).append(f"{where}{what}{problem.message}")
        return placed

    def store(base: Path, mail: MailForm) -> Path:
        """Write the list, the message and the choices as the files the mailing is made of."""
        base.mkdir(parents=True, exist_ok=True)
        write_atomically(base / "deelnemers.csv", mail.list_text.encode())
        message = f"Subject: {mail.subject}\n"
        if mail.sender:
            message += f"From: {mail.sender}\n"
        write_atomically(base / "bericht.md", f"{message}\n{mail.body.strip()}\n".encode())
        choices = [
            *(["eigen-werkboek"] if mail.personal else []),
            *(["werkboek"] if mail.workbook else []),
            *(f"product:{p}" for p in mail.products),
        ]
        write_atomically(base / "keuzes.txt", "\n".join(choices).encode())
        return base

    def validate(base: Path, mail: MailForm) -> None:
        """Check the list and the message before any work starts: every problem at once."""
        problems = field_problems(mail)
        if problems:
            raise WerkboekError(*problems)
        store(base, mail)
        try:
            read_recipients(base / "deelnemers.csv")
        except WerkboekError as exc:
            problems.extend(exc.problems)
        try:
            template = read_message_template(base / "bericht.md")
            columns = list_columns(mail.list_text, ("naam", "email"))
            if columns:
                template.check_names(columns)
        except WerkboekError as exc:
            problems.extend(exc.problems)
        if not mail.sender and not app.config.sender:
            message = "vul een afzender in, zoals: Anna de Vries <anna@voorbeeld.nl>"
            problems.append(Problem(path="afzender", message=message))
        if problems:
            raise WerkboekError(*problems)

    def prepared(base: Path, draft: Draft, mail: MailForm, actor: str) -> Any:
        """The mailing, composed and checked (raises with every problem); its list and
        message are the files :func:`validate` stored."""
        checked = check(app, draft)
        problems: list[Problem] = []
        if (mail.personal or mail.workbook) and checked.recipe is None:
            problems.append(
                Problem(
                    "",
                    0,
                    0,
                    "bijlagen",
                    "het werkboek klopt nog niet; los eerst de punten in je werkboek op",
                )
            )
        attachments: list[Path] = []
        unknown = [p for p in mail.products if find(app.project, p) is None]
        if unknown:
            problems.append(Problem("", 0, 0, "bijlagen", "een gekozen PDF bestaat niet meer"))
        if problems:
            raise WerkboekError(*problems)
        folder_attachments = base / "bijlagen"
        for ident in mail.products:
            ready = find(app.project, ident)
            assert ready is not None
            path = folder_attachments / ready.file
            write_atomically(path, make(app.project, ready))
            attachments.append(path)
        recipe_path = None
        if checked.recipe is not None and (mail.personal or mail.workbook):
            recipe_path = base / "recept.yaml"
            write_atomically(recipe_path, recipe_yaml(checked.draft.mapping()).encode())
            if mail.workbook:
                product = WorkbookProduct(app.project, WorkbookOptions(checked.recipe))
                target = next(iter(product.targets()))
                path = folder_attachments / f"{checked.recipe.file_stem}.pdf"
                write_atomically(path, product.pdf(target))
                attachments.append(path)
        return prepare_mailing(
            base / "deelnemers.csv",
            base / "bericht.md",
            output_dir=app.project.output_dir,
            attachments=attachments,
            workbook=recipe_path if mail.personal else None,
            project=app.project,
            sender=app.config.sender,
            actor=actor,
            stage=True,
        )

    def context(request: Request, mail: MailForm, **extra: Any) -> dict[str, Any]:
        smtp = app.config.smtp
        return {
            "active": "mail",
            "mail": mail,
            "products": ready_products(app.project),
            "smtp": smtp,
            "checked": check(app, app.draft(request)),
            "example": LIST_EXAMPLE,
            "placed": {},
            "preview": None,
            "state": None,
            "job": app.jobs.latest(app.session(request), "mail"),
            **extra,
        }

    def problems_page(request: Request, mail: MailForm, exc: WerkboekError) -> Response:
        placed = place_problems(exc.problems, mail)
        return app.page(request, "mail.html", status=422, **context(request, mail, placed=placed))

    def last_state(base: Path) -> MailingState | None:
        """Where the session's last mailing stands (the list read off the event loop)."""
        try:
            name = (base / LAST_MAILING).read_text(encoding="utf-8").strip()
            return mailing_state(name, base / "deelnemers.csv", app.project.output_dir)
        except (OSError, WerkboekError):
            return None

    async def show(request: Request) -> Response:
        mail = load(request)
        state = await run_in_threadpool(last_state, folder(request))
        return app.page(request, "mail.html", **context(request, mail, state=state))

    def render_preview(base: Path, mail: MailForm, index: str) -> dict[str, Any]:
        """One participant's message, rendered (off the event loop: template work is bounded
        but not free)."""
        problems = field_problems(mail)
        if problems:
            raise WerkboekError(*problems)
        store(base, mail)
        recipients = read_recipients(base / "deelnemers.csv")
        template = read_message_template(base / "bericht.md")
        template.check_names(list(recipients[0].fields))
        chosen = (
            recipients[int(index)]
            if index.isdigit() and int(index) < len(recipients)
            else recipients[0]
        )
        rendered: Rendered = template.render(chosen, sender=app.config.sender)
        html = None
        if rendered.html:
            body = rendered.html.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
            html = Markup(body)  # markdown-it, raw HTML off, values escaped: see mail/template.py
        return {"recipients": recipients, "chosen": chosen, "rendered": rendered, "html": html}

    async def preview(request: Request) -> Response:
        mail = None
        try:
            mail = await read_form(request)
            index = form_text(await request.form(), "wie", 6)
            data = await run_in_threadpool(render_preview, folder(request), mail, index)
        except WerkboekError as exc:
            return problems_page(request, mail or load(request), exc)
        if is_htmx(request):
            return app.page(request, "_mail_voorbeeld.html", **data)
        return app.page(request, "mail.html", **context(request, mail, preview=data))

    async def dry(request: Request) -> Response:
        mail = None
        try:
            mail = await read_form(request)
            await run_in_threadpool(validate, folder(request), mail)
        except WerkboekError as exc:
            return problems_page(request, mail or load(request), exc)

        base, draft = folder(request), app.draft(request)
        actor = session_actor(app.session(request))

        def work(job: Job) -> Report:
            job.step(0, 1, "berichten opstellen")
            mailing = prepared(base, draft, mail, actor)
            write_atomically(base / LAST_MAILING, mailing.name.encode())
            lines = dry_run(mailing, app.project.output_dir, show_folder=False)
            job.step(1, 1)
            return Report(lines)

        return app.start_job(request, "mail", "Proefrun", work)

    async def deliver(request: Request) -> Response:
        smtp = app.config.smtp
        mail = None
        try:
            mail = await read_form(request)
            if smtp is None:
                raise SendError(
                    Problem(
                        message="deze server heeft geen mailserver; "
                        "vraag de beheerder er een in te stellen"
                    )
                )
            await run_in_threadpool(validate, folder(request), mail)
        except WerkboekError as exc:
            return problems_page(request, mail or load(request), exc)

        base, draft = folder(request), app.draft(request)
        actor = session_actor(app.session(request))

        def work(job: Job) -> Report:
            job.step(0, 1, "berichten opstellen")
            mailing = prepared(base, draft, mail, actor)
            write_atomically(base / LAST_MAILING, mailing.name.encode())

            def progress(count: int) -> Any:
                job.step(0, count, "verzenden")
                return lambda _message, _state: job.step()

            def no_password(prompt: str) -> str:
                raise SendError(
                    Problem(
                        message="het wachtwoord voor de mailserver staat niet in de "
                        "instellingen van de server (WERKBOEK_SMTP_PASSWORD)"
                    )
                )

            planned: list[str] = []
            try:
                outcome = send(
                    mailing,
                    smtp,
                    output_dir=app.project.output_dir,
                    rate=30,
                    retries=3,
                    resend_unknown=mail.resend_unknown,
                    resend_to_earlier=mail.resend_to_earlier,
                    ask_password=no_password,
                    announce=planned.extend,
                    progress=progress,
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

        return app.start_job(request, "mail", "Verzenden", work)

    return [
        Route("/mail", show, methods=["GET"]),
        Route("/mail/voorbeeld", protected(preview), methods=["POST"]),
        Route("/mail/proefrun", protected(dry), methods=["POST"]),
        Route("/mail/verzenden", protected(deliver), methods=["POST"]),
    ]


__all__ = ["MailingState", "routes"]
