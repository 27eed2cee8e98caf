"""werkboek for any programme: the folders a command uses when not told, `werkboek init`, and
the wheel that carries the styles, the templates and the shipped programme."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pypdf
import pytest
import yaml
from click.testing import CliRunner

from werkboek.cli import main
from werkboek.locations import SHIPPED, default_folders

from conftest import REPO, free_port

SHIPPED_LINE = (
    "inhoud: het meegeleverde programma (deze map heeft geen content/instellingen.yaml); "
    "recepten en uitvoer in {data}"
)
STARTER_PDFS = [
    "document/ons-programma.pdf",
    "handouts/samen-beginnen.pdf",
    "handouts/open-zijn.pdf",
    "handouts/onze-afspraken.pdf",
    "kaarten/het-eerste-gesprek.pdf",
    "kaarten/uitleggen-in-gewone-woorden.pdf",
    "kaarten/oefenkaarten.pdf",
    "kaarten/uitgangspunten.pdf",
    "werkboeken/kennismaking-met-ons-programma.pdf",
]


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """The user's data folder (platformdirs on Linux follows XDG_DATA_HOME)."""
    home = tmp_path / "gegevens"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home / "werkboek"


def text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def test_outside_a_programme_folder_the_shipped_programme_is_used_and_named(
    tmp_path, monkeypatch, data_home
):
    empty = tmp_path / "leeg"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["list", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [SHIPPED_LINE.format(data=data_home)]
    slugs = [p["slug"] for p in json.loads(result.stdout)["principes"]]
    assert slugs[0] == "gezinsgericht" and len(slugs) == 6
    folders = default_folders()
    assert (folders.content_dir, folders.styles_dir) == (SHIPPED / "content", SHIPPED / "styles")
    assert (folders.recipes_dir, folders.output_dir) == (
        data_home / "recepten",
        data_home / "output",
    )
    # told where the content is, a command says nothing about it
    result = CliRunner().invoke(main, ["list", "--content", str(REPO / "content")])
    assert result.exit_code == 0 and not result.stderr


def test_a_programme_folder_uses_its_own_folders(tmp_path, monkeypatch, data_home):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "x"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "x")
    folders = default_folders()
    assert folders.here
    # relative, so that problems are shown as content/principes/…
    assert folders.content_dir == Path("content") and folders.recipes_dir == Path("recepten")
    assert folders.output_dir == Path("output")
    assert folders.styles_dir == SHIPPED / "styles"  # no styles/ of its own
    (tmp_path / "x" / "styles").mkdir()
    assert default_folders().styles_dir == Path("styles")


def test_init_writes_a_programme_that_check_and_build_accept(tmp_path, monkeypatch, data_home):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["init", "mijn-programma"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "mijn-programma"
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert written == [
        "content/artikelen/onze-afspraken.yaml",
        "content/document.yaml",
        "content/instellingen.yaml",
        "content/logo.svg",
        "content/principes/open-zijn.yaml",
        "content/principes/samen-beginnen.yaml",
        "recepten/kennismaking.yaml",
    ]
    assert result.stdout.splitlines()[-1] == (
        "volgende stap: cd mijn-programma && werkboek check && werkboek build"
    )
    # every setting is explained in Dutch, in a comment right above it (the six parts'
    # titles share one)
    lines = (root / "content" / "instellingen.yaml").read_text(encoding="utf-8").splitlines()
    keys = [(n, line.split(":")[0].strip()) for n, line in enumerate(lines) if ":" in line]
    explained = {key for n, key in keys if lines[n - 1].lstrip().startswith("#")}
    settings = {key for n, key in keys if not lines[n].lstrip().startswith("#")}
    parts = {"uitleg", "verhalen", "professional", "oefenen", "leidinggevenden", "achtergrond"}
    assert settings - explained == parts | {"document", "kaarten", "werkboek"}

    monkeypatch.chdir(root)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert not result.stderr
    assert result.stdout.splitlines()[-1] == (
        "inhoud in orde: 2 principes, 2 oefeningen, 2 verhalen, 1 artikel, 1 recept; "
        "6 waarschuwingen; 9 PDF's te maken"
    )
    result = runner.invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"geschreven: output/{pdf}" for pdf in STARTER_PDFS]
    document = text(root / "output" / "document" / "ons-programma.pdf")
    for words in ("Samen beginnen", "Open zijn", "Sam de Vries", "Verhalen uit de praktijk"):
        assert words in document
    assert "We zeggen wat we doen" in text(root / "output" / "handouts" / "onze-afspraken.pdf")
    workbook = text(root / "output" / "werkboeken" / "kennismaking-met-ons-programma.pdf")
    assert "Uitleggen in gewone woorden" in workbook
    assert not data_home.exists()  # a programme folder keeps everything in itself


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vol").mkdir()
    (tmp_path / "vol" / "iets.txt").write_text("van iemand anders", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "vol"])
    assert result.exit_code == 1
    assert result.stderr == "fout: vol:1:1: de map is niet leeg; kies een nieuwe of een lege map\n"
    assert [p.name for p in (tmp_path / "vol").iterdir()] == ["iets.txt"]


