"""Handouts: every principle and every supplementary text as a document of its own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2
import pytest

from werkboek import Project, build_products, load_content
from werkboek.words import dutch_date

from conftest import CONTENT, REPO, decode_qr_codes, outline, reading_text
from printed import article_text, blocks_text, principle_text

pytestmark = pytest.mark.slow  # every test reads the handouts built once for the session

PARTS = load_content(CONTENT).parts

A4 = (595.28, 841.89)
CONTEXT = (
    "Uit het Inspiratiedocument Toekomstscenario kind- en gezinsbescherming, versie 1 februari 2024"
)


@pytest.fixture(scope="session")
def handouts(tmp_path_factory) -> dict[str, Path]:
    output = tmp_path_factory.mktemp("handouts")
    written = build_products(Project(CONTENT, REPO / "styles", output), ["handouts"])
    return {path.stem: path for path in written}


def _texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def squeeze(text: str) -> str:
    """Text without spaces, hyphens and quote marks: line breaks, hyphenation and the
    decorative opening quote of a pull quote do not count."""
    return re.sub(r"[\s\-\u00ad\x02“”\"]+", "", text)


def body_text(path: Path) -> str:
    """The text of every page in reading order, without the running header and footer."""
    return " ".join(reading_text(path, skip_top_mm=18, skip_bottom_mm=18))


def is_label(line: str) -> bool:
    """Lines of text.principle_text that the templates print in another form."""
    return bool(
        line.endswith(" vertelt:")  # printed as "— Een professional" under the quote
        or re.match(r"Oefening \d+: ", line)  # "OEFENING 1" above the title
        or re.fullmatch(r"1 personen", line)  # "1 persoon"
    )


def test_a_handout_per_principle_and_per_article(handouts, content):
    expected = [p.slug for p in content.principles] + [a.slug for a in content.articles]
    assert list(handouts) == expected
    assert {p.parent.name for p in handouts.values()} == {"handouts"}
    for path in handouts.values():
        for page in pypdf.PdfReader(path).pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4, abs=0.5)


def test_the_first_page_says_what_it_is(handouts, content):
    version = dutch_date(content.document.version)
    assert f"Uit het Inspiratiedocument {content.document.programme}, versie {version}" == CONTEXT
    for number, principle in enumerate(content.principles, 1):
        first = _texts(handouts[principle.slug])[0]
        assert f"Basisprincipe {number}" in first.title()
        assert principle.plain_title in first
        assert squeeze(" ".join(blocks_text([principle.invitation]))) in squeeze(first)
        assert squeeze(CONTEXT) in squeeze(first)
        for part in PARTS.values():  # the parts, with the page they start on
            assert part in first


def test_the_date_it_comes_from_stays_on_one_line(handouts, content):
    """The date whole: "versie 1 februari" with "2024" alone on the next line was read as a
    stray number."""
    date = dutch_date(content.document.version)
    for slug, path in handouts.items():
        lines = pypdf.PdfReader(path).pages[0].extract_text().splitlines()
        assert any(date in " ".join(line.split()) for line in lines), slug


def test_the_first_page_carries_the_principle_colour(handouts, content):
    for principle in content.principles:
        document = pypdfium2.PdfDocument(handouts[principle.slug])
        image = document[0].render(scale=40 / 72).to_pil().convert("RGB")
        document.close()
        colour = tuple(int(principle.colour[i : i + 2], 16) for i in (1, 3, 5))
        data = image.tobytes()
        pixels = (data[i : i + 3] for i in range(0, len(data), 3))
        near = [
            pixel
            for pixel in pixels
            if all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True))
        ]
        assert len(near) > 0.02 * image.width * image.height, principle.slug


def test_pages_are_numbered_from_one_with_the_handout_name(handouts, content):
    titles = {p.slug: p.plain_title for p in content.principles}
    titles |= {a.slug: a.running_title or a.plain_title for a in content.articles}
    for slug, path in handouts.items():
        texts = _texts(path)
        for number, text in enumerate(texts, 1):
            assert f"{titles[slug]} — {number} / {len(texts)}" in text, (slug, number)


def test_every_page_has_text_and_the_last_line_gives_source_and_contact(handouts):
    for slug, path in handouts.items():
        texts = _texts(path)
        # more than the folio on every page: no blank or stray pages
        assert all(len(text) > 80 for text in texts), slug
        last = texts[-1]
        assert "Bron: Inspiratiedocument Toekomstscenario kind- en gezinsbescherming" in last
        assert "info@toekomstkindengezin.nl" in last


def test_a_principle_handout_holds_the_whole_principle(handouts, content):
    for principle in content.principles:
        text = squeeze(body_text(handouts[principle.slug]))
        for line in principle_text(principle, trainer=False):
            if not is_label(line):
                assert squeeze(line) in text, (principle.slug, line)
        assert squeeze("Alleen voor de trainer") not in text


def test_outline_has_the_principle_its_parts_stories_and_exercises(handouts, content):
    for principle in content.principles:
        reader = pypdf.PdfReader(handouts[principle.slug])
        [(title, page, parts)] = outline(reader)
        assert (title, page) == (principle.plain_title, 1)
        assert [t for t, _, _ in parts] == list(PARTS.values())
        pages = [p for _, p, _ in parts]
        assert pages == sorted(pages) and pages[0] == 2
        children = {t: c for t, _, c in parts}
        assert [t for t, _, _ in children[PARTS["verhalen"]]] == [
            s.plain_title for s in principle.stories
        ]
        assert [t for t, _, _ in children[PARTS["oefenen"]]] == [
            e.plain_title for e in principle.exercises
        ]


def test_metadata_language_and_tags(handouts, content):
    for slug, path in handouts.items():
        reader = pypdf.PdfReader(path)
        assert reader.metadata.title.endswith(
            "hand-out uit het Inspiratiedocument Toekomstscenario kind- en gezinsbescherming"
        )
        assert reader.metadata["/CreationDate"].startswith("D:20240201")
        catalog = reader.trailer["/Root"]
        assert catalog["/Lang"] == "nl"
        assert "/StructTreeRoot" in catalog, slug
        assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()
    assert pypdf.PdfReader(handouts["lerend"]).metadata.title.startswith("Lerend: hand-out")


def test_qr_codes_as_in_the_document(handouts, content):
    for principle in content.principles:
        expected = {content.story_url(principle, s) for s in principle.stories if s.media} | {
            s.url or content.deep_link(principle, "leidinggevenden", s.slug)
            for s in principle.leaders.stories
            if s.media
        }
        codes = decode_qr_codes(handouts[principle.slug])
        assert sorted(text for _, text, _ in codes) == sorted(expected)
        assert all(width >= 20 for _, _, width in codes)


def test_article_handouts_hold_their_text(handouts, content):
    for article in content.articles:
        texts = _texts(handouts[article.slug])
        text = squeeze(body_text(handouts[article.slug]))
        for line in article_text(article):
            assert squeeze(line) in text, (article.slug, line)
        assert squeeze(CONTEXT) in squeeze(texts[0])
        assert article.plain_title in texts[0]


def test_the_twelve_uitgangspunten_are_a_numbered_list(handouts, content):
    slug = "praktische-uitgangspunten-voor-het-creeren-van-partnerschap"
    article = content.article(slug)
    assert len(article.items) == 12
    text = " ".join(_texts(handouts[slug]))
    positions = [text.index(f"{n}. {item.title}") for n, item in enumerate(article.items, 1)]
    assert positions == sorted(positions)
    [(title, page, items)] = outline(pypdf.PdfReader(handouts[slug]))
    assert (title, page) == (article.plain_title, 1)
    assert [t for t, _, _ in items] == [f"{n}. {i.title}" for n, i in enumerate(article.items, 1)]


def test_rebuilt_handouts_are_byte_identical(handouts, tmp_path):
    command = [sys.executable, "-m", "werkboek", "build", "handouts", "--taken", "2"]
    command += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles"), "-o", str(tmp_path)]
    subprocess.run(command, check=True, capture_output=True)
    for name, path in handouts.items():
        assert (tmp_path / "handouts" / f"{name}.pdf").read_bytes() == path.read_bytes(), name
