"""The training day's leftovers in a real browser (Debian's Chromium, Playwright, the real
server, real SMTP through aiosmtpd): the mail's own attachments, certificates and reply
address; the signature's description in the certificates' tags; images for own pages; the
one-click fix of a part that is in the workbook twice; and one whole training day."""

from __future__ import annotations

import io
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Page, expect

import test_web_browser as in_browser
from test_web_browser import add, axe_clean, changes, item_titles, text

# the browser tests' fixtures: a browser, the server, its SMTP server, a fresh page
browser = in_browser.browser
server = in_browser.server
smtp_server = in_browser.smtp_server
page = in_browser.page

pytestmark = pytest.mark.slow  # a real browser against a real server


def figure_alts(data: bytes) -> list[str]:
    """The /Alt of every Figure in a PDF's structure tree."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid)
            return
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        if node.get("/S") == "/Figure" and "/Alt" in node:
            found.append(str(node["/Alt"]))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def tiny_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(path: Path, size: tuple[int, int] = (300, 100)) -> Path:
    from PIL import Image

    Image.new("RGB", size, "white").save(path)
    return path


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {
        part.get_filename() or "": part.get_payload(decode=True)
        for part in message.iter_attachments()
    }


def signature_with_description(
    pg: Page, tmp_path: Path, description: str, default: str = "Handtekening van de trainer"
) -> None:
    """The training day's signature and its description, on the day pg."""
    pg.goto("/dag")
    field = pg.get_by_label(re.compile("^Beschrijving van de handtekening"))
    expect(field).to_have_value(default)  # what is printed without one
    pg.get_by_label(re.compile("^Je handtekening")).set_input_files(
        str(png(tmp_path / "handtekening.png"))
    )
    field.fill("")
    pg.get_by_role("button", name="Handtekening bewaren").click()
    expect(pg.locator("#fout-beschrijving")).to_contain_text("beschrijf de handtekening")
    expect(field).to_have_attribute("aria-invalid", "true")
    look(pg, "dag-handtekening-fout")
    # the image was good: kept, so only the description is given now
    field.fill(description)
    pg.get_by_role("button", name="Handtekening bewaren").click()
    expect(pg.locator(".overzicht")).to_contain_text("Handtekening voor de bewijzen: ja")
    expect(field).to_have_value(description)


