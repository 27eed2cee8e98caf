"""Custom workbooks from recipes: the chosen items in order, editions, personal copies."""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from werkboek import Project, load_content
from werkboek.build import build_workbook
from werkboek.cli import main
from werkboek.products.workbook import WorkbookOptions, WorkbookProduct, file_names
from werkboek.recipes import load_recipe
from werkboek.rendering.renderer import Renderer

from conftest import CONTENT, REPO, ROOTS, make_content

PARTS = load_content(CONTENT).parts

RECIPES = sorted((REPO / "recepten").glob("*.yaml"))
BAD = sorted(p.name for p in (ROOTS / "recipes").iterdir())


def text_of(pdf: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(pdf).pages)


def outline_titles(pdf: Path) -> list:
    reader = pypdf.PdfReader(pdf)

    def walk(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out[-1] = (out[-1][0], walk(item))
            else:
                out.append((item.title, []))
        return out

    return walk(reader.outline)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(CONTENT, REPO / "styles", tmp_path_factory.mktemp("output"))


@pytest.fixture(scope="module")
def built(project) -> dict[tuple[str, str], Path]:
    """Every example recipe in both editions."""
    paths = {}
    for recipe in RECIPES:
        for edition in ("deelnemer", "trainer"):
            target = project.output_dir / f"{recipe.stem}-{edition}.pdf"
            [paths[recipe.stem, edition]] = build_workbook(project, recipe, target, edition=edition)
    return paths


def test_there_are_at_least_three_example_recipes():
    assert {p.stem for p in RECIPES} >= {
        "trainingsdag-van-mens-tot-mens-werken",
        "intervisie-lerend",
        "leidinggevenden",
    }


@pytest.mark.slow
@pytest.mark.parametrize("recipe_path", RECIPES, ids=lambda p: p.stem)
@pytest.mark.parametrize("edition", ["deelnemer", "trainer"])
def test_example_recipe_has_exactly_its_items_in_order(recipe_path, edition, built, content):
    recipe = load_recipe(recipe_path, content)
    pdf = built[recipe_path.stem, edition]
    outline = outline_titles(pdf)
    expected = ["Inhoud"] + (["Sessieplan"] if edition == "trainer" else [])
    for selection in recipe.selections:
        expected.append(selection.title)
    assert [title for title, _ in outline] == expected
    # principles carry exactly the chosen parts, in the principle's order
    principles = [s for s in recipe.selections if s.kind == "principe"]
    principle_outlines = [
        children for title, children in outline if title in {s.title for s in principles}
    ]
    for selection, children in zip(principles, principle_outlines, strict=True):
        assert [t for t, _ in children] == [PARTS[p] for p in selection.parts]
    # the text from the first item on (after contents and session plan) has the same order
    reader = pypdf.PdfReader(pdf)
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    first = next(
        i
        for i in reader.outline
        if not isinstance(i, list) and i.title == expected[1 if edition == "deelnemer" else 2]
    )
    text = " ".join(pages[reader.get_destination_page_number(first) :])
    positions = [text.index(s.title) for s in recipe.selections if s.kind != "notities"]
    assert positions == sorted(positions)
    text = text_of(pdf)
    reader = pypdf.PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    assert reader.metadata.title.startswith(recipe.title)
    # left out: principles and exercises that were not chosen
    chosen = {e.slug for _, e in recipe.exercises()}
    for _, exercise in content.exercises():
        if exercise.slug not in chosen:
            assert f"{exercise.plain_title} " not in text.replace("Oefening:", "")


@pytest.mark.slow
def test_trainer_material_only_in_the_trainer_edition(built):
    participant = text_of(built["intervisie-lerend", "deelnemer"]).lower()
    trainer = text_of(built["intervisie-lerend", "trainer"]).lower()
    answers = "toch / maar / alleen"
    assert answers not in participant and "alleen voor de trainer" not in participant
    assert answers in trainer and "alleen voor de trainer: antwoorden deel 1" in trainer
    assert "sessieplan" in trainer and "sessieplan" not in participant
    assert "materiaal: flap (flip-over)" in trainer


@pytest.mark.slow
def test_session_plan_lists_exercises_and_total_time(built, content):
    trainer = text_of(built["intervisie-lerend", "trainer"])
    plan = trainer[trainer.index("Sessieplan Oefening") :]
    plan = plan[: plan.index("Materiaal pennen") if "Materiaal pennen" in plan else 2000]
    for slug in ("intervisie-incidentmethode", "feiten-of-interpretaties", "b1-niveau"):
        exercise = next(e for _, e in content.exercises() if e.slug == slug)
        assert exercise.plain_title in plan
    # 60 + 35 + 40 minutes
    assert "Totaal 135 min" in plan


@pytest.mark.slow
def test_a_cover_never_hyphenates_its_title_or_subtitle(built):
    """Display type breaks between words ("leidinggeven-" / "den" read badly)."""
    for (stem, edition), pdf in built.items():
        cover = pypdf.PdfReader(pdf).pages[0].extract_text()
        broken = set(re.findall(r"(\w+)-\n", cover))
        assert broken <= {"kind"}, (stem, edition, cover)  # ("kind- en …": its own hyphen)


def test_exercises_always_get_writing_space(built):
    text = text_of(built["trainingsdag-van-mens-tot-mens-werken", "deelnemer"])
    assert text.count("Aantekeningen") >= 5


def test_personal_copies_have_their_name_and_distinct_files(tmp_path):
    content = make_content(tmp_path)
    project = Project(content, REPO / "styles", tmp_path / "output")
    recipe = tmp_path / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n")
    names = ["Anna de Vries", "Jan Jansen", "Anna de Vries", "Zoë Ößmann"]
    paths = build_workbook(project, recipe, names=names)
    assert [p.name for p in paths] == [
        "anna-de-vries.pdf",
        "jan-jansen.pdf",
        "anna-de-vries-2.pdf",
        "zoë-ößmann.pdf",
    ]
    assert {p.parent for p in paths} == {tmp_path / "output" / "werkboeken" / "proefdag"}
    for name, path in zip(names, paths, strict=True):
        data = path.read_bytes()
        # every revision of the file: the copy, and the workbook its cover was grafted on
        ends = [i + len(b"%%EOF") for i in range(len(data)) if data.startswith(b"%%EOF", i)]
        assert len(ends) == 2
        covers = [
            " ".join(pypdf.PdfReader(BytesIO(data[:end])).pages[0].extract_text().split())
            for end in ends
        ]
        assert "Werkboek van Naam" in covers[0]  # the placeholder, nobody's name
        assert f"Werkboek van {name}" in covers[1]
        for other in set(names) - {name}:
            assert all(other not in cover for cover in covers)


def test_a_personal_copy_is_the_same_made_alone_or_with_the_list(tmp_path):
    content = make_content(tmp_path)
    project = Project(content, REPO / "styles", tmp_path / "output")
    path = tmp_path / "recept.yaml"
    path.write_text("titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n")
    recipe = load_recipe(path, project.content)
    options = WorkbookOptions(recipe=recipe, people=("Anna", "Bram de Wit", "Cees"))
    product = WorkbookProduct(project, options)
    [batch] = product.batches()
    together = product.render(batch)
    assert len({files[0] for files in together}) == 3
    assert product.render(batch[1:2]) == together[1:2]  # (the cache may hold the others)


def test_copies_graft_each_name_into_one_cover_and_lay_out_a_long_one_whole(tmp_path, monkeypatch):
    """A cover is laid out once, with the names alone, and each name grafted in: three
    copies cost two layouts (the workbook, the cover with the names). A name that takes two
    lines where the placeholder takes one cannot be grafted: its copy is laid out whole."""
    content = make_content(tmp_path)
    project = Project(content, REPO / "styles", tmp_path / "output")
    path = tmp_path / "recept.yaml"
    path.write_text("titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n")
    recipe = load_recipe(path, project.content)
    long = "Anna Maria Johanna Wilhelmina van der Berg-Hoogeveen tot Oosterhout-Vermeulen"
    people = ("Anna", "Bram de Wit", long)
    product = WorkbookProduct(project, WorkbookOptions(recipe=recipe, people=people))
    layouts: list[str] = []
    real = Renderer.layout

    def layout(self: Renderer, html: str, *args: object, **kwargs: object) -> object:
        layouts.append(html)
        return real(self, html, *args, **kwargs)

    monkeypatch.setattr(Renderer, "layout", layout)
    [batch] = product.batches()
    copies = product.render(batch)
    # the workbook, one cover with the names, and the long name's copy whole
    assert len(layouts) == 3
    assert "werkboek-namen" in layouts[1] and long in layouts[2]
    for name, [data] in zip(people, copies, strict=True):
        # (compared without spaces: the long name breaks after a hyphen)
        cover = "".join(pypdf.PdfReader(BytesIO(data)).pages[0].extract_text().split())
        assert "".join(f"Werkboek van {name}".split()) in cover
        assert all("".join(o.split()) not in cover for o in people if o not in name)


def test_participants_csv_gives_one_copy_each(tmp_path, monkeypatch):
    make_content(tmp_path)
    shutil.copytree(REPO / "styles", tmp_path / "styles")
    (tmp_path / "recept.yaml").write_text(
        "titel: Proefdag\nonderdelen:\n  - verhaal: een-tweede-verhaal\n"
    )
    (tmp_path / "groep.csv").write_text(
        "\ufeffnaam;email\nPiet Puk;piet@voorbeeld.nl\nMarie Curie;marie@voorbeeld.nl\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["workbook", "recept.yaml", "--deelnemers", "groep.csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "geschreven: output/werkboeken/proefdag/piet-puk.pdf",
        "geschreven: output/werkboeken/proefdag/marie-curie.pdf",
    ]


def test_participants_csv_needs_names(tmp_path, monkeypatch):
    make_content(tmp_path)
    (tmp_path / "recept.yaml").write_text("titel: Proefdag\nonderdelen:\n  - notities: 1\n")
    (tmp_path / "groep.csv").write_text("naam,email\nPiet,piet@voorbeeld.nl\n,leeg@voorbeeld.nl\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["workbook", "recept.yaml", "--deelnemers", "groep.csv"])
    assert result.exit_code == 1
    assert result.stderr == "fout: groep.csv:3:1: naam: de naam is leeg\n"
    assert not (tmp_path / "output").exists()


def test_file_names_are_unique_slugs():
    assert file_names(["A", "a", "Ä", "!!"]) == ["a", "a-2", "ä", "deelnemer"]


@pytest.mark.parametrize("case", BAD)
def test_bad_recipe_is_reported_exactly_and_writes_nothing(case, tmp_path, monkeypatch):
    make_content(tmp_path)
    shutil.copyfile(ROOTS / "recipes" / case / "recept.yaml", tmp_path / "recept.yaml")
    existing = tmp_path / "output" / "werkboeken" / "proefdag.pdf"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"%PDF- an earlier workbook")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["workbook", "recept.yaml"])
    expected = (ROOTS / "recipes" / case / "expected.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert result.stderr == expected
    assert "Traceback" not in result.output
    assert existing.read_bytes() == b"%PDF- an earlier workbook"
    assert [p.name for p in existing.parent.iterdir()] == ["proefdag.pdf"]


def test_output_file_option(tmp_path, monkeypatch):
    make_content(tmp_path)
    shutil.copytree(REPO / "styles", tmp_path / "styles")
    (tmp_path / "recept.yaml").write_text("titel: Proefdag\nonderdelen:\n  - notities: 2\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["workbook", "recept.yaml", "-o", "dag.pdf"])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(tmp_path / "dag.pdf")
    assert [t for t, _ in outline_titles(tmp_path / "dag.pdf")] == ["Inhoud", "Notities"]
    # cover, its blank back, contents, two note pages
    assert len(reader.pages) == 5


@pytest.mark.slow
def test_personal_copies_keep_tags_outline_and_links(tmp_path):
    from werkboek.pdf.covers import marked_content

    content = make_content(tmp_path)
    project = Project(content, REPO / "styles", tmp_path / "output")
    recipe = tmp_path / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - principe: proef\n")
    first, second = build_workbook(project, recipe, names=["Ab", "Bea Bakker-de Boer"])
    a, b = pypdf.PdfReader(first), pypdf.PdfReader(second)
    assert len(a.pages) == len(b.pages)
    assert outline_titles(first) == outline_titles(second)
    assert "/StructTreeRoot" in b.trailer["/Root"]
    assert marked_content(a.pages[0].get_contents().get_data()) == marked_content(
        b.pages[0].get_contents().get_data()
    )
    for page_a, page_b in zip(a.pages[1:], b.pages[1:], strict=True):
        assert page_a.extract_text() == page_b.extract_text()
    assert "Werkboek van Bea Bakker-de Boer" in " ".join(b.pages[0].extract_text().split())


def test_a_cover_with_other_tagging_is_not_grafted(tmp_path):
    from werkboek.pdf.covers import graft_covers

    content = make_content(tmp_path)
    project = Project(content, REPO / "styles", tmp_path / "output")
    recipe = tmp_path / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - notities: 1\n")
    [pdf] = build_workbook(project, recipe)
    data = pdf.read_bytes()
    # page 3 (the contents) is tagged otherwise than the cover: it must not be grafted
    copies = list(graft_covers(data, data, range(3)))
    assert copies[0] is not None and copies[2] is None


@pytest.mark.slow
def test_warm_builds_come_from_the_cache_until_anything_changes(tmp_path):
    content = make_content(tmp_path)
    styles = tmp_path / "styles"
    shutil.copytree(REPO / "styles", styles)
    recipe = tmp_path / "recept.yaml"
    recipe.write_text("titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n")

    def build() -> bytes:
        project = Project(content, styles, tmp_path / "output")
        [pdf] = build_workbook(project, recipe)
        return pdf.read_bytes()

    cached = tmp_path / "output" / ".cache"
    first = build()
    assert len(list(cached.rglob("*.pdf"))) == 1
    assert build() == first and len(list(cached.rglob("*.pdf"))) == 1
    # a change to the content, the styles or the recipe is a new PDF
    path = content / "principes" / "proef.yaml"
    path.write_text(path.read_text().replace("Deel een verhaal.", "Deel twee verhalen."))
    changed = build()
    assert changed != first and len(list(cached.rglob("*.pdf"))) == 2
    with (styles / "werkboek.css").open("a") as sheet:
        sheet.write("\n.oefening-titel { letter-spacing: 0.2pt; }\n")
    assert build() != changed and len(list(cached.rglob("*.pdf"))) == 3
    recipe.write_text(recipe.read_text() + "  - notities: 1\n")
    assert len(pypdf.PdfReader(BytesIO(build())).pages) > len(pypdf.PdfReader(BytesIO(first)).pages)
