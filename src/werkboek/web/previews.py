"""The preview: the real pages of the PDF that will be downloaded, as pictures.

A PDF is kept by the hash of its owner's space and its bytes (the newest few in memory,
more on disk, where every worker process of the server finds it, in a folder of its
owner's), so a thumbnail's address names exactly the PDF it shows and can be cached for
good, and only its owner finds it (another trainer's address answers 404); pages are turned
into PNG with pdfium (pypdfium2), one page when the browser asks for it.
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
        self._owners: dict[str, str] = {}
        self._images: OrderedDict[tuple[str, str, int, int], bytes] = OrderedDict()
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
            shown = Preview(digest, self._pages[digest])
        self._keep(owner, digest, pdf)
        return shown

    def _place(self, owner: str, digest: str) -> Path | None:
        """Where ``owner``'s preview ``digest`` is kept on disk (in a folder of theirs)."""
        if self.folder is None or not DIGEST.match(digest):
            return None
        return self.folder / hashlib.sha256(owner.encode()).hexdigest()[:24] / f"{digest}.pdf"

    def _keep(self, owner: str, digest: str, pdf: bytes) -> None:
        """On disk for the other worker processes: the newest :data:`KEEP_ON_DISK`."""
        path = self._place(owner, digest)
        if path is None or self.folder is None:
            return
        if path.is_file():
            with contextlib.suppress(OSError):
                os.utime(path)
            return
        write_atomically(path, pdf)
        with contextlib.suppress(OSError):
            kept = sorted(self.folder.glob("*/*.pdf"), key=_mtime, reverse=True)
            for old in kept[KEEP_ON_DISK:]:
                old.unlink(missing_ok=True)

    def pdf(self, owner: str, digest: str) -> bytes | None:
        """``owner``'s preview PDF ``digest``; ``None`` when it is not kept, or another's."""
        with self._lock:
            if self._owners.get(digest) == owner:
                return self._pdfs.get(digest)
        path = self._place(owner, digest)
        if path is None:
            return None
        try:  # made by another worker process (only ever in its owner's folder)
            return path.read_bytes()
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

    def image(self, owner: str, digest: str, page: int, width: int) -> bytes | None:
        """Page ``page`` (from 1) of ``owner``'s preview as PNG, ``width`` pixels wide; None
        when unknown (or another's)."""
        key = (owner, digest, page, width)
        with self._lock:
            if key in self._images:
                return self._images[key]
        pdf = self.pdf(owner, digest)
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
