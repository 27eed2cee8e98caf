"""Every name werkboek takes from WeasyPrint and pydyf beyond their public API, in one place.

WeasyPrint's API reference says to pin a version before depending on anything outside it.
werkboek does (``weasyprint>=70,<71`` in ``pyproject.toml``, ``pydyf`` likewise), and every
such name is looked up here and nowhere else, and checked at its first use (:func:`get`;
:func:`check` checks them all): that it exists and that it takes the arguments werkboek
gives it, by name. When one has changed, the render stops with one Dutch line that says
which and what to install (a :class:`BuildError`), instead of a wrong PDF or a traceback
deep in a layout.

What is used, and where:

- ``weasyprint.pdf.tags._build_box_tree(box, parent, pdf, page_number, nums, annotations,
  tags)``: wrapped once (:mod:`.tags`) so the HTML can name structure types;
- ``weasyprint.layout.block.block_level_page_break(sibling_before, sibling_after)``: the
  break between two chapters (:mod:`.boxes`);
- ``weasyprint.html.get_html_metadata(html)`` and ``weasyprint.document.DocumentMetadata``:
  the metadata of a document put together from chapters (:mod:`.chapters`);
- ``weasyprint.Document(pages, metadata, url_fetcher, font_config, color_profiles,
  output_intent)``: that document (called with keywords, :func:`document`);
- ``weasyprint.document.Page._page_box`` and the boxes below it
  (``weasyprint.formatting_structure.boxes``: ``children``, ``descendants()``, ``element``,
  ``position_y``, ``height``, ``margin_height()``): read by :mod:`.boxes`; in the tag-tree
  patch (:mod:`.tags`) ``element``, ``element_tag``, ``is_leader``, ``link_annotation`` and
  an absolute placeholder's ``_box``;
- a card face's boxes copied into a sheet's slot (:mod:`.slots`): ``BlockBox.deepcopy()``
  (a copy of the tree that shares styles, elements and text layouts), ``translate(dx, dy)``,
  ``content_box_x()``, ``content_box_y()``, ``position_x``, ``position_y`` and
  ``children`` set, ``all_children()``, the backgrounds placed again
  (``weasyprint.layout.background.layout_box_backgrounds(page, box, get_image_from_uri)``,
  given the images the original's ``background.layers``, ``border_image`` and
  ``mask_border_image`` hold, by the ``style`` values that named them), and
  ``weasyprint.document.Page(page_box)`` made again (its links and bookmarks gathered
  from the boxes);
- ``pydyf.String``: a structure element's ``/ID`` (:mod:`.tags`);
- ``pydyf.Stream``'s ``stream`` (the operations written so far, of the stream WeasyPrint
  draws a text box into), and a ``pydyf.Stream`` with ``begin_marked_content(tag,
  property_list)``, ``show_text(text)``, ``end_marked_content()`` and a ``pydyf.Dictionary``:
  the layout hyphen that ends a line split off into its own ``TJ`` with an ``/ActualText``
  (:mod:`.spaces`, :func:`last_glyph_as`);
- ``weasyprint.layout.inline.split_text_box(context, box, available_width, skip, …)``,
  ``weasyprint.layout.inline.remove_last_whitespace(context, line)`` and
  ``weasyprint.draw.text.draw_first_line(stream, textbox, …)``: wrapped once with the
  tag-tree builder (:mod:`.spaces`) so the spaces between words are drawn; with them a text
  box's ``text``, ``children`` and ``pango_layout``, and that layout's ``text`` and
  ``weasyprint.text.line_break.Layout.set_text(text, justify)``;
- the file ``sRGB2014.icc`` of the package ``weasyprint.pdf`` (the ICC's sRGB profile that
  WeasyPrint embeds in PDF/A): the print shop's ``/DefaultRGB`` (:mod:`.press`).
- ``weasyprint.text.ffi``: the module that opens Pango, HarfBuzz and fontconfig, imported
  first by :func:`load_libraries` (through :mod:`.engine`), so that no program is
  run to find them.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import importlib
import inspect
import io
import re
import sys
import threading
from collections.abc import Callable
from importlib import metadata
from typing import Any

from ..errors import BuildError

_INSTALLING = threading.Lock()
TESTED = {"weasyprint": ">=70,<71", "pydyf": ">=0.13,<0.14"}
"""The versions werkboek is tested with (as ``pyproject.toml`` pins them)."""

EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "weasyprint.pdf.tags._build_box_tree": (
        "weasyprint",
        ("box", "parent", "pdf", "page_number", "nums", "annotations", "tags"),
    ),
    "weasyprint.layout.block.block_level_page_break": (
        "weasyprint",
        ("sibling_before", "sibling_after"),
    ),
    "weasyprint.html.get_html_metadata": ("weasyprint", ("html",)),
    "weasyprint.document.Document": (
        "weasyprint",
        ("pages", "metadata", "url_fetcher", "font_config", "color_profiles", "output_intent"),
    ),
    "weasyprint.document.Page": ("weasyprint", ("page_box",)),
    "weasyprint.document.DocumentMetadata": (
        "weasyprint",
        ("title", "authors", "description", "keywords", "generator", "created"),
    ),
    "weasyprint.formatting_structure.boxes.BlockBox.descendants": ("weasyprint", ()),
    "weasyprint.formatting_structure.boxes.BlockBox.deepcopy": ("weasyprint", ("self",)),
    "weasyprint.formatting_structure.boxes.BlockBox.translate": (
        "weasyprint",
        ("self", "dx", "dy"),
    ),
    "weasyprint.layout.background.layout_box_backgrounds": (
        "weasyprint",
        ("page", "box", "get_image_from_uri"),
    ),
    "weasyprint.formatting_structure.boxes.BlockBox.content_box_x": ("weasyprint", ("self",)),
    "weasyprint.formatting_structure.boxes.BlockBox.content_box_y": ("weasyprint", ("self",)),
    "weasyprint.formatting_structure.boxes.BlockBox.margin_height": ("weasyprint", ()),
    "pydyf.String": ("pydyf", ("string",)),
    "weasyprint.layout.inline.split_text_box": (
        "weasyprint",
        ("context", "box", "available_width", "skip"),
    ),
    "weasyprint.layout.inline.remove_last_whitespace": ("weasyprint", ("context", "line")),
    "weasyprint.draw.text.draw_first_line": ("weasyprint", ("stream", "textbox")),
    "weasyprint.text.line_break.Layout.set_text": ("weasyprint", ("self", "text", "justify")),
    "pydyf.Dictionary": ("pydyf", ("values",)),
    "pydyf.Stream": ("pydyf", ("stream", "extra", "compress")),
    "pydyf.Stream.begin_marked_content": ("pydyf", ("self", "tag", "property_list")),
    "pydyf.Stream.end_marked_content": ("pydyf", ("self",)),
    "pydyf.Stream.show_text": ("pydyf", ("self", "text")),
}
"""Each private name werkboek uses: its library and the parameters werkboek passes (by
name; for a class, its constructor's, after ``self``)."""


def _no_search(name: str) -> None:
    """``ctypes.util.find_library`` that searches nothing (and so runs no program)."""
    return None


def load_libraries() -> None:
    """Open WeasyPrint's C libraries (Pango, HarfBuzz, fontconfig, GObject) without running
    a program.

    WeasyPrint tries several names for each library, the file's own name
    (``libpango-1.0.so.0``) among the last. cffi opens a name with a dot in it directly
    (the dynamic loader finds it in its own cache), and when that fails asks
    ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, ``gcc`` and ``ld``
    (22 searches, 215 programs, for every process that renders). So the libraries are
    first opened with no search at all: the names that are files open, the others are
    passed over. Only where that finds a library missing (another system's names) is the
    import done again with the search, each name searched once.
    """
    if "weasyprint.text.ffi" in sys.modules:
        return
    original = ctypes.util.find_library
    with _INSTALLING:
        try:
            ctypes.util.find_library = _no_search
            try:
                # (WeasyPrint prints a notice before it gives up on a library)
                with contextlib.redirect_stdout(io.StringIO()):
                    importlib.import_module("weasyprint.text.ffi")
            except OSError:
                ctypes.util.find_library = functools.cache(original)
                importlib.import_module("weasyprint.text.ffi")
        finally:
            ctypes.util.find_library = original


def untested(name: str, library: str) -> BuildError:
    """One Dutch line: the installed ``library`` differs from what werkboek was tested with."""
    try:
        version = metadata.version(library)
    except metadata.PackageNotFoundError:
        version = "?"
    return BuildError(
        f"{library} {version} is niet getest met werkboek: {name} heeft een andere vorm; "
        f"installeer {library}{TESTED[library]}"
    )


def _find(name: str, library: str) -> Any:
    """The object ``name`` (a dotted path: a module, then attributes)."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
        except AttributeError:
            break
        return found
    raise untested(name, library)


def _parameters(found: Any) -> tuple[str, ...]:
    function = getattr(found, "__init__") if isinstance(found, type) else found  # noqa: B009
    names = tuple(inspect.signature(function).parameters)
    return names[1:] if isinstance(found, type) else names


@functools.cache
def get(name: str) -> Any:
    """The private name ``name`` of :data:`EXPECTED`, checked: it exists and takes the
    parameters werkboek passes; else :func:`untested` is raised."""
    library, parameters = EXPECTED[name]
    found = _find(name, library)
    if not callable(found):
        raise untested(name, library)
    try:
        names = _parameters(found)
    except (TypeError, ValueError):
        raise untested(name, library) from None
    if names[: len(parameters)] != parameters:
        raise untested(name, library)
    return found


def check() -> None:
    """Every private name of :data:`EXPECTED` as werkboek expects it (or :func:`untested`)."""
    for name in EXPECTED:
        get(name)


def page_box(page: Any) -> Any:
    """The root box of a laid-out WeasyPrint page."""
    try:
        return page._page_box
    except AttributeError:
        raise untested("weasyprint.document.Page._page_box", "weasyprint") from None


def placed_box(box: Any) -> Any:
    """The box an absolutely placed box's placeholder stands for (``_box``), or ``box``."""
    return getattr(box, "_box", box)


def box_attribute(box: Any, name: str) -> Any:
    """Attribute ``name`` of a WeasyPrint box (set by its constructor: no class default)."""
    try:
        return getattr(box, name)
    except AttributeError:
        raise untested(f"weasyprint.formatting_structure.boxes.Box.{name}", "weasyprint") from None


def moved_copy(box: Any, dx: float, dy: float) -> Any:
    """A copy of the laid-out block ``box`` and everything in it, moved by ``(dx, dy)``
    (CSS pixels); it shares the original's styles, elements and text layouts."""
    copied = get("weasyprint.formatting_structure.boxes.BlockBox.deepcopy")(box)
    get("weasyprint.formatting_structure.boxes.BlockBox.translate")(copied, dx, dy)
    return copied


def place_backgrounds(page_box: Any, copy: Any, original: Any) -> None:
    """Place the backgrounds of ``copy`` (a moved copy of ``original``) where it stands on
    the page of ``page_box``, as WeasyPrint placed them after its layout. The images are
    the ones the original's backgrounds hold: nothing is fetched again."""
    try:
        images = _images(original)
    except (AttributeError, KeyError, TypeError, ValueError):
        raise untested("weasyprint.layout.background.BackgroundLayer", "weasyprint") from None

    def image(url: str, orientation: Any = None) -> Any:
        try:
            return images[url, orientation]
        except KeyError:
            raise untested("weasyprint.layout.background.BackgroundLayer", "weasyprint") from None

    get("weasyprint.layout.background.layout_box_backgrounds")(page_box, copy, image)


def _images(original: Any) -> dict[tuple[str, Any], Any]:
    """The images the backgrounds (and border and mask images) below ``original`` hold, by
    the ``url()`` and orientation that named them."""
    images: dict[tuple[str, Any], Any] = {}
    for box in _tree(original):
        style = box_attribute(box, "style")
        orientation = style["image_orientation"]
        background = getattr(box, "background", None)
        if background is not None:
            layers = zip(style["background_image"], background.layers, strict=True)
            for (kind, value), layer in layers:
                if kind == "url":
                    images[value, orientation] = layer.image
        for name, attribute in (
            ("border_image_source", "border_image"),
            ("mask_border_source", "mask_border_image"),
        ):
            kind, value = style[name]
            if kind == "url":
                images[value, None] = getattr(box, attribute)
    return images


def _tree(box: Any) -> Any:
    yield box
    for child in box.all_children():
        yield from _tree(placed_box(child))


def content_corner(box: Any) -> tuple[float, float]:
    """The top left corner of a block's content box (CSS pixels)."""
    x = get("weasyprint.formatting_structure.boxes.BlockBox.content_box_x")(box)
    y = get("weasyprint.formatting_structure.boxes.BlockBox.content_box_y")(box)
    return x, y


def margin_corner(box: Any) -> tuple[float, float]:
    """The top left corner of a block's margin box (CSS pixels)."""
    return box_attribute(box, "position_x"), box_attribute(box, "position_y")


def set_children(box: Any, children: list[Any]) -> None:
    box_attribute(box, "children")
    box.children = children


def page(page_box: Any) -> Any:
    """A WeasyPrint ``Page`` of the root box ``page_box`` (its links, anchors and bookmarks
    gathered from the boxes as they are now)."""
    return get("weasyprint.document.Page")(page_box)


def document(pages: list[Any], html: Any, fetcher: Any, fonts: Any, first: Any, cls: type) -> Any:
    """A WeasyPrint ``Document`` (of class ``cls``, a subclass) of ``pages``, with the
    metadata of the WeasyPrint ``HTML`` document ``html`` and the colour profiles and output
    intent of the document ``first``."""
    get("weasyprint.document.Document")
    metadata_of = get("weasyprint.html.get_html_metadata")
    return cls(
        pages=pages,
        metadata=get("weasyprint.document.DocumentMetadata")(**metadata_of(html)),
        url_fetcher=fetcher,
        font_config=fonts,
        color_profiles=first.color_profiles,
        output_intent=first.output_intent,
    )


def page_break(before: Any, after: Any) -> Any:
    """The page break WeasyPrint puts between the boxes ``before`` and ``after``."""
    return get("weasyprint.layout.block.block_level_page_break")(before, after)


Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]
"""A patch: the function that replaces a private function, given the original."""


