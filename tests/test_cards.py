"""Exercise cards and uitgangspunten cards: single cards, A4 sheets, QR codes, crop marks."""

from __future__ import annotations

import ctypes
import math
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from werkboek import Project, build_products
from werkboek.products.cards.sheet import A5, A6, BLEED, SHEET_HEIGHT, SHEET_WIDTH, CardFormat, Rect

from conftest import CONTENT, REPO, locate_qr_codes, outline, reading_text
from printed import blocks_text, step_heading

PT = 72 / 25.4
"""Points per millimetre."""
UITGANGSPUNTEN = "praktische-uitgangspunten-voor-het-creeren-van-partnerschap"


@pytest.fixture(scope="session")
def a5(tmp_path_factory) -> dict[str, Path]:
    output = tmp_path_factory.mktemp("kaarten-a5")
    written = build_products(Project(CONTENT, REPO / "styles", output), ["cards"])
    return {path.stem: path for path in written}


@pytest.fixture(scope="session")
def a6(tmp_path_factory) -> dict[str, Path]:
    """Built through the command line, with its option for the small cards."""
    output = tmp_path_factory.mktemp("kaarten-a6")
    command = [sys.executable, "-m", "werkboek", "build", "cards", "--kaartformaat", "a6"]
    command += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles"), "-o", str(output)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    paths = [Path(line.removeprefix("geschreven: ")) for line in result.stdout.splitlines()]
    return {path.stem: path for path in paths}


@pytest.fixture(params=["a5", "a6"])
def cards(request) -> tuple[CardFormat, dict[str, Path]]:
    return {"a5": A5, "a6": A6}[request.param], request.getfixturevalue(request.param)


def squeeze(text: str) -> str:
    """Text without spaces, hyphens and quote marks: line breaks and hyphenation do not count."""
    return re.sub(r"[\s\-\u00ad\x02\ufffe“”\"]+", "", text)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """The trimmed size of every page, in mm (a card for the print shop has bleed around it)."""
    return [
        (float(p.trimbox.width) / PT, float(p.trimbox.height) / PT)
        for p in pypdf.PdfReader(path).pages
    ]


def cards_on(path: Path) -> int:
    return len(pypdf.PdfReader(path).pages) // 2


def slot_text(path: Path, page: int, rect: Rect) -> str:
    """The text inside ``rect`` (mm from the page's top left corner) on a page."""
    document = pypdfium2.PdfDocument(path)
    try:
        pdf_page = document[page]
        left, _, _, height = pdf_page.get_trimbox()
        textpage = pdf_page.get_textpage()
        return textpage.get_text_bounded(
            left + rect.x * PT,
            height - rect.bottom * PT,
            left + rect.right * PT,
            height - rect.y * PT,
        )
    finally:
        document.close()


def characters(path: Path) -> list[tuple[int, str, float, float, float]]:
    """(page, char, x mm, y mm from the top, size pt) for every visible character."""
    found = []
    document = pypdfium2.PdfDocument(path)
    try:
        for number, page in enumerate(document):
            left, _, _, height = page.get_trimbox()  # measured from the trimmed card's corner
            textpage = page.get_textpage()
            x, y = ctypes.c_double(), ctypes.c_double()
            for index in range(textpage.count_chars()):
                char = textpage.get_text_range(index, 1)
                if not char.strip() or char in ("\x02", "\ufffe"):
                    continue
                pdfium_c.FPDFText_GetCharOrigin(
                    textpage.raw, index, ctypes.byref(x), ctypes.byref(y)
                )
                matrix = pdfium_c.FS_MATRIX()
                pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix))
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index) * scale
                found.append((number, char, (x.value - left) / PT, (height - y.value) / PT, size))
    finally:
        document.close()
    return found


# ---------------------------------------------------------------- files and sizes


