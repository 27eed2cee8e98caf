"""The web app in a real browser: Debian's Chromium, driven by Playwright, against the real
server on a free loopback port. What a trainer does, click by click and key by key."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect, sync_playwright

from webserver import CHROMIUM, CHROMIUM_ARGS, Running, running
from werkboek import Project, load_recipe
from werkboek.build import build_workbook
from werkboek.mail.smtp import Security, SmtpSettings
from werkboek.web.config import ServerConfig

from conftest import CONTENT, REPO, Collector, free_port

pytestmark = pytest.mark.slow  # a real browser against a real server

SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Controller, Collector]]:
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp_server) -> Iterator[Running]:
    controller, _ = smtp_server
    smtp = SmtpSettings("127.0.0.1", controller.port, Security.NONE)
    config = ServerConfig(smtp=smtp, sender="Trainer <trainer@voorbeeld.example>")
    with running(tmp_path_factory.mktemp("browser"), config) as app:
        yield app


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: Running) -> Iterator[Page]:
    """A fresh browser session (its own cookie, so its own draft) on the app."""
    context = browser.new_context(base_url=server.url, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # htmx logs a request it aborts on purpose (the preview, when the workbook changed again)
    # and Chromium logs a page that says "422": a form with problems, shown on the page
    aborted = (
        "htmx:sendAbort",
        "htmx:afterRequest",
        "Failed to load resource: the server responded with a status of 422",
    )
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not m.text.startswith(aborted) else None
        ),
    )
    yield page
    context.close()
    assert errors == [], errors  # no script errors, no blocked resources (CSP) on any page


def add(page: Page, title: str) -> None:
    """Search the catalogue for ``title`` and add it."""
    page.get_by_label("Zoek op een woord").fill(title)
    page.wait_for_timeout(350)  # the search waits for the typing to stop, then asks
    page.wait_for_load_state("networkidle")
    button = page.get_by_role("button", name=f"Toevoegen aan je werkboek: {title}", exact=True)
    button.click()
    expect(page.get_by_role("status").filter(has_text="In je werkboek")).to_be_visible()


def preview_settled(page: Page) -> None:
    """Wait until the preview shows the workbook as it is now."""
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-voorbeeld]');"
        " const s = document.querySelector('#samensteller');"
        " return v && v.dataset.versie === s.dataset.versie; }",
        timeout=120_000,
    )


def changes(page: Page, action) -> None:
    """Do ``action`` and wait until the composer shows the changed workbook."""
    before = page.locator("#samensteller").get_attribute("data-versie")
    action()
    page.wait_for_function(
        "v => document.querySelector('#samensteller').dataset.versie !== v", arg=before
    )


def item_titles(page: Page) -> list[str]:
    return page.locator("#onderdelen > li .onderdeel-kop .titel").all_inner_texts()


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    path = info.value.path()
    return Path(path).read_bytes()


def outline(data: bytes) -> list[str]:
    return [i.title for i in pypdf.PdfReader(io.BytesIO(data)).outline if not isinstance(i, list)]


def text(data: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages
    )


def compose_training_day(page: Page) -> None:
    page.goto("/")
    add(page, "Van mens tot mens werken")
    add(page, "Feiten of interpretaties?")
    add(page, "Socratische keuze")
    expect(page.locator("#teller")).to_have_text("3")
    page.get_by_role("link", name=re.compile("Werkboek samenstellen")).click()
    page.get_by_label("Titel", exact=True).fill("Training Van mens tot mens werken")
    changes(page, lambda: page.get_by_label("Titel", exact=True).press("Tab"))
    expect(page.get_by_label("Titel", exact=True)).to_have_value(
        "Training Van mens tot mens werken"
    )


def test_compose_reorder_preview_and_download_as_the_cli_makes_it(page: Page, server, tmp_path):
    compose_training_day(page)
    assert item_titles(page) == [
        "Van mens tot mens werken",
        "Feiten of interpretaties?",
        "Socratische keuze",
    ]
    # only some parts of the principle
    changes(page, page.get_by_label("Professional aan het woord").uncheck)
    page.get_by_label("Leidinggevenden").focus()  # with the keyboard: focus stays on it
    changes(page, lambda: page.keyboard.press("Space"))
    expect(page.get_by_label("Leidinggevenden")).not_to_be_checked()
    expect(page.get_by_label("Leidinggevenden")).to_be_focused()
    # reorder with the keyboard: the last exercise one up, and up again (focus stays on it)
    page.get_by_role("button", name="Omhoog: Socratische keuze").focus()
    changes(page, lambda: page.keyboard.press("Enter"))
    assert item_titles(page) == [
        "Van mens tot mens werken",
        "Socratische keuze",
        "Feiten of interpretaties?",
    ]
    # (htmx puts focus back once the swap has settled: wait for it)
    expect(page.get_by_role("button", name="Omhoog: Socratische keuze")).to_be_focused()
    changes(page, lambda: page.keyboard.press("Enter"))
    assert item_titles(page)[0] == "Socratische keuze"
    # at the top "Omhoog" is disabled: focus moves to the item's next button; one down again
    expect(page.get_by_role("button", name="Omlaag: Socratische keuze")).to_be_focused()
    changes(page, lambda: page.keyboard.press("Enter"))
    assert item_titles(page) == [
        "Van mens tot mens werken",
        "Socratische keuze",
        "Feiten of interpretaties?",
    ]
    # the exercises' time: 40 + 30
    expect(page.locator(".tijd")).to_contain_text("minuten")
    # the preview: one thumbnail per page of the PDF
    preview_settled(page)
    count = page.locator(".aantal").filter(has_text="pagina")
    pages = int(count.inner_text().split()[0])
    expect(page.locator(".paginas-voorbeeld img")).to_have_count(pages)
    third = page.locator(".paginas-voorbeeld img").nth(2)
    third.scroll_into_view_if_needed()  # thumbnails load lazily, as they come into view
    assert third.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    # downloads: both editions and the recipe
    participant = download(page, "PDF voor deelnemers")
    trainer = download(page, "PDF voor de trainer")
    recipe = tmp_path / "recept.yaml"
    recipe.write_bytes(download(page, "Recept (YAML)"))
    assert len(pypdf.PdfReader(io.BytesIO(participant)).pages) == pages
    assert outline(participant) == [
        "Inhoud",
        "Van mens tot mens werken",
        "Socratische keuze",
        "Feiten of interpretaties?",
    ]
    assert outline(trainer)[:2] == ["Inhoud", "Sessieplan"]
    assert "Professional aan het woord" not in text(participant).split("Inhoud", 1)[1][:400]
    # the same PDFs as werkboek workbook makes from that recipe
    project = Project(CONTENT, REPO / "styles", tmp_path / "cli")
    loaded = load_recipe(recipe, project.content)
    [cli] = build_workbook(project, loaded, tmp_path / "cli.pdf", edition="deelnemer")
    assert cli.read_bytes() == participant
    [cli_trainer] = build_workbook(project, loaded, tmp_path / "cli-t.pdf", edition="trainer")
    assert cli_trainer.read_bytes() == trainer
    # a click on a thumbnail shows the page large
    page.locator(".paginas-voorbeeld a").nth(1).click()
    expect(page.get_by_role("heading", name=f"Voorbeeld: pagina 2 van {pages}")).to_be_visible()
    large = page.locator(".grote-pagina img")
    assert large.evaluate("img => img.decode().then(() => img.naturalWidth)") >= 800


def test_drag_and_drop_reorders(page: Page):
    page.goto("/")
    add(page, "B1 niveau")
    add(page, "Socratische keuze")
    add(page, "Visualiseren")
    page.goto("/werkboek")
    assert item_titles(page) == ["B1 niveau", "Socratische keuze", "Visualiseren"]
    page.locator("#onderdelen > li").nth(2).drag_to(page.locator("#onderdelen > li").nth(0))
    expect(page.locator("#onderdelen > li").nth(0)).to_contain_text("Visualiseren")
    page.reload()
    assert item_titles(page) == ["Visualiseren", "B1 niveau", "Socratische keuze"]


def test_save_reopen_duplicate_and_delete_a_recipe(page: Page, server: Running):
    compose_training_day(page)
    page.get_by_label("Bewaren als recept op de server, onder de naam").fill("mijn-dag")
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Bewaard als recept “mijn-dag”")
    saved = server.project.recipes_dir / "mijn-dag.yaml"
    assert saved.is_file()
    # the command line reads it
    loaded = load_recipe(saved, server.project.content)
    assert loaded.title == "Training Van mens tot mens werken"
    # start over: a question first, and an undo after
    page.goto("/werkboek")
    page.get_by_role("button", name="Opnieuw beginnen (leegmaken)").click()
    expect(page.get_by_role("heading", name="Opnieuw beginnen?")).to_be_visible()
    expect(page.get_by_role("dialog")).to_contain_text("leeggemaakt")
    expect(page.get_by_role("button", name="Nee, terug")).to_be_focused()
    page.keyboard.press("Enter")  # no: nothing happens
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert len(item_titles(page)) == 3
    page.get_by_role("button", name="Opnieuw beginnen (leegmaken)").click()
    page.get_by_role("button", name="Ja, opnieuw beginnen").click()
    expect(page).to_have_url(re.compile("vervangen=ja$"))
    expect(page.locator("#onderdelen > li")).to_have_count(0)
    page.get_by_role("button", name="Ongedaan maken").click()
    assert len(item_titles(page)) == 3
    page.goto("/werkboek")  # the way back is offered right after, not forever
    expect(page.get_by_role("button", name="Ongedaan maken")).to_have_count(0)
    # opening a recipe over work asks first, and keeps the work to undo
    page.goto("/recepten")
    page.get_by_role(
        "button", name="Openen: Training Van mens tot mens werken (mijn-dag.yaml)"
    ).click()
    page.get_by_role("button", name="Ja, openen").click()
    expect(page).to_have_url(re.compile("/werkboek(\\?vervangen=ja)?$"))
    # the reopened recipe saves under its own name
    recipes_before = sorted(server.project.recipes_dir.glob("*.yaml"))
    page.get_by_label("Ondertitel (bijvoorbeeld plaats en datum)").fill("Zaandam")
    changes(page, lambda: page.keyboard.press("Tab"))
    expect(page.get_by_label("Bewaren als recept op de server, onder de naam")).to_have_value(
        "mijn-dag"
    )
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Bewaard als recept “mijn-dag”")
    assert load_recipe(saved, server.project.content).subtitle == "Zaandam"
    assert sorted(server.project.recipes_dir.glob("*.yaml")) == recipes_before
    page.goto("/werkboek")
    page.get_by_role("button", name="Opnieuw beginnen (leegmaken)").click()
    page.get_by_role("button", name="Ja, opnieuw beginnen").click()
    expect(page).to_have_url(re.compile("vervangen=ja$"))
    page.goto("/recepten")
    page.get_by_role(
        "button", name="Dupliceren: Training Van mens tot mens werken (mijn-dag.yaml)"
    ).click()
    expect(
        page.get_by_role("button", name=re.compile("Openen: .* \\(mijn-dag-2.yaml\\)"))
    ).to_be_visible()
    assert (server.project.recipes_dir / "mijn-dag-2.yaml").is_file()
    page.get_by_role(
        "button", name="Openen: Training Van mens tot mens werken (mijn-dag-2.yaml)"
    ).click()
    expect(page).to_have_url(re.compile("/werkboek$"))
    assert len(item_titles(page)) == 3
    # delete the copy, with a question first
    page.goto("/recepten")
    page.get_by_role(
        "link", name="Verwijderen: Training Van mens tot mens werken (mijn-dag-2.yaml)"
    ).click()
    page.get_by_role("button", name="Ja, verwijderen").click()
    expect(page).to_have_url(re.compile("/recepten$"))
    expect(page.get_by_role("link", name=re.compile("mijn-dag-2.yaml"))).to_have_count(0)
    assert not (server.project.recipes_dir / "mijn-dag-2.yaml").exists()
    assert saved.exists()


def test_a_bad_recipe_upload_shows_its_lines(page: Page, tmp_path):
    bad = tmp_path / "kapot.yaml"
    bad.write_text(
        "titel: Intervisie\nonderdelen:\n  - oefening: intervisie-incidentmethod\n"
        "  - principe: lerend\n    delen: [uitleg, oefeningen]\n",
        encoding="utf-8",
    )
    page.goto("/recepten")
    page.get_by_label("Receptbestand (.yaml)").set_input_files(str(bad))
    page.get_by_role("button", name="Openen", exact=True).click()
    problems = page.locator(".meldingen li").all_inner_texts()
    # the items counted from 1, as the composer counts them
    assert problems == [
        "regel 3 (onderdeel 1, oefening): onbekende oefening 'intervisie-incidentmethod'; "
        "bedoel je 'intervisie-incidentmethode'?",
        "regel 5 (onderdeel 2, deel 2): 'oefeningen' is geen deel; bedoel je 'oefenen'? "
        "(delen: uitleg, verhalen, professional, oefenen, leidinggevenden, achtergrond)",
    ]
    expect(page.get_by_label("Receptbestand (.yaml)")).to_have_attribute("aria-invalid", "true")
    # an empty file, and no file at all, are said as such
    empty = tmp_path / "leeg.yaml"
    empty.write_text("", encoding="utf-8")
    page.get_by_label("Receptbestand (.yaml)").set_input_files(str(empty))
    page.get_by_role("button", name="Openen", exact=True).click()
    expect(page.locator(".meldingen li")).to_have_text(["het bestand is leeg"])
    page.get_by_role("button", name="Openen", exact=True).click()
    expect(page.locator("#bestand-fout")).to_have_text("Kies eerst een receptbestand (.yaml).")


def test_personal_copies_as_one_zip(page: Page):
    page.goto("/")
    add(page, "Waarden van samenwerking")
    page.goto("/exemplaren")
    page.get_by_label("Namen, één per regel").fill("Anna de Vries\nBram Bakker\nChantal Özdemir\n")
    page.get_by_role("button", name="Exemplaren maken").click()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("link", name=re.compile("^Downloaden")).click(timeout=120_000)
    archive = zipfile.ZipFile(info.value.path())
    assert archive.namelist() == ["anna-de-vries.pdf", "bram-bakker.pdf", "chantal-özdemir.pdf"]
    for name, person in zip(
        archive.namelist(), ["Anna de Vries", "Bram Bakker", "Chantal Özdemir"], strict=True
    ):
        cover = pypdf.PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert f"Werkboek van {person}" in " ".join(cover.split())


def excel_list(kind: str, names: list[str]) -> bytes:
    """A list as Excel writes it on Windows: CSV in Windows-1252 with semicolons, or .xlsx."""
    if kind == "csv":
        return "\r\n".join(["Naam;E-mail", *(f"{n};x@voorbeeld.example" for n in names)]).encode(
            "cp1252"
        )
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Naam", "E-mail"])
    for name in names:
        book.active.append([name, "x@voorbeeld.example"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_personal_copies_from_a_list_excel_wrote(page: Page, kind: str):
    page.goto("/")
    add(page, "Waarden van samenwerking")
    page.goto("/exemplaren")
    names = ["Chantal Özdemir", "Jürgen Groß"]
    page.get_by_label(re.compile("Of een deelnemerslijst")).set_input_files(
        {"name": f"deelnemers.{kind}", "mimeType": "", "buffer": excel_list(kind, names)}
    )
    page.get_by_role("button", name="Exemplaren maken").click()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("link", name=re.compile("^Downloaden")).click(timeout=120_000)
    archive = zipfile.ZipFile(info.value.path())
    assert archive.namelist() == ["chantal-özdemir.pdf", "jürgen-groß.pdf"]
    for name, person in zip(archive.namelist(), names, strict=True):
        cover = pypdf.PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert f"Werkboek van {person}" in " ".join(cover.split())


def test_a_bad_name_list_says_why(page: Page):
    page.goto("/")
    add(page, "Visualiseren")
    page.goto("/exemplaren")
    page.get_by_label("Namen, één per regel").fill("Anna ⵣ\n")
    page.get_by_role("button", name="Exemplaren maken").click()
    expect(page.get_by_role("alert")).to_contain_text("'ⵣ' (U+2D63) kan werkboek niet drukken")


def mail_page_with_a_workbook(page: Page, smtp_server) -> Any:
    """The mail page, a workbook in the composer to attach; the SMTP server's empty inbox."""
    _, handler = smtp_server
    handler.received.clear()
    page.goto("/")
    add(page, "B1 niveau")
    page.goto("/mail")
    return handler


