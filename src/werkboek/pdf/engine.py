"""WeasyPrint's public names, imported once its C libraries are open.

Importing WeasyPrint opens Pango, HarfBuzz and fontconfig; :func:`.internals.load_libraries`
does that first, without running a program to find them. Every module of werkboek that
uses WeasyPrint imports it from here, so nothing imports it before (and a command that
renders nothing, a build served from the cache, does not import it at all).
"""

from __future__ import annotations

from .internals import load_libraries

load_libraries()

from weasyprint import CSS, HTML, Document  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402

__all__ = ["CSS", "HTML", "Document", "FatalURLFetchingError", "FontConfiguration", "URLFetcher"]
