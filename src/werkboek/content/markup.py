"""The small inline markup that content text may use: bold, italic and links.

Everything else is text. The renderer escapes the text first and only then turns
the three recognised forms into tags, so ``<script>`` in content prints as
``<script>``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

ALLOWED_SCHEMES = ("http", "https", "mailto")

_INLINE = re.compile(
    # [label](url); the url may hold balanced parentheses, so that [x](javascript:f(1)) is a
    # link (and refused as one) rather than text that slips through unchecked
    r"\[(?P<label>[^\]\n]+)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))*)\)"
    r"|\*\*(?P<bold>[^\n]+?)\*\*"  # **bold**
    r"|(?<![\w*])\*(?P<italic>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"  # *italic*
)


def link_problem(url: str) -> str | None:
    """Why ``url`` cannot be a link target, or ``None`` when it can."""
    if not url:
        return "link zonder doel; schrijf de tekst zonder [ ]( ), of geef een volledig adres"
    if url == "#":
        return (
            "linkdoel '#' ging verloren bij het overnemen; "
            "schrijf gewone tekst of een volledig adres"
        )
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        return f"linkdoel {url!r} moet beginnen met https://, http:// of mailto:"
    if parts.scheme != "mailto" and not parts.netloc:
        return f"linkdoel {url!r} heeft geen domeinnaam"
    return None


def inline_problems(text: str) -> list[str]:
    """Problems with the links in one text string."""
    return [
        problem
        for match in _INLINE.finditer(text)
        if match.group("url") is not None and (problem := link_problem(match.group("url")))
    ]


def render_inline(text: str) -> Markup:
    """Escape ``text`` and render its bold, italic and link markup as HTML."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[position : match.start()]))
        position = match.end()
        if match.group("label") is not None:
            url = match.group("url")
            label = render_inline(match.group("label"))
            if link_problem(url) is None:
                out.append(Markup('<a href="{}">{}</a>').format(url, label))
            else:  # validation reports it; never emit a dangerous href
                out.append(escape(match.group(0)))
        elif match.group("bold") is not None:
            out.append(Markup("<strong>{}</strong>").format(render_inline(match.group("bold"))))
        else:
            out.append(Markup("<em>{}</em>").format(render_inline(match.group("italic"))))
    out.append(escape(text[position:]))
    return Markup("").join(out)


def plain_text(text: str) -> str:
    """The text without markup: for outlines, metadata, alt text and slugs."""
    return _INLINE.sub(
        lambda m: plain_text(m.group("label") or m.group("bold") or m.group("italic") or ""),
        text,
    )
