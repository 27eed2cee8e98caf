"""The PDF package: private names checked, grafts that refuse what they cannot check, copies
that are the shared workbook plus their cover, and a cache key with every library."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from werkboek import Project
from werkboek.build import build_workbook
from werkboek.errors import BuildError
from werkboek.files import cache
from werkboek.participants.lists import people_from_names
from werkboek.pdf import internals
from werkboek.pdf.covers import graft_covers
from werkboek.pdf.names import NameGraft, NotGraftable
from werkboek.pdf.structure import marked_content, page_contents
from werkboek.products.training_day import CertificateOptions, CertificatesProduct
from werkboek.recipes import load_recipe

from conftest import CONTENT, REPO, ROOTS, make_content

NAMES = ["Ab", "Bea Bakker-de Boer", "Cees"]


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> tuple[bytes, list[Path]]:
    """A plain workbook, and personal copies of the same recipe."""
    folder = tmp_path_factory.mktemp("kopieen")
    project = Project(make_content(folder), REPO / "styles", folder / "output")
    recipe = folder / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - principe: proef\n")
    [plain] = build_workbook(project, recipe, output=folder / "los.pdf")
    return plain.read_bytes(), build_workbook(project, recipe, names=NAMES)


def without_marked_content(data: bytes) -> bytes:
    """``data`` with every marked-content operator (BDC, BMC, EMC) taken out of page 1."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        kept = [
            (list(item.operands), item.operator)
            for item in pikepdf.parse_content_stream(page)
            if str(item.operator) not in ("BDC", "BMC", "EMC")
        ]
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


# ---------------------------------------------------------------- private names


def test_every_private_name_is_as_werkboek_expects():
    internals.check()
    for name in internals.EXPECTED:
        assert callable(internals.get(name))


@pytest.mark.parametrize("change", ["signature", "gone"])
def test_a_changed_private_name_stops_the_build_in_one_dutch_line(monkeypatch, change):
    from weasyprint.layout import block

    def other(before, after, context):  # another shape than WeasyPrint 70's
        return None

    if change == "signature":
        monkeypatch.setattr(block, "block_level_page_break", other)
    else:
        monkeypatch.delattr(block, "block_level_page_break")
    internals.get.cache_clear()
    try:
        with pytest.raises(BuildError) as raised:
            internals.page_break(None, None)
    finally:
        monkeypatch.undo()
        internals.get.cache_clear()
    [line] = str(raised.value).splitlines()
    assert line == (
        "weasyprint 70.0 is niet getest met werkboek: "
        "weasyprint.layout.block.block_level_page_break heeft een andere vorm; "
        "installeer weasyprint>=70,<71"
    )
    internals.check()  # (as it was again)


def test_the_tag_tree_builder_and_the_space_keepers_are_wrapped_once():
    from weasyprint.draw import text
    from weasyprint.layout import inline
    from weasyprint.pdf import tags

    from werkboek.pdf.tags import install

    def patched():
        return (
            tags._build_box_tree,
            inline.split_text_box,
            inline.remove_last_whitespace,
            text.draw_first_line,
        )

    install()
    wrapped = patched()
    install()
    assert patched() == wrapped and all(function.werkboek for function in wrapped)
    internals.get.cache_clear()
    internals.check()  # (the wrapped functions have WeasyPrint's signatures)


def test_a_changed_space_keeper_stops_the_build_in_one_dutch_line(monkeypatch):
    from weasyprint.draw import text

    def other(stream, box, text_overflow, block_ellipsis, matrix):  # another shape
        return None

    monkeypatch.setattr(text, "draw_first_line", other)
    internals.get.cache_clear()
    try:
        with pytest.raises(BuildError) as raised:
            internals.install({"weasyprint.draw.text.draw_first_line": lambda f: f})
        assert text.draw_first_line is other  # (not wrapped)
    finally:
        monkeypatch.undo()
        internals.get.cache_clear()
    [line] = str(raised.value).splitlines()
    assert line == (
        "weasyprint 70.0 is niet getest met werkboek: "
        "weasyprint.draw.text.draw_first_line heeft een andere vorm; "
        "installeer weasyprint>=70,<71"
    )


# ---------------------------------------------------------------- cover graft


