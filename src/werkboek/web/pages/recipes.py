"""Recipes on the server: the organisation's (the recipes folder the command line reads)
and each trainer's own.

List, open (into the composer), duplicate, delete, download as YAML, copy a shared one to
one's own recipes, upload a recipe file to continue with, and save the composer's workbook
as a recipe. Every trainer reads the organisation's recipes; only a beheerder changes them
(a trainer gets 403). A trainer's own recipes are files in a folder of the account's own
(``.web/recepten/<space>/``, the account's random space key): the same YAML as the shared
ones, so they open, download, build and back up the same way, and a name from another
trainer's recipes finds nothing (404). A recipe is named by a slug — never a path from the
request — and only files in the place's folder are read or written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...content.slugs import is_slug
from ...errors import Problem, RecipeError
from ...files.atomic import write_atomically
from ...recipes import MAX_BYTES, load_recipe, parse_recipe, recipe_yaml
from .. import security
from ..drafts import Draft
from ..responses import Download, back, download, form_text, path_for
from ..site import Site, site_of
from .composer import check, replaced

Endpoint = Callable[[Request], Awaitable[Response]]


SHARED = "organisatie"
"""The organisation's recipes: the recipes folder the command line reads, read-only for
trainers; a beheerder saves and deletes there."""
OWN = "mijn"
"""A trainer's own recipes: a folder of the account's own below the server's state
(``.web/recepten/<space>/``), the same YAML files as the shared ones."""


@dataclass(frozen=True)
class Saved:
    name: str
    title: str
    edition: str
    items: int
    modified: dt.datetime
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Place:
    """Where recipes are kept: the organisation's (shared) or the trainer's own."""

    key: str
    folder: Path
    writable: bool
    route: str
    """The prefix of its routes' names (``recipe``, ``own_recipe``)."""


def may_manage(request: Request) -> bool:
    """Whether this user manages the organisation's recipes: a beheerder, or the one person
    of the single-token mode (or a laptop without a token), whose recipes they are."""
    actor = security.actor_of(request)
    return actor is None or actor.is_beheerder


def own_folder(site: Site, request: Request) -> Path | None:
    """The account's own recipes folder; ``None`` without accounts (one person: the
    recipes folder is theirs)."""
    actor = security.actor_of(request)
    if actor is None:
        return None
    return site.state / "recepten" / actor.space


def place_of(request: Request, key: str) -> Place:
    """The place ``key`` for this user (404 when they have none such)."""
    site = site_of(request)
    if key == OWN:
        mine = own_folder(site, request)
        if mine is None:
            raise HTTPException(404)
        return Place(OWN, mine, True, "own_recipe")
    if site.project.recipes_dir is None:
        raise HTTPException(404)
    return Place(SHARED, site.project.recipes_dir, may_manage(request), "recipe")


def places(request: Request) -> list[Place]:
    """Every place this user sees recipes in: their own first."""
    found = []
    for key in (OWN, SHARED):
        with contextlib.suppress(HTTPException):
            found.append(place_of(request, key))
    return found


def writable(place: Place) -> Place:
    """``place`` if this user may change it (a trainer may not change the organisation's:
    403, asked after the recipe was found, so a name that is not there is a 404 for all)."""
    if not place.writable:
        raise HTTPException(403)
    return place


def path_of(place: Place, name: str) -> Path:
    """The file of the recipe called ``name``: always in the place's folder (404 if not)."""
    if not is_slug(name) or len(name) > 80:
        raise HTTPException(404)
    path = place.folder / f"{name}.yaml"
    if not path.resolve().is_relative_to(place.folder.resolve()):
        raise HTTPException(404)
    return path


def existing(request: Request, place: Place) -> Path:
    """The file of the recipe the URL names, which must exist (404 if not)."""
    path = path_of(place, request.path_params["name"])
    if not path.is_file():
        raise HTTPException(404)
    return path


def read_saved(site: Site, path: Path) -> Saved:
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
    try:
        recipe = load_recipe(path, site.project.content)
    except RecipeError as exc:
        return Saved(path.stem, path.stem, "", 0, modified, tuple(exc.problems))
    return Saved(path.stem, recipe.title, recipe.edition, len(recipe.selections), modified, ())


def saved(site: Site, place: Place) -> list[Saved]:
    """The recipes in a place's folder (only slug-named files inside it)."""
    base = place.folder
    paths = sorted(base.glob("*.yaml")) if base.is_dir() else []
    return [
        read_saved(site, path)
        for path in paths
        if is_slug(path.stem) and path.resolve().is_relative_to(base.resolve())
    ]