@pytest.mark.slow
def test_a_card_per_exercise_and_the_sheets(cards, content):
    fmt, files = cards
    slugs = [e.slug for _, e in content.exercises()]
    assert list(files) == [*slugs, "oefenkaarten", "uitgangspunten"]
    # the small exercise cards in a folder of their own (kaarten/a6/), never over the A5 ones
    exercise_folder = {"a5": "kaarten", "a6": "a6"}[fmt.name]
    assert {p.parent.name for n, p in files.items() if n != "uitgangspunten"} == {exercise_folder}
    assert files["uitgangspunten"].parent.name == "kaarten"
    total = 0
    for slug in slugs:
        sizes = page_sizes(files[slug])
        assert len(sizes) % 2 == 0 and len(sizes) >= 2  # front, back (, follow-up cards)
        assert all(size == pytest.approx((fmt.width, fmt.height), abs=0.2) for size in sizes)
        total += len(sizes) // 2
    sheets = page_sizes(files["oefenkaarten"])
    assert len(sheets) == 2 * math.ceil(total / fmt.per_sheet)
    assert all(size == pytest.approx((SHEET_WIDTH, SHEET_HEIGHT), abs=0.2) for size in sheets)
    assert len(page_sizes(files["uitgangspunten"])) == 2 * 3  # twelve cards, four a sheet


@pytest.mark.slow
def test_a_single_card_has_a_real_bleed_for_the_print_shop(cards, content):
    fmt, files = cards
    for _, exercise in content.exercises():
        for page in pypdf.PdfReader(files[exercise.slug]).pages:
            trim = [float(v) / PT for v in page.trimbox]
            bleed = [float(v) / PT for v in page.bleedbox]
            media = [float(v) / PT for v in page.mediabox]
            assert trim[2] - trim[0] == pytest.approx(fmt.width, abs=0.05)
            assert trim[3] - trim[1] == pytest.approx(fmt.height, abs=0.05)
            expected = [trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED, trim[3] + BLEED]
            assert bleed == pytest.approx(expected, abs=0.05)
            # room beyond the bleed for the crop marks
            assert [trim[0] - media[0], trim[1] - media[1]] == pytest.approx([12, 12], abs=0.05)
    # rendered at 150 dpi: the colour band fills the bleed (its top left corner is coloured);
    # the crop marks lie outside the bleed, where the band is not: the frame beyond the
    # bleed holds only the marks (grey or black), and they are there, at the cut lines
    document = pypdfium2.PdfDocument(files[next(content.exercises())[1].slug])
    try:
        image = document[0].render(scale=150 / 72, crop=(0, 0, 0, 0)).to_pil().convert("RGB")
    finally:
        document.close()
    per_mm = 150 / 25.4

    def at(x: float, y: float) -> tuple[int, int, int]:
        return image.getpixel((round(x * per_mm), round(y * per_mm)))

    room = 12 - BLEED
    corner = at(room + 0.3, room + 0.3)
    assert max(corner) - min(corner) > 40, corner  # the band's colour
    assert at(12, 12 - BLEED / 2) == at(20, 12 - BLEED / 2)  # no mark on the band
    frame = [
        image.getpixel((x, y))
        for x in range(0, image.width, 3)
        for y in range(0, image.height, 3)
        if min(x, y, image.width - 1 - x, image.height - 1 - y) < room * per_mm - 1
    ]
    assert all(max(p) - min(p) < 16 for p in frame)  # nothing coloured beyond the bleed
    mark = [at(12, y / 10) for y in range(5, int(room * 10) - 5)]
    assert min(sum(p) for p in mark) < 3 * 128  # the crop mark at the left cut, above


@pytest.mark.slow
def test_every_crop_mark_is_inside_what_an_office_printer_prints(cards):
    """Nothing is printed within 5 mm of the sheet's edge: measured on the rendered sheets."""
    fmt, files = cards
    for name, sheet_format in (("oefenkaarten", fmt), ("uitgangspunten", A6)):
        document = pypdfium2.PdfDocument(files[name])
        try:
            for index in range(len(document)):
                image = document[index].render(scale=200 / 72).to_pil().convert("L")
                width, height = image.size
                edge = round(5 / 25.4 * 200) - 1
                strips = [
                    image.crop((0, 0, width, edge)),
                    image.crop((0, height - edge, width, height)),
                    image.crop((0, 0, edge, height)),
                    image.crop((width - edge, 0, width, height)),
                ]
                for strip in strips:
                    assert strip.getextrema()[0] > 200, (name, index)  # no dark mark there
                if index < 2:  # a full sheet: every mark is printed where it belongs
                    for mark in sheet_format.marks():
                        x = (mark.x1 + mark.x2) / 2 / 25.4 * 200
                        y = (mark.y1 + mark.y2) / 2 / 25.4 * 200
                        assert image.getpixel((round(x), round(y))) < 128, (name, index, mark)
        finally:
            document.close()


