"""A cache of built PDFs, keyed on everything that goes into them.

A PDF is reused when the content, the styles, werkboek itself (code and templates),
the libraries that render and the target's own inputs are all unchanged: any change to
any of them gives another key. Every entry carries a checksum of its bytes; an entry
that does not match it (a truncated write, a damaged disk) is a miss and is removed. The
cache lives in ``output/.cache/`` and can be removed at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
from importlib import metadata
from pathlib import Path

from ..content.fonts import FONT_PACKAGES
from ..errors import DiskError
from .atomic import write_atomically

PACKAGE = Path(__file__).resolve().parent.parent
LIBRARIES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "cssselect2",
    "tinyhtml5",
    "pyphen",
    "fonttools",
    "pillow",
    "pikepdf",
    "pypdfium2",
    "segno",
    "markdown-it-py",
    "jinja2",
)
"""The libraries whose version shapes the bytes of a PDF (layout, fonts, hyphenation,
images, the finishing pass and grafts, link names, QR codes, the HTML); and the font
packages (:data:`werkboek.content.fonts.FONT_PACKAGES`)."""
_CHECKSUM = hashlib.sha256().digest_size


def _hash_tree(digest: hashlib._Hash, folder: Path) -> None:
    if not folder.is_dir():
        return
    root = folder.resolve()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        # every file, hidden ones too (the content's loader reads principes/.x.yaml), but
        # none in a folder of a tool's own (.git, __pycache__)
        folders = path.relative_to(folder).parts[:-1]
        if any(part == "__pycache__" or part.startswith(".") for part in folders):
            continue
        if not path.resolve().is_relative_to(root):  # never read outside the folder
            continue
        digest.update(os.fsencode(path.relative_to(folder)))  # (any name the disk has)
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def fingerprint(*folders: Path) -> str:
    """A hash of the folders' files, werkboek's own files and the rendering libraries."""
    digest = hashlib.sha256()
    for folder in (*folders, PACKAGE):
        _hash_tree(digest, folder)
    for library, version in library_versions():
        digest.update(f"{library}={version}".encode())
    return digest.hexdigest()


def library_versions() -> list[tuple[str, str]]:
    """The version of each library in :data:`LIBRARIES` and each font package (``-`` when
    not installed), and of the qpdf inside pikepdf; none of them is imported."""
    found = []
    for library in (*LIBRARIES, *FONT_PACKAGES):
        try:
            found.append((library, metadata.version(library)))
        except metadata.PackageNotFoundError:
            found.append((library, "-"))
    found.append(("libqpdf", _libqpdf()))
    return found


def _libqpdf() -> str:
    """The qpdf pikepdf uses: the libraries its wheel ships, by name (auditwheel and
    delvewheel name them by a hash of their bytes and qpdf's version; the wheel's version is
    in :func:`library_versions` too); pikepdf itself is asked (imported) only when it
    ships none, built against the system's qpdf."""
    spec = importlib.util.find_spec("pikepdf")
    if spec is not None and spec.origin is not None:
        package = Path(spec.origin).parent
        shipped = sorted(
            path.name
            for folder in (package.parent / "pikepdf.libs", package / ".dylibs")
            if folder.is_dir()
            for path in folder.iterdir()
            if "qpdf" in path.name.lower()
        )
        if shipped:
            return " ".join(shipped)
    import pikepdf

    return str(pikepdf.__libqpdf_version__)


def read_entry(entry: Path) -> bytes | None:
    """The bytes kept in the cache's file ``entry`` (:meth:`BuildCache.path`); ``None`` when
    there is none, or it is damaged (then it is removed)."""
    try:
        stored = entry.read_bytes()
    except OSError:
        return None
    data, checksum = stored[:-_CHECKSUM], stored[-_CHECKSUM:]
    if len(stored) <= _CHECKSUM or hashlib.sha256(data).digest() != checksum:
        with contextlib.suppress(OSError):
            entry.unlink()
        return None
    return data


class BuildCache:
    """Entries in ``folder``, under keys that include ``fingerprint``."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint

    def path(self, key: str) -> Path:
        digest = hashlib.sha256(f"{self.fingerprint}\0{key}".encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}.pdf"

    def fetch(self, key: str) -> bytes | None:
        """The bytes stored under ``key``; ``None`` when there are none, or they are damaged."""
        return read_entry(self.path(key))

    def store(self, key: str, data: bytes) -> None:
        """Keep ``data``; on a full or read-only disk it is not kept (the cache only saves
        time: the file being made says what is wrong, if it cannot be written either)."""
        with contextlib.suppress(DiskError):
            write_atomically(self.path(key), data + hashlib.sha256(data).digest())
