"""Measure how completely the content holds the source texts.

The seeds in ``shared/seeds`` are noisy text extractions. Every sentence of six
or more words that is content must appear in ``content/``. This module splits
the seeds into sentences, normalises them (whitespace, quotes, punctuation,
inline markup, case) and looks each one up in the normalised text of the
content files.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

MIN_WORDS = 6

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Reduce text to lowercase words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINK.sub(r"\1", text)
    text = text.replace("*", " ").replace("_", " ")
    text = _NON_WORD.sub(" ", text.lower())
    return " ".join(text.split())


def split_sentences(text: str) -> Iterator[str]:
    """Yield the sentences of each line of ``text``."""
    for line in text.splitlines():
        line = line.strip().lstrip("-•").strip()
        if not line:
            continue
        yield from (part for part in _SENTENCE_END.split(line) if part.strip())


def seed_sentences(text: str, skip: Iterable[tuple[int, int]] = ()) -> list[str]:
    """Sentences of at least :data:`MIN_WORDS` words, skipping 1-based line ranges."""
    skipped = {n for start, end in skip for n in range(start, end + 1)}
    lines = [line for n, line in enumerate(text.splitlines(), 1) if n not in skipped]
    return [
        sentence
        for sentence in split_sentences("\n".join(lines))
        if len(normalise(sentence).split()) >= MIN_WORDS and not is_noise(sentence)
    ]


def yaml_strings(data: object) -> Iterator[str]:
    """Yield every string scalar (keys excluded) of loaded YAML data."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from yaml_strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from yaml_strings(item)


def yaml_text(paths: Iterable[Path]) -> str:
    """The normalised text of all string values in the given YAML files."""
    parts: list[str] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parts.extend(normalise(s) for s in yaml_strings(data))
    return " \n ".join(parts)


NOISE = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^\[Home\]\(#\)",  # the tab bar
        r"^Klik op een van onderstaande iconen",  # landing-page tiles
        r"^lees, luister en kijk naar",  # part headings repeated on every page
        r"^Scan de QR",  # QR captions: the story gets a QR code of its own
        r"^verhaal te luisteren of klik",
        r"^Klik (op|hieronder)( en kijk maar naar)? (het|dit) fragment",
        r"^Vervolg oefening",  # headings repeated on continued pages
        r"^Sp(r)?eekende verhalen in beeld en geluid$",
    )
]
"""Extraction noise named in the seeds' README: navigation, repeated headings, QR captions."""

SIMILARITY = 0.9
"""A sentence whose closest passage is this similar counts as kept with a typo fixed."""


def is_noise(sentence: str) -> bool:
    return any(pattern.search(sentence.strip()) for pattern in NOISE)


@dataclass(frozen=True)
class Coverage:
    total: int
    corrected: list[str]
    missing: list[str]

    @property
    def ratio(self) -> float:
        return 1.0 if not self.total else 1 - len(self.missing) / self.total


def _closest_ratio(needle: str, haystack: str) -> float:
    """How similar ``needle`` is to the passage of ``haystack`` it most resembles.

    Anchors on the first and on the last three words, so a fixed typo in the
    middle of a sentence still finds its passage.
    """
    words = needle.split()
    best = 0.0
    for anchor, from_end in ((" ".join(words[:3]), False), (" ".join(words[-3:]), True)):
        start = haystack.find(anchor)
        while start != -1:
            if from_end:
                end = start + len(anchor)
                window = haystack[max(0, end - len(needle) - 10) : end]
            else:
                window = haystack[start : start + len(needle) + 10]
            matcher = difflib.SequenceMatcher(None, needle, window, autojunk=False)
            match_len = sum(block.size for block in matcher.get_matching_blocks())
            best = max(best, match_len / len(needle))
            start = haystack.find(anchor, start + 1)
    return best


def measure(sentences: list[str], haystack: str) -> Coverage:
    """Which sentences the haystack holds, holds with a typo fixed, or lacks."""
    corrected: list[str] = []
    missing: list[str] = []
    for sentence in sentences:
        needle = normalise(sentence)
        if needle in haystack:
            continue
        if _closest_ratio(needle, haystack) >= SIMILARITY:
            corrected.append(sentence)
        else:
            missing.append(sentence)
    return Coverage(total=len(sentences), corrected=corrected, missing=missing)
