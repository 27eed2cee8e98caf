"""The catalogue: every slug a recipe can name, as ``werkboek list`` shows it."""

from __future__ import annotations

from typing import Any

from .collection import Content
from .schema import PART_KEYS, Range


def _range(value: Range | None) -> dict[str, int] | None:
    return None if value is None else {"min": value.low, "max": value.high}


def build_catalogue(content: Content) -> dict[str, Any]:
    """A plain, JSON-ready description of the content's slugs."""
    return {
        "principes": [
            {
                "slug": p.slug,
                "titel": p.plain_title,
                "delen": list(p.parts),
                "oefeningen": [e.slug for e in p.exercises],
                "verhalen": [s.slug for s in p.stories],
            }
            for p in content.principles
        ],
        "oefeningen": [
            {
                "slug": e.slug,
                "titel": e.plain_title,
                "principe": p.slug,
                "personen": _range(e.persons),
                "minuten": _range(e.duration),
            }
            for p, e in content.exercises()
        ],
        "verhalen": [
            {"slug": s.slug, "titel": s.plain_title, "principe": p.slug, "media": s.media}
            for p, s in content.stories()
        ],
        "artikelen": [{"slug": a.slug, "titel": a.plain_title} for a in content.articles],
    }


def format_catalogue(catalogue: dict[str, Any]) -> str:
    """The catalogue as text for a trainer writing a recipe."""
    width = max(len(item["slug"]) for key in catalogue for item in catalogue[key]) + 2
    lines = ["Principes (principe: …, delen: " + ", ".join(PART_KEYS) + ")"]
    lines += [f"  {p['slug']:<{width}}{p['titel']}" for p in catalogue["principes"]]
    lines += ["", "Oefeningen (oefening: …)"]
    for e in catalogue["oefeningen"]:
        persons, minutes = e["personen"], e["minuten"]
        size = "" if persons is None else f"{_span(persons)} pers."
        time = "" if minutes is None else f"{_span(minutes)} min"
        lines.append(f"  {e['slug']:<{width}}{size:>10} {time:>10}   {e['principe']}")
    lines += ["", "Verhalen (verhaal: …)"]
    lines += [f"  {s['slug']:<{width}}{s['principe']}" for s in catalogue["verhalen"]]
    lines += ["", "Artikelen (artikel: …)"]
    lines += [f"  {a['slug']:<{width}}{a['titel']}" for a in catalogue["artikelen"]]
    return "\n".join(lines)


def _span(value: dict[str, int]) -> str:
    return str(value["min"]) if value["min"] == value["max"] else f"{value['min']}-{value['max']}"
