"""A long document laid out chapter by chapter: the same pages, and unchanged chapters reused.

A template marks where its chapters begin (:data:`MARKER`, at a forced page break: the
workbook's cover, contents, session plan and each item). Each chapter is laid out as a
document of its own, with everything that the chapters before it would have passed on
told to it up front:

- the number of its first page (``@page :first { counter-reset: page N }``) and that
  page's side (``html { break-before: left | right }``); where the break before it asks
  for the other side, a blank page goes in between, made by WeasyPrint from the same
  styles;
- the page of every target it points to in another chapter: ``target-counter(attr(href),
  page)`` in the styles becomes ``var(--blz, target-counter(attr(href), page))`` and such
  a link gets ``style="--blz: 'N'"``; targets in its own chapter WeasyPrint counts itself.

The chapters are placed in order, so a link back is known when its chapter is laid out;
a link forward (the contents) takes the page it had last time, and the whole is placed
again until no link's page changes (a fixed point, as WeasyPrint's own re-pagination).
The pages of all chapters then make one WeasyPrint ``Document``, written as any other:
for the shipped styles the PDF is byte for byte the one a single layout gives
(``tests/test_chapters.py`` holds the two side by side).

Laid-out chapters are kept by their HTML, their first page and the styles (the newest,
up to :attr:`ChapterLayouts.keep` pages), so a change to the cover lays out the cover
again and reuses the rest. Whatever the chapters cannot say for sure — a boundary that is
not a forced page break, styles that count all pages (``counter(pages)``) or use targets
in another way, no fixed point — the document is laid out whole instead.

Private WeasyPrint names (through :mod:`.internals`, checked there): the break between two
chapters (``block_level_page_break`` on the pages' boxes, :mod:`.boxes`), the metadata of
the whole (``get_html_metadata``, ``DocumentMetadata``) and ``Document(...)`` built from
pages (by keyword).
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import MARKER, boxes, internals
from .engine import CSS, HTML, Document, FontConfiguration
from .logs import weasyprint_must_stay_silent

TARGET_PAGE = "target-counter(attr(href), page)"
TARGET_PAGE_ELSEWHERE = "var(--blz, target-counter(attr(href), page))"
WHOLE_ONLY = re.compile(r"target-counters?\(|target-text\(|counters?\(\s*pages\b", re.I)
"""What a chapter cannot know from the chapters before it."""
FORCED = {"page": None, "left": "left", "right": "right", "recto": "right", "verso": "left"}
"""A forced break between chapters, and the side the next page must be on (ltr)."""
MAX_PASSES = 8

_BODY = re.compile(r"<body\b[^>]*>")
_METADATA = re.compile(r"<title>.*?</title>\s*|<meta name=[^>]*>\s*", re.S)
_ID = re.compile(r"""\sid=["']([^"']+)["']""")
_OPENING = re.compile(r"\s*(?:<[a-zA-Z][^>]*>\s*)+")
_LINK = re.compile(r"""<a\b[^>]*?\shref=["']#([^"']+)["'][^>]*>""")


@dataclass(frozen=True)
class _Split:
    head: str
    """Up to and with ``<body …>``, without title and metadata (they go to the whole)."""
    chapters: tuple[str, ...]
    tail: str
    metadata_html: str
    """The head with its title and metadata and an empty body."""


def split(html: str) -> _Split | None:
    """The chapters of ``html``; None when it has none, or text before the first."""
    if MARKER not in html:
        return None
    body = _BODY.search(html)
    end = html.rfind("</body>")
    if body is None or end < body.end():
        return None
    before, *pieces = html[body.end() : end].split(MARKER)
    chapters = [piece for piece in pieces if piece.strip()]  # an empty one makes no page
    if before.strip() or not chapters:
        return None
    head = html[: body.end()]
    return _Split(
        head=_METADATA.sub("", head),
        chapters=tuple(chapters),
        tail=html[end:],
        metadata_html=head + html[end:],
    )


@dataclass
class _Placed:
    document: Document
    key: tuple[str, str]
    """What its layout is kept by (see :meth:`_Run._layout`)."""
    blank: Any = None
    """The blank page before it, if any (a WeasyPrint ``Page``)."""
    blank_key: tuple[str, str] | None = None


@dataclass(frozen=True)
class Part:
    """What one chapter gives the whole: its pages (after the blank page before it, if
    any), and what they are kept by: the layouts they come from, so the same key is always
    the same pages, drawn alike."""

    key: tuple[object, ...]
    pages: tuple[Any, ...]


class Styles:
    """The stylesheets as WeasyPrint objects, parsed once, with the font configuration
    that every layout made with them shares (so chapters' pages can make one PDF), and the
    lock under which those layouts and their writing run (they share the fonts).

    For chapters (``chapters=True``) a link's page may come from ``--blz``
    (:data:`TARGET_PAGE_ELSEWHERE`); for a whole layout the sheets are read as files."""

    def __init__(
        self, texts: Sequence[tuple[Path, str]], fetcher: Any, fonts_css: str, *, chapters: bool
    ) -> None:
        self.lock = threading.RLock()
        self.fonts = FontConfiguration()
        self.profiles: dict[str, Any] = {}
        """The colour profiles of ``@color-profile`` rules (the print shop's output intent)."""
        self.css = [
            CSS(
                string=fonts_css,
                url_fetcher=fetcher,
                font_config=self.fonts,
                color_profiles=self.profiles,
            )
        ]
        self.css += [
            CSS(
                string=text.replace(TARGET_PAGE, TARGET_PAGE_ELSEWHERE),
                base_url=str(path),
                url_fetcher=fetcher,
                font_config=self.fonts,
            )
            if chapters
            else CSS(filename=str(path), url_fetcher=fetcher, font_config=self.fonts)
            for path, text in texts
        ]


KEEP_STYLES = 8
"""How many sets of parsed stylesheets a process keeps (the newest)."""
_parsed: OrderedDict[str, Styles] = OrderedDict()
_parsing = threading.Lock()


def styles_digest(
    texts: Sequence[tuple[Path, str]], fetcher: Any, fonts_css: str, *, chapters: bool
) -> str:
    """What a set of parsed stylesheets is kept by: the sheets' names and text, the fonts'
    rules, the folders the fetcher may read, and how they are read."""
    roots = [str(root) for root in getattr(fetcher, "roots", ())]
    parts = [repr(chapters), repr(roots), fonts_css]
    parts += [f"{path}\0{text}" for path, text in texts]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def parsed_styles(
    texts: Sequence[tuple[Path, str]], fetcher: Any, fonts_css: str, *, chapters: bool, what: str
) -> Styles:
    """The stylesheets ``texts`` (their paths and text) parsed, once in this process for the
    same text, however many chapters, documents and targets use them. What WeasyPrint logs
    while parsing fails the build (and nothing is kept)."""
    digest = styles_digest(texts, fetcher, fonts_css, chapters=chapters)
    with _parsing:
        styles = _parsed.get(digest)
        if styles is None:
            with weasyprint_must_stay_silent(what):
                styles = Styles(texts, fetcher, fonts_css, chapters=chapters)
            _parsed[digest] = styles
        _parsed.move_to_end(digest)
        while len(_parsed) > KEEP_STYLES:
            _parsed.popitem(last=False)
    return styles


class SharedFontsDocument(Document):  # type: ignore[misc]
    """A document that shares fonts with other layouts (:class:`Styles`), so it is written
    under the lock that their layout holds too."""

    lock: threading.RLock

    def write_pdf(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return super().write_pdf(*args, **kwargs)

    def copy(self, pages: Any = "all") -> SharedFontsDocument:
        copied: SharedFontsDocument = super().copy(pages)
        copied.lock = self.lock
        return copied


class LockedDocument(SharedFontsDocument):
    """A document put together from chapters: its pages are those of its :attr:`parts`."""

    parts: tuple[Part, ...] = ()
    layouts: ChapterLayouts | None = None


class ChapterLayouts:
    """Chapter layouts of one renderer: the newest kept, up to ``keep`` pages."""

    def __init__(self, keep: int = 0) -> None:
        self.keep = keep
        self.lock = threading.RLock()
        self._styles: tuple[str, Styles] | None = None
        self._kept: OrderedDict[tuple[str, str], Document] = OrderedDict()
        self._pages = 0
        self._guesses: OrderedDict[tuple[str, ...], dict[str, int]] = OrderedDict()
        self._starts: OrderedDict[tuple[str, str, int], int] = OrderedDict()
        self._drafts: OrderedDict[tuple[object, ...], tuple[bytes, int]] = OrderedDict()
        self._draft_pages = 0

    # ---------------------------------------------------------------- the whole

    def layout(
        self,
        html: str,
        *,
        stylesheets: Sequence[Path],
        base: Path,
        fetcher: Any,
        fonts_css: str,
        options: dict[str, Any],
        what: str,
    ) -> Document | None:
        """The pages of ``html`` laid out chapter by chapter, as one document; None when
        it must be laid out whole. ``fetcher`` is WeasyPrint's URL fetcher, ``fonts_css`` the
        ``@font-face`` rules of the fonts. What WeasyPrint logs while parsing the styles or
        laying out a chapter fails the build at once, and nothing of it is kept for later."""
        parts = split(html)
        if parts is None:
            return None
        texts = [(path, path.read_text(encoding="utf-8")) for path in stylesheets]
        sources = [parts.head, *(text for _, text in texts)]
        if any(WHOLE_ONLY.search(text.replace(TARGET_PAGE, "")) for text in sources):
            return None
        digest = hashlib.sha256(
            "\0".join(
                [str(base), repr(sorted(options.items())), fonts_css] + [t for _, t in texts]
            ).encode()
        ).hexdigest()
        with self.lock:
            styles = self._styles_for(digest, texts, fetcher, fonts_css, what)
            with styles.lock:
                return self._place(parts, styles, digest, base, fetcher, options, what)

    def _place(
        self,
        parts: _Split,
        styles: Styles,
        digest: str,
        base: Path,
        fetcher: Any,
        options: dict[str, Any],
        what: str,
    ) -> Document | None:
        run = _Run(self, parts, styles, digest, base, fetcher, options, what)
        placed = run.place()
        if placed is None:
            return None
        pieces = []
        for chapter in placed:
            blank = [chapter.blank] if chapter.blank is not None else []
            pieces.append(Part((chapter.key, chapter.blank_key), (*blank, *chapter.document.pages)))
        pages = [page for piece in pieces for page in piece.pages]
        metadata = HTML(string=parts.metadata_html, base_url=str(base) + "/")
        first = placed[0].document
        whole: LockedDocument = internals.document(
            pages, metadata, fetcher, styles.fonts, first, LockedDocument
        )
        whole.lock = styles.lock
        whole.parts = tuple(pieces)
        whole.layouts = self
        return whole

    def _styles_for(
        self,
        digest: str,
        texts: Sequence[tuple[Path, str]],
        fetcher: Any,
        fonts_css: str,
        what: str,
    ) -> Styles:
        if self._styles is None or self._styles[0] != digest:
            styles = parsed_styles(texts, fetcher, fonts_css, chapters=True, what=what)
            self._styles = (digest, styles)
            self._kept.clear()
            self._pages = 0
        return self._styles[1]

    # ---------------------------------------------------------------- drafts

    def draft(self, whole: LockedDocument, *, what: str) -> bytes:
        """The pages of ``whole`` (laid out here) as an untagged PDF to look at, drawn and
        written chapter by chapter: a chapter drawn before (the same layout, at the same
        page) is not drawn again, its PDF is kept (up to :attr:`keep` pages). The chapters'
        PDFs are joined into one, their pages as they are: each page draws what it draws
        in the whole, pixel for pixel (``tests/test_chapters.py``), though its fonts are
        subsets of their own and its links are left out (they draw nothing)."""
        pieces = []
        for part in whole.parts:
            with self.lock:
                kept = self._drafts.get(part.key)
                if kept is not None:
                    self._drafts.move_to_end(part.key)
            if kept is None:
                shown = whole.copy([_unlinked(page) for page in part.pages])
                with weasyprint_must_stay_silent(what):
                    kept = (shown.write_pdf(), len(part.pages))
                self._keep_draft(part.key, kept)
            pieces.append(kept[0])
        return joined(pieces)

    def _keep_draft(self, key: tuple[object, ...], draft: tuple[bytes, int]) -> None:
        with self.lock:
            if self.keep <= 0 or key in self._drafts:
                return
            self._drafts[key] = draft
            self._draft_pages += draft[1]
            while self._draft_pages > self.keep and self._drafts:
                _, (_, pages) = self._drafts.popitem(last=False)
                self._draft_pages -= pages

    # ---------------------------------------------------------------- kept layouts

    def kept(self, key: tuple[str, str]) -> Document | None:
        document = self._kept.get(key)
        if document is not None:
            self._kept.move_to_end(key)
        return document

    def keep_layout(self, key: tuple[str, str], document: Document) -> None:
        if self.keep <= 0 or key in self._kept:
            return
        self._kept[key] = document
        self._pages += len(document.pages)
        while self._pages > self.keep and self._kept:
            _, old = self._kept.popitem(last=False)
            self._pages -= len(old.pages)

    def start(self, key: tuple[str, str, int]) -> int | None:
        """Where a chapter that could begin at page ``key[2]`` began last time."""
        return self._starts.get(key)

    def started(self, key: tuple[str, str, int], page: int) -> None:
        self._starts[key] = page
        self._starts.move_to_end(key)
        while len(self._starts) > 4096:
            self._starts.popitem(last=False)

    def guess(self, names: tuple[str, ...]) -> dict[str, int]:
        return dict(self._guesses.get(names, {}))

    def remember(self, names: tuple[str, ...], pages: dict[str, int]) -> None:
        self._guesses[names] = pages
        self._guesses.move_to_end(names)
        while len(self._guesses) > 64:
            self._guesses.popitem(last=False)


class _Run:
    """One layout of chapters: the places found, and the layouts made on the way."""

    def __init__(
        self,
        layouts: ChapterLayouts,
        parts: _Split,
        styles: Styles,
        digest: str,
        base: Path,
        fetcher: Any,
        options: dict[str, Any],
        what: str,
    ) -> None:
        self.layouts = layouts
        self.parts = parts
        self.styles = styles
        self.digest = digest
        self.base = base
        self.fetcher = fetcher
        self.options = options
        self.what = what
        self.made: dict[tuple[str, str], Document] = {}
        self.keys: dict[int, tuple[str, str]] = {}
        """Each layout's key, by the layout's ``id`` (while ``made`` holds it)."""
        self.ids = [set(_ID.findall(chapter)) for chapter in parts.chapters]
        self.names = tuple(sorted(set().union(*self.ids)))

    def place(self) -> list[_Placed] | None:
        """Every chapter at its page, once no link's page changes; None: lay out whole."""
        known = self.layouts.guess(self.names)
        for _ in range(MAX_PASSES):
            placed, used, found = self._pass(known)
            if placed is None:
                return None
            if all(found.get(name) == page for name, page in used.items()):
                self.layouts.remember(self.names, found)
                return placed
            known = found
        return None

    def _pass(
        self, known: dict[str, int]
    ) -> tuple[list[_Placed] | None, dict[str, int | None], dict[str, int]]:
        placed: list[_Placed] = []
        used: dict[str, int | None] = {}
        found: dict[str, int] = {}
        page = 1
        for index, chapter in enumerate(self.parts.chapters):
            pages = {}
            for name in _LINK.findall(chapter):
                if name not in self.ids[index]:
                    pages[name] = found.get(name, known.get(name))
                    used[name] = pages[name]
            html = self._html(chapter, pages)
            if html is None:
                return None, used, found
            previous = placed[-1].document if placed else None
            # the first page's side follows from the break before it: lay the chapter out
            # where it began last time (or where a sketch of its first boxes says), and
            # again when the break says otherwise
            memo = (self.digest, hashlib.sha256(chapter.encode()).hexdigest(), page)
            first = self.layouts.start(memo) or self._predict(chapter, previous, page)
            if first is None:
                return None, used, found
            document = self._layout(html, first)
            side = self._side_after(previous, document)
            if side is False:
                return None, used, found
            needed = page if side is None or side == _side(page) else page + 1
            if needed != first:
                document = self._layout(html, needed)
            self.layouts.started(memo, needed)
            blank, blank_key = self._blank(page) if needed != page else (None, None)
            page = needed
            placed.append(_Placed(document, self.keys[id(document)], blank, blank_key))
            for offset, sheet in enumerate(document.pages):
                for name in sheet.anchors:
                    found.setdefault(name, page + offset)
            page += len(document.pages)
        return placed, used, found

    def _html(self, chapter: str, pages: dict[str, int | None]) -> str | None:
        """The chapter's own document: its links elsewhere with their pages."""

        def link(match: re.Match[str]) -> str:
            tag = match.group(0)
            name = match.group(1)
            if name not in pages:
                return tag
            if " style=" in tag:
                raise _Whole
            number = pages[name]
            return f"{tag[:-1]} style=\"--blz: '{number if number is not None else 0}'\">"

        try:
            body = _LINK.sub(link, chapter)
        except _Whole:
            return None
        return self.parts.head + body + self.parts.tail

    def _layout(self, html: str, first: int) -> Document:
        """``html`` laid out from page ``first`` on (kept, or made now)."""
        source = _start(html, first)
        key = (self.digest, hashlib.sha256(source.encode()).hexdigest())
        document = self.made.get(key) or self.layouts.kept(key)
        if document is None:
            document = self._render(source)
            self.layouts.keep_layout(key, document)
        self.made[key] = document
        self.keys[id(document)] = key
        return document

    def _render(self, source: str) -> Document:
        with weasyprint_must_stay_silent(self.what):
            html = HTML(string=source, base_url=str(self.base) + "/", url_fetcher=self.fetcher)
            return html.render(
                stylesheets=self.styles.css,
                font_config=self.styles.fonts,
                color_profiles=self.styles.profiles,
                **self.options,
            )

    def _predict(self, chapter: str, previous: Document | None, page: int) -> int | None:
        """Where a chapter that could begin at ``page`` begins, from a sketch: its leading
        opening tags alone, laid out (a guess, checked on the real layout); None when the
        boundary is no forced page break."""
        if previous is None:
            return page
        opening = _OPENING.match(chapter)
        sketch = self.parts.head + (opening.group(0) if opening else "") + self.parts.tail
        side = self._side_after(previous, self._render(_start(sketch, page)))
        if side is False:
            return None
        return page if side is None or side == _side(page) else page + 1

    def _blank(self, page: int) -> tuple[Any, tuple[str, str]]:
        """A blank page numbered ``page``, as WeasyPrint makes one between two chapters,
        and the key of the layout it comes from."""
        # a page on the other side, then a break to that side again: the page between
        other = _side(page - 1)
        body = f'<div style="break-after: {other}"></div><div></div>'
        document = self._layout(self.parts.head + body + self.parts.tail, page - 1)
        return document.pages[1], self.keys[id(document)]

    @staticmethod
    def _side_after(previous: Document | None, document: Document) -> str | bool | None:
        """The side the page after ``previous`` must be on (None: either); False when the
        boundary is no forced page break."""
        if previous is None:
            return None
        value = boxes.page_break(previous.pages[-1], document.pages[0])
        if value is False or value not in FORCED:
            return False
        return FORCED[value]


class _Whole(Exception):
    """A chapter that cannot be laid out on its own."""


def _unlinked(page: Any) -> Any:
    """WeasyPrint's ``page`` without its links and bookmarks (which draw nothing; a link to
    another chapter would have no target in a chapter's PDF of its own)."""
    shown = copy.copy(page)
    shown.links = []
    shown.bookmarks = []
    return shown


def joined(pdfs: Sequence[bytes]) -> bytes:
    """The pages of ``pdfs`` as one PDF, in order, each as it is (with qpdf, through
    pikepdf: it copies a page with what it uses); the same parts give the same bytes."""
    import pikepdf

    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(data)) for data in pdfs]
    try:
        for source in sources:
            out.pages.extend(source.pages)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
    finally:
        for source in sources:
            source.close()
        out.close()
    return buffer.getvalue()


def _start(html: str, page: int) -> str:
    """``html`` beginning at page ``page``: its number and its side."""
    style = (
        f"<style>@page :first {{ counter-reset: page {page} }} "
        f"html {{ break-before: {_side(page)} }}</style></head>"
    )
    return html.replace("</head>", style, 1)


def _side(page: int) -> str:
    return "right" if page % 2 else "left"