def axe_clean(page: Page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], v["impact"], len(v["nodes"])) for v in violations]


def test_mail_dry_run_then_send_then_nothing_twice(page: Page, smtp_server):
    handler = mail_page_with_a_workbook(page, smtp_server)
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam,email,organisatie\nAnna de Vries,anna@voorbeeld.example,Wijkteam\n"
        "Bram Bakker,bram@voorbeeld.example,Veilig Thuis\n"
    )
    page.get_by_label("Onderwerp").fill("Je werkboek, {{ naam }}")
    page.get_by_label(re.compile("^Tekst")).fill(
        "Beste {{ naam }},\n\nGroet van **{{ organisatie }}**."
    )
    page.get_by_role("button", name="Bericht bekijken").click()
    preview = page.locator(".mailvoorbeeld")
    expect(preview).to_contain_text("Je werkboek, Anna de Vries")
    expect(preview.locator(".bericht-html strong")).to_have_text("Wijkteam")
    axe_clean(page)  # the preview's heading follows the page's
    page.get_by_role("button", name="Bram Bakker").click()
    expect(page.locator(".mailvoorbeeld")).to_contain_text("Je werkboek, Bram Bakker")
    # the dry run: nothing sent
    page.get_by_role("button", name="Proefrun").click()
    report = page.locator(".verslag")
    expect(report).to_contain_text("2 berichten opgesteld, niets verzonden", timeout=120_000)
    expect(report).to_contain_text("anna-de-vries.pdf")
    # a table, one row a message (it was the command line's columns of text, cut off), and
    # no internal name of the mailing
    headings = report.locator("th").all_inner_texts()
    assert headings == ["Ontvanger", "Onderwerp", "Bijlagen", "Grootte"]
    expect(report.locator("tbody tr")).to_have_count(2)
    expect(report.locator("tbody tr").first).to_contain_text("Anna de Vries")
    expect(report).not_to_contain_text("mailing")
    assert handler.received == []
    axe_clean(page)  # the report scrolls in a region the keyboard reaches
    # sending
    page.get_by_role("button", name="Verzenden").click()
    expect(page.locator(".verslag")).to_contain_text("2 verzonden, 0 mislukt", timeout=120_000)
    assert sorted(r.recipients[0] for r in handler.received) == [
        "anna@voorbeeld.example",
        "bram@voorbeeld.example",
    ]
    attachment = next(handler.received[0].message.iter_attachments())
    assert attachment.get_filename().endswith(".pdf")
    # the state of the mailing, and a second send that delivers nothing new
    page.goto("/mail")
    expect(page.locator(".mailstand")).to_contain_text("2 verzonden")
    page.get_by_role("button", name=re.compile("Verzenden")).click()
    expect(page.locator(".verslag")).to_contain_text(
        "0 berichten te verzenden, 2 al eerder verzonden", timeout=120_000
    )
    assert len(handler.received) == 2


