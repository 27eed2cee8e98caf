"""Products: the PDFs werkboek makes.

Like Sphinx's builders, every product is a class whose ``name`` is also the
command-line word and the name of its place under ``output/``; the registry
fails loudly on an unknown name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from .cache import BuildCache, fingerprint
from .errors import WerkboekError
from .loader import Content, load_content
from .markup import plain_text
from .slug import did_you_mean

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


def dutch_date(day: dt.date) -> str:
    """``2024-02-01`` → ``1 februari 2024``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass
class Project:
    """Where content, styles and output live, and the loaded content."""

    content_dir: Path = Path("content")
    styles_dir: Path = Path("styles")
    output_dir: Path = Path("output")
    card_size: str = "a5"
    """The exercise cards' format: ``a5`` or ``a6`` (see werkboek.sheet)."""
    _content: Content | None = field(default=None, repr=False)

    @property
    def content(self) -> Content:
        if self._content is None:
            self._content = load_content(self.content_dir)
        return self._content

    @cached_property
    def cache(self) -> BuildCache:
        """Built PDFs by what went into them (content, styles, werkboek, libraries)."""
        return BuildCache(
            self.output_dir / ".cache", fingerprint(self.content_dir, self.styles_dir)
        )

    @property
    def roots(self) -> list[Path]:
        """The folders the renderer may read from."""
        return [self.content_dir, self.styles_dir]

    @property
    def stylesheets(self) -> list[Path]:
        return [self.stylesheet("werkboek.css")]

    def stylesheet(self, name: str) -> Path:
        sheet = self.styles_dir / name
        if not sheet.is_file():
            raise WerkboekError(f"{sheet}: stylesheet not found")
        return sheet


@dataclass(frozen=True)
class Target:
    """One PDF a product makes: where it goes and what goes in it."""

    path: Path
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    key: str = ""
    """What, besides content, styles and werkboek itself, makes this PDF; empty: not cached."""


class Product:
    """A kind of PDF. Subclasses set ``name`` and say which targets they make."""

    name: ClassVar[str]
    description: ClassVar[str]
    extra_stylesheets: ClassVar[tuple[str, ...]] = ()
    """Stylesheets in the styles folder this product adds after werkboek.css."""
    weight: ClassVar[float] = 1.0
    """How long a target takes to render, roughly, relative to the others (for scheduling)."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @property
    def content(self) -> Content:
        return self.project.content

    def targets(self) -> Iterator[Target]:
        raise NotImplementedError

    def metadata(self, title: str) -> dict[str, str]:
        document = self.content.document
        return {
            "title": title,
            "author": plain_text(document.publisher),
            "description": f"{plain_text(document.title)} — {plain_text(document.programme)}",
            "keywords": ", ".join(p.plain_title for p in self.content.principles),
            "date": document.version.isoformat(),
        }

    def html(self, target: Target) -> str:
        from .render import render_html

        content = self.content
        return render_html(
            target.template,
            content=content,
            principles=content.principles,
            meta=self.metadata(target.title),
            version_label=dutch_date(content.document.version),
            body_class=self.name,
            **target.context,
        )

    def layout(self, target: Target, html: str | None = None) -> Any:
        """The laid-out pages of a target (a WeasyPrint ``Document``)."""
        from .render import layout

        return layout(
            self.html(target) if html is None else html,
            base=self.project.styles_dir.resolve(),
            roots=self.project.roots,
            stylesheets=[
                *self.project.stylesheets,
                *map(self.project.stylesheet, self.extra_stylesheets),
            ],
            what=str(target.path),
        )

    def build(self, target: Target) -> Path:
        """Write the target's PDF, from the cache when nothing that goes into it changed."""
        from .render import write_pdf

        cache = self.project.cache
        if target.key and cache.fetch(f"{self.name}:{target.key}", target.path):
            return target.path
        path = write_pdf(self.layout(target), target.path, what=str(target.path))
        if target.key:
            cache.store(f"{self.name}:{target.key}", path)
        return path

    def make(self, target: Target) -> list[Path]:
        """Build a target; return every file written (one layout may give several PDFs)."""
        return [self.build(target)]


class DocumentProduct(Product):
    name = "document"
    description = "the full inspiratiedocument"

    def targets(self) -> Iterator[Target]:
        content = self.content
        linkable = {s.slug for _, s in content.stories()} | {
            s.slug for p in content.principles for s in p.leaders.stories
        }
        title = f"{plain_text(content.document.title)} {plain_text(content.document.programme)}"
        yield Target(
            path=self.project.output_dir / "inspiratiedocument.pdf",
            template="document.html.j2",
            title=title,
            context={"linkable": linkable},
            key="inspiratiedocument",
        )


PRODUCTS: dict[str, type[Product]] = {cls.name: cls for cls in (DocumentProduct,)}


def product_class(name: str) -> type[Product]:
    try:
        return PRODUCTS[name]
    except KeyError:
        raise WerkboekError(
            f"unknown product {name!r}{did_you_mean(name, PRODUCTS)} "
            f"(products: {', '.join(PRODUCTS)}, all)"
        ) from None


def check_products(project: Project) -> int:
    """Like Sphinx's dummy builder: run every product's templates, write nothing.

    Returns the number of targets whose HTML was rendered.
    """
    count = 0
    for cls in PRODUCTS.values():
        product = cls(project)
        for target in product.targets():
            product.html(target)
            count += 1
    return count


def build_products(project: Project, names: list[str]) -> list[Path]:
    """Build the named products (``all`` for every one); return the files written."""
    if not names or names == ["all"]:
        names = list(PRODUCTS)
    classes = [product_class(name) for name in names]
    written: list[Path] = []
    for cls in classes:
        product = cls(project)
        for target in product.targets():
            written.append(product.build(target))
    return written
