"""Printing the composer's workbook: the A5 booklet, the print shop's file, its cards.

Each download is made by the same product as the command line (``werkboek workbook
--booklet``, ``werkboek build workbook --drukwerk``, ``werkboek build cards``), so it is the
same bytes; beside each, how to print it, in a trainer's words.
"""

from __future__ import annotations

import io
import zipfile

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...products import CardOptions, CardsProduct, WorkbookOptions, WorkbookProduct
from ...project import Project
from ...recipes import Recipe
from ..responses import Download, back, download
from ..site import site_of
from .composer import check
from .day import ZIP_TIME

CARD_SIZES = ("a5", "a6")


async def show(request: Request) -> Response:
    site = site_of(request)
    checked = await run_in_threadpool(check, site, site.draft(request))
    recipe = checked.recipe
    cards = [exercise.plain_title for _, exercise in recipe.exercises()] if recipe else []
    return site.page(request, "drukken.html", active="drukken", checked=checked, cards=cards)


def booklet_files(project: Project, recipe: Recipe) -> dict[str, tuple[str, bytes]]:
    """The A5 workbook and the booklet imposed from it, by kind: the file name and bytes."""
    product = WorkbookProduct(project, WorkbookOptions(recipe, booklet=True))
    booklet = next(t for t in product.targets() if t.context.get("page_format") == "a5")
    [files] = product.pdfs([booklet])
    found = {}
    for path, data in zip(booklet.files, files, strict=True):
        found["boekje" if path.stem.endswith("-boekje") else "a5"] = (path.name, data)
    return found


def print_shop_pdf(project: Project, recipe: Recipe) -> tuple[str, bytes]:
    product = WorkbookProduct(project, WorkbookOptions(recipe))
    target = next(iter(product.targets()))
    return target.path.name, product.pdf(target)


def cards_zip(project: Project, recipe: Recipe, size: str) -> bytes:
    """The single cards of the workbook's exercises (front, then back), in one ZIP."""
    product = CardsProduct(project, CardOptions(card_size=size))  # type: ignore[arg-type]
    target = next(t for t in product.targets() if t.context.get("kind") == "oefeningen")
    wanted = [exercise.slug for _, exercise in recipe.exercises()]
    [files] = product.pdfs([target])
    made = {path.stem: data for path, data in zip(target.files, files, strict=True)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for slug in dict.fromkeys(wanted):
            if slug in made:
                info = zipfile.ZipInfo(f"{slug}.pdf", ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, made[slug])
    return out.getvalue()


def recipe_or_none(request: Request) -> Recipe | None:
    site = site_of(request)
    return check(site, site.draft(request)).recipe


async def booklet(request: Request) -> Response:
    recipe = await run_in_threadpool(recipe_or_none, request)
    if recipe is None:
        return back(request, "print")
    kind = request.path_params["kind"]
    if kind not in ("boekje", "a5"):
        raise HTTPException(404)
    files = await run_in_threadpool(booklet_files, site_of(request).project, recipe)
    name, data = files[kind]
    return download(Download(name, data))


async def print_shop(request: Request) -> Response:
    recipe = await run_in_threadpool(recipe_or_none, request)
    if recipe is None:
        return back(request, "print")
    site = site_of(request)
    name, data = await run_in_threadpool(print_shop_pdf, site.print_shop, recipe)
    return download(Download(f"drukwerk-{name}", data))


async def cards(request: Request) -> Response:
    recipe = await run_in_threadpool(recipe_or_none, request)
    size = request.path_params["size"]
    if size not in CARD_SIZES:
        raise HTTPException(404)
    if recipe is None or not recipe.exercises():
        return back(request, "print")
    data = await run_in_threadpool(cards_zip, site_of(request).project, recipe, size)
    name = f"{recipe.slug}-kaarten-{size}.zip"
    return download(Download(name, data, "application/zip"))


ROUTES: list[BaseRoute] = [
    Route("/drukken", show, methods=["GET"], name="print"),
    Route("/drukken/werkboek-{kind:str}.pdf", booklet, methods=["GET"], name="print_booklet"),
    Route("/drukken/drukwerk.pdf", print_shop, methods=["GET"], name="print_shop"),
    Route("/drukken/kaarten-{size:str}.zip", cards, methods=["GET"], name="print_cards"),
]
