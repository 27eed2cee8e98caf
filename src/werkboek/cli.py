"""The command line: declares the commands and hands the work to the library.

Like mkdocs' ``__main__``, this module only declares; the heavy modules are imported
inside the commands, so ``werkboek --help`` stays fast. The conventions every command
follows (Dutch, ``fout:`` lines, exit statuses) are in :mod:`werkboek.console`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .console import DutchChoice, DutchGroup, Number, option, reports_errors, warning
from .errors import Problem, WerkboekError
from .words import plural

if TYPE_CHECKING:
    from .files.replay import Shortcut
    from .products import WorkbookOptions

folder = click.Path(path_type=Path)
input_file = click.Path(path_type=Path)


def _default_folder(name: str, value: Path | None) -> Path:
    """An option's folder, or the default for the working folder (see werkboek.locations);
    a command without a content folder says which programme it uses (_announce)."""
    if value is not None:
        return value
    from .locations import default_folders

    context = click.get_current_context(silent=True)
    given = context is not None and context.get_parameter_source("content_dir") not in (
        None,
        click.core.ParameterSource.DEFAULT,
    )
    folders = default_folders(content_given=given)
    if name == "content_dir" and context is not None:
        context.meta[ANNOUNCEMENT] = folders.announcement
    return getattr(folders, name)  # type: ignore[no-any-return]


ANNOUNCEMENT = "werkboek.announcement"
"""Which programme a command without a content folder uses, said once it loads it."""


def _announce() -> None:
    context = click.get_current_context(silent=True)
    line = context.meta.pop(ANNOUNCEMENT, None) if context is not None else None
    if line is not None:
        click.echo(line, err=True)


def _default_for(name: str) -> Callable[[click.Context, click.Parameter, Path | None], Path]:
    return lambda ctx, param, value: _default_folder(name, value)


content_option = option(
    "--inhoud",
    "content_dir",
    aliases=["--content"],
    type=folder,
    metavar="MAP",
    default=None,
    callback=_default_for("content_dir"),
    is_eager=True,  # before the folders whose default depends on it
    show_default="content/ in deze map, anders het meegeleverde programma",
    help="Map met de inhoud (YAML).",
)
styles_option = option(
    "--stijlen",
    "styles_dir",
    aliases=["--styles"],
    type=folder,
    metavar="MAP",
    default=None,
    callback=_default_for("styles_dir"),
    show_default="styles/ in deze map, anders de meegeleverde",
    help="Map met de stijlbladen en hun afbeeldingen.",
)
recipes_option = option(
    "--recepten",
    "recipes_dir",
    type=folder,
    metavar="MAP",
    default=None,
    callback=_default_for("recipes_dir"),
    show_default="recepten/ in deze map, anders in de gegevensmap van werkboek",
    help="Map met werkboekrecepten.",
)


force_option = option(
    "--overschrijven",
    "force",
    aliases=["--force"],
    is_flag=True,
    help="Ook bestanden vervangen die werkboek niet zelf maakte.",
)


def participants_option(help: str, *, required: bool = False) -> Callable[..., Any]:
    return option(
        "--deelnemers",
        "participants",
        type=input_file,
        metavar="LIJST",
        required=required,
        help=help,
    )


def retention_option(help: str) -> Callable[..., Any]:
    """How long participants' data is kept, the same for `serve` and `opschonen`."""
    return option(
        "--bewaartermijn",
        "retention",
        metavar="DAGEN",
        type=Number(int, 1),
        default=30,
        show_default=True,
        envvar="WERKBOEK_BEWAARTERMIJN",
        show_envvar=True,
        help=help,
    )


def signature_options(command: Any) -> Any:
    """The trainer's signature on the certificates and its description, the same for
    `certificates` and `mail`."""
    command = option(
        "--handtekening-beschrijving",
        "signature_alt",
        metavar="TEKST",
        default="",
        help="Wat de handtekening laat zien, in woorden (voor wie het bewijs laat voorlezen).",
    )(command)
    return option(
        "--handtekening",
        "signature",
        aliases=["--signature"],
        type=input_file,
        metavar="HANDTEKENING.png",
        help="De handtekening van de trainer (PNG of JPEG), op ieder bewijs.",
    )(command)


def output_option(help: str, *, here: bool = False) -> Callable[..., Any]:
    """The output folder; ``here``: always output/ in the working folder (mail, whose output
    belongs with its participant list, whatever programme it uses)."""
    if here:
        return option(
            "--uitvoer",
            "-o",
            "output_dir",
            aliases=["--output"],
            type=folder,
            metavar="MAP",
            default=Path("output"),
            show_default=True,
            help=help,
        )
    return option(
        "--uitvoer",
        "-o",
        "output_dir",
        aliases=["--output"],
        type=folder,
        metavar="MAP",
        default=None,
        callback=_default_for("output_dir"),
        show_default="output/ in deze map, anders in de gegevensmap van werkboek",
        help=help,
    )