def test_mail_problems_stand_beside_their_fields(page: Page, smtp_server):
    handler = mail_page_with_a_workbook(page, smtp_server)
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam,email\nAnna de Vries,anna@voorbeeld.example\nBram Bakker,bram-at-voorbeeld\n"
    )
    page.get_by_label("Onderwerp").fill("Je werkboek")
    page.get_by_label(re.compile("^Afzender")).fill("Anna de Vries anna-at-voorbeeld")
    text = "Beste {{ naam }},\n\nJij werkt bij {{ functie }}."
    page.get_by_label(re.compile("^Tekst")).fill(text)
    page.get_by_role("button", name="Proefrun").click()
    expect(page.get_by_role("alert")).to_contain_text("om op te lossen")
    expect(page.get_by_role("alert")).to_be_focused()  # (not lost to the top of the page)
    list_problems = page.locator("#fout-deelnemers li").all_inner_texts()
    assert len(list_problems) == 1
    assert list_problems[0].startswith("regel 3: ")
    assert "bram-at-voorbeeld" in list_problems[0]
    # the sender in the field's words (it said "ongeldig adres in From:"), with the list's
    expect(page.locator("#fout-afzender")).to_have_text(
        "de afzender is geen geldig e-mailadres: 'Anna de Vries anna-at-voorbeeld' "
        "(zoals: Anna de Vries <anna@voorbeeld.nl>)"
    )
    text_problems = page.locator("#fout-tekst li").all_inner_texts()
    assert len(text_problems) == 1
    assert text_problems[0].startswith("regel 3: ")
    assert "functie" in text_problems[0]
    expect(page.get_by_label(re.compile("^Tekst"))).to_have_attribute("aria-invalid", "true")
    # what was typed stays, and nothing was sent
    expect(page.get_by_label("Onderwerp")).to_have_value("Je werkboek")
    assert handler.received == []
    # solved, the problems go (they stood above the preview and the dry run's report), and
    # a line break typed in the text is one in the message
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam,email\nAnna de Vries,anna@voorbeeld.example\nBram Bakker,bram@voorbeeld.example\n"
    )
    page.get_by_label(re.compile("^Tekst")).fill("Beste {{ naam }},\n\nGroet,\nMarieke")
    page.get_by_label(re.compile("^Afzender")).fill("Marieke Smit <marieke@voorbeeld.example>")
    page.get_by_role("button", name="Bericht bekijken").click()
    expect(page.locator(".mailvoorbeeld")).to_contain_text("Het bericht aan Anna de Vries")
    expect(page.locator("#mailresultaat")).to_be_focused()  # what the button asked for
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#fout-deelnemers, #fout-tekst")).to_have_count(0)
    expect(page.get_by_label(re.compile("^Tekst"))).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".bericht-html p").last).to_have_text("Groet,\nMarieke")
    page.get_by_role("button", name="Proefrun").click()
    expect(page.locator(".verslag")).to_contain_text("niets verzonden", timeout=120_000)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert handler.received == []


