"""Personal copies of one workbook: the same pages, each with its own cover.

Rendering thirty copies of a workbook that differ only in the name on the cover would cost
thirty renders. Instead the workbook is rendered once, with a placeholder for the name on
its cover, all covers are rendered together in one small document, and each copy is that
workbook plus an incremental update that gives page 1 the content and fonts of its own
cover. (The earlier revision the update leaves in the file holds the placeholder's cover,
never another participant's.) The structure tree (PDF/UA tags), outline and links of the
shared pages stay as they are; a cover is only grafted when its marked-content sequence
matches the placeholder cover's exactly, so the tags keep pointing at the right text. Otherwise
the caller renders that copy whole.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from io import BytesIO

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from ..rendering.tagging import MARKED


def marked_content(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (tag, MCID) pairs of a content stream, in order."""
    return MARKED.findall(data)


def _contents(page: PageObject) -> bytes:
    contents = page.get_contents()
    return contents.get_data() if contents is not None else b""


def graft_covers(base: bytes, covers: bytes, pages: Iterable[int]) -> Iterator[bytes | None]:
    """For each of ``pages`` (indexes) of ``covers``: ``base`` with that page as cover.

    Yields ``None`` for a cover whose tagging differs from the base cover's.
    """
    reader = PdfReader(BytesIO(covers))
    writer = PdfWriter(BytesIO(base), incremental=True)
    cover = writer.pages[0]
    expected = marked_content(_contents(cover))
    stream = DecodedStreamObject()
    reference = writer._add_object(stream)
    for index in pages:
        source = reader.pages[index]
        data = _contents(source)
        if marked_content(data) != expected:
            yield None
            continue
        stream.set_data(data)
        cover[NameObject("/Contents")] = reference
        cover[NameObject("/Resources")] = source["/Resources"].clone(writer)
        output = BytesIO()
        writer.write(output)
        yield _xref_lists_itself(output.getvalue())


_LAST_XREF = re.compile(
    rb"\n(\d+) 0 obj<<(.*?)>>\s*stream\n(.*)\nendstream\nendobj\nstartxref\n(\d+)\n%%EOF\n$",
    re.DOTALL,
)


def _xref_lists_itself(data: bytes) -> bytes:
    """The increment's cross-reference stream with an entry for itself.

    pypdf's incremental update leaves its own cross-reference stream out of its index, so
    ``/Size`` is two more than the highest object it lists and ``qpdf --check`` warns. The
    stream is the last object in the file: write it again, listing itself too.
    """
    start = data.rfind(b"\n", 0, data.rfind(b" 0 obj<<"))  # the last object's line
    match = _LAST_XREF.match(data, start) if start >= 0 else None
    if match is None:
        return data
    number, dictionary, packed, location = match.groups()
    entries = zlib.decompress(packed) + struct.pack(">BIB", 1, int(location), 0)
    index = re.search(rb"/Index \[([\d ]+)\]", dictionary)
    if index is None or b"/W [ 1 4 1 ]" not in dictionary:
        return data
    listed = index.group(1).split()
    new_index = b" ".join([*listed, number, b"1"])
    stream = zlib.compress(entries)
    dictionary = dictionary.replace(index.group(0), b"/Index [ " + new_index + b" ]")
    dictionary = re.sub(rb"/Length \d+", b"/Length %d" % len(stream), dictionary)
    tail = (
        b"\n" + number + b" 0 obj<<" + dictionary + b">>\nstream\n" + stream
        + b"\nendstream\nendobj\nstartxref\n" + location + b"\n%%EOF\n"
    )  # fmt: skip
    return data[: match.start()] + tail