def listing_page(request: Request, problems: list[Problem], status: int = 200) -> Response:
    """The recipes page; ``problems`` those of an upload that could not be opened."""
    site = site_of(request)
    return site.page(
        request,
        "recepten.html",
        status=status,
        active="recepten",
        places=[(place, saved(site, place)) for place in places(request)],
        upload_problems=problems,
    )


async def listing(request: Request) -> Response:
    # (every saved recipe is read and checked: not on the event loop)
    return await run_in_threadpool(listing_page, request, [])


def open_in_composer(
    request: Request,
    text: str,
    name: str,
    confirmed: bool,
    saved_as: str = "",
    place: Place | None = None,
) -> Response:
    """A recipe's text as the session's draft, if it is a good recipe; first a question when
    that replaces work (which is kept to undo). ``saved_as``: the recipe's name on the
    server (in ``place``), under which the draft is saved again."""
    site = site_of(request)
    try:
        parse_recipe(text, site.project.content, name, site.project.recipes_dir)
    except RecipeError as exc:
        return listing_page(request, list(exc.problems), status=422)
    draft = Draft.from_mapping(yaml.safe_load(text))
    draft.naam = saved_as
    draft.plek = place.key if place is not None else ""
    current = site.draft(request)
    if not confirmed and not current.empty:
        fields = {} if saved_as else {"recept": text}
        action = (
            path_for(request, f"{place.route}_open", name=saved_as)
            if saved_as and place is not None
            else path_for(request, "recipe_upload")
        )
        return site.page(
            request,
            "bevestigen.html",
            active="recepten",
            title=f"“{draft.titel}” openen?",
            question=f"Het recept komt in de plaats van je werkboek “{current.titel}”.",
            comfort="Daarna kun je je werkboek nog terugzetten met “Ongedaan maken”.",
            action=action,
            fields=fields,
            yes="Ja, openen",
            back=path_for(request, "recipes"),
        )
    note = f"Het recept “{draft.titel}” is geopend in plaats van je werkboek."
    return replaced(request, site.drafts.replace(site.session(request), draft, note))


async def open_saved(request: Request, place: Place) -> Response:
    path = existing(request, place)
    async with request.form() as form:
        confirmed = form_text(form, "bevestigd", 3) == "ja"
    text = path.read_text(encoding="utf-8")
    return await run_in_threadpool(
        open_in_composer, request, text, path.name, confirmed, path.stem, place
    )


async def uploaded_text(file: UploadFile) -> str:
    """An uploaded recipe's text (raises the problem when it is too large or not UTF-8)."""
    data = await file.read(MAX_BYTES + 1)
    name = Path(file.filename or "").name[:100]
    if len(data) > MAX_BYTES:
        too_large = f"het recept is te groot (hoogstens {MAX_BYTES // 1000} kB)"
        raise RecipeError(Problem(name, 1, 1, "", too_large))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        not_utf8 = "geen UTF-8-tekst; bewaar het bestand als UTF-8"
        raise RecipeError(Problem(name, 1, 1, "", not_utf8)) from None
    if not text.strip():
        raise RecipeError(Problem(name, 0, 0, "", "het bestand is leeg"))
    return text


async def upload(request: Request) -> Response:
    async with request.form() as form:
        if form_text(form, "bevestigd", 3) == "ja":  # the upload's text, after the question
            text = form_text(form, "recept", MAX_BYTES)
            return await run_in_threadpool(open_in_composer, request, text, "recept", True)
        file = form.get("bestand")
        if not isinstance(file, UploadFile) or not file.filename:
            missing = Problem("", 0, 0, "bestand", "kies eerst een receptbestand (.yaml)")
            return await run_in_threadpool(listing_page, request, [missing], 422)
        try:
            text = await uploaded_text(file)
        except RecipeError as exc:
            return await run_in_threadpool(listing_page, request, list(exc.problems), 422)
        name = Path(file.filename).name[:100]
        return await run_in_threadpool(open_in_composer, request, text, name, False)


def free_name(folder: Path, stem: str, number: int = 1) -> Path:
    """``stem.yaml`` in ``folder`` (from ``number`` 2 on: ``stem-2.yaml``), or the next
    number when that is taken."""
    while True:
        target = folder / (f"{stem}.yaml" if number == 1 else f"{stem}-{number}.yaml")
        if not target.exists():
            return target
        number += 1


async def duplicate(request: Request, place: Place) -> Response:
    source = existing(request, place)
    writable(place)
    write_atomically(free_name(place.folder, source.stem, 2), source.read_bytes())
    return back(request, "recipes")


