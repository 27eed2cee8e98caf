"""The tagged PDF finished for PDF/UA-1: what WeasyPrint's tagging cannot be told in HTML.

WeasyPrint 70 tags a PDF from the HTML element names alone, and leaves a few things that
independent checkers (and screen-reader users) trip over. Two steps put them right:

1. :func:`install` wraps WeasyPrint's tag-tree builder so the HTML can say more than its
   element names: ``data-pdf-tag="TOC"`` (or ``TOCI``, ``Artifact``…) names an element's
   structure type; a ``leader()``'s dots become an artifact; the ``::before``/``::after`` boxes
   of a link are part of that link (a Span in it), not a second link inside it.
2. :func:`finish` goes over the written PDF with pikepdf:

   - the content of the page margins (running heads, the tab bar, folios), whose structure
     elements WeasyPrint builds but never links into the tree, and everything tagged
     ``Artifact``, become pagination artifacts in the content streams; their link annotations
     are dropped (a link must sit in the structure tree, and a running head must not);
   - a list directly inside a list moves into the list item before it; a table-of-contents
     item's body is a Reference;
   - every link annotation is printed (the Print flag) and named by its visible text
     (``/Contents``), which pdfium reads from the page under the link.

Both steps are deterministic: the same PDF in gives the same bytes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

ARTIFACT = Name("/Artifact")
MARKED = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
FACE_ID_PREFIX = "werkboek:"
FACE = re.compile(r"werkboek:kaart-(\d+)-(\d+)-(voor|achter)")
LIST_PIECE = "werkboek:lijst-"
"""A list cut into pieces (a card's units, one per item): pieces with the same ID that
follow each other are one list."""
PAGINATION = Dictionary(Type=Name("/Pagination"))
PRINT = 4
"""The Print flag of an annotation."""

LEADER = re.compile(r"(?:\s*\.){3,}\s*")
SPACES = re.compile(r"\s+")
CONTROL = re.compile("[\x00-\x1f\x7f\ufffe]")
"""Never in a link's name: C0 controls and pdfium's markers (``\\x02`` a hyphen at a line
end, handled first; ``\\ufffe`` an unknown glyph)."""
LINE_END_HYPHEN = "\x02"
SOURCE = Name("/WerkboekSource")
"""Which HTML element a structure element comes from: only between the two steps."""


# ----------------------------------------------------------------- step 1: the tag tree


def install() -> None:
    """Wrap WeasyPrint's tag-tree builder once (see the module's docstring), and keep the
    spaces between words in the text (:func:`_keep_spaces`)."""
    from weasyprint.pdf import tags

    _keep_spaces()
    if getattr(tags._build_box_tree, "werkboek", False):
        return
    original = tags._build_box_tree

    def build(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        own = getattr(box, "_box", box)  # an absolute placeholder stands for its box
        for element in original(box, parent, *args):
            if element["P"] == parent.reference:  # this box's element, not a grandchild
                _adjust(own, element)
            yield element

    build.werkboek = True  # type: ignore[attr-defined]
    tags._build_box_tree = build


SPACE_KEPT = "werkboek_space"
"""Set on a text box whose space at the end of its line WeasyPrint removed."""
BLANK = "\u200b"
"""What a text box of spaces only says it holds while it is drawn: not blank (see below)."""


def _keep_spaces() -> None:
    """Text read out of the PDF (through the tags, by copy and paste) has a space between
    words: WeasyPrint draws no text box of spaces only (the space between two inline
    elements: "Koffie" "of" "Thee") and removes the space where a line breaks
    ("wat is" "daarin"). Both are drawn now, as a space: no ink, so the pages look the same,
    but the space is in the text, in the marked content of its element.

    The private names: ``weasyprint.layout.inline.split_text_box`` (leaves the space where
    it breaks a line between the two lines: the first line's box is marked now),
    ``weasyprint.layout.inline.remove_last_whitespace`` (removes a space at a line's end,
    and now marks the box), ``weasyprint.draw.text.draw_first_line`` (skips a blank box,
    and draws a marked box's text with its space; its layout's text set as ``draw_text``
    sets it, ``Layout.set_text(text, justify=True)``).
    """
    from weasyprint.draw import text as drawing
    from weasyprint.layout import inline

    if getattr(drawing.draw_first_line, "werkboek", False):
        return
    split, strip, draw = (
        inline.split_text_box,
        inline.remove_last_whitespace,
        drawing.draw_first_line,
    )

    def split_text_box(
        context: Any, box: Any, available: Any, skip: int, *args: Any, **kwargs: Any
    ) -> Any:
        first, resume, preserved = found = split(context, box, available, skip, *args, **kwargs)
        if first is not None and resume is not None and not preserved:
            between = box.text.encode()[skip + len(first.text.encode()) : resume]
            if between and not between.strip(b" "):  # (not at a hyphen, not mid-word)
                setattr(first, SPACE_KEPT, True)
        return found

    def remove_last_whitespace(context: Any, line: Any) -> None:
        box = line
        while getattr(box, "children", None) and not hasattr(box, "text"):
            box = box.children[-1]
        before = getattr(box, "text", None)
        strip(context, line)
        if before is not None and box.text != before:
            setattr(box, SPACE_KEPT, True)

    def draw_first_line(stream: Any, textbox: Any, *args: Any) -> Any:
        layout, text = textbox.pango_layout, textbox.text
        spaced = getattr(textbox, SPACE_KEPT, False)
        if not (spaced or (text and not text.strip())):
            return draw(stream, textbox, *args)
        drawn = layout.text
        if spaced:
            layout.set_text(drawn + " ", justify=True)
        textbox.text = text if text.strip() else BLANK
        try:
            return draw(stream, textbox, *args)
        finally:
            textbox.text = text
            if spaced:
                layout.set_text(drawn, justify=True)

    inline.split_text_box = split_text_box
    remove_last_whitespace.werkboek = True  # type: ignore[attr-defined]
    draw_first_line.werkboek = True  # type: ignore[attr-defined]
    inline.remove_last_whitespace = remove_last_whitespace
    drawing.draw_first_line = draw_first_line


def _adjust(box: Any, element: Any) -> None:
    tag = box.element_tag if box.element is not None else None
    if getattr(box, "is_leader", False):
        element["S"] = "/Artifact"
    elif tag and "::" in tag:
        if element["S"] == "/Link" and not box.link_annotation:
            element["S"] = "/Span"
    elif tag and (wanted := box.element.get("data-pdf-tag")) and element["S"] != "/LBody":
        # (a list item without a marker is an LI around an LBody, both for the same box:
        # the name goes to the item, its body stays a body)
        element["S"] = f"/{wanted}"
    if tag and "::" not in tag and (ident := box.element.get("data-pdf-id")):
        import pydyf

        element["ID"] = pydyf.String(f"{FACE_ID_PREFIX}{ident}")
    if tag and "::" not in tag and str(SOURCE)[1:] not in element:
        # an element split by a line, a column or a page is two boxes, two elements (a link
        # over two lines, a table over three pages): the same HTML element says they are one
        # (joined in :func:`_tidy`; the key leaves the file there). Its own box comes first:
        # the html and body boxes pass their children's elements on, adjusted again.
        element[str(SOURCE)[1:]] = id(box.element)  # (alive while the PDF is written)


# ----------------------------------------------------------------- step 2: the PDF


def finish(data: bytes, *, pdf_a: bool = False) -> bytes:
    """The PDF ``data`` finished for PDF/UA-1 (see the module's docstring); with ``pdf_a``
    also for strict PDF/A checkers (see :func:`_without_eol_endings`)."""
    with pikepdf.open(BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        nums = root.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        pages = {
            _key(page.obj): tree.get(int(page.obj.get("/StructParents", -1))) for page in pdf.pages
        }
        document = root.K[0] if isinstance(root.K, Array) else root.K
        kept, faces, headers = _tidy(document, tree, pages)  # one walk of the tree does it all
        for page in pdf.pages:
            _artifacts(pdf, page, tree, kept)
            _annotations(page, tree, kept)
        _pair_faces(faces)
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
        _name_links(pdf, data, tree)
        root.ParentTree.Nums = Array(
            item for key, value in sorted(tree.items()) for item in (key, value)
        )
        out = BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
    return _without_eol_endings(out.getvalue()) if pdf_a else out.getvalue()


def _without_eol_endings(saved: bytes) -> bytes:
    """Give every Flate stream whose compressed bytes end in a line end a hex layer.

    Strict PDF/A checkers read such a stream's ``/Length`` as one byte off (the line end
    before ``endstream`` looks like part of the data). The last bytes of Flate data are the
    checksum of the content, so no compression setting changes them; an ASCIIHex layer over
    it ends in ``>``. About one stream in sixty, each twice its size; the same stream always
    gets the same bytes.
    """
    with pikepdf.open(BytesIO(saved)) as pdf:
        changed = False
        for stream in pdf.objects:
            if (
                isinstance(stream, pikepdf.Stream)
                and stream.get("/Filter") == Name("/FlateDecode")
                and stream.read_raw_bytes()[-1:] in (b"\n", b"\r")
            ):
                packed = stream.read_raw_bytes().hex().encode() + b">"
                stream.write(packed, filter=Array([Name("/ASCIIHexDecode"), Name("/FlateDecode")]))
                changed = True
        if not changed:
            return saved
        out = BytesIO()
        # (compress nothing again, or qpdf would turn the hex layer back into plain Flate)
        pdf.save(out, deterministic_id=True, compress_streams=False)
        return out.getvalue()


def _key(obj: Any) -> tuple[int, int]:
    return obj.objgen  # type: ignore[no-any-return]


def children_of(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def is_element(obj: Any) -> bool:
    """A structure element (not a marked-content or object reference, not a number)."""
    return isinstance(obj, Dictionary) and "/S" in obj


def is_mcid(obj: Any) -> bool:
    """A marked-content ID standing for itself in an element's kids (a number)."""
    return isinstance(obj, int) or (
        isinstance(obj, pikepdf.Object) and obj._type_code == pikepdf.ObjectType.integer
    )


def _artifacts(
    pdf: pikepdf.Pdf, page: pikepdf.Page, tree: dict[int, Any], kept: set[tuple[int, int]]
) -> None:
    """Marked content whose element is not in the tree becomes a pagination artifact."""
    key = page.obj.get("/StructParents")
    if key is None or int(key) not in tree:
        return
    mapping = tree[int(key)]
    orphans = {
        mcid
        for mcid, element in enumerate(mapping)
        if isinstance(element, Dictionary) and _key(element) not in kept
    }
    if not orphans:
        return

    # WeasyPrint writes every marked-content sequence as "/Tag <</MCID n>> BDC" (its text as
    # glyph ids in hex strings, so the pattern cannot occur inside text): a byte-level edit,
    # ten times faster than parsing the whole stream into operators
    def replace(match: re.Match[bytes]) -> bytes:
        if int(match.group(2)) in orphans:
            return b"/Artifact <</Type /Pagination>> BDC"
        return match.group(0)

    data = _page_contents(page)
    page.obj.Contents = pdf.make_stream(MARKED.sub(replace, data))
    for mcid in orphans:
        mapping[mcid] = pikepdf.Object.parse(b"null")


def _page_contents(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes() if contents is not None else b""


def _annotations(page: pikepdf.Page, tree: dict[int, Any], kept: set[tuple[int, int]]) -> None:
    """Drop the links of artifacts; print every other annotation."""
    annotations = page.obj.get("/Annots")
    if annotations is None:
        return
    staying = []
    for annotation in annotations:
        key: Any = annotation.get("/StructParent")
        element = tree.get(int(key)) if key is not None else None
        if isinstance(element, Dictionary) and _key(element) not in kept:
            tree.pop(int(key))
            continue
        annotation.F = int(annotation.get("/F", 0)) | PRINT
        staying.append(annotation)
    if staying:
        page.obj.Annots = Array(staying)
    else:
        del page.obj["/Annots"]


Faces = dict[tuple[str, str, str], Any]


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
                mapping = pages.get(_key(inner.Pg)) if "/Pg" in inner else None
                if mapping is not None:
                    mapping[int(kid)] = link
                if "/Pg" in inner and "/Pg" in link and _key(inner.Pg) != _key(link.Pg):
                    # (a link continued on the next page: its content there by reference)
                    kid = Dictionary(Type=Name("/MCR"), Pg=inner.Pg, MCID=int(kid))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name("/MCR"):
                mapping = pages.get(_key(kid.Pg))
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
        kept.add(_key(element))
        source = element.get(SOURCE)
        if source is not None:
            del element[SOURCE]
        if "/ID" in element and Name("/TH") == element.S:
            headers.append(element)
        ident = element.get("/ID")
        if ident is not None and (match := FACE.fullmatch(str(ident))):
            faces[(match.group(1), match.group(2), match.group(3))] = element
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
                        gone = {_key(k) for k in inner}
                        kid.K = Array(
                            k for k in children_of(kid) if not (is_element(k) and _key(k) in gone)
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
    gone = {_key(h) for h in heads}
    piece.K = Array(k for k in children_of(piece) if not (is_element(k) and _key(k) in gone))
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


def _pair_faces(faces: Faces) -> None:
    """On a card sheet the fronts come first, then the backs (they are printed on the other
    side of the paper); in the tags each back follows its own front."""
    fronts = {(a, b): e for (a, b, side), e in faces.items() if side == "voor"}
    backs = {(a, b): e for (a, b, side), e in faces.items() if side == "achter"}
    for key in sorted(backs, key=lambda k: (int(k[0]), int(k[1]))):
        back, front = backs[key], fronts.get(key)
        if front is None:
            continue
        old, new = back.P, front.P
        old.K = Array(k for k in children_of(old) if not (is_element(k) and _key(k) == _key(back)))
        siblings = children_of(new)
        at = next(i for i, k in enumerate(siblings) if is_element(k) and _key(k) == _key(front))
        new.K = Array([*siblings[: at + 1], back, *siblings[at + 1 :]])
        back.P = new


def _name_links(pdf: pikepdf.Pdf, data: bytes, tree: dict[int, Any]) -> None:
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
                owner = _key(element) if isinstance(element, Dictionary) else _key(annotation)
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
        by_page.setdefault(_key(page.obj), []).append(annotation)
    for page, _, _ in parts:
        annotations = by_page.pop(_key(page.obj), [])
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
        gone = {_key(a) for a in rest}
        page.obj.Annots = Array(a for a in page.obj.Annots if _key(a) not in gone)
        element = tree.get(int(first.StructParent))
        if isinstance(element, Dictionary):
            element.K = Array(
                k
                for k in children_of(element)
                if not (
                    isinstance(k, Dictionary)
                    and k.get("/Type") == Name("/OBJR")
                    and _key(k.Obj) in gone
                )
            )
        for annotation in rest:
            tree.pop(int(annotation.StructParent), None)


def sorted_rect(rect: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
