"""Text read through the tags, as a screen reader meets it: words as the HTML has them.

Each block (a paragraph, a heading, a list item's body, a caption, a cell) is read as the
text of its marked content in the order of the tags, the inline elements in it included; every
word of it must be a word of the HTML the PDF was made from. Two words glued together where
a line breaks ("wat is" + "daarin": "isdaarin") or between two inline elements ("Koffie" +
"of") are no words of the HTML. Then: the link names hold no control character; a word
hyphenated at a line's end reads whole, its layout hyphen a soft hyphen (U+00AD).
"""

from __future__ import annotations

import html
import re
import subprocess

import pikepdf
import pypdfium2
import pytest

from structure import Element, Tagged
from werkboek import Project
from werkboek.products import product_class
from werkboek.rendering.pdf import layout, pdf_bytes

from conftest import CONTENT, REPO

INLINE = {"Span", "Link", "Lbl", "Em", "Strong", "Quote", "Code", "Figure"}
LETTERS = re.compile(r"[^\W\d_]+")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(CONTENT, REPO / "styles", tmp_path_factory.mktemp("lezen"))


def built(project: Project, name: str, stem: str) -> tuple[Tagged, set[str]]:
    """The file ``stem`` of the product ``name``: its tags, and the words of its HTML."""
    product = product_class(name)(project)
    target = next(t for t in product.targets() if t.path.stem == stem)
    return Tagged.open(product.pdf(target)), html_words(product.html(target))


def html_words(source: str) -> set[str]:
    """The words of the HTML's text, and of the text the styles add (``content: " (blz. "``)."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", source, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for sheet in (REPO / "styles").glob("*.css"):
        text += " ".join(re.findall(r"content:([^;}]*)", sheet.read_text(encoding="utf-8")))
    return {w.casefold() for w in LETTERS.findall(text.replace("-", "").replace("\u00ad", ""))}


def blocks(tree: Tagged) -> list[tuple[Element, str]]:
    """Every block element with its text as read: its marked content and that of the
    inline elements in it, in order, with nothing put between them."""

    def read(element: Element) -> list[str]:
        texts = tree.text_of(Element(element.type, element.obj, None, [], element.mcids))
        for child in element.children:
            if child.type in INLINE:
                texts += read(child)
        return texts

    # (marked content directly in an element comes before its children in WeasyPrint's
    # tags only when it has no children; blocks of text here have one or the other)
    return [
        (e, "".join(read(e)))
        for e in tree.elements()
        if e.type not in INLINE and e.type != "Artifact"
    ]


def glued(tree: Tagged, words: set[str]) -> list[str]:
    found = []
    for element, text in blocks(tree):
        for word in LETTERS.findall(text.replace("-", "").replace("\x02", "")):
            if word.casefold() not in words:
                found.append(f"{element.type}: {word!r} in {text[:80]!r}")
    return found


@pytest.mark.parametrize(
    ("name", "stem"), [("document", "inspiratiedocument"), ("cards", "oefenkaarten")]
)
def test_tagged_text_read_in_order_glues_no_words(project, name, stem):
    tree, words = built(project, name, stem)
    assert len(words) > 500
    # before: 40 of 369 blocks of the document glued two words where a line breaks, and
    # every "Koffie of Thee" read "KoffieofThee"
    assert glued(tree, words) == []


HYPHENATED = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Afbreken</title>
<style>p { width: 28mm; }</style></head><body>
<p>De gezinsbeschermingsorganisatie werkt met jeugdbeschermingstafels en
hulpverleningsplannen.</p>
<p>Het kind-en-gezinsbeschermingsteam en de ervaringsdeskundigen-werkgroep.</p>
</body></html>"""
WHOLE = [
    "gezinsbeschermingsorganisatie",
    "jeugdbeschermingstafels",
    "hulpverleningsplannen",
    "kind-en-gezinsbeschermingsteam",
    "ervaringsdeskundigen-werkgroep",
]


def test_a_hyphenated_word_reads_whole_its_layout_hyphen_a_soft_hyphen(tmp_path):
    """ISO 32000-1 14.8.2.2.3 (and PDF/UA): the hyphen WeasyPrint adds where it breaks a word
    is a soft hyphen in the text (an /ActualText), a hyphen of the text stays U+002D."""
    document = layout(
        HYPHENATED,
        base=tmp_path,
        roots=[tmp_path],
        stylesheets=[REPO / "styles" / "werkboek.css"],
        what="afbreken.pdf",
    )
    data = pdf_bytes(document, what="afbreken.pdf")
    (tmp_path / "afbreken.pdf").write_bytes(data)
    # the hyphen WeasyPrint drew at the end of each of the 8 broken lines is a soft hyphen
    with pikepdf.open(tmp_path / "afbreken.pdf") as pdf:
        pdf.pages[0].contents_coalesce()
        content = pdf.pages[0].obj.Contents.read_bytes()
    actual = [
        bytes.fromhex(h.decode()).decode("utf-16")
        for h in re.findall(rb"/ActualText\s*<([0-9a-fA-F]+)>", content)
    ]
    assert actual == ["\u00ad"] * 8, actual  # (the hyphen glyph alone: pdfium places it)
    # poppler: each such line ends in the soft hyphen, never in a hyphen-minus
    poppler = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "afbreken.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = poppler.splitlines()
    assert sum(line.endswith(("\u00ad", "\u00ad-")) for line in lines) == 8, lines
    assert not [line for line in lines if re.search(r"\w-$", line)], lines
    joined = re.sub(r"\u00ad-?\n", "", poppler)  # (poppler shows a "-" after it too)
    # pdfium: the word whole, its break marked as pdfium marks a soft hyphen (U+FFFE)
    document_ = pypdfium2.PdfDocument(data)
    try:
        pdfium = document_[0].get_textpage().get_text_range()
    finally:
        document_.close()
    assert "\x02" not in pdfium
    for text in (joined, pdfium.replace("\ufffe", "")):
        words = text.split()
        assert all(word in words or f"{word}." in words for word in WHOLE), text