def _project(**folders: Any) -> Any:
    from .project import Project

    _announce()
    folders.setdefault("output_dir", _default_folder("output_dir", None))
    return Project(**folders)


def _wrote(paths: list[Path]) -> None:
    for path in paths:
        click.echo(f"geschreven: {path}")


def _must_exist(path: Path | None, what: str) -> None:
    """A missing input file is a problem with the input (exit 1), like any other."""
    if path is not None and not path.is_file():
        from .errors import display_path

        message = f"{what} niet gevonden" if not path.exists() else f"{what}: geen gewoon bestand"
        raise WerkboekError(Problem(display_path(path), 1, 1, "", message))


def smtp_options(host_help: str, *, password_asked: bool) -> Callable[[Any], Any]:
    """The SMTP server's options, the same for `mail` and `serve` (and their environment)."""
    password = (
        "WERKBOEK_SMTP_PASSWORD of wordt gevraagd" if password_asked else "WERKBOEK_SMTP_PASSWORD"
    )
    options = [
        option(
            "--smtp-server",
            "smtp_host",
            aliases=["--smtp-host"],
            metavar="SERVER",
            envvar="WERKBOEK_SMTP_HOST",
            show_envvar=True,
            help=host_help,
        ),
        option(
            "--smtp-poort",
            "smtp_port",
            aliases=["--smtp-port"],
            metavar="POORT",
            type=Number(int, 1, 65535),
            envvar="WERKBOEK_SMTP_PORT",
            show_envvar=True,
            help="SMTP-poort [standaard: 587 starttls, 465 ssl, 25 none].",
        ),
        option(
            "--beveiliging",
            "security",
            aliases=["--security"],
            type=DutchChoice(["starttls", "ssl", "none"]),
            default="starttls",
            show_default=True,
            envvar="WERKBOEK_SMTP_SECURITY",
            show_envvar=True,
            help="Hoe de verbinding met de SMTP-server versleuteld is.",
        ),
        option(
            "--smtp-gebruiker",
            "smtp_user",
            aliases=["--smtp-user"],
            metavar="GEBRUIKER",
            envvar="WERKBOEK_SMTP_USER",
            show_envvar=True,
            help=f"Aanmelden als deze gebruiker; het wachtwoord komt uit {password}.",
        ),
        option(
            "--smtp-ca",
            "smtp_cafile",
            aliases=["--smtp-cafile"],
            metavar="CA.pem",
            type=input_file,
            help="Vertrouw het certificaat van de server als deze CA (PEM) het tekende.",
        ),
    ]

    def decorate(command: Any) -> Any:
        for add in reversed(options):
            command = add(command)
        return command

    return decorate


@click.group(cls=DutchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="werkboek", message="%(prog)s, versie %(version)s", help="Toon de versie en stop."
)
def main() -> None:
    """Drukklare PDF's voor een training: document, hand-outs, kaarten, werkboeken en mail."""


@main.command()
@content_option
@styles_option
@recipes_option
@option(
    "--stil", "-q", "quiet", aliases=["--quiet"], is_flag=True, help="Geen waarschuwingen tonen."
)
@option(
    "--streng",
    "strict",
    is_flag=True,
    help="Waarschuwingen tellen als fouten: exit 1 als er een is.",
)
@reports_errors
def check(
    content_dir: Path, styles_dir: Path, recipes_dir: Path, quiet: bool, strict: bool
) -> None:
    """Controleer de inhoud, de sjablonen, de stijlen en de recepten; schrijf niets."""
    from .build import check_project

    report = check_project(
        _project(content_dir=content_dir, styles_dir=styles_dir, recipes_dir=recipes_dir)
    )
    if strict and report.warnings:
        raise WerkboekError(*report.warnings)
    if not quiet:
        for problem in report.warnings:
            warning(str(problem))
    counts = [
        plural(report.principles, *report.principle_word),
        plural(report.exercises, "oefening", "oefeningen"),
        plural(report.stories, "verhaal", "verhalen"),
        plural(report.articles, "artikel", "artikelen"),
        plural(report.recipes, "recept", "recepten"),
    ]
    warnings = plural(len(report.warnings), "waarschuwing", "waarschuwingen")
    pdfs = plural(report.files, "PDF", "PDF's")
    click.echo(f"inhoud in orde: {', '.join(counts)}; {warnings}; {pdfs} te maken")


@main.command()
@click.argument("target", metavar="MAP", type=folder)
@reports_errors
def init(target: Path) -> None:
    """Begin een eigen programma in een nieuwe of lege MAP: inhoud, een recept en een logo."""
    import shlex

    from .locations import init_programme

    _wrote(init_programme(target))
    click.echo(f"volgende stap: cd {shlex.quote(str(target))} && werkboek check && werkboek build")


