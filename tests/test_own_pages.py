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
