"""The preview: the real pages of the PDF that will be downloaded, as pictures.

A PDF is kept by the hash of its bytes (the newest few, in memory and on disk, where
every worker process of the server finds it), so a thumbnail's address names exactly the
PDF it shows and can be cached for good; pages are turned into PNG with pdfium
(pypdfium2), one page when the browser asks for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..files.atomic import write_atomically

KEEP = 24
"""How many PDFs the preview keeps (a few per trainer working at once)."""
KEEP_ON_DISK = 200
"""How many PDFs the preview keeps on disk, for every worker process."""
DIGEST = re.compile(r"^[0-9a-f]{32}$")
THUMBNAIL_WIDTH = 150
LARGE_WIDTH = 900


@dataclass(frozen=True)
class Preview:
    digest: str
    pages: int


class Previews:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._pages: dict[str, int] = {}
        self._images: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._pdfium = threading.Lock()  # pdfium is not safe to call from two threads

    def add(self, pdf: bytes) -> Preview:
        digest = hashlib.sha256(pdf).hexdigest()[:32]
        with self._lock:
            if digest not in self._pdfs:
                self._pdfs[digest] = pdf
                self._pages[digest] = self._count(pdf)
            self._pdfs.move_to_end(digest)
            while len(self._pdfs) > KEEP:
                old, _ = self._pdfs.popitem(last=False)
                self._pages.pop(old, None)
            shown = Preview(digest, self._pages[digest])
        self._keep(digest, pdf)
        return shown

    def _keep(self, digest: str, pdf: bytes) -> None:
        """On disk for the other worker processes: the newest :data:`KEEP_ON_DISK`."""
        if self.folder is None:
            return
        path = self.folder / f"{digest}.pdf"
        if path.is_file():
            with contextlib.suppress(OSError):
                os.utime(path)
            return
        write_atomically(path, pdf)
        with contextlib.suppress(OSError):
            kept = sorted(self.folder.glob("*.pdf"), key=_mtime, reverse=True)
            for old in kept[KEEP_ON_DISK:]:
                old.unlink(missing_ok=True)

    def pdf(self, digest: str) -> bytes | None:
        with self._lock:
            pdf = self._pdfs.get(digest)
        if pdf is not None or self.folder is None or not DIGEST.match(digest):
            return pdf
        try:  # made by another worker process
            return (self.folder / f"{digest}.pdf").read_bytes()
        except OSError:
            return None

    def _count(self, pdf: bytes) -> int:
        import pypdfium2

        with self._pdfium:
            document = pypdfium2.PdfDocument(pdf)
            try:
                return len(document)
            finally:
                document.close()

    def image(self, digest: str, page: int, width: int) -> bytes | None:
        """Page ``page`` (from 1) as PNG, ``width`` pixels wide; None when unknown."""
        key = (digest, page, width)
        with self._lock:
            if key in self._images:
                return self._images[key]
        pdf = self.pdf(digest)
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


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
