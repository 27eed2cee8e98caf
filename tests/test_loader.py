"""Loading and checking content: every kind of broken file gets an exact, located error."""

from __future__ import annotations

import json
import re
import string

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werkboek import ContentError, load_content
from werkboek.cli import main

from conftest import ROOTS, make_content

CASES = sorted(p.name for p in ROOTS.iterdir() if (p / "expected.txt").is_file())


def run(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, list(args))


def test_minimal_content_loads(tmp_path):
    content = load_content(make_content(tmp_path))
    principle = content.principle("proef")
    assert [s.slug for s in principle.stories] == ["een-eerste-verhaal", "een-tweede-verhaal"]
    first, second = principle.exercises
    assert (first.persons.low, first.persons.high) == (2, 2)
    assert str(first.minutes) == "40-60"
    # no minuten of its own: derived from its one step
    assert second.minutes is None and str(second.duration) == "10"
    assert content.story_url(principle, principle.stories[0]) == (
        "https://voorbeeld.nl/inspiratie/proef/verhalen#een-eerste-verhaal"
    )


@pytest.mark.parametrize("case", CASES)
def test_broken_content_is_reported_exactly(case, tmp_path, monkeypatch):
    make_content(tmp_path, case)
    result = run(tmp_path, monkeypatch, "check", "-q", "--inhoud", "content")
    expected = (ROOTS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected
    assert "Traceback" not in result.output
    assert not result.stdout


def test_all_problems_are_reported_at_once(tmp_path):
    make_content(tmp_path, "several-files")
    with pytest.raises(ContentError) as info:
        load_content(tmp_path / "content")
    files = {p.file.rsplit("/", 1)[-1] for p in info.value.problems}
    assert files == {"een-artikel.yaml", "instellingen.yaml", "proef.yaml"}
    assert len(info.value.problems) == 4


def test_check_lists_missing_urls_as_warnings(tmp_path, monkeypatch):
    make_content(tmp_path)
    result = run(tmp_path, monkeypatch, "check", "--inhoud", "content")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stdout.splitlines() if line.startswith("waarschuwing:")]
    # the podcast has a url of its own; two stories and two exercises do not
    assert len(warnings) == 4
    assert warnings[0] == (
        "waarschuwing: content/principes/proef.yaml:17:5: verhalen[0]: geen eigen url; "
        "linkt naar https://voorbeeld.nl/inspiratie/proef/verhalen#een-eerste-verhaal"
    )
    assert result.stdout.splitlines()[-1] == (
        "inhoud in orde: 1 principe, 2 oefeningen, 2 verhalen, 1 artikel, 0 recepten; "
        "4 waarschuwingen; 6 PDF's te maken"
    )
    assert not (tmp_path / "output").exists()  # a dry run: the templates ran, nothing was written


def test_list_json(tmp_path, monkeypatch):
    make_content(tmp_path)
    result = run(tmp_path, monkeypatch, "list", "--json", "--inhoud", "content")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["principes"][0]["slug"] == "proef"
    assert data["principes"][0]["delen"] == [
        "uitleg",
        "verhalen",
        "professional",
        "oefenen",
        "leidinggevenden",
        "achtergrond",
    ]
    assert data["oefeningen"][0] == {
        "slug": "eerste-oefening",
        "titel": "Eerste oefening",
        "principe": "proef",
        "personen": {"min": 2, "max": 2},
        "minuten": {"min": 40, "max": 60},
    }
    assert data["artikelen"] == [{"slug": "een-artikel", "titel": "Een artikel"}]


def test_missing_content_folder(tmp_path, monkeypatch):
    result = run(tmp_path, monkeypatch, "check", "--inhoud", "nergens")
    assert result.exit_code == 1
    assert result.stderr == "fout: nergens:1:1: map met de inhoud niet gevonden\n"


def test_raw_html_is_text_not_markup(tmp_path):
    root = make_content(tmp_path)
    path = root / "artikelen" / "een-artikel.yaml"
    path.write_text(path.read_text().replace("Een alinea.", "<script>alert(1)</script> **vet**"))
    article = load_content(root).article("een-artikel")
    assert article.body == ["<script>alert(1)</script> **vet**"]


# ---------------------------------------------------------------- property tests

_fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_fuzz
@given(text=st.text(alphabet=string.printable + "äëé“”‘’–…\t", max_size=300))
def test_random_text_never_gives_a_traceback(tmp_path_factory, text):
    root = make_content(tmp_path_factory.mktemp("fuzz"))
    (root / "principes" / "proef.yaml").write_text(text, encoding="utf-8")
    try:
        load_content(root)
    except ContentError as exc:
        assert all(p.line >= 1 and p.column >= 1 for p in exc.problems)


