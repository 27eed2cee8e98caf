"""The command line: declares commands and hands the work to the library.

Imports of the heavy modules happen inside the commands, so ``werkboek --help``
and ``werkboek check`` stay fast.
"""

from __future__ import annotations

import functools
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
    return head.count(":") >= 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="werkboek")
def main() -> None:
    """Print-ready PDFs from the Inspiratiedocument Toekomstscenario kind- en gezinsbescherming."""


@main.command()
@content_option
@click.option("--quiet", "-q", is_flag=True, help="Do not list warnings.")
@reports_errors
def check(content_dir: Path, quiet: bool) -> None:
    """Validate the content; print errors and warnings (exit 1 on errors)."""
    from .loader import load_content

    content = load_content(content_dir)
    warnings = content.warnings()
    if not quiet:
        for warning in warnings:
            click.echo(str(warning))
    exercises = sum(1 for _ in content.exercises())
    stories = sum(1 for _ in content.stories())
    click.echo(
        f"content OK: {len(content.principles)} principles, {exercises} exercises, "
        f"{stories} stories, {len(content.articles)} articles; {len(warnings)} warnings"
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
@click.option(
    "--styles",
    "styles_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("styles"),
    show_default=True,
    help="Folder with the stylesheet and its images.",
)
@click.option(
    "--output",
    "-o",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder to write the PDFs to.",
)
@reports_errors
def build(products: tuple[str, ...], content_dir: Path, styles_dir: Path, output_dir: Path) -> None:
    """Build PDFs: document, or all (the default)."""
    from .products import Project, build_products

    project = Project(content_dir=content_dir, styles_dir=styles_dir, output_dir=output_dir)
    for path in build_products(project, list(products)):
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
@click.option(
    "--styles",
    "styles_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("styles"),
    show_default=True,
)
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
