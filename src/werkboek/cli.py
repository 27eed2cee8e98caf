"""The command line: declares the commands and hands the work to the library.

Like mkdocs' ``__main__``, this module only declares; the heavy modules are imported
inside the commands, so ``werkboek --help`` stays fast. The conventions every command
follows (Dutch, ``fout:`` lines, exit statuses) are in :mod:`werkboek.console`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .console import DutchChoice, DutchGroup, reports_errors, warning
from .errors import Problem, WerkboekError
from .words import plural

folder = click.Path(path_type=Path, file_okay=False)
input_file = click.Path(path_type=Path, dir_okay=False)

content_option = click.option(
    "--content",
    "content_dir",
    type=folder,
    default=Path("content"),
    show_default=True,
    help="Map met de inhoud (YAML).",
)
styles_option = click.option(
    "--styles",
    "styles_dir",
    type=folder,
    default=Path("styles"),
    show_default=True,
    help="Map met de stijlbladen en hun afbeeldingen.",
)
recipes_option = click.option(
    "--recepten",
    "recipes_dir",
    type=folder,
    default=Path("recepten"),
    show_default=True,
    help="Map met werkboekrecepten.",
)


def output_option(help: str) -> Callable[..., Any]:
    return click.option(
        "--output",
        "-o",
        "output_dir",
        type=folder,
        default=Path("output"),
        show_default=True,
        help=help,
    )


def _project(**folders: Any) -> Any:
    from .project import Project

    return Project(**folders)


def _wrote(paths: list[Path]) -> None:
    for path in paths:
        click.echo(f"geschreven: {path}")


def _must_exist(path: Path | None, what: str) -> None:
    """A missing input file is a problem with the input (exit 1), like any other."""
    if path is not None and not path.is_file():
        from .errors import display_path

        raise WerkboekError(Problem(display_path(path), 1, 1, "", f"{what} niet gevonden"))


@click.group(cls=DutchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="werkboek", message="%(prog)s, versie %(version)s")
def main() -> None:
    """Drukklare PDF's voor een training: document, hand-outs, kaarten, werkboeken en mail."""


@main.command()
@content_option
@styles_option
@recipes_option
@click.option("--quiet", "-q", is_flag=True, help="Geen waarschuwingen tonen.")
@reports_errors
def check(content_dir: Path, styles_dir: Path, recipes_dir: Path, quiet: bool) -> None:
    """Controleer de inhoud, de sjablonen en de recepten; schrijf niets."""
    from .build import check_project

    report = check_project(
        _project(content_dir=content_dir, styles_dir=styles_dir, recipes_dir=recipes_dir)
    )
    if not quiet:
        for problem in report.warnings:
            warning(str(problem))
    counts = [
        plural(report.principles, "basisprincipe", "basisprincipes"),
        plural(report.exercises, "oefening", "oefeningen"),
        plural(report.stories, "verhaal", "verhalen"),
        plural(report.articles, "artikel", "artikelen"),
        plural(report.recipes, "recept", "recepten"),
    ]
    warnings = plural(len(report.warnings), "waarschuwing", "waarschuwingen")
    pdfs = plural(report.files, "PDF", "PDF's")
    click.echo(f"inhoud in orde: {', '.join(counts)}; {warnings}; {pdfs} te maken")


@main.command(name="list")
@content_option
@click.option("--json", "as_json", is_flag=True, help="De catalogus als JSON.")
@reports_errors
def list_(content_dir: Path, as_json: bool) -> None:
    """Toon de slugs die een recept kan noemen."""
    import json

    from .content import load_content
    from .content.catalogue import build_catalogue, format_catalogue

    catalogue = build_catalogue(load_content(content_dir))
    if as_json:
        click.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
    else:
        click.echo(format_catalogue(catalogue))


@main.command()
@click.argument("products", nargs=-1)
@content_option
@styles_option
@recipes_option
@output_option("Map voor de PDF's.")
@click.option(
    "--card-size",
    type=DutchChoice(["a5", "a6"]),
    default="a5",
    show_default=True,
    help="Oefenkaarten: a5 (148 × 210 mm, één per A4-vel, alle stappen) of a6 (90 × 130 mm, "
    "vier per A4-vel, de stappen kort met een QR-code naar de hele tekst).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Zoveel PDF's tegelijk maken [standaard: één per processorkern].",
)
@reports_errors
def build(
    products: tuple[str, ...],
    content_dir: Path,
    styles_dir: Path,
    recipes_dir: Path,
    output_dir: Path,
    card_size: str,
    jobs: int | None,
) -> None:
    """Maak PDF's: document, handouts, cards, workbook (de recepten), of all (standaard)."""
    from .build import build_products
    from .products import CardOptions

    project = _project(
        content_dir=content_dir,
        styles_dir=styles_dir,
        output_dir=output_dir,
        recipes_dir=recipes_dir,
    )
    options = {"cards": CardOptions(card_size=card_size)}  # type: ignore[arg-type]
    _wrote(build_products(project, list(products), options, jobs=jobs))