@main.command(name="list")
@content_option
@option("--json", "as_json", is_flag=True, help="De catalogus als JSON.")
@reports_errors
def list_(content_dir: Path, as_json: bool) -> None:
    """Toon de slugs die een recept kan noemen."""
    import json

    from .content import load_content
    from .content.catalogue import build_catalogue, format_catalogue

    _announce()
    catalogue = build_catalogue(load_content(content_dir))
    if as_json:
        click.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
    else:
        click.echo(format_catalogue(catalogue))


@main.command()
@click.argument("products", nargs=-1, metavar="[PRODUCTEN]...")
@content_option
@styles_option
@recipes_option
@output_option("Map voor de PDF's.")
@option(
    "--kaartformaat",
    "card_size",
    aliases=["--card-size"],
    type=DutchChoice(["a5", "a6"]),
    default="a5",
    show_default=True,
    help="Oefenkaarten: a5 (148 × 210 mm, één per A4-vel, alle stappen) of a6 (90 × 130 mm, "
    "vier per A4-vel, de stappen kort met een QR-code naar de hele tekst).",
)
@option(
    "--taken",
    "-j",
    "jobs",
    aliases=["--jobs"],
    type=Number(int, 1),
    metavar="N",
    default=None,
    help="Zoveel PDF's tegelijk maken [standaard: één per processorkern].",
)
@option(
    "--drukwerk",
    "print_shop",
    is_flag=True,
    help="Bestanden voor een drukkerij (PDF/X-4, CMYK-profiel, 3 mm afloop, tekst in 100% "
    "zwart) in de map drukwerk/ van de uitvoermap, in plaats van de toegankelijke PDF's "
    "(PDF/UA-1).",
)
@force_option
@reports_errors
def build(
    products: tuple[str, ...],
    content_dir: Path,
    styles_dir: Path,
    recipes_dir: Path,
    output_dir: Path,
    card_size: str,
    jobs: int | None,
    print_shop: bool,
    force: bool,
) -> None:
    """Maak PDF's: document, handouts, cards, workbook (de recepten), of all (standaard).

    attendance en certificates horen bij een recept en een deelnemerslijst: maak ze met
    `werkboek attendance` en `werkboek certificates`.
    """
    from .build import build_products
    from .products import CardOptions

    project = _project(
        content_dir=content_dir,
        styles_dir=styles_dir,
        output_dir=output_dir / "drukwerk" if print_shop else output_dir,
        recipes_dir=recipes_dir,
        print_shop=print_shop,
    )
    options = {"cards": CardOptions(card_size=card_size)}  # type: ignore[arg-type]
    _wrote(build_products(project, list(products), options, jobs=jobs, force=force))
    for name in products:
        if name in ("attendance", "certificates"):
            click.echo(
                f"niets gemaakt: {name} hoort bij een recept en een deelnemerslijst "
                f"(werkboek {name} RECEPT.yaml --deelnemers LIJST.csv)"
            )


@main.command()
@click.argument("recipe", metavar="RECEPT.yaml", type=input_file)
@option(
    "-o",
    "--uitvoer",
    "output",
    aliases=["--output"],
    metavar="PAD",
    help="De PDF om te schrijven, of een map (eindigt op /) om hem in te zetten; "
    "met --voor/--deelnemers: de map voor de exemplaren.",
)
@option(
    "--editie",
    "edition",
    type=DutchChoice(["deelnemer", "trainer"]),
    help="Een andere editie dan het recept noemt.",
)
@option(
    "--voor", "names", metavar="NAAM", multiple=True, help="Een eigen exemplaar voor deze naam."
)
@participants_option(
    "Een deelnemerslijst (CSV of .xlsx met een kolom 'naam'): een exemplaar per persoon."
)
@option(
    "--boekje",
    "booklet",
    aliases=["--booklet"],
    is_flag=True,
    help="Ook op A5 (<naam>-a5.pdf) en als boekje om te drukken (<naam>-boekje.pdf): "
    "A4 liggend, dubbelzijdig omslaan langs de korte kant, vouwen en nieten.",
)
@content_option
@styles_option
@force_option
@reports_errors
def workbook(
    recipe: Path,
    output: str | None,
    edition: str | None,
    names: tuple[str, ...],
    participants: Path | None,
    booklet: bool,
    content_dir: Path,
    styles_dir: Path,
    force: bool,
) -> None:
    """Maak een werkboek naar een recept (zie recepten/ en `werkboek list`)."""
    _must_exist(recipe, "recept")
    _must_exist(participants, "deelnemerslijst")
    shortcut = None
    if not names and participants is None:  # (a warm build: done again from the cache)
        shortcut = _shortcut(recipe, output, edition, booklet, content_dir, styles_dir)
        if _replayed(shortcut, force):
            return
    from .build import build_products
    from .files.replay import file_states
    from .participants.lists import at_most, people_from_names, read_people, split_printable
    from .products import workbook_options
    from .recipes import load_recipe

    people = people_from_names(names, printable=False)
    if participants is not None:
        people = at_most(people + read_people(participants, printable=False), "--deelnemers")
    people, refused = split_printable(people)
    project = _project(content_dir=content_dir, styles_dir=styles_dir)
    loaded = load_recipe(recipe, project.content)
    own = file_states(loaded.files) if shortcut else None  # (as the recipe read them)
    for problem in loaded.warnings:  # (it prints, but not well: made all the same)
        warning(str(problem))
    options = workbook_options(
        loaded,
        Path(output) if output else None,
        edition=edition,
        names=[p.name for p in people],
        folder=output is not None and output.endswith(("/", os.sep)),
        booklet=booklet,
    )
    inputs = [recipe, *([participants] if participants else [])]
    if people or not refused:
        built = build_products(
            project, ["workbook"], {"workbook": options}, force=force, inputs=inputs
        )
        _wrote(built)
        if shortcut is not None:
            _remember(shortcut, project, options, own, [*project.inputs, *inputs], built)
    _left_out(refused)


