"""Safe resource loading: WeasyPrint reads only ``data:`` URLs and files below allowed folders.

Every image, font and stylesheet goes through :class:`SafeFetcher`. A file outside the
content and styles folders (and the font package) — however it is named, through
``..`` or a symbolic link — and anything from the network stop the build.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher


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
        return super().fetch(url, headers)