def test_the_a5_cards_are_a5_and_the_small_ones_fit_four_to_a_sheet_with_marks():
    assert (A5.width, A5.height) == (148, 210)
    assert A6.per_sheet == 4
    for fmt in (A5, A6):
        slots = [fmt.slot(i) for i in range(fmt.per_sheet)]
        # room for bleed and crop marks all round, and for the printer's unprintable edge
        assert min(s.x for s in slots) >= 12 and SHEET_WIDTH - max(s.right for s in slots) >= 12
        assert min(s.y for s in slots) >= 12 and SHEET_HEIGHT - max(s.bottom for s in slots) >= 12
        if fmt.columns > 1:
            assert slots[1].x - slots[0].right >= 2 * BLEED
        for mark in fmt.marks():
            for x in (mark.x1, mark.x2):
                assert 5 <= x <= SHEET_WIDTH - 5
            for y in (mark.y1, mark.y2):
                assert 5 <= y <= SHEET_HEIGHT - 5
        for index, slot in enumerate(slots):  # the sheet is symmetric for a long-edge flip
            back = fmt.slot(fmt.back_slot(index))
            assert back.x == pytest.approx(SHEET_WIDTH - slot.right)
            assert back.y == slot.y


# ---------------------------------------------------------------- text


@pytest.mark.slow
def test_every_step_of_every_exercise_is_on_its_a5_cards(a5, content):
    sheets = squeeze(" ".join(reading_text(a5["oefenkaarten"])))
    for principle, exercise in content.exercises():
        text = squeeze(" ".join(reading_text(a5[exercise.slug])))
        expected = [exercise.plain_title, principle.plain_title]
        expected += list(blocks_text(exercise.purpose, trainer=False))
        for number, step in enumerate(exercise.steps, 1):
            expected.append(step_heading(number, step))
            expected += list(blocks_text(step.body, trainer=False))
        for line in expected:
            assert squeeze(line) in text, (exercise.slug, line)
            assert squeeze(line) in sheets, (exercise.slug, line)


@pytest.mark.slow
def test_trainer_only_material_stays_off_the_cards(a5, content):
    exercise = next(e for _, e in content.exercises() if e.has_trainer_material())
    shown = set(blocks_text([b for s in exercise.steps for b in s.body], trainer=False))
    hidden = [
        line
        for line in blocks_text([b for s in exercise.steps for b in s.body], trainer=True)
        if line not in shown and len(line) > 12
    ]
    assert hidden
    text = squeeze(" ".join(reading_text(a5[exercise.slug])))
    for line in hidden:
        assert squeeze(line) not in text
    assert "trainer" not in text.lower()


@pytest.mark.slow
def test_follow_up_cards_say_so(cards, content):
    fmt, files = cards
    follow_ups = 0
    for _, exercise in content.exercises():
        pages = [squeeze(page).lower() for page in reading_text(files[exercise.slug])]
        count = len(pages) // 2
        assert "vervolg·" not in pages[0] + pages[1]
        for card in range(2, count + 1):
            follow_ups += 1
            for page in pages[2 * card - 2 : 2 * card]:
                assert squeeze(f"vervolg · kaart {card} van {count}") in page
        for card in range(1, count):
            assert squeeze(f"verder op kaart {card + 1}") in pages[2 * card - 1]
    assert follow_ups > 0 if fmt.full_steps else follow_ups == 0


@pytest.mark.slow
def test_the_small_cards_list_the_steps_in_short(a6, content):
    for _, exercise in content.exercises():
        pages = reading_text(a6[exercise.slug])
        assert len(pages) == 2
        back = squeeze(pages[1])
        for number, step in enumerate(exercise.steps, 1):
            minutes = re.search(r"\(.*\)$", step_heading(number, step))
            assert squeeze(f"{number}. {step.title}") in back
            if minutes:
                assert squeeze(minutes.group()) in back
        longest = max(blocks_text([b for s in exercise.steps for b in s.body]), key=len)
        assert squeeze(longest) not in squeeze(" ".join(pages))  # the full text is online


