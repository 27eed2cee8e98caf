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
from typing import Any

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
    pictures: tuple[tuple[str, int], ...]
    """Where each page's picture is asked for: the preview and page where this owner's
    preview first showed what the page draws (while that preview is kept), so a picture
    the browser has already is not asked for again (its address is cached for good)."""


class Previews:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._pages: dict[str, int] = {}
        self._owners: dict[str, str] = {}
        self._keys: dict[str, list[str]] = {}
        """Each kept PDF's pages by what they draw (see :func:`page_keys`)."""
        self._shown: dict[tuple[str, str], tuple[str, int]] = {}
        """By owner and page key: the kept PDF and page that showed it first."""
        self._images: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        """Pictures by owner, page key and width: a page that did not change is not drawn
        again for the next preview."""
        self._latest: OrderedDict[str, tuple[Preview, bool]] = OrderedDict()
        """By owner: the newest preview of a workbook that checked out, and whether it was
        the trainer's edition (shown while a change has a problem to solve)."""
        self._lock = threading.Lock()
        self._pdfium = threading.Lock()  # pdfium is not safe to call from two threads

    @staticmethod
    def _digest(owner: str, pdf: bytes) -> str:
        return hashlib.sha256(owner.encode() + b"\0" + pdf).hexdigest()[:32]

    def add(self, owner: str, pdf: bytes) -> Preview:
        """Keep ``pdf``, the preview of ``owner`` (a session or an account's space)."""
        digest = self._digest(owner, pdf)
        with self._lock:
            known = digest in self._pdfs
        keys = None if known else page_keys(pdf)
        with self._lock:
            if digest not in self._pdfs and keys is not None:
                self._pdfs[digest] = pdf
                self._pages[digest] = len(keys)
                self._keys[digest] = keys
                self._owners[digest] = owner
            self._pdfs.move_to_end(digest)
            while len(self._pdfs) > KEEP:
                old, _ = self._pdfs.popitem(last=False)
                self._pages.pop(old, None)
                gone = self._owners.pop(old, "")
                for page, key in enumerate(self._keys.pop(old, []), 1):
                    if self._shown.get((gone, key)) == (old, page):
                        del self._shown[(gone, key)]
            pictures = []
            for page, key in enumerate(self._keys[digest], 1):
                first = self._shown.setdefault((owner, key), (digest, page))
                pictures.append(first)
            shown = Preview(digest, self._pages[digest], tuple(pictures))
            # the earlier previews the pictures are asked from stay kept as long as this one
            earlier = {where: self._pdfs[where] for where, _ in pictures if where != digest}
            for where in earlier:
                self._pdfs.move_to_end(where)
            self._pdfs.move_to_end(digest)
        for where, data in earlier.items():
            self._keep(owner, where, data)
        self._keep(owner, digest, pdf)
        return shown

    def remember(self, owner: str, shown: Preview, for_trainer: bool) -> None:
        """``shown`` is the owner's newest good preview (see :meth:`latest`)."""
        with self._lock:
            self._latest[owner] = (shown, for_trainer)
            self._latest.move_to_end(owner)
            while len(self._latest) > KEEP:
                self._latest.popitem(last=False)

    def latest(self, owner: str) -> tuple[Preview, bool] | None:
        """The owner's newest good preview and its edition, while its PDF is kept here: what
        the composer shows, marked as earlier, while a change has a problem to solve."""
        with self._lock:
            found = self._latest.get(owner)
            if found is None or found[0].digest not in self._pdfs:
                return None
            return found

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

    def image(self, owner: str, digest: str, page: int, width: int) -> bytes | None:
        """Page ``page`` (from 1) of ``owner``'s preview as PNG, ``width`` pixels wide; None
        when unknown (or another's). A page that draws what a page drew before is that
        picture again, not drawn anew."""
        pdf = self.pdf(owner, digest)
        if pdf is None:
            return None
        with self._lock:
            keys = self._keys.get(digest) if self._owners.get(digest) == owner else None
        if keys is None:  # (made by another worker process)
            keys = page_keys(pdf)
        if not 1 <= page <= len(keys):
            return None
        key = (owner, keys[page - 1], width)
        with self._lock:
            if key in self._images:
                self._images.move_to_end(key)
                return self._images[key]
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


def page_keys(pdf: bytes) -> list[str]:
    """For each page of ``pdf``, a hash of what it draws: its size, its content and the
    resources the content uses (an image by its bytes, a font by its name: WeasyPrint
    names a font by a hash of its description, weight and variations included, and the
    glyphs keep their numbers in every subset it writes, so a page drawn with the same
    glyphs looks the same whatever else the subset holds)."""
    import pikepdf

    keys = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            digest = hashlib.sha256()
            digest.update(repr([float(x) for x in page.mediabox]).encode())
            content = b"".join(s.read_bytes() for s in _contents(page.obj.get("/Contents")))
            _drawing(digest, content, page.obj.get("/Resources"), set())
            keys.append(digest.hexdigest()[:32])
    return keys


_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]+)")
"""A name in a content stream (a font, an image, a graphics state, a pattern…)."""


def _contents(contents: Any) -> list[Any]:
    import pikepdf

    if isinstance(contents, pikepdf.Array):
        return list(contents)
    return [contents] if contents is not None else []


def _drawing(digest: Any, content: bytes, resources: Any, seen: set[tuple[int, int]]) -> None:
    """A content stream into ``digest`` with the resources it names. (WeasyPrint gives every
    page and form the document's resources: only those the content names count, or a font
    added on page 1 would change every page.)"""
    import pikepdf

    digest.update(content)
    used = {b"/" + name for name in _NAME.findall(content)}
    if not isinstance(resources, pikepdf.Dictionary):
        return
    for kind in sorted(resources.keys()):
        entries = resources[kind]
        if not isinstance(entries, pikepdf.Dictionary):
            continue
        for name in sorted(entries.keys()):
            if name.encode() in used:
                digest.update(kind.encode() + name.encode())
                _feed(digest, entries[name], seen)


def _feed(digest: Any, obj: Any, seen: set[tuple[int, int]]) -> None:
    """``obj`` into ``digest``, as far as it decides what is drawn."""
    import pikepdf

    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:
            digest.update(b"@")  # (fed already; its number may differ in another PDF)
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font:
        digest.update(b"font:" + str(obj.get("/BaseFont", "")).encode())
        return
    if isinstance(obj, pikepdf.Stream):
        if "/Resources" in obj.stream_dict:  # a form or a pattern: a drawing of its own
            _drawing(digest, obj.read_bytes(), obj.stream_dict.Resources, seen)
        else:
            digest.update(b"stream:" + hashlib.sha256(obj.read_raw_bytes()).digest())
        for name in sorted(obj.stream_dict.keys()):
            if name not in ("/Length", "/Resources"):
                digest.update(name.encode())
                _feed(digest, obj.stream_dict[name], seen)
    elif isinstance(obj, pikepdf.Dictionary):
        for name in sorted(obj.keys()):
            if name in ("/Length", "/Parent", "/StructParents", "/StructParent"):
                continue
            digest.update(name.encode())
            _feed(digest, obj[name], seen)
    elif isinstance(obj, pikepdf.Array):
        digest.update(b"[")
        for item in obj:
            _feed(digest, item, seen)
        digest.update(b"]")
    else:
        digest.update(repr(obj).encode())
