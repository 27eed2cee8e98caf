"""A warm workbook build done again from its record (``files/replay.py``): the normal build's
files and lines, without loading pydantic, pikepdf or WeasyPrint; anything changed is a miss.

Every run here is ``werkboek workbook`` in a process of its own, which says afterwards which
heavy libraries it loaded: none means the record answered, pydantic means the normal build
did (it loads the content).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from werkboek.files import cache, replay

from conftest import REPO, make_content

HEAVY = ("pydantic", "pikepdf", "weasyprint")
RUN = (
    "import sys\n"
    "from pathlib import Path\n"
    "from werkboek.cli import main\n"
    "try:\n"
    "    main(sys.argv[2:], prog_name='werkboek')\n"
    "except SystemExit as exc:\n"
    "    code = exc.code or 0\n"
    "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(" + repr(HEAVY) + "))\n"
    "Path(sys.argv[1]).write_text(' '.join(loaded))\n"
    "sys.exit(code)\n"
)
RECIPE = "titel: Proefdag\nonderdelen:\n  - eigen: welkom.md\n  - oefening: eerste-oefening\n"
OUTPUT = Path("uit") / "werkboek.pdf"
ARGS = ["recepten/dag.yaml", "--inhoud", "content", "--stijlen", "styles", "-o", str(OUTPUT)]


@dataclass(frozen=True)
class Run:
    out: str
    err: str
    code: int
    loaded: list[str]
    """The heavy libraries the run imported."""

    @property
    def replayed(self) -> bool:
        return self.code == 0 and self.loaded == []


def werkboek(folder: Path, *args: str) -> Run:
    modules = folder / "geladen.txt"
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(modules), "workbook", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    loaded = modules.read_text().split() if modules.exists() else ["?"]
    modules.unlink(missing_ok=True)
    return Run(result.stdout, result.stderr, result.returncode, loaded)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """A programme with a recipe that has an own page and a blurred image on it (a
    warning), built once: its build cache holds the workbook."""
    folder = tmp_path_factory.mktemp("dag")
    make_content(folder)
    shutil.copytree(REPO / "styles", folder / "styles")
    recipes = folder / "recepten"
    recipes.mkdir()
    (recipes / "klein.png").write_bytes(png(120, 80))
    (recipes / "welkom.md").write_text(
        "# Welkom\n\nFijn dat je er bent.\n\n![Een plaatje](klein.png)\n"
    )
    (recipes / "dag.yaml").write_text(RECIPE)
    first = werkboek(folder, *ARGS)
    assert first.code == 0, first.err
    return folder


@pytest.fixture
def day(built_once, tmp_path) -> Path:
    """A copy of that programme, built again (from the build cache, by the normal build,
    which records it)."""
    folder = tmp_path / "dag"
    shutil.copytree(built_once, folder)
    shutil.rmtree(folder / "output" / ".cache" / replay.FOLDER)  # (its working folder's)
    run = werkboek(folder, *ARGS)
    assert run.code == 0 and "pydantic" in run.loaded, run
    return folder


@pytest.mark.slow
def test_a_warm_build_gives_the_normal_builds_bytes_and_lines_and_loads_nothing_heavy(day):
    normal = werkboek(day, *ARGS)  # the record answers from here on
    assert normal.replayed, normal
    data = (day / OUTPUT).read_bytes()
    # the normal build from the same cache, its record gone
    shutil.rmtree(day / "output" / ".cache" / replay.FOLDER)
    slow = werkboek(day, *ARGS)
    assert slow.code == 0 and "pydantic" in slow.loaded and "pikepdf" in slow.loaded
    assert (day / OUTPUT).read_bytes() == data
    fast = werkboek(day, *ARGS)
    assert fast.replayed, fast
    assert (fast.out, fast.err) == (slow.out, slow.err)
    assert (day / OUTPUT).read_bytes() == data
    [warning] = [line for line in fast.out.splitlines() if line.startswith("waarschuwing: ")]
    assert "welkom.md:5: afbeelding 'klein.png' is 120 × 80 pixels" in warning
    assert fast.out.splitlines()[-1] == f"geschreven: {OUTPUT}"
    # the file gone: written again from the cache, the same bytes
    (day / OUTPUT).unlink()
    again = werkboek(day, *ARGS)
    assert again.replayed and (again.out, again.err) == (slow.out, slow.err)
    assert (day / OUTPUT).read_bytes() == data


@pytest.mark.slow
def test_a_booklet_and_the_default_folder_are_replayed_too(day):
    args = [*ARGS[:-2], "--boekje"]  # (no -o: output/werkboeken/)
    slow = werkboek(day, *args)
    fast = werkboek(day, *args)
    assert "pydantic" in slow.loaded and fast.replayed, fast
    assert (fast.out, fast.err) == (slow.out, slow.err)
    written = [line.removeprefix("geschreven: ") for line in fast.out.splitlines()[-3:]]
    assert written == [
        "output/werkboeken/proefdag.pdf",
        "output/werkboeken/proefdag-a5.pdf",
        "output/werkboeken/proefdag-boekje.pdf",
    ]


def _change_content(day: Path) -> None:
    path = day / "content" / "principes" / "proef.yaml"
    path.write_text(path.read_text().replace("Deel een verhaal.", "Deel twee verhalen."))


def _change_style(day: Path) -> None:
    with (day / "styles" / "werkboek.css").open("a") as sheet:
        sheet.write("\n.oefening-titel { letter-spacing: 0.2pt; }\n")


def _change_template(day: Path) -> None:
    own = day / "content" / "sjablonen" / "workbook_cover.html.j2"
    own.parent.mkdir()
    template = (REPO / "src" / "werkboek" / "templates" / "workbook_cover.html.j2").read_text()
    own.write_text(template.replace(">Werkboek{%", ">Werkschrift{%"))


def _change_own_page(day: Path) -> None:
    page = day / "recepten" / "welkom.md"
    page.write_text(page.read_text().replace("Fijn dat", "Goed dat"))


def _change_image(day: Path) -> None:
    (day / "recepten" / "klein.png").write_bytes(png(140, 80))


def _change_recipe(day: Path) -> None:
    (day / "recepten" / "dag.yaml").write_text(RECIPE + "ondertitel: Een dag om te proberen\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    "change",
    [
        _change_content,
        _change_style,
        _change_template,
        _change_own_page,
        _change_image,
        _change_recipe,
        "--editie",
    ],
)
def test_any_change_to_what_goes_in_is_a_miss_and_gives_the_new_workbook(day, change):
    before = (day / OUTPUT).read_bytes()
    args = ARGS
    if change == "--editie":
        args = [*ARGS, "--editie", "trainer"]
    else:
        change(day)
    changed = werkboek(day, *args)
    assert changed.code == 0 and "pydantic" in changed.loaded, changed  # the normal build
    after = (day / OUTPUT).read_bytes()
    assert after != before
    again = werkboek(day, *args)  # recorded anew
    assert again.replayed and (again.out, again.err) == (changed.out, changed.err)
    assert (day / OUTPUT).read_bytes() == after
    if change is _change_image:
        assert "140 × 80 pixels" in again.out


@pytest.mark.slow
def test_a_bad_recipe_after_a_warm_build_is_its_dutch_error(day):
    recipe = day / "recepten" / "dag.yaml"
    recipe.write_text(RECIPE.replace("eerste-oefening", "eerste-oefenig"))
    run = werkboek(day, *ARGS)
    assert run.code == 1 and "pydantic" in run.loaded
    [line] = run.err.splitlines()
    assert line.startswith("fout: recepten/dag.yaml:4:") and "onderdelen[1].oefening" in line
    assert run.out == ""
    recipe.write_text(RECIPE)  # as it was: the record answers again
    assert werkboek(day, *ARGS).replayed


@pytest.mark.slow
def test_what_stands_in_the_way_is_said_by_the_normal_build(day):
    output = day / OUTPUT
    data = output.read_bytes()
    output.write_bytes(b"%PDF-1.7\n% iemand anders\n")
    run = werkboek(day, *ARGS)
    assert run.code == 1 and "pikepdf" in run.loaded
    assert run.err.splitlines()[0] == (
        f"fout: {OUTPUT}: bestaat al en is niet door werkboek gemaakt; kies een ander pad"
    )
    assert output.read_bytes() == b"%PDF-1.7\n% iemand anders\n"
    forced = werkboek(day, *ARGS, "--overschrijven")
    assert forced.replayed and output.read_bytes() == data


@pytest.mark.slow
def test_a_damaged_entry_or_a_record_that_names_another_file_is_a_miss(day):
    data = (day / OUTPUT).read_bytes()
    [record] = (day / "output" / ".cache" / replay.FOLDER).glob("*.json")
    kept = json.loads(record.read_text())
    [[_, entry, _]] = kept["bestanden"]
    # a record that names a file elsewhere, or an entry that is not the cache's (written by
    # someone else), is not followed
    elsewhere = day / "elders.pdf"
    for forged in (
        [str(elsewhere), entry, kept["bestanden"][0][2]],
        [str(OUTPUT), f"../../{OUTPUT}", kept["bestanden"][0][2]],
    ):
        record.write_text(json.dumps({**kept, "bestanden": [forged]}))
        run = werkboek(day, *ARGS)
        assert run.code == 0 and "pydantic" in run.loaded and not elsewhere.exists()
    # the entry damaged: the normal build renders it again, the same bytes
    stored = day / "output" / ".cache" / entry
    stored.write_bytes(stored.read_bytes()[:-100])
    run = werkboek(day, *ARGS)
    assert run.code == 0 and "weasyprint" in run.loaded
    assert (day / OUTPUT).read_bytes() == data
    assert werkboek(day, *ARGS).replayed


# ---------------------------------------------------------------- the key, without a build


def _key(tmp_path: Path) -> str | None:
    recipe = tmp_path / "dag.yaml"
    if not recipe.exists():
        recipe.write_text(RECIPE)
    return replay.Shortcut(
        tmp_path / "cache", recipe, [tmp_path], ("workbook", None), tmp_path / "uit"
    ).key


def test_the_key_changes_with_werkboeks_code_and_every_library(tmp_path, monkeypatch):
    code = tmp_path / "werkboek"
    code.mkdir()
    (code / "build.py").write_text("x = 1\n")
    monkeypatch.setattr(cache, "PACKAGE", code)
    keys = {_key(tmp_path)}
    (code / "build.py").write_text("x = 2\n")
    keys.add(_key(tmp_path))
    real = cache.metadata.version
    monkeypatch.setattr(
        cache.metadata, "version", lambda name: "0.0" if name == "weasyprint" else real(name)
    )
    keys.add(_key(tmp_path))
    monkeypatch.setattr(cache, "_libqpdf", lambda: "libqpdf-00000000.so.30.0.0")
    keys.add(_key(tmp_path))
    assert len(keys) == 4 and None not in keys


def test_the_key_holds_qpdf_without_importing_pikepdf():
    code = (
        "import sys\nfrom werkboek.files import cache\n"
        "versions = dict(cache.library_versions())\n"
        "print(versions['libqpdf'], 'pikepdf' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    version, imported = result.stdout.split()
    assert "qpdf" in version and imported == "False"


def test_the_key_changes_with_a_hidden_file_the_loader_reads_not_with_git(tmp_path):
    (tmp_path / "principes").mkdir()
    before = _key(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("a tool's own")
    assert _key(tmp_path) == before
    (tmp_path / "principes" / ".proef.yaml").write_text("slug: proef\n")  # (it is read)
    assert _key(tmp_path) != before


@pytest.mark.skipif(sys.platform != "linux", reason="a name that is not UTF-8: Linux only")
def test_a_file_name_that_is_not_utf8_has_a_key_and_a_record(tmp_path):
    import os

    content = tmp_path / "inhoud"
    content.mkdir()
    (content / os.fsdecode(b"caf\xe9.txt")).write_text("een naam in Latin-1")
    recipe = tmp_path / os.fsdecode(b"d\xe9g.yaml")
    place = tmp_path / os.fsdecode(b"uit\xe9")

    def shortcut() -> replay.Shortcut:
        return replay.Shortcut(tmp_path / "cache", recipe, [content], (), place)

    assert shortcut().key is None  # (no recipe yet)
    recipe.write_text(RECIPE)
    assert shortcut().key is not None
    # what a build wrote there, and its entry, recorded and replayed
    data = b"%PDF-1.7\n" + bytes(range(256))
    entry = tmp_path / "cache" / "ab" / f"ab{'0' * 62}.pdf"
    entry.parent.mkdir(parents=True)
    entry.write_bytes(data + hashlib.sha256(data).digest())
    place.mkdir()
    (place / "werkboek.pdf").write_bytes(data)
    own = replay.file_states([recipe])
    shortcut().record(own, [content], [(place / "werkboek.pdf", entry)], ["een waarschuwing"])
    done = shortcut().replay()
    assert done is not None
    assert done.files == ((place / "werkboek.pdf", data),)
    assert done.warnings == ("een waarschuwing",) and done.inputs == (content,)
    recipe.write_text(RECIPE + "ondertitel: anders\n")
    assert shortcut().replay() is None