@pytest.mark.slow
def test_text_is_never_smaller_than_8_5_pt(cards):
    _, files = cards
    for path in files.values():
        sizes = [size for *_, size in characters(path)]
        assert min(sizes) >= 8.5 - 0.01, path.name


@pytest.mark.slow
def test_text_stays_in_its_face(cards):
    """Nothing runs into the footer of a single card; nothing leaves its card on a sheet."""
    fmt, files = cards
    for slug, path in files.items():
        chars = characters(path)
        if slug in ("oefenkaarten", "uitgangspunten"):
            sheet_format = A6 if slug == "uitgangspunten" else fmt
            slots = [sheet_format.slot(i) for i in range(sheet_format.per_sheet)]
            for page, char, x, y, _ in chars:
                assert any(s.contains(x, y, margin=-1) for s in slots), (slug, page, char, x, y)
            continue
        footer_top = fmt.height - fmt.footer
        for page in {c[0] for c in chars}:
            below = [(c, y) for p, c, _, y, _ in chars if p == page and y > footer_top]
            # only the footer is there (text overflowing the face would add to it): what
            # the side says, and the organisation's name or a pointer, in one or two lines
            # kept 3 mm clear of the card's edge
            text = squeeze("".join(c for c, _ in below))
            assert re.fullmatch(FOOTER, text), (slug, page, text)
            baselines = sorted({round(y, 1) for _, y in below})
            assert len(baselines) <= 2 and baselines[-1] < fmt.height - 3, (slug, page, baselines)
            assert all(0 < x < fmt.width for p, _, x, _, _ in chars if p == page)


FOOTER = (
    r"(kaart\dvan\d·)?(voorkant|achterkant)"
    r"(ProgrammateamToekomstscenariokindengezinsbescherming|verderopkaart\d›|Oefening\d+)?"
)
"""A face's footer, squeezed, whatever order its lines are read in."""


@pytest.mark.slow
def test_the_organisations_name_is_whole_on_every_front(cards):
    """The name on a front's footer (two lines on a small card) is never cut short."""
    _, files = cards
    name = squeeze("Programmateam Toekomstscenario kind- en gezinsbescherming")
    for slug, path in files.items():
        # a single card's pages, or a sheet's: fronts first, then their backs
        fronts = [page.extract_text() for page in pypdf.PdfReader(path).pages][::2]
        for number, text in enumerate(fronts):
            # (after the side, in the footer: "Programmateam Toekomstscenar…" was there)
            assert f"voorkant{name}" in squeeze(text), (slug, number)


# ---------------------------------------------------------------- QR codes


@pytest.mark.slow
def test_every_qr_code_decodes_to_its_exercise_and_is_big_enough(cards, content):
    fmt, files = cards
    urls = {e.slug: content.exercise_url(p, e) for p, e in content.exercises()}
    codes = locate_qr_codes(files["oefenkaarten"])
    assert sorted(text for _, text, _, _ in codes) == sorted(urls.values())
    for slug, url in urls.items():
        [(page, text, width, _)] = locate_qr_codes(files[slug])
        assert text == url and width >= 20
        assert page == (1 if fmt.full_steps else 2)  # A5: on the front; A6: with the steps
        assert squeeze(url) in squeeze(reading_text(files[slug])[page - 1])  # printed under it
    assert all(width >= 20 for _, _, width, _ in codes)


# ---------------------------------------------------------------- sheets


def _sheet_cards(files: dict[str, Path], slugs: list[str]) -> list[str]:
    """Which exercise each card on the sheets belongs to, in order."""
    return [slug for slug in slugs for _ in range(cards_on(files[slug]))]


def _slot_of(fmt: CardFormat, x: float, y: float) -> int:
    [index] = [i for i in range(fmt.per_sheet) if fmt.slot(i).contains(x, y)]
    return index


