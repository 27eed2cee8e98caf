"""Images on own pages are bounded before anything is laid out: pixels, and data that decodes."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from werkboek import load_content
from werkboek.errors import RecipeError
from werkboek.recipes import parse_recipe
from werkboek.recipes.own_pages import MAX_PIXELS

from conftest import CONTENT

CONTENTS = load_content(CONTENT)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb(side: int) -> bytes:
    """A 1-bit PNG of ``side`` × ``side`` white pixels: a few kB that unpack into megabytes."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packed = zlib.compress(row * side, 9)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", packed)
        + _chunk(b"IEND", b"")
    )


def recipe_with(image: bytes, kind: str = "png") -> str:
    uri = f"data:image/{kind};base64,{base64.b64encode(image).decode()}"
    return f"titel: Dag\nonderdelen:\n  - eigen: |\n      # Welkom\n\n      ![Een plaatje]({uri})\n"


def problems(text: str) -> list[str]:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, CONTENTS)
    return [p.message for p in caught.value.problems]


def test_a_pixel_bomb_is_refused_from_its_header():
    bomb = pixel_bomb(13_300)
    assert len(bomb) < 40_000  # small as a file
    [message] = problems(recipe_with(bomb))
    assert "meer dan 12 miljoen" in message and "maak hem kleiner" in message
    assert MAX_PIXELS < 13_300 * 13_300


def test_an_image_with_a_valid_signature_and_broken_data_is_refused():
    good = io.BytesIO()
    Image.frombytes("L", (200, 200), bytes(range(256)) * 156 + bytes(64)).save(good, "PNG")
    data = good.getvalue()
    broken = data[: len(data) // 2]  # the signature and header, half the pixels
    [message] = problems(recipe_with(broken))
    assert "beschadigd" in message and "PNG" in message


def test_a_jpeg_named_png_is_refused():
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(jpeg, "JPEG")
    [message] = problems(recipe_with(jpeg.getvalue(), "png"))
    assert "geen geldige PNG" in message


def test_an_image_just_over_the_pixel_limit_names_its_size():
    big = io.BytesIO()
    Image.new("1", (4000, 3001)).save(big, "PNG")
    [message] = problems(recipe_with(big.getvalue()))
    assert "4000 × 3001 pixels, meer dan 12 miljoen" in message


def test_a_sound_image_passes():
    good = io.BytesIO()
    Image.new("RGB", (400, 300), "green").save(good, "PNG")
    recipe = parse_recipe(recipe_with(good.getvalue()), CONTENTS)
    [own] = [s.own for s in recipe.selections]
    assert own is not None and "data:image/png;base64," in str(own.html)


def test_a_qr_code_is_made_once_kept_verified_and_made_again_when_damaged(tmp_path, monkeypatch):
    from werkboek.rendering import qr

    monkeypatch.setenv("WERKBOEK_QR_CACHE", str(tmp_path))
    qr._folder.cache_clear()
    qr.qr_svg.cache_clear()
    try:
        url = "https://www.voorbeeld.example/verhalen#een"
        made = qr.qr_svg(url)
        [entry] = list(tmp_path.rglob("*.json"))
        qr.qr_svg.cache_clear()
        assert qr.qr_svg(url) == made  # from the kept file
        entry.write_text(entry.read_text().replace("svg", "SVG", 1))  # damaged
        qr.qr_svg.cache_clear()
        assert qr.qr_svg(url) == made == qr._make(url)
    finally:
        qr._folder.cache_clear()
        qr.qr_svg.cache_clear()


# ---------------------------------------------------------------- resolution for print


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, "PNG")
    return out.getvalue()


def test_an_image_printed_under_150_ppi_is_a_warning_with_its_line():
    from werkboek.recipes.own_pages import print_ppi

    # 120 × 80 px prints at its own size, 96 to the inch: 32 mm wide, blurred
    recipe = parse_recipe(recipe_with(png(120, 80)), CONTENTS)  # (made all the same)
    [warning] = recipe.warnings
    assert warning.line == 3 and warning.path == "onderdelen[0].eigen"
    assert warning.message.startswith("tekst:3: afbeelding"), warning.message
    assert "120 × 80 pixels" in warning.message and "96 ppi, minder dan 150" in warning.message
    assert "32 mm breed" in warning.message and "188 pixels" in warning.message
    # large enough: shrunk to the page's 166 mm, 1200 px print at 184 ppi; no warning
    assert parse_recipe(recipe_with(png(1200, 800)), CONTENTS).warnings == ()
    ppi, width = print_ppi(1200, 800)
    assert width == pytest.approx(166) and ppi == pytest.approx(1200 / (166 / 25.4))
    # a tall image is held to 120 mm high
    assert print_ppi(600, 2000)[0] == pytest.approx(2000 / (120 / 25.4))
    # SVG has no pixels: never a warning
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    assert parse_recipe(recipe_with(svg, "svg+xml"), CONTENTS).warnings == ()


@pytest.mark.slow
def test_werkboek_check_and_workbook_warn_about_a_blurred_image(tmp_path):
    from click.testing import CliRunner

    from werkboek.cli import main

    from conftest import REPO

    recipes = tmp_path / "recepten"
    recipes.mkdir()
    (recipes / "klein.png").write_bytes(png(120, 80))
    (recipes / "welkom.md").write_text("# Welkom\n\nHoi.\n\n![Een plaatje](klein.png)\n")
    (recipes / "dag.yaml").write_text("titel: Dag\nonderdelen:\n  - eigen: welkom.md\n")
    args = ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles")]
    result = CliRunner().invoke(main, ["check", *args, "--recepten", str(recipes)])
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "ppi" in line]
    assert line.startswith("waarschuwing: ") and "dag.yaml:3:" in line
    assert "welkom.md:5: afbeelding 'klein.png' is 120 × 80 pixels" in line
    result = CliRunner().invoke(
        main, ["workbook", str(recipes / "dag.yaml"), *args, "-o", str(tmp_path / "uit.pdf")]
    )
    assert result.exit_code == 0, result.output
    assert "waarschuwing: " in result.output and "96 ppi" in result.output
    assert (tmp_path / "uit.pdf").is_file()  # made all the same
