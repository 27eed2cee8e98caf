"""The product contract: what every kind of PDF werkboek makes has in common.

Like Sphinx's builders, a product is a class whose ``name`` is the command-line word and
the key in the registry; it declares the folder under ``output/`` that all its files go
to, and its typed options. A product says which *targets* it makes (a target is one
layout: one PDF, or for the cards several PDFs that are page ranges of one layout) and
how a target becomes PDF bytes; the base class owns everything around that:

* the build cache: a target whose inputs did not change comes from the cache, verified;
* batches: targets rendered together (the personal copies of a workbook share one
  render), which are also the units the scheduler hands to worker processes;
* writing: every file through a temporary file and a rename.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..content import Content
from ..content.markup import plain_text
from ..errors import Problem
from ..files.atomic import write_atomically
from ..pdf import BLEED_MM
from ..pdf.boxes import Place
from ..pdf.boxes import places as block_places
from ..project import Project
from ..words import dutch_date

if TYPE_CHECKING:
    from ..pdf.names import NameGraft


@dataclass(frozen=True)
class ProductOptions:
    """A product's options; products with options subclass this (frozen, picklable)."""


@dataclass(frozen=True)
class Target:
    """One layout a product makes: the files it gives and what goes into it."""

    path: Path
    """The main file."""
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    key: str = ""
    """What, besides content, styles and werkboek itself, makes this target; empty: no cache."""
    also: tuple[Path, ...] = ()
    """More files from the same layout, written before the main file."""

    @property
    def files(self) -> tuple[Path, ...]:
        return (*self.also, self.path)


