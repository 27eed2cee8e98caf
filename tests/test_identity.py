"""An organisation's own identity (#22): a second programme with its own words, house colour,
logo and contact lines builds every product and serves the web app — and no word, colour or
address of the original programme shows anywhere, in any PDF's text, metadata or drawing, or
on any page of the app."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from playwright.sync_api import expect, sync_playwright

from webserver import CHROMIUM, CHROMIUM_ARGS, running
from werkboek.cli import main
from werkboek.content import load_content
from werkboek.web.config import ServerConfig

from conftest import CONTENT, REPO, ROOTS, TESTS, make_content

WIJKKRACHT = TESTS / "content-sets" / "wijkkracht"
RECIPE = WIJKKRACHT / "recepten" / "startdag.yaml"

ORIGINAL_WORDS = (
    "basisprincip",  # BASISPRINCIPE n, Basisprincipes:, UIT HET BASISPRINCIPE, the column
    "kernelement",
    "ervaringsdeskundig",
    "inspiratiedocument",
    "toekomstscenario",
    "gezinsbescherming",
    "programmateam",
    "praktische uitgangspunten",
    "kom verder",
    "voordejeugdenhetgezin",
    "toekomstkindengezin",
)


def original_colours() -> set[str]:
    """The shipped programme's own colours: its house colour and its principles'."""
    content = load_content(CONTENT)
    return {content.organisation.colour} | {p.colour for p in content.principles}


def traces(text: str) -> list[str]:
    """The original programme's words in ``text`` (also when hyphenated over two lines),
    each with the text around it."""
    found = []
    for folded in (text.lower(), re.sub(r"-\s+", "", text.lower())):
        for word in ORIGINAL_WORDS:
            at = folded.find(word)
            if at >= 0:
                found.append(folded[max(0, at - 60) : at + 60])
    return found


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    info = " ".join(str(value) for value in (reader.metadata or {}).values())
    pages = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return f"{info} {pages}"


def drawn_colours(path: Path) -> set[str]:
    """Every RGB colour a PDF fills or strokes with, in any content stream (pages, forms,
    patterns), as ``#rrggbb``."""
    colours = set()
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") == "/Image":
                continue
            if "/Length1" in obj or obj.get("/Type") in ("/XRef", "/Metadata", "/ObjStm"):
                continue
            try:
                instructions = pikepdf.parse_content_stream(obj)
            except pikepdf.PdfError:
                continue
            for operands, operator in instructions:
                if str(operator) in ("rg", "RG", "sc", "scn", "SC", "SCN") and len(operands) == 3:
                    values = [float(v) for v in operands]
                    colours.add("#" + "".join(f"{round(v * 255):02x}" for v in values))
    return colours


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every product of wijkkracht, with the day's papers and personal copies."""
    out = tmp_path_factory.mktemp("wijkkracht")
    people = out / "deelnemers.csv"
    people.write_text("naam,organisatie\nAnna de Vries,Wijkteam Noord\nBram Smit,\n", "utf-8")
    where = ["--inhoud", str(WIJKKRACHT), "--stijlen", str(REPO / "styles")]
    runner = CliRunner()
    for args in (
        ["build", "all", "--recepten", str(WIJKKRACHT / "recepten"), "-o", str(out), "-j", "2"],
        ["build", "cards", "--kaartformaat", "a6", "-o", str(out), "-j", "1"],
        ["workbook", str(RECIPE), "--boekje", "-o", str(out / "boekje") + "/"],
        ["workbook", str(RECIPE), "--deelnemers", str(people), "-o", str(out / "exemplaren")],
        ["attendance", str(RECIPE), "--deelnemers", str(people), "-o", str(out / "lijst.pdf")],
        ["certificates", str(RECIPE), "--deelnemers", str(people), "-o", str(out / "bewijzen")],
    ):
        result = runner.invoke(main, [*args, *where])
        assert result.exit_code == 0, (args, result.output)
        assert "WeasyPrint" not in result.output
    pdfs = sorted(p for p in out.rglob("*.pdf") if ".cache" not in p.parts)
    return {str(p.relative_to(out)): p for p in pdfs}


