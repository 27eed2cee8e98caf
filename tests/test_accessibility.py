"""Every product is PDF/UA-1 that independent checkers accept, and its tags read well.

Two checkers from PyPI judge every file: ``page-validation`` (the PDF/UA-1 rules) and
``outloud`` (PDF/UA-1 and WCAG 2.2 semantic checks); ``qpdf --check`` finds no damage. Then
a walk of the structure tree checks what a screen-reader user meets: no orphaned elements,
running heads as pagination artifacts, a real table of contents, links named by their text,
no link in a link, every heading one level below the one before it at most, alt text on
every figure. The print shop's variant passes the PDF/A-2b profile it claims.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import page
import pikepdf
import pytest
from outloud.model import Document as OutloudDocument

from structure import Tagged, skipped_levels
from werkboek import Project, build_products
from werkboek.build import build_workbook
from werkboek.participants.lists import people_from_names
from werkboek.pdf.links import link_name
from werkboek.products.training_day import CertificateOptions
from werkboek.recipes import load_recipe

from conftest import CONTENT, REPO, ROOTS

pytestmark = pytest.mark.slow  # every test reads the products built once for the module

CONTROL = re.compile("[\x00-\x1f\x7f\ufffe]")


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> dict[str, Path]:
    """One of every kind of file werkboek makes, by a short name."""
    folder = tmp_path_factory.mktemp("toegankelijk")
    project = Project(CONTENT, REPO / "styles", folder, REPO / "recepten")
    written = build_products(project, ["document", "handouts", "cards"])
    files = {path.stem: path for path in written}
    recipe = load_recipe(
        REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml", project.content
    )
    [files["werkboek-deelnemer"]] = build_workbook(project, recipe, folder / "w-d.pdf")
    [files["werkboek-trainer"]] = build_workbook(
        project, recipe, folder / "w-t.pdf", edition="trainer"
    )
    copies = build_workbook(project, recipe, folder / "exemplaren", names=["Anna", "Bram de Wit"])
    files["eigen-exemplaar"] = copies[1]
    day = load_recipe(ROOTS / "trainingsdag" / "recept.yaml", project.content)
    people = tuple(people_from_names(["Anna", "Bram de Wit"]))
    options = CertificateOptions(
        day, people, folder / "bewijzen", ROOTS / "trainingsdag" / "kaart.png"
    )
    certificates = build_products(project, ["certificates"], {"certificates": options}, jobs=1)
    files["bewijs"] = certificates[1]  # (its name grafted into the whole certificate)
    wanted = [
        "inspiratiedocument",
        "gezinsgericht",
        "praktische-uitgangspunten-voor-het-creeren-van-partnerschap",
        "b1-niveau",
        "oefenkaarten",
        "uitgangspunten",
        "werkboek-deelnemer",
        "werkboek-trainer",
        "eigen-exemplaar",
        "bewijs",
    ]
    return {name: files[name] for name in wanted}


@pytest.fixture(scope="module")
def tagged(products) -> dict[str, Tagged]:
    return {name: Tagged.open(path) for name, path in products.items()}


# ---------------------------------------------------------------- the checkers


def test_page_validation_finds_no_failed_pdf_ua_rule(products):
    for name, path in products.items():
        report = page.validate_pdf(str(path), profile="ua1")
        assert [f"{f.rule_id}: {f.message}" for f in report.failures] == [], name
        assert report.is_compliant, name


def test_outloud_finds_no_error(products):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "outloud"),
            *("--json", "-", "--fail-on", "never"),
            *map(str, products.values()),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    errors = {
        Path(r["path"]).stem: [
            f"{f['rule']} p.{f.get('page')}: {f['message']}"
            for f in r["findings"]
            if f["severity"] == "error"
        ]
        for r in report["results"]
    }
    assert errors == {Path(p).stem: [] for p in products.values()}


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (Debian) is installed by setup.sh")
def test_qpdf_finds_no_damage(products):
    for name, path in products.items():
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stdout[-500:], result.stderr[-500:])
        assert "No syntax or stream encoding errors found" in result.stdout, name


# ---------------------------------------------------------------- the structure tree


def test_no_structure_element_is_left_outside_the_tree(tagged):
    for name, tree in tagged.items():
        assert tree.orphans() == [], name
        # every element's parent is the element that lists it
        for element in tree.root.walk():
            for child in element.children:
                assert child.obj.P.objgen == element.obj.objgen, (name, child.type)


def test_running_heads_and_folios_are_pagination_artifacts(tagged):
    for name in ("inspiratiedocument", "gezinsgericht", "werkboek-trainer", "b1-niveau"):
        tree = tagged[name]
        for index in range(1, len(tree.pdf.pages)):  # the cover has none
            marks = tree.marked_content(index)
            if not any(p is not None and "/MCID" in p for _, p in marks):
                continue  # a blank page
            pagination = [
                p
                for tag, p in marks
                if tag == "Artifact" and p is not None and p.get("/Type") == "/Pagination"
            ]
            assert pagination, (name, index + 1)


def own_links(item) -> list:
    """The links of a contents item, not those of the contents nested in it."""
    found = []
    for child in item.children:
        if child.type == "Link":
            found.append(child)
        elif child.type != "TOC":
            found.extend(own_links(child))
    return found


def test_the_table_of_contents_is_toc_and_toci_one_link_each(tagged):
    for name in ("inspiratiedocument", "werkboek-deelnemer", "werkboek-trainer"):
        tree = tagged[name]
        tocs = tree.elements("TOC")
        assert tocs, name
        items = tree.elements("TOCI")
        assert len(items) >= 8, name
        for item in items:
            assert item.parent is not None and item.parent.type == "TOC", name
            links = own_links(item)
            assert len(links) == 1, (name, [e.type for e in item.walk()])
            assert len(links[0].annotations) >= 1
        # the leader dots are drawn, not read: no dots in any tagged text of the contents
        for toc in tocs:
            for element in toc.walk():
                assert element.type != "Artifact"


def test_every_link_is_tagged_named_by_its_text_and_printed(tagged):
    for name, tree in tagged.items():
        in_links = {a.objgen for e in tree.elements("Link") for a in e.annotations}
        for index, annotation in tree.annotations():
            if annotation.get("/Subtype") != "/Link":
                continue
            assert annotation.objgen in in_links, (name, index)
            assert int(annotation.get("/F", 0)) & 4, (name, index)  # the Print flag
            contents = str(annotation.get("/Contents", ""))
            assert contents and not CONTROL.search(contents), (name, index, contents)
            if "/Dest" in annotation:  # an internal link is not named by its anchor
                assert contents != str(annotation.Dest), (name, contents)
        where = {a.objgen: index for index, a in tree.annotations()}
        for link in tree.elements("Link"):
            # named by the whole text it shows, on every line (and page) it takes
            lines = [
                line
                for annotation in link.annotations
                for line in tree.text_under(where[annotation.objgen], annotation)
            ]
            shown = link_name(lines)
            assert shown, name
            for annotation in link.annotations:
                assert str(annotation.Contents) == shown, (name, shown)


def test_one_printed_address_is_one_link_that_reads_as_the_address(tagged):
    """Every link showing an address shows exactly its URL: never hyphenated, nothing lost;
    over two or three lines it is one link, with one annotation per page."""
    addresses = 0
    for name, tree in tagged.items():
        where = {a.objgen: index for index, a in tree.annotations()}
        for link in tree.elements("Link"):
            [uri] = {str(a.A.URI) for a in link.annotations if "/A" in a} or {None}
            if uri is None:
                continue
            pages = [where[a.objgen] for a in link.annotations]
            assert len(pages) == len(set(pages)), (name, uri)
            lines = [line for a in link.annotations for line in tree.text_under(where[a.objgen], a)]
            label = link_name(lines)
            if " " in label or not re.search(r"[./@]", label):
                continue  # words, not an address
            # pdfium marks a hyphen that ends a line "\x02": a layout hyphen would show as one
            shown = "".join("".join(lines).split()).replace("\x02", "-")
            assert shown in (uri, re.sub(r"^(https?://|mailto:)", "", uri)), (name, uri, lines)
            addresses += 1
    assert addresses > 50


def test_no_link_inside_a_link_and_no_list_directly_in_a_list(tagged):
    for name, tree in tagged.items():
        for link in tree.elements("Link"):
            assert not [a for a in link.ancestors() if a.type == "Link"], name
        for element in tree.elements("L"):
            assert element.parent is None or element.parent.type != "L", name
        for item in tree.elements("LI"):
            assert {c.type for c in item.children} <= {"Lbl", "LBody"}, name
        # an anonymous box (a caption laid out as a flex box, a block in a paragraph) is
        # part of its element: no Caption in a Caption, no P in a P (document: 21 Captions)
        for element in tree.elements():
            if element.type in ("Caption", "P", "Link", "Table", "L"):
                assert element.parent is None or element.parent.type != element.type, name
        # the contents of a principle's parts sit in its item, not in the item's reference
        for reference in tree.elements("Reference"):
            assert not [e for e in reference.walk() if e.type == "TOC"], name
        # a table split over pages is one table (its header once)
        for table in tree.elements("Table"):
            assert len([c for c in table.children if c.type == "THead"]) <= 1, name


def test_no_heading_level_is_skipped(tagged):
    for name, tree in tagged.items():
        levels = tree.headings()
        assert levels, name
        assert skipped_levels(levels) == [], name


def test_every_figure_has_alt_text(tagged):
    figures = 0
    for name, tree in tagged.items():
        for figure in tree.elements("Figure"):
            assert str(figure.obj.get("/Alt", "")).strip(), name
            figures += 1
    assert figures > 10  # the QR codes


def test_marked_content_sits_on_pages_not_in_form_xobjects(products):
    """A form XObject with tagged content would need its own /StructParents."""
    for name, path in products.items():
        with pikepdf.open(path) as pdf:
            for pdf_page in pdf.pages:
                for xobject in pdf_page.Resources.get("/XObject", {}).values():
                    if xobject.get("/Subtype") == "/Form":
                        assert (
                            b"/MCID" not in xobject.read_bytes() or "/StructParents" in xobject
                        ), name


def test_a_card_sheet_reads_each_back_after_its_front(tagged):
    tree = tagged["uitgangspunten"]
    # the twelve uitgangspunten: front heading (H1) then its back (H2 "N. title"), in turn
    levels = tree.headings()
    assert levels == [1, 2] * 12


def test_the_space_at_a_line_break_is_kept(products):
    """Text read through the tags joins two lines with a space, not "gehoordvoelde"."""
    tree = Tagged.open(products["inspiratiedocument"])
    checker = OutloudDocument(str(products["inspiratiedocument"]))
    texts = {}
    for index in range(len(tree.pdf.pages)):
        for (_, mcid), text in checker.content(index).mcid_text.items():
            texts[(index, mcid)] = text
    joined = spaced = 0
    for paragraph in tree.elements("P"):
        parts = [texts.get(m, "") for e in paragraph.walk() for m in e.mcids]
        parts = [p for p in parts if p]
        for before, after in itertools.pairwise(parts):
            if before[-1:].isalpha() and after[:1].isalpha():
                joined += 1
            else:
                spaced += 1
    # before: 433 of 739 breaks glued two words; what is left are words split by markup
    assert joined < 0.05 * (joined + spaced), (joined, spaced)


# ---------------------------------------------------------------- the print shop's files


def test_the_print_shop_files_are_pdf_x_4_and_still_tagged(tmp_path):
    """(PDF/X-4 in detail: test_print_shop.py.)"""
    project = Project(CONTENT, REPO / "styles", tmp_path / "drukwerk", print_shop=True)
    written = build_products(project, ["handouts", "cards"])
    assert written
    for path in written:
        with pikepdf.open(path) as pdf:
            [intent] = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFX"
            assert int(intent.DestOutputProfile.N) == 4  # CMYK
            assert b"PDF/X-4" in pdf.Root.Metadata.read_bytes()
            assert "/StructTreeRoot" in pdf.Root  # still tagged
    # the accessible files are something else: PDF/UA, not PDF/A
    accessible = Project(CONTENT, REPO / "styles", tmp_path / "toegankelijk")
    [handout] = [p for p in build_products(accessible, ["handouts"]) if p.stem == "lerend"]
    with pikepdf.open(handout) as pdf:
        assert "/OutputIntents" not in pdf.Root
        assert b"pdfuaid:part" in pdf.Root.Metadata.read_bytes()


def test_the_print_shop_variant_goes_to_its_own_folder(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "werkboek",
            "build",
            "handouts",
            "--drukwerk",
            "--inhoud",
            str(CONTENT),
            "--stijlen",
            str(REPO / "styles"),
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    written = [Path(line.removeprefix("geschreven: ")) for line in result.stdout.splitlines()]
    assert written and all(p.parent == tmp_path / "drukwerk" / "handouts" for p in written)
