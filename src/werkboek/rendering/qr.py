"""QR codes as vector images (SVG) that print well and scan reliably.

Making a code is mostly segno choosing the best mask (some 10–25 ms a code, and the document
has about a hundred); a code depends only on its URL and segno's version, so each is made once
and kept in the user's cache folder (platformdirs), a small verified file per code, for every
later build in any process. A damaged or foreign entry is ignored and made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

from markupsafe import Markup

QUIET_ZONE = 4
"""Modules of white around the code, as the QR standard asks."""
MIN_WIDTH_MM = 22.0
MIN_MODULE_MM = 0.55


@cache
def _folder() -> Path | None:
    """Where made codes are kept (``WERKBOEK_QR_CACHE`` or the user's cache folder)."""
    import platformdirs

    folder = os.environ.get("WERKBOEK_QR_CACHE") or platformdirs.user_cache_dir("werkboek")
    path = Path(folder) / f"qr-segno-{metadata.version('segno')}"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _make(url: str) -> tuple[str, float]:
    import segno

    code = segno.make(url, error="m", micro=False, boost_error=True)
    modules = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    width = max(MIN_WIDTH_MM, modules * MIN_MODULE_MM)
    uri = code.svg_data_uri(scale=1, border=QUIET_ZONE, dark="#000000", light="#ffffff")
    return uri, round(width, 1)


@lru_cache(maxsize=512)
def qr_svg(url: str) -> tuple[str, float]:
    """A data URI of the QR code for ``url`` and its printed width in mm."""
    folder = _folder()
    key = hashlib.sha256(url.encode()).hexdigest()
    entry = folder / f"{key[:40]}.json" if folder is not None else None
    if entry is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            kept = json.loads(entry.read_text(encoding="utf-8"))
            if kept["url"] == url and kept["check"] == _check(kept["uri"], kept["width"]):
                return str(kept["uri"]), float(kept["width"])
    uri, width = _make(url)
    if entry is not None:
        from ..files.atomic import write_atomically

        record = {"url": url, "uri": uri, "width": width, "check": _check(uri, width)}
        with contextlib.suppress(OSError):
            write_atomically(entry, json.dumps(record).encode())
    return uri, width


def _check(uri: str, width: float) -> str:
    return hashlib.sha256(f"{uri}\0{width}".encode()).hexdigest()[:16]


def qr_image(url: str, label: str | None = None, css_class: str = "qr") -> Markup:
    """An ``<img>`` of the QR code for ``url``, with alt text for screen readers."""
    uri, width = qr_svg(url)
    alt = f"QR-code naar {label or url}"
    return Markup('<img class="{}" src="{}" alt="{}" style="width: {}mm; height: {}mm">').format(
        css_class, uri, alt, width, width
    )
