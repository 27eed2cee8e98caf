"""Participant lists as Excel and LibreOffice write them, one limit for every way a list
comes in (CSV, .xlsx, pasted names, --voor), and file names that keep their letters."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest
from click.testing import CliRunner

from webserver import running
from werkboek.cli import main
from werkboek.errors import WerkboekError
from werkboek.files.outputs import name_slug
from werkboek.mail.recipients import read_recipients
from werkboek.participants.lists import MAX_NAME_LENGTH, MAX_PEOPLE, people_from_text, read_people
from werkboek.products.workbook import file_names

from conftest import REPO

NAMES = ["Zoë Ölçer", "Jürgen Groß", "René Dupré"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    """Files are named as the trainer named them: relative to the current folder."""
    monkeypatch.chdir(tmp_path)


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="werkboek")


def problems(path: Path, reader=read_people) -> list[str]:
    with pytest.raises(WerkboekError) as caught:
        reader(path)
    return caught.value.lines()


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- what Excel writes


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_a_list_in_each_encoding_and_separator(tmp_path, encoding, separator):
    lines = [f"Naam{separator}E-mail"] + [
        f"{name}{separator}deelnemer{n}@voorbeeld.example" for n, name in enumerate(NAMES)
    ]
    newline = "\r\n" if encoding != "utf-8" else "\n"  # Excel on Windows writes CRLF
    path = tmp_path / "lijst.csv"
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    recipients = read_recipients(path)
    assert [r.name for r in recipients] == NAMES
    assert recipients[2].email == "deelnemer2@voorbeeld.example"
    assert [r.line for r in recipients] == [2, 3, 4]


def test_excels_windows_csv_as_the_issue_had_it(tmp_path):
    # Windows-1252, semicolons, 'E-mail' and 'Organisatie' as Excel's Dutch users write them
    path = tmp_path / "lijst.csv"
    path.write_bytes(
        "Naam;E-mail;Organisatie\r\nChantal Özdemir;chantal@voorbeeld.example;Wijkteam\r\n".encode(
            "cp1252"
        )
    )
    [person] = read_recipients(path)
    assert person.name == "Chantal Özdemir"
    assert person.fields == {
        "naam": "Chantal Özdemir",
        "email": "chantal@voorbeeld.example",
        "organisatie": "Wijkteam",
    }


@pytest.mark.parametrize(
    ("name", "email", "organisation"),
    [
        ("naam", "email", "organisatie"),
        ("Naam", "E-mail", "Organisatie"),
        ("NAAM", "E-mailadres", "Organization"),
        ("Name", "Email", "organisation"),
        ("Volledige naam", "mail", "ORGANISATIE"),
        ("Full name", "E-mail address", "Organization"),
        ("Náam", "É-mail", "Organisatie"),
    ],
)
def test_dutch_and_english_headers_mean_the_same_column(tmp_path, name, email, organisation):
    path = tmp_path / "lijst.csv"
    path.write_text(
        f"{name},{email},{organisation},Rol\nAnna,anna@voorbeeld.example,Wijkteam,coach\n",
        encoding="utf-8",
    )
    [person] = read_recipients(path)
    assert person.fields == {
        "naam": "Anna",
        "email": "anna@voorbeeld.example",
        "organisatie": "Wijkteam",
        "rol": "coach",
    }


def test_first_name_and_surname_make_the_name(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text(
        "Voornaam;Tussenvoegsel;Achternaam;E-mailadres\n"
        "Jan;de;Vries;jan@voorbeeld.example\n"
        "Özlem;;Yılmaz;ozlem@voorbeeld.example\n",
        encoding="utf-8",
    )
    assert [r.name for r in read_recipients(path)] == ["Jan de Vries", "Özlem Yılmaz"]
    (tmp_path / "engels.csv").write_text("First name,Last name\nAnna,Bakker\n", "utf-8")
    [person] = read_people(tmp_path / "engels.csv")
    assert person.name == "Anna Bakker" and person.fields["naam"] == "Anna Bakker"


def test_a_header_that_says_a_column_twice_or_half_a_name_is_refused(tmp_path):
    (tmp_path / "twee.csv").write_text("naam,Email,E-mail\nAnna,a@b.nl,a@b.nl\n", "utf-8")
    assert problems(tmp_path / "twee.csv") == [
        "twee.csv:1:1: de kolommen 'Email' en 'E-mail' betekenen allebei 'email'; laat er één staan"
    ]
    (tmp_path / "half.csv").write_text("voornaam,email\nAnna,a@b.nl\n", "utf-8")
    assert problems(tmp_path / "half.csv") == [
        "half.csv:1:1: kolom 'achternaam' ontbreekt bij 'voornaam' (of geef kolom 'naam')"
    ]


def test_an_xlsx_made_by_a_spreadsheet_is_read_as_the_trainer_sees_it(tmp_path):
    path = tmp_path / "lijst.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["Naam", "E-mailadres", "Organisatie", "Datum", "Nummer", "Bedrag"],
                ["Özlem Yılmaz", "ozlem@voorbeeld.example", "Wijkteam", datetime.date(2026, 12, 7)],
                [],
                ["Jürgen Groß", "jurgen@voorbeeld.example", None, None, 12, 3.5],
            ]
        )
    )
    first, second = read_recipients(path)
    assert (first.name, first.line, second.name, second.line) == (
        "Özlem Yılmaz",
        2,
        "Jürgen Groß",
        4,
    )
    assert first.fields["datum"] == "7-12-2026"
    assert second.fields["nummer"] == "12" and second.fields["bedrag"] == "3,5"
    assert second.fields["organisatie"] == ""


def test_a_formulas_value_is_its_cached_result(tmp_path):
    # openpyxl cannot calculate, so the cached value is written into the sheet's XML the
    # way Excel does: <c><f>…</f><v>result</v></c>
    data = xlsx([["naam"], ["PLACEHOLDER"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            part = old.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = re.sub(
                    rb'<c r="A2"[^>]*>.*?</c>',
                    b'<c r="A2" t="str"><f>"Anna "&amp;"de Vries"</f><v>Anna de Vries</v></c>',
                    part,
                )
            new.writestr(info, part)
    (tmp_path / "formule.xlsx").write_bytes(out.getvalue())
    [person] = read_people(tmp_path / "formule.xlsx")
    assert person.name == "Anna de Vries"


def test_other_spreadsheets_and_files_are_refused_with_the_way_out(tmp_path):
    (tmp_path / "oud.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    (tmp_path / "calc.ods").write_bytes(ods.getvalue())
    (tmp_path / "stuk.xlsx").write_bytes(xlsx([["naam"], ["Anna"]])[:300])
    (tmp_path / "pagina.csv").write_text("<html><body>naam</body></html>", "utf-8")
    assert problems(tmp_path / "oud.xls") == [
        "oud.xls:1:1: dit is een oud Excel-bestand (.xls) of een beveiligd werkblad; "
        "sla het op als .xlsx of als CSV"
    ]
    assert problems(tmp_path / "calc.ods") == [
        "calc.ods:1:1: dit is een OpenDocument-werkblad (.ods); sla het op als .xlsx of als CSV"
    ]
    assert problems(tmp_path / "stuk.xlsx") == [
        "stuk.xlsx:1:1: het werkblad is beschadigd; sla het op als .xlsx of als CSV"
    ]
    assert problems(tmp_path / "pagina.csv") == [
        "pagina.csv:1:1: dit is geen CSV-tekst maar HTML of XML; sla het op als .xlsx of als CSV"
    ]


def test_the_cli_says_where_an_xls_is_and_what_to_do(work):
    (work / "lijst.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = run("workbook", "recept.yaml", "--deelnemers", "lijst.xls")
    assert result.exit_code == 1
    assert result.stderr == (
        "fout: lijst.xls:1:1: dit is een oud Excel-bestand (.xls) of een beveiligd werkblad; "
        "sla het op als .xlsx of als CSV\n"
    )


def test_a_zip_bomb_in_an_xlsx_is_refused_before_it_is_unpacked(tmp_path):
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["naam"], ["Anna"]]))) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info, old.read(info.filename))
        new.writestr("xl/media/leeg.bin", bytes(60_000_000))
    (tmp_path / "bom.xlsx").write_bytes(out.getvalue())
    assert len(out.getvalue()) < 200_000
    assert problems(tmp_path / "bom.xlsx") == [
        "bom.xlsx:1:1: het werkblad is te groot om als deelnemerslijst te lezen"
    ]


# ---------------------------------------------------------------- names and file names


def test_file_names_keep_their_letters():
    assert name_slug("Özlem Yılmaz", "deelnemer") == "özlem-yılmaz"
    assert name_slug("Jürgen Groß", "deelnemer") == "jürgen-groß"
    assert name_slug("René Dupré", "deelnemer") == "rené-dupré"
    assert name_slug("İlayda Nguyễn", "deelnemer") == "ilayda-nguyễn"
    # decomposed letters become the composed ones (macOS pastes NFD)
    assert name_slug("Rene\u0301", "deelnemer") == "rené"
    # nothing a file system or a ZIP reader treats specially
    assert name_slug('a/b\\c:d*e?f"g<h>i|j.k', "deelnemer") == "a-b-c-d-e-f-g-h-i-j-k"
    assert name_slug("Con", "deelnemer") == "con-1"
    assert name_slug("..", "deelnemer") == "deelnemer"
    long = name_slug("Παπαδοπούλου " * 20, "deelnemer")
    assert len(long.encode()) <= 160
    assert file_names(["Anna", "anna", "ANNA"]) == ["anna", "anna-2", "anna-3"]


def test_personal_copies_are_named_with_their_letters(work):
    (work / "lijst.xlsx").write_bytes(xlsx([["Naam"], ["Özlem Yılmaz"], ["Jürgen Groß"]]))
    result = run(
        "workbook", "recept.yaml", "--deelnemers", "lijst.xlsx", "--voor", "René", "-o", "uit/"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (work / "uit").iterdir()) == [
        "jürgen-groß.pdf",
        "rené.pdf",
        "özlem-yılmaz.pdf",
    ]


LOOK_ALIKES = ["An\u200bna", "Anna\u202e", "\u2066Anna\u2069", "An\u00adna", "Ann\ufe0fa"]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alike_names_are_refused_in_csv_and_xlsx(tmp_path, name):
    (tmp_path / "lijst.csv").write_text(f"naam\nAnna\n{name}\n", encoding="utf-8")
    [csv_problem] = problems(tmp_path / "lijst.csv")
    assert csv_problem.startswith("lijst.csv:3:1: naam: de naam bevat een onzichtbaar teken (U+")
    (tmp_path / "lijst.xlsx").write_bytes(xlsx([["naam"], ["Anna"], [name]]))
    [xlsx_problem] = problems(tmp_path / "lijst.xlsx")
    assert xlsx_problem.removeprefix("lijst.xlsx") == csv_problem.removeprefix("lijst.csv")


def test_look_alike_names_are_refused_from_voor_and_pasted_names(work):
    result = run("workbook", "recept.yaml", "--voor", "Anna", "--voor", "An\u200bna")
    assert result.exit_code == 1
    assert result.stderr == (
        "fout: --voor: de naam bevat een onzichtbaar teken (U+200B); typ de naam opnieuw, "
        "zonder het te kopiëren: 'An\\u200bna'\n"
    )
    assert not (work / "output").exists()
    with pytest.raises(WerkboekError) as caught:
        people_from_text("Anna\n\nAn\u202ena\n", "namen")
    assert caught.value.lines() == [
        "namen: regel 3: de naam bevat een onzichtbaar teken (U+202E); typ de naam opnieuw, "
        "zonder het te kopiëren: 'An\\u202ena'"
    ]


def test_spaces_of_every_kind_are_one_space():
    [person] = people_from_text("  Anna\u00a0de\u2003\u2003Vries \n", "namen")
    assert person.name == "Anna de Vries"


def test_too_long_names_and_values_are_refused_in_dutch(tmp_path):
    longest = MAX_NAME_LENGTH
    (tmp_path / "lang.csv").write_text(f"naam\n{'x' * (longest + 1)}\n{'y' * longest}\n", "utf-8")
    assert problems(tmp_path / "lang.csv") == [
        f"lang.csv:2:1: naam: de naam is te lang ({longest + 1} tekens; hoogstens {longest})"
    ]
    (tmp_path / "veld.csv").write_text(f"naam,notitie\nAnna,{'z' * 3000}\n", encoding="utf-8")
    assert problems(tmp_path / "veld.csv") == [
        "veld.csv:2:1: notitie: de waarde is te lang (hoogstens 2000 tekens)"
    ]
    # beyond the csv module's own field limit: its English never reaches the trainer
    (tmp_path / "enorm.csv").write_text(f'naam,notitie\nAnna,"{"z" * 200_000}"\n', "utf-8")
    assert problems(tmp_path / "enorm.csv") == [
        "enorm.csv:2:1: een waarde is langer dan 2000 tekens"
    ]
    (tmp_path / "quote.csv").write_text('naam,rol\nAnna,"coach"x\n', encoding="utf-8")
    [quote] = problems(tmp_path / "quote.csv")
    assert quote.startswith("quote.csv:2:1: geen geldige CSV: een aanhalingsteken staat verkeerd")


# ---------------------------------------------------------------- one limit, every way in

TOO_MANY = f"de deelnemerslijst heeft meer dan {MAX_PEOPLE} deelnemers; hoogstens {MAX_PEOPLE}"


def many(count: int) -> list[str]:
    return [f"Deelnemer {n}" for n in range(1, count + 1)]


def test_10001_people_are_refused_through_csv_xlsx_and_voor(work):
    (work / "vol.csv").write_text("naam\n" + "\n".join(many(MAX_PEOPLE)) + "\n", "utf-8")
    assert len(read_people(work / "vol.csv")) == MAX_PEOPLE
    (work / "te-vol.csv").write_text("naam\n" + "\n".join(many(MAX_PEOPLE + 1)) + "\n", "utf-8")
    (work / "te-vol.xlsx").write_bytes(xlsx([["naam"], *([n] for n in many(MAX_PEOPLE + 1))]))
    for name in ("te-vol.csv", "te-vol.xlsx"):
        result = run("workbook", "recept.yaml", "--deelnemers", name)
        assert result.exit_code == 1
        assert result.stderr == f"fout: {name}:{MAX_PEOPLE + 2}:1: {TOO_MANY}\n"
    voor = [arg for name in many(MAX_PEOPLE + 1) for arg in ("--voor", name)]
    result = run("workbook", "recept.yaml", *voor)
    assert result.exit_code == 1
    assert result.stderr == f"fout: --voor: te veel namen; hoogstens {MAX_PEOPLE}\n"
    result = run("workbook", "recept.yaml", "--deelnemers", "vol.csv", "--voor", "Anna")
    assert result.exit_code == 1
    assert result.stderr == f"fout: --deelnemers: 10001 deelnemers samen; hoogstens {MAX_PEOPLE}\n"
    assert not (work / "output").exists()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("web")) as app:
        yield app


def copies(server, data: dict[str, str], files: dict | None = None) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=120) as client:
        page = client.get("/werkboek")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        # a workbook that holds (a notes page), so the page has its form
        added = client.post("/werkboek/notities", data={"csrf": token}, follow_redirects=False)
        assert added.status_code == 303
        return client.post(
            "/exemplaren", data={"csrf": token, **data}, files=files, follow_redirects=False
        )


def shown_problems(response: httpx.Response) -> list[str]:
    found = re.search(r'<ul class="problemen">(.*?)</ul>', response.text, re.S)
    assert found is not None, response.text
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S)


def test_the_web_refuses_10001_pasted_or_uploaded_people_beside_the_field(server):
    pasted = copies(server, {"namen": "\n".join(many(MAX_PEOPLE + 1))})
    assert pasted.status_code == 422
    assert shown_problems(pasted) == [
        f"namen: regel {MAX_PEOPLE + 1}: meer dan {MAX_PEOPLE} namen; hoogstens {MAX_PEOPLE}"
    ]
    xlsx_list = xlsx([["Naam"], *([n] for n in many(MAX_PEOPLE + 1))])
    for name, data in [
        ("lijst.xlsx", xlsx_list),
        ("lijst.csv", ("naam\n" + "\n".join(many(MAX_PEOPLE + 1))).encode("cp1252")),
    ]:
        uploaded = copies(server, {"namen": ""}, {"lijst": (name, data)})
        assert uploaded.status_code == 422
        assert shown_problems(uploaded) == [f"{name}:{MAX_PEOPLE + 2}:1: {TOO_MANY}"]


def test_the_web_refuses_look_alikes_and_spreadsheets_it_cannot_read(server):
    pasted = copies(server, {"namen": "Anna\nAn\u200bna"})
    assert pasted.status_code == 422
    assert shown_problems(pasted) == [
        "namen: regel 2: de naam bevat een onzichtbaar teken (U+200B); typ de naam opnieuw, "
        "zonder het te kopiëren: &#39;An\\u200bna&#39;"
    ]
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    uploaded = copies(server, {"namen": ""}, {"lijst": ("lijst.ods", ods.getvalue())})
    assert uploaded.status_code == 422
    assert shown_problems(uploaded) == [
        "lijst.ods:1:1: dit is een OpenDocument-werkblad (.ods); sla het op als .xlsx of als CSV"
    ]


def test_the_mail_page_takes_an_xlsx_list(server):
    data = xlsx([["Naam", "E-mailadres"], ["Özlem Yılmaz", "ozlem@voorbeeld.example"]])
    with httpx.Client(base_url=server.url, timeout=60) as client:
        page = client.get("/mail")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        form = {"csrf": token, "deelnemers": "", "onderwerp": "Hoi", "tekst": "Beste {{ naam }},"}
        files = {"lijst": ("lijst.xlsx", data)}
        response = client.post("/mail/proefrun", data=form, files=files, follow_redirects=False)
    # (this server has no sender: that is the only problem; the list was read)
    assert response.status_code == 422
    assert 'id="fout-deelnemers"' not in response.text
    assert 'id="fout-afzender"' in response.text
    assert "Naam,E-mailadres\nÖzlem Yılmaz,ozlem@voorbeeld.example" in response.text


def test_the_longest_name_a_list_may_have_fits_a_certificate(tmp_path):
    import pypdfium2

    name = "W" * MAX_NAME_LENGTH  # the widest letter, as often as a name may have letters
    (tmp_path / "lijst.csv").write_text(f"naam\n{name}\n", encoding="utf-8")
    result = run(
        "certificates",
        str(REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml"),
        "--content",
        str(REPO / "content"),
        "--styles",
        str(REPO / "styles"),
        "--deelnemers",
        "lijst.csv",
        "-o",
        "bewijzen/",
    )
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "bewijzen").iterdir()
    document = pypdfium2.PdfDocument(path)
    assert len(document) == 1
    text = document[0].get_textpage()
    assert name in re.sub(r"[\s\-\u00ad\x02]+", "", text.get_text_bounded())

    def box(word: str) -> tuple[float, float, float, float]:
        searcher = text.search(word)
        found = searcher.get_next()
        assert found is not None, word
        first, count = found
        boxes = [text.get_charbox(i) for i in range(first, first + count)]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    # the training's facts stand whole above the trainer's signature, nothing on top of it
    facts_bottom = min(box(word)[1] for word in ("Behandeld", "Teksten:"))
    signature_top = box("trainer")[3]
    assert facts_bottom > signature_top + 10


def test_a_pasted_list_may_be_as_large_as_an_uploaded_one(server):
    # 10,000 long names: 1.2 MB, more than the web framework's own 1 MB a field
    names = [f"{n:05d} " + "Wolfeschlegelsteinhausenbergerdorff " * 3 for n in range(MAX_PEOPLE)]
    names[-1] = "An\u200bna"
    pasted = "\n".join(names)
    assert len(pasted.encode()) > 1_100_000
    response = copies(server, {"namen": pasted})
    assert response.status_code == 422
    assert shown_problems(response) == [
        f"namen: regel {MAX_PEOPLE}: de naam bevat een onzichtbaar teken (U+200B); typ de naam "
        "opnieuw, zonder het te kopiëren: &#39;An\\u200bna&#39;"
    ]


def test_a_file_that_says_it_is_utf8_is_not_read_as_windows_1252(tmp_path):
    (tmp_path / "kapot.csv").write_bytes(b"\xef\xbb\xbfnaam\nAnna\nZo\xeb\n")
    assert problems(tmp_path / "kapot.csv") == [
        "kapot.csv:3:1: dit is geen geldige UTF-8-tekst; bewaar het bestand opnieuw als 'CSV UTF-8'"
    ]