@pytest.mark.slow
def test_backs_land_behind_their_fronts(cards, content):
    """Measured: where each card's QR code and title land on the front and on the back."""
    fmt, files = cards
    slugs = [e.slug for _, e in content.exercises()]
    titles = {e.slug: e.plain_title for _, e in content.exercises()}
    urls = {content.exercise_url(p, e): e.slug for p, e in content.exercises()}
    order = _sheet_cards(files, slugs)
    path = files["oefenkaarten"]
    codes = locate_qr_codes(path)
    assert len(codes) == len(slugs)
    for page, url, _, (x, y) in codes:
        slug = urls[url]
        card = order.index(slug)  # its first card carries the QR code
        sheet, index = divmod(card, fmt.per_sheet)
        qr_slot = _slot_of(fmt, x, y)
        if fmt.full_steps:  # the QR code is on the front: find the back on the next page
            assert page == 2 * sheet + 1 and qr_slot == index
            back_page, expected = page + 1, fmt.back_slot(index)
            other = slot_text(path, back_page - 1, fmt.slot(expected))
        else:  # on the back: find the front on the page before
            assert page == 2 * sheet + 2 and qr_slot == fmt.back_slot(index)
            other = slot_text(path, page - 2, fmt.slot(index))
        assert squeeze(titles[slug]) in squeeze(other), (slug, page)
        # the mirror image for a long-edge flip: same height, other side of the sheet
        front_x = x if fmt.full_steps else SHEET_WIDTH - x
        assert fmt.slot(index).contains(front_x, y)
        assert fmt.slot(fmt.back_slot(index)).contains(SHEET_WIDTH - front_x, y)


@pytest.mark.slow
def test_uitgangspunten_fronts_and_backs(a5, content):
    article = content.article(UITGANGSPUNTEN)
    path = a5["uitgangspunten"]
    for number, item in enumerate(article.items, 1):
        sheet, index = divmod(number - 1, A6.per_sheet)
        front = slot_text(path, 2 * sheet, A6.slot(index))
        back = slot_text(path, 2 * sheet + 1, A6.slot(A6.back_slot(index)))
        assert squeeze(item.title) in squeeze(front)
        assert f"Uitgangspunt {number} van 12" in back
        for line in blocks_text(item.body):
            assert squeeze(line) in squeeze(back)
            assert squeeze(line) not in squeeze(front)


def _mark_rects(fmt: CardFormat, used: int) -> list[Rect]:
    width = 0.5 / PT
    rects = []
    for mark in fmt.marks(used):
        if mark.vertical:
            rects.append(Rect(mark.x1 - width / 2, mark.y1, width, mark.y2 - mark.y1))
        else:
            rects.append(Rect(mark.x1, mark.y1 - width / 2, mark.x2 - mark.x1, width))
    return rects


def _paths(path: Path, page: int) -> list[Rect]:
    """The bounds of every drawn path on a page, in mm from the top left corner."""
    document = pypdfium2.PdfDocument(path)
    try:
        pdf_page = document[page]
        height = pdf_page.get_size()[1]
        found = []
        for obj in pdf_page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=20):
            left, bottom, right, top = obj.get_bounds()
            found.append(
                Rect(left / PT, (height - top) / PT, (right - left) / PT, (top - bottom) / PT)
            )
        return found
    finally:
        document.close()


