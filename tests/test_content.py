"""The shipped content: complete, valid, and described by ``werkboek list``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from werkboek.cli import main
from werkboek.content.slugs import is_slug

from conftest import CONTENT, REPO

PRINCIPLES = [
    "gezinsgericht",
    "rechtsbeschermend-transparant",
    "eenvoudig",
    "handelen-na-afweging",
    "van-mens-tot-mens-werken",
    "lerend",
]


@pytest.mark.slow
def test_check_passes_on_the_shipped_content():
    result = CliRunner().invoke(
        main, ["check", "--inhoud", str(CONTENT), "--recepten", str(REPO / "recepten")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith(
        "inhoud in orde: 6 basisprincipes, 12 oefeningen, 28 verhalen, 4 artikelen, 4 recepten; "
    )


def test_list_json_is_the_catalogue():
    result = CliRunner().invoke(main, ["list", "--json", "--inhoud", str(CONTENT)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["slug"] for p in data["principes"]] == PRINCIPLES
    assert len(data["oefeningen"]) == 12
    assert {a["slug"] for a in data["artikelen"]} == {
        "praktische-uitgangspunten-voor-het-creeren-van-partnerschap",
        "samen-beslissen-over-passende-hulp",
        "meet-up-gedragsverandering-en-bejegening",
        "het-begint-bij-mij",
    }
    slugs = [item["slug"] for key in data for item in data[key]]
    assert all(is_slug(slug) for slug in slugs)
    for kind in ("oefeningen", "verhalen"):
        assert len({item["slug"] for item in data[kind]}) == len(data[kind])
    for exercise in data["oefeningen"]:
        assert exercise["principe"] in PRINCIPLES
        minutes = exercise["minuten"]
        assert minutes is None or 0 < minutes["min"] <= minutes["max"]
    # the two exercises every trainer asks for by name
    by_slug = {e["slug"]: e for e in data["oefeningen"]}
    assert by_slug["intervisie-incidentmethode"]["personen"] == {"min": 3, "max": 4}
    assert by_slug["b1-niveau"]["minuten"] == {"min": 40, "max": 40}


def test_the_b1_answers_are_for_the_trainer_only(content):
    from werkboek.content.schema import TrainerOnly, iter_blocks

    exercise = next(e for _, e in content.exercises() if e.slug == "b1-niveau")
    assert exercise.has_trainer_material()
    trainer = [b for s in exercise.steps for b in iter_blocks(s.body) if isinstance(b, TrainerOnly)]
    assert trainer[0].title == "Antwoorden Deel 1"


def test_list_text_names_every_slug():
    result = CliRunner().invoke(main, ["list", "--inhoud", str(CONTENT)])
    assert result.exit_code == 0
    assert "intervisie-incidentmethode" in result.stdout
    assert "samen-beslissen-over-passende-hulp" in result.stdout