def test_copies_are_the_shared_workbook_plus_their_cover(copies):
    _, paths = copies
    files = [path.read_bytes() for path in paths]
    shared = files[0][: files[0].index(b"%%EOF") + len(b"%%EOF\n")]
    for path, data in zip(paths, files, strict=True):
        assert data.startswith(shared)  # (not rewritten for the copy)
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == []  # (qpdf's own check)
            assert str(pdf.docinfo.Title) == "Proefdag"
        document = pypdfium2.PdfDocument(data)
        try:  # pdfium reads the document information through the appended trailer
            assert document.get_metadata_dict()["Title"] == "Proefdag"
        finally:
            document.close()


def test_copies_pass_qpdf_and_poppler_sees_their_title(copies):
    _, paths = copies
    for path in paths:
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        assert "Title:           Proefdag" in info.stdout.splitlines()


def test_a_cover_graft_refuses_a_base_without_marked_content(copies):
    plain, _ = copies
    stripped = without_marked_content(plain)
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        assert marked_content(page_contents(pdf.pages[0])) != []  # (something to compare)
    with pikepdf.open(io.BytesIO(stripped)) as pdf:
        assert marked_content(page_contents(pdf.pages[0])) == []
    # nothing to compare on either side: not "the same", but not graftable
    assert list(graft_covers(stripped, stripped, [0])) == [None]
    assert list(graft_covers(stripped, plain, [0])) == [None]
    assert list(graft_covers(plain, plain, [0])) != [None]


# ---------------------------------------------------------------- name graft


def test_a_name_graft_refuses_a_certificate_without_marked_content(monkeypatch, tmp_path):
    project = Project(CONTENT, REPO / "styles", tmp_path)
    recipe = load_recipe(ROOTS / "trainingsdag" / "recept.yaml", project.content)
    people = tuple(people_from_names(["Anna de Vries", "Bram"]))
    product = CertificatesProduct(project, CertificateOptions(recipe, people))
    seen = []

    class Spy(NameGraft):
        def __init__(self, base: bytes, names: bytes, top: float) -> None:
            seen.append((base, names, top))
            super().__init__(base, names, top)

    monkeypatch.setattr("werkboek.pdf.names.NameGraft", Spy)
    [batch] = product.batches()
    product.render(batch)
    [(base, names, top)] = seen
    NameGraft(base, names, top).close()  # as made: graftable
    with pytest.raises(NotGraftable):
        NameGraft(without_marked_content(base), names, top)


# ---------------------------------------------------------------- the cache key


def test_the_cache_key_holds_every_library_that_shapes_the_bytes(monkeypatch, tmp_path):
    libraries = dict(cache.library_versions())
    for name in ("weasyprint", "pydyf", "pikepdf", "pypdfium2", "fonttools", "tinycss2"):
        assert libraries[name] not in ("", "-"), name
    assert {"cssselect2", "segno", "libqpdf"} <= set(libraries)
    for package in ("fontpkg-noto-sans", "manimgx-fonts", "justmytype-intl-cjk"):
        assert libraries[package] not in ("", "-"), package
    assert "pypdf" not in libraries  # (not used to make a PDF)
    before = cache.fingerprint(tmp_path)
    real = cache.metadata.version
    monkeypatch.setattr(
        cache.metadata, "version", lambda name: "0.0" if name == "pikepdf" else real(name)
    )
    assert cache.fingerprint(tmp_path) != before


# ---------------------------------------------------------------- the finishing pass


def test_finishing_refuses_marked_content_it_cannot_read():
    import re

    from weasyprint import HTML

    from werkboek.pdf.finish import finish
    from werkboek.pdf.structure import MARKED

    html = (
        "<html lang='nl'><head><title>Proef</title><style>@page { @top-center { content: 'Kop' }"
        " }</style></head><body><h1>Proef</h1><p>Tekst.</p></body></html>"
    )
    written = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    finished = finish(written)  # the running head becomes an artifact
    with pikepdf.open(io.BytesIO(finished)) as pdf:
        assert b"/Artifact <</Type /Pagination>> BDC" in page_contents(pdf.pages[0])
    # a WeasyPrint that writes more in each property list: the pattern no longer matches
    with pikepdf.open(io.BytesIO(written)) as pdf:
        page = pdf.pages[0]
        data, count = re.subn(rb"(/MCID \d+)>>", rb"\1 /Lang (nl)>>", page_contents(page))
        assert count and not MARKED.search(data)
        page.obj.Contents = pdf.make_stream(data)
        out = io.BytesIO()
        pdf.save(out)
    with pytest.raises(BuildError, match="gemarkeerde inhoud"):
        finish(out.getvalue())
