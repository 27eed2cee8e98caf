"""The home page: the catalogue of everything a trainer can use, and the ready products."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..app import back, form_text, is_htmx, local_path
from ..catalogue import DURATIONS, KINDS, entries, select
from ..drafts import KINDS as ITEM_KINDS
from ..jobs import Job
from ..products import find, grouped, make
from ..security import protected
from . import tasks
from .tasks import Download

if TYPE_CHECKING:
    from ..app import WebApp


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


def routes(app: WebApp) -> list[Route]:
    async def home(request: Request) -> Response:
        content = app.project.content
        filters = _filters(request)
        found = select(entries(content), **filters)  # type: ignore[arg-type]
        draft = app.draft(request)
        context: dict[str, Any] = {
            "active": "catalogus",
            "entries": found,
            "filters": filters,
            "kinds": KINDS,
            "durations": DURATIONS,
            "draft": draft,
            "products": grouped(app.project),
        }
        if is_htmx(request) and request.headers.get("hx-target") == "resultaten":
            return app.page(request, "catalogus_resultaten.html", **context)
        return app.page(request, "catalogus.html", **context)

    async def build(request: Request) -> Response:
        form = await request.form()
        ready = find(app.project, form_text(form, "product", 200))
        if ready is None:
            raise HTTPException(404)

        def work(job: Job) -> Download:
            job.step(0, 1, "wordt gemaakt")
            data = make(app.project, ready)
            job.step(1, 1)
            return Download(ready.download_name, data)

        return app.start_job(request, "product", ready.title, work)

    async def add(request: Request) -> Response:
        form = await request.form()
        kind = form_text(form, "soort", 20)
        slug = form_text(form, "slug", 200)
        if kind not in ITEM_KINDS:
            raise HTTPException(404)
        draft = app.draft(request)
        draft.add(kind, slug, pages=1)
        app.save_draft(request, draft)
        if is_htmx(request):
            return app.page(
                request,
                "toegevoegd.html",
                active="",
                kind=kind,
                slug=slug,
                count=len(draft.onderdelen),
            )
        return back(local_path(form_text(form, "terug", 500)))

    return [
        Route("/", home, methods=["GET"]),
        Route("/producten", protected(build), methods=["POST"]),
        Route("/werkboek/onderdelen", protected(add), methods=["POST"]),
        *tasks.routes(app),
    ]
