"""A training day from one recipe: own pages in the workbook, the attendance list, the
certificates of attendance."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import page
import pikepdf
import pypdf
import pypdfium2
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from structure import Tagged, skipped_levels
from werkboek import Project
from werkboek.build import build_workbook
from werkboek.cli import main
from werkboek.errors import RecipeError
from werkboek.participants.lists import people_from_names, read_people
from werkboek.products.training_day import (
    AttendanceOptions,
    AttendanceProduct,
    CertificateOptions,
    CertificatesProduct,
    hours_label,
)
from werkboek.recipes import load_recipe, parse_recipe

from conftest import CONTENT, REPO, ROOTS
from conftest import outline as read_outline

DAY = ROOTS / "trainingsdag"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(CONTENT, REPO / "styles", tmp_path_factory.mktemp("dag"))


@pytest.fixture(scope="module")
def recipe(project):
    return load_recipe(DAY / "recept.yaml", project.content)


def texts(path: Path | bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(path) if isinstance(path, bytes) else path)
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def people_list(tmp_path: Path, count: int, *, long_name: bool = False) -> Path:
    rows = ["naam,email,organisatie"]
    for n in range(1, count + 1):
        name = f"Deelnemer {n:02d}"
        if long_name and n == 7:
            name = "Chantal Özdemir-van der Heijden-Wolfswinkel de Boer-Vermeulen"
        rows.append(f"{name},d{n}@voorbeeld.example,Wijkteam {n % 4}")
    path = tmp_path / "groep.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- own pages


@pytest.mark.slow
def test_own_pages_stand_in_order_with_outline_entries_text_and_image(project, recipe, tmp_path):
    [path] = build_workbook(project, recipe, tmp_path / "dag.pdf")
    titles = [title for title, _, _ in read_outline(pypdf.PdfReader(path))]
    assert titles[:2] == ["Inhoud", "Welkom bij de trainingsdag"]
    assert titles[-2:] == ["Evaluatie van de dag", "Afspraken voor de terugkomdag"]
    assert titles.index("Van mens tot mens werken") == 2
    pages = texts(path)
    outline = {title: page for title, page, _ in read_outline(pypdf.PdfReader(path))}
    welcome = pages[outline["Welkom bij de trainingsdag"] - 1]
    assert "Fijn dat je er bent." in welcome
    assert "9.30 Welkom en kennismaking" in welcome  # the table
    assert "Neem een eigen casus mee" in welcome  # the list
    assert "<script>alert('x')</script> blijft tekst." in welcome  # raw HTML as text
    assert "We zien elkaar terug op 12 mei." in pages[outline["Afspraken voor de terugkomdag"] - 1]
    # the contents name them; the cover has the date and the place
    contents = pages[outline["Inhoud"] - 1]
    assert "Welkom bij de trainingsdag" in contents and "Evaluatie van de dag" in contents
    assert "14 maart 2026 · Zaandam" in pages[0]
    # the image is there, as an image, with its description as alt text
    tree = Tagged.open(path)
    figures = [str(f.obj.get("/Alt", "")) for f in tree.elements("Figure")]
    assert "Kaart van de Zaanstreek" in figures
    document = pypdfium2.PdfDocument(path)
    try:
        page_index = outline["Welkom bij de trainingsdag"] - 1
        images = [
            o
            for o in document[page_index].get_objects()
            if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
        ]
        assert images
    finally:
        document.close()
    # headings follow on from the page's title: #### under # is an H2, not an H4
    assert skipped_levels(tree.headings()) == []
    assert page.validate_pdf(str(path), profile="ua1").is_compliant


def test_bad_own_pages_are_located_at_the_recipe_and_the_markdown_line(project):
    with pytest.raises(RecipeError) as caught:
        load_recipe(DAY / "slecht.yaml", project.content)
    where = "tests/roots/trainingsdag/slecht.yaml"
    lines = [str(p).replace(str(REPO) + "/", "") for p in caught.value.problems]
    assert lines == [
        f"{where}:2:8: datum: verwacht een datum zoals 2025-09-30",
        f"{where}:4:12: onderdelen[0].eigen: 'bestaat-niet.md': bestand niet gevonden naast "
        "het recept",
        f"{where}:5:12: onderdelen[1].eigen: slecht.md:3: zet de titel (de eerste kop) bovenaan",
        f"{where}:5:12: onderdelen[1].eigen: slecht.md:5: afbeelding 'foto.jpg' niet gevonden",
        f"{where}:5:12: onderdelen[1].eigen: slecht.md:7: afbeelding "
        "'https://example.com/logo.png': alleen afbeeldingen uit de map van het recept",
        f"{where}:6:12: onderdelen[2].eigen: '../recipes/overlap/recept.md': alleen bestanden "
        "in de map van het recept",
    ]


def test_an_own_page_typed_in_a_form_has_no_folder_to_read_from(project):
    text = "titel: Uit een formulier\nonderdelen:\n  - eigen: welkom.md\n"
    with pytest.raises(RecipeError, match="kan alleen bij een receptbestand"):
        parse_recipe(text, project.content, "formulier")
    typed = 'titel: T\nonderdelen:\n  - eigen: "# Welkom\\n\\n![x](data:image/png;base64,AAAA)"\n'
    with pytest.raises(RecipeError, match="is geen geldige PNG"):
        parse_recipe(typed, project.content, "formulier")
    fine = 'titel: T\nonderdelen:\n  - eigen: "# Welkom\\n\\n<img src=x onerror=alert(1)>"\n'
    [selection] = parse_recipe(fine, project.content, "formulier").selections
    assert selection.own is not None and "<img" not in str(selection.own.html)
    assert "&lt;img" in str(selection.own.html)


# ---------------------------------------------------------------- attendance list


@pytest.mark.slow
def test_the_attendance_list_holds_every_name_with_the_header_on_each_page(
    project, recipe, tmp_path
):
    people = tuple(read_people(people_list(tmp_path, 60, long_name=True)))
    product = AttendanceProduct(project, AttendanceOptions(recipe, people, tmp_path / "lijst.pdf"))
    [target] = product.targets()
    pages = texts(product.pdf(target))
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        # the header row, with a signature column per part of the day (dagdelen: 2)
        assert "Nr. Naam Organisatie Ochtend Middag" in text, number
        assert f"Presentielijst — {number} / {len(pages)}" in text
    everything = " ".join(pages)
    for person in people:
        squeezed = re.sub(r"[\s-]+", "", person.name)
        assert squeezed in re.sub(r"[\s-]+", "", everything)  # whole: not clipped
    assert "Trainingsdag Zaanstreek" in pages[0] and "14 maart 2026 · Zaandam" in pages[0]
    assert "Anna de Vries" in pages[0]  # the trainer
    # blank rows for walk-ins after the last name
    numbers = re.findall(r"\b6[1-6]\b", " ".join(pages[-2:]))
    assert numbers == ["61", "62", "63", "64", "65", "66"]
    tree = Tagged.open(product.pdf(target))
    # one table over every page (was one per page); its header once, repeated as an artifact
    [table] = tree.elements("Table")
    assert len([e for e in table.walk() if e.type == "TR"]) == 1 + 60 + 6
    header_cells = tree.elements("TH")
    assert len(header_cells) == 5
    # every header cell by its ID in the IDTree, as ISO 32000-1 requires; every cell's
    # headers are there
    names = tree.pdf.Root.StructTreeRoot.IDTree.Names
    ids = {str(names[i]): names[i + 1].objgen for i in range(0, len(names), 2)}
    assert ids == {str(cell.obj.ID): cell.obj.objgen for cell in header_cells}
    for cell in tree.elements("TD"):
        assert {str(h) for h in cell.obj.A.Headers} <= set(ids)
    assert len(tree.elements("TD")) == 5 * (60 + 6)
    report = page.validate_pdf_bytes(tree.data, profile="ua1")
    assert [f"{f.rule_id}: {f.message}" for f in report.failures] == []


def test_the_attendance_list_never_hyphenates_a_name_or_an_organisation(project, recipe, tmp_path):
    """A name split as "Hen-drikus" is another name: a long name and organisation break at
    their spaces and their own hyphens only (they were hyphenated like running text)."""
    path = tmp_path / "groep.csv"
    path.write_text(
        "naam,organisatie\n"
        "Maximiliaan Theodorus Hendrikus van der Hoeven-Oostenbroek,Stichting Jeugdzorg\n"
        "Anna de Vries,Raad voor de Kinderbescherming\n"
        "Fatima el Amrani-van den Berg,Veilig Thuis Zaanstreek-Waterland\n",
        encoding="utf-8",
    )
    people = tuple(read_people(path))
    product = AttendanceProduct(project, AttendanceOptions(recipe, people, tmp_path / "lijst.pdf"))
    [target] = product.targets()
    [page] = pypdf.PdfReader(io.BytesIO(product.pdf(target))).pages
    text = page.extract_text()
    own = {"Hoeven", "Amrani", "Zaanstreek"}  # the names' own hyphens
    broken = re.findall(r"(\w+)-\n", text)
    assert set(broken) <= own, broken
    squeezed = " ".join(text.split())
    for whole in ["Hendrikus", "Oostenbroek", "Kinderbescherming", "gezinsbescherming"]:
        assert whole in squeezed, whole


@pytest.mark.parametrize(
    ("written", "hours", "label"),
    [("6,5", 6.5, "6,5 uur"), ("6.5", 6.5, "6,5 uur"), ("6", 6, "6 uur")],
)
def test_hours_take_a_decimal_comma(project, written, hours, label):
    """A Dutch trainer writes 6,5 (it was "verwacht een getal"); a certificate says it so."""
    text = f"titel: Dag\nuren: {written}\nonderdelen:\n  - principe: lerend\n"
    recipe = parse_recipe(text, project.content)
    assert recipe.hours == hours
    assert hours_label(recipe.hours) == label
    with pytest.raises(RecipeError, match="verwacht een aantal uren, zoals 6 of 6,5"):
        parse_recipe(text.replace(written, "6,5,5"), project.content)


# ---------------------------------------------------------------- certificates


def test_a_certificate_per_person_with_the_recipe_facts(project, recipe, tmp_path):
    people = tuple(read_people(people_list(tmp_path, 3)))
    signature = DAY / "kaart.png"
    options = CertificateOptions(recipe, people, tmp_path / "bewijzen", signature)
    product = CertificatesProduct(project, options)
    [batch] = product.batches()
    files = product.pdfs(batch)
    assert len(files) == 3
    for person, target, [data] in zip(people, batch, files, strict=True):
        assert target.path == tmp_path / "bewijzen" / f"deelnemer-{person.name[-2:]}.pdf"
        [text] = texts(data)
        assert "Bewijs van deelname" in text
        assert person.name in text
        assert all(other.name not in text for other in people if other is not person)
        for fact in ["Trainingsdag Zaanstreek", "14 maart 2026", "Zaandam", "6 uur"]:
            assert fact in text
        assert "Basisprincipes: Van mens tot mens werken" in text
        assert "Verplaatsen in het perspectief van de ander" in text  # an exercise covered
        assert "Anna de Vries, trainer" in text
        assert pypdf.PdfReader(io.BytesIO(data)).metadata.title.startswith(
            f"Bewijs van deelname: {person.name}"
        )
        report = page.validate_pdf_bytes(data, profile="ua1")
        assert report.is_compliant, [f.message for f in report.failures]
        tree = Tagged.open(data)
        assert [str(f.obj.Alt) for f in tree.elements("Figure")] == [
            "Handtekening van Anna de Vries"
        ]


GRAFTED = [
    "Anna",
    'Jan & Piet <de> "Vries"\'s',
    "Ömer Çelik",
    "Wilhelmina Adriana Johanna van Oldenbarnevelt-Scheltema de Heere tot Zwaanswijk",
    "Zoë",
]
LONG = 3  # the name that takes three lines


def greys(data: bytes) -> Image.Image:
    document = pypdfium2.PdfDocument(data)
    try:
        return document[0].render(scale=3).to_pil().convert("L")
    finally:
        document.close()


def largest_difference(one: bytes, other: bytes) -> int:
    """The largest difference of a pixel between two one-page PDFs at 216 dpi, in grey levels
    (anti-aliasing may round one level apart; a name a quarter pixel off differs by 130)."""
    return max(ImageChops.difference(greys(one), greys(other)).getextrema())


def fonts(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sorted(str(key) for key in pdf.pages[0].Resources.Font)


@pytest.mark.slow
def test_a_grafted_certificate_is_the_certificate_laid_out_for_that_name(project, recipe):
    people = tuple(people_from_names(GRAFTED))
    product = CertificatesProduct(project, CertificateOptions(recipe, people))
    [batch] = product.batches()
    together = product.render(batch)
    for index, (target, [data]) in enumerate(zip(batch, together, strict=True)):
        [whole] = product.render_target(target)  # laid out and written on its own
        assert largest_difference(data, whole) <= 2, target.title
        [text] = texts(data)
        assert f"verklaard dat {GRAFTED[index]} heeft deelgenomen" in text
        grafted = [name for name in fonts(data) if name.startswith("/n")]
        if index == LONG:  # three lines where the whole certificate has one: laid out whole
            assert data == whole and not grafted
        else:  # the name's own font beside the certificate's; the placeholder's is gone
            assert data != whole and len(grafted) == 1
            assert "Naam" not in text.split("verklaard dat")[1]
        # the same bytes when made alone (the cache holds the others) and made again
        assert product.render([target]) == [[data]]
    assert product.render(batch) == together


def test_certificates_from_the_command_line_refuse_a_signature_that_is_no_image(tmp_path):
    shutil.copytree(DAY, tmp_path / "dag")
    people_list(tmp_path, 2)
    (tmp_path / "handtekening.png").write_text("geen plaatje", encoding="utf-8")
    args = ["certificates", str(tmp_path / "dag" / "recept.yaml"), "--deelnemers"]
    args += [str(tmp_path / "groep.csv"), "-o", str(tmp_path / "uit")]
    args += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles")]
    result = CliRunner().invoke(main, [*args, "--handtekening", str(tmp_path / "handtekening.png")])
    assert result.exit_code == 1
    assert result.output.strip().endswith("de handtekening is geen PNG of JPEG")
    assert not (tmp_path / "uit").exists()
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "uit").iterdir()) == [
        "deelnemer-01.pdf",
        "deelnemer-02.pdf",
    ]


def test_the_signatures_description_is_its_alternative_text(tmp_path):
    shutil.copytree(DAY, tmp_path / "dag")
    people_list(tmp_path, 2)
    args = ["certificates", str(tmp_path / "dag" / "recept.yaml"), "--deelnemers"]
    args += [str(tmp_path / "groep.csv"), "-o", str(tmp_path / "uit")]
    args += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles")]
    args += ["--handtekening", str(DAY / "kaart.png")]
    result = CliRunner().invoke(main, [*args, "--handtekening-beschrijving", "Paraaf\tAnna"])
    assert result.exit_code == 1
    assert "--handtekening-beschrijving: de beschrijving is één regel" in result.output
    described = "Handtekening van Anna de Vries, in blauwe inkt"
    result = CliRunner().invoke(main, [*args, "--handtekening-beschrijving", described])
    assert result.exit_code == 0, result.output
    for made in sorted((tmp_path / "uit").iterdir()):
        tree = Tagged.open(made.read_bytes())
        assert [str(f.obj.Alt) for f in tree.elements("Figure")] == [described]
        report = page.validate_pdf_bytes(made.read_bytes(), profile="ua1")
        assert report.is_compliant, [f.message for f in report.failures]


# ---------------------------------------------------------------- the booklet


def test_saddle_stitch_puts_each_page_on_its_sheet_and_blanks_before_the_back_cover():
    from werkboek.pdf.booklet import saddle_stitch

    assert saddle_stitch(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    # 6 pages: two blanks, before the back cover (page 5 stays the last page)
    assert saddle_stitch(6) == [(5, 0), (1, None), (None, 2), (3, 4)]
    for count in range(2, 41):
        sides = saddle_stitch(count)
        assert len(sides) == 2 * -(-count // 4)
        placed = [p for side in sides for p in side if p is not None]
        assert sorted(placed) == list(range(count))
        # folded, the pages read in order: page k and the last-k share a sheet side's edges
        assert sides[0][1] == 0 and sides[0][0] == count - 1


@pytest.mark.slow
def test_the_booklet_holds_the_a5_pages_two_to_a_sheet_in_order(project, recipe, tmp_path):
    from werkboek.pdf.booklet import saddle_stitch

    from conftest import locate_qr_codes

    files = build_workbook(project, recipe, tmp_path / "dag.pdf", booklet=True)
    assert [p.name for p in files] == ["dag.pdf", "dag-a5.pdf", "dag-boekje.pdf"]
    a5, booklet = files[1], files[2]
    a5_reader, booklet_reader = pypdf.PdfReader(a5), pypdf.PdfReader(booklet)
    count = len(a5_reader.pages)
    for pdf_page in a5_reader.pages:  # designed for A5: the page is A5
        width, height = (float(v) / 72 * 25.4 for v in pdf_page.mediabox[2:])
        assert (round(width), round(height)) == (148, 210)
    sheets = -(-count // 4)
    assert len(booklet_reader.pages) == 2 * sheets  # front and back of every sheet
    a5_texts = [" ".join(p.extract_text().split()) for p in a5_reader.pages]
    document = pypdfium2.PdfDocument(booklet)
    try:
        for index, (left, right) in enumerate(saddle_stitch(count)):
            sheet = document[index]
            width, height = sheet.get_size()
            assert (round(width), round(height)) == (842, 595)  # A4 landscape
            textpage = sheet.get_textpage()
            for half, page_index in ((0, left), (1, right)):
                found = textpage.get_text_bounded(
                    left=half * width / 2 + 1,
                    bottom=0,
                    right=(half + 1) * width / 2 - 1,
                    top=height,
                )
                # (pdfium places the soft hyphen (/ActualText) of a layout hyphen drawn in a
                # form XObject without the form's place on the sheet, on the other half:
                # a hyphenation point, dropped)
                found = " ".join(found.replace("\x02", " ").replace("\ufffe", "").split())
                if page_index is None:
                    assert found == "", (index, half)
                else:
                    expected = a5_texts[page_index]
                    assert found[:60] == expected[:60], (index, half, page_index)
    finally:
        document.close()
    info = booklet_reader.metadata
    assert info.title.endswith("boekje om te drukken") and "dag-a5.pdf" in info.subject
    # the A5 workbook keeps its tags; its QR codes decode, at 20 mm or more
    assert page.validate_pdf(str(a5), profile="ua1").is_compliant
    codes = locate_qr_codes(a5, dpi=200)
    assert codes
    assert all(width >= 20 for _, _, width, _ in codes), [w for _, _, w, _ in codes]
