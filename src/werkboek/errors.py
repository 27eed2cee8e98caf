"""The one family of expected failures.

Every failure a user can cause (bad content, a bad recipe, a missing file) is a
:class:`WerkboekError`. The CLI prints it as one clear line per problem and exits
with status 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class WerkboekError(Exception):
    """An expected failure: printed without traceback, exit status 1."""

    exit_code = 1

    def lines(self) -> list[str]:
        return [str(self)]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ContentError(WerkboekError):
    """The content (or a recipe) has one or more problems; all are reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Problem]]]:
        # rebuilt from its problems when it crosses from a worker process
        return (type(self), (self.problems,))


class RecipeError(ContentError):
    """A workbook recipe has problems."""


class BuildError(WerkboekError):
    """Rendering failed (for example WeasyPrint logged an error)."""