@pytest.mark.parametrize("path", ["/", "/werkboek", "/recepten", "/exemplaren", "/mail"])
def test_every_page_passes_axe(page: Page, path: str):
    from axe_playwright_python.sync_playwright import Axe

    page.goto("/")
    add(page, "Lerend")
    add(page, "B1 niveau")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert serious == [], [(v["id"], v["help"], len(v["nodes"])) for v in serious]


def test_an_own_page_and_the_training_day_from_the_composer(
    page: Page, server: Running, tmp_path: Path
):
    page.goto("/")
    add(page, "B1 niveau")
    page.goto("/werkboek")
    changes(page, lambda: page.get_by_label("Datum", exact=True).fill("2026-03-14"))
    page.get_by_label("Plaats", exact=True).fill("Zaandam")
    changes(page, lambda: page.get_by_label("Plaats", exact=True).press("Tab"))
    page.get_by_label(re.compile("^Eigen pagina")).fill(
        "# Welkom in Zaandam\n\nVandaag oefenen we met <b>taal</b>.\n\n"
        "| Tijd | Wat |\n| --- | --- |\n| 9.30 | Start |\n"
    )
    changes(page, page.get_by_role("button", name="Eigen pagina toevoegen").click)
    assert item_titles(page) == ["B1 niveau", "Welkom in Zaandam"]
    page.get_by_role("button", name="Omhoog: Welkom in Zaandam").click()
    expect(page.locator("#onderdelen > li").nth(0)).to_contain_text("Welkom in Zaandam")
    preview_settled(page)
    data = download(page, "PDF voor deelnemers")
    assert outline(data)[:2] == ["Inhoud", "Welkom in Zaandam"]
    words = text(data)
    assert "14 maart 2026 · Zaandam" in words
    assert "Vandaag oefenen we met <b>taal</b>." in words  # typed HTML stays text
    assert "9.30 Start" in words
    # or a Markdown file from the computer
    own = tmp_path / "evaluatie.md"
    own.write_text("# Evaluatie\n\nWat neem je mee?\n", encoding="utf-8")
    page.get_by_label("Of een Markdown-bestand (.md)").set_input_files(str(own))
    changes(page, page.get_by_role("button", name="Eigen pagina toevoegen").click)
    assert item_titles(page) == ["Welkom in Zaandam", "B1 niveau", "Evaluatie"]
    page.get_by_role("button", name="Verwijderen: Evaluatie").click()
    expect(page.locator("#onderdelen > li")).to_have_count(2)
    # a wrong date is said beside its field, and nothing is lost
    page.get_by_label("Datum", exact=True).evaluate("e => e.type = 'text'")  # an old browser
    page.get_by_label("Datum", exact=True).fill("14-03-2026")
    changes(page, lambda: page.get_by_label("Datum", exact=True).press("Tab"))
    expect(page.locator("#fout-datum")).to_contain_text("verwacht een datum")
    expect(page.get_by_label("Datum", exact=True)).to_have_attribute("aria-invalid", "true")
    assert item_titles(page) == ["Welkom in Zaandam", "B1 niveau"]
    # a page added with the keyboard: focus stays on the button
    notes = page.get_by_role("button", name="Pagina voor aantekeningen toevoegen")
    notes.focus()
    changes(page, lambda: page.keyboard.press("Enter"))
    expect(notes).to_be_focused()
    # an own page stays editable
    page.get_by_role("link", name="Bewerken: Welkom in Zaandam").click()
    page.get_by_label(re.compile("^Tekst van de pagina")).fill("# Welkom in Wormerveer\n")
    page.get_by_role("button", name="Opslaan").click()
    assert item_titles(page) == ["Welkom in Wormerveer", "B1 niveau", "Pagina's voor aantekeningen"]