def test_mail_with_certificates_own_files_and_a_reply_address(
    page: Page,
    smtp_server,
    tmp_path: Path,
):
    _, handler = smtp_server
    handler.received.clear()
    page.goto("/")
    add(page, "B1 niveau")
    signature_with_description(page, tmp_path, "Handtekening van Kees Jansen, in blauwe inkt")
    page.goto("/mail")
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam,email\nAnna de Vries,anna@voorbeeld.example\nBram Bakker,bram@voorbeeld.example\n"
    )
    page.get_by_label("Onderwerp").fill("Je bewijs, {{ naam }}")
    page.get_by_label(re.compile("^Tekst")).fill("Beste {{ naam }},\n\nTot ziens.")
    page.get_by_label(re.compile("Ieder zijn eigen bewijs van deelname")).check()
    # a wrong reply address and a file that is not what its name says: beside their fields
    page.get_by_label(re.compile("^Antwoorden naar")).fill("kees at voorbeeld")
    fake = tmp_path / "programma.pdf"
    fake.write_text("geen pdf", encoding="utf-8")
    page.get_by_label(re.compile("^Een eigen bestand meesturen")).set_input_files(str(fake))
    page.get_by_role("button", name="Proefrun").click()
    expect(page.locator("#fout-antwoordadres")).to_contain_text("geen geldig e-mailadres")
    expect(page.locator("#fout-eigen-bijlage")).to_contain_text("programma.pdf is geen PDF-bestand")
    expect(page.get_by_label(re.compile("^Antwoorden naar"))).to_have_attribute(
        "aria-invalid", "true"
    )
    look(page, "mail-fouten")
    # right: an own PDF and an image go with every message
    page.get_by_label(re.compile("^Antwoorden naar")).fill("Kees Jansen <kees@voorbeeld.example>")
    programme = tmp_path / "programma.pdf"
    programme.write_bytes(tiny_pdf())
    photo = png(tmp_path / "groepsfoto.png", (40, 30))
    page.get_by_label(re.compile("^Een eigen bestand meesturen")).set_input_files(
        [str(programme), str(photo)]
    )
    page.get_by_role("button", name="Proefrun").click()
    report = page.locator(".verslag")
    expect(report).to_contain_text("2 berichten opgesteld, niets verzonden", timeout=120_000)
    assert handler.received == []
    # the own files are kept: the page shows them, ticked, and they go with the send
    page.goto("/mail")
    expect(page.get_by_label("programma.pdf")).to_be_checked()
    expect(page.get_by_label("groepsfoto.png")).to_be_checked()
    expect(page.get_by_label(re.compile("^Antwoorden naar"))).to_have_value(
        "Kees Jansen <kees@voorbeeld.example>"
    )
    # the preview names what goes with the message, and where answers go
    page.get_by_role("button", name="Bericht bekijken").click()
    preview = page.locator(".mailvoorbeeld .kopregels")
    expect(preview).to_contain_text("Antwoorden naar")
    expect(preview).to_contain_text("Kees Jansen <kees@voorbeeld.example>")
    expect(preview).to_contain_text(
        "het eigen werkboek van Anna de Vries, het bewijs van deelname van Anna de Vries, "
        "programma.pdf, groepsfoto.png"
    )
    look(page, "mail-eigen-bijlagen")
    page.get_by_role("button", name="Verzenden").click()
    expect(page.locator(".verslag")).to_contain_text("2 verzonden, 0 mislukt", timeout=120_000)
    assert len(handler.received) == 2
    for received in handler.received:
        message = received.message
        [address] = received.recipients
        name = "Anna de Vries" if address.startswith("anna") else "Bram Bakker"
        assert message["Reply-To"] == "Kees Jansen <kees@voorbeeld.example>"
        files = attachments(message)
        stem = "anna-de-vries" if name == "Anna de Vries" else "bram-bakker"
        own_certificate = f"bewijs-van-deelname-{stem}.pdf"
        [workbook] = set(files) - {own_certificate, "programma.pdf", "groepsfoto.png"}
        assert workbook.endswith(f"{stem}.pdf")  # their own workbook, their name on it
        assert len(files) == 4
        assert files["programma.pdf"] == programme.read_bytes()
        assert files["groepsfoto.png"] == photo.read_bytes()
        certificate = files[own_certificate]
        assert name in text(certificate)
        assert "Handtekening van Kees Jansen, in blauwe inkt" in figure_alts(certificate)
    # unticking an own file leaves it out of the next mailing
    page.goto("/mail")
    page.get_by_label("groepsfoto.png").uncheck()
    page.get_by_role("button", name="Proefrun").click()
    expect(page.locator(".verslag")).to_contain_text("2 berichten opgesteld", timeout=120_000)
    page.goto("/mail")
    expect(page.get_by_label("programma.pdf")).to_be_checked()
    expect(page.get_by_label("groepsfoto.png")).to_have_count(0)


def test_a_day_list_says_beside_its_rows_what_would_stop_the_mail(page: Page):
    """The list is kept (the attendance list and certificates need no address), and an
    address empty, wrong or twice is said beside its row now, not first on the mail page."""
    page.goto("/dag")
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam,email,organisatie\n"
        "Anna de Vries,anna@voorbeeld.nl,Wijkteam\n"
        "Bram Bakker,,Veilig Thuis\n"
        "Anna de Vries,anna@voorbeeld.nl,Raad voor de Kinderbescherming\n"
    )
    page.get_by_role("button", name="Lijst inlezen").click()
    expect(page.get_by_role("status")).to_contain_text("De lijst is bewaard: 3 deelnemers.")
    expect(page.get_by_role("status")).to_contain_text("Voor het mailen: 2 punten")
    notes = page.locator(".let-op")
    expect(notes).to_have_count(2)
    expect(notes.nth(0)).to_contain_text("het e-mailadres is leeg")
    # (the other row as the table numbers it: the list's line 2 is nr. 1)
    expect(notes.nth(1)).to_contain_text("'anna@voorbeeld.nl' staat ook bij nr. 1")
    # beside their rows: the address field of each says so to a screen reader
    expect(page.get_by_label("email, deelnemer 2")).to_have_attribute(
        "aria-describedby", "let-op-rij-1"
    )
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing in the way
    look(page, "dag-lijst-let-op")
    # corrected in the table: the notes go
    page.get_by_label("email, deelnemer 2").fill("bram@voorbeeld.nl")
    page.get_by_label("email, deelnemer 3").fill("anna.de.vries@voorbeeld.nl")
    page.get_by_role("button", name="Lijst bewaren").click()
    expect(page.get_by_role("status")).to_have_text("De lijst is bewaard: 3 deelnemers.")
    expect(page.locator(".let-op")).to_have_count(0)


