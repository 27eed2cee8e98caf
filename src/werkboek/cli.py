"""The command line: declares commands and hands the work to the library.

Imports of the heavy modules happen inside the commands, so ``werkboek --help``
and ``werkboek check`` stay fast.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import WerkboekError

content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("content"),
    show_default=True,
    help="Folder with the content YAML files.",
)


styles_option = click.option(
    "--styles",
    "styles_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("styles"),
    show_default=True,
    help="Folder with the stylesheets and their images.",
)


def output_option(help: str) -> Callable[..., Any]:
    return click.option(
        "--output",
        "-o",
        "output_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("output"),
        show_default=True,
        help=help,
    )


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print an expected failure as one line per problem and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WerkboekError as exc:
            for line in exc.lines():
                click.echo(f"error: {line}" if not _located(line) else line, err=True)
            sys.exit(exc.exit_code)

    return wrapper


def _located(line: str) -> bool:
    head = line.split(": ", 1)[0]
    return bool(re.match(r"[^\s:][^:]*:\d+(:\d+)?$", head))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="werkboek")
def main() -> None:
    """Print-ready PDFs from the Inspiratiedocument Toekomstscenario kind- en gezinsbescherming."""


@main.command()
@content_option
@click.option("--quiet", "-q", is_flag=True, help="Do not list warnings.")
@styles_option
@reports_errors
def check(content_dir: Path, quiet: bool, styles_dir: Path) -> None:
    """Validate the content and run every product's templates; write nothing."""
    from .products import Project, check_products

    project = Project(content_dir=content_dir, styles_dir=styles_dir)
    content = project.content
    targets = check_products(project)
    warnings = content.warnings()
    if not quiet:
        for warning in warnings:
            click.echo(str(warning))
    exercises = sum(1 for _ in content.exercises())
    stories = sum(1 for _ in content.stories())
    click.echo(
        f"content OK: {len(content.principles)} principles, {exercises} exercises, "
        f"{stories} stories, {len(content.articles)} articles; {len(warnings)} warnings; "
        f"{targets} PDF{'' if targets == 1 else 's'} would be built"
    )


@main.command(name="list")
@content_option
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@reports_errors
def list_(content_dir: Path, as_json: bool) -> None:
    """List the slugs that recipes can name."""
    import json

    from .catalogue import build_catalogue, format_catalogue
    from .loader import load_content

    catalogue = build_catalogue(load_content(content_dir))
    if as_json:
        click.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
    else:
        click.echo(format_catalogue(catalogue))


@main.command()
@click.argument("products", nargs=-1)
@content_option
@styles_option
@output_option("Folder to write the PDFs to.")
@click.option(
    "--card-size",
    type=click.Choice(["a5", "a6"]),
    default="a5",
    show_default=True,
    help="Exercise cards: a5 (148 x 210 mm, one per A4 sheet, full steps) or "
    "a6 (90 x 130 mm, four per A4 sheet, steps in short with a QR code to the full text).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Render this many PDFs at once [default: one per core].",
)
@reports_errors
def build(
    products: tuple[str, ...],
    content_dir: Path,
    styles_dir: Path,
    output_dir: Path,
    card_size: str,
    jobs: int | None,
) -> None:
    """Build PDFs: document, handouts, cards, or all (the default)."""
    from .products import Project, build_products

    project = Project(
        content_dir=content_dir, styles_dir=styles_dir, output_dir=output_dir, card_size=card_size
    )
    for path in build_products(project, list(products), jobs=jobs):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("recipe", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    help="The PDF to write (with --voor/--deelnemers: the folder for the copies).",
)
@click.option(
    "--editie",
    "edition",
    type=click.Choice(["deelnemer", "trainer"]),
    help="Override the recipe's editie.",
)
@click.option("--voor", "names", multiple=True, help="A personalised copy for this name.")
@click.option(
    "--deelnemers",
    "participants",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A participant list (CSV with a column 'naam'): one copy per person.",
)
@content_option
@styles_option
@reports_errors
def workbook(
    recipe: Path,
    output: Path | None,
    edition: str | None,
    names: tuple[str, ...],
    participants: Path | None,
    content_dir: Path,
    styles_dir: Path,
) -> None:
    """Build a workbook from a recipe (see recepten/ and `werkboek list`)."""
    from .products import Project
    from .workbook import build_workbook, read_names

    people = list(names) + (read_names(participants) if participants else [])
    project = Project(content_dir=content_dir, styles_dir=styles_dir)
    for path in build_workbook(project, recipe, output, edition=edition, names=people):
        click.echo(f"wrote {path}")


def _mail_size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from .mail import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_existing_file = click.Path(path_type=Path, exists=True, dir_okay=False)


