"""PDF from HTML: WeasyPrint, with safe loading, a silent log, and tagged PDF/UA-1 output.

The public WeasyPrint calls (``HTML``, ``render``, ``write_pdf``) are made here, the
stylesheets parsed once a process (:func:`werkboek.pdf.chapters.parsed_styles`);
everything beyond them (the tag-tree patch, chapter layout, the finishing pass) is in
:mod:`werkboek.pdf`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..content.fonts import font_dirs
from ..errors import BuildError
from ..pdf import BLEED_MM, internals
from ..pdf.chapters import ChapterLayouts, LockedDocument, SharedFontsDocument, parsed_styles
from ..pdf.engine import HTML, Document, FatalURLFetchingError
from ..pdf.finish import finish
from ..pdf.logs import weasyprint_must_stay_silent
from ..pdf.pdfa import without_eol_endings
from ..pdf.press import PROFILE, bleed_boxes, for_press
from ..pdf.tags import install
from ..pdf.unicode_map import install as install_unicode_map
from .fetch import SafeFetcher, Unreadable
from .fonts import font_css

# WeasyPrint instantiates a variable font (every Noto font here is one) at the weight it is
# drawn in with fontTools, which stamps the instance's head.modified with the current time
# unless SOURCE_DATE_EPOCH says otherwise: the same input gave other bytes a second later.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
"""Every PDF werkboek writes is tagged PDF/UA-1 (the accessible file, the default)."""
PRINT_SHOP_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/x-4", "pdf_tags": True}
"""The print shop's file: PDF/X-4 with werkboek's CMYK output intent (the ``device-cmyk``
colour profile of :func:`print_css`, see :mod:`werkboek.pdf.press`), still tagged."""


def print_css() -> str:
    """The print shop's colour profile, as WeasyPrint takes its output intent."""
    return (
        f"@color-profile device-cmyk {{ src: url({PROFILE.as_uri()}); "
        "components: cyan, magenta, yellow, black; }"
    )


def options(print_shop: bool) -> dict[str, Any]:
    return PRINT_SHOP_OPTIONS if print_shop else PDF_OPTIONS


@contextlib.contextmanager
def _fetch_errors_fail(what: str) -> Iterator[None]:
    try:
        yield
    except Unreadable as exc:  # the file that is missing, and what it was for
        problem = exc.problem
        raise BuildError(
            replace(problem, message=f"{problem.message} (nodig voor {what})")
        ) from None
    except FatalURLFetchingError as exc:
        raise BuildError(f"{what}: {exc}") from None


def layout(
    html: str,
    *,
    base: Path,
    roots: Sequence[Path],
    stylesheets: Sequence[Path],
    what: str,
    print_shop: bool = False,
    chapters: ChapterLayouts | None = None,
) -> Document:
    """Lay out ``html`` into pages (chapter by chapter when it has chapters and
    ``chapters`` is given, see :mod:`werkboek.pdf.chapters`); what WeasyPrint logs fails
    the build."""
    install()  # (once; checks the WeasyPrint it patches, see werkboek.pdf.internals)
    install_unicode_map()
    fetcher = SafeFetcher([*roots, *font_dirs(), PROFILE.parent])
    fonts_css = font_css() + ("\n" + print_css() if print_shop else "")
    with weasyprint_must_stay_silent(what), _fetch_errors_fail(what):
        if chapters is not None:
            document = chapters.layout(
                html,
                stylesheets=stylesheets,
                base=base,
                fetcher=fetcher,
                fonts_css=fonts_css,
                options=options(print_shop),
                what=what,
            )
            if document is not None:
                return document
        texts = [(path, path.read_text(encoding="utf-8")) for path in stylesheets]
        styles = parsed_styles(texts, fetcher, fonts_css, chapters=False, what=what)
        page = HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher)
        with styles.lock:
            rendered = page.render(
                stylesheets=styles.css,
                font_config=styles.fonts,
                color_profiles=styles.profiles,
                **options(print_shop),
            )
        # written under the lock too: its fonts are shared with other layouts
        whole: SharedFontsDocument = internals.document(
            rendered.pages, page, fetcher, styles.fonts, rendered, SharedFontsDocument
        )
        whole.lock = styles.lock
        return whole


def pdf_bytes(document: Document, *, what: str, print_shop: bool = False) -> bytes:
    """The laid-out ``document`` as the bytes of a tagged PDF."""
    with weasyprint_must_stay_silent(what):
        data: bytes = document.write_pdf(**options(print_shop))
    finished = bleed_boxes(finish(data), BLEED_MM)
    if not print_shop:
        return finished
    # (last: no Flate stream may end in a line end, for strict checkers)
    return without_eol_endings(for_press(finished, what=what))


def draft_bytes(document: Document, *, what: str) -> bytes:
    """The laid-out ``document`` as an untagged PDF, unfinished: pages to take drawings
    from (see :mod:`werkboek.pdf.names`), never a file werkboek writes."""
    with weasyprint_must_stay_silent(what):
        data: bytes = document.write_pdf()
    return data


def preview_bytes(document: Document, *, what: str) -> bytes:
    """The pages of the laid-out ``document`` to look at: as :func:`draft_bytes` draws
    them, but for a document laid out chapter by chapter only the chapters not drawn
    before are drawn (see :meth:`~werkboek.pdf.chapters.ChapterLayouts.draft`)."""
    if isinstance(document, LockedDocument) and document.layouts is not None:
        return document.layouts.draft(document, what=what)
    return draft_bytes(document, what=what)