@pytest.mark.slow
def test_crop_marks_on_every_sheet_side(cards, content):
    fmt, files = cards
    for name, sheet_format in (("oefenkaarten", fmt), ("uitgangspunten", A6)):
        path = files[name]
        if name == "oefenkaarten":
            total = len(_sheet_cards(files, [e.slug for _, e in content.exercises()]))
        else:
            total = 12
        pages = len(pypdf.PdfReader(path).pages)
        document = pypdfium2.PdfDocument(path)
        for page in range(pages):
            used = min(sheet_format.per_sheet, total - page // 2 * sheet_format.per_sheet)
            expected = _mark_rects(sheet_format, used)
            drawn = _paths(path, page)
            for mark in expected:  # drawn where the geometry says
                assert any(
                    abs(d.x - mark.x) < 0.2
                    and abs(d.y - mark.y) < 0.2
                    and abs(d.width - mark.width) < 0.2
                    and abs(d.height - mark.height) < 0.2
                    for d in drawn
                ), (name, page, mark)
                # outside every card and its bleed
                for i in range(sheet_format.per_sheet):
                    slot = sheet_format.slot(i)
                    assert not slot.contains(*mark.centre, margin=BLEED), (name, page, mark)
            # and visible: a dark pixel on every mark at 100 dpi
            image = document[page].render(scale=100 / 72).to_pil().convert("L")
            for mark in expected:
                cx, cy = mark.centre
                px, py = round(cx / 25.4 * 100), round(cy / 25.4 * 100)
                window = [
                    image.getpixel((px + dx, py + dy)) for dx in range(-2, 3) for dy in range(-2, 3)
                ]
                assert min(window) < 140, (name, page, mark, window)
        document.close()


@pytest.mark.slow
def test_colour_bands_bleed_past_the_cut(cards, content):
    fmt, files = cards
    principle, _ = next(iter(content.exercises()))
    colour = tuple(int(principle.colour[i : i + 2], 16) for i in (1, 3, 5))
    document = pypdfium2.PdfDocument(files["oefenkaarten"])
    image = document[0].render(scale=100 / 72).to_pil().convert("RGB")
    document.close()

    def pixel(x: float, y: float) -> tuple[int, int, int]:
        return image.getpixel((round(x / 25.4 * 100), round(y / 25.4 * 100)))

    def near(rgb: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 10 for a, b in zip(rgb, colour, strict=True))

    slot = fmt.slot(0)  # the first card: the first exercise's front
    band_y = slot.y + fmt.band / 2
    assert near(pixel(slot.x + 1, band_y))
    assert near(pixel(slot.x - BLEED / 2, band_y))  # left of the cut
    assert near(pixel(slot.x + 10, slot.y - BLEED / 2))  # above the cut
    assert pixel(slot.x - BLEED - 1, band_y) == (255, 255, 255)  # bleed ends
    assert pixel(slot.x + 10, slot.y - BLEED - 1) == (255, 255, 255)


# ---------------------------------------------------------------- outline, metadata, rebuilds


@pytest.mark.slow
def test_outlines_and_metadata(cards, content):
    fmt, files = cards
    exercises = [e for _, e in content.exercises()]
    reader = pypdf.PdfReader(files["oefenkaarten"])
    entries = outline(reader)
    assert [t for t, _, _ in entries] == [e.plain_title for e in exercises]
    order = _sheet_cards(files, [e.slug for e in exercises])
    for (_, page, _), exercise in zip(entries, exercises, strict=True):
        assert page == 2 * (order.index(exercise.slug) // fmt.per_sheet) + 1  # a front side
    assert reader.metadata.title.startswith(f"Oefenkaarten ({fmt.name.upper()})")
    for exercise in exercises:
        single = pypdf.PdfReader(files[exercise.slug])
        assert outline(single) == [(exercise.plain_title, 1, [])]
        assert single.metadata.title == f"{exercise.plain_title} — oefenkaart"
    article = content.article(UITGANGSPUNTEN)
    titles = [t for t, _, _ in outline(pypdf.PdfReader(files["uitgangspunten"]))]
    assert titles == [f"{n}. {item.title}" for n, item in enumerate(article.items, 1)]
    for path in files.values():
        catalog = pypdf.PdfReader(path).trailer["/Root"]
        assert catalog["/Lang"] == "nl"
        assert "/StructTreeRoot" in catalog


@pytest.mark.slow
def test_rebuilt_cards_are_byte_identical(a5, tmp_path):
    command = [sys.executable, "-m", "werkboek", "build", "cards", "--taken", "1"]
    command += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles"), "-o", str(tmp_path)]
    subprocess.run(command, check=True, capture_output=True)
    for name, path in a5.items():
        assert (tmp_path / "kaarten" / f"{name}.pdf").read_bytes() == path.read_bytes(), name


@pytest.mark.slow
def test_an_exercise_too_long_for_any_card_is_an_error(tmp_path):
    """A part that cannot continue on the next card is reported, never clipped."""
    from werkboek import BuildError

    from conftest import make_content

    content = make_content(tmp_path)
    path = content / "principes" / "proef.yaml"
    data = path.read_text(encoding="utf-8")
    long = " ".join(["Een heel lange alinea die niet op één kaart past."] * 120)
    data = data.replace("Deel een verhaal.", long, 1)
    assert long in data
    path.write_text(data, encoding="utf-8")
    project = Project(content, REPO / "styles", tmp_path / "output")
    with pytest.raises(BuildError, match="te lang voor één A5-kaart"):
        build_products(project, ["cards"])
    assert not list((tmp_path / "output").rglob("*.pdf"))


# ---------------------------------------------------------------- lists as they look


def _list_lengths(path: Path) -> list[list[str]]:
    """Every list of a file's tags, as the text of its items."""
    from structure import Tagged

    tree = Tagged.open(path)
    return [
        [" ".join(tree.text_of(item)).strip() for item in element.children if item.type == "LI"]
        for element in tree.elements("L")
    ]


def test_a_cards_lists_are_lists_of_their_real_length(a5, content):
    """A list cut into one part per item (so it can go on over the next face) is one list on
    a face: in the tags as long as in the content, or split where a face ends."""
    from werkboek.content import schema

    for _, exercise in content.exercises():
        blocks = [*exercise.purpose, *(b for step in exercise.steps for b in step.body)]
        wanted = [
            len(b.items) for b in blocks if isinstance(b, schema.BulletList | schema.NumberedList)
        ]
        found = [len(items) for items in _list_lengths(a5[exercise.slug])]
        assert sum(found) == sum(wanted), exercise.slug
        # each list of the content is one or more lists in a row, one per face it is on
        faces = len(pypdf.PdfReader(a5[exercise.slug]).pages)
        rest = list(found)
        for length in wanted:
            pieces = 0
            while length > 0:
                length -= rest.pop(0)
                pieces += 1
            assert length == 0 and pieces <= faces, (exercise.slug, wanted, found)
        if any(length > 1 for length in wanted):
            assert any(length > 1 for length in found), exercise.slug
    # before: every list of the sheet was a list of one item (75 of them)
    sheet = _list_lengths(a5["oefenkaarten"])
    assert sum(len(items) == 1 for items in sheet) < len(sheet) / 4


def test_the_steps_on_a6_cards_are_a_numbered_list(a6, content):
    for _, exercise in content.exercises():
        lists = _list_lengths(a6[exercise.slug])
        items = [item for items in lists for item in items]
        assert len(lists) <= 2, exercise.slug  # a card's back, or two when they go on
        assert [re.match(r"\d+", item).group() for item in items] == [
            str(n) for n in range(1, len(exercise.steps) + 1)
        ], (exercise.slug, items)


def test_card_files_embed_only_the_packaged_fonts(a5, a6):
    """Every glyph from Atkinson Hyperlegible or Noto Sans (the "→" of "verder op kaart 2"
    came from the system's DejaVu Sans)."""
    for files in (a5, a6):
        for path in files.values():
            fonts = set()
            for pdf_page in pypdf.PdfReader(path).pages:
                for font in pdf_page["/Resources"].get("/Font", {}).values():
                    fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])
            assert fonts and all(f.startswith(("Atkinson-Hyperlegible", "Noto")) for f in fonts), (
                path.name,
                fonts,
            )


