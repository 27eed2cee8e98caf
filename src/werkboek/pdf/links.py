"""Every link annotation named by the text it covers, as pdfium reads it."""

from __future__ import annotations

import re
from typing import Any

import pikepdf
from pikepdf import Name

LEADER = re.compile(r"(?:\s*\.){3,}\s*")
SPACES = re.compile(r"\s+")


def name_links(pdf: pikepdf.Pdf, data: bytes) -> None:
    """Every link annotation's ``/Contents``: the text under it, as printed (read by pdfium
    from ``data``, the same pages before they were finished)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        for index, page in enumerate(pdf.pages):
            annotations = page.obj.get("/Annots")
            if annotations is None:
                continue
            text = document[index].get_textpage()
            for annotation in annotations:
                if annotation.get("/Subtype") != Name("/Link"):
                    continue
                left, bottom, right, top = sorted_rect(annotation.Rect)
                found = text.get_text_bounded(left=left, bottom=bottom, right=right, top=top)
                name = SPACES.sub(" ", LEADER.sub(" ", found.replace("\ufffe", ""))).strip()
                if name:
                    annotation.Contents = pikepdf.String(name)
    finally:
        document.close()


def sorted_rect(rect: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