def _shortcut(
    recipe: Path,
    output: str | None,
    edition: str | None,
    booklet: bool,
    content_dir: Path,
    styles_dir: Path,
) -> Shortcut:
    """The record of a workbook built with these options (:mod:`werkboek.files.replay`):
    every option that shapes what is written where is in its key."""
    from .files.replay import Shortcut

    output_dir = _default_folder("output_dir", None)  # (the project's: its cache folder)
    is_folder = output is not None and Path(output).is_dir()
    options = ("workbook", str(output_dir), output, is_folder, edition, booklet)
    if output is None:
        place = output_dir / "werkboeken"  # (WorkbookProduct.folder)
    elif is_folder or output.endswith(("/", os.sep)):
        place = Path(output)
    else:
        place = Path(output).parent
    return Shortcut(output_dir / ".cache", recipe, [content_dir, styles_dir], options, place)


def _replayed(shortcut: Shortcut, force: bool) -> bool:
    """Do a recorded workbook build again: the same files and lines. ``False`` when there
    is none, or a file stands in the way (the normal build says which)."""
    from .files.atomic import write_atomically
    from .files.outputs import output_problems, same_bytes

    done = shortcut.replay()
    if done is None:
        return False
    files = dict(done.files)
    if output_problems(files, inputs=done.inputs, force=force, expected=files):
        return False
    _announce()
    for line in done.warnings:
        warning(line)
    for path, data in done.files:
        if not same_bytes(path, data):  # (werkboek's already: nothing to write)
            write_atomically(path, data)
    _wrote([path for path, _ in done.files])
    return True


def _remember(
    shortcut: Shortcut,
    project: Any,
    options: WorkbookOptions,
    own: list[list[str]] | None,
    inputs: list[Path],
    built: list[Path],
) -> None:
    """Record a workbook build (each file and the cache entry it is) for :func:`_replayed`."""
    from .products import WorkbookProduct

    product = WorkbookProduct(project, options)
    files = [
        (path, entry)
        for target in product.targets()
        for path, entry in zip(target.files, product.entries(target), strict=False)
    ]
    if options.recipe is not None and [path for path, _ in files] == built:
        warnings = [str(problem) for problem in options.recipe.warnings]
        shortcut.record(own, [*inputs, *product.inputs()], files, warnings)


def _left_out(refused: list[Problem]) -> None:
    """The people nothing was made for (the others' files are written): exit 1."""
    if refused:
        from .errors import ListError

        raise ListError(*refused)


def _training_day(
    recipe: Path,
    participants: Path,
    content_dir: Path,
    styles_dir: Path,
    extra: Path | None = None,
) -> tuple[Any, Any, tuple[Any, ...], list[Problem]]:
    """The project, the recipe and the people of `attendance` and `certificates` (whose
    names can be printed), and a problem for each other person."""
    from .participants.lists import read_people, split_printable
    from .recipes import load_recipe

    _must_exist(recipe, "recept")
    _must_exist(participants, "deelnemerslijst")
    _must_exist(extra, "handtekening")
    people, refused = split_printable(read_people(participants, printable=False))
    project = _project(content_dir=content_dir, styles_dir=styles_dir)
    return project, load_recipe(recipe, project.content), tuple(people), refused