@pytest.mark.slow
def test_every_product_of_the_second_programme_is_there(built):
    kinds = {name.split("/")[0] for name in built}
    assert kinds >= {"document", "handouts", "kaarten", "werkboeken", "boekje", "exemplaren"}
    assert "lijst.pdf" in built and any(n.startswith("bewijzen/") for n in built)
    assert "kaarten/a6/oefenkaarten.pdf" in built
    assert "boekje/startdag-wijkteams-trainer-boekje.pdf" in built
    assert len([n for n in built if n.startswith("exemplaren/")]) == 2


@pytest.mark.slow
def test_no_pdf_has_a_word_or_colour_of_the_original(built):
    originals = original_colours()
    assert "#1d4e89" in originals and len(originals) == 6  # (the house colour is one)
    for name, path in built.items():
        assert traces(pdf_text(path)) == [], name
        assert drawn_colours(path) & originals == set(), name
    # (and the colours are found: the principles' own are drawn)
    assert {"#7a1f5c", "#0b5e43"} <= drawn_colours(built["document/handreiking-samen-sterk.pdf"])


@pytest.mark.slow
def test_every_card_is_in_the_programmes_own_colours(built):
    """The uitgangspunten cards in the organisation's house colour; no card keeps a colour of
    the original (its principles', its house colour, or the slate the cards once had)."""
    originals = original_colours() | {"#3f4a55"}
    cards = {name: path for name, path in built.items() if name.startswith("kaarten/")}
    assert "kaarten/uitgangspunten.pdf" in cards and "kaarten/a6/oefenkaarten.pdf" in cards
    for name, path in cards.items():
        assert drawn_colours(path) & originals == set(), name
    assert "#0b5e55" in drawn_colours(cards["kaarten/uitgangspunten.pdf"])


@pytest.mark.slow
def test_the_programmes_own_words_are_printed(built):
    document = pdf_text(built["document/handreiking-samen-sterk.pdf"])
    assert "PIJLER 1" in document and "PIJLER 2" in document  # (the label is set in capitals)
    assert "Bouwsteen 1: Luisteren voor je iets doet" in document
    assert "— een buurtbewoner" in document
    workbook = pdf_text(built["werkboeken/startdag-wijkteams-trainer.pdf"])
    assert "UIT DE PIJLER SAMEN BEGINNEN" in workbook or "UIT DE PIJLER VERDER KIJKEN" in workbook
    assert "Oefening Pijler Groep Duur Materiaal" in workbook  # the session plan's head
    certificates = [p for n, p in built.items() if n.startswith("bewijzen/")]
    assert all("Pijlers: Samen beginnen" in pdf_text(p) for p in certificates)


@pytest.mark.slow
def test_the_organisation_is_on_the_days_papers_and_the_cards(built):
    for name in ("lijst.pdf", "kaarten/oefenkaarten.pdf", "kaarten/a6/oefenkaarten.pdf"):
        assert "Stichting Wijkkracht" in pdf_text(built[name]), name
    certificate = next(p for n, p in built.items() if n.startswith("bewijzen/"))
    assert "Stichting Wijkkracht" in pdf_text(certificate)
    # the logo (a PNG) is drawn on the attendance list, the certificates and the cards
    for path in (built["lijst.pdf"], certificate, built["kaarten/het-eerste-gesprek.pdf"]):
        with pikepdf.open(path) as pdf:
            images = [
                pikepdf.PdfImage(image)
                for page in pdf.pages
                for image in page.get_images().values()
            ]
            assert any((i.width, i.height) == (240, 80) for i in images), path


