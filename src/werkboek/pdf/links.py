"""Every link annotation named by its link's whole text, as pdfium reads it; a link printed
over lines is one annotation per page, with a quadrilateral per line."""

from __future__ import annotations

import re
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from .structure import children_of, objgen

LEADER = re.compile(r"(?:\s*\.){3,}\s*")
SPACES = re.compile(r"\s+")
CONTROL = re.compile("[\x00-\x1f\x7f\ufffe]")
"""Never in a link's name: C0 controls and pdfium's markers (``\\x02`` a hyphen at a line
end, handled first; ``\\ufffe`` an unknown glyph)."""
LINE_END_HYPHEN = "\x02"


def name_links(pdf: pikepdf.Pdf, data: bytes, tree: dict[int, Any]) -> None:
    """Every link annotation's ``/Contents``: the whole text of its link as printed (read by
    pdfium from ``data``, the same pages before they were finished), over every line it
    takes; a link's annotations on one page become one, with a quadrilateral per line."""
    import pypdfium2

    links: dict[tuple[int, int], list[tuple[pikepdf.Page, Any, str]]] = {}
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
                key: Any = annotation.get("/StructParent")
                element = tree.get(int(key)) if key is not None else None
                owner = objgen(element) if isinstance(element, Dictionary) else objgen(annotation)
                links.setdefault(owner, []).append((page, annotation, found))
    finally:
        document.close()
    for parts in links.values():
        name = link_name([found for _, _, found in parts])
        for _, annotation, _ in parts:
            if name:
                annotation.Contents = pikepdf.String(name)
        if len(parts) > 1:
            _one_annotation_per_page(parts, tree)


def link_name(parts: list[str]) -> str:
    """The name of a link printed in ``parts`` (pdfium's text of each line): the parts of an
    address joined as they are, those of words with a space; never a control character."""
    cleaned = [
        CONTROL.sub("", LEADER.sub(" ", part.replace(LINE_END_HYPHEN, "-"))).strip()
        for part in parts
    ]
    cleaned = [part for part in cleaned if part]
    address = not any(SPACES.search(part) for part in cleaned)
    name = ""
    for part in cleaned:
        if name and not address and not name.endswith(("/", "-")):
            name += " "
        name += part
    return SPACES.sub(" ", name)


def _one_annotation_per_page(
    parts: list[tuple[pikepdf.Page, Any, str]], tree: dict[int, Any]
) -> None:
    """The annotations of one link on one page: one, whose ``/QuadPoints`` are the lines'."""
    by_page: dict[tuple[int, int], list[Any]] = {}
    for page, annotation, _ in parts:
        by_page.setdefault(objgen(page.obj), []).append(annotation)
    for page, _, _ in parts:
        annotations = by_page.pop(objgen(page.obj), [])
        if len(annotations) < 2:
            continue
        first, rest = annotations[0], annotations[1:]
        rects = [sorted_rect(a.Rect) for a in annotations]
        first.Rect = Array(
            [
                min(r[0] for r in rects),
                min(r[1] for r in rects),
                max(r[2] for r in rects),
                max(r[3] for r in rects),
            ]
        )
        # each line's four corners counterclockwise (ISO 32000-1, Table 173)
        first.QuadPoints = Array(
            [v for x1, y1, x2, y2 in rects for v in (x1, y1, x2, y1, x2, y2, x1, y2)]
        )
        gone = {objgen(a) for a in rest}
        page.obj.Annots = Array(a for a in page.obj.Annots if objgen(a) not in gone)
        element = tree.get(int(first.StructParent))
        if isinstance(element, Dictionary):
            element.K = Array(
                k
                for k in children_of(element)
                if not (
                    isinstance(k, Dictionary)
                    and k.get("/Type") == Name("/OBJR")
                    and objgen(k.Obj) in gone
                )
            )
        for annotation in rest:
            tree.pop(int(annotation.StructParent), None)


def sorted_rect(rect: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
