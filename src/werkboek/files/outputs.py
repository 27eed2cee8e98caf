"""Where werkboek may write: never over a file it did not make, never over its own inputs.

Every file werkboek writes is checked here first, all of a run's files before the first
is written, so a run either writes everything or nothing:

* a file that is there already is only replaced when werkboek made it — a PDF whose
  document information names werkboek as its creator — or when the user says it may be;
* a path that is a folder, or lies below a file, is refused;
* the run's inputs (the content and styles folders, the recipe, the participant list,
  attachments) are never an output, however they are named (``..``, links);
* a file name longer than the file system takes is refused (names made from titles and
  participants' names are shortened before they get here, see :func:`file_slug` and
  :func:`name_slug`).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..content.slugs import slugify
from ..errors import OutputError, Problem, display_path

CREATOR = "werkboek"
"""The creator every PDF werkboek writes carries in its document information."""
MAX_NAME = 80
"""The longest file name (without extension) werkboek makes from a title or a name."""


MAX_NAME_BYTES = 160
"""The most bytes (UTF-8) of such a name: with a prefix and suffix, well below the 255 bytes
file systems and ZIP readers take."""
RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in [*"123456789", "¹", "²", "³"]]
)
"""Names Windows does not allow for a file, with any extension."""


def _shortened(slug: str) -> str:
    """``slug`` at most :data:`MAX_NAME` characters and :data:`MAX_NAME_BYTES` bytes.

    A longer slug is cut at a hyphen and ends in a short hash of the whole, so two long
    titles that start alike still get two files.
    """
    if len(slug) <= MAX_NAME and len(slug.encode()) <= MAX_NAME_BYTES:
        return slug
    digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
    head = slug[: MAX_NAME - len(digest) - 1]
    while len(head.encode()) > MAX_NAME_BYTES - len(digest) - 1:
        head = head[:-1]
    if "-" in head:
        head = head.rsplit("-", 1)[0]
    return f"{head.rstrip('-')}-{digest}"


def file_slug(text: str, fallback: str) -> str:
    """A file name from a title: its ASCII slug, shortened when long."""
    return _shortened(slugify(text) or fallback)


def name_slug(name: str, fallback: str) -> str:
    """A file name from a person's name that keeps its letters: ``Özlem Yılmaz`` →
    ``özlem-yılmaz``.

    Normal form C in lower case; letters (with their accents) and digits are kept, every
    other run of characters becomes one ``-``, so the name holds nothing a file system
    (Windows, macOS, Linux) or a ZIP reader treats specially; a name Windows reserves
    (``con``, ``nul`` …) gets ``-1``; shortened like :func:`file_slug`.
    """
    lower = unicodedata.normalize("NFC", name).lower().replace("i\u0307", "i")  # İ → i
    text = unicodedata.normalize("NFC", lower)
    kept = "".join(
        c if unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd" else "-"
        for c in text
    )
    slug = "-".join(part for part in kept.split("-") if part)
    while slug and unicodedata.category(slug[0])[0] == "M":  # no accent without its letter
        slug = slug[1:].lstrip("-")
    slug = slug or fallback
    if slug in RESERVED:
        slug += "-1"
    return _shortened(slug)


def made_by_werkboek(path: Path, expected: bytes | None = None) -> bool:
    """Whether ``path`` is a PDF that werkboek made (its creator says so). A file that holds
    ``expected``, the PDF werkboek is about to write there, is one without reading it as a
    PDF (a warm build from the cache, :mod:`.replay`, loads no PDF library)."""
    try:
        if expected is not None and expected.startswith(b"%PDF-") and same_bytes(path, expected):
            return True
        with path.open("rb") as file:
            if file.read(5) != b"%PDF-":
                return False
        import pikepdf

        with pikepdf.open(path) as pdf:
            return str(pdf.docinfo.get("/Creator", "")) == CREATOR
    except Exception:  # unreadable, damaged: not ours to overwrite
        return False


def same_bytes(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) that holds exactly ``data``."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or (
            one.exists() and other.exists() and os.path.samefile(one, other)
        )
    except OSError:
        return False


def output_problems(
    paths: Iterable[Path],
    *,
    inputs: Sequence[Path] = (),
    force: bool = False,
    expected: Mapping[Path, bytes] | None = None,
) -> list[Problem]:
    """What stands in the way of writing ``paths``; empty when all may be written.
    ``expected``: what will be written to (some of) them, when it is known before."""
    expected = expected or {}
    problems = []
    for path in paths:
        shown = display_path(path)

        def problem(message: str, shown: str = shown) -> None:
            problems.append(Problem(shown, 0, 0, "", message))

        if len(path.name.encode()) > 255:
            problem("de bestandsnaam is te lang")
            continue
        blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocked is not None:
            problem(f"kan hier niet schrijven: {display_path(blocked)} is een bestand, geen map")
            continue
        source = next(
            (
                i
                for i in inputs
                if _same(path, i) or (i.is_dir() and path.resolve().is_relative_to(i.resolve()))
            ),
            None,
        )
        if source is not None:
            what = "ligt in een invoermap" if source.is_dir() else "is een invoerbestand"
            problem(f"{what} van deze opdracht ({display_path(source)}); kies een ander pad")
            continue
        if path.is_dir():
            problem("is een map; geef een bestandsnaam, of een map met / erachter")
        elif path.exists() and not force and not made_by_werkboek(path, expected.get(path)):
            problem("bestaat al en is niet door werkboek gemaakt; kies een ander pad")
    return problems


def check_outputs(
    paths: Iterable[Path], *, inputs: Sequence[Path] = (), force: bool = False
) -> None:
    """Raise :class:`OutputError` with every reason ``paths`` may not be written."""
    paths = list(paths)
    problems = output_problems(paths, inputs=inputs, force=force)
    if problems:
        forced = {p.file for p in output_problems(paths, inputs=inputs, force=True)}
        replaceable = tuple(p.file for p in problems if p.file not in forced)
        raise OutputError(*problems, replaceable=replaceable)
