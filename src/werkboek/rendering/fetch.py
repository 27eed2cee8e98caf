"""Safe resource loading: WeasyPrint reads only ``data:`` URLs and files below allowed folders.

Every image, font and stylesheet goes through :class:`SafeFetcher`. A file outside the
content and styles folders (and the font package) — however it is named, through
``..`` or a symbolic link — and anything from the network stop the build.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import Problem, display_path
from ..pdf.engine import FatalURLFetchingError, URLFetcher


class Unreadable(FatalURLFetchingError):  # type: ignore[misc]
    """A file an image, font or stylesheet refers to is missing or unreadable."""

    def __init__(self, path: Path, message: str) -> None:
        self.problem = Problem(display_path(path), message=message)
        super().__init__(str(self.problem))


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """A URL fetcher that only reads ``data:`` URLs and files below ``roots``."""

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)
        self.roots = [Path(root).resolve() for root in roots]

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise FatalURLFetchingError(f"werkboek haalt niets van het netwerk: {url!r}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise FatalURLFetchingError(f"{path} ligt buiten de mappen met inhoud en stijlen")
        # (in Dutch, and naming the file: WeasyPrint would say "Error fetching" its URL)
        if not path.is_file():
            raise Unreadable(path, "bestand niet gevonden")
        try:
            return super().fetch(url, headers)
        except FatalURLFetchingError:
            raise Unreadable(path, "bestand niet te lezen") from None


def _urls(nodes: Any) -> Iterator[tuple[str, int, int]]:
    for node in nodes or []:
        kind = getattr(node, "type", None)
        if kind == "url":
            yield node.value, node.source_line, node.source_column
        elif kind == "function" and node.lower_name == "url":
            for argument in node.arguments:
                if argument.type == "string":
                    yield argument.value, node.source_line, node.source_column
        for attribute in ("prelude", "content", "arguments"):
            yield from _urls(getattr(node, attribute, None))


def stylesheet_problems(sheet: Path, roots: Sequence[Path], shown: str) -> list[Problem]:
    """Every ``url()`` in a stylesheet that the build could not load, at its line: from the
    network, outside the allowed folders, or missing. (WeasyPrint itself would only name
    the PDF it was making.)"""
    import tinycss2

    rules = tinycss2.parse_stylesheet(
        sheet.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
    )
    allowed = [Path(root).resolve() for root in roots]
    problems = []
    for url, line, column in _urls(rules):
        scheme = urlsplit(url).scheme
        if scheme == "data":
            continue
        if scheme and scheme != "file":
            message = f"url({url!r}): werkboek haalt niets van het netwerk"
        else:
            path = Path(unquote(urlsplit(url).path))
            target = (path if path.is_absolute() else sheet.parent / path).resolve()
            if not any(target.is_relative_to(root) for root in allowed):
                message = f"url({url!r}): {target} ligt buiten de mappen met inhoud en stijlen"
            elif not target.is_file():
                message = f"url({url!r}): bestand niet gevonden"
            else:
                continue
        problems.append(Problem(shown, line, column, "", message))
    return problems
