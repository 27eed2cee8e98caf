"""Every participant's name in the script it is written in: on the cover of a personal copy,
on a certificate and in the attendance list, read back by pdfium and by poppler as written,
each file PDF/UA-1; a name werkboek cannot print is reported for that person alone."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import types
import unicodedata
from pathlib import Path

import page
import pikepdf
import pypdfium2
import pytest
from click.testing import CliRunner

from werkboek.cli import main
from werkboek.content.fonts import FAMILIES, language_of, unprintable
from werkboek.rendering.fonts import font_css

from conftest import REPO, make_content

NAMES = {
    "Nguyễn Thị Ánh": None,  # Vietnamese
    "İbrahim Ağaoğlu": None,  # Turkish
    "Zofia Wójcik-Łukasiewicz": None,  # Polish
    "محمد الأحمد": "ar",
    "דוד כהן": "he",
    "王小明": "zh",
    "ዮሐንስ ተስፋይ": "ti",  # Tigrinya (Ethiopic)
    "Γιώργος Παπαδόπουλος": "el",
    "김민준": "ko",  # Korean (Hangul)
}
UNPRINTABLE = "ⵎⴰⵙⵉⵏⵉⵙⴰ"  # Tamazight in Tifinagh: no packaged font has it
RECIPE = "titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def normalised(text: str) -> str:
    """Extracted text as it reads: composed (NFC), without the direction marks poppler puts
    around a right-to-left run, its white space one space."""
    text = BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def pdfium_lines(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        lines = []
        for index in range(len(document)):
            text = document[index].get_textpage().get_text_range()
            lines += [normalised(line) for line in text.splitlines()]
        return lines
    finally:
        document.close()


def poppler_lines(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [normalised(line) for line in out.splitlines()]


def languages(data: bytes) -> list[str]:
    """The ``/Lang`` of every structure element that has one, sorted."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            if "/Lang" in element:
                found.append(str(element.Lang))
            kids = element.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            stack += [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
    return sorted(found)


def assert_pdf_ua(data: bytes, what: str) -> None:
    report = page.validate_pdf_bytes(data, profile="ua1")
    assert report.is_compliant, (what, [f.message for f in report.failures])


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> Path:
    """Copies, certificates and the attendance list for a list of names in nine scripts
    and one that cannot be printed, made by the CLI."""
    work = tmp_path_factory.mktemp("schriften")
    content = make_content(work)
    (work / "recept.yaml").write_text(RECIPE, encoding="utf-8")
    people = ["naam", *NAMES, UNPRINTABLE]
    (work / "groep.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    common = ["--deelnemers", str(work / "groep.csv"), "--content", str(content)]
    common += ["--styles", str(REPO / "styles")]
    recipe = str(work / "recept.yaml")
    for command, output in [
        ("workbook", "exemplaren/"),
        ("certificates", "bewijzen"),
        ("attendance", "presentielijst.pdf"),
    ]:
        result = CliRunner().invoke(
            main, [command, recipe, *common, "-o", str(work / output)], prog_name="werkboek"
        )
        # the one name that cannot be printed: said at its line, for that person alone
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"fout: {work / 'groep.csv'}:{len(people)}:1: naam: de tekens 'ⵎ' (U+2D4E), "
            "'ⴰ' (U+2D30), 'ⵙ' (U+2D59), 'ⵉ' (U+2D49), 'ⵏ' (U+2D4F) kan werkboek niet "
            "drukken: het lettertype heeft het niet; voor deze deelnemer is niets gemaakt\n"
        ), command
        written = [line for line in result.stdout.splitlines() if line.startswith("geschreven")]
        assert len(written) == (1 if command == "attendance" else len(NAMES)), result.stdout
    return work


def files(folder: Path) -> dict[str, Path]:
    """The PDFs of a folder by the name in them (the first line pdfium reads that is one
    of the names)."""
    found = {}
    for path in sorted(folder.glob("*.pdf")):
        lines = pdfium_lines(path.read_bytes())
        [name] = [n for n in NAMES if n in lines or f"Werkboek van {n}" in lines] or [None]
        assert name is not None, (path, lines[:12])
        found[name] = path
    return found


@pytest.mark.parametrize("kind", ["exemplaren", "bewijzen"])
def test_every_name_reads_back_as_written_in_its_own_script(day, kind):
    made = files(day / kind)
    assert sorted(made) == sorted(NAMES)  # one each, the unprintable one left out
    for name, path in made.items():
        data = path.read_bytes()
        for lines in (pdfium_lines(data), poppler_lines(path)):
            # a right-to-left name on a line of its own, so its words keep their order
            assert name in lines or f"Werkboek van {name}" in lines, (name, lines[:12])
            assert all(other not in " ".join(lines) for other in NAMES if other != name)
        # the name's element says its language (the document's is Dutch)
        assert languages(data) == ([NAMES[name]] if NAMES[name] else []), name
        assert_pdf_ua(data, path.name)


def test_every_name_has_its_row_in_the_attendance_list(day):
    path = day / "presentielijst.pdf"
    data = path.read_bytes()
    for lines in (pdfium_lines(data), poppler_lines(path)):
        text = "\n".join(lines)
        for name in NAMES:
            assert name in text, name
        assert UNPRINTABLE not in text
    assert languages(data) == sorted(lang for lang in NAMES.values() if lang)
    assert_pdf_ua(data, path.name)


def test_a_turkish_copy_passes_alone_as_in_a_batch_with_a_vietnamese_name(tmp_path, day):
    """Grafted copies share the fonts of the batch's covers: the Vietnamese name's glyphs
    must not break the Turkish participant's file."""
    batch = files(day / "exemplaren")["İbrahim Ağaoğlu"].read_bytes()
    content = make_content(tmp_path)
    (tmp_path / "recept.yaml").write_text(RECIPE, encoding="utf-8")
    args = ["workbook", str(tmp_path / "recept.yaml"), "--voor", "İbrahim Ağaoğlu"]
    args += ["--content", str(content), "--styles", str(REPO / "styles")]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "alleen") + "/"])
    assert result.exit_code == 0, result.output
    [alone] = (tmp_path / "alleen").glob("*.pdf")
    for data in (batch, alone.read_bytes()):
        assert "Werkboek van İbrahim Ağaoğlu" in pdfium_lines(data)
        assert_pdf_ua(data, "İbrahim")