def test_a_day_list_from_an_excel_sheet(page: Page):
    """An .xlsx is taken as on the copies and mail pages (it was refused: "geen CSV-tekst")."""
    from test_web_browser import excel_list

    page.goto("/dag")
    page.get_by_label(re.compile("^Of kies een bestand")).set_input_files(
        {
            "name": "deelnemers.xlsx",
            "mimeType": "",
            "buffer": excel_list("xlsx", ["Chantal Özdemir", "Jürgen Groß"]),
        }
    )
    page.get_by_role("button", name="Lijst inlezen").click()
    expect(page.get_by_role("status")).to_contain_text("De lijst is bewaard: 2 deelnemers.")
    expect(page.get_by_label("naam, deelnemer 2")).to_have_value("Jürgen Groß")
    # a file named .xlsx that is none: refused as such, and the list kept stays shown (the
    # table vanished, as if there were no list; a text file became a "participant")
    page.get_by_label(re.compile("^Of kies een bestand")).set_input_files(
        {"name": "nep.xlsx", "mimeType": "", "buffer": b"dit is geen werkblad\n"}
    )
    page.get_by_role("button", name="Lijst inlezen").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "nep.xlsx: dit bestand heet .xlsx, maar het is geen Excel-werkblad"
    )
    expect(page.get_by_label("naam, deelnemer 2")).to_have_value("Jürgen Groß")
    page.goto("/dag")
    expect(page.get_by_label("naam, deelnemer 2")).to_have_value("Jürgen Groß")


def test_a_part_in_the_workbook_twice_is_fixed_with_one_click(page: Page):
    page.goto("/")
    add(page, "Eenvoudig")
    add(page, "B1 niveau")  # an exercise the principle's part Oefenen already brings
    page.goto("/werkboek")
    expect(page.locator("#fout-onderdeel-1")).to_contain_text(
        "de oefening 'B1 niveau' staat al in het werkboek"
    )
    look(page, "werkboek-dubbel")
    drop = page.get_by_role("button", name="Laat bij Eenvoudig het deel Oefenen weg")
    expect(page.get_by_role("button", name="Haal deze oefening hier weg")).to_be_visible()
    changes(page, drop.click)
    expect(page.locator("#onderdelen .fout")).to_have_count(0)
    expect(page.locator("#deel-0-oefenen")).not_to_be_checked()
    expect(page.locator("#deel-0-uitleg")).to_be_checked()
    assert item_titles(page) == ["Eenvoudig", "B1 niveau"]
    # the part back: the problem again; now the exercise goes, with the keyboard
    changes(page, page.locator("#deel-0-oefenen").check)
    expect(page.locator("#fout-onderdeel-1")).to_contain_text("staat al in het werkboek")
    page.get_by_role("button", name="Haal deze oefening hier weg").focus()
    changes(page, lambda: page.keyboard.press("Enter"))
    assert item_titles(page) == ["Eenvoudig"]
    expect(page.locator("#onderdelen .fout")).to_have_count(0)
    expect(page.locator("#deel-0-oefenen")).to_be_checked()


