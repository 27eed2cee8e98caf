"""Chapter by chapter: the same PDF as one layout, unchanged chapters reused, whole when unsure."""

from __future__ import annotations

import dataclasses
import shutil
from io import BytesIO
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from markupsafe import Markup

from werkboek import BuildError, Project
from werkboek.pdf import MARKER, chapters
from werkboek.pdf.chapters import LockedDocument
from werkboek.products import WorkbookOptions, WorkbookProduct
from werkboek.recipes import load_recipe, recipe_from_mapping
from werkboek.rendering import pdf

from conftest import CONTENT, REPO

DAY = REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml"
OWN = REPO / "recepten" / "trainingsdag-met-eigen-paginas.yaml"


def _project(tmp_path: Path, styles: Path = REPO / "styles", keep: int = 0) -> Project:
    project = Project(CONTENT, styles, tmp_path / "output")
    project.renderer.chapters.keep = keep
    return project


def _product(project: Project, recipe_path: Path, edition: str, **changes: str):
    recipe = load_recipe(recipe_path, project.content).with_edition(edition)
    if changes:
        recipe = dataclasses.replace(recipe, **changes)
    return WorkbookProduct(project, WorkbookOptions(recipe))


def _both(project: Project, product: WorkbookProduct, booklet: bool = False):
    """The document laid out chapter by chapter, and whole (as WeasyPrint alone would)."""
    target = next(iter(product.targets()))
    if booklet:
        target = product._booklet_target(product.options.recipe, target.path)
    html = product.html(target)
    renderer = project.renderer
    whole = pdf.layout(
        html,
        base=renderer.styles_dir.resolve(),
        roots=renderer.roots,
        stylesheets=[renderer.stylesheet(name) for name in product.styles(target)],
        what="heel",
    )
    return product.layout(target, html), whole


def _pdf(project: Project, document) -> bytes:
    return project.renderer.pdf(document, what="test")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("recipe_path", "edition", "booklet"),
    [
        (DAY, "deelnemer", False),
        (DAY, "trainer", False),
        (OWN, "trainer", False),
        (DAY, "deelnemer", True),
    ],
    ids=["dag-deelnemer", "dag-trainer", "eigen-paginas-trainer", "dag-boekje-a5"],
)
def test_chapters_give_the_pdf_of_one_layout_byte_for_byte(tmp_path, recipe_path, edition, booklet):
    project = _project(tmp_path)
    in_chapters, whole = _both(project, _product(project, recipe_path, edition), booklet)
    assert isinstance(in_chapters, LockedDocument)  # it was laid out in chapters
    assert not isinstance(whole, LockedDocument)
    assert len(in_chapters.pages) == len(whole.pages)
    # page numbers, blank pages before a principle, the contents' and "(blz. N)" page
    # references across chapters, running heads and the tab bar: all in these bytes
    assert _pdf(project, in_chapters) == _pdf(project, whole)


@pytest.mark.slow
def test_a_change_to_the_cover_lays_out_only_the_cover(tmp_path, monkeypatch):
    project = _project(tmp_path, keep=200)
    first = _product(project, DAY, "trainer")
    project.renderer.pdf(first.layout(next(iter(first.targets()))), what="eerste")

    laid_out: list[str] = []
    real = chapters._Run._render

    def counting(run, source):
        laid_out.append(source[source.index("<body") :][:200])
        return real(run, source)

    monkeypatch.setattr(chapters._Run, "_render", counting)
    changed = _product(project, DAY, "trainer", subtitle="Proeftuin Zaanstreek, groep 7")
    target = next(iter(changed.targets()))
    warm = _pdf(project, changed.layout(target))
    assert len(laid_out) == 1 and "omslag" in laid_out[0], laid_out

    # and what came of kept chapters is what a fresh layout gives
    monkeypatch.setattr(chapters._Run, "_render", real)
    fresh = _project(tmp_path / "vers")
    cold = _product(fresh, DAY, "trainer", subtitle="Proeftuin Zaanstreek, groep 7")
    assert warm == _pdf(fresh, cold.layout(next(iter(cold.targets()))))
    cover = pypdfium2.PdfDocument(warm)[0].get_textpage().get_text_range()
    assert "Proeftuin Zaanstreek, groep 7" in cover


