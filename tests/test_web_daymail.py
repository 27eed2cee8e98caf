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


def signature_with_description(pg: Page, tmp_path: Path, description: str) -> None:
    """The training day's signature and its description, on the day pg."""
    pg.goto("/dag")
    field = pg.get_by_label(re.compile("^Beschrijving van de handtekening"))
    expect(field).to_have_value("Handtekening van de trainer")  # what is printed without one
    pg.get_by_label(re.compile("^Je handtekening")).set_input_files(
        str(png(tmp_path / "handtekening.png"))
    )
    field.fill("")
    pg.get_by_role("button", name="Handtekening bewaren").click()
    expect(pg.locator("#fout-beschrijving")).to_contain_text("beschrijf de handtekening")
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_clean(pg)
    pg.get_by_label(re.compile("^Je handtekening")).set_input_files(
        str(png(tmp_path / "handtekening.png"))
    )
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
    axe_clean(page)
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
    axe_clean(page)
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


def test_a_part_in_the_workbook_twice_is_fixed_with_one_click(page: Page):
    page.goto("/")
    add(page, "Eenvoudig")
    add(page, "B1 niveau")  # an exercise the principle's part Oefenen already brings
    page.goto("/werkboek")
    expect(page.locator("#fout-onderdeel-1")).to_contain_text(
        "de oefening 'B1 niveau' staat al in het werkboek"
    )
    axe_clean(page)
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
    axe_clean(page)
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
    axe_clean(page)
    from test_web_browser import download, preview_settled

    preview_settled(page)
    data = download(page, "PDF voor deelnemers")
    assert "Plattegrond van de zaal" in figure_alts(data)
    assert "Fijn dat je er bent." in text(data)
