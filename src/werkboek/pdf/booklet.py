"""A booklet for the printer: A5 pages imposed two to an A4 sheet in saddle-stitch order.

Print the sheets double-sided, flipped on the short edge, fold the stack in the middle and
staple on the fold. The pages are placed as they are (vector, fonts and all; pikepdf makes
each A5 page a form XObject on the sheet); blank pages pad the booklet to a multiple of four,
before the back cover. The imposed file is for the printer only: it has no tags, and its
metadata says so and names the accessible A5 file.

Public pikepdf only.
"""

from __future__ import annotations

from io import BytesIO

import pikepdf

A4_LANDSCAPE = (841.8898, 595.2756)
"""An A4 sheet on its side, in points."""


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


def place(
    sheet: pikepdf.Page,
    page: pikepdf.Page,
    index: int,
    x0: float,
    y0: float,
    page_width: float,
    page_height: float,
) -> None:
    """``page`` on ``sheet`` as a form XObject, as ``Page.add_overlay`` places it, but named
    after the page's number: add_overlay names it at random, so no two booklets were the
    same bytes."""
    formx = page.as_form_xobject()
    name = sheet.add_resource(formx, pikepdf.Name.XObject, name=pikepdf.Name(f"/Pagina{index + 1}"))
    rect = pikepdf.Rectangle(x0, y0, x0 + page_width, y0 + page_height)
    placed = sheet.calc_form_xobject_placement(formx, name, rect)
    sheet.contents_add(b"q\n", prepend=True)
    sheet.contents_add(b"Q\n", prepend=False)
    sheet.contents_add(placed, prepend=False)
    sheet.contents_coalesce()


def impose(a5: bytes, title: str, accessible_name: str) -> bytes:
    """The A5 pages of ``a5`` as a saddle-stitched booklet on A4 sheets."""
    width, height = A4_LANDSCAPE
    with pikepdf.open(BytesIO(a5)) as source, pikepdf.new() as booklet:
        for left, right in saddle_stitch(len(source.pages)):
            booklet.add_blank_page(page_size=(width, height))
            sheet = booklet.pages[-1]
            for index, x in ((left, 0.0), (right, width / 2)):
                if index is None:
                    continue
                page = source.pages[index]
                box = page.trimbox
                page_width = float(box[2]) - float(box[0])
                page_height = float(box[3]) - float(box[1])
                # centred in its half (an A5 page is a hair narrower than half an A4 sheet)
                x0 = x + (width / 2 - page_width) / 2
                y0 = (height - page_height) / 2
                place(sheet, page, index, x0, y0, page_width, page_height)
        booklet.docinfo["/Title"] = f"{title} — boekje om te drukken"
        booklet.docinfo["/Subject"] = (
            "Voor de drukker: A5-pagina's twee aan twee op A4, dubbelzijdig afdrukken, "
            "omslaan langs de korte kant, vouwen en nieten. Niet toegankelijk (zonder tags); "
            f"lees en deel {accessible_name}."
        )
        booklet.docinfo["/Creator"] = "werkboek"
        out = BytesIO()
        booklet.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()
