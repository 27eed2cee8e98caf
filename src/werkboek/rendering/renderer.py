"""The renderer of one project: its templates, its styles, the folders it may read."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..content.fonts import font_dirs
from ..errors import BuildError, WerkboekError
from ..pdf.chapters import ChapterLayouts
from ..pdf.engine import Document
from . import pdf
from .collector import laying_out
from .fetch import stylesheet_problems
from .templates import OVERRIDES, Templates


class Renderer:
    """HTML from the project's templates, pages from HTML, PDF bytes from pages.

    Renders share nothing but the laid-out chapters it keeps (under their own lock), so
    one renderer serves many renders at once.
    """

    def __init__(
        self,
        content_dir: Path,
        styles_dir: Path,
        names: Mapping[str, Any] | None = None,
        *,
        print_shop: bool = False,
    ) -> None:
        self.styles_dir = styles_dir
        self.print_shop = print_shop
        self.roots = (content_dir, styles_dir)
        self.templates = Templates([content_dir / OVERRIDES], names)
        self._checked: set[str] = set()
        self._lock = threading.Lock()
        self.chapters = ChapterLayouts()
        """Workbook chapters laid out; none kept unless ``chapters.keep`` says how many
        pages (the web app's previews: a build lays out each document once)."""

    def html(self, template: str, **context: Any) -> str:
        return self.templates.render(template, **context)

    def stylesheet(self, name: str) -> Path:
        sheet = self.styles_dir / name
        if not sheet.is_file():
            raise WerkboekError(f"{sheet}: stijlblad niet gevonden")
        if not sheet.resolve().is_relative_to(self.styles_dir.resolve()):
            raise WerkboekError(f"{sheet}: verwijst naar een bestand buiten de map met stijlen")
        with self._lock:
            if name not in self._checked:
                problems = stylesheet_problems(sheet, [*self.roots, *font_dirs()], str(sheet))
                if problems:
                    raise BuildError(*problems)
                self._checked.add(name)
        return sheet

    def layout(self, html: str, stylesheets: Sequence[str], *, what: str) -> Document:
        """Lay out ``html`` with the named stylesheets of the styles folder."""
        sheets = [self.stylesheet(name) for name in stylesheets]
        with laying_out():
            return pdf.layout(
                html,
                base=self.styles_dir.resolve(),
                roots=self.roots,
                stylesheets=sheets,
                what=what,
                print_shop=self.print_shop,
                chapters=self.chapters,
            )

    def pdf(self, document: Document, *, what: str) -> bytes:
        with laying_out():
            return pdf.pdf_bytes(document, what=what, print_shop=self.print_shop)

    def draft(self, document: Document, *, what: str) -> bytes:
        with laying_out():
            return pdf.draft_bytes(document, what=what)

    def preview(self, document: Document, *, what: str) -> bytes:
        with laying_out():
            return pdf.preview_bytes(document, what=what)
