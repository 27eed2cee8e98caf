"""The tagged PDF finished for PDF/UA-1: what WeasyPrint's tagging cannot be told in HTML.

WeasyPrint's tag tree is first told what the HTML says beyond its element names
(:mod:`.tags`); :func:`finish` then goes over the written PDF with pikepdf:

- the content of the page margins (running heads, the tab bar, folios), whose structure
  elements WeasyPrint builds but never links into the tree, and everything tagged
  ``Artifact``, become pagination artifacts in the content streams; their link annotations
  are dropped (a link must sit in the structure tree, and a running head must not);
- an element split by lines, columns or pages (a link over two lines, a table over three
  pages: the same HTML element, :data:`.structure.SOURCE`) is one; a table's header repeated
  on a later page is a pagination artifact, and its cells name the first header's IDs (in
  the ``/IDTree``); an anonymous box of an element is part of it (no Caption in a Caption);
- a list directly inside a list moves into the list item before it; the pieces of one list
  on a card face (``data-pdf-id="lijst-…"``) are one list; a table-of-contents item's body is
  a Reference, and its nested contents follow that Reference in the item;
- card faces are paired in the tags (:mod:`.faces`);
- every link annotation is printed (the Print flag) and named by its link's whole text
  (``/Contents``); a link's annotations on one page are one, with a quadrilateral per line
  (:mod:`.links`);
- for the print shop's PDF/A file, no Flate stream ends in a line end (:mod:`.pdfa`).

Deterministic: the same PDF in gives the same bytes out. Public pikepdf only; the
marked-content pattern (:data:`.structure.MARKED`) is checked on every page it edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..errors import BuildError
from .faces import FACE_ID_PREFIX, Faces, face_of, pair_faces
from .links import name_links
from .pdfa import without_eol_endings
from .structure import MARKED, SOURCE, children_of, is_element, is_mcid, objgen, page_contents

ARTIFACT = Name("/Artifact")
PRINT = 4
"""The Print flag of an annotation."""
LIST_PIECE = f"{FACE_ID_PREFIX}lijst-"
"""A list cut into pieces (a card's units, one per item): pieces with the same ID that
follow each other are one list."""


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
        kept, faces, headers = _tidy(document, tree, pages)  # one walk of the tree does it all
        for page in pdf.pages:
            _artifacts(pdf, page, tree, kept)
            _annotations(page, tree, kept)
        pair_faces(faces)
        if headers:  # (ISO 32000-1 §14.7.2: the elements with an /ID, by ID)
            root.IDTree = pdf.make_indirect(
                Dictionary(
                    Names=Array(
                        item
                        for element in sorted(headers, key=lambda e: str(e.ID))
                        for item in (element.ID, element)
                    )
                )
            )
        name_links(pdf, data, tree)
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
) -> tuple[set[tuple[int, int]], Faces, list[Any]]:
    """One walk of the tree: ``Artifact`` elements leave it; a link in a link becomes part of
    it; a list directly in a list goes into the item before it; a TOC item's body is a
    Reference; an element split over lines, columns or pages is one. Returns the elements
    that stay (by object id), the card faces by name and the header cells with an ID."""
    kept: set[tuple[int, int]] = set()
    faces: Faces = {}
    headers: list[Any] = []

    def merge(link: Any, inner: Any, flatten: bool = True) -> list[Any]:
        """``inner``'s content, now ``link``'s: its marked content, annotations, elements
        (a link in it, too, with ``flatten``)."""
        moved = []
        for kid in children_of(inner):
            if is_mcid(kid):
                mapping = pages.get(objgen(inner.Pg)) if "/Pg" in inner else None
                if mapping is not None:
                    mapping[int(kid)] = link
                if "/Pg" in inner and "/Pg" in link and objgen(inner.Pg) != objgen(link.Pg):
                    # (a link continued on the next page: its content there by reference)
                    kid = Dictionary(Type=Name("/MCR"), Pg=inner.Pg, MCID=int(kid))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name("/MCR"):
                mapping = pages.get(objgen(kid.Pg))
                if mapping is not None:
                    mapping[int(kid.MCID)] = link
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name("/OBJR"):
                key = kid.Obj.get("/StructParent")
                if key is not None:
                    tree[int(key)] = link
            elif is_element(kid):
                if flatten and Name("/Link") == kid.S:
                    moved.extend(merge(link, kid))
                    continue
                kid.P = link
            moved.append(kid)
        return moved

    def walk(element: Any) -> None:
        kept.add(objgen(element))
        source = element.get(SOURCE)
        if source is not None:
            del element[SOURCE]
        if "/ID" in element and Name("/TH") == element.S:
            headers.append(element)
        ident = element.get("/ID")
        if ident is not None and (face := face_of(str(ident))) is not None:
            faces[face] = element
            del element["/ID"]
        elif ident is not None and str(ident).startswith(LIST_PIECE):
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
        if source is not None and any(_anonymous(k, element, source) for k in kids):
            # an anonymous box of the same HTML element (a caption laid out as a flex box,
            # a paragraph with a block in it): its content is the element's own, not a
            # Caption in a Caption or a P in a P
            flat: list[Any] = []
            for kid in kids:
                if _anonymous(kid, element, source):
                    flat.extend(merge(element, kid, False))
                else:
                    flat.append(kid)
            element.K = Array(flat)
            kids = flat
        if any(is_element(k) and SOURCE in k for k in kids):
            # an element split by lines, columns or pages: one element
            joined: list[Any] = []
            for kid in kids:
                before: Any = joined[-1] if joined else None
                if (
                    is_element(kid)
                    and SOURCE in kid
                    and is_element(before)
                    and before.get(SOURCE) == kid[SOURCE]
                    and before.S == kid.S
                ):
                    if Name("/Table") == kid.S:
                        _without_repeated_header(before, kid)
                    flatten = Name("/Link") == kid.S
                    before.K = Array([*children_of(before), *merge(before, kid, flatten)])
                    continue
                joined.append(kid)
            if len(joined) != len(kids):
                element.K = Array(joined)
                kids = joined
        if any(_list_piece(k) is not None for k in kids):
            kids = _join_list_pieces(kids)
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
            items: list[Any] = []
            for kid in kids:
                items.append(kid)
                if is_element(kid) and Name("/LBody") == kid.S:
                    kid.S = Name("/Reference")
                    # the contents of a principle's parts: in the item, after the reference
                    # (a TOCI holds a TOC; a Reference does not)
                    inner = [k for k in children_of(kid) if is_element(k) and Name("/TOC") == k.S]
                    if inner:
                        gone = {objgen(k) for k in inner}
                        kid.K = Array(
                            k for k in children_of(kid) if not (is_element(k) and objgen(k) in gone)
                        )
                        for toc in inner:
                            toc.P = element
                        items.extend(inner)
            if len(items) != len(kids):
                element.K = Array(items)
                kids = items
        for kid in kids:
            if is_element(kid):
                walk(kid)

    walk(document)
    return kept, faces, headers


def _anonymous(kid: Any, element: Any, source: Any) -> bool:
    return is_element(kid) and kid.S == element.S and kid.get(SOURCE) == source


def _without_repeated_header(table: Any, piece: Any) -> None:
    """A table's piece on the next page repeats its header: that header leaves the tree (its
    content becomes a pagination artifact) and the piece's cells name the table's own."""
    first = next((k for k in children_of(table) if is_element(k) and Name("/THead") == k.S), None)
    heads = [k for k in children_of(piece) if is_element(k) and Name("/THead") == k.S]
    if first is None or not heads:
        return
    own = [e for e in _descendants(first) if Name("/TH") == e.S and "/ID" in e]
    renamed: dict[str, Any] = {}
    for head in heads:
        cells = [e for e in _descendants(head) if Name("/TH") == e.S and "/ID" in e]
        renamed.update((str(c.ID), o.ID) for c, o in zip(cells, own, strict=False))
    gone = {objgen(h) for h in heads}
    piece.K = Array(k for k in children_of(piece) if not (is_element(k) and objgen(k) in gone))
    for cell in _descendants(piece):
        attributes = cell.get("/A")
        if (
            Name("/TD") == cell.S
            and isinstance(attributes, Dictionary)
            and "/Headers" in attributes
        ):
            attributes.Headers = Array(renamed.get(str(h), h) for h in attributes.Headers)


def _descendants(element: Any) -> Iterator[Any]:
    for kid in children_of(element):
        if is_element(kid):
            yield kid
            yield from _descendants(kid)


def _list_piece(element: Any) -> Any | None:
    """The list a card's unit holds (a Div whose one element is a marked list piece)."""
    if not (is_element(element) and Name("/Div") == element.S):
        return None
    inner = [k for k in children_of(element) if is_element(k)]
    if len(inner) == 1 and Name("/L") == inner[0].S:
        ident = inner[0].get("/ID")
        if ident is not None and str(ident).startswith(LIST_PIECE):
            return inner[0]
    return None


def _join_list_pieces(kids: list[Any]) -> list[Any]:
    """The items of a list piece that follows a piece of the same list go into that one;
    its unit leaves the tree."""
    joined: list[Any] = []
    for kid in kids:
        piece = _list_piece(kid)
        before = _list_piece(joined[-1]) if joined else None
        if piece is not None and before is not None and str(before.ID) == str(piece.ID):
            items = children_of(piece)
            for item in items:
                if is_element(item):
                    item.P = before
            before.K = Array([*children_of(before), *items])
            continue
        joined.append(kid)
    return joined