def test_an_image_from_the_computer_on_an_own_page(page: Page, tmp_path: Path):
    page.goto("/")
    add(page, "B1 niveau")
    page.goto("/werkboek")
    page.get_by_label(re.compile("^Eigen pagina")).fill("# Welkom\n\nFijn dat je er bent.\n")
    changes(page, page.get_by_role("button", name="Eigen pagina toevoegen").click)
    page.get_by_text("Afbeelding toevoegen aan Welkom").click()
    picture = page.get_by_label(re.compile("^Afbeelding van je computer"))
    described = page.get_by_label(re.compile("^Wat laat de afbeelding zien"))
    # not an image, and no description: both said beside the fields
    wrong = tmp_path / "zaal.png"
    wrong.write_text("geen plaatje", encoding="utf-8")
    picture.set_input_files(str(wrong))
    page.get_by_role("button", name="Afbeelding toevoegen").click()
    problem = page.locator("#fout-afbeelding-1")
    expect(problem).to_contain_text("de afbeelding is geen PNG of JPEG")
    expect(problem).to_contain_text("beschrijf wat de afbeelding laat zien")
    expect(picture).to_have_attribute("aria-invalid", "true")
    look(page, "werkboek-afbeelding-fout")
    # too many pixels (the recipe's own bound), though a small file
    png(tmp_path / "groot.png", (5000, 3000))
    picture.set_input_files(str(tmp_path / "groot.png"))
    described.fill("Een wit vlak")
    page.get_by_role("button", name="Afbeelding toevoegen").click()
    expect(problem).to_contain_text("meer dan 12 miljoen")
    # a small image: added, with a warning that it prints blurred
    png(tmp_path / "zaal.png", (400, 300))
    picture.set_input_files(str(tmp_path / "zaal.png"))
    described.fill("Plattegrond van de zaal")
    changes(page, page.get_by_role("button", name="Afbeelding toevoegen").click)
    expect(page.locator("#waarschuwing-onderdeel-1")).to_contain_text("minder dan 150")
    expect(page.locator("#onderdelen .fout")).to_have_count(0)
    look(page, "werkboek-afbeelding")
    from test_web_browser import download, preview_settled

    preview_settled(page)
    data = download(page, "PDF voor deelnemers")
    assert "Plattegrond van de zaal" in figure_alts(data)
    assert "Fijn dat je er bent." in text(data)


PEOPLE = [
    "Anna de Vries",
    "Bram Bakker",
    "Chantal Özdemir",
    "Daan Jansen",
    "Eva Smit",
    "Fatima El Amrani",
    "Gert-Jan Mulder",
    "Hanneke Visser",
    "Ilse de Boer",
    "Joost van Dijk",
    "Karin Bos",
    "Özlem Yılmaz",
]


def look(page: Page, name: str) -> None:
    """axe at 1280 and 768 px, and nothing of the insides or English on the page; a
    screenshot of both widths when WERKBOEK_SCREENSHOTS names a folder."""
    import os

    from test_web_browser import WORDS_NOT_SHOWN, shown_text

    page.wait_for_load_state("networkidle")
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        axe_clean(page)
        assert WORDS_NOT_SHOWN.findall(shown_text(page)) == [], name
        if shots := os.environ.get("WERKBOEK_SCREENSHOTS"):
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{width}-{name}.png", full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})