def _tags(path: Path) -> list[tuple]:
    """The structure tree in order (type, /ID, /Alt, depth), the links (page, target, place)
    and the bookmarks of a PDF."""
    import pikepdf

    found: list[tuple] = []
    with pikepdf.open(path) as pdf:

        def walk(item, depth: int) -> None:
            if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                found.append(
                    (str(item.S), str(item.get("/ID", "")), str(item.get("/Alt", "")), depth)
                )
                kids = item.get("/K")
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    walk(kid, depth + 1)
            elif isinstance(item, int):
                found.append(("mcid", depth))

        walk(pdf.Root.StructTreeRoot.K, 0)
        for number, page in enumerate(pdf.pages):
            for annotation in page.get("/Annots", []):
                place = tuple(round(float(v), 2) for v in annotation.Rect)
                found.append((number, str(annotation.A.get("/URI", "")), place))
    return found + outline(pypdf.PdfReader(path))


def _in_slots(project: Project, folder: Path) -> Path:
    """The exercise cards' sheet as a layout of the faces in their slots gives it."""
    from werkboek.products.cards import CardsProduct
    from werkboek.products.cards.measure import assign_faces

    product = CardsProduct(project)
    target = next(product.targets())
    sets = product.card_sets(target)
    measure = product._html(target, mode="maat", sets=sets, singles=False)
    assign_faces(product.layout(target, measure), sets, A5, "kaarten")
    in_slots = product.layout(
        target, product._html(target, mode="kaarten", sets=sets, singles=False)
    )
    in_slots.metadata.title = target.title
    reference = folder / "in-de-vakken.pdf"
    reference.write_bytes(project.renderer.pdf(in_slots, what=str(reference)))
    return reference


