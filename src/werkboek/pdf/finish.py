"""The tagged PDF finished for PDF/UA-1: what WeasyPrint's tagging cannot be told in HTML.

WeasyPrint's tag tree is first told what the HTML says beyond its element names
(:mod:`.tags`); :func:`finish` then goes over the written PDF with pikepdf:

- the content of the page margins (running heads, the tab bar, folios), whose structure
  elements WeasyPrint builds but never links into the tree, and everything tagged
  ``Artifact``, become pagination artifacts in the content streams; their link annotations
  are dropped (a link must sit in the structure tree, and a running head must not);
- a list directly inside a list moves into the list item before it; a table-of-contents
  item's body is a Reference;
- card faces are paired in the tags (:mod:`.faces`);
- every link annotation is printed (the Print flag) and named by its visible text
  (``/Contents``, :mod:`.links`);
- for the print shop's PDF/A file, no Flate stream ends in a line end (:mod:`.pdfa`).

Deterministic: the same PDF in gives the same bytes out. Public pikepdf only; the
marked-content pattern (:data:`.structure.MARKED`) is checked on every page it edits.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..errors import BuildError
from .faces import Faces, face_of, pair_faces
from .links import name_links
from .pdfa import without_eol_endings
from .structure import MARKED, children_of, is_element, is_mcid, objgen, page_contents

ARTIFACT = Name("/Artifact")
PRINT = 4
"""The Print flag of an annotation."""


def finish(data: bytes, *, pdf_a: bool = False) -> bytes:
    """The PDF ``data`` finished for PDF/UA-1 (see the module's docstring); with ``pdf_a``
    also for strict PDF/A checkers (see :func:`.pdfa.without_eol_endings`)."""
    with pikepdf.open(BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        nums = root.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        pages = {
            objgen(page.obj): tree.get(int(page.obj.get("/StructParents", -1)))
            for page in pdf.pages
        }
        document = root.K[0] if isinstance(root.K, Array) else root.K
        kept, faces = _tidy(document, tree, pages)  # one walk of the tree does it all
        for page in pdf.pages:
            _artifacts(pdf, page, tree, kept)
            _annotations(page, tree, kept)
        pair_faces(faces)
        name_links(pdf, data)
        root.ParentTree.Nums = Array(
            item for number, value in sorted(tree.items()) for item in (number, value)
        )
        out = BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
    return without_eol_endings(out.getvalue()) if pdf_a else out.getvalue()


def _artifacts(
    pdf: pikepdf.Pdf, page: pikepdf.Page, tree: dict[int, Any], kept: set[tuple[int, int]]
) -> None:
    """Marked content whose element is not in the tree becomes a pagination artifact."""
    number = page.obj.get("/StructParents")
    if number is None or int(number) not in tree:
        return
    mapping = tree[int(number)]
    orphans = {
        mcid
        for mcid, element in enumerate(mapping)
        if isinstance(element, Dictionary) and objgen(element) not in kept
    }
    if not orphans:
        return

    # a byte-level edit (see MARKED), ten times faster than parsing the stream into operators
    def replace(match: re.Match[bytes]) -> bytes:
        if int(match.group(2)) in orphans:
            return b"/Artifact <</Type /Pagination>> BDC"
        return match.group(0)

    data, found = MARKED.subn(replace, page_contents(page))
    if not found:  # (WeasyPrint writes marked content otherwise: nothing would be marked)
        raise BuildError(
            "de PDF van WeasyPrint heeft geen gemarkeerde inhoud in de vorm die werkboek kent; "
            "installeer weasyprint>=70,<71"
        )
    page.obj.Contents = pdf.make_stream(data)
    for mcid in orphans:
        mapping[mcid] = pikepdf.Object.parse(b"null")


def _annotations(page: pikepdf.Page, tree: dict[int, Any], kept: set[tuple[int, int]]) -> None:
    """Drop the links of artifacts; print every other annotation."""
    annotations = page.obj.get("/Annots")
    if annotations is None:
        return
    staying = []
    for annotation in annotations:
        key: Any = annotation.get("/StructParent")
        element = tree.get(int(key)) if key is not None else None
        if isinstance(element, Dictionary) and objgen(element) not in kept:
            tree.pop(int(key))
            continue
        annotation.F = int(annotation.get("/F", 0)) | PRINT
        staying.append(annotation)
    if staying:
        page.obj.Annots = Array(staying)
    else:
        del page.obj["/Annots"]


def _tidy(
    document: Any, tree: dict[int, Any], pages: dict[tuple[int, int], Any]
) -> tuple[set[tuple[int, int]], Faces]:
    """One walk of the tree: ``Artifact`` elements leave it; a link in a link becomes part of
    it; a list directly in a list goes into the item before it; a TOC item's body is a
    Reference. Returns the elements that stay (by object id) and the card faces by name."""
    kept: set[tuple[int, int]] = set()
    faces: Faces = {}

    def merge(link: Any, inner: Any) -> list[Any]:
        """``inner``'s content, now ``link``'s: its marked content, annotations, elements."""
        moved = []
        for kid in children_of(inner):
            if is_mcid(kid):
                mapping = pages.get(objgen(inner.Pg)) if "/Pg" in inner else None
                if mapping is not None:
                    mapping[int(kid)] = link
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name("/OBJR"):
                key = kid.Obj.get("/StructParent")
                if key is not None:
                    tree[int(key)] = link
            elif is_element(kid):
                if Name("/Link") == kid.S:
                    moved.extend(merge(link, kid))
                    continue
                kid.P = link
            moved.append(kid)
        return moved

    def walk(element: Any) -> None:
        kept.add(objgen(element))
        ident = element.get("/ID")
        if ident is not None and (face := face_of(str(ident))) is not None:
            faces[face] = element
            del element["/ID"]
        kids = children_of(element)
        if Name("/Link") == element.S and any(is_element(k) and Name("/Link") == k.S for k in kids):
            merged: list[Any] = []
            for kid in kids:
                if is_element(kid) and Name("/Link") == kid.S:
                    merged.extend(merge(element, kid))
                else:
                    merged.append(kid)
            element.K = Array(merged)
            kids = merged
        if any(is_element(k) and k.S == ARTIFACT for k in kids):  # (after a merge, too)
            kids = [k for k in kids if not (is_element(k) and k.S == ARTIFACT)]
            element.K = Array(kids)
        if Name("/L") == element.S:
            staying: list[Any] = []
            for kid in kids:
                if is_element(kid) and Name("/L") == kid.S:
                    item = staying[-1] if staying else None
                    bodies = [
                        k for k in (children_of(item) if is_element(item) else []) if is_element(k)
                    ]
                    if item is not None and is_element(item) and Name("/LI") == item.S and bodies:
                        body = bodies[-1]  # a sublist of that item: in its body
                        body.K = Array([*children_of(body), kid])
                        kid.P = body
                    else:  # a piece of the same list (split by a page or a column)
                        for grandchild in children_of(kid):
                            if is_element(grandchild):
                                grandchild.P = element
                            staying.append(grandchild)
                    continue
                staying.append(kid)
            if len(staying) != len(kids):
                element.K = Array(staying)
                kids = staying
        if Name("/TOCI") == element.S:
            for kid in kids:
                if is_element(kid) and Name("/LBody") == kid.S:
                    kid.S = Name("/Reference")
        for kid in kids:
            if is_element(kid):
                walk(kid)

    walk(document)
    return kept, faces