def test_outloud_finds_no_error_in_any_of_the_files(day):
    paths = sorted(day.rglob("*.pdf"))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "outloud"), "--json", "-", "--fail-on", "never"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        check=True,
    )
    errors = {
        str(Path(r["path"]).relative_to(day)): [
            f"{f['rule']} p.{f.get('page')}: {f['message']}"
            for f in r["findings"]
            if f["severity"] == "error"
        ]
        for r in json.loads(result.stdout)["results"]
    }
    assert len(errors) == len(paths) == 2 * len(NAMES) + 1
    assert errors == {name: [] for name in errors}


def test_no_glyph_maps_to_no_text(day):
    """Every glyph of every font in every file has its text in the font's ``/ToUnicode``
    (PDF/UA-1 7.21.7; pdfium and MuPDF read an empty entry as another letter)."""
    for path in sorted(day.rglob("*.pdf")):
        with pikepdf.open(path) as pdf:
            for number, pdf_page in enumerate(pdf.pages):
                for key, font in pdf_page.Resources.Font.items():
                    cmap = font.ToUnicode.read_bytes()
                    assert b"<>" not in cmap, (path.name, number, key)


def test_every_stylesheet_font_list_falls_back_through_every_packaged_family():
    wanted = ", ".join(f'"{family}"' for family in FAMILIES)
    for sheet in sorted((REPO / "styles").glob("*.css")):
        css = sheet.read_text(encoding="utf-8")
        for declaration in re.findall(r"font(?:-family)?:[^;]*\"Atkinson[^;]*;", css):
            assert wanted in declaration, (sheet.name, declaration)
    for family in FAMILIES:
        assert f'font-family: "{family}"' in font_css()


