"""HTML from templates, PDF from HTML: the one path every product takes.

* Templates are found in the package (``PackageLoader``), autoescape is on and
  undefined names fail loudly (``StrictUndefined``).
* WeasyPrint reads files only through :class:`SafeFetcher`: ``data:`` URLs and
  files below the allowed folders (content, styles, the font package). Anything
  else, the network included, stops the build.
* Whatever WeasyPrint logs at warning level or above during a render (a missing
  image, bad CSS, a broken anchor) fails the build.
* PDFs are written to a temporary file next to the target and renamed into
  place, so a failed build never leaves a half-written PDF.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from . import model
from .cache import atomic_target
from .errors import BuildError
from .markup import plain_text, render_inline
from .qr import qr_image


class SafeFetcher(URLFetcher):
    """A URL fetcher that only reads ``data:`` URLs and files below ``roots``."""

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)
        self.roots = [Path(root).resolve() for root in roots]

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise FatalURLFetchingError(f"werkboek does not fetch {url!r}: only local files")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise FatalURLFetchingError(f"{path} is outside the content and styles folders")
        return super().fetch(url, headers)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def weasyprint_must_stay_silent(what: str) -> Iterator[None]:
    """Turn anything WeasyPrint logs at warning level or above into a BuildError."""
    collector = _Collector()
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(collector)
    if collector.messages:
        raise BuildError(f"{what}: WeasyPrint reported: " + "; ".join(collector.messages[:5]))


@contextlib.contextmanager
def _fetch_errors_fail(what: str) -> Iterator[None]:
    try:
        yield
    except FatalURLFetchingError as exc:
        raise BuildError(f"{what}: {exc}") from None


# ---------------------------------------------------------------- templates


def _blocks_only(blocks: list[Any], trainer: bool) -> list[Any]:
    return [b for b in blocks if trainer or not isinstance(b, model.TrainerOnly)]


def _kind(block: Any) -> str:
    return "alinea" if isinstance(block, str) else model.block_tag(block) or "onbekend"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("werkboek", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline"] = render_inline
    env.filters["plain"] = plain_text
    env.filters["blocks_only"] = _blocks_only
    env.filters["kind"] = _kind
    env.globals["qr_image"] = qr_image
    env.globals["PARTS"] = model.PARTS
    return env


def render_html(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


# ---------------------------------------------------------------- PDF


def font_dir() -> Path:
    import fontpkg_atkinson_hyperlegible

    return fontpkg_atkinson_hyperlegible.ROOT / "files"


@cache
def font_css() -> str:
    """``@font-face`` rules for the font package's files."""
    faces = [
        ("Regular", "normal", 400),
        ("Italic", "italic", 400),
        ("Bold", "normal", 700),
        ("BoldItalic", "italic", 700),
    ]
    rules = []
    for name, style, weight in faces:
        url = (font_dir() / f"AtkinsonHyperlegible-{name}.ttf").as_uri()
        rules.append(
            f'@font-face {{ font-family: "Atkinson Hyperlegible"; font-style: {style}; '
            f"font-weight: {weight}; src: url({url}); }}"
        )
    return "\n".join(rules)


def layout(
    html: str, *, base: Path, roots: Sequence[Path], stylesheets: Sequence[Path], what: str
) -> Document:
    """Lay out ``html`` into pages; WeasyPrint's warnings fail the build."""
    fetcher = SafeFetcher([*roots, font_dir()])
    fonts = FontConfiguration()
    with weasyprint_must_stay_silent(what), _fetch_errors_fail(what):
        css = [CSS(string=font_css(), url_fetcher=fetcher, font_config=fonts)]
        css += [CSS(filename=str(s), url_fetcher=fetcher, font_config=fonts) for s in stylesheets]
        document = HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher).render(
            stylesheets=css, font_config=fonts, **PDF_OPTIONS
        )
    return document


PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
"""Every PDF werkboek writes is tagged PDF/UA-1."""


def write_pdf(document: Document, target: Path, *, what: str) -> Path:
    """Write ``document`` to ``target`` atomically."""
    with atomic_target(target) as temporary, weasyprint_must_stay_silent(what):
        document.write_pdf(temporary, **PDF_OPTIONS)
    return target


def pdf_bytes(document: Document, *, what: str) -> bytes:
    """``document`` as PDF bytes, for products that post-process them."""
    with weasyprint_must_stay_silent(what):
        return document.write_pdf(**PDF_OPTIONS)
