"""The shipped content holds the source texts completely and without extraction noise."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from conftest import CONTENT, SEEDS
from fidelity import measure, normalise, seed_sentences, yaml_strings
from printed import content_text

WEB_CHROME = {
    # promotion of a training, share links and a list of other blog posts
    "001_99c33917992e8f20.txt": [(39, 51)],
    # "Ons programma voor professionals", "Terug naar overzicht"
    "000_35eecfc0856ede6d.txt": [(22, 24)],
}

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the repo")


def test_content_holds_at_least_99_percent_of_the_seed_sentences(content):
    haystack = " \n ".join(normalise(text) for text in content_text(content))
    total, corrected, missing = 0, [], []
    for seed in sorted(SEEDS.glob("0*.txt")):
        sentences = seed_sentences(seed.read_text(encoding="utf-8"), WEB_CHROME.get(seed.name, ()))
        coverage = measure(sentences, haystack)
        total += coverage.total
        corrected += coverage.corrected
        missing += [f"{seed.name}: {s}" for s in coverage.missing]
    assert total > 1200  # all five seeds were read
    ratio = 1 - len(missing) / total
    assert ratio >= 0.99, "\n".join(missing)
    # a fixed typo is fine; a rewritten text is not
    assert len(corrected) <= 0.03 * total


def test_web_chrome_is_not_content(content):
    haystack = " ".join(normalise(text) for text in content_text(content))
    for phrase in (
        "Deel deze pagina",
        "Meer blogberichten",
        "Terug naar overzicht",
        "Neem gauw een kijkje en meld je aan",
    ):
        assert normalise(phrase) not in haystack


def _all_strings() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(CONTENT.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [(path, s) for s in yaml_strings(data)]
    return out


NOISE = re.compile(
    r"\(#\)|^Home$|Klik hier voor inspiratie|Scan de QR|Klik op een van onderstaande iconen"
    r"|lees, luister en kijk naar|illustre\w*nde verhalen|wat vakcollega's hierover zeggen"
    r"|zelf aan de slag$|\(vervolg\)|^Beroep/vakgebied:|^Naam:",
    re.IGNORECASE,
)


def test_no_extraction_noise_in_content():
    noisy = [f"{path.name}: {text[:80]}" for path, text in _all_strings() if NOISE.search(text)]
    assert noisy == []


def test_no_paragraph_appears_more_often_than_in_the_seeds():
    seeds = " ".join(normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("0*.txt"))
    counts = Counter(text for _, text in _all_strings() if len(text) > 100)
    repeated = [
        text[:80] for text, n in counts.items() if n > max(1, seeds.count(normalise(text)[:50]))
    ]
    assert repeated == []


def test_no_paragraph_is_cut_in_two():
    # a paragraph cut by a page break ends without punctuation and the next starts in lowercase
    texts = [text for _, text in _all_strings()]
    cut = [
        f"{a[-40:]!r} / {b[:40]!r}"
        for a, b in pairwise(texts)
        if len(a) > 100 and a[-1].isalpha() and b[:1].islower() and len(b) > 40
    ]
    assert cut == []


def test_exercise_steps_are_in_reading_order(content):
    exercise = next(e for _, e in content.exercises() if e.slug == "feiten-of-interpretaties")
    titles = [step.title for step in exercise.steps]
    assert titles[0] == "Lastige situatie"
    assert titles[-1] == "Aan de slag"
    assert len(titles) == 7