@main.command()
@click.argument("recipe", metavar="RECEPT.yaml", type=input_file)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    help="De PDF om te schrijven (met --voor/--deelnemers: de map voor de exemplaren).",
)
@click.option(
    "--editie",
    "edition",
    type=DutchChoice(["deelnemer", "trainer"]),
    help="Een andere editie dan het recept noemt.",
)
@click.option("--voor", "names", multiple=True, help="Een eigen exemplaar voor deze naam.")
@click.option(
    "--deelnemers",
    "participants",
    type=input_file,
    help="Een deelnemerslijst (CSV met een kolom 'naam'): een exemplaar per persoon.",
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
    """Maak een werkboek naar een recept (zie recepten/ en `werkboek list`)."""
    from .people import people_from_names, read_people
    from .products.workbook import build_workbook
    from .recipes import load_recipe

    _must_exist(recipe, "recept")
    _must_exist(participants, "deelnemerslijst")
    people = people_from_names(names)
    if participants is not None:
        people += read_people(participants)
    project = _project(content_dir=content_dir, styles_dir=styles_dir)
    loaded = load_recipe(recipe, project.content)
    _wrote(build_workbook(project, loaded, output, edition=edition, names=[p.name for p in people]))


def _mail_size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from .mail import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("recipients", metavar="DEELNEMERS.csv", type=input_file)
@click.argument("message", metavar="BERICHT.txt", type=input_file)
@click.option(
    "--attach", "attachments", multiple=True, type=input_file, help="Meesturen met ieder bericht."
)
@click.option(
    "--workbook",
    "recipe",
    type=input_file,
    metavar="RECEPT.yaml",
    help="Ieder zijn eigen werkboek meesturen, gemaakt naar dit recept.",
)
@click.option("--send", is_flag=True, help="Verzend de berichten. Zonder: een proefrun.")
@click.option(
    "--from", "sender", metavar="ADRES", help="De afzender, als het bericht geen From: heeft."
)
@click.option(
    "--mailing",
    "mailing_name",
    metavar="NAAM",
    help="Naam van de mailing (standaard: afgeleid van bericht en lijst).",
)
@click.option(
    "--max-size",
    metavar="GROOTTE",
    default="10MB",
    show_default=True,
    callback=_mail_size,
    help="Grootste bericht, met bijlagen.",
)
@click.option(
    "--smtp-host",
    metavar="SERVER",
    envvar="WERKBOEK_SMTP_HOST",
    show_envvar=True,
    help="De SMTP-server.",
)
@click.option(
    "--smtp-port",
    metavar="POORT",
    type=click.IntRange(1, 65535),
    envvar="WERKBOEK_SMTP_PORT",
    show_envvar=True,
    help="SMTP-poort [standaard: 587 starttls, 465 ssl, 25 none].",
)
@click.option(
    "--security",
    type=DutchChoice(["starttls", "ssl", "none"]),
    default="starttls",
    show_default=True,
    envvar="WERKBOEK_SMTP_SECURITY",
    show_envvar=True,
    help="Hoe de verbinding versleuteld is.",
)
@click.option(
    "--smtp-user",
    metavar="GEBRUIKER",
    envvar="WERKBOEK_SMTP_USER",
    show_envvar=True,
    help="Aanmelden als deze gebruiker; het wachtwoord komt uit "
    "WERKBOEK_SMTP_PASSWORD of wordt gevraagd.",
)
@click.option(
    "--smtp-cafile",
    metavar="CA.pem",
    type=input_file,
    help="Vertrouw het certificaat van de server als deze CA (PEM) het tekende.",
)
@click.option(
    "--rate",
    metavar="N",
    type=click.FloatRange(min=0),
    default=30,
    show_default=True,
    help="Hoogstens zoveel berichten per minuut (0: geen grens).",
)
@click.option(
    "--retries",
    metavar="N",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Na een tijdelijke fout opnieuw proberen, na 5, 10, 20 … seconden.",
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Ook de berichten opnieuw sturen die misschien aankwamen "
    "(de verbinding brak na het verzenden).",
)
@content_option
@styles_option
@output_option("Map voor de berichten en het verzendlog (OUTPUT/mail/).")
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
    """Mail iedere deelnemer een bericht (een proefrun, tenzij --send).

    DEELNEMERS.csv heeft de kolommen naam en email (andere kolommen kunnen in het bericht);
    BERICHT.txt heeft kopregels (Subject:, en eventueel From:, Reply-To:, Cc:), een lege
    regel en de tekst, een Jinja2-sjabloon ({{ naam }}); Markdown (een .md-bestand) krijgt
    ook HTML. De proefrun schrijft ieder bericht naar OUTPUT/mail/<mailing>/; --send
    verzendt, en een volgende run verzendt alleen wat nog niet verzonden is.
    """
    from . import mail as mailing
    from .mail.run import dry_run, smtp_settings
    from .mail.run import send as send_run

    for path, what in [
        (recipients, "deelnemerslijst"),
        (message, "bericht"),
        (recipe, "recept"),
        (smtp_cafile, "CA-bestand"),
        *((a, "bijlage") for a in attachments),
    ]:
        _must_exist(path, what)
    settings = (
        smtp_settings(smtp_host, smtp_port, security, smtp_user, smtp_cafile) if send else None
    )
    project = None
    if recipe is not None:
        project = _project(content_dir=content_dir, styles_dir=styles_dir, output_dir=output_dir)
    prepared = mailing.prepare_mailing(
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
    log_file = mailing.log_path(output_dir)
    if settings is None:
        click.echo("\n".join(dry_run(prepared, log_file)))
        return
    bars: list[Any] = []

    def progress(count: int) -> Callable[[Any, Any], None]:
        bar = click.progressbar(length=count, label="Verzenden", file=sys.stderr)
        bar.__enter__()
        bars.append(bar)
        return lambda _message, _state: bar.update(1)

    try:
        outcome = send_run(
            prepared,
            settings,
            log_file,
            rate=rate,
            retries=retries,
            resend_unknown=resend_unknown,
            ask_password=lambda prompt: click.prompt(prompt, hide_input=True, err=True),
            announce=lambda lines: click.echo("\n".join(lines)),
            progress=progress,
        )
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    click.echo("\n".join(outcome.lines))
    if outcome.problem:
        raise mailing.SendError(outcome.problem)
