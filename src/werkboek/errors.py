"""The one family of expected failures, and the one shape of a problem.

Every failure a user can cause — bad content, a bad recipe, a bad participant list or
message, a missing file, a mail server that says no — is a :class:`WerkboekError`
holding one or more :class:`Problem` s. The command line prints each problem as one
line and exits with status 1; the web app shows each one next to the field or line it
concerns. Anything else is a bug and keeps its traceback.

The language rule: everything a trainer or content editor reads is Dutch, and a
problem always has the same form::

    FILE:LINE:COL: pad: bericht

``pad`` is where in the file's structure the problem is (``onderdelen[2].oefening``)
and is left out when there is none; a problem that belongs to no file is just its
``bericht``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can.

    ``line`` and ``column`` count from 1; 0 means the problem belongs to the file as a
    whole (or, without ``file``, to no file at all: a command-line option, say).
    """

    file: str = ""
    line: int = 0
    column: int = 0
    path: str = ""
    message: str = ""

    def __str__(self) -> str:
        parts = []
        if self.file:
            place = self.file
            if self.line:
                place += f":{self.line}"
                if self.column:
                    place += f":{self.column}"
            parts.append(place)
        if self.path:
            parts.append(self.path)
        parts.append(self.message)
        return ": ".join(parts)


class WerkboekError(Exception):
    """An expected failure: printed without traceback, one line per problem, exit status 1.

    Give it problems, or plain messages for failures that belong to no file.
    """

    exit_code = 1

    def __init__(self, *problems: Problem | str) -> None:
        self.problems = sorted(
            p if isinstance(p, Problem) else Problem(message=p) for p in problems
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuilt from its problems when it crosses from a worker process
        return (type(self), tuple(self.problems))


class ContentError(WerkboekError):
    """The content has problems; all are reported at once."""


class RecipeError(WerkboekError):
    """A workbook recipe has problems."""


class ListError(WerkboekError):
    """A participant list has problems."""


class OutputError(WerkboekError):
    """Files may not be written where asked; ``replaceable`` are those that only need the
    user's consent to be replaced (they exist, and werkboek did not make them)."""

    def __init__(self, *problems: Problem | str, replaceable: tuple[str, ...] = ()) -> None:
        super().__init__(*problems)
        self.replaceable = replaceable

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_output_error, (self.problems, self.replaceable))


def _output_error(problems: list[Problem], replaceable: tuple[str, ...]) -> OutputError:
    return OutputError(*problems, replaceable=replaceable)


class BuildError(WerkboekError):
    """Rendering failed: WeasyPrint logged an error, or a layout came out wrong."""


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates most like ``word``, best first."""
    pool = sorted(set(candidates))
    found = difflib.get_close_matches(word, pool, n=n, cutoff=0.5)
    if len(found) < n:  # a prefix or a part of a long slug is a good hint too
        found += [c for c in pool if word and (word in c or c.startswith(word)) and c not in found]
    return found[:n]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; bedoel je 'lerend'?"`` for a near miss, or an empty string."""
    found = closest(word, candidates)
    if not found:
        return ""
    return "; bedoel je " + " of ".join(repr(f) for f in found) + "?"


def display_path(path: Path) -> str:
    """A path as problems show it: relative to the working folder when below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


DISK_REASONS = {
    "ENOSPC": "de schijf is vol",
    "EDQUOT": "de schijfruimte (quotum) is op",
    "EROFS": "de map is alleen-lezen",
    "EACCES": "geen toestemming om hier te schrijven",
    "EPERM": "geen toestemming om hier te schrijven",
    "EIO": "de schijf gaf een lees- of schrijffout",
    "EMFILE": "te veel bestanden tegelijk open",
    "ENFILE": "te veel bestanden tegelijk open",
    "ENOMEM": "te weinig geheugen",
    "EFBIG": "het bestand wordt te groot voor de schijf",
    "ENAMETOOLONG": "de naam is te lang voor de schijf",
}
"""Why a file could not be written, by ``errno`` name, as a trainer reads it."""


def is_disk_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a file that could not be written or read for one of the reasons
    of :data:`DISK_REASONS` (any other OSError, a refused connection say, is not)."""
    import errno

    return isinstance(exc, OSError) and errno.errorcode.get(exc.errno or 0) in DISK_REASONS


class DiskError(OutputError):
    """A file could not be written or read for the disk's sake (full, read-only, no
    permission); ``reason`` says why without naming the file (for the web app, which
    never shows the server's own folders)."""

    def __init__(self, *problems: Problem | str, reason: str = "") -> None:
        super().__init__(*problems)
        self.reason = reason

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_disk_error, (self.problems, self.reason))


def _disk_error(problems: list[Problem], reason: str) -> DiskError:
    return DiskError(*problems, reason=reason)


def disk_error(exc: OSError, path: Path | str | None = None, doing: str = "") -> DiskError:
    """One Dutch line for a file that could not be written or read (a full disk, a
    read-only folder, ...): the file it concerns (``path``, else the one the error
    names), what was being done, and why."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    reason = DISK_REASONS.get(name) or f"het besturingssysteem weigert ({name or exc.errno})"
    where = path if path is not None else exc.filename
    shown = display_path(Path(where)) if isinstance(where, (str, Path)) and where else ""
    message = f"{doing}: {reason}" if doing else reason
    return DiskError(Problem(shown, message=message), reason=reason)