def install(patches: dict[str, Wrap]) -> None:
    """Replace each private function named in ``patches`` (a name of :data:`EXPECTED`) by
    ``wrap(original)``, once (renders run in threads: under one lock). The replacement
    keeps the original's signature (``functools.wraps``), so :func:`check` still holds."""
    for name in patches:
        get(name)  # (checked as WeasyPrint has it)
    with _INSTALLING:
        for name, wrap in patches.items():
            where, _, attribute = name.rpartition(".")
            module = importlib.import_module(where)
            original = getattr(module, attribute)
            if getattr(original, "werkboek", False):
                continue
            patched = wrap(original)
            patched.werkboek = True  # type: ignore[attr-defined]
            setattr(module, attribute, patched)


def stream_items(stream: Any) -> list[Any]:
    """The operations written to a pydyf ``Stream`` so far (its ``stream`` list)."""
    try:
        items = stream.stream
    except AttributeError:
        raise untested("pydyf.Stream.stream", "pydyf") from None
    if not isinstance(items, list):
        raise untested("pydyf.Stream.stream", "pydyf")
    return items


LAST_GLYPH = re.compile(rb"\[(.*?)(<[0-9a-f]*)([0-9a-f]{4})>(-?[0-9.]*)\] TJ", re.S)
"""A ``TJ`` as pydyf writes WeasyPrint's glyphs (four hex digits each): all but the last
glyph, and the last with the shift after it."""