@main.command()
@click.argument("recipe", metavar="RECEPT.yaml", type=input_file)
@participants_option(
    "De deelnemerslijst (CSV of .xlsx met een kolom 'naam'; 'organisatie' komt er ook op).",
    required=True,
)
@option(
    "-o", "--uitvoer", "output", aliases=["--output"], metavar="PAD", help="De PDF om te schrijven."
)
@content_option
@styles_option
@force_option
@reports_errors
def attendance(
    recipe: Path,
    participants: Path,
    output: str | None,
    content_dir: Path,
    styles_dir: Path,
    force: bool,
) -> None:
    """Maak de presentielijst van een trainingsdag (met een handtekening per dagdeel)."""
    from .build import build_products
    from .products import AttendanceOptions

    project, loaded, people, refused = _training_day(recipe, participants, content_dir, styles_dir)
    options = {"attendance": AttendanceOptions(loaded, people, Path(output) if output else None)}
    inputs = [recipe, participants]
    if people:
        _wrote(build_products(project, ["attendance"], options, force=force, inputs=inputs))
    _left_out(refused)


def _signature_alt(text: str) -> str:
    """The signature's description as given (none: the certificate's own words), checked."""
    from .products.training_day import signature_alt_problem

    wrong = signature_alt_problem(text) if text else None
    if wrong:
        raise WerkboekError(Problem("", 0, 0, "--handtekening-beschrijving", wrong))
    return text


@main.command()
@click.argument("recipe", metavar="RECEPT.yaml", type=input_file)
@participants_option(
    "De deelnemerslijst (CSV of .xlsx met een kolom 'naam'): een bewijs per persoon.", required=True
)
@signature_options
@option(
    "-o",
    "--uitvoer",
    "output",
    aliases=["--output"],
    metavar="MAP",
    help="De map voor de bewijzen.",
)
@content_option
@styles_option
@force_option
@reports_errors
def certificates(
    recipe: Path,
    participants: Path,
    signature: Path | None,
    signature_alt: str,
    output: str | None,
    content_dir: Path,
    styles_dir: Path,
    force: bool,
) -> None:
    """Maak een bewijs van deelname per deelnemer (datum, plaats, uren, wat er aan bod kwam)."""
    from .build import build_products
    from .products import CertificateOptions

    project, loaded, people, refused = _training_day(
        recipe, participants, content_dir, styles_dir, signature
    )
    output_dir = Path(output) if output else None
    alt = _signature_alt(signature_alt)
    options = {"certificates": CertificateOptions(loaded, people, output_dir, signature, alt)}
    inputs = [recipe, participants, *([signature] if signature else [])]
    if people:
        _wrote(build_products(project, ["certificates"], options, force=force, inputs=inputs))
    _left_out(refused)