@pytest.mark.slow
def test_handouts_give_every_contact_line(built):
    handout = pdf_text(built["handouts/samen-beginnen.pdf"])
    joined = re.sub(r"-\s+", "", handout)
    for line in ("Lindestraat 4, 9000 Gent", "wijkkracht.voorbeeld.be ·", "post@wijkkracht"):
        assert line in joined


@pytest.mark.slow
def test_personal_copies_name_their_programme_in_their_metadata(built):
    for name, path in built.items():
        if name.startswith("exemplaren/"):
            info = pypdf.PdfReader(path).metadata
            assert info.title == "Startdag wijkteams (trainerseditie)"
            assert info.author == "Stichting Wijkkracht"
            assert info.subject == "Handreiking — Samen Sterk in de Wijk"


def test_no_page_of_the_web_app_has_a_word_colour_or_address_of_the_original(tmp_path):
    originals = original_colours()
    with running(tmp_path, content=WIJKKRACHT) as server, httpx.Client(base_url=server.url) as app:
        home = app.get("/")
        token = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)
        for kind, slug in (
            ("principe", "samen-beginnen"),
            ("oefening", "vijf-keer-waarom"),
            ("verhaal", "de-vraag-achter-de-vraag"),
            ("artikel", "werkafspraken"),
        ):
            added = app.post(
                "/werkboek/onderdelen", data={"csrf": token, "soort": kind, "slug": slug}
            )
            assert added.status_code in (200, 303), added.text
        trainer = {"csrf": token, "titel": "Startdag", "editie": "trainer"}
        assert app.post("/werkboek/gegevens", data=trainer).status_code in (200, 303)
        pages = {
            path: app.get(path)
            for path in (
                "/",
                "/?soort=principe",
                "/?principe=samen-beginnen",
                "/werkboek",
                "/werkboek/recept.yaml",
                "/recepten",
                "/exemplaren",
                "/mail",
                "/kleuren.css",
                "/static/werkboek.css",
                "/api/catalogus",
            )
        }
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert traces(response.text) == [], path
        shown = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", response.text)}
        assert shown & originals == set(), path
    # and the programme's own: its word in the filter, the labels and the session plan, its
    # house colour as the accent
    assert '<label for="principe">Pijler</label>' in pages["/"].text
    assert '<option value="principe">Pijler</option>' in pages["/"].text
    composer = pages["/werkboek"].text
    assert "<legend>Onderdelen van Samen beginnen</legend>" in composer
    assert '<th scope="col">Pijler</th>' in composer
    assert ":root { --accent: #0b5e55; --accent-donker: #084b44; --kleur: #0b5e55; }" in (
        pages["/kleuren.css"].text
    )


@pytest.mark.parametrize("width", [1280, 768])
def test_the_web_apps_header_shows_the_organisations_logo(tmp_path, width):
    """The logo of instellingen.yaml, with its alt text, in the header of every page (set
    WERKBOEK_SCREENSHOTS to a folder to look at it)."""
    logo = WIJKKRACHT / "beeld" / "logo.png"
    with (
        running(tmp_path, content=WIJKKRACHT) as server,
        sync_playwright() as playwright,
    ):
        served = httpx.get(f"{server.url}/logo")
        assert served.status_code == 200 and served.headers["content-type"] == "image/png"
        assert served.content == logo.read_bytes()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            for path in ("/", "/werkboek", "/hulp"):
                page.goto(server.url + path)
                image = page.locator("header").get_by_role(
                    "img", name="Logo van Stichting Wijkkracht", exact=True
                )
                expect(image).to_be_visible()
                assert image.evaluate("i => [i.complete, i.naturalWidth]") == [True, 240]
                box = image.bounding_box()
                header = page.locator("header.kop").bounding_box()
                assert box is not None and header is not None
                assert header["x"] <= box["x"] and box["x"] + box["width"] <= width
                assert header["y"] <= box["y"] and box["y"] + box["height"] <= (
                    header["y"] + header["height"]
                )
            if "WERKBOEK_SCREENSHOTS" in os.environ:
                shots = Path(os.environ["WERKBOEK_SCREENSHOTS"])
                shots.mkdir(parents=True, exist_ok=True)
                page.goto(server.url + "/")
                page.screenshot(path=str(shots / f"{width}-logo.png"))
        finally:
            browser.close()