# WeasyPrint opens its sRGB profile for a PDF/A file and never closes it (see test_web_browser)
@pytest.mark.filterwarnings(
    r"ignore:Exception ignored in.*sRGB2014\.icc:pytest.PytestUnraisableExceptionWarning",
    r"ignore:unclosed file.*sRGB2014\.icc:ResourceWarning",
)
def test_one_whole_training_day_in_the_browser(page: Page, smtp_server, server, tmp_path: Path):
    import zipfile

    from test_web_browser import cli, download, preview_settled

    _, handler = smtp_server
    handler.received.clear()
    page.set_viewport_size({"width": 1280, "height": 900})
    # compose: an exercise from the catalogue, the day's details typed with the keyboard
    page.goto("/")
    add(page, "B1 niveau")
    look(page, "catalogus")
    page.goto("/werkboek")
    for label, value in [
        ("Titel", "Eenvoudig schrijven"),
        ("Trainer", "Kees Jansen"),
        ("Plaats", "Zaandam"),
    ]:
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        changes(page, lambda: page.keyboard.press("Tab"))
    changes(page, lambda: page.get_by_label("Datum", exact=True).fill("2026-03-14"))
    for label, value in [("Titel", "Eenvoudig schrijven"), ("Trainer", "Kees Jansen")]:
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    # a welcome page, typed and added with the keyboard: focus stays on the button
    page.get_by_label(re.compile("^Eigen pagina")).focus()
    page.keyboard.type("# Welkom\n\nFijn dat je er bent. Vandaag: schrijven in B1.\n")
    adding = page.get_by_role("button", name="Eigen pagina toevoegen")
    adding.focus()
    changes(page, lambda: page.keyboard.press("Enter"))
    expect(adding).to_be_focused()
    page.get_by_role("button", name="Omhoog: Welkom").focus()
    changes(page, lambda: page.keyboard.press("Enter"))
    assert item_titles(page) == ["Welkom", "B1 niveau"]
    # with an image from the computer
    page.get_by_text("Afbeelding toevoegen aan Welkom").click()
    page.get_by_label(re.compile("^Afbeelding van je computer")).set_input_files(
        str(png(tmp_path / "zaal.png", (1200, 800)))
    )
    page.get_by_label(re.compile("^Wat laat de afbeelding zien")).fill("Plattegrond van de zaal")
    changes(page, page.get_by_role("button", name="Afbeelding toevoegen").click)
    expect(page.locator("#onderdelen .fout")).to_have_count(0)
    preview_settled(page)
    look(page, "werkboek")
    workbook = download(page, "PDF voor deelnemers")
    assert "Plattegrond van de zaal" in figure_alts(workbook)
    # saved, started over, reopened
    page.get_by_label("Bewaren als recept op de server, onder de naam").fill("eenvoudig")
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Bewaard als recept “eenvoudig”")
    page.goto("/werkboek")
    page.get_by_role("button", name="Opnieuw beginnen (leegmaken)").click()
    page.get_by_role("button", name="Ja, opnieuw beginnen").click()
    expect(page.locator("#onderdelen > li")).to_have_count(0)
    page.goto("/recepten")
    look(page, "recepten")
    page.get_by_role("button", name="Openen: Eenvoudig schrijven (eenvoudig.yaml)").click()
    expect(page).to_have_url(re.compile("/werkboek(\\?vervangen=ja)?$"))
    assert item_titles(page) == ["Welkom", "B1 niveau"]
    recipe = tmp_path / "recepten" / "eenvoudig.yaml"
    recipe.parent.mkdir()
    recipe.write_bytes(download(page, "Recept (YAML)"))
    # one list for the day: pasted once
    page.get_by_role("link", name="Trainingsdag").click()
    emails = [f"deelnemer{n:02d}@voorbeeld.example" for n in range(1, 13)]
    listed = "naam,email\n" + "".join(f"{p},{e}\n" for p, e in zip(PEOPLE, emails, strict=True))
    page.get_by_label(re.compile("^Plak de lijst")).fill(listed)
    page.get_by_role("button", name="Lijst inlezen").click()
    expect(page.get_by_role("status")).to_contain_text("12 deelnemers")
    signature_with_description(
        page, tmp_path, "Handtekening van Kees Jansen", "Handtekening van Kees Jansen"
    )
    look(page, "dag")
    attendance = download(page, "Presentielijst (PDF)")
    certificates = zipfile.ZipFile(io.BytesIO(download(page, re.compile("^Bewijzen van deelname"))))
    # personal copies for the twelve, from the same list
    page.get_by_role("link", name="Eigen exemplaren", exact=True).click()
    expect(page.get_by_label("Namen, één per regel")).to_have_value("\n".join(PEOPLE))
    look(page, "exemplaren")
    page.get_by_role("button", name="Exemplaren maken").click()
    with page.expect_download(timeout=300_000) as info:
        page.get_by_role("link", name=re.compile("^Downloaden")).click(timeout=300_000)
    copies = zipfile.ZipFile(info.value.path())
    assert len(copies.namelist()) == 12
    assert "özlem-yılmaz.pdf" in copies.namelist() or "ozlem-yilmaz.pdf" in copies.namelist()
    # mail everyone: their certificate and an own attachment, through real SMTP
    page.get_by_role("link", name="Mailen", exact=True).click()
    expect(page.get_by_label(re.compile("^Plak de lijst"))).to_have_value(listed)
    page.get_by_label("Onderwerp").fill("Je bewijs van deelname, {{ naam }}")
    page.get_by_label(re.compile("^Tekst")).fill("Beste {{ naam }},\n\nDank je wel!\n")
    page.get_by_label(re.compile("Ieder zijn eigen bewijs van deelname")).check()
    page.get_by_label(re.compile("Ieder zijn eigen werkboek")).uncheck()
    programme = tmp_path / "programma.pdf"
    programme.write_bytes(tiny_pdf())
    page.get_by_label(re.compile("^Een eigen bestand meesturen")).set_input_files(str(programme))
    page.get_by_role("button", name="Proefrun").click()
    expect(page.locator(".verslag")).to_contain_text(
        "12 berichten opgesteld, niets verzonden", timeout=300_000
    )
    look(page, "mail-proefrun")
    assert handler.received == []
    page.get_by_role("button", name="Verzenden").click()
    expect(page.locator(".verslag")).to_contain_text("12 verzonden, 0 mislukt", timeout=300_000)
    look(page, "mail-verzonden")
    # what each participant received
    assert sorted(r.recipients[0] for r in handler.received) == emails
    for person, email in zip(PEOPLE, emails, strict=True):
        [received] = handler.to(email)
        message = received.message
        assert message["Subject"] == f"Je bewijs van deelname, {person}"
        assert person in message["To"] or email in message["To"]
        assert f"Beste {person}," in message.get_body(("plain",)).get_content()
        files = attachments(message)
        assert files["programma.pdf"] == programme.read_bytes()
        [own] = [f for f in files if f.startswith("bewijs-van-deelname-")]
        assert len(files) == 2
        certificate = files[own]
        assert person in text(certificate)
        assert "Handtekening van Kees Jansen" in figure_alts(certificate)
        assert certificate == certificates.read(own.removeprefix("bewijs-van-deelname-"))
    page.goto("/dag")
    expect(page.locator(".overzicht")).to_contain_text("Mail: 12 verzonden, 0 nog te verzenden")
    look(page, "dag-na-de-mail")
    page.get_by_role("link", name="Drukken", exact=True).click()
    look(page, "drukken")
    booklet = download(page, "Boekje om af te drukken (PDF)")
    print_shop = download(page, "Bestand voor de drukkerij (PDF/A)")
    page.get_by_role("link", name="Hulp", exact=True).click()
    look(page, "hulp")

    # the command line, from the same recipe and list: the same bytes
    people = tmp_path / "deelnemers.csv"
    people.write_text(listed, encoding="utf-8")
    out = tmp_path / "cli"
    cli("workbook", str(recipe), "-o", str(out / "werkboek.pdf"))
    assert (out / "werkboek.pdf").read_bytes() == workbook
    cli("attendance", str(recipe), "--deelnemers", str(people), "-o", str(out / "lijst.pdf"))
    assert (out / "lijst.pdf").read_bytes() == attendance
    cli(
        "certificates",
        str(recipe),
        "--deelnemers",
        str(people),
        "--handtekening",
        str(tmp_path / "handtekening.png"),
        "--handtekening-beschrijving",
        "Handtekening van Kees Jansen",
        "-o",
        str(out / "bewijzen"),
    )
    for name in certificates.namelist():
        assert certificates.read(name) == (out / "bewijzen" / name).read_bytes()
    cli("workbook", str(recipe), "--booklet", "-o", f"{out}/boekje/")
    [made_booklet] = (out / "boekje").glob("*-boekje.pdf")
    assert made_booklet.read_bytes() == booklet
    cli("build", "workbook", "--drukwerk", "--recepten", str(recipe.parent), "-o", str(out))
    [made_print_shop] = (out / "drukwerk" / "werkboeken").glob("*.pdf")
    assert made_print_shop.read_bytes() == print_shop
