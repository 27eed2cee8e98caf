"""The preview: the real pages of the PDF that will be downloaded, as pictures.

A PDF is kept by the hash of its owner's space and its bytes (the newest few, in memory),
so a thumbnail's address names exactly the PDF it shows and can be cached for good, and
only its owner finds it (another trainer's address answers 404); pages are turned into
PNG with pdfium (pypdfium2), one page when the browser asks for it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

KEEP = 24
"""How many PDFs the preview keeps (a few per trainer working at once)."""
THUMBNAIL_WIDTH = 150
LARGE_WIDTH = 900


@dataclass(frozen=True)
class Preview:
    digest: str
    pages: int


class Previews:
    def __init__(self) -> None:
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._pages: dict[str, int] = {}
        self._owners: dict[str, str] = {}
        self._images: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._pdfium = threading.Lock()  # pdfium is not safe to call from two threads

    @staticmethod
    def _digest(owner: str, pdf: bytes) -> str:
        return hashlib.sha256(owner.encode() + b"\0" + pdf).hexdigest()[:32]

    def add(self, owner: str, pdf: bytes) -> Preview:
        """Keep ``pdf``, the preview of ``owner`` (a session or an account's space)."""
        digest = self._digest(owner, pdf)
        with self._lock:
            if digest not in self._pdfs:
                self._pdfs[digest] = pdf
                self._pages[digest] = self._count(pdf)
                self._owners[digest] = owner
            self._pdfs.move_to_end(digest)
            while len(self._pdfs) > KEEP:
                old, _ = self._pdfs.popitem(last=False)
                self._pages.pop(old, None)
                self._owners.pop(old, None)
            return Preview(digest, self._pages[digest])

    def pdf(self, owner: str, digest: str) -> bytes | None:
        """``owner``'s preview PDF ``digest``; ``None`` when it is not kept, or another's."""
        with self._lock:
            if self._owners.get(digest) != owner:
                return None
            return self._pdfs.get(digest)

    def _count(self, pdf: bytes) -> int:
        import pypdfium2

        with self._pdfium:
            document = pypdfium2.PdfDocument(pdf)
            try:
                return len(document)
            finally:
                document.close()

    def image(self, owner: str, digest: str, page: int, width: int) -> bytes | None:
        """Page ``page`` (from 1) of ``owner``'s preview as PNG, ``width`` pixels wide; None
        when unknown (or another's)."""
        key = (digest, page, width)
        with self._lock:
            if self._owners.get(digest) != owner:
                return None
            if key in self._images:
                return self._images[key]
            pdf = self._pdfs.get(digest)
        if pdf is None:
            return None
        import pypdfium2

        with self._pdfium:
            document = pypdfium2.PdfDocument(pdf)
            try:
                if not 1 <= page <= len(document):
                    return None
                sheet = document[page - 1]
                scale = width / sheet.get_width()
                bitmap = sheet.render(scale=scale)
                image = bitmap.to_pil()
            finally:
                document.close()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        data = out.getvalue()
        with self._lock:
            self._images[key] = data
            while len(self._images) > KEEP * 40:
                self._images.popitem(last=False)
        return data
