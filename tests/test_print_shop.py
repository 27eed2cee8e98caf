"""The print shop's files (``werkboek build --drukwerk``): PDF/X-4 with a CMYK output intent,
a 3 mm bleed where colour reaches the trim, text, QR codes and rules in black ink alone.

No PDF/X checker installs here, so the tests check the structure (ISO 15930-7's
requirements that werkboek can get wrong) and render the pages to see the bleed.
"""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms

from werkboek import Project, build_products
from werkboek.errors import BuildError
from werkboek.pdf import BLEED_MM
from werkboek.pdf.press import PROFILE, black_ink, for_press

from conftest import CONTENT, REPO

PT = 72 / 25.4
"""Points per millimetre."""

pytestmark = pytest.mark.slow  # (they build the handouts and a workbook)


@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[str, Path]:
    output = tmp_path_factory.mktemp("drukwerk")
    written = build_products(
        Project(CONTENT, REPO / "styles", output, print_shop=True), ["handouts"]
    )
    return {path.stem: path for path in written}


def mm(box: pikepdf.Array) -> list[float]:
    return [float(v) / PT for v in box]


def colour_operators(pdf: pikepdf.Pdf) -> list[tuple[str, list[float]]]:
    """Every colour set in every content stream (pages, forms, patterns): (operator, operands)."""
    streams = [page.obj for page in pdf.pages]
    streams += [
        s
        for s in pdf.objects
        if isinstance(s, pikepdf.Stream)
        and (s.get("/Subtype") == "/Form" or s.get("/PatternType") == 1)
    ]
    found = []
    for stream in streams:
        source = stream if isinstance(stream, pikepdf.Stream) else pikepdf.Page(stream)
        for instruction in pikepdf.parse_content_stream(source):
            name = str(instruction.operator)
            if name in ("rg", "RG", "k", "K", "g", "G", "sc", "SC", "scn", "SCN"):
                numbers = [
                    float(v) for v in instruction.operands if not isinstance(v, pikepdf.Name)
                ]
                found.append((name, numbers))
    return found


def text_colours(page: pikepdf.Page) -> set[tuple[str, tuple[float, ...]]]:
    """The fill colours that glyphs are shown in on ``page``."""
    colour: tuple[str, tuple[float, ...]] = ("g", (0.0,))
    shown = set()
    stack = []
    for instruction in pikepdf.parse_content_stream(page):
        name = str(instruction.operator)
        if name == "q":
            stack.append(colour)
        elif name == "Q" and stack:
            colour = stack.pop()
        elif name in ("rg", "k", "g", "sc", "scn"):
            colour = (name, tuple(round(float(v), 4) for v in instruction.operands))
        elif name in ("Tj", "TJ", "'", '"'):
            shown.add(colour)
    return shown


def test_the_profile_is_cmyk_and_keeps_ink_under_300_percent():
    profile = ImageCms.ImageCmsProfile(str(PROFILE))
    assert profile.profile.xcolor_space.strip() == "CMYK"
    assert profile.profile.device_class == "prtr"
    srgb = ImageCms.createProfile("sRGB")
    transform = ImageCms.buildTransform(srgb, profile, "RGB", "CMYK", renderingIntent=1)
    colours = [
        (r, g, b) for r in range(0, 256, 51) for g in range(0, 256, 51) for b in range(0, 256, 51)
    ]
    image = Image.new("RGB", (len(colours), 1))
    image.putdata(colours)
    inks = [
        sum(pixel) / 255 for pixel in ImageCms.applyTransform(image, transform).get_flattened_data()
    ]
    assert max(inks) <= 3.0 + 0.02
    black = ImageCms.applyTransform(Image.new("RGB", (1, 1), (0, 0, 0)), transform).getpixel((0, 0))
    assert black[3] >= 250  # black has (nearly) full K
    white = ImageCms.applyTransform(Image.new("RGB", (1, 1), (255, 255, 255)), transform)
    assert white.getpixel((0, 0)) == (0, 0, 0, 0)
    # and back: 100 % K prints dark, as on a press (ISO 12647-2: L* 16)
    lab = ImageCms.buildTransform(profile, ImageCms.createProfile("LAB"), "CMYK", "LAB")
    solid_k = ImageCms.applyTransform(Image.new("CMYK", (1, 1), (0, 0, 0, 255)), lab)
    assert solid_k.getpixel((0, 0))[0] * 100 / 255 == pytest.approx(16, abs=4)