def _mail_size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from .mail import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("recipients", metavar="DEELNEMERS.csv", type=input_file)
@click.argument("message", metavar="BERICHT.txt", type=input_file)
@option(
    "--bijlage",
    "attachments",
    aliases=["--attach"],
    multiple=True,
    type=input_file,
    metavar="BESTAND",
    help="Meesturen met ieder bericht.",
)
@option(
    "--werkboek",
    "recipe",
    aliases=["--workbook"],
    type=input_file,
    metavar="RECEPT.yaml",
    help="Ieder zijn eigen werkboek meesturen, gemaakt naar dit recept.",
)
@option(
    "--bewijs",
    "certificate",
    aliases=["--certificate"],
    type=input_file,
    metavar="RECEPT.yaml",
    help="Ieder zijn eigen bewijs van deelname meesturen, gemaakt naar dit recept.",
)
@signature_options
@option(
    "--verzenden",
    "send",
    aliases=["--send"],
    is_flag=True,
    help="Verzend de berichten. Zonder: een proefrun.",
)
@option(
    "--afzender",
    "sender",
    aliases=["--from"],
    metavar="ADRES",
    help="De afzender, als het bericht geen From: heeft.",
)
@option(
    "--mailing",
    "mailing_name",
    metavar="NAAM",
    help="Naam van de mailing (standaard: afgeleid van bericht en lijst).",
)
@option(
    "--max-grootte",
    "max_size",
    aliases=["--max-size"],
    metavar="GROOTTE",
    default="10MB",
    show_default=True,
    callback=_mail_size,
    help="Grootste bericht, met bijlagen.",
)
@smtp_options("De SMTP-server.", password_asked=True)
@option(
    "--tempo",
    "rate",
    aliases=["--rate"],
    metavar="N",
    type=Number(float, 0),
    default=30,
    show_default=True,
    help="Hoogstens zoveel berichten per minuut (0: geen grens).",
)
@option(
    "--pogingen",
    "retries",
    aliases=["--retries"],
    metavar="N",
    type=Number(int, 0),
    default=3,
    show_default=True,
    help="Na een tijdelijke fout opnieuw proberen, na 5, 10, 20 … seconden.",
)
@option(
    "--onzeker-opnieuw",
    "resend_unknown",
    aliases=["--resend-unknown"],
    is_flag=True,
    help="Ook de berichten opnieuw sturen die misschien aankwamen "
    "(de verbinding brak na het verzenden).",
)
@option(
    "--opnieuw-naar-ontvangers",
    "resend_to_earlier",
    is_flag=True,
    help="Ook verzenden aan wie al een ander bericht van jou kreeg (een eerdere mailing); "
    "zonder deze keuze noemt werkboek hen en verzendt niets.",
)
@content_option
@styles_option
@output_option("Map voor de berichten van de proefrun (MAP/mail/).", here=True)
@reports_errors
def mail(
    recipients: Path,
    message: Path,
    attachments: tuple[Path, ...],
    recipe: Path | None,
    certificate: Path | None,
    signature: Path | None,
    signature_alt: str,
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
    resend_to_earlier: bool,
    content_dir: Path,
    styles_dir: Path,
    output_dir: Path,
) -> None:
    """Mail iedere deelnemer een bericht (een proefrun, tenzij --verzenden).

    DEELNEMERS.csv heeft de kolommen naam en email (andere kolommen kunnen in het bericht);
    BERICHT.txt heeft kopregels (Subject:, en eventueel From:, Reply-To:, Cc:), een lege
    regel en de tekst, een Jinja2-sjabloon ({{ naam }}); Markdown (een .md-bestand) krijgt
    ook HTML. De proefrun schrijft ieder bericht naar UITVOER/mail/<mailing>/; --verzenden
    verzendt, en een volgende run verzendt alleen wat nog niet verzonden is.
    """
    from . import mail as mailing
    from .mail.run import dry_run, smtp_settings
    from .mail.run import send as send_run

    for path, what in [
        (recipients, "deelnemerslijst"),
        (message, "bericht"),
        (recipe, "recept"),
        (certificate, "recept"),
        (signature, "handtekening"),
        (smtp_cafile, "CA-bestand"),
        *((a, "bijlage") for a in attachments),
    ]:
        _must_exist(path, what)
    if send and not smtp_host:
        raise mailing.SendError(
            Problem(path="--smtp-server", message="--verzenden heeft een server nodig")
        )
    with _mail_hints():
        settings = (
            smtp_settings(smtp_host, smtp_port, security, smtp_user, smtp_cafile) if send else None
        )
    project = None
    if recipe is not None or certificate is not None:
        project = _project(content_dir=content_dir, styles_dir=styles_dir, output_dir=output_dir)
    with _mail_hints():
        prepared = mailing.prepare_mailing(
            recipients,
            message,
            output_dir=output_dir,
            attachments=attachments,
            workbook=recipe,
            certificate=certificate,
            signature=signature,
            signature_alt=_signature_alt(signature_alt),
            project=project,
            sender=sender,
            name=mailing_name,
            max_size=max_size,
            stage=True,
        )
    if settings is None:
        with _mail_hints():
            lines = dry_run(prepared, output_dir)
        click.echo("\n".join([*lines, "Verzenden: dezelfde opdracht met --verzenden."]))
        return
    bars: list[Any] = []

    def progress(count: int) -> Callable[[Any, Any], None]:
        bar = click.progressbar(length=count, label="Verzenden", file=sys.stderr)
        bar.__enter__()
        bars.append(bar)
        return lambda _message, _state: bar.update(1)

    try:
        with _mail_hints():
            outcome = send_run(
                prepared,
                settings,
                output_dir=output_dir,
                rate=rate,
                retries=retries,
                resend_unknown=resend_unknown,
                resend_to_earlier=resend_to_earlier,
                ask_password=lambda prompt: click.prompt(prompt, hide_input=True, err=True),
                announce=lambda lines: click.echo("\n".join(lines)),
                progress=progress,
            )
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    click.echo("\n".join(outcome.lines))
    if outcome.report.unknown:
        click.echo("  Opnieuw verzenden: dezelfde opdracht met --onzeker-opnieuw.")
    if outcome.problem:
        raise mailing.SendError(outcome.problem)


@contextlib.contextmanager
def _mail_hints() -> Iterator[None]:
    """The library's problems with the option that changes them (the library never names
    an option: the web app shows the same problems)."""
    from .mail.errors import CAFILE, SECURITY, SENDER, SIZE, AlreadyReached, MailError, SendError

    try:
        yield
    except AlreadyReached as exc:
        hint = Problem(message="wie het toch moet krijgen: geef --opnieuw-naar-ontvangers")
        raise AlreadyReached(*exc.problems, hint) from None
    except MailError as exc:
        options = {
            SIZE: "--max-grootte",
            SENDER: "--afzender",
            SECURITY: "--beveiliging",
            CAFILE: "--smtp-ca",
        }

        def hinted(problem: Problem) -> Problem:
            option = options.get(problem.path)
            if option is None:
                return problem
            return replace(problem, message=f"{problem.message} ({option})")

        kind = SendError if isinstance(exc, SendError) else MailError
        raise kind(*(hinted(p) for p in exc.problems)) from None


