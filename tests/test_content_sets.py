"""A second content set: another programme, with its own names, colours, links, language and
a template of its own, builds every product — and nothing of the first programme shows."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdf
import pypdfium2
import pytest

from werkboek import Project, build_products, check_project

from conftest import REPO, TESTS, decode_qr_codes, outline

WIJKKRACHT = TESTS / "content-sets" / "wijkkracht"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(
        WIJKKRACHT, REPO / "styles", tmp_path_factory.mktemp("wijkkracht"), WIJKKRACHT / "recepten"
    )


@pytest.fixture(scope="module")
def built(project) -> dict[str, Path]:
    written = build_products(project, ["all"], jobs=2)
    return {str(p.relative_to(project.output_dir)): p for p in written}


def text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


@pytest.mark.slow
def test_every_product_is_built_under_its_own_names(built):
    assert sorted(built) == [
        "document/handreiking-samen-sterk.pdf",
        "handouts/samen-beginnen.pdf",
        "handouts/verder-kijken.pdf",
        "handouts/werkafspraken.pdf",
        "kaarten/het-eerste-gesprek.pdf",
        "kaarten/oefenkaarten.pdf",
        "kaarten/uitgangspunten.pdf",
        "kaarten/vijf-keer-waarom.pdf",
        "werkboeken/startdag-wijkteams-trainer.pdf",
    ]


def test_check_counts_the_second_programme(project):
    report = check_project(project)
    assert (report.principles, report.exercises, report.articles, report.recipes) == (2, 2, 1, 1)
    assert report.files == 9


@pytest.mark.slow
def test_nothing_of_the_first_programme_is_printed(built):
    for name, path in built.items():
        printed = text(path)
        for word in (
            "Inspiratiedocument",
            "Toekomstscenario",
            "kind- en gezinsbescherming",
            "Praktische uitgangspunten",
            "Kom verder",
        ):
            assert word not in printed, (name, word)


@pytest.mark.slow
def test_the_programmes_own_part_titles_language_and_title(built, project):
    reader = pypdf.PdfReader(built["document/handreiking-samen-sterk.pdf"])
    assert reader.trailer["/Root"]["/Lang"] == "nl-BE"
    assert reader.metadata.title == "Handreiking Samen Sterk in de Wijk"
    entries = outline(reader)
    assert [title for title, _, _ in entries] == [
        "Inhoud",
        "Samen verder",
        "Over deze handreiking",
        "Samen beginnen",
        "Verder kijken",
        "Colofon",
    ]
    parts = [title for title, _, _ in entries[3][2]]
    assert parts == list(project.content.settings.parts.values())
    assert parts[0] == "Waar het om gaat"
    handout = text(built["handouts/samen-beginnen.pdf"])
    assert "Uit de Handreiking Samen Sterk in de Wijk, versie 15 september 2025" in handout


@pytest.mark.slow
def test_links_follow_the_programmes_pattern(built):
    codes = {url for _, url, _ in decode_qr_codes(built["kaarten/oefenkaarten.pdf"])}
    assert codes == {
        "https://wijkkracht.voorbeeld.be/handreiking/oefenen/het-eerste-gesprek?pijler=samen-beginnen",
        "https://wijkkracht.voorbeeld.be/handreiking/oefenen/vijf-keer-waarom?pijler=verder-kijken",
    }
    [(_, story, _)] = decode_qr_codes(built["handouts/samen-beginnen.pdf"])
    assert story == "https://wijkkracht.voorbeeld.be/video/buurvrouw"  # its own url


@pytest.mark.slow
def test_card_texts_and_colours_come_from_the_content(built):
    card = built["kaarten/het-eerste-gesprek.pdf"]
    assert "PIJLER 1 · WERKKAART" in text(card)  # (the band is set in capitals)
    # the band at the top of the front is the principle's own colour, #7a1f5c
    page = pypdfium2.PdfDocument(card)[0]
    image = page.render(scale=1).to_pil().convert("RGB")
    # (the file has room for crop marks around the card: measure from its trim box)
    with pikepdf.open(card) as pdf:
        trim_top = float(pdf.pages[0].trimbox[3])
    top = round(float(page.get_height()) - trim_top) + 8
    assert image.getpixel((image.width // 2, top)) == (0x7A, 0x1F, 0x5C)
    uitgangspunten = text(built["kaarten/uitgangspunten.pdf"])
    assert "Werkafspraken" in uitgangspunten and "Uit: Werkafspraken" in uitgangspunten


@pytest.mark.slow
def test_a_template_of_the_content_set_replaces_the_packages(built):
    workbook = built["werkboeken/startdag-wijkteams-trainer.pdf"]
    cover = " ".join(pypdf.PdfReader(workbook).pages[0].extract_text().split())
    assert "Wijkkracht: samen sterk in de wijk." in cover  # from sjablonen/
    assert "Gemaakt met de Handreiking Samen Sterk in de Wijk (15 september 2025) van " in cover
    assert "Trainer: Els Janssens" in cover
