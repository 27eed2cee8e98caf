"""A walk of a tagged PDF's structure tree, as a screen reader meets it: for the tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
from pikepdf import Array, Dictionary, Name

BDC = re.compile(rb"/(\w+)\s*(<<[^>]*>>)?\s*BDC")


@dataclass
class Element:
    type: str
    obj: Any
    parent: Element | None
    children: list[Element] = field(default_factory=list)
    mcids: list[tuple[int, int]] = field(default_factory=list)
    """(page index, MCID) of the marked content directly in this element."""
    annotations: list[Any] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.walk()

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass
class Tagged:
    pdf: pikepdf.Pdf
    root: Element
    pages: dict[tuple[int, int], int]
    data: bytes

    @classmethod
    def open(cls, source: Path | bytes) -> Tagged:
        data = source if isinstance(source, bytes) else source.read_bytes()
        pdf = pikepdf.open(BytesIO(data))
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        tree = pdf.Root.StructTreeRoot
        top = Element("StructTreeRoot", tree, None)
        tagged = cls(pdf, top, pages, data)
        for kid in _list(tree.K):
            top.children.append(tagged._element(kid, top, None))
        return tagged

    def _element(self, obj: Any, parent: Element, page: int | None) -> Element:
        element = Element(str(obj.S)[1:], obj, parent)
        if "/Pg" in obj:
            page = self.pages.get(obj.Pg.objgen, page)
        for kid in _list(obj.get("/K")):
            if isinstance(kid, int) or (
                isinstance(kid, pikepdf.Object) and kid._type_code == pikepdf.ObjectType.integer
            ):
                assert page is not None
                element.mcids.append((page, int(kid)))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name("/OBJR"):
                element.annotations.append(kid.Obj)
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name("/MCR"):
                element.mcids.append((self.pages[kid.Pg.objgen], int(kid.MCID)))
            elif isinstance(kid, Dictionary):
                element.children.append(self._element(kid, element, page))
        return element

    def elements(self, type_: str | None = None) -> list[Element]:
        return [e for e in self.root.walk() if type_ is None or e.type == type_]

    def reachable(self) -> set[tuple[int, int]]:
        return {e.obj.objgen for e in self.root.walk() if e.parent is not None}

    def parent_tree(self) -> dict[int, Any]:
        nums = self.pdf.Root.StructTreeRoot.ParentTree.Nums
        return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}

    def orphans(self) -> list[str]:
        """Elements the parent tree names that the tree itself does not hold."""
        reachable, found = self.reachable(), []
        for value in self.parent_tree().values():
            for element in _list(value) if isinstance(value, Array) else [value]:
                if isinstance(element, Dictionary) and element.objgen not in reachable:
                    found.append(str(element.S))
        return found

    def annotations(self) -> Iterator[tuple[int, Any]]:
        for index, page in enumerate(self.pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                yield index, annotation

    def marked_content(self, page: int) -> list[tuple[str, Dictionary | None]]:
        """The (tag, properties) of every marked-content sequence on a page, in order."""
        found = []
        for operands, operator in pikepdf.parse_content_stream(self.pdf.pages[page]):
            if str(operator) == "BDC":
                found.append((str(operands[0])[1:], operands[1]))
            elif str(operator) == "BMC":
                found.append((str(operands[0])[1:], None))
        return found

    def text_in(self, page: int, rect: Any) -> str:
        x1, y1, x2, y2 = (float(v) for v in rect)
        document = pypdfium2.PdfDocument(self.data)
        try:
            text = document[page].get_textpage()
            return text.get_text_bounded(
                left=min(x1, x2), bottom=min(y1, y2), right=max(x1, x2), top=max(y1, y2)
            )
        finally:
            document.close()

    def text_under(self, page: int, annotation: Any) -> list[str]:
        """The text under an annotation, line by line (its ``/QuadPoints``, else its
        ``/Rect``); each quadrilateral's corners in any order."""
        if "/QuadPoints" not in annotation:
            return [self.text_in(page, annotation.Rect)]
        q = [float(v) for v in annotation.QuadPoints]
        boxes = [(q[i : i + 8 : 2], q[i + 1 : i + 8 : 2]) for i in range(0, len(q), 8)]
        return [self.text_in(page, (min(x), min(y), max(x), max(y))) for x, y in boxes]

    def text_of(self, element: Element) -> list[str]:
        """The text of the marked content in ``element`` and the elements in it, in the
        order of the tags (read by ``outloud``), one string per marked-content sequence."""
        from outloud.model import Document as OutloudDocument

        if not hasattr(self, "_texts"):
            checker = OutloudDocument(BytesIO(self.data))  # type: ignore[arg-type]
            self._texts = {
                (index, mcid): text
                for index in range(len(self.pdf.pages))
                for (_, mcid), text in checker.content(index).mcid_text.items()
            }
        return [self._texts.get(m, "") for e in element.walk() for m in e.mcids]

    def headings(self) -> list[int]:
        return [int(e.type[1]) for e in self.root.walk() if re.fullmatch(r"H[1-6]", e.type)]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def skipped_levels(levels: list[int]) -> list[tuple[int, int]]:
    """Each heading that goes more than one level deeper than the one before it."""
    jumps, previous = [], 0
    for level in levels:
        if level > previous + 1:
            jumps.append((previous, level))
        previous = level
    return jumps
