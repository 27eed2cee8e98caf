"""Slugs: the short names recipes and file names use for content items."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """``"Heard, seen & respected!"`` → ``heard-seen-respected``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG_PATTERN.match(text))


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates most like ``word``, best first (for "did you mean" hints)."""
    pool = sorted(set(candidates))
    found = difflib.get_close_matches(word, pool, n=n, cutoff=0.5)
    if len(found) < n:  # a prefix or a part of a long slug is a good hint too
        found += [c for c in pool if word and (word in c or c.startswith(word)) and c not in found]
    return found[:n]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'lerend'?"`` or an empty string."""
    found = closest(word, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(f) for f in found) + "?"