@main.command()
@option(
    "--adres",
    "host",
    aliases=["--host"],
    default="127.0.0.1",
    show_default=True,
    help="Het adres om op te luisteren.",
)
@option(
    "--poort",
    "port",
    aliases=["--port"],
    type=Number(int, 1, 65535),
    default=8000,
    show_default=True,
    help="De poort.",
)
@content_option
@styles_option
@recipes_option
@output_option("Map voor de PDF's en de gegevens van de app (MAP/.web/).")
@smtp_options("De SMTP-server voor het mailen (zonder: alleen proefruns).", password_asked=False)
@option(
    "--afzender",
    "sender",
    aliases=["--from"],
    metavar="ADRES",
    envvar="WERKBOEK_MAIL_FROM",
    show_envvar=True,
    help="De standaardafzender van een mailing.",
)
@option(
    "--inloggen",
    "login",
    type=DutchChoice(["token", "accounts", "sso"]),
    default="token",
    show_default=True,
    envvar="WERKBOEK_INLOGGEN",
    show_envvar=True,
    help="token: één toegangstoken (WERKBOEK_TOKEN) of niemand op een laptop; accounts: de "
    "eigen accounts (werkboek gebruikers); sso: de single sign-on van de organisatie, via de "
    "reverse proxy.",
)
@option(
    "--gebruikerskop",
    "user_header",
    metavar="KOP",
    default="Remote-User",
    show_default=True,
    envvar="WERKBOEK_GEBRUIKERSKOP",
    show_envvar=True,
    help="Met sso: de HTTP-kop waarin de proxy de gebruiker noemt.",
)
@option(
    "--beheerdersgroep",
    "admin_group",
    metavar="GROEP",
    envvar="WERKBOEK_BEHEERDERSGROEP",
    show_envvar=True,
    help="Met sso: de groep van de organisatie waarvan de leden beheerder zijn (de anderen "
    "trainer), uit de groepenkop van de proxy. Zonder: de rollen van werkboek gebruikers.",
)
@option(
    "--groepenkop",
    "groups_header",
    metavar="KOP",
    default="Remote-Groups",
    show_default=True,
    envvar="WERKBOEK_GROEPENKOP",
    show_envvar=True,
    help="Met sso en --beheerdersgroep: de HTTP-kop waarin de proxy de groepen van de "
    "gebruiker noemt, met komma's gescheiden (oauth2-proxy: X-Forwarded-Groups).",
)
@option(
    "--vertrouwde-proxy",
    "trusted_proxies",
    metavar="ADRES",
    multiple=True,
    envvar="WERKBOEK_VERTROUWDE_PROXY",
    show_envvar=True,
    help="Het adres (of netwerk) van de reverse proxy ervoor: zijn X-Forwarded-For en -Proto "
    "tellen, en met sso zijn gebruikerskop; herhaal voor meer. Van elders worden die koppen "
    "genegeerd.",
)
@option(
    "--subpad",
    "root_path",
    metavar="PAD",
    default="",
    envvar="WERKBOEK_SUBPAD",
    show_envvar=True,
    help="Het pad waaronder de reverse proxy werkboek aanbiedt (bijvoorbeeld /werkboek).",
)
@retention_option(
    "Gegevens van deelnemers (lijsten, berichten, eigen exemplaren) die langer dan "
    "zoveel dagen niet gewijzigd zijn, wist de server elke dag."
)
@option(
    "--processen",
    "processes",
    aliases=["--workers"],
    type=Number(int, 1, 64),
    metavar="N",
    default=1,
    show_default=True,
    envvar="WERKBOEK_PROCESSEN",
    show_envvar=True,
    help="Zoveel processen beantwoorden de verzoeken (samen één PDF tegelijk per processorkern).",
)
@reports_errors
def serve(
    host: str,
    port: int,
    content_dir: Path,
    styles_dir: Path,
    recipes_dir: Path,
    output_dir: Path,
    smtp_host: str | None,
    smtp_port: int | None,
    security: str,
    smtp_user: str | None,
    smtp_cafile: Path | None,
    sender: str | None,
    login: str,
    user_header: str,
    admin_group: str | None,
    groups_header: str,
    trusted_proxies: tuple[str, ...],
    root_path: str,
    retention: int,
    processes: int,
) -> None:
    """Start de app in de browser: samenstellen, bekijken, downloaden en mailen.

    Luistert op 127.0.0.1; een ander adres kan alleen met een toegangstoken in
    WERKBOEK_TOKEN (minstens 16 tekens), en dan moet iedereen inloggen.
    """
    from .mail.run import smtp_settings
    from .web.config import ServerConfig
    from .web.serve import serve as run

    _must_exist(smtp_cafile, "CA-bestand")
    with _mail_hints():
        smtp = (
            smtp_settings(smtp_host, smtp_port, security, smtp_user, smtp_cafile)
            if smtp_host
            else None
        )
    config = ServerConfig.from_environment(
        host,
        port,
        smtp=smtp,
        sender=sender,
        login=login,
        user_header=user_header,
        trusted_proxies=trusted_proxies,
        root_path=root_path,
        retention_days=retention,
        admin_group=admin_group,
        groups_header=groups_header,
        processes=processes,
    )
    project = _project(
        content_dir=content_dir,
        styles_dir=styles_dir,
        output_dir=output_dir,
        recipes_dir=recipes_dir,
    )
    recipes_dir.mkdir(parents=True, exist_ok=True)
    run(project, config)


