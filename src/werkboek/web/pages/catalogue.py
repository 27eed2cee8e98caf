"""The home page: the catalogue of everything a trainer can use, and the ready products."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..drafts import KINDS as ITEM_KINDS
from ..jobs import Job, Work
from ..ready import Ready, find, grouped, make
from ..responses import Download, form_text, is_htmx, local_path, path_for, redirect
from ..search import DURATIONS, KINDS, entries, kind_labels, select
from ..site import Site, site_of


def _filters(request: Request) -> dict[str, object]:
    query = request.query_params
    group = query.get("groep", "")
    return {
        "word": query.get("zoek", "")[:100],
        "principle": query.get("principe", ""),
        "kind": query.get("soort", "") if query.get("soort", "") in KINDS else "",
        "duration": query.get("duur", "") if query.get("duur", "") in DURATIONS else "",
        "group": int(group) if group.isdigit() and 0 < int(group) < 100 else None,
    }


async def home(request: Request) -> Response:
    site = site_of(request)
    filters = _filters(request)
    context: dict[str, Any] = {
        "active": "catalogus",
        "entries": select(entries(site.project.content), **filters),  # type: ignore[arg-type]
        "filters": filters,
        "kinds": kind_labels(site.project.content),
        "durations": DURATIONS,
        "draft": site.draft(request),
        "products": grouped(site.project),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "resultaten":
        return site.page(request, "catalogus_resultaten.html", **context)
    return site.page(request, "catalogus.html", **context)


def _making(site: Site, ready: Ready) -> Work:
    """The job that makes a ready product."""

    def work(job: Job) -> Download:
        job.step(0, 1, "wordt gemaakt")
        data = make(site.project, ready)
        job.step(1, 1)
        return Download(ready.download_name, data)

    return work


async def build(request: Request) -> Response:
    site = site_of(request)
    async with request.form() as form:
        ready = find(site.project, form_text(form, "product", 200))
    if ready is None:
        raise HTTPException(404)
    return site.start_job(request, "product", ready.title, _making(site, ready))


async def add(request: Request) -> Response:
    site = site_of(request)
    async with request.form() as form:
        kind = form_text(form, "soort", 20)
        slug = form_text(form, "slug", 200)
        wanted = form_text(form, "terug", 500)
    if kind not in ITEM_KINDS:
        raise HTTPException(404)
    draft = site.draft(request)
    draft.add(kind, slug, pages=1)
    site.save_draft(request, draft)
    if is_htmx(request):
        count = len(draft.onderdelen)
        return site.page(request, "toegevoegd.html", active="", kind=kind, slug=slug, count=count)
    return redirect(local_path(wanted, path_for(request, "catalogue")))


ROUTES: list[BaseRoute] = [
    Route("/", home, methods=["GET"], name="catalogue"),
    Route("/producten", build, methods=["POST"], name="product"),
    Route("/werkboek/onderdelen", add, methods=["POST"], name="composer_add"),
]
