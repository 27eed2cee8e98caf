"""The HTTP API, for scripts and learning platforms.

``POST /api/werkboek`` takes a recipe as JSON or YAML (``Content-Type:
application/json`` or ``application/yaml``) and returns the workbook as PDF
(``?editie=trainer`` for the trainer edition); a bad recipe gets ``422`` and every
problem as JSON (``regel``, ``kolom``, ``pad``, ``bericht``). Only those two content
types are accepted, so a form on another site cannot reach it (a browser needs a CORS
pre-flight for them, which this server does not grant). ``GET /api/catalogus`` is the
catalogue as ``werkboek list --json`` gives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..content.catalogue import build_catalogue
from ..errors import RecipeError
from ..products import WorkbookOptions, WorkbookProduct
from ..recipes import EDITIONS, MAX_BYTES, Recipe, parse_recipe
from .pages.tasks import Download, download

if TYPE_CHECKING:
    from .app import WebApp

TYPES = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
}


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"fout": message}, status_code=status)


def routes(app: WebApp) -> list[Route]:
    async def workbook(request: Request) -> Response:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in TYPES:
            return _problem(415, "stuur het recept als application/json of application/yaml")
        edition = request.query_params.get("editie")
        if edition is not None and edition not in EDITIONS:
            return _problem(400, f"editie {edition!r} bestaat niet; kies deelnemer of trainer")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BYTES:
                return _problem(413, f"het recept is te groot (hoogstens {MAX_BYTES // 1000} kB)")
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _problem(400, "het recept is geen UTF-8-tekst")
        try:
            recipe = parse_recipe(text, app.project.content, "recept")
        except RecipeError as exc:
            problems = [
                {"regel": p.line, "kolom": p.column, "pad": p.path, "bericht": p.message}
                for p in exc.problems
            ]
            return JSONResponse({"problemen": problems}, status_code=422)
        recipe = recipe.with_edition(edition)

        def render(recipe: Recipe) -> bytes:
            product = WorkbookProduct(app.project, WorkbookOptions(recipe))
            return product.pdf(next(iter(product.targets())))

        data = await run_in_threadpool(render, recipe)
        return download(Download(f"{recipe.file_stem}.pdf", data))

    async def catalogue(request: Request) -> Response:
        return JSONResponse(build_catalogue(app.project.content))

    return [
        Route("/api/werkboek", workbook, methods=["POST"]),
        Route("/api/catalogus", catalogue, methods=["GET"]),
    ]
