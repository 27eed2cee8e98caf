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

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..content.catalogue import build_catalogue
from ..errors import RecipeError
from ..recipes import EDITIONS, MAX_BYTES, Recipe, parse_recipe
from .responses import Download, download
from .site import site_of

TYPES = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
}


class Refusal(Exception):
    """A request the API does not take: its status and why, in Dutch."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_body(request: Request) -> str:
    """The request's recipe text (raises the JSON answer when it is too large or not
    UTF-8)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise Refusal(413, f"het recept is te groot (hoogstens {MAX_BYTES // 1000} kB)")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refusal(400, "het recept is geen UTF-8-tekst") from None


def recipe_of(request: Request, text: str) -> Recipe:
    """The request's recipe, in the edition the query asks for."""
    recipe = parse_recipe(text, site_of(request).project.content, "recept")
    return recipe.with_edition(request.query_params.get("editie"))


async def workbook(request: Request) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    edition = request.query_params.get("editie")
    try:
        if media not in TYPES:
            raise Refusal(415, "stuur het recept als application/json of application/yaml")
        if edition is not None and edition not in EDITIONS:
            raise Refusal(400, f"editie {edition!r} bestaat niet; kies deelnemer of trainer")
        text = await read_body(request)
        recipe = await run_in_threadpool(recipe_of, request, text)  # (parses off the loop)
    except Refusal as refusal:
        return JSONResponse({"fout": refusal.message}, status_code=refusal.status)
    except RecipeError as exc:
        problems = [
            {"regel": p.line, "kolom": p.column, "pad": p.path, "bericht": p.message}
            for p in exc.problems
        ]
        return JSONResponse({"problemen": problems}, status_code=422)
    data = await site_of(request).workbook_pdf(request, recipe)
    return download(Download(f"{recipe.file_stem}.pdf", data))


async def catalogue(request: Request) -> Response:
    return JSONResponse(build_catalogue(site_of(request).project.content))


ROUTES: list[BaseRoute] = [
    Route("/api/werkboek", workbook, methods=["POST"], name="api_workbook"),
    Route("/api/catalogus", catalogue, methods=["GET"], name="api_catalogue"),
]