def test_print_shop_files_are_pdf_x_4_with_a_cmyk_output_intent(handouts):
    assert len(handouts) >= 10
    blended = 0
    for path in handouts.values():
        with pikepdf.open(path) as pdf:
            [intent] = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFX"
            profile = intent.DestOutputProfile
            assert int(profile.N) == 4
            assert profile.read_bytes() == PROFILE.read_bytes()
            assert "FOGRA39" in str(intent.OutputConditionIdentifier) + str(intent.OutputCondition)
            assert pdf.pdf_version >= "1.6"
            xmp = pdf.Root.Metadata.read_bytes()
            assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
            assert pdf.trailer.Info.Trapped == "/False"
            assert "/ID" in pdf.trailer
            assert "/StructTreeRoot" in pdf.Root  # still tagged
            for page in pdf.pages:
                # every page: TrimBox in BleedBox in MediaBox, 3 mm of bleed all round
                trim, bleed, media = mm(page.TrimBox), mm(page.BleedBox), mm(page.MediaBox)
                assert trim[2] - trim[0] == pytest.approx(210, abs=0.05)
                assert trim[3] - trim[1] == pytest.approx(297, abs=0.05)
                grown = [
                    trim[0] - BLEED_MM,
                    trim[1] - BLEED_MM,
                    trim[2] + BLEED_MM,
                    trim[3] + BLEED_MM,
                ]
                assert bleed == pytest.approx(grown, abs=0.05)
                assert media == pytest.approx(bleed, abs=0.05)
                # all RGB is ICC-based sRGB (a DefaultRGB), none device RGB alone
                assert "/DefaultRGB" in page.Resources.ColorSpace
                for annotation in page.get("/Annots", []):
                    assert not int(annotation.get("/F", 0)) & 4  # links do not print
            # transparency blends in the output intent's CMYK, as on the press: every group
            groups = [page.obj.get("/Group") for page in pdf.pages] + [
                thing.Group
                for thing in pdf.objects
                if isinstance(thing, pikepdf.Stream) and "/Group" in thing
            ]
            groups = [g for g in groups if g is not None and g.S == "/Transparency"]
            for group in groups:
                assert group.CS[0] == "/ICCBased" and group.CS[1].objgen == profile.objgen
            blended += len(groups)
    assert blended  # (there are groups: the tinted blocks)


def test_text_qr_codes_and_rules_are_black_ink_alone(handouts):
    with pikepdf.open(handouts["gezinsgericht"]) as pdf:
        operators = colour_operators(pdf)
        principle = {
            tuple(round(v, 4) for v in numbers) for name, numbers in operators if name == "rg"
        }
        # no neutral RGB anywhere: greys and black are K only (C = M = Y = 0)
        for name, numbers in operators:
            if name in ("rg", "RG"):
                assert max(numbers) - min(numbers) > 1 / 255, (name, numbers)
            if name in ("k", "K"):
                assert numbers[:3] == [0, 0, 0], (name, numbers)
        assert ("k", [0, 0, 0, 1.0]) in operators  # the body text: 100 % K
        # glyphs are drawn in K alone, or (headings) in the principle's colour
        for page in pdf.pages:
            for name, numbers in text_colours(page):
                assert (name == "k" and numbers[:3] == (0, 0, 0)) or (
                    name == "rg" and numbers in principle
                ), (name, numbers)
        # the QR codes (SVG, drawn as forms): black modules are 100 % K
        forms = [
            s for s in pdf.objects if isinstance(s, pikepdf.Stream) and s.get("/Subtype") == "/Form"
        ]
        assert forms
    assert black_ink(0x1A / 255) == 1.0 and black_ink(0.0) == 1.0 and black_ink(1.0) == 0.0


