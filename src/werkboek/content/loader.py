"""Load a content folder into the model, collecting every problem before stopping."""

from __future__ import annotations

from pathlib import Path

from ..errors import ContentError, Problem, did_you_mean
from ..errors import display_path as display
from . import schema
from .checks import DOCUMENT_FILE, PRINCIPLES_DIR, cross_check
from .collection import Content
from .settings import Logo, Settings
from .source import PathPart, YamlFile, load_yaml
from .validation import validate

SETTINGS_FILE = "instellingen.yaml"
ARTICLES_DIR = "artikelen"


def _yaml_files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symbolic link followed, lies below ``root``."""
    return path.resolve().is_relative_to(root.resolve())


def _parse(path: Path, root: Path) -> YamlFile:
    if not path.is_file():
        problem = Problem(display(path), 1, 1, "", "bestand niet gevonden")
        return YamlFile(path=path, display=display(path), problems=[problem])
    if not inside(path, root):
        problem = Problem(
            display(path), 1, 1, "", "verwijst naar een bestand buiten de map met de inhoud"
        )
        return YamlFile(path=path, display=display(path), problems=[problem])
    return load_yaml(path, display(path))


def load_content(root: Path | str = "content") -> Content:
    """Load and validate everything below ``root``.

    Raises :class:`ContentError` with every problem found in every file.
    """
    root = Path(root)
    if not root.is_dir():
        raise ContentError(Problem(display(root), 1, 1, "", "map met de inhoud niet gevonden"))

    settings_file = _parse(root / SETTINGS_FILE, root)
    document_file = _parse(root / DOCUMENT_FILE, root)
    principle_files = {s: _parse(p, root) for s, p in _yaml_files(root / PRINCIPLES_DIR).items()}
    article_files = {s: _parse(p, root) for s, p in _yaml_files(root / ARTICLES_DIR).items()}

    settings = validate(settings_file, Settings)
    document = validate(document_file, schema.Document)
    principles = {s: validate(f, schema.Principle) for s, f in principle_files.items()}
    articles = {s: validate(f, schema.Article) for s, f in article_files.items()}

    files = [settings_file, document_file, *principle_files.values(), *article_files.values()]
    problems = [p for f in files for p in f.problems]
    if document is not None:
        problems += cross_check(
            document_file,
            document,
            principle_files,
            {s: p for s, p in principles.items() if p is not None},
            article_files,
            {s: a for s, a in articles.items() if a is not None},
        )
    if settings is not None and settings.cards.uitgangspunten is not None:
        slug = settings.cards.uitgangspunten.article
        if slug not in article_files:
            problems.append(
                settings_file.problem(
                    ["kaarten", "uitgangspunten", "artikel"],
                    f"geen artikel {slug!r} in {ARTICLES_DIR}/{did_you_mean(slug, article_files)}",
                )
            )
    if settings is not None and settings.organisation is not None:
        problems += _logo_problems(settings_file, settings.organisation.logo, root)
    if problems:
        raise ContentError(*problems)
    assert settings is not None and document is not None
    by_slug = {s: p for s, p in principles.items() if p is not None}
    sources: dict[str, YamlFile] = {"settings": settings_file, "document": document_file}
    sources.update({f"principle:{s}": f for s, f in principle_files.items()})
    sources.update({f"article:{s}": f for s, f in article_files.items()})
    return Content(
        root=root,
        settings=settings,
        document=document,
        principles=[by_slug[slug] for slug in document.principles],
        articles=[a for a in articles.values() if a is not None],
        sources=sources,
    )


def _logo_problems(source: YamlFile, logo: Logo | None, root: Path) -> list[Problem]:
    """A logo is a file below the content folder that a PDF can show."""
    if logo is None:
        return []
    where: list[PathPart] = ["organisatie", "logo", "bestand"]
    path = root / logo.file
    if not inside(path, root):
        return [source.problem(where, f"{logo.file!r} ligt buiten de map met de inhoud")]
    if not path.is_file():
        return [source.problem(where, f"logo {logo.file!r} niet gevonden in {display(root)}")]
    head = path.read_bytes()[:512]
    is_png = head.startswith(b"\x89PNG\r\n\x1a\n")
    is_svg = b"<svg" in head or b"<?xml" in head
    if not (is_png if path.suffix.lower() == ".png" else is_svg):
        kind = "PNG" if path.suffix.lower() == ".png" else "SVG"
        return [source.problem(where, f"{logo.file!r} is geen {kind}-bestand")]
    return []