TEXT_FIELDS = ["Titel", "Ondertitel (bijvoorbeeld plaats en datum)", "Trainer", "Plaats", "Uren"]


def test_fast_typing_while_the_composer_is_swapped_loses_nothing(page: Page):
    """Type a field, Tab, type the next at once while the first one's change is on its way
    (and its answer swapped in): every keystroke stays, in the field and in the draft."""
    page.goto("/")
    add(page, "B1 niveau")
    page.goto("/werkboek")
    for label in TEXT_FIELDS:
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("Anna de Vries")  # no delay between the keys
        page.keyboard.press("Tab")  # the change goes out; the next field is typed at once
    page.get_by_label("Ondertitel (bijvoorbeeld plaats en datum)").focus()
    page.keyboard.press("End")
    page.keyboard.type("-Bakker")
    page.keyboard.press("Tab")
    expected = {label: "Anna de Vries" for label in TEXT_FIELDS}
    expected["Ondertitel (bijvoorbeeld plaats en datum)"] = "Anna de Vries-Bakker"
    page.wait_for_load_state("networkidle")
    for label, value in expected.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.locator("#opgeslagen")).to_contain_text("Opgeslagen")
    page.reload()  # what the server saved
    for label, value in expected.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)


def cli(*args: str) -> None:
    from click.testing import CliRunner

    from werkboek.cli import main

    folders = ["--content", str(CONTENT), "--styles", str(REPO / "styles")]
    result = CliRunner().invoke(main, [*args, *folders])
    assert result.exit_code == 0, result.output


