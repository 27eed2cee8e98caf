"""A trainer's own pages in a workbook: Markdown, checked, turned into safe HTML.

A recipe item ``eigen: welkom.md`` names a Markdown file next to the recipe; ``eigen: |``
followed by Markdown text (what the web app's composer sends) is the page itself. markdown-it-py
renders it as CommonMark with tables, raw HTML off (HTML a trainer types is printed as text)
and its own link check (no ``javascript:``). The first heading is the page's title (its
outline entry and contents line); the headings below it follow on without skipping a level.

Images come only from the recipe's folder (PNG, JPEG or SVG, at most :data:`MAX_IMAGE`
bytes), or in inline text as a ``data:`` URI of those kinds; they go into the HTML as
``data:`` URIs, so the renderer still reads nothing outside the content and styles folders.
Every problem names the Markdown line.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from ..content.fonts import unprintable_problem

MAX_TEXT = 200_000
"""The largest own page (characters), not counting the images in it as ``data:`` URIs."""
MAX_IMAGE = 2_000_000
"""The largest image on an own page (bytes)."""
MAX_INLINE_IMAGES = 4
"""The most images an own page's text carries as ``data:`` URIs."""
MAX_SOURCE = MAX_TEXT + MAX_INLINE_IMAGES * (MAX_IMAGE * 4 // 3 + 100)
"""The largest own page's text, with its ``data:`` URI images (characters)."""
MAX_PIXELS = 12_000_000
"""The most pixels of an image on an own page: a whole A4 page at 300 ppi is 8.7 million.
Checked from the image's header before it is decoded, so a small file that unpacks into a
huge image (a "pixel bomb") costs nothing."""
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
MIN_PPI = 150
"""An image printed at fewer pixels per inch than this looks blurred: a warning."""
PRINT_AREA_MM = (166.0, 120.0)
"""The most an image on an own page prints at, in mm (the A4 page's text width, and
``max-height`` in werkboek.css); smaller images print at their own size, 96 pixels to the
inch (CSS's ``px``: the size WeasyPrint gives an image that says nothing else)."""
CSS_PPI = 96
DATA_URI = re.compile(r"data:(image/(?:png|jpeg|svg\+xml));base64,([A-Za-z0-9+/=\s]+)")


@dataclass(frozen=True)
class OwnPage:
    """One own page, ready to print."""

    title: str
    html: Markup
    source: str
    """What the page came from: its file name, or "tekst" for Markdown in the recipe."""
    files: tuple[Path, ...] = ()
    """The files it was read from (its Markdown file, its images): a run's inputs."""
    warnings: tuple[str, ...] = ()
    """What prints, but not well (an image under :data:`MIN_PPI`), each with its line."""

    @property
    def digest(self) -> str:
        return hashlib.sha256(str(self.html).encode()).hexdigest()[:16]


class OwnPageError(Exception):
    """Problems with an own page: (Markdown line or 0, message) each."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


def is_file_name(value: str) -> bool:
    """``eigen: welkom.md`` names a file; anything else is the Markdown itself."""
    return "\n" not in value and value.strip().lower().endswith((".md", ".markdown"))


def read_own_page(value: str, folder: Path | None) -> OwnPage:
    """The own page an ``eigen:`` value gives; :class:`OwnPageError` with every problem."""
    if is_file_name(value):
        name = value.strip()
        if folder is None:
            raise OwnPageError(
                [
                    (
                        0,
                        f"{name!r}: een eigen pagina uit een bestand kan alleen bij een "
                        "receptbestand",
                    )
                ]
            )
        path = _inside(folder, name)
        if path is None:
            raise OwnPageError([(0, f"{name!r}: alleen bestanden in de map van het recept")])
        if not path.is_file():
            raise OwnPageError([(0, f"{name!r}: bestand niet gevonden naast het recept")])
        if path.stat().st_size > MAX_TEXT * 4:
            raise OwnPageError([(0, f"{name!r}: te groot voor een eigen pagina")])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise OwnPageError([(0, f"{name!r}: geen UTF-8-tekst")]) from None
        page = render(text, name, folder)
        return replace(page, files=(path, *page.files))
    return render(value, "tekst", None)


def render(text: str, source: str, folder: Path | None) -> OwnPage:
    images = len(DATA_URI.findall(text[: MAX_SOURCE + 1]))
    if len(text) > MAX_SOURCE or len(DATA_URI.sub("", text)) > MAX_TEXT:
        raise OwnPageError([(0, f"{source}: een eigen pagina is hoogstens {MAX_TEXT} tekens")])
    if images > MAX_INLINE_IMAGES:
        too_many = (
            f"{source}: hoogstens {MAX_INLINE_IMAGES} afbeeldingen in de tekst van een pagina"
        )
        raise OwnPageError([(0, too_many)])
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse(text)
    problems: list[tuple[int, str]] = []
    title = _headings(tokens, source, problems)
    files: list[Path] = []
    warnings: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):  # (before anything is laid out)
        if problem := unprintable_problem(line):
            problems.append((number, f"{source}:{number}: {problem}"))
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                if (image := _image(child, token, source, folder, problems, warnings)) is not None:
                    files.append(image)
            elif child.type == "softbreak":  # a line end inside a paragraph is a space
                child.type, child.content = "text", " "
    if problems:
        raise OwnPageError(problems)
    html = markdown.renderer.render(tokens, markdown.options, {})
    return OwnPage(
        title=title,
        html=Markup(html),
        source=source,
        files=tuple(files),
        warnings=tuple(warnings),
    )


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _headings(tokens: list[Token], source: str, problems: list[tuple[int, str]]) -> str:
    """The first heading becomes the title (h1); the rest follow on from it, never skipping."""
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        problems.append((1, f"{source}: een eigen pagina begint met een kop (# Titel)"))
        return ""
    first = int(headings[0].tag[1])
    previous, title = 0, ""
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1]) - first + 1
        level = 1 if previous == 0 else max(2, min(level, previous + 1, 6))
        previous = level
        token.tag = f"h{level}"
        tokens[index + 2].tag = f"h{level}"  # its heading_close
        if not title:
            inline = tokens[index + 1]
            title = "".join(
                c.content for c in inline.children or () if c.type in ("text", "code_inline")
            )
            title = title.strip() or inline.content.strip()
    before = [t for t in tokens[: tokens.index(headings[0])] if t.type not in ("hr",)]
    if any(t.type.endswith("_open") or t.type == "inline" for t in before):
        line = _line(headings[0])
        problems.append((line, f"{source}:{line}: zet de titel (de eerste kop) bovenaan"))
    return title


def _image(
    image: Token,
    block: Token,
    source: str,
    folder: Path | None,
    problems: list[tuple[int, str]],
    warnings: list[str],
) -> Path | None:
    """Check an image and put it in the page as a ``data:`` URI; the file it came from."""
    line = _line(block)
    where = f"{source}:{line}" if line else source
    src = str(image.attrs.get("src", ""))
    if not str(image.content).strip():
        problems.append(
            (line, f"{where}: geef de afbeelding een beschrijving: ![beschrijving]({src})")
        )
    path: Path | None = None
    if match := DATA_URI.fullmatch(src):
        data = _decode(match.group(2))
        kind = match.group(1)
    elif re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
        problems.append(
            (
                line,
                f"{where}: afbeelding {src[:80]!r}: alleen afbeeldingen uit de map van het recept",
            )
        )
        return None
    else:
        path = _inside(folder, src) if folder is not None else None
        if folder is None or path is None:
            problems.append(
                (
                    line,
                    f"{where}: afbeelding {src!r}: alleen afbeeldingen uit de map van het recept",
                )
            )
            return None
        kind = IMAGE_TYPES.get(path.suffix.lower(), "")
        if not kind:
            problems.append((line, f"{where}: afbeelding {src!r}: alleen PNG, JPEG of SVG"))
            return None
        if not path.is_file():
            problems.append((line, f"{where}: afbeelding {src!r} niet gevonden"))
            return None
        if path.stat().st_size > MAX_IMAGE:
            problems.append(
                (line, f"{where}: afbeelding {src!r} is groter dan {MAX_IMAGE // 1_000_000} MB")
            )
            return None
        data = path.read_bytes()
    problem = image_problem(data, kind)
    if problem or data is None:
        problems.append((line, f"{where}: afbeelding {src[:80]!r} {problem}"))
        return None
    if low := image_warning(data, kind):
        warnings.append(f"{where}: afbeelding {src[:80]!r} {low}")
    image.attrs["src"] = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return path


def image_problem(data: bytes | None, kind: str) -> str | None:
    """Why an image of ``kind`` (``image/png``, ``image/jpeg``, ``image/svg+xml``) cannot go
    on an own page (larger than :data:`MAX_IMAGE`, not what it says, too many pixels,
    damaged), or ``None``: the same check for a file, a ``data:`` URI and an upload."""
    if data is None or len(data) > MAX_IMAGE or not _looks_like(kind, data):
        return f"is geen geldige {kind.split('/')[1].upper()}"
    if kind != "image/svg+xml":
        return _raster_problem(data, kind)
    return None


def image_warning(data: bytes, kind: str) -> str | None:
    """Why a good image prints blurred (under :data:`MIN_PPI` at its printed size), or
    ``None``."""
    return _low_resolution(data) if kind != "image/svg+xml" else None


def image_markdown(data: bytes, kind: str, alt: str) -> str:
    """An image as Markdown that carries it (a ``data:`` URI), with ``alt`` as its
    description (brackets and line breaks taken out)."""
    said = " ".join(re.sub(r"[\[\]\\]", " ", alt).split())
    return f"![{said}](data:{kind};base64,{base64.b64encode(data).decode()})"


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except ValueError:
        return None


def _looks_like(kind: str, data: bytes) -> bool:
    if kind == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    head = data[:500].lstrip().lower()
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:2000].lower()


def _raster_problem(data: bytes, kind: str) -> str | None:
    """Why a PNG or JPEG cannot go on a page (too many pixels, damaged), or ``None``.

    Pillow reads the size from the header first; only an image within :data:`MAX_PIXELS` is
    decoded whole, with Pillow's own decompression-bomb guard on as well.
    """
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return (
                    f"is {width} × {height} pixels, meer dan {MAX_PIXELS // 1_000_000} "
                    "miljoen: maak hem kleiner"
                )
            expected = {"image/png": "PNG", "image/jpeg": "JPEG"}[kind]
            if image.format != expected:
                return f"is geen geldige {expected}"
            image.verify()  # (a PNG's checksums; WeasyPrint lets truncated images load)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"heeft meer dan {MAX_PIXELS // 1_000_000} miljoen pixels: maak hem kleiner"
    except (OSError, ValueError, SyntaxError, EOFError):
        return f"is beschadigd: geen geldige {kind.split('/')[1].upper()}"
    return None


def print_ppi(width: int, height: int) -> tuple[float, float]:
    """The pixels per inch a ``width`` × ``height`` image prints at on an own page, and its
    printed width in mm: its own size (:data:`CSS_PPI`), made smaller to fit
    :data:`PRINT_AREA_MM`, never larger."""
    natural = (width / CSS_PPI * 25.4, height / CSS_PPI * 25.4)
    scale = min(1.0, PRINT_AREA_MM[0] / natural[0], PRINT_AREA_MM[1] / natural[1])
    printed = natural[0] * scale
    return width / (printed / 25.4), printed


def _low_resolution(data: bytes) -> str | None:
    """Why a raster image prints blurred (under :data:`MIN_PPI`), or ``None``."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    ppi, printed = print_ppi(width, height)
    if ppi >= MIN_PPI:
        return None
    needed = round(width * MIN_PPI / ppi)
    return (
        f"is {width} × {height} pixels en wordt {printed:.0f} mm breed gedrukt: "
        f"{ppi:.0f} ppi, minder dan {MIN_PPI}, dus onscherp (voor {printed:.0f} mm zijn "
        f"{needed} pixels in de breedte nodig)"
    )


def _inside(folder: Path, name: str) -> Path | None:
    """``name`` below ``folder`` (no absolute paths, no way out with ``..`` or a link)."""
    if not name or Path(name).is_absolute() or "\\" in name:
        return None
    path = folder / name
    try:
        if not path.resolve().is_relative_to(folder.resolve()):
            return None
    except OSError:
        return None
    return path