class Product:
    """A kind of PDF. Subclasses set ``name``, ``folder`` and ``description`` and say which
    targets they make; ``Options`` when they have options."""

    name: ClassVar[str]
    folder: ClassVar[str]
    """The folder below the output folder that every file of this product goes to."""
    description: ClassVar[str]
    """What it makes, in Dutch, for ``--help`` and the web app."""
    Options: ClassVar[type[ProductOptions]] = ProductOptions
    stylesheets: ClassVar[tuple[str, ...]] = ("werkboek.css",)
    """The stylesheets of the styles folder this product uses, in order."""
    print_stylesheets: ClassVar[tuple[str, ...]] = ("drukwerk.css",)
    """Laid over them in the print shop's files (bleed, what prints in the bleed)."""

    def __init__(self, project: Project, options: ProductOptions | None = None) -> None:
        self.project = project
        self.options = options if options is not None else self.Options()
        if not isinstance(self.options, self.Options):
            raise TypeError(f"{self.name}: expected {self.Options.__name__}, not {self.options}")

    @property
    def content(self) -> Content:
        return self.project.content

    @property
    def output_folder(self) -> Path:
        return self.project.output_dir / self.folder

    # ------------------------------------------------------------ what a product says

    def targets(self) -> Iterator[Target]:
        raise NotImplementedError

    def inputs(self) -> list[Path]:
        """The files this product reads besides the content and styles (a recipe, its own
        pages and images): never an output of the run that builds it."""
        return []

    def batches(self) -> list[list[Target]]:
        """Targets that are rendered together; by default each on its own."""
        return [[target] for target in self.targets()]

    def cost(self, target: Target) -> float:
        """Roughly how long ``target`` takes to render, in seconds (the slowest go first)."""
        return 1.0

    def context(self, target: Target) -> dict[str, Any]:
        """What the template of ``target`` gets."""
        content = self.content
        return {
            "content": content,
            "principles": content.principles,
            "meta": self.metadata(target.title),
            "lang": content.settings.language,
            "version_label": dutch_date(content.document.version),
            "body_class": self.name,
            "page_format": "a4",
            # the print shop's files: colour that reaches the trim goes this far beyond it
            "bleed": BLEED_MM if self.project.print_shop else 0,
            **target.context,
        }

    def metadata(self, title: str) -> dict[str, str]:
        document = self.content.document
        return {
            "title": title,
            "author": plain_text(self.content.organisation.name),
            "description": f"{plain_text(document.title)} — {plain_text(document.programme)}",
            "keywords": ", ".join(p.plain_title for p in self.content.principles),
            "date": document.version.isoformat(),
        }

    def html(self, target: Target) -> str:
        return self.project.renderer.html(target.template, **self.context(target))

    def styles(self, target: Target) -> tuple[str, ...]:
        """The stylesheets a target is laid out with (the product's, unless it says more)."""
        return self.stylesheets

    def layout(self, target: Target, html: str | None = None) -> Any:
        """The laid-out pages of a target (a WeasyPrint ``Document``)."""
        styles = self.styles(target)
        if self.project.print_shop:
            styles = (*styles, *self.print_stylesheets)
        return self.project.renderer.layout(
            self.html(target) if html is None else html,
            styles,
            what=str(target.path),
        )

    def name_graft(
        self, together: Target, css_class: str, names: int
    ) -> tuple[NameGraft, Place, list[Place]] | None:
        """``together`` laid out: a whole first page with the placeholder's name, then
        ``names`` names alone (blocks of ``css_class``) on pages of their own; the
        :class:`~werkboek.pdf.names.NameGraft` that puts each into that first page, where
        the placeholder's name stands and where each name does. ``None`` when they cannot be
        grafted (the print shop's files, a name split over pages, a first page that ran
        over, a first page with no name to find): the caller lays each out whole."""
        renderer = self.project.renderer
        document = self.layout(together)
        places = block_places(document.pages, css_class)
        if (
            renderer.print_shop
            or places is None
            or len(places) != 1 + names
            or places[0][0] != 0
            or (names and places[1][0] != 1)
        ):
            return None
        from ..pdf.names import NameGraft, NotGraftable

        what = str(together.path)
        base = renderer.pdf(document.copy(document.pages[:1]), what=what)
        drawn = renderer.draft(document.copy(document.pages[1:]), what=what)
        try:
            return NameGraft(base, drawn, places[0][1]), places[0], places[1:]
        except NotGraftable:
            return None

    def render(self, batch: Sequence[Target]) -> list[list[bytes]]:
        """The PDF bytes of every file of every target in ``batch``."""
        return [self.render_target(target) for target in batch]

    def render_target(self, target: Target) -> list[bytes]:
        return [self.project.renderer.pdf(self.layout(target), what=str(target.path))]

    # ------------------------------------------------------------ what the base class does

    def check(self) -> int:
        """Run every target's template, write nothing (Sphinx's dummy builder); the count
        of files a build would write."""
        count = 0
        for target in self.targets():
            self.html(target)
            for name in self.styles(target):
                self.project.renderer.stylesheet(name)  # there, and every url() in it found
            count += len(target.files)
        return count

    def warnings(self) -> list[Problem]:
        """What the last :meth:`check` found worth a look, though a build would succeed."""
        return []

    def _keys(self, target: Target) -> list[str]:
        # by position, not by file name: the same workbook written under another name (-o,
        # a download) is the same cache entry
        return [f"{self.name}:{target.key}:{index}" for index in range(len(target.files))]

    def pdfs(self, batch: Sequence[Target]) -> list[list[bytes]]:
        """Every file of every target as bytes: from the cache when nothing that goes into
        it changed, else rendered (the missing ones as one batch) and cached."""
        cache = self.project.cache
        found: dict[int, list[bytes]] = {}
        for index, target in enumerate(batch):
            if target.key:
                cached = [cache.fetch(key) for key in self._keys(target)]
                if all(data is not None for data in cached):
                    found[index] = [data for data in cached if data is not None]
        missing = [i for i in range(len(batch)) if i not in found]
        rendered = self.render([batch[i] for i in missing]) if missing else []
        for index, files in zip(missing, rendered, strict=True):
            target = batch[index]
            if target.key:
                for key, data in zip(self._keys(target), files, strict=True):
                    cache.store(key, data)
            found[index] = files
        return [found[i] for i in range(len(batch))]

    def entries(self, target: Target) -> list[Path]:
        """Where the build cache keeps each file of ``target`` (none when it is not cached)."""
        if not target.key:
            return []
        return [self.project.cache.path(key) for key in self._keys(target)]

    def cached(self, target: Target) -> bytes | None:
        """The main file of ``target`` from the cache, or ``None`` (nothing is rendered)."""
        if not target.key:
            return None
        return self.project.cache.fetch(self._keys(target)[-1])

    def pdf(self, target: Target) -> bytes:
        """The main file of one target, as bytes."""
        return self.pdfs([target])[0][-1]

    def made(self) -> list[tuple[Path, bytes]]:
        """Every file of every target, in order, as ``(path, bytes)``; nothing is written
        (what the mailing attaches: each participant's own file)."""
        return [
            (path, data)
            for batch in self.batches()
            for target, files in zip(batch, self.pdfs(batch), strict=True)
            for path, data in zip(target.files, files, strict=True)
        ]

    def build(self, batch: Sequence[Target]) -> list[Path]:
        """Write every file of ``batch``; return them in order."""
        written = []
        for target, files in zip(batch, self.pdfs(batch), strict=True):
            for path, data in zip(target.files, files, strict=True):
                written.append(write_atomically(path, data))
        return written


def digest(*parts: str | bytes) -> str:
    """A short stable hash of ``parts``, for cache keys."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()[:32]