async def copy_to_own(request: Request, place: Place) -> Response:
    """Kopiëren naar mijn recepten: a shared recipe as a new recipe of the trainer's own."""
    source = existing(request, place)
    mine = place_of(request, OWN)
    target = free_name(mine.folder, source.stem)
    write_atomically(target, source.read_bytes())
    return back(request, "recipes", query={"gekopieerd": target.stem})


async def confirm_delete(request: Request, place: Place) -> Response:
    name = existing(request, place).stem
    writable(place)
    return site_of(request).page(
        request, "recept_verwijderen.html", active="recepten", name=name, place=place
    )


async def delete(request: Request, place: Place) -> Response:
    path = existing(request, place)
    writable(place)
    path.unlink()
    return back(request, "recipes")


async def yaml_file(request: Request, place: Place) -> Response:
    path = existing(request, place)
    return download(Download(path.name, path.read_bytes(), "application/yaml"))


async def save_problems(
    site: Site, place: Place, name: str, draft: Draft, replace: bool
) -> list[Problem]:
    """Why the draft cannot be saved as recipe ``name`` in ``place``: nothing when it can."""
    problems: list[Problem] = []
    if not is_slug(name) or len(name) > 80:
        problems.append(Problem("", 0, 0, "naam", "een naam van kleine letters, cijfers en -"))
    try:
        text = recipe_yaml(draft.mapping())
        await run_in_threadpool(parse_recipe, text, site.project.content, "werkboek")
    except RecipeError as exc:
        problems += exc.problems
    same = name == draft.naam and place.key == (draft.plek or SHARED)
    if not problems and path_of(place, name).exists() and not replace and not same:
        taken = f"er is al een recept '{name}'; kies een andere naam of vink 'vervangen' aan"
        problems.append(Problem("", 0, 0, "naam", taken))
    return problems


async def save(request: Request) -> Response:
    """The composer's workbook as a recipe: the trainer's own; a beheerder may choose the
    organisation's (``waar``); the one person of the single-token mode saves in the
    recipes folder."""
    site = site_of(request)
    async with request.form() as form:
        name = form_text(form, "naam", 80).strip()
        replace = form_text(form, "vervangen", 3) == "ja"
        where = form_text(form, "waar", 20)
    if own_folder(site, request) is None:
        where = SHARED
    elif where not in (OWN, SHARED):
        where = OWN
    place = writable(place_of(request, where))
    draft = site.draft(request)
    if not name:  # the name the title gives
        checked = check(site, draft)
        name = checked.recipe.slug if checked.recipe is not None else ""
    problems = await save_problems(site, place, name, draft, replace)
    if problems:
        return site.page(
            request, "bewaren_mislukt.html", status=422, active="werkboek", problems=problems
        )
    write_atomically(path_of(place, name), recipe_yaml(draft.mapping()).encode())
    draft.naam, draft.plek = name, place.key  # saving again replaces this recipe
    site.save_draft(request, draft)
    return back(request, "recipes", query={"bewaard": name})


def _in(key: str, handler: Callable[[Request, Place], Awaitable[Response]]) -> Endpoint:
    """``handler`` for the recipes of place ``key``."""

    async def endpoint(request: Request) -> Response:
        return await handler(request, place_of(request, key))

    endpoint.__name__ = f"{handler.__name__}_{key}"
    return endpoint


def place_routes(base: str, key: str, prefix: str) -> list[BaseRoute]:
    """The routes of one place's recipes, below ``base``, named ``prefix_…``."""
    item = base + "/{name:str}"
    return [
        Route(item + ".yaml", _in(key, yaml_file), methods=["GET"], name=f"{prefix}_file"),
        Route(item + "/openen", _in(key, open_saved), methods=["POST"], name=f"{prefix}_open"),
        Route(
            item + "/dupliceren",
            _in(key, duplicate),
            methods=["POST"],
            name=f"{prefix}_duplicate",
        ),
        Route(
            item + "/verwijderen",
            _in(key, confirm_delete),
            methods=["GET"],
            name=f"{prefix}_delete",
        ),
        Route(item + "/verwijderen", _in(key, delete), methods=["POST"], name=f"{prefix}_delete"),
    ]


ROUTES: list[BaseRoute] = [
    Route("/recepten", listing, methods=["GET"], name="recipes"),
    Route("/recepten/openen", upload, methods=["POST"], name="recipe_upload"),
    Route("/recepten/opslaan", save, methods=["POST"], name="recipe_save"),
    Route(
        "/recepten/{name:str}/kopieren",
        _in(SHARED, copy_to_own),
        methods=["POST"],
        name="recipe_copy",
    ),
    *place_routes("/recepten", SHARED, "recipe"),
    *place_routes("/mijn-recepten", OWN, "own_recipe"),
]