def last_glyph_as(stream: Any, since: int, text: str) -> bool:
    """The last glyph shown on ``stream`` after its first ``since`` operations, split off
    into a ``TJ`` of its own in marked content ``/Span`` whose ``/ActualText`` is ``text``
    (what a reader, a search and copy and paste take instead of the glyph's own text); the
    glyphs stay where they are. ``False`` when nothing was shown."""
    items = stream_items(stream)
    for index in range(len(items) - 1, since - 1, -1):
        item = items[index]
        if not (isinstance(item, bytes) and item.endswith(b"] TJ")):
            continue
        found = LAST_GLYPH.fullmatch(item)
        if found is None:
            return False
        before, open_glyphs, glyph, shift = found.groups()
        head = before + (open_glyphs + b">" if open_glyphs != b"<" else b"")
        marked = get("pydyf.Stream")()
        properties = get("pydyf.Dictionary")({"ActualText": get("pydyf.String")(text)})
        get("pydyf.Stream.begin_marked_content")(marked, "Span", properties)
        get("pydyf.Stream.show_text")(marked, b"<" + glyph + b">" + shift)
        get("pydyf.Stream.end_marked_content")(marked)
        shown = [b"[" + head + b"] TJ"] if head else []
        items[index : index + 1] = shown + stream_items(marked)
        return True
    return False


