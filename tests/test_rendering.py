"""Rendering per project, safe to run concurrently; recipes from data as well as from files."""

from __future__ import annotations

import json
import logging
import shutil
import threading

import pytest

from werkboek import BuildError, Project, RecipeError, parse_recipe, recipe_from_mapping
from werkboek.pdf.logs import weasyprint_must_stay_silent
from werkboek.products import HandoutsProduct, WorkbookOptions, WorkbookProduct
from werkboek.recipes import load_recipe, recipe_yaml

from conftest import REPO, make_content


def _project(tmp_path, name: str, broken: bool = False) -> Project:
    root = tmp_path / name
    root.mkdir()
    content = make_content(root)
    shutil.copytree(REPO / "styles", root / "styles")
    if broken:
        with (root / "styles" / "handouts.css").open("a") as sheet:
            sheet.write("\n.kapot { colour: rood; }\n")
    return Project(content, root / "styles", root / "output")


@pytest.mark.slow
def test_two_renders_at_once_neither_fail_nor_silence_each_other(tmp_path):
    good, bad = _project(tmp_path, "goed"), _project(tmp_path, "kapot", broken=True)
    results: dict[str, list[object]] = {"goed": [], "kapot": []}
    start = threading.Barrier(4)

    def render(name: str, project: Project) -> None:
        product = HandoutsProduct(project)
        target = next(product.targets())
        for _ in range(3):
            start.wait()
            try:
                results[name].append(product.render_target(target)[0])
            except BuildError as exc:
                results[name].append(exc)

    threads = [
        threading.Thread(target=render, args=(name, project))
        for name, project in [("goed", good), ("kapot", bad), ("goed", good), ("kapot", bad)]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results["goed"]) == len(results["kapot"]) == 6
    assert all(isinstance(r, bytes) and r.startswith(b"%PDF-") for r in results["goed"])
    for failure in results["kapot"]:
        assert isinstance(failure, BuildError)
        assert str(failure).startswith(str(bad.output_dir / "handouts" / "proef.pdf"))
        assert "Ignored `colour: rood`" in str(failure)
    # the same input gives the same bytes, whatever ran beside it
    assert len({bytes(r) for r in results["goed"] if isinstance(r, bytes)}) == 1


def test_a_warning_outside_a_render_fails_no_render():
    logger = logging.getLogger("weasyprint")
    done = threading.Event()

    def log_elsewhere() -> None:
        logger.warning("iets in een andere thread")
        done.set()

    with weasyprint_must_stay_silent("test"):
        thread = threading.Thread(target=log_elsewhere)
        thread.start()
        thread.join()
    assert done.is_set()
    with (
        pytest.raises(BuildError, match="test: WeasyPrint meldt: in deze render"),
        weasyprint_must_stay_silent("test"),
    ):
        logger.warning("in deze render")


# ---------------------------------------------------------------- recipes from data


def test_a_recipe_from_text_is_located_in_that_text(tmp_path):
    content = _project(tmp_path, "inhoud").content
    text = "titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefenin\n  - notities: 0\n"
    with pytest.raises(RecipeError) as info:
        parse_recipe(text, content, "formulier")
    assert info.value.lines() == [
        "formulier:3:15: onderdelen[0].oefening: onbekende oefening 'eerste-oefenin'; "
        "bedoel je 'eerste-oefening' of 'tweede-oefening'?",
        "formulier:4:15: onderdelen[1].notities: moet minstens 1 zijn",
    ]


def test_a_recipe_as_json_text(tmp_path):
    content = _project(tmp_path, "inhoud").content
    text = json.dumps({"titel": "Proefdag", "onderdelen": [{"principe": "proef"}]}, indent=1)
    recipe = parse_recipe(text, content, "api")
    assert recipe.title == "Proefdag" and recipe.selections[0].kind == "principe"
    with pytest.raises(RecipeError) as info:
        parse_recipe('{"titel": "Proefdag",\n "onderdelen": [{"principe": "proe"}]}', content)
    assert info.value.lines() == [
        "recept:2:30: onderdelen[0].principe: onbekend principe 'proe'; bedoel je 'proef'?"
    ]


def test_a_recipe_from_a_mapping_is_located_in_its_yaml(tmp_path):
    content = _project(tmp_path, "inhoud").content
    data = {"titel": "Proefdag", "onderdelen": [{"verhaal": "een-eerste-verhaal"}, {"x": 1}]}
    assert recipe_yaml(data).splitlines()[3] == "- x: 1"
    with pytest.raises(RecipeError) as info:
        recipe_from_mapping(data, content, "formulier")
    assert info.value.lines() == [
        "formulier:4:3: onderdelen[1]: een onderdeel noemt een van: "
        "principe, oefening, verhaal, artikel, notities, eigen"
    ]


@pytest.mark.slow
def test_the_same_recipe_from_a_file_or_a_mapping_is_the_same_workbook(tmp_path):
    project = _project(tmp_path, "inhoud")
    data = {"titel": "Proefdag", "editie": "trainer", "onderdelen": [{"principe": "proef"}]}
    path = tmp_path / "recept.yaml"
    path.write_text(
        "# een recept\ntitel:   Proefdag\neditie: trainer\nonderdelen:\n  - {principe: proef}\n",
        encoding="utf-8",
    )
    from_file = load_recipe(path, project.content)
    from_mapping = recipe_from_mapping(data, project.content)
    assert from_file.key == from_mapping.key
    products = [WorkbookProduct(project, WorkbookOptions(r)) for r in (from_file, from_mapping)]
    first, second = (p.pdf(next(p.targets())) for p in products)
    assert first == second
    # one render: the second came from the cache under the same key
    assert len(list((project.output_dir / ".cache").rglob("*.pdf"))) == 1