@pytest.mark.slow
def test_kept_chapters_stay_within_their_pages(tmp_path):
    project = _project(tmp_path, keep=30)
    for n in range(3):
        product = _product(project, DAY, "deelnemer" if n % 2 else "trainer", subtitle=f"groep {n}")
        product.layout(next(iter(product.targets())))
    kept = project.renderer.chapters
    assert 0 < kept._pages <= 30
    assert kept._pages == sum(len(document.pages) for document in kept._kept.values())


def _styles_with(tmp_path: Path, old: str, new: str) -> Path:
    styles = tmp_path / "stijlen"
    shutil.copytree(REPO / "styles", styles)
    sheet = styles / "werkboek.css"
    text = sheet.read_text(encoding="utf-8")
    assert old in text
    sheet.write_text(text.replace(old, new), encoding="utf-8")
    return styles


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new"),
    [
        # an exercise on its own no longer starts a page: it follows the principle before it
        (".werkboek-los { break-before: page; }", ".werkboek-los { break-before: auto; }"),
        # a folio that counts all pages cannot be known chapter by chapter
        (
            "@bottom-right { content: counter(page);",
            "@bottom-right { content: counter(page) ' / ' counter(pages);",
        ),
    ],
    ids=["geen-paginaovergang", "telt-alle-paginas"],
)
def test_what_chapters_cannot_know_is_laid_out_whole(tmp_path, old, new):
    project = _project(tmp_path, _styles_with(tmp_path, old, new))
    in_chapters, whole = _both(project, _product(project, DAY, "deelnemer"))
    assert not isinstance(in_chapters, LockedDocument)
    assert _pdf(project, in_chapters) == _pdf(project, whole)


def test_content_cannot_make_a_chapter(tmp_path):
    project = _project(tmp_path)
    recipe = recipe_from_mapping(
        {
            "titel": "Proef",
            "onderdelen": [
                {"eigen": f"# Welkom\n\n{MARKER}\n\nNog een {MARKER} hier.\n\n{MARKER}"},
                {"oefening": "waarden-van-samenwerking"},
            ],
        },
        project.content,
    )
    product = WorkbookProduct(project, WorkbookOptions(recipe))
    target = next(iter(product.targets()))
    html = product.html(target)
    parts = chapters.split(html)
    assert parts is not None
    # cover, contents, the own page, the exercise: the typed markers are text
    assert len(parts.chapters) == 4
    assert "&lt;!--werkboek:chapter--&gt;" in parts.chapters[2]
    assert _pdf(project, product.layout(target, html)).startswith(b"%PDF-")


def test_split_needs_markers_and_nothing_before_the_first():
    assert chapters.split("<html><body><p>een</p></body></html>") is None
    assert chapters.split(f"<html><body><p>voor</p>{MARKER}<p>een</p></body></html>") is None
    parts = chapters.split(
        f'<html><head><title>T</title><meta name="author" content="A"></head>'
        f'<body class="x">\n{MARKER}<p>een</p>{MARKER}<p>twee</p></body></html>'
    )
    assert parts is not None
    assert parts.chapters == ("<p>een</p>", "<p>twee</p>")
    assert "<title>" not in parts.head and "author" not in parts.head
    assert "<title>T</title>" in parts.metadata_html


def test_what_weasyprint_logs_fails_every_build_not_only_the_first(tmp_path):
    styles = _styles_with(
        tmp_path, ".deel { break-before: page; }", ".deel { break-before: page; kleur: rood; }"
    )
    project = _project(tmp_path, styles, keep=200)
    for _ in range(2):  # the second time nothing parsed or laid out may come from before
        product = _product(project, DAY, "deelnemer")
        with pytest.raises(BuildError, match="kleur: rood"):
            product.layout(next(iter(product.targets())))