def test_what_the_packaged_fonts_can_print():
    assert unprintable("Nguyễn Thị Ánh İbrahim محمد דוד 王小明 ዮሐንስ Γιώργος 🎉 →") == []
    assert unprintable("김민준") == []
    assert unprintable("ⵎⴰⵙⵉⵏⵉⵙⴰ ⵣ") == ["ⵎ", "ⴰ", "ⵙ", "ⵉ", "ⵏ", "ⵣ"]
    # a name written decomposed is the same name
    assert unprintable(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == []
    assert [language_of(n) for n in NAMES] == list(NAMES.values())


def test_an_own_page_with_an_emoji_prints(tmp_path):
    content = make_content(tmp_path)
    (tmp_path / "welkom.md").write_text("# Welkom 🎉\n\nFijn dat je er bent.\n")
    recipe = RECIPE + "  - eigen: welkom.md\n"
    (tmp_path / "recept.yaml").write_text(recipe, encoding="utf-8")
    args = ["workbook", str(tmp_path / "recept.yaml"), "--content", str(content)]
    args += ["--styles", str(REPO / "styles"), "-o", str(tmp_path / "dag.pdf")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = (tmp_path / "dag.pdf").read_bytes()
    assert "Welkom 🎉" in pdfium_lines(data)
    assert_pdf_ua(data, "dag.pdf")


def test_an_own_page_with_a_character_no_font_has_is_refused_at_its_line(tmp_path):
    content = make_content(tmp_path)
    (tmp_path / "welkom.md").write_text("# Welkom\n\nAzul ⴰⵣⵓⵍ.\n")
    (tmp_path / "recept.yaml").write_text(RECIPE + "  - eigen: welkom.md\n", encoding="utf-8")
    args = ["workbook", str(tmp_path / "recept.yaml"), "--content", str(content)]
    args += ["--styles", str(REPO / "styles"), "-o", str(tmp_path / "dag.pdf")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("fout: ")
    assert "welkom.md:3:" in result.stderr and "'ⴰ' (U+2D30)" in result.stderr
    assert not (tmp_path / "dag.pdf").exists()


def test_fonts_stay_below_content():
    """content/ holds the fonts and what they can print; it imports nothing of rendering/."""
    for module in sorted((REPO / "src" / "werkboek" / "content").glob("*.py")):
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"^\s*from \.\.(rendering|products|mail|web)\b", source, re.M), (
            module.name
        )
    shutil.which("pdftotext") or pytest.fail("poppler's pdftotext is needed")


def test_a_letter_drawn_as_two_glyphs_maps_each_glyph_to_its_own_character():
    """What WeasyPrint gives when a font draws "ị" as "i" and a dot below: the whole letter
    to the dot, nothing to the "i"; each gets its own character, "i" + U+0323 ("ị", NFD)."""
    from fontTools.ttLib import TTFont

    from werkboek.content.fonts import faces
    from werkboek.pdf.unicode_map import UNKNOWN, complete

    [noto] = [f.path for f in faces() if f.family == "Noto Sans" and f.style == "normal"]
    with TTFont(noto, lazy=True) as font:
        i, dot = font.getGlyphID("i"), font.getGlyphID("dotbelowcomb")
        private = max(font.getGlyphOrder().index(n) for n in font.getGlyphOrder()) + 1

    font = types.SimpleNamespace(
        file_content=noto.read_bytes(),
        index=0,
        to_unicode={i: "", dot: "ị", 3: "A", private: ""},
    )
    complete(font)
    assert font.to_unicode == {i: "i", dot: "\u0323", 3: "A", private: UNKNOWN}
    assert unicodedata.normalize("NFC", font.to_unicode[i] + font.to_unicode[dot]) == "ị"


def test_a_certificate_is_the_same_bytes_made_alone_or_with_names_in_other_scripts(tmp_path):
    """Names in other scripts are laid out whole, the others grafted: either way a file is
    the same whether it is made with the whole list or alone (the cache may hold the rest)."""
    from werkboek import Project, load_recipe
    from werkboek.participants.lists import people_from_names
    from werkboek.products.training_day import CertificateOptions, CertificatesProduct

    content = make_content(tmp_path)
    (tmp_path / "recept.yaml").write_text(RECIPE, encoding="utf-8")
    project = Project(content, REPO / "styles", tmp_path / "uit")
    recipe = load_recipe(tmp_path / "recept.yaml", project.content)
    people = tuple(people_from_names(["Anna de Vries", "محمد الأحمد", "Nguyễn Thị Ánh"]))
    product = CertificatesProduct(project, CertificateOptions(recipe, people))
    [batch] = product.batches()
    together = product.render(batch)
    for target, files in zip(batch, together, strict=True):
        assert product.render([target]) == [files], target.title
    [arabic] = together[1]
    assert languages(arabic) == ["ar"]
    assert "محمد الأحمد" in pdfium_lines(arabic)


def test_the_fonts_carry_no_time_of_writing(day):
    """WeasyPrint makes an instance of a variable font (the Noto fonts) with fontTools, which
    stamps it with the time unless SOURCE_DATE_EPOCH is set: each stays at the epoch, so
    the same input gives the same bytes in a second."""
    from fontTools.misc.timeTools import epoch_diff
    from fontTools.ttLib import TTFont

    seen = set()
    for path in sorted(day.rglob("*.pdf")):
        with pikepdf.open(path) as pdf:
            for pdf_page in pdf.pages:
                for font in pdf_page.Resources.Font.values():
                    descriptor = font.DescendantFonts[0].FontDescriptor
                    name = str(font.BaseFont).split("+")[1]
                    if name.startswith("Noto"):
                        data = descriptor.FontFile2.read_bytes()
                        seen.add((name, TTFont(io.BytesIO(data))["head"].modified))
    assert {name.split("-Bold")[0] for name, _ in seen} >= {
        "Noto-Sans",
        "Noto-Sans-Arabic",
        "Noto-Sans-Hebrew",
        "Noto-Sans-Ethiopic",
        "Noto-Sans-SC",
    }, seen
    assert {modified for _, modified in seen} == {-epoch_diff}, seen


def test_a_weasyprint_font_of_another_shape_is_refused_in_one_line():
    from werkboek.errors import WerkboekError
    from werkboek.pdf.unicode_map import complete

    with pytest.raises(WerkboekError, match=r"installeer de versie uit pyproject\.toml"):
        complete(types.SimpleNamespace(to_unicode={1: ""}))