def test_colour_reaches_into_the_bleed(handouts, tmp_path):
    """Rendered at 150 dpi (the MediaBox, bleed included): the principle's tab on the outer
    edge runs to the edge of the bleed, on the right of a right page and the left of a left."""
    path = handouts["gezinsgericht"]
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "2", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    first, second = sorted(tmp_path.glob("p-*.png"))
    per_mm = 150 / 25.4
    for image_path, edge in ((first, "right"), (second, "left")):
        image = Image.open(image_path).convert("RGB")
        assert image.width == pytest.approx((210 + 2 * BLEED_MM) * per_mm, abs=2)
        column = [1, 2] if edge == "left" else [image.width - 2, image.width - 3]
        coloured = [
            y for y in range(image.height) if image.getpixel((column[0], y)) != (255, 255, 255)
        ]
        assert len(coloured) > 20 * per_mm, edge  # the tab, some 34 mm long, in the bleed
        sample = image.getpixel((column[1], coloured[len(coloured) // 2]))
        assert max(sample) - min(sample) > 60, sample  # in colour, not grey


def test_the_print_shop_file_is_the_same_bytes_every_time(handouts, tmp_path):
    again = build_products(
        Project(CONTENT, REPO / "styles", tmp_path, print_shop=True), ["handouts"]
    )
    for path in again:
        assert path.read_bytes() == handouts[path.stem].read_bytes(), path.name


def test_a_page_group_in_rgb_blends_in_the_output_intents_cmyk(handouts):
    """A transparency group that says RGB (WeasyPrint gives its own the output intent's
    profile; a page group of another origin) is made to blend in the press's CMYK."""
    with pikepdf.open(handouts["gezinsgericht"]) as pdf:
        pdf.pages[0].obj.Group = pikepdf.Dictionary(
            Type=pikepdf.Name.Group, S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB
        )
        out = BytesIO()
        pdf.save(out)
    with pikepdf.open(BytesIO(for_press(out.getvalue(), what="proef.pdf"))) as pdf:
        space = pdf.pages[0].obj.Group.CS
        assert space[0] == "/ICCBased"
        assert space[1].objgen == pdf.Root.OutputIntents[0].DestOutputProfile.objgen


def test_a_pdf_that_cannot_be_pdf_x_is_refused(handouts):
    with pikepdf.open(handouts["gezinsgericht"]) as pdf:
        del pdf.Root["/OutputIntents"]
        out = BytesIO()
        pdf.save(out)
    with pytest.raises(BuildError, match="geen PDF/X-4 voor de drukkerij"):
        for_press(out.getvalue(), what="proef.pdf")
    with pikepdf.open(handouts["gezinsgericht"]) as pdf:
        del pdf.pages[0].obj["/TrimBox"]
        out = BytesIO()
        pdf.save(out)
    with pytest.raises(BuildError, match="pagina 1 heeft geen snijmaat"):
        for_press(out.getvalue(), what="proef.pdf")


# ---------------------------------------------------------------- the booklet


def test_the_booklet_has_creep_compensation_boxes_and_a_real_back_cover(tmp_path):
    import re

    import pypdf

    from werkboek.build import build_workbook
    from werkboek.pdf.booklet import PAPER_MM, saddle_stitch
    from werkboek.recipes import load_recipe

    from conftest import ROOTS

    project = Project(CONTENT, REPO / "styles", tmp_path, print_shop=True)
    recipe = load_recipe(ROOTS / "trainingsdag" / "recept.yaml", project.content)
    files = build_workbook(project, recipe, tmp_path / "dag.pdf", booklet=True)
    a5, booklet = files[1], files[2]
    reader = pypdf.PdfReader(a5)
    count = len(reader.pages)
    # the back cover: the last page, designed (the recipe's title), unnumbered, no notes page
    back = " ".join(reader.pages[-1].extract_text().split())
    assert back.startswith("Trainingsdag Zaanstreek"), back
    assert "Notities" not in back and not re.search(rf"\b{count}\b", back), back
    with pikepdf.open(booklet) as pdf:
        # a PDF/X-4 file too: the A5 file's output intent, its metadata with the booklet's title
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and int(intent.DestOutputProfile.N) == 4
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert str(pdf.docinfo.Title).endswith("boekje om te drukken")
        assert f">{pdf.docinfo.Title}</rdf:li>" in xmp
        sides = saddle_stitch(count)
        assert len(pdf.pages) == len(sides)
        for number, (sheet, (left, right)) in enumerate(zip(pdf.pages, sides, strict=True)):
            trim, bleed, media = mm(sheet.TrimBox), mm(sheet.BleedBox), mm(sheet.MediaBox)
            assert [trim[2] - trim[0], trim[3] - trim[1]] == pytest.approx([296, 210], abs=0.05)
            grown = [trim[0] - BLEED_MM, trim[1] - BLEED_MM, trim[2] + BLEED_MM, trim[3] + BLEED_MM]
            assert bleed == pytest.approx(grown, abs=0.05) and media == pytest.approx(bleed)
            fold = (trim[0] + trim[2]) / 2
            creep = (number // 2) * PAPER_MM
            placed = re.findall(
                rb"q ([-\d.]+) [-\d.]+ ([-\d.]+) [-\d.]+ re W n "
                rb"1 0 0 1 ([-\d.]+) [-\d.]+ cm /P(\d+) Do Q",
                sheet.Contents.read_bytes(),
            )
            assert [int(p[3]) for p in placed] == [i for i in (left, right) if i is not None]
            for x, width, dx, index in placed:  # (an A5 page's trim box starts at 0 0)
                clip_from, clip_to = float(x) / PT, (float(x) + float(width)) / PT
                shift = float(dx) / PT
                if int(index) == left:  # its trim's edge at the fold, shifted past it by creep
                    assert shift + 148 == pytest.approx(fold + creep, abs=0.01)
                    assert clip_to == pytest.approx(fold, abs=0.01)  # cut at the fold
                else:
                    assert shift == pytest.approx(fold - creep, abs=0.01)
                    assert clip_from == pytest.approx(fold, abs=0.01)
    # rendered: the covers meet at the fold with no white gap, and the cover colour runs
    # into the bleed at the outer edges
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(booklet), str(tmp_path / "s")],
        check=True,
    )
    [image_path] = tmp_path.glob("s-*.png")
    image = Image.open(image_path).convert("RGB")
    middle = image.width // 2
    for x in (middle - 1, middle, middle + 1, 1, image.width - 2):
        assert image.getpixel((x, image.height // 3)) != (255, 255, 255), x