@pytest.mark.slow
def test_a_chapter_that_logs_fails_every_build_and_is_never_kept(tmp_path):
    project = _project(tmp_path, keep=200)
    page = "# Welkom\n\nHet programma.\n"
    recipe = recipe_from_mapping(
        {"titel": "Proef", "onderdelen": [{"eigen": page}, {"notities": 1}]}, project.content
    )
    # an image that WeasyPrint cannot load (own pages refuse one when the recipe is read,
    # see tests/test_own_pages.py; here it is put in after, to reach the layout)
    own = recipe.selections[0].own
    assert own is not None
    broken = Markup(
        '<h1>Welkom</h1><p><img src="data:image/png;base64,iVBORw0KGgoAAAAA" alt="kapot"></p>'
    )
    recipe = dataclasses.replace(
        recipe,
        selections=(
            dataclasses.replace(recipe.selections[0], own=dataclasses.replace(own, html=broken)),
            *recipe.selections[1:],
        ),
    )
    for _ in range(2):
        product = WorkbookProduct(project, WorkbookOptions(recipe))
        with pytest.raises(BuildError, match="Failed to load image"):
            product.layout(next(iter(product.targets())))
    anchors = {
        name
        for document in project.renderer.chapters._kept.values()
        for page in document.pages
        for name in page.anchors
    }
    assert "inhoud" in anchors  # the chapters before it were kept
    assert not [name for name in anchors if name.startswith("w-eigen")]


def test_the_preview_draws_the_workbooks_pages_and_is_never_the_workbook(tmp_path):
    """The preview is written untagged (a third faster), the pages pixel for pixel those of
    the tagged workbook; it is not cached as the workbook, which the download makes."""
    from werkboek.products import workbook_pdf, workbook_preview

    project = Project(CONTENT, REPO / "styles", tmp_path)
    recipe = load_recipe(DAY, project.content)

    def tagged(data: bytes) -> bool:
        with pikepdf.open(BytesIO(data)) as document:
            return "/StructTreeRoot" in document.Root

    preview = workbook_preview(project, recipe)
    workbook = workbook_pdf(project, recipe)
    assert not tagged(preview) and tagged(workbook)

    def pictures(data: bytes) -> list[bytes]:
        document = pypdfium2.PdfDocument(data)
        try:
            return [bytes(page.render(scale=0.5).buffer) for page in document]
        finally:
            document.close()

    shown, printed = pictures(preview), pictures(workbook)
    assert len(shown) == len(printed) > 20
    assert [i for i, (a, b) in enumerate(zip(shown, printed, strict=True)) if a != b] == []
    assert workbook_preview(project, recipe) == workbook  # once made: from the cache


def test_a_preview_asked_again_comes_from_the_cache(tmp_path, monkeypatch):
    from werkboek.products import cached_preview, workbook_preview

    project = Project(CONTENT, REPO / "styles", tmp_path)
    recipe = load_recipe(DAY, project.content)
    assert cached_preview(project, recipe) is None
    preview = workbook_preview(project, recipe)
    assert cached_preview(project, recipe) == preview
    monkeypatch.setattr(type(project.renderer), "preview", lambda *a, **k: pytest.fail("drew"))
    assert workbook_preview(project, recipe) == preview