_scalars = st.none() | st.booleans() | st.integers(-5, 99) | st.text(max_size=20)
_keys = st.sampled_from(
    [
        "titel",
        "slug",
        "kernelement",
        "minuten",
        "personen",
        "lijst",
        "kader",
        "soort",
        "invullen",
        "trainer",
        "stappen",
        "inhoud",
        "verhalen",
        "oefeningen",
        "x",
    ]
)
_trees = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=25,
)


@_fuzz
@given(tree=_trees)
def test_random_structures_never_give_a_traceback(tmp_path_factory, tree):
    root = make_content(tmp_path_factory.mktemp("fuzz"))
    path = root / "principes" / "proef.yaml"
    data = yaml.safe_load(path.read_text())
    data["oefeningen"][0]["stappen"] = tree
    data["verhalen"][1] = tree
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n") + 1
    try:
        load_content(root)
    except ContentError as exc:
        for problem in exc.problems:  # each located in the file that was changed, in Dutch
            assert problem.file.endswith("principes/proef.yaml"), problem
            assert 1 <= problem.line <= lines and problem.column >= 1, problem
            assert problem.message and "Input should" not in problem.message, problem


# ---------------------------------------------------------------- YAML in Dutch

ENGLISH = re.compile(
    r"\b(found|expected|mapping|scanning|parsing|token|while|allowed|character|stream)\b"
)

BROKEN_YAML = {
    "a: [1, 2\nb: 3\n": "1:4: a: ongeldige YAML: deze lijst tussen [ ] wordt niet gesloten",
    "a: {x: 1\n": "1:4: a: ongeldige YAML: deze verzameling tussen { } wordt niet gesloten",
    "a: 1\n---\nb: 2\n": "2:1: ongeldige YAML: het bestand heeft meer dan één document",
    "%FOO bar\n---\na: 1\n": "1:5: ongeldige YAML: een regel die met % begint",
    'a: "x\\q"\n': "1:6: a: ongeldige YAML: onbekende escape met \\",
    "a: |0\n  x\n": "1:5: a: ongeldige YAML: na | of > kan geen 0 staan",
    "a: 'x\n": "1:4: a: ongeldige YAML: dit aanhalingsteken wordt nergens gesloten",
    "a: b\n  c: d\n": "2:4: a: ongeldige YAML: hier kan geen 'sleutel: waarde' staan",
    "a:\n  b: 1\n c: 2\n": "3:2: a.b: ongeldige YAML: hier hoort een sleutel",
    "a: @x\n": "1:4: a: ongeldige YAML: met dit teken kan een waarde niet beginnen",
    "a: !foo x\n": "1:4: a: ongeldige YAML: een onbekend type (!…); laat het weg",
    "a: !!int abc\n": "1:4: a: ongeldige YAML: geen geheel getal",
    "? [a, b]\n: c\n": "1:3: ongeldige YAML: een sleutel kan geen lijst of verzameling zijn",
    "a: &x 1\nb: &x 2\n": "2:4: b: ongeldige YAML: een anker (&naam) staat er twee keer",
}


@pytest.mark.parametrize("text", BROKEN_YAML)
def test_every_yaml_problem_is_dutch_and_at_its_field(text):
    from werkboek.content.source import parse_yaml

    (problem,) = parse_yaml(text, "f.yaml").problems
    assert str(problem).startswith(f"f.yaml:{BROKEN_YAML[text]}"), str(problem)
    assert not ENGLISH.search(problem.message), problem.message


def test_a_value_that_merely_contains_a_pitfall_is_fine():
    from werkboek.content.source import parse_yaml

    text = (
        "titel: 'Stap 1: luisteren'\n"
        "kleur: '#1d4e89'\n"
        "leeg:  # een echte opmerking\n"
        "citaat: “Ja”, zei ze, “nee.”\n"
        "kop: – een tekst die met een streep begint\n"
        "inhoud:\n"
        "  - Een zin die verder gaat\n"
        "    – met een gedachtestreep – op de volgende regel.\n"
        "  - “Hij zei het.”\n"  # a quotation as the whole item: flagged below
    )
    (problem,) = parse_yaml(text, "f.yaml").problems
    assert (problem.line, problem.path) == (9, "inhoud[1]")


@_fuzz
@given(text=st.text(alphabet=string.printable + "äëé“”‘’–—…\t\u00a0#:", max_size=300))
def test_random_yaml_problems_are_always_dutch(text):
    from werkboek.content.source import parse_yaml

    for problem in parse_yaml(text, "f.yaml").problems:
        assert not ENGLISH.search(problem.message), (text, problem.message)
        assert problem.line >= 1 and problem.column >= 1