# WeasyPrint opens its sRGB profile for a PDF/A file and never closes it; the command line
# renders in worker processes, the server in a thread of this one, where the leak is seen
@pytest.mark.filterwarnings(
    r"ignore:Exception ignored in.*sRGB2014\.icc:pytest.PytestUnraisableExceptionWarning",
    r"ignore:unclosed file.*sRGB2014\.icc:ResourceWarning",
)
def test_the_training_day_list_attendance_certificates_and_print_as_the_cli_makes_them(
    page: Page, server: Running, tmp_path: Path
):
    from PIL import Image

    page.goto("/")
    add(page, "B1 niveau")
    page.goto("/werkboek")
    changes(page, lambda: page.get_by_label("Datum", exact=True).fill("2026-03-14"))
    # the list, pasted once (semicolons, as a Dutch Excel writes them)
    page.get_by_role("link", name="Trainingsdag").click()
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam;email;organisatie\nAnna de Vries;anna@voorbeeld.example;Wijkteam\n"
        "Bram Bakker;bram@voorbeeld.example;\n"
    )
    page.get_by_role("button", name="Lijst inlezen").click()
    expect(page.get_by_role("status")).to_contain_text("2 deelnemers")
    # corrected in the table: an organisation, one more person; a bad name is said at its row
    page.get_by_label("organisatie, deelnemer 2").fill("Veilig Thuis")
    page.get_by_label("naam, nieuwe deelnemer").fill("Chantal Özdemir ⵣ")
    page.get_by_role("button", name="Lijst bewaren").click()
    expect(page.locator("#fout-rij-2")).to_contain_text("kan werkboek niet drukken")
    expect(page.get_by_label("naam, deelnemer 3")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("naam, deelnemer 3").fill("Chantal Özdemir")
    page.get_by_role("button", name="Lijst bewaren").click()
    expect(page.get_by_role("status")).to_contain_text("3 deelnemers")
    # the signature: a text file is refused beside its field, an image kept
    wrong = tmp_path / "handtekening.txt"
    wrong.write_text("geen plaatje", encoding="utf-8")
    page.get_by_label(re.compile("^Je handtekening")).set_input_files(str(wrong))
    page.get_by_role("button", name="Handtekening bewaren").click()
    expect(page.locator("#fout-handtekening")).to_have_text("de handtekening is geen PNG of JPEG")
    signature = tmp_path / "handtekening.png"
    Image.new("RGB", (300, 100), "white").save(signature)
    page.get_by_label(re.compile("^Je handtekening")).set_input_files(str(signature))
    page.get_by_role("button", name="Handtekening bewaren").click()
    expect(page.locator(".overzicht")).to_contain_text("Handtekening voor de bewijzen: ja")
    attendance = download(page, "Presentielijst (PDF)")
    certificates = zipfile.ZipFile(io.BytesIO(download(page, re.compile("^Bewijzen van deelname"))))
    # the copies page starts from the same list
    page.get_by_role("link", name="Eigen exemplaren", exact=True).click()
    expect(page.get_by_label("Namen, één per regel")).to_have_value(
        "Anna de Vries\nBram Bakker\nChantal Özdemir"
    )
    # printing
    page.get_by_role("link", name="Drukken", exact=True).click()
    expect(page.get_by_text("omslaan langs de korte kant")).to_be_visible()
    booklet = download(page, "Boekje om af te drukken (PDF)")
    a5 = download(page, "Het werkboek op A5 (PDF)")
    print_shop = download(page, "Bestand voor de drukkerij (PDF/A)")
    cards = zipfile.ZipFile(io.BytesIO(download(page, "Kleine kaarten, 9 × 13 cm (ZIP)")))
    assert cards.namelist() == ["b1-niveau.pdf"]
    page.goto("/werkboek")
    recipe = tmp_path / "recepten" / "dag.yaml"
    recipe.parent.mkdir()
    recipe.write_bytes(download(page, "Recept (YAML)"))

    # the command line, from the same recipe and list
    people = tmp_path / "deelnemers.csv"
    people.write_text(
        "naam,email,organisatie\nAnna de Vries,anna@voorbeeld.example,Wijkteam\n"
        "Bram Bakker,bram@voorbeeld.example,Veilig Thuis\nChantal Özdemir,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "cli"
    cli("attendance", str(recipe), "--deelnemers", str(people), "-o", str(out / "lijst.pdf"))
    assert (out / "lijst.pdf").read_bytes() == attendance
    assert "Chantal Özdemir" in text(attendance)
    cli(
        "certificates",
        str(recipe),
        "--deelnemers",
        str(people),
        "--signature",
        str(signature),
        "-o",
        str(out / "bewijzen"),
    )
    assert certificates.namelist() == [
        "anna-de-vries.pdf",
        "bram-bakker.pdf",
        "chantal-özdemir.pdf",
    ]
    for name in certificates.namelist():
        assert certificates.read(name) == (out / "bewijzen" / name).read_bytes()
    cli("workbook", str(recipe), "--booklet", "-o", f"{out}/werkboek/")
    [made_booklet] = (out / "werkboek").glob("*-boekje.pdf")
    [made_a5] = (out / "werkboek").glob("*-a5.pdf")
    assert made_booklet.read_bytes() == booklet
    assert made_a5.read_bytes() == a5
    cli("build", "workbook", "--drukwerk", "--recepten", str(recipe.parent), "-o", str(out))
    [made_print_shop] = (out / "drukwerk" / "werkboeken").glob("*.pdf")
    assert made_print_shop.read_bytes() == print_shop
    assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in print_shop
    cli("build", "cards", "--card-size", "a6", "-o", str(out / "kaarten"))
    [card] = (out / "kaarten").rglob("b1-niveau.pdf")
    assert card.read_bytes() == cards.read("b1-niveau.pdf")


def test_start_from_a_template_day_and_read_the_help(page: Page):
    page.goto("/")
    page.get_by_role("link", name="Hulp", exact=True).click()
    expect(page.get_by_role("heading", name="Wat is een recept?")).to_be_visible()
    expect(page.locator("pre")).to_contain_text("| Tijd  | Wat")
    # a half day on the principle the trainer picks (the draft is empty: no question)
    page.get_by_label("Basisprincipe").first.select_option(label="Eenvoudig")
    page.get_by_role("button", name="Met dit voorbeeld beginnen").first.click()
    expect(page).to_have_url(re.compile("/werkboek$"))
    assert item_titles(page) == ["Welkom", "Eenvoudig", "Pagina's voor aantekeningen"]
    # another over it: a question, then an undo
    page.goto("/hulp")
    page.get_by_role("button", name="Met dit voorbeeld beginnen").nth(2).click()
    page.get_by_role("button", name="Ja, beginnen").click()
    expect(page).to_have_url(re.compile("vervangen=ja$"))
    assert item_titles(page)[0] == "Intervisie"
    expect(page.get_by_role("status").filter(has_text="vervangen")).to_be_visible()
    page.get_by_role("button", name="Ongedaan maken").click()
    expect(page.locator("#onderdelen > li .onderdeel-kop .titel")).to_have_text(
        ["Welkom", "Eenvoudig", "Pagina's voor aantekeningen"]
    )


WORDS_NOT_SHOWN = re.compile(
    r"(?<![\w-])--[a-z]|Traceback|Errno|Exception|Internal Server Error|\bNone\b|"
    r"\b(Please|Error|Submit|Browse|Choose|Download|Cancel|required)\b|/tmp/|/work/|/home/"
)


def shown_text(page: Page) -> str:
    """What a trainer reads: the text, and what is said of fields and buttons."""
    return page.evaluate(
        """() => [document.title, document.body.innerText, ...Array.from(
            document.querySelectorAll('[title],[placeholder],[aria-label],[alt]'),
            e => ['title', 'placeholder', 'aria-label', 'alt']
                .map(a => e.getAttribute(a) || '').join(' '))].join('\\n')"""
    )


@pytest.mark.parametrize("width", [1280, 768])
def test_every_page_and_state_passes_axe_and_says_nothing_of_the_insides(
    page: Page, server: Running, width: int, tmp_path: Path
):
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": width, "height": 900})
    fragments: list[str] = []
    page.on(
        "response",
        lambda r: (
            fragments.append(r.text())
            if "text/html" in (r.headers.get("content-type") or "")
            else None
        ),
    )
    shots = (
        Path(os.environ.get("WERKBOEK_SCREENSHOTS", ""))
        if "WERKBOEK_SCREENSHOTS" in os.environ
        else None
    )
    found: dict[str, list[tuple[str, str, int]]] = {}

    def look(name: str) -> None:
        page.wait_for_load_state("networkidle")
        violations = Axe().run(page).response["violations"]
        if violations:
            found[name] = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
        said = WORDS_NOT_SHOWN.findall(shown_text(page))
        if said:
            found.setdefault(name, []).append(("woorden", str(said), 0))
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{width}-{name}.png"), full_page=True)

    page.goto("/")
    add(page, "Lerend")
    add(page, "B1 niveau")
    look("catalogus")
    page.goto("/werkboek")
    page.get_by_label(re.compile("^Eigen pagina")).fill(
        "# Welkom\n\n| Tijd | Wat |\n| --- | --- |\n| 9.00 | Start |\n"
    )
    changes(page, page.get_by_role("button", name="Eigen pagina toevoegen").click)
    preview_settled(page)
    look("werkboek")
    page.get_by_role("link", name="Bewerken: Welkom").click()
    look("eigen-pagina-bewerken")
    page.goto("/werkboek")
    page.get_by_role("button", name="Opnieuw beginnen (leegmaken)").click()
    look("opnieuw-beginnen")
    page.goto("/werkboek")
    name = page.get_by_label("Bewaren als recept op de server, onder de naam")
    name.fill("Mijn dag!")
    message = name.evaluate("e => { e.checkValidity(); return e.validationMessage; }")
    assert message == "Kleine letters, cijfers en streepjes, zoals mijn-training."
    name.evaluate(
        "e => { e.removeAttribute('pattern'); e.setCustomValidity(''); }"
    )  # an old browser: the server says it
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("een naam van kleine letters")
    look("bewaren-mislukt")
    page.goto("/recepten")
    look("recepten")
    page.goto("/dag")
    look("dag-leeg")
    page.get_by_label(re.compile("^Plak de lijst")).fill(
        "naam,email\nAnna de Vries,anna@voorbeeld.example\nBram 😀,bram@voorbeeld.example\n"
    )
    page.get_by_role("button", name="Lijst inlezen").click()
    look("dag-lijst-met-fout")
    page.get_by_label("naam, deelnemer 2").fill("Bram Bakker")
    page.get_by_role("button", name="Lijst bewaren").click()
    look("dag")
    page.goto("/drukken")
    look("drukken")
    page.goto("/hulp")
    look("hulp")
    page.goto("/exemplaren")
    look("exemplaren")
    page.goto("/mail")
    look("mail")
    page.get_by_role("button", name="Bericht bekijken").click()
    expect(page.locator(".mailvoorbeeld")).to_contain_text("Anna de Vries")
    look("mail-voorbeeld")
    assert found == {}
    said = [WORDS_NOT_SHOWN.findall(f) for f in fragments]
    assert [s for s in said if s] == []


def test_a_draft_is_saved_while_typing_and_survives_a_closed_tab_and_a_restart(
    browser: Browser, tmp_path: Path
):
    """No Tab, no button: a pause in typing saves; the work is there after the tab is
    closed and after the server is started again (the session's cookie is kept)."""
    with running(tmp_path) as first:
        context = browser.new_context(base_url=first.url)
        page = context.new_page()
        page.goto("/werkboek")
        page.get_by_label("Trainer", exact=True).fill("Anna de Vries")
        expect(page.locator("#opgeslagen")).to_have_text(re.compile("^Bezig met opslaan"))
        expect(page.locator("#opgeslagen")).to_have_text(re.compile("^Opgeslagen"))
        page.close()
        again = context.new_page()
        again.goto("/werkboek")
        expect(again.get_by_label("Trainer", exact=True)).to_have_value("Anna de Vries")
        cookies = context.cookies()
        context.close()
    with running(tmp_path) as second:
        context = browser.new_context(base_url=second.url)
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto("/werkboek")
        expect(page.get_by_label("Trainer", exact=True)).to_have_value("Anna de Vries")
        context.close()