def test_a_preview_writes_only_the_chapters_it_has_not_written(tmp_path, monkeypatch):
    """After a new subtitle the preview draws and writes the cover's chapter alone (the
    other chapters' PDFs are kept); its bytes are those of a preview made from nothing, so
    what was previewed before never shows in them."""
    from werkboek.products import workbook_preview

    project = Project(CONTENT, REPO / "styles", tmp_path / "een")
    project.renderer.chapters.keep = 400
    recipe = load_recipe(DAY, project.content)
    workbook_preview(project, dataclasses.replace(recipe, subtitle="Groep een"))
    written: list[int] = []
    real = LockedDocument.write_pdf

    def write_pdf(self: LockedDocument, *args: object, **kwargs: object) -> object:
        written.append(len(self.pages))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(LockedDocument, "write_pdf", write_pdf)
    again = workbook_preview(project, dataclasses.replace(recipe, subtitle="Groep twee"))
    assert written == [1]  # the cover
    monkeypatch.undo()
    fresh = Project(CONTENT, REPO / "styles", tmp_path / "twee")
    made = workbook_preview(fresh, dataclasses.replace(recipe, subtitle="Groep twee"))
    assert again == made
    document = pypdfium2.PdfDocument(again)
    try:
        assert len(document) > 20
        assert "Groep twee" in document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_a_new_subtitle_draws_the_cover_again_and_no_other_page(tmp_path, monkeypatch):
    """The preview's pictures are kept by what a page draws: after a new subtitle only the
    cover is drawn again (the other pages' pictures are the ones drawn before), and each
    picture is what pdfium draws of that page of the new PDF."""
    from werkboek.products import workbook_preview
    from werkboek.web.previews import Previews, page_keys

    project = Project(CONTENT, REPO / "styles", tmp_path)
    project.renderer.chapters.keep = 400
    recipe = load_recipe(DAY, project.content)
    one, two = "Groep een", "Groep twee, Ĳsselstein"
    before = workbook_preview(project, dataclasses.replace(recipe, subtitle=one))
    after = workbook_preview(project, dataclasses.replace(recipe, subtitle=two))
    pairs = zip(page_keys(before), page_keys(after), strict=True)
    assert [i for i, (a, b) in enumerate(pairs) if a != b] == [0]

    previews = Previews()
    first = previews.add("anna", before)
    for page in range(1, first.pages + 1):
        previews.image("anna", first.digest, page, 150)
    drawn: list[int] = []
    real = pypdfium2.PdfPage.render

    def render(self: pypdfium2.PdfPage, *args: object, **kwargs: object) -> object:
        drawn.append(self.get_index() if hasattr(self, "get_index") else -1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pypdfium2.PdfPage, "render", render)
    second = previews.add("anna", after)
    pictures = [previews.image("anna", second.digest, p, 150) for p in range(1, second.pages + 1)]
    assert len(drawn) == 1  # the cover alone
    monkeypatch.undo()
    fresh = Previews()
    shown = fresh.add("bram", after)
    for page in (1, 2, 17):
        assert pictures[page - 1] == fresh.image("bram", shown.digest, page, 150)
    # the page's address is where it was shown first: the browser has every picture but
    # the cover's already, and each address gives the picture of the new page
    assert {where for where, _ in first.pictures} == {first.digest}  # (blank pages: one)
    assert second.pictures[0] == (second.digest, 1)
    assert second.pictures[1:] == first.pictures[1:]
    for page in (1, 2, 17):
        where, number = second.pictures[page - 1]
        assert previews.image("anna", where, number, 150) == pictures[page - 1]
    assert Previews().add("bram", after).pictures[1] == (shown.digest, 2)  # (their own)


def test_a_picture_asked_from_an_earlier_preview_is_there_in_every_process(tmp_path, monkeypatch):
    """The earlier preview a picture's address names is kept on disk again when the newest
    names it, however many previews other processes of the server wrote in between (a
    process that did not make it answers the address from there)."""
    from werkboek.products import workbook_preview
    from werkboek.web import previews as module
    from werkboek.web.previews import Previews

    monkeypatch.setattr(module, "KEEP_ON_DISK", 3)
    project = Project(CONTENT, REPO / "styles", tmp_path / "uit")
    project.renderer.chapters.keep = 400
    recipe = load_recipe(DAY, project.content)
    one, two = (
        workbook_preview(project, dataclasses.replace(recipe, subtitle=f"Groep {n}"))
        for n in (1, 2)
    )
    folder = tmp_path / "voorbeelden"
    here, there = Previews(folder), Previews(folder)  # two processes of the server
    first = here.add("anna", one)
    for n in range(5):  # other trainers' previews in the other process
        there.add(f"trainer-{n}", two)
    shown = here.add("anna", two)
    where, page = shown.pictures[1]
    assert where == first.digest
    assert Previews(folder).image("anna", where, page, 150) is not None
