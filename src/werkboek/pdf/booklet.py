"""A booklet for the printer: A5 pages imposed two to an A4 sheet in saddle-stitch order.

Print the sheets double-sided, flipped on the short edge, fold the stack in the middle and
staple on the fold. The pages are placed as they are (vector, fonts and all; pikepdf makes
each A5 page a form XObject on the sheet); blank pages pad the booklet to a multiple of four,
before the back cover. The imposed file is for the printer only: it has no tags, and its
metadata says so and names the accessible A5 file.

- The two pages of a side meet at the fold: no gap, and a colour that runs to the fold runs
  on into the facing page's.
- **Creep**: folded, the inner sheets stick out at the front edge, and after trimming their
  outer margins are narrower. Each page of the n-th sheet from the outside (0, 1, 2 …) is
  shifted toward the fold by n × :data:`PAPER_MM` (0.1 mm: 80–100 g/m² offset or copier
  paper); what would cross the fold is cut at it.
- Every sheet has a TrimBox (the two A5 pages side by side, 296 × 210 mm) and a BleedBox: when
  the A5 pages have a bleed (the print shop's files), the sheet grows by it and each page's
  bleed is placed on its three outer sides; else the sheet is A4 and the BleedBox the TrimBox.

Public pikepdf only.
"""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary

A4_LANDSCAPE = (841.8898, 595.2756)
"""An A4 sheet on its side, in points."""
PAPER_MM = 0.1
"""The paper's thickness assumed for creep compensation, in mm."""
PT = 72 / 25.4


def saddle_stitch(count: int) -> list[tuple[int | None, int | None]]:
    """The two pages (0-based, ``None`` for a blank) on each side of each sheet, in order:
    front of sheet 1, back of sheet 1, front of sheet 2 …; left page first."""
    padded = -(-count // 4) * 4
    # the blanks go before the back cover: the last page stays the last
    pages: list[int | None] = [*range(count - 1), *([None] * (padded - count)), count - 1]
    sides = []
    for sheet in range(padded // 4):
        sides.append((pages[padded - 1 - 2 * sheet], pages[2 * sheet]))
        sides.append((pages[2 * sheet + 1], pages[padded - 2 - 2 * sheet]))
    return sides


def _box(values: list[float]) -> Array:
    return Array([Decimal(f"{v:.4f}") for v in values])


def impose(a5: bytes, title: str, accessible_name: str) -> bytes:
    """The A5 pages of ``a5`` as a saddle-stitched booklet on A4 sheets (see the module)."""
    with pikepdf.open(BytesIO(a5)) as source, pikepdf.new() as booklet:
        first = source.pages[0]
        trim = [float(v) for v in first.trimbox]
        bleed = max(0.0, trim[0] - float(first.bleedbox[0]))
        page_width, page_height = trim[2] - trim[0], trim[3] - trim[1]
        if bleed:
            width, height = 2 * page_width + 2 * bleed, page_height + 2 * bleed
        else:
            width, height = A4_LANDSCAPE
        fold = width / 2
        bottom = (height - page_height) / 2
        spread = [fold - page_width, bottom, fold + page_width, bottom + page_height]
        forms: dict[int, pikepdf.Object] = {}
        for side, (left, right) in enumerate(saddle_stitch(len(source.pages))):
            creep = (side // 2) * PAPER_MM * PT  # (two sides to a sheet)
            booklet.add_blank_page(page_size=(width, height))
            sheet = booklet.pages[-1]
            sheet.obj.TrimBox = _box(spread)
            sheet.obj.BleedBox = _box(
                [spread[0] - bleed, spread[1] - bleed, spread[2] + bleed, spread[3] + bleed]
            )
            drawn = []
            resources = Dictionary()
            for index, on_left in ((left, True), (right, False)):
                if index is None:
                    continue
                page = source.pages[index]
                box = [float(v) for v in page.trimbox]
                # the page's trim edge at the fold, moved toward it by the creep
                dx = (fold - box[2] + creep) if on_left else (fold - box[0] - creep)
                dy = bottom - box[1]
                # what shows: the trim and its bleed, but nothing across the fold
                clip = [box[0] - bleed, box[1] - bleed, box[2] + bleed, box[3] + bleed]
                if on_left:
                    clip[2] = box[2] - creep
                else:
                    clip[0] = box[0] + creep
                if index not in forms:
                    forms[index] = booklet.copy_foreign(page.as_form_xobject())
                    # (the whole page, bleed and all: the clip above says what shows)
                    forms[index].BBox = _box([float(v) for v in page.mediabox])
                form = forms[index]
                name = f"/P{index}"
                resources[name] = form
                drawn.append(
                    f"q {clip[0] + dx:.4f} {clip[1] + dy:.4f} {clip[2] - clip[0]:.4f} "
                    f"{clip[3] - clip[1]:.4f} re W n 1 0 0 1 {dx:.4f} {dy:.4f} cm {name} Do Q"
                )
            sheet.obj.Resources = Dictionary(XObject=resources)
            sheet.obj.Contents = booklet.make_stream("\n".join(drawn).encode())
        booklet.docinfo["/Title"] = f"{title} — boekje om te drukken"
        booklet.docinfo["/Subject"] = (
            "Voor de drukker: A5-pagina's twee aan twee op A4, dubbelzijdig afdrukken, "
            "omslaan langs de korte kant, vouwen en nieten. Niet toegankelijk (zonder tags); "
            f"lees en deel {accessible_name}."
        )
        booklet.docinfo["/Creator"] = "werkboek"
        if "/OutputIntents" in source.Root:  # the print shop's A5 pages: a PDF/X-4 booklet
            _print_shop_metadata(source, booklet)
        out = BytesIO()
        booklet.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _print_shop_metadata(source: pikepdf.Pdf, booklet: pikepdf.Pdf) -> None:
    """The A5 file's output intent, PDF/X metadata and dates, with the booklet's title and
    subject in both the XMP and the document information (they must agree)."""
    booklet.Root.OutputIntents = Array(
        booklet.copy_foreign(source.make_indirect(intent)) for intent in source.Root.OutputIntents
    )
    booklet.Root.Metadata = booklet.copy_foreign(source.Root.Metadata)
    for key in ("/CreationDate", "/ModDate", "/Trapped"):
        if key in source.docinfo:
            booklet.docinfo[key] = source.docinfo[key]
    xmp = booklet.Root.Metadata.read_bytes().decode()
    for element, key in (("dc:title", "/Title"), ("dc:description", "/Subject")):
        text = escape(str(booklet.docinfo[key]))
        found = re.search(rf"<{element}>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp, flags=re.S)
        if found:
            xmp = xmp[: found.start(1)] + text + xmp[found.end(1) :]
    booklet.Root.Metadata = booklet.make_stream(
        xmp.encode(), Type=pikepdf.Name("/Metadata"), Subtype=pikepdf.Name("/XML")
    )