def layout_text(layout: Any) -> str:
    """The text of a text box's Pango layout (WeasyPrint's ``Layout.text``)."""
    try:
        return layout.text  # type: ignore[no-any-return]
    except AttributeError:
        raise untested("weasyprint.text.line_break.Layout.text", "weasyprint") from None


def set_layout_text(layout: Any, text: str) -> None:
    """Set the text of a text box's Pango layout, as WeasyPrint's ``draw_text`` does."""
    get("weasyprint.text.line_break.Layout.set_text")(layout, text, justify=True)


def pdf_string(text: str) -> Any:
    """A PDF text string as WeasyPrint's writer (pydyf) takes it."""
    return get("pydyf.String")(text)


def block_box() -> Any:
    """WeasyPrint's class of block boxes."""
    from weasyprint.formatting_structure import boxes

    return boxes.BlockBox


@functools.cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships (``weasyprint/pdf/sRGB2014.icc``)."""
    from importlib.resources import files

    try:
        data = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    except (OSError, ModuleNotFoundError):
        raise untested("weasyprint/pdf/sRGB2014.icc", "weasyprint") from None
    if data[36:40] != b"acsp" or data[16:20] != b"RGB ":
        raise untested("weasyprint/pdf/sRGB2014.icc", "weasyprint")
    return data
