"""QR codes as vector images (SVG) that print well and scan reliably."""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup

QUIET_ZONE = 4
"""Modules of white around the code, as the QR standard asks."""
MIN_WIDTH_MM = 22.0
MIN_MODULE_MM = 0.55


@lru_cache(maxsize=512)
def qr_svg(url: str) -> tuple[str, float]:
    """A data URI of the QR code for ``url`` and its printed width in mm."""
    code = segno.make(url, error="m", micro=False, boost_error=True)
    modules = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    width = max(MIN_WIDTH_MM, modules * MIN_MODULE_MM)
    uri = code.svg_data_uri(scale=1, border=QUIET_ZONE, dark="#000000", light="#ffffff")
    return uri, round(width, 1)


def qr_image(url: str, label: str | None = None, css_class: str = "qr") -> Markup:
    """An ``<img>`` of the QR code for ``url``, with alt text for screen readers."""
    uri, width = qr_svg(url)
    alt = f"QR-code naar {label or url}"
    return Markup('<img class="{}" src="{}" alt="{}" style="width: {}mm; height: {}mm">').format(
        css_class, uri, alt, width, width
    )
