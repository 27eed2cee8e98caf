"""The full inspiratiedocument: structure, text, links, metadata, fonts and QR codes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import segno

from werkboek import BuildError, Project, build_products, load_content
from werkboek.products import DocumentProduct
from werkboek.rendering.qr import QUIET_ZONE, qr_svg

from conftest import CONTENT, REPO, decode_qr_codes, make_content
from conftest import outline as read_outline
from printed import kernelement_label, step_heading

PARTS = load_content(CONTENT).parts

A4 = (595.28, 841.89)


@pytest.fixture(scope="session")
def document_pdf(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("output")
    project = Project(CONTENT, REPO / "styles", output)
    [path] = build_products(project, ["document"])
    return path


@pytest.fixture(scope="session")
def reader(document_pdf) -> pypdf.PdfReader:
    return pypdf.PdfReader(document_pdf)


@pytest.fixture(scope="session")
def page_texts(reader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.mark.slow
def test_pages_are_a4(reader):
    assert len(reader.pages) > 60
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            A4, abs=0.5
        )


@pytest.mark.slow
def test_outline_has_chapters_principles_parts_stories_and_exercises(reader, content):
    outline = read_outline(reader)
    titles = [title for title, _, _ in outline]
    chapters = [c.title for c in content.document.chapters]
    principles = [p.plain_title for p in content.principles]
    assert titles == ["Inhoud", "Kom verder!", *chapters, *principles, "Antwoorden", "Colofon"]
    for principle, (_, page, parts) in zip(content.principles, outline[-8:-2], strict=True):
        assert page % 2 == 1, f"{principle.slug} must start on a right-hand page"
        assert [title for title, _, _ in parts] == list(PARTS.values())
        stories = dict((t, c) for t, _, c in parts)[PARTS["verhalen"]]
        exercises = dict((t, c) for t, _, c in parts)[PARTS["oefenen"]]
        assert [t for t, _, _ in stories] == [s.plain_title for s in principle.stories]
        assert [t for t, _, _ in exercises] == [e.plain_title for e in principle.exercises]


@pytest.mark.slow
def test_every_principle_story_and_exercise_is_on_its_page(reader, page_texts, content):
    outline = read_outline(reader)
    for principle, (_, opener, parts) in zip(content.principles, outline[-8:-2], strict=True):
        assert principle.plain_title in page_texts[opener - 1]
        for part_title, page, children in parts:
            assert part_title in page_texts[page - 1]
            for title, child_page, _ in children:
                assert title in page_texts[child_page - 1]


@pytest.mark.slow
def test_exercises_show_steps_with_minutes_and_writing_space(page_texts, content):
    text = " ".join(page_texts)
    for _, exercise in content.exercises():
        for number, step in enumerate(exercise.steps, 1):
            assert step_heading(number, step) in text
    assert "Wat ik uit deze oefening mee wil nemen is" in text


def test_an_exercise_with_neither_group_size_nor_duration_has_no_empty_details_row(
    tmp_path, content
):
    """The row of group size and duration, between two rules, is there only when there is
    something to say ("Elkaar beter leren kennen door je hand" says neither)."""
    product = DocumentProduct(Project(CONTENT, REPO / "styles", tmp_path))
    [target] = product.targets()
    html = product.html(target)
    exercises = [exercise for _, exercise in content.exercises()]
    with_details = [e for e in exercises if e.persons or e.duration]
    assert 0 < len(with_details) < len(exercises)
    assert html.count('class="oefening-meta"') == len(with_details)


@pytest.mark.slow
def test_kernelementen_are_listed(page_texts, content):
    text = " ".join(page_texts)
    for principle in content.principles:
        for number in range(1, len(principle.explanation.kernelementen) + 1):
            assert kernelement_label(principle, number) in text


@pytest.mark.slow
def test_answers_are_at_the_back_and_the_exercise_points_there(reader, page_texts, content):
    """The full document is the whole source: the answers of "B1 niveau" are printed, in
    "Antwoorden" at the back, and the exercise says where (without giving them away)."""
    text = " ".join(page_texts)
    assert "Alleen voor de trainer" not in text
    outline = {title: page for title, page, _ in read_outline(reader)}
    answers = page_texts[outline["Antwoorden"] - 1]
    assert "toch / maar / alleen" in answers
    assert "B1 niveau Eenvoudig, stap 1: Antwoorden Deel 1" in answers
    [exercise_pages] = [
        [n for n, t in enumerate(page_texts, 1) if "Echter:" in t]  # the worksheet itself
    ]
    for number in exercise_pages:
        assert "toch / maar / alleen" not in page_texts[number - 1]
    pointer = f"De antwoorden staan achterin: Antwoorden (blz. {outline['Antwoorden']})"
    first = exercise_pages[0]
    assert any(pointer in page_texts[n - 1] for n in range(first, first + 3))
    assert text.count("toch / maar / alleen") == 1


@pytest.mark.slow
def test_toc_entries_link_to_their_pages(reader, content):
    toc_page = reader.pages[2]
    links = [a.get_object() for a in toc_page.get("/Annots", [])]
    internal = [a for a in links if a.get("/Subtype") == "/Link" and "/Dest" in a]
    # chapters + principles with their parts + colofon, split over two pages
    assert len(internal) > 20


@pytest.mark.slow
def test_sources_are_clickable_with_their_url(reader, content):
    uris = set()
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A")
            if action and action.get("/S") == "/URI":
                uris.add(action["/URI"])
    for principle in content.principles:
        for source in principle.background.sources:
            assert content.source_url(principle, source) in uris
    assert "https://www.voordejeugdenhetgezin.nl/toekomstscenario-kind-en-gezinsbescherming" in uris


@pytest.mark.slow
def test_metadata_and_language(reader, content):
    info = reader.metadata
    assert info.title == "Inspiratiedocument Toekomstscenario kind- en gezinsbescherming"
    assert info.author == "Programmateam Toekomstscenario kind- en gezinsbescherming"
    assert info["/CreationDate"].startswith("D:20240201")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "nl"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


@pytest.mark.slow
def test_only_the_packaged_font_is_used_and_embedded(reader):
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            fonts.add(font["/BaseFont"].split("+", 1)[1])
    assert fonts == {
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
    }


@pytest.mark.slow
def test_no_blank_pages_but_before_a_right_hand_start(reader, page_texts):
    outline = read_outline(reader)
    starts = {page for _, page, _ in outline}
    for number, text in enumerate(page_texts, 1):
        if not text.strip():
            assert number % 2 == 0 and number + 1 in starts, f"page {number} is blank"


@pytest.mark.slow
def test_builds_are_byte_identical_across_processes(document_pdf, tmp_path):
    command = [sys.executable, "-m", "werkboek", "build", "document"]
    command += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles"), "-o", str(tmp_path)]
    subprocess.run(command, check=True, capture_output=True)
    assert (
        tmp_path / "document" / "inspiratiedocument.pdf"
    ).read_bytes() == document_pdf.read_bytes()


# ---------------------------------------------------------------- failing builds


def _small_project(tmp_path) -> Project:
    content = make_content(tmp_path)
    styles = tmp_path / "styles"
    shutil.copytree(REPO / "styles", styles)
    return Project(content, styles, tmp_path / "output")


@pytest.mark.slow
def test_bad_css_fails_the_build_and_leaves_no_pdf(tmp_path):
    project = _small_project(tmp_path)
    with (project.styles_dir / "werkboek.css").open("a") as sheet:
        sheet.write("\n.kapot { colour: rood; }\n")
    with pytest.raises(BuildError, match="WeasyPrint meldt: Ignored `colour: rood`"):
        build_products(project, ["document"])
    assert not list((tmp_path / "output").rglob("*.pdf"))
    assert not list((tmp_path / "output").rglob(".*.tmp"))


def test_a_missing_image_fails_the_build(tmp_path):
    project = _small_project(tmp_path)
    (project.styles_dir / "iconen" / "klok.svg").unlink()
    with pytest.raises(BuildError, match=re.escape("klok.svg")):
        build_products(project, ["document"])


def _append_css(project: Project, css: str) -> int:
    """Add ``css`` at the end of werkboek.css; the line it starts on."""
    sheet = project.styles_dir / "werkboek.css"
    lines = sheet.read_text(encoding="utf-8").count("\n") + 1
    with sheet.open("a", encoding="utf-8") as file:
        file.write("\n" + css + "\n")
    return lines + 1


def _override(project: Project, html: str) -> None:
    """A content set's own cover template that shows ``html``."""
    folder = project.content_dir / "sjablonen"
    folder.mkdir()
    (folder / "workbook_cover.html.j2").write_text(
        "{% macro workbook_cover(recipe, person, used_principles, cover_line) %}"
        f"<section><h1>Omslag</h1>{html}</section>{{% endmacro %}}",
        encoding="utf-8",
    )


