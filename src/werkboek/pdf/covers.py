"""Personal copies of one workbook: the same pages, each with its own cover.

Rendering thirty copies of a workbook that differ only in the name on the cover would cost
thirty renders. Instead the workbook is rendered once, with a placeholder for the name on
its cover, all covers are rendered together in one small document, and each copy is that
workbook's bytes as they are, followed by an incremental update (ISO 32000-1 §7.5.6) that
gives page 1 the content and fonts of its own cover: the cover page's objects (content
stream, resources, fonts) under new numbers, page 1's dictionary again with them, and a
cross-reference stream that lists them (and itself), with ``/Prev``, ``/Root``, ``/Info`` and
``/ID`` as the workbook has them. Nothing of the shared workbook is read again or hashed for
a copy: a copy costs its cover's bytes. The earlier revision the update leaves in the file
holds the placeholder's cover, never another participant's.

The structure tree (PDF/UA tags), outline and links of the shared pages stay as they are; a
cover is only grafted when its marked-content sequence matches the placeholder cover's
exactly (and there is one: a workbook whose cover has no marked content that werkboek can
read takes no cover at all), so the tags keep pointing at the right text. Otherwise
:meth:`CoverGraft.copy` says ``None`` and the caller renders that copy whole.

pikepdf reads both files (public API); the update is written here, object by object.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from .structure import marked_content, page_contents

NOT_GRAFTED = (Name("/Page"), Name("/Pages"), Name("/Catalog"), Name("/StructElem"))
"""Objects a cover's resources may not lead to (they would bring a page or tags along)."""

Reference = Callable[[Any], bytes]


def serialise(obj: Any, reference: Reference, *, whole: bool = False) -> bytes:
    """``obj`` (as pikepdf gives it) in PDF syntax, each indirect object in it written as
    ``reference`` says; ``whole``: ``obj`` itself written out even if it is indirect."""
    if not whole and isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return reference(obj)
    if isinstance(obj, Dictionary):
        items = b" ".join(
            Name(name).unparse() + b" " + serialise(obj[name], reference)
            for name in sorted(obj.keys())
        )
        return b"<<" + items + b">>"
    if isinstance(obj, Array):
        return b"[" + b" ".join(serialise(item, reference) for item in obj) + b"]"
    if isinstance(obj, bool):
        return b"true" if obj else b"false"
    if isinstance(obj, int):
        return b"%d" % obj
    if isinstance(obj, Decimal):
        return format(obj, "f").encode()
    if obj is None:
        return b"null"
    if isinstance(obj, pikepdf.Object):  # a name, a string, an indirect number
        return obj.unparse(resolved=True)
    raise TypeError(f"no PDF syntax for {obj!r}")


def _startxref(data: bytes) -> int:
    at = data.rfind(b"startxref")
    return int(data[at + len(b"startxref") :].split()[0])