database_option = option(
    "--database",
    "database",
    type=folder,
    metavar="PAD",
    envvar="WERKBOEK_DATABASE",
    show_envvar=True,
    default=Path("output") / ".web" / "werkboek.sqlite",
    show_default=True,
    help="Het databasebestand van de server (accounts en hun gegevens).",
)


@main.group(cls=DutchGroup)
def gebruikers() -> None:
    """Beheer de accounts van de server: trainers en beheerders."""


@gebruikers.command(name="toevoegen")
@click.argument("name", metavar="NAAM")
@option(
    "--rol",
    "role",
    aliases=["--role"],
    type=DutchChoice(["trainer", "beheerder"]),
    default="trainer",
    show_default=True,
    help="Een beheerder beheert ook de gedeelde recepten en de accounts.",
)
@option(
    "--wachtwoord-uit-invoer",
    "from_stdin",
    is_flag=True,
    help="Lees het wachtwoord van de standaardinvoer (voor scripts) in plaats van het te vragen.",
)
@option(
    "--zonder-wachtwoord",
    "no_password",
    is_flag=True,
    help="Alleen aanmelden via de single sign-on van de organisatie.",
)
@database_option
@reports_errors
def add_user(name: str, role: str, from_stdin: bool, no_password: bool, database: Path) -> None:
    """Voeg een account toe (het wachtwoord wordt gevraagd)."""
    from .store.accounts import Accounts, normal_name

    normal_name(name)  # a bad name is said before a password is asked
    password: str | None = None
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not no_password:
        password = click.prompt(
            "Wachtwoord", hide_input=True, confirmation_prompt="Nog eens", err=True
        )
    account = Accounts(database).add(name, password, role)
    click.echo(f"toegevoegd: {account.name} ({account.role})")


@gebruikers.command(name="rol")
@click.argument("name", metavar="NAAM")
@click.argument("role", metavar="ROL", type=DutchChoice(["trainer", "beheerder"]))
@database_option
@reports_errors
def set_role(name: str, role: str, database: Path) -> None:
    """Geef een account een andere rol: trainer of beheerder.

    Met sso en --beheerdersgroep bepaalt de groep van de gebruiker de rol, bij elke aanmelding.
    """
    from .store.accounts import Accounts

    account = Accounts(database).set_role(name, role)
    click.echo(f"gewijzigd: {account.name} ({account.role})")


@gebruikers.command(name="verwijderen")
@click.argument("name", metavar="NAAM")
@database_option
@reports_errors
def remove_user(name: str, database: Path) -> None:
    """Verwijder een account, met zijn sessies, API-sleutels en alles in zijn eigen ruimte:
    eigen recepten, werkboek in wording, deelnemerslijst, mailgegevens en taken."""
    from .retention import erase_space
    from .store.accounts import Accounts

    account, jobs = Accounts(database).remove(name)
    erase_space(database.parent, account.space, jobs)  # (the server's .web folder)
    click.echo(f"verwijderd: {account.name}")


@gebruikers.command(name="lijst")
@database_option
@reports_errors
def list_users(database: Path) -> None:
    """Toon de accounts."""
    from .store.accounts import Accounts

    accounts = Accounts(database).all()
    if not accounts:
        click.echo("nog geen accounts")
    for account in accounts:
        how = "wachtwoord" if account.has_password else "single sign-on"
        click.echo(f"{account.name}\t{account.role}\t{how}")


@main.command()
@click.argument("target", metavar="KOPIE.sqlite", type=folder)
@database_option
@reports_errors
def backup(target: Path, database: Path) -> None:
    """Maak een consistente kopie van de database, ook terwijl de server draait."""
    from .store.database import backup as copy

    click.echo(f"geschreven: {copy(database, target)}")


@main.command()
@retention_option("Wis gegevens van deelnemers die langer dan zoveel dagen niet gewijzigd zijn.")
@output_option("De uitvoermap waarin de gegevens van deelnemers staan.")
@reports_errors
def opschonen(retention: int, output_dir: Path) -> None:
    """Wis gegevens van deelnemers die ouder zijn dan de bewaartermijn.

    Deelnemerslijsten, berichten en proefruns van mailings, opgestelde berichten en eigen
    exemplaren en bewijzen in de uitvoermap. Het verzendlog houdt alleen wat nodig is om
    niemand een bericht twee keer te sturen (geen adressen).
    """
    from .retention import erase_expired

    for line in erase_expired(output_dir, retention).lines():
        click.echo(line)