@pytest.mark.slow
def test_the_network_is_never_fetched(tmp_path):
    """Neither from a stylesheet (named at its line) nor from a template."""
    project = _small_project(tmp_path)
    line = _append_css(project, 'body { background-image: url("https://voorbeeld.nl/x.png"); }')
    sheet = project.styles_dir / "werkboek.css"
    with pytest.raises(BuildError) as info:
        build_products(project, ["document"])
    assert info.value.lines() == [
        f"{sheet}:{line}:26: url('https://voorbeeld.nl/x.png'): "
        "werkboek haalt niets van het netwerk"
    ]
    assert not list((tmp_path / "output").rglob("*.pdf"))

    other = _small_project(tmp_path / "sjabloon")
    _override(other, '<img src="https://voorbeeld.nl/x.png" alt="x">')
    recipe = tmp_path / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - notities: 1\n", encoding="utf-8")
    from werkboek.build import build_workbook

    with pytest.raises(
        BuildError, match=re.escape("haalt niets van het netwerk: 'https://voorbeeld.nl/x.png'")
    ):
        build_workbook(other, recipe, tmp_path / "dag.pdf")
    assert not (tmp_path / "dag.pdf").exists()


@pytest.mark.slow
def test_files_outside_content_and_styles_are_never_read(tmp_path):
    """Through ``..``, through a symbolic link, from a stylesheet or from a template."""
    project = _small_project(tmp_path)
    secret = tmp_path / "geheim.svg"
    secret.write_text((REPO / "styles" / "iconen" / "klok.svg").read_text())
    line = _append_css(project, 'body { background-image: url("../geheim.svg"); }')
    with pytest.raises(BuildError, match=f"werkboek.css:{line}:26: url\\('../geheim.svg'\\): "):
        build_products(project, ["document"])

    linked = _small_project(tmp_path / "link")
    (linked.styles_dir / "iconen" / "link.svg").symlink_to(secret)
    _append_css(linked, 'body { background-image: url("iconen/link.svg"); }')
    with pytest.raises(BuildError, match="ligt buiten de mappen met inhoud en stijlen"):
        build_products(linked, ["document"])

    templated = _small_project(tmp_path / "sjabloon")
    _override(templated, f'<img src="{secret.as_uri()}" alt="geheim">')
    recipe = tmp_path / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - notities: 1\n", encoding="utf-8")
    from werkboek.build import build_workbook

    with pytest.raises(BuildError, match="ligt buiten de mappen met inhoud en stijlen"):
        build_workbook(templated, recipe, tmp_path / "dag.pdf")