@pytest.mark.slow
def test_the_wheel_works_from_an_empty_folder(tmp_path):
    """`pip wheel .`, installed in a fresh venv whose only werkboek is the wheel's (the
    dependencies come from the test venv through a .pth file), builds from an empty folder."""
    wheels = tmp_path / "wielen"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("werkboek-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dependencies = sysconfig.get_paths()["purelib"]
    (Path(site) / "test-afhankelijkheden.pth").write_text(dependencies + "\n", encoding="utf-8")
    subprocess.run(
        [*pip, "--python", str(python), "install", "-q", "--no-deps", str(wheel)], check=True
    )
    empty = tmp_path / "leeg"
    empty.mkdir()
    data = tmp_path / "gegevens"
    environment = {**os.environ, "XDG_DATA_HOME": str(data), "PYTHONPATH": ""}
    werkboek = str(venv / "bin" / "werkboek")

    def run(*args: str, cwd: Path = empty) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [werkboek, *args], cwd=cwd, env=environment, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return result

    where = subprocess.run(
        [python, "-c", "import werkboek; print(werkboek.__file__)"],
        cwd=empty,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(site)  # the wheel's, not the checkout's

    result = run("check", "-q")
    assert result.stderr.splitlines() == [SHIPPED_LINE.format(data=data / "werkboek")]
    assert "6 basisprincipes" in result.stdout
    result = run("build", "document")
    pdf = data / "werkboek" / "output" / "document" / "inspiratiedocument.pdf"
    assert result.stdout.splitlines() == [f"geschreven: {pdf}"]
    assert "Gezinsgericht" in text(pdf)
    assert list(empty.iterdir()) == []

    run("init", "nieuw")
    programme = empty / "nieuw"
    result = run("check", cwd=programme)
    assert not result.stderr
    result = run("build", "all", "-j", "1", cwd=programme)
    assert result.stdout.splitlines() == [f"geschreven: output/{pdf}" for pdf in STARTER_PDFS]
    assert "Uitleggen in gewone woorden" in text(programme / "output" / STARTER_PDFS[-1])

    # the app, from the wheel, on the new programme: the catalogue and a workbook over HTTP
    port = free_port()
    server = subprocess.Popen(
        [werkboek, "serve", "--poort", str(port)],
        cwd=programme,
        env={k: v for k, v in environment.items() if not k.startswith("WERKBOEK_")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            home = None
            while home is None:  # until it listens (or has stopped: then say why)
                assert server.poll() is None, server.communicate()
                try:
                    home = client.get("/")
                except httpx.TransportError:
                    time.sleep(0.2)
            assert home.status_code == 200
            assert "Handreiking Ons Programma" in home.text and "Het eerste gesprek" in home.text
            assert '<img src="/logo" alt="Logo van Onze Organisatie">' in home.text
            logo = client.get("/logo")
            assert logo.headers["content-type"] == "image/svg+xml"
            assert logo.content == (programme / "content" / "logo.svg").read_bytes()
            recipe = {"titel": "Proef", "onderdelen": [{"oefening": "het-eerste-gesprek"}]}
            made = client.post("/api/werkboek", json=recipe)
            assert made.status_code == 200, made.text
            assert made.headers["content-type"] == "application/pdf"
            pdf = tmp_path / "proef.pdf"
            pdf.write_bytes(made.content)
            assert "Het eerste gesprek" in text(pdf)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)
    assert "Traceback" not in errors


def test_the_guides_example_is_what_check_says(tmp_path, monkeypatch):
    """docs/eigen-programma.md shows a real `check` line: the one for `kleur: #7a1f5c`."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "x"]).exit_code == 0
    principle = tmp_path / "x" / "content" / "principes" / "open-zijn.yaml"
    principle.write_text(
        principle.read_text(encoding="utf-8").replace('kleur: "#7a1f5c"', "kleur: #7a1f5c"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path / "x")
    result = CliRunner().invoke(main, ["check", "-q"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    guide = (REPO / "docs" / "eigen-programma.md").read_text(encoding="utf-8")
    assert f"   {line}\n" in guide


def test_a_principle_has_the_parts_it_has(tmp_path, monkeypatch):
    """Open zijn without stories, team-leader suggestions and background, and a colleague
    without a name: check accepts it, the catalogue lists only its parts, a recipe that asks
    for a missing part is told which it has, and no PDF prints a part it lacks."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "x"]).exit_code == 0
    root = tmp_path / "x"
    principle = root / "content" / "principes" / "open-zijn.yaml"
    data = yaml.safe_load(principle.read_text(encoding="utf-8"))
    for part in ("verhalen", "leidinggevenden", "achtergrond"):
        del data[part]
    del data["professional"]["naam"]
    principle.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(root)

    result = runner.invoke(main, ["list", "--json"])
    assert result.exit_code == 0, result.output
    parts = {p["slug"]: p["delen"] for p in json.loads(result.stdout)["principes"]}
    assert parts["open-zijn"] == ["uitleg", "professional", "oefenen"]
    assert len(parts["samen-beginnen"]) == 6

    recipe = root / "recepten" / "teamleiders.yaml"
    recipe.write_text(
        "titel: Teamleiders\nonderdelen:\n  - principe: open-zijn\n"
        "    delen: [uitleg, leidinggevenden]\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["check", "-q"])
    assert result.exit_code == 1
    assert result.stderr == (
        "fout: recepten/teamleiders.yaml:4:21: onderdelen[0].delen[1]: dit principe heeft "
        "geen deel 'leidinggevenden' (wel: uitleg, professional, oefenen)\n"
    )
    recipe.write_text("titel: Open zijn\nonderdelen:\n  - principe: open-zijn\n", encoding="utf-8")
    result = runner.invoke(main, ["build", "-j", "1", "handouts", "workbook"])
    assert result.exit_code == 0, result.output

    titles = ("Verhalen uit de praktijk", "Voor leidinggevenden", "Meer lezen", "Naam:")
    for pdf in ("handouts/open-zijn.pdf", "werkboeken/open-zijn.pdf"):
        pages = [page.extract_text() for page in pypdf.PdfReader(root / "output" / pdf).pages]
        assert not any(title in page for title in titles for page in pages), pdf
        assert "Een collega aan het woord" in "".join(pages)
        assert "Jeugdbeschermer" in "".join(pages)
    # the principle that has all six still prints all six
    full = text(root / "output" / "handouts" / "samen-beginnen.pdf")
    assert all(title in full for title in titles)


def test_told_where_the_content_is_a_command_keeps_its_output_here(
    tmp_path, monkeypatch, data_home
):
    """Only the shipped programme keeps its output in the user's data folder: with --content,
    an empty working folder gets output/ as it always did (and nothing is announced)."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "programma"]).exit_code == 0
    (tmp_path / "leeg").mkdir()
    monkeypatch.chdir(tmp_path / "leeg")
    content = str(tmp_path / "programma" / "content")
    result = CliRunner().invoke(main, ["build", "handouts", "-j", "1", "--content", content])
    assert result.exit_code == 0, result.output
    assert not result.stderr
    assert "geschreven: output/handouts/open-zijn.pdf" in result.stdout.splitlines()
    assert default_folders(content_given=True).output_dir == Path("output")
    assert not data_home.exists()
