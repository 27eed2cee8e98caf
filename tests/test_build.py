"""Building several products at once: every product, a deterministic order, clean failures."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys

import pytest

from werkboek import PRODUCTS, BuildError, ContentError, Problem, WerkboekError
from werkboek.products import Project, build_products, check_products

from conftest import REPO, make_content


def _project(tmp_path, output: str = "output") -> Project:
    """The minimal content and a copy of the styles in ``tmp_path`` (made once)."""
    if not (tmp_path / "content").exists():
        make_content(tmp_path)
        shutil.copytree(REPO / "styles", tmp_path / "styles")
    return Project(tmp_path / "content", tmp_path / "styles", tmp_path / output)


def test_the_products_and_their_command_words():
    assert list(PRODUCTS) == ["document", "handouts", "cards"]
    assert {name: cls.name for name, cls in PRODUCTS.items()} == {n: n for n in PRODUCTS}


def test_all_builds_every_product_in_the_same_order_on_one_core_or_several(tmp_path):
    project = _project(tmp_path)
    parallel = build_products(project, ["all"], jobs=2)
    names = [str(p.relative_to(project.output_dir)) for p in parallel]
    assert names == [
        "inspiratiedocument.pdf",
        "handouts/proef.pdf",
        "handouts/een-artikel.pdf",
        "kaarten/eerste-oefening.pdf",
        "kaarten/tweede-oefening.pdf",
        "kaarten/oefenkaarten.pdf",
    ]
    serial = build_products(_project(tmp_path, "serial"), [], jobs=1)
    assert [p.relative_to(tmp_path / "serial") for p in serial] == [
        p.relative_to(project.output_dir) for p in parallel
    ]
    for one, other in zip(parallel, serial, strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
    assert check_products(project) == len(parallel)  # the dry run counts the same files


def test_a_failure_in_a_worker_is_one_clean_line(tmp_path):
    project = _project(tmp_path)
    with (project.styles_dir / "kaarten.css").open("a") as sheet:
        sheet.write("\n.kapot { colour: rood; }\n")
    with pytest.raises(
        BuildError, match=r"oefenkaarten\.pdf: WeasyPrint reported: Ignored `colour"
    ):
        build_products(project, ["all"], jobs=2)
    command = [sys.executable, "-m", "werkboek", "build", "cards", "handouts"]
    command += ["--content", str(project.content_dir), "--styles", str(project.styles_dir)]
    command += ["-o", str(tmp_path / "cli")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "Ignored `colour: rood`" in line
    assert not list((tmp_path / "cli").rglob("oefenkaarten.pdf"))
    assert not list((tmp_path / "cli").rglob(".*.tmp"))


def test_an_unknown_product_names_the_products(tmp_path):
    with pytest.raises(WerkboekError, match=r"\(products: document, handouts, cards, all\)"):
        build_products(_project(tmp_path), ["kaarten"])


def test_content_errors_survive_the_trip_from_a_worker():
    error = ContentError([Problem("a.yaml", 3, 5, "titel", "text is empty")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ContentError and copy.lines() == error.lines()


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