@main.command()
@click.argument("recipients", metavar="DEELNEMERS.csv", type=_existing_file)
@click.argument("message", metavar="BERICHT.txt", type=_existing_file)
@click.option(
    "--attach", "attachments", multiple=True, type=_existing_file, help="Attach to every message."
)
@click.option(
    "--workbook",
    "recipe",
    type=_existing_file,
    metavar="RECIPE.yaml",
    help="Attach each participant's own workbook, built from this recipe.",
)
@click.option("--send", is_flag=True, help="Send the messages. Without it: a dry run.")
@click.option(
    "--from", "sender", metavar="ADDRESS", help="The sender, when the message has no From: header."
)
@click.option(
    "--mailing", "mailing_name", metavar="NAME", help="Name of the mailing (default: derived)."
)
@click.option(
    "--max-size",
    metavar="SIZE",
    default="10MB",
    show_default=True,
    callback=_mail_size,
    help="Largest message allowed, attachments included.",
)
@click.option(
    "--smtp-host",
    metavar="HOST",
    envvar="WERKBOEK_SMTP_HOST",
    show_envvar=True,
    help="SMTP server.",
)
@click.option(
    "--smtp-port",
    metavar="PORT",
    type=click.IntRange(1, 65535),
    envvar="WERKBOEK_SMTP_PORT",
    show_envvar=True,
    help="SMTP port [default: 587 starttls, 465 ssl, 25 none].",
)
@click.option(
    "--security",
    type=click.Choice(["starttls", "ssl", "none"]),
    default="starttls",
    show_default=True,
    envvar="WERKBOEK_SMTP_SECURITY",
    show_envvar=True,
    help="How the connection is encrypted.",
)
@click.option(
    "--smtp-user",
    metavar="USER",
    envvar="WERKBOEK_SMTP_USER",
    show_envvar=True,
    help="Log in as this user; the password comes from WERKBOEK_SMTP_PASSWORD or a prompt.",
)
@click.option(
    "--smtp-cafile",
    metavar="CA.pem",
    type=_existing_file,
    help="Trust the server's certificate if signed by this CA (PEM), e.g. a self-signed one.",
)
@click.option(
    "--rate",
    metavar="N",
    type=click.FloatRange(min=0),
    default=30,
    show_default=True,
    help="At most this many messages per minute (0: no limit).",
)
@click.option(
    "--retries",
    metavar="N",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Tries again after a temporary failure, waiting 5, 10, 20... seconds.",
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Also send again the messages that may have arrived (connection broke after sending).",
)
@content_option
@styles_option
@output_option("Output folder: messages and send log go to OUTPUT/mail/.")
@reports_errors
def mail(
    recipients: Path,
    message: Path,
    attachments: tuple[Path, ...],
    recipe: Path | None,
    send: bool,
    sender: str | None,
    mailing_name: str | None,
    max_size: int,
    smtp_host: str | None,
    smtp_port: int | None,
    security: str,
    smtp_user: str | None,
    smtp_cafile: Path | None,
    rate: float,
    retries: int,
    resend_unknown: bool,
    content_dir: Path,
    styles_dir: Path,
    output_dir: Path,
) -> None:
    """Mail each participant a message (dry run unless --send).

    DEELNEMERS.csv has the columns naam and email (others may be used in the message);
    BERICHT.txt has headers (Subject:, optional From:, Reply-To:, Cc:), a blank line and
    the text, a Jinja2 template ({{ naam }}); Markdown (a .md file) also gets HTML.
    The dry run writes every message to OUTPUT/mail/<mailing>/; --send sends them, and
    a second run sends only what was not sent yet.
    """
    import dataclasses
    import os

    from .mail import (
        MailError,
        Security,
        SendError,
        SendLog,
        SmtpSettings,
        log_path,
        plan_sending,
        prepare_mailing,
        send_mailing,
        write_messages,
    )
    from .mail.report import format_dry_run, format_plan, format_report, report_problem

    settings = SmtpSettings(
        host=smtp_host or "",
        port=smtp_port,
        security=Security(security),
        user=smtp_user,
        cafile=smtp_cafile,
    )
    if send:
        if not smtp_host:
            raise MailError("--send heeft een server nodig: geef --smtp-host")
        settings.check()
    project = None
    if recipe is not None:
        from .products import Project

        project = Project(content_dir=content_dir, styles_dir=styles_dir, output_dir=output_dir)
    mailing = prepare_mailing(
        recipients,
        message,
        output_dir=output_dir,
        attachments=attachments,
        workbook=recipe,
        project=project,
        sender=sender,
        name=mailing_name,
        max_size=max_size,
    )
    if not send:
        write_messages(mailing)
        click.echo("\n".join(format_dry_run(mailing, log_path(output_dir))))
        return
    with SendLog(log_path(output_dir)) as log:
        plan = plan_sending(mailing, log, resend_unknown=resend_unknown)
        click.echo("\n".join(format_plan(plan)))
        if plan.todo and smtp_user:
            password = os.environ.get("WERKBOEK_SMTP_PASSWORD") or click.prompt(
                f"Wachtwoord voor {smtp_user} op {settings.address}", hide_input=True, err=True
            )
            settings = dataclasses.replace(settings, password=password)
        send_plan = functools.partial(send_mailing, plan, settings, log, rate=rate, retries=retries)
        if plan.todo:  # a progress bar on stderr; the summary goes to stdout
            bar = click.progressbar(length=len(plan.todo), label="Verzenden", file=sys.stderr)
            with bar:
                report = send_plan(
                    resend_unknown=resend_unknown, progress=lambda _m, _s: bar.update(1)
                )
        else:
            report = send_plan(resend_unknown=resend_unknown)
        click.echo("\n".join(format_report(report)))
    problem = report_problem(report)
    if problem:
        raise SendError(problem)