def _same_pixels(made: Path, reference: Path, pages: int) -> None:
    ours, theirs = pypdfium2.PdfDocument(made), pypdfium2.PdfDocument(reference)
    try:
        assert len(ours) == len(theirs) == pages
        for number in range(len(ours)):
            mine = ours[number].render(scale=100 / 72).to_pil().tobytes()
            assert mine == theirs[number].render(scale=100 / 72).to_pil().tobytes(), number + 1
    finally:
        ours.close()
        theirs.close()


def test_the_sheet_is_the_single_cards_faces_in_their_slots(a5, tmp_path):
    """The sheet's slots are laid out empty and get copies of the single cards' laid-out
    faces (werkboek.pdf.slots): page for page what laying the faces out in their slots
    gives, in pixels, text, tags, links and bookmarks."""
    reference = _in_slots(Project(CONTENT, REPO / "styles", tmp_path / "uit"), tmp_path)
    made = a5["oefenkaarten"]
    assert _tags(made) == _tags(reference)
    assert reading_text(made) == reading_text(reference)
    _same_pixels(made, reference, 42)


def test_a_face_with_a_background_image_is_copied_with_it(a5, tmp_path):
    """A programme's band with a background image: the copy in the slot has it where the
    face laid out in the slot has it (WeasyPrint placed it on the single card's page)."""
    import shutil

    styles = tmp_path / "stijlen"
    shutil.copytree(REPO / "styles", styles)
    with (styles / "kaarten.css").open("a", encoding="utf-8") as sheet:
        sheet.write(
            "\n.kaart-band { background: var(--kleur) url(iconen/klok.svg) no-repeat right "
            "6mm top 6mm / 8mm; }\n"
        )
    project = Project(CONTENT, styles, tmp_path / "uit")
    written = build_products(project, ["cards"], jobs=1)
    made = next(path for path in written if path.stem == "oefenkaarten")
    _same_pixels(made, _in_slots(project, tmp_path), 42)
    with_clock, plain = pypdfium2.PdfDocument(made), pypdfium2.PdfDocument(a5["oefenkaarten"])
    try:  # (and the image is there)
        first = with_clock[0].render(scale=100 / 72).to_pil().tobytes()
        assert first != plain[0].render(scale=100 / 72).to_pil().tobytes()
    finally:
        with_clock.close()
        plain.close()


def test_slots_that_are_no_blocks_get_their_faces_laid_out_in_them(a5, tmp_path, monkeypatch):
    """A programme's own styles that make the sheet's slots flex boxes: the faces cannot be
    copied in, so the sheet is laid out with its faces, and reads as the sheet always does."""
    import shutil

    from werkboek.products.cards import CardsProduct

    styles = tmp_path / "stijlen"
    shutil.copytree(REPO / "styles", styles)
    with (styles / "kaarten.css").open("a", encoding="utf-8") as sheet:
        sheet.write("\n.vak { display: flex; }\n")
    layouts: list[bool] = []
    laid_out = CardsProduct._laid_out

    def counted(self, target, sets, *, singles):
        layouts.append(singles)
        return laid_out(self, target, sets, singles=singles)

    monkeypatch.setattr(CardsProduct, "_laid_out", counted)
    project = Project(CONTENT, styles, tmp_path / "uit")
    written = build_products(project, ["cards"], jobs=1)
    made = next(path for path in written if path.stem == "oefenkaarten")
    assert layouts == [True, False, False]  # the exercises twice; the uitgangspunten once
    assert len(pypdf.PdfReader(made).pages) == 42
    assert reading_text(made) == reading_text(a5["oefenkaarten"])
