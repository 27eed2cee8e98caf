"""Products: the PDFs werkboek makes.

Like Sphinx's builders, every product is a class whose ``name`` is also the
command-line word and the name of its place under ``output/``; the registry
fails loudly on an unknown name.
"""

from __future__ import annotations

import datetime as dt
import os
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

    def cost(self, target: Target) -> float:
        """Roughly how long ``target`` takes to render, in seconds (to start the slowest first)."""
        return 1.0

    def outputs(self, target: Target) -> list[Path]:
        """The files ``make(target)`` writes."""
        return [target.path]

    def make(self, target: Target) -> list[Path]:
        """Build a target; return every file written (one layout may give several PDFs)."""
        return [self.build(target)]


class DocumentProduct(Product):
    name = "document"
    description = "the full inspiratiedocument"

    def cost(self, target: Target) -> float:
        return 8.0

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


# The other products subclass Product, so they are imported once it exists.
from .cards import CardsProduct  # noqa: E402
from .handouts import HandoutsProduct  # noqa: E402

PRODUCTS: dict[str, type[Product]] = {
    cls.name: cls for cls in (DocumentProduct, HandoutsProduct, CardsProduct)
}


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

    Returns the number of PDFs a build would write.
    """
    count = 0
    for cls in PRODUCTS.values():
        product = cls(project)
        for target in product.targets():
            product.html(target)
            count += len(product.outputs(target))
    return count


def build_products(project: Project, names: list[str], jobs: int | None = None) -> list[Path]:
    """Build the named products (``all`` for every one); return the files written.

    The targets are independent, so several are rendered at once in worker
    processes, one per core (or ``jobs``), the slowest first. The files are
    returned in the products' order, whichever finishes first; the first failure
    (in that order) is raised as it is, so the CLI prints it as one line.
    """
    if not names or names == ["all"]:
        names = list(PRODUCTS)
    classes = [product_class(name) for name in names]
    project.content  # noqa: B018 - load and check the content once, before any worker starts
    products = [cls(project) for cls in classes]
    work = [(product, target) for product in products for target in product.targets()]
    workers = min(len(work), jobs or _cores())
    if workers <= 1:
        return [path for product, target in work for path in product.make(target)]
    return [path for paths in _make_in_parallel(project, work, workers) for path in paths]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_worker_project: Project | None = None


def _start_worker(project: Project) -> None:
    global _worker_project
    _worker_project = project


def _make_in_worker(cls: type[Product], target: Target) -> list[Path]:
    assert _worker_project is not None
    return cls(_worker_project).make(target)


def _make_in_parallel(
    project: Project, work: list[tuple[Product, Target]], workers: int
) -> list[list[Path]]:
    import multiprocessing
    import threading
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    # fork: the workers start with the content loaded and WeasyPrint imported. Forking a
    # process that runs other threads is unsafe: then spawn, and the project is pickled.
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if fork else "spawn")
    slowest_first = sorted(range(len(work)), key=lambda i: -work[i][0].cost(work[i][1]))
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(project,)
    ) as pool:
        futures = {}
        for i in slowest_first:
            product, target = work[i]
            futures[i] = pool.submit(_make_in_worker, type(product), target)
        done, _ = wait(futures.values(), return_when=FIRST_EXCEPTION)
        failed = [i for i in range(len(work)) if futures[i] in done and futures[i].exception()]
        if failed:
            for future in futures.values():
                future.cancel()
            raise futures[failed[0]].exception()  # type: ignore[misc]
        return [futures[i].result() for i in range(len(work))]