class CoverGraft:
    """The shared workbook ``base`` (its page 1 the placeholder's cover) and ``covers`` (a
    cover per page, laid out with the same styles): :meth:`copy` gives a personal copy."""

    def __init__(self, base: bytes, covers: bytes) -> None:
        self.base = base if base.endswith(b"\n") else base + b"\n"
        self.pdf = pikepdf.open(BytesIO(base))
        self.covers = pikepdf.open(BytesIO(covers))
        self.page = self.pdf.pages[0].obj
        self.expected = marked_content(page_contents(self.pdf.pages[0]))
        trailer = self.pdf.trailer
        self.size = int(trailer.Size)
        self.trailer = b"".join(
            b" " + Name(name).unparse() + b" " + serialise(trailer[name], self._own)
            for name in ("/Root", "/Info", "/ID")
            if name in trailer
        ) + b" /Prev %d" % _startxref(base)
        page = Dictionary(dict(self.page.items()))
        del page["/Contents"], page["/Resources"]
        self.own = serialise(page, self._own)[2:-2]
        """Page 1's dictionary but its content and resources, as the workbook has it."""
        self._reached: dict[tuple[int, int], list[Any] | None] = {}
        self._written: dict[tuple[int, tuple[tuple[int, int], ...]], tuple[bytes, list[int]]] = {}
        """Resources (the covers share theirs) as found and as written, by where they start."""

    @staticmethod
    def _own(obj: Any) -> bytes:
        """A reference to an object of the workbook: as it is."""
        return b"%d %d R" % obj.objgen

    def _resources(self, resources: Any) -> list[Any] | None:
        """:func:`_reachable` from ``resources``, found once for resources the covers share."""
        if not (isinstance(resources, pikepdf.Object) and resources.is_indirect):
            return _reachable([resources])
        if resources.objgen not in self._reached:
            self._reached[resources.objgen] = _reachable([resources])
        return self._reached[resources.objgen]

    def copy(self, index: int) -> bytes | None:
        """The workbook with page ``index`` of ``covers`` as its cover; ``None`` when that
        cover is tagged otherwise than the placeholder's (or nothing can be compared)."""
        source = self.covers.pages[index]
        if not self.expected or marked_content(page_contents(source)) != self.expected:
            return None
        roots = [source.obj.get("/Contents"), source.obj.get("/Resources")]
        if roots[0] is None:
            return None
        first = _reachable(roots[:1])
        rest = self._resources(roots[1]) if roots[1] is not None else []
        if first is None or rest is None:
            return None
        mine = {obj.objgen for obj in first}
        rest = [obj for obj in rest if obj.objgen not in mine]
        objects = [*first, *rest]
        numbers = {obj.objgen: self.size + at for at, obj in enumerate(objects)}

        def theirs(obj: Any) -> bytes:
            return b"%d 0 R" % numbers[obj.objgen]

        def write(objects: list[Any], number: int) -> tuple[bytes, list[int]]:
            out, places = BytesIO(), []
            for at, obj in enumerate(objects, number):
                places.append(out.tell())
                out.write(_object(at, obj, theirs))
            return out.getvalue(), places

        start = len(self.base)
        update = BytesIO()
        written, places = write(first, self.size)
        update.write(written)
        offsets = [start + at for at in places]
        shared = (self.size + len(first), tuple(obj.objgen for obj in rest))
        if shared not in self._written:
            self._written[shared] = write(rest, shared[0])
        written, places = self._written[shared]
        offsets += [start + update.tell() + at for at in places]
        update.write(written)
        grafted = b"/Contents %s /Resources %s" % (
            serialise(roots[0], theirs),
            serialise(roots[1], theirs) if roots[1] is not None else b"<<>>",
        )
        page_at = start + update.tell()
        number, generation = self.page.objgen
        update.write(b"%d %d obj\n<<%s %s>>\nendobj\n" % (number, generation, self.own, grafted))
        xref = self.size + len(objects)
        xref_at = start + update.tell()
        entries = [struct.pack(">BIB", 1, page_at, generation)]
        entries += [struct.pack(">BIB", 1, at, 0) for at in (*offsets, xref_at)]
        data = b"".join(entries)
        update.write(
            b"%d 0 obj\n<</Type /XRef /Size %d /Index [%d 1 %d %d] /W [1 4 1]%s /Length %d>>\n"
            b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
            % (xref, xref + 1, number, self.size, len(objects) + 1, self.trailer, len(data),
               data, xref_at)
        )  # fmt: skip
        return self.base + update.getvalue()

    def close(self) -> None:
        self.pdf.close()
        self.covers.close()


def _object(number: int, obj: Any, reference: Reference) -> bytes:
    """Indirect object ``obj`` written as object ``number``."""
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        header = Dictionary(dict(obj.stream_dict.items()))
        if "/Length" in header:
            del header["/Length"]
        header.Length = len(raw)
        body = serialise(header, reference) + b"\nstream\n" + raw + b"\nendstream"
    else:
        body = serialise(obj, reference, whole=True)
    return b"%d 0 obj\n%s\nendobj\n" % (number, body)


def _reachable(roots: Iterable[Any]) -> list[Any] | None:
    """The indirect objects ``roots`` lead to, each once, in the order first met (keys in
    order); ``None`` when one of them is a page, the page tree, the catalogue or a
    structure element."""
    found: dict[tuple[int, int], Any] = {}

    def visit(obj: Any) -> bool:
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            if obj.objgen in found:
                return True
            found[obj.objgen] = obj
        if isinstance(obj, pikepdf.Stream):
            items = [obj.stream_dict[k] for k in sorted(obj.stream_dict.keys()) if k != "/Length"]
        elif isinstance(obj, Dictionary):
            if obj.get("/Type") in NOT_GRAFTED:
                return False
            items = [obj[k] for k in sorted(obj.keys())]
        elif isinstance(obj, Array):
            items = list(obj)
        else:
            return True
        return all(visit(item) for item in items)

    if not all(visit(root) for root in roots if root is not None):
        return None
    return list(found.values())


def graft_covers(base: bytes, covers: bytes, pages: Iterable[int | None]) -> Iterator[bytes | None]:
    """For each of ``pages`` (indexes) of ``covers``: ``base`` with that page as cover, or
    ``None`` for a cover that cannot be grafted (see :meth:`CoverGraft.copy`) or has no page."""
    graft = CoverGraft(base, covers)
    try:
        for index in pages:
            yield None if index is None else graft.copy(index)
    finally:
        graft.close()