def test_the_logo_needs_no_login_and_a_programme_without_one_shows_none(tmp_path):
    with running(
        tmp_path / "a", ServerConfig(token="een-lang-genoeg-token"), content=WIJKKRACHT
    ) as server:
        login = httpx.get(f"{server.url}/inloggen")
        assert '<img src="/logo" alt="Logo van Stichting Wijkkracht">' in login.text
        assert httpx.get(f"{server.url}/logo").status_code == 200
    with running(tmp_path / "b") as server:  # the shipped programme has no logo
        assert "<img" not in httpx.get(f"{server.url}/").text.split("</header>")[0]
        assert httpx.get(f"{server.url}/logo").status_code == 404


# ---------------------------------------------------------------- check finds what build would


STRICT = sorted(p.name for p in ROOTS.iterdir() if (p / "streng.txt").is_file())
CHECKED = sorted(p.name for p in ROOTS.iterdir() if p.name.startswith("check-"))


@pytest.mark.parametrize("case", STRICT)
def test_a_warning_is_printed_and_an_error_with_streng(case, tmp_path, monkeypatch):
    make_content(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    expected = (ROOTS / case / "streng.txt").read_text(encoding="utf-8").splitlines()
    assert len(expected) == 1
    lenient = CliRunner().invoke(main, ["check", "--inhoud", "content"])
    assert lenient.exit_code == 0, lenient.output
    assert lenient.stdout.splitlines()[:-1] == [
        line.replace("fout: ", "waarschuwing: ", 1) for line in expected
    ]
    assert "; 1 waarschuwing;" in lenient.stdout.splitlines()[-1] and not lenient.stderr
    strict = CliRunner().invoke(main, ["check", "--streng", "--inhoud", "content"])
    assert strict.exit_code == 1
    assert strict.stderr.splitlines() == expected
    assert "Traceback" not in strict.output and not strict.stdout


def test_steps_a_little_shorter_than_their_exercise_are_no_warning():
    """A welcome or a round-up is often no step of its own: the shipped exercise of 60 minutes
    whose seven steps take 55 is fine (and so is the minimal content's 20 of 40-60); only
    steps that fill less than half of the exercise are said (warn-steps-under-time: 15 of
    45)."""
    content = load_content(CONTENT)
    exercise = next(e for _, e in content.exercises() if e.slug == "intervisie-incidentmethode")
    assert str(exercise.minutes) == "60"
    assert sum(s.minutes.high for s in exercise.steps if s.minutes) == 55
    timing = [w.message for w in content.warnings() if "stappen duren" in w.message]
    assert len(timing) == 6 and all("langer dan" in m for m in timing)


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted({*STRICT, *CHECKED}))
def test_check_passing_means_build_passing(case, tmp_path, monkeypatch):
    """Where check passes (a warning is no error), build passes; where it fails, build fails
    with a line check printed, or passes (the certificates are no part of build)."""
    make_content(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    check = CliRunner().invoke(main, ["check", "-q", "--inhoud", "content"])
    build = CliRunner().invoke(main, ["build", "-j", "1", "--inhoud", "content"])
    assert "Traceback" not in check.output + build.output
    if check.exit_code == 0:
        assert build.exit_code == 0, build.output
    else:
        assert check.exit_code == 1
        assert build.exit_code == 0 or build.stderr.splitlines()[0] in check.stderr.splitlines()
    assert "WeasyPrint" not in build.output


def test_check_says_when_the_styles_folder_is_missing(tmp_path, monkeypatch):
    make_content(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "-q", "--stijlen", "geen-stijlen"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "fout: geen-stijlen/werkboek.css: stijlblad niet gevonden"
    ]
