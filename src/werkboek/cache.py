"""A cache of built PDFs, keyed on everything that goes into them.

A PDF is reused when the content, the styles, werkboek itself (code and
templates), the libraries that render and the target's own inputs are all
unchanged: any change to any of them gives another key. The cache lives in
``output/.cache/`` and can be removed at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "segno", "fontpkg-atkinson-hyperlegible")


def _hash_tree(digest: hashlib._Hash, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.name.startswith("."):
            continue
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def fingerprint(*folders: Path) -> str:
    """A hash of the folders' files, werkboek's own files and the rendering libraries."""
    digest = hashlib.sha256()
    for folder in (*folders, PACKAGE):
        _hash_tree(digest, folder)
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=-".encode())
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it when the block succeeds.

    A failed write never leaves a half-written file, nor touches an existing one.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_bytes_atomically(target: Path, data: bytes) -> Path:
    with atomic_target(target) as temporary:
        temporary.write_bytes(data)
    return target


def copy_atomically(source: Path, target: Path) -> Path:
    with atomic_target(target) as temporary:
        shutil.copyfile(source, temporary)
    return target


class BuildCache:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint

    def path(self, key: str) -> Path:
        digest = hashlib.sha256(f"{self.fingerprint}\0{key}".encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}.pdf"

    def fetch(self, key: str, target: Path) -> Path | None:
        """Copy the cached PDF for ``key`` to ``target``; ``None`` when there is none."""
        cached = self.path(key)
        if not cached.is_file():
            return None
        return copy_atomically(cached, target)

    def store(self, key: str, built: Path) -> None:
        copy_atomically(built, self.path(key))
