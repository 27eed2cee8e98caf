"""Help in plain Dutch, and starting points for common training days.

A starting point is a draft made from the programme's own content (its principles and
exercises, whatever the content set), which the trainer then changes in the composer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...content.collection import Content
from ..drafts import Draft
from ..responses import back, form_text, path_for
from ..site import site_of
from .composer import replaced

WELCOME_HALF = """# Welkom

Fijn dat je er bent. Vandaag staan we een dagdeel stil bij één basisprincipe.

| Tijd | Wat |
| --- | --- |
| 9.00 | Welkom en kennismaking |
| 9.30 | Het basisprincipe: uitleg en verhalen |
| 10.30 | Pauze |
| 10.45 | Oefenen |
| 12.15 | Wat neem je mee? |
"""

WELCOME_FULL = """# Welkom

Fijn dat je er bent. Vandaag werken we een hele dag met de basisprincipes.

| Tijd | Wat |
| --- | --- |
| 9.00 | Welkom en kennismaking |
| 9.30 | Eerste basisprincipe |
| 12.00 | Lunch |
| 13.00 | Tweede basisprincipe |
| 15.30 | Wat neem je mee? |
| 16.00 | Einde |
"""

INTERVISION = """# Intervisie

Vandaag bespreken we samen een situatie uit het werk van een van ons.

1. Iemand brengt een situatie in en vertelt wat er gebeurde.
2. De anderen stellen vragen om het goed te begrijpen, zonder al advies te geven.
3. Samen kiezen we wat de inbrenger wil leren.
4. Iedereen zegt wat hij of zij zou doen, en waarom.
5. De inbrenger zegt wat hij of zij meeneemt.
"""


def half_day(content: Content, principle: str) -> Draft:
    draft = Draft(titel="Training: een dagdeel", editie="deelnemer")
    draft.dag = {"dagdelen": "1"}
    draft.add_own(WELCOME_HALF)
    draft.add("principe", principle)
    draft.add("notities", pages=1)
    return draft


def full_day(content: Content, principle: str) -> Draft:
    draft = Draft(titel="Training: een hele dag", editie="deelnemer")
    draft.dag = {"dagdelen": "2"}
    draft.add_own(WELCOME_FULL)
    slugs = [p.slug for p in content.principles]
    second = next((s for s in slugs if s != principle), None)
    for slug in [principle, *([second] if second else [])]:
        draft.add("principe", slug)
    draft.add("notities", pages=2)
    return draft


def intervision(content: Content, principle: str) -> Draft:
    draft = Draft(titel="Intervisie", editie="deelnemer")
    draft.dag = {"dagdelen": "1"}
    draft.add_own(INTERVISION)
    found = [e.slug for _, e in content.exercises() if "intervisie" in e.slug]
    if found:
        draft.add("oefening", found[0])
    else:
        draft.add("principe", principle)
    draft.add("notities", pages=2)
    return draft


STARTS: dict[str, tuple[str, str, Callable[[Content, str], Draft]]] = {
    "halve-dag": (
        "Een dagdeel over één basisprincipe",
        "Een welkomstpagina met het programma, het basisprincipe dat je kiest, en een pagina "
        "voor aantekeningen.",
        half_day,
    ),
    "hele-dag": (
        "Een hele dag",
        "Een welkomstpagina met het programma, twee basisprincipes (het gekozen en het "
        "volgende) en twee pagina's voor aantekeningen.",
        full_day,
    ),
    "intervisie": (
        "Een intervisiebijeenkomst",
        "Een pagina met de stappen van intervisie, een oefening om samen een situatie te "
        "bespreken, en twee pagina's voor aantekeningen.",
        intervision,
    ),
}
"""The starting points, by the word in their form: title, what is in it, how it is made."""


def context(request: Request) -> dict[str, Any]:
    return {"active": "hulp", "starts": STARTS}


async def show(request: Request) -> Response:
    return site_of(request).page(request, "hulp.html", **context(request))


async def start(request: Request) -> Response:
    """A starting point as the draft; first a question when that replaces work (kept to
    undo)."""
    site = site_of(request)
    content = site.project.content
    async with request.form() as form:
        name = form_text(form, "voorbeeld", 20)
        principle = form_text(form, "principe", 100)
        confirmed = form_text(form, "bevestigd", 3) == "ja"
    if name not in STARTS:
        return back(request, "help")
    slugs = [p.slug for p in content.principles]
    if principle not in slugs:
        principle = slugs[0]
    title, _, make = STARTS[name]
    current = site.draft(request)
    if not confirmed and not current.empty:
        return site.page(
            request,
            "bevestigen.html",
            active="hulp",
            title=f"Beginnen met “{title}”?",
            question=f"Het voorbeeld komt in de plaats van je werkboek “{current.titel}”.",
            comfort="Daarna kun je je werkboek nog terugzetten met “Ongedaan maken”.",
            action=path_for(request, "help_start"),
            fields={"voorbeeld": name, "principe": principle},
            yes="Ja, beginnen",
            back=path_for(request, "help"),
        )
    note = f"Je werkboek is vervangen door het voorbeeld “{title}”."
    kept = site.drafts.replace(site.session(request), make(content, principle), note)
    return replaced(request, kept)


ROUTES: list[BaseRoute] = [
    Route("/hulp", show, methods=["GET"], name="help"),
    Route("/hulp/voorbeeld", start, methods=["POST"], name="help_start"),
]
