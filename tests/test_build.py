"""The product contract and the scheduler: one rule for names and folders, every product at
once in a deterministic order, options that reach the workers, clean failures."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from werkboek import (
    PRODUCTS,
    BuildError,
    ContentError,
    Problem,
    Project,
    WerkboekError,
    build_products,
    check_project,
)
from werkboek.cli import build as build_command
from werkboek.cli import main
from werkboek.errors import OutputError
from werkboek.products import CardOptions, WorkbookProduct

from conftest import REPO, make_content

RECIPE = "titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n  - notities: 1\n"


def _project(tmp_path, output: str = "output") -> Project:
    """The minimal content, a copy of the styles and one recipe in ``tmp_path`` (made once)."""
    if not (tmp_path / "content").exists():
        make_content(tmp_path)
        shutil.copytree(REPO / "styles", tmp_path / "styles")
        (tmp_path / "recepten").mkdir()
        (tmp_path / "recepten" / "proefdag.yaml").write_text(RECIPE, encoding="utf-8")
    return Project(
        tmp_path / "content", tmp_path / "styles", tmp_path / output, tmp_path / "recepten"
    )


@pytest.mark.slow
def test_the_command_word_is_the_products_name_and_its_files_go_to_its_folder(tmp_path):
    """One rule: the registry key is the class's ``name``, which is the word ``werkboek
    build`` takes; every file a product writes lies in ``output/<folder>/``; no two products
    share a folder."""
    assert all(key == cls.name for key, cls in PRODUCTS.items())
    folders = [cls.folder for cls in PRODUCTS.values()]
    assert len(set(folders)) == len(folders) and all(folders)
    project = _project(tmp_path)
    runner = CliRunner()
    for name, cls in PRODUCTS.items():
        output = tmp_path / f"cli-{name}"
        result = runner.invoke(
            main,
            [
                "build",
                name,
                "--inhoud",
                str(project.content_dir),
                "--stijlen",
                str(project.styles_dir),
                "--recepten",
                str(project.recipes_dir),
                "-o",
                str(output),
            ],
        )
        assert result.exit_code == 0, result.output
        if name in ("attendance", "certificates"):  # (made for a recipe and a list only)
            assert result.stdout == (
                f"niets gemaakt: {name} hoort bij een recept en een deelnemerslijst "
                f"(werkboek {name} RECEPT.yaml --deelnemers LIJST.csv)\n"
            )
            continue
        written = [line.removeprefix("geschreven: ") for line in result.stdout.splitlines()]
        assert written, name
        for path in written:
            assert str(output / cls.folder) == path.rsplit("/", 1)[0], (name, path)
    # and the help of `build` names every product by that word
    help_text = runner.invoke(main, ["build", "--help"]).stdout
    assert all(name in help_text for name in PRODUCTS)
    assert build_command.name == "build"


@pytest.mark.slow
def test_all_builds_every_product_in_the_same_order_on_one_core_or_several(tmp_path):
    project = _project(tmp_path)
    parallel = build_products(project, ["all"], jobs=2)
    names = [str(p.relative_to(project.output_dir)) for p in parallel]
    assert names == [
        "document/inspiratiedocument.pdf",
        "handouts/proef.pdf",
        "handouts/een-artikel.pdf",
        "kaarten/eerste-oefening.pdf",
        "kaarten/tweede-oefening.pdf",
        "kaarten/oefenkaarten.pdf",
        "werkboeken/proefdag.pdf",
    ]
    serial = build_products(_project(tmp_path, "serial"), [], jobs=1)
    assert [p.relative_to(tmp_path / "serial") for p in serial] == [
        p.relative_to(project.output_dir) for p in parallel
    ]
    for one, other in zip(parallel, serial, strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
    assert check_project(project).files == len(parallel)  # the dry run counts the same files


def test_options_reach_the_worker_processes(tmp_path):
    project = _project(tmp_path)
    written = build_products(project, ["cards", "handouts"], {"cards": CardOptions("a6")}, jobs=2)
    sheet = next(p for p in written if p.name == "oefenkaarten.pdf")
    card = next(p for p in written if p.name == "eerste-oefening.pdf")
    trim = pypdf.PdfReader(card).pages[0].trimbox
    width, height = float(trim.width), float(trim.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (90, 130)  # A6 trimmed
    assert "A6" in pypdf.PdfReader(sheet).metadata.title


def test_the_small_cards_never_replace_the_large_ones(tmp_path):
    """`build cards` and then `build cards --card-size a6` into one output folder: the A6
    exercise cards go to kaarten/a6/, the A5 files stay as they were."""
    project = _project(tmp_path)
    large = build_products(project, ["cards"])
    before = {path: path.read_bytes() for path in large}
    small = build_products(project, ["cards"], {"cards": CardOptions("a6")})
    cards = tmp_path / "output" / "kaarten"
    assert sorted(p.relative_to(cards).as_posix() for p in small) == [
        "a6/eerste-oefening.pdf",
        "a6/oefenkaarten.pdf",
        "a6/tweede-oefening.pdf",
    ]
    assert {path: path.read_bytes() for path in large} == before
    assert "A5" in pypdf.PdfReader(cards / "oefenkaarten.pdf").metadata.title
    assert "A6" in pypdf.PdfReader(cards / "a6" / "oefenkaarten.pdf").metadata.title


def test_any_product_as_bytes_without_writing(tmp_path):
    project = _project(tmp_path)
    product = WorkbookProduct(project)
    [target] = list(product.targets())
    data = product.pdf(target)
    assert data.startswith(b"%PDF-") and not target.path.exists()
    assert product.pdf(target) == data  # the second time from the cache, the same bytes


def test_a_failure_in_a_worker_is_one_clean_line(tmp_path):
    project = _project(tmp_path)
    with (project.styles_dir / "kaarten.css").open("a") as sheet:
        sheet.write("\n.kapot { colour: rood; }\n")
    with pytest.raises(BuildError, match=r"oefenkaarten\.pdf: WeasyPrint meldt: Ignored `colour"):
        build_products(project, ["all"], jobs=2)
    command = [sys.executable, "-m", "werkboek", "build", "cards", "handouts"]
    command += ["--inhoud", str(project.content_dir), "--stijlen", str(project.styles_dir)]
    command += ["-o", str(tmp_path / "cli")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("fout: ") and "Ignored `colour: rood`" in line
    assert not list((tmp_path / "cli").rglob("oefenkaarten.pdf"))
    assert not list((tmp_path / "cli").rglob(".*.tmp"))


def test_an_unknown_product_names_the_products(tmp_path):
    with pytest.raises(
        WerkboekError,
        match=r"onbekend product 'kaarten'.*"
        r"\(producten: document, handouts, cards, workbook, attendance, certificates, all\)",
    ):
        build_products(_project(tmp_path), ["kaarten"])


def test_errors_survive_the_trip_from_a_worker():
    error = ContentError(Problem("a.yaml", 3, 5, "titel", "tekst is leeg"))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ContentError and copy.lines() == ["a.yaml:3:5: titel: tekst is leeg"]


def test_with_other_threads_running_the_workers_are_spawned(tmp_path):
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        written = build_products(_project(tmp_path), ["handouts"], jobs=2)
    finally:
        stop.set()
        thread.join()
    assert [p.name for p in written] == ["proef.pdf", "een-artikel.pdf"]


def test_check_fails_on_a_broken_recipe_in_the_recipes_folder_with_its_line(tmp_path):
    project = _project(tmp_path)
    (project.recipes_dir / "kapot.yaml").write_text(
        "titel: Kapot\nonderdelen:\n  - oefening: eerste-oefenin\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--inhoud",
            str(project.content_dir),
            "--stijlen",
            str(project.styles_dir),
            "--recepten",
            str(project.recipes_dir),
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"fout: {project.recipes_dir / 'kapot.yaml'}:3:15: onderdelen[0].oefening: onbekende "
        "oefening 'eerste-oefenin'; bedoel je 'eerste-oefening' of 'tweede-oefening'?\n"
    )


def test_an_output_error_crosses_from_a_worker_with_what_may_be_replaced():
    error = OutputError(Problem("dag.pdf", message="bestaat al"), replaceable=("dag.pdf",))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is OutputError
    assert copy.replaceable == ("dag.pdf",) and copy.lines() == ["dag.pdf: bestaat al"]


NO_PROGRAM = """
import ctypes.util, os, sys
from pathlib import Path
ran = []
RUNS = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn")
sys.addaudithook(lambda event, args: ran.append(event) if event in RUNS else None)
from werkboek import Project
from werkboek.build import build_workbook
base = Path(sys.argv[1])
project = Project(base / "content", base / "styles", base / "output", base / "recepten")
paths = build_workbook(project, base / "recepten" / "proefdag.yaml")
print(len(paths), len(ran))
ctypes.util.find_library("c")  # what WeasyPrint's libraries used to cost: seen by the hook
print(len(ran) > 0, flush=True)
os._exit(0)  # (an audit hook at interpreter shutdown after a render can crash CPython 3.11)
"""


def test_building_a_workbook_runs_no_program(tmp_path):
    """WeasyPrint's libraries are opened by their files' names, with no search (#24): a
    build runs no ``ldconfig``, ``gcc`` or ``ld`` (it ran 215 of them). The hook that
    watches is shown to see such a search at the end."""
    _project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", NO_PROGRAM, str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "0", "True"]


def test_each_stylesheet_is_parsed_once_for_every_target_and_chapter(tmp_path, monkeypatch):
    """Styles are parsed once a process, kept by their text (#24): the handouts (each laid
    out whole) and the workbook (in chapters) parse each of their stylesheets once, not
    once a target or a chapter; a changed stylesheet is parsed again."""
    from collections import OrderedDict

    from werkboek.pdf import chapters

    parsed: list[str] = []
    real = chapters.CSS

    def counting(*args, **kwargs):
        parsed.append(Path(kwargs.get("filename") or kwargs.get("base_url") or "fonts").name)
        return real(*args, **kwargs)

    monkeypatch.setattr(chapters, "_parsed", OrderedDict())
    monkeypatch.setattr(chapters, "CSS", counting)
    project = _project(tmp_path)
    handouts = build_products(project, ["handouts"], jobs=1)
    assert len(handouts) > 1
    assert sorted(parsed) == ["fonts", "handouts.css", "werkboek.css"]  # once for them all
    parsed.clear()
    build_products(project, ["workbook"], jobs=1)
    assert sorted(parsed) == ["fonts", "werkboek.css"]  # (chapters read them as text)
    parsed.clear()
    build_products(_project(tmp_path, "again"), ["handouts"], jobs=1, force=True)
    assert parsed == []  # another build in the same process: nothing parsed again
    sheet = tmp_path / "styles" / "handouts.css"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    build_products(_project(tmp_path, "changed"), ["handouts"], jobs=1, force=True)
    assert sorted(parsed) == ["fonts", "handouts.css", "werkboek.css"]
