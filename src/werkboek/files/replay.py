"""A warm workbook build replayed: the same files from the build cache, the same lines
printed, and nothing loaded that renders or checks.

A workbook built from a recipe file is recorded in ``output/.cache/snel/`` under a key of
everything the run was given, as it lies on disk: the build cache's fingerprint (the
content and styles folders file by file, werkboek's own code and templates, the libraries'
versions: :func:`.cache.fingerprint`), the recipe file's path and bytes, the working folder
and every option that shapes what is written where. The record holds the recipe's own
pages and images (each with a hash of its bytes), every file written with the cache entry
it came from and a hash of its bytes, and the warnings the run printed.

The next run with the same key, whose own pages and images hash the same and whose cache
entries are whole, writes the same files and prints the same lines without loading the
content, the recipe, pydantic, WeasyPrint or pikepdf. Anything missing, damaged or
different is a miss: the normal build, which records again. A run is recorded only when
nothing it read changed while it ran.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DiskError
from .atomic import write_atomically
from .cache import fingerprint, read_entry

FOLDER = "snel"
"""The records' folder in the cache folder."""
ENTRY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.pdf")
"""How a record names an entry of the cache (:meth:`.cache.BuildCache.path`)."""


@dataclass(frozen=True)
class Replay:
    """What a recorded run wrote and printed, ready to do again."""

    files: tuple[tuple[Path, bytes], ...]
    """Every file, in the order written, with its bytes."""
    warnings: tuple[str, ...]
    """The warnings printed before (without ``waarschuwing:``)."""
    inputs: tuple[Path, ...]
    """The run's inputs, never an output (:func:`.outputs.output_problems`)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_states(paths: Sequence[Path]) -> list[list[str]] | None:
    """Each file's path, where it really is and a hash of its bytes; ``None`` when one
    cannot be read."""
    try:
        return [[str(p), str(p.resolve()), _sha256(p.read_bytes())] for p in paths]
    except OSError:
        return None


class Shortcut:
    """The record of one kind of run: a recipe file with its folders and options."""

    def __init__(
        self,
        cache_folder: Path,
        recipe: Path,
        folders: Sequence[Path],
        options: Sequence[object],
        place: Path,
    ) -> None:
        """``folders``: the content and styles folders; ``options``: everything else that
        shapes what the run writes and where (compared by their ``repr``); ``place``: the
        folder the run writes its PDFs into (a record naming a file elsewhere is not
        replayed, whoever wrote it)."""
        self.cache_folder = cache_folder
        self.recipe = recipe
        self.folders = tuple(folders)
        self.options = tuple(options)
        self.place = place
        self.key = self._key()

    def _key(self) -> str | None:
        """``None`` when the recipe cannot be read (the normal build says why)."""
        try:
            recipe = self.recipe.read_bytes()
            where = [os.getcwd(), str(self.recipe), str(self.recipe.resolve())]
        except OSError:
            return None
        digest = hashlib.sha256()
        for part in (
            fingerprint(*self.folders),
            *where,
            *map(str, self.folders),
            *map(repr, self.options),
            str(self.place),
        ):
            digest.update(os.fsencode(part))  # (a path: any name the disk has)
            digest.update(b"\0")
        digest.update(recipe)
        return digest.hexdigest()

    @property
    def path(self) -> Path | None:
        return None if self.key is None else self.cache_folder / FOLDER / f"{self.key}.json"

    def replay(self) -> Replay | None:
        """The recorded run, when everything it read is as it was and its cache entries are
        whole; else ``None``."""
        if self.path is None:
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            own = record["eigen"]
            if file_states([Path(state[0]) for state in own]) != own:
                return None
            files = []
            for path, entry, checksum in record["bestanden"]:
                if Path(path).parent != self.place or Path(path).suffix.lower() != ".pdf":
                    return None
                if not ENTRY.fullmatch(entry):  # (an entry of the cache, nothing else)
                    return None
                data = read_entry(self.cache_folder / entry)
                if data is None or _sha256(data) != checksum:
                    return None
                files.append((Path(path), data))
            return Replay(
                files=tuple(files),
                warnings=tuple(str(line) for line in record["waarschuwingen"]),
                inputs=tuple(Path(path) for path in record["invoer"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(
        self,
        own: list[list[str]] | None,
        inputs: Sequence[Path],
        files: Sequence[tuple[Path, Path]],
        warnings: Sequence[str],
    ) -> None:
        """Keep what a run did: ``own`` the states of the recipe's own files as the run
        read them (:func:`file_states`), ``inputs`` the run's inputs, ``files`` each file
        written and its cache entry, in order. Nothing is kept when the recipe, the folders
        or an own file changed since the run began, or a file is not its entry's bytes."""
        path = self.path
        if path is None or own is None or self._key() != self.key:
            return
        if file_states([Path(state[0]) for state in own]) != own:
            return
        written = []
        try:
            for output, entry in files:
                data = read_entry(entry)
                if data is None or output.read_bytes() != data:
                    return
                relative = entry.relative_to(self.cache_folder).as_posix()
                written.append([str(output), relative, _sha256(data)])
        except (OSError, ValueError):
            return
        record = {
            "eigen": own,
            "invoer": [str(p) for p in inputs],
            "bestanden": written,
            "waarschuwingen": list(warnings),
        }
        text = json.dumps(record, indent=1)  # (ASCII: any name the disk has, escaped)
        with contextlib.suppress(DiskError):  # (the cache only saves time)
            write_atomically(path, text.encode())