@pytest.mark.slow
def test_content_cannot_inject_html(tmp_path):
    project = _small_project(tmp_path)
    path = project.content_dir / "principes" / "proef.yaml"
    evil = "<b>vet</b> <img src='file:///etc/passwd'> </p><style>body{display:none}</style>"
    path.write_text(path.read_text().replace("Je probeert opnieuw.", f'"{evil}"'))
    [pdf] = build_products(project, ["document"])
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(pdf).pages)
    assert "<b>vet</b> <img src='file:///etc/passwd'>" in text


# ---------------------------------------------------------------- QR codes


@pytest.mark.slow
def test_every_qr_code_decodes_to_its_story_url(document_pdf, content):
    expected = {content.story_url(p, s) for p, s in content.stories() if s.media} | {
        s.url or content.deep_link(p, "leidinggevenden", s.slug)
        for p in content.principles
        for s in p.leaders.stories
        if s.media
    }
    codes = decode_qr_codes(document_pdf)
    assert sorted(text for _, text, _ in codes) == sorted(expected)
    for page, text, symbol_mm in codes:
        printed_mm = qr_svg(text)[1]  # with the four-module quiet zone on each side
        modules = segno.make(text, error="m", boost_error=True).symbol_size(border=0)[0]
        assert printed_mm >= 20
        assert printed_mm / (modules + 2 * QUIET_ZONE) >= 0.5
        # what the decoder measured on the page is the symbol at that size
        assert symbol_mm == pytest.approx(printed_mm * modules / (modules + 8), rel=0.05), page


def text_in(document: pypdfium2.PdfDocument, index: int, *, top: float) -> str:
    """The text in the top ``top`` points of a page."""
    page = document[index]
    width, height = page.get_size()
    return " ".join(page.get_textpage().get_text_bounded(0, height - top, width, height).split())


@pytest.mark.slow
def test_running_heads_name_the_principle_and_are_pagination_artifacts(
    reader, document_pdf, content
):
    """A principle's pages say "Inhoud" and the principle at the top; a screen reader skips
    them (pagination artifacts), so they carry no links (a link must be in the tags)."""
    document = pypdfium2.PdfDocument(document_pdf)
    outline = read_outline(reader)
    starts = [page for _, page, _ in outline]
    for principle, (_, opener, _) in zip(content.principles, outline[-8:-2], strict=True):
        end = starts[starts.index(opener) + 1] - 1
        for number in range(opener + 1, end + 1):
            page = reader.pages[number - 1]
            if not page.extract_text().strip():  # the blank page before the next principle
                continue
            head = text_in(document, number - 1, top=60)
            assert "Inhoud" in head and principle.plain_title in head, (principle.slug, number)
            top = float(page.mediabox.height) - 60
            assert not [
                a for a in page.get("/Annots", []) if float(a.get_object()["/Rect"][1]) > top
            ], (principle.slug, number)
