"""Recipes on the server: the recipes folder the command line reads.

List, open (into the composer), duplicate, delete, download as YAML, upload a recipe
file to continue with, and save the composer's workbook as a recipe. A recipe is named
by a slug — never a path from the request — and only files in the recipes folder are
read or written.
"""

from __future__ import annotations

import datetime as dt
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
from ..drafts import Draft
from ..responses import Download, back, download, form_text, path_for
from ..site import Site, site_of
from .composer import check, replaced


@dataclass(frozen=True)
class Saved:
    name: str
    title: str
    edition: str
    items: int
    modified: dt.datetime
    problems: tuple[Problem, ...]


def folder(site: Site) -> Path:
    """The recipes folder (404 when the server has none)."""
    if site.project.recipes_dir is None:
        raise HTTPException(404)
    return site.project.recipes_dir


def path_of(site: Site, name: str) -> Path:
    """The file of the recipe called ``name``: always in the recipes folder (404 if not)."""
    if not is_slug(name) or len(name) > 80:
        raise HTTPException(404)
    path = folder(site) / f"{name}.yaml"
    if not path.resolve().is_relative_to(folder(site).resolve()):
        raise HTTPException(404)
    return path


def existing(request: Request) -> Path:
    """The file of the recipe the URL names, which must exist (404 if not)."""
    path = path_of(site_of(request), request.path_params["name"])
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


def saved(site: Site) -> list[Saved]:
    """The recipes in the folder (only slug-named files inside it)."""
    base = folder(site)
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
        recipes=saved(site),
        upload_problems=problems,
    )


async def listing(request: Request) -> Response:
    return listing_page(request, [])


def open_in_composer(
    request: Request, text: str, name: str, confirmed: bool, saved_as: str = ""
) -> Response:
    """A recipe's text as the session's draft, if it is a good recipe; first a question when
    that replaces work (which is kept to undo). ``saved_as``: the recipe's name on the
    server, under which the draft is saved again."""
    site = site_of(request)
    try:
        parse_recipe(text, site.project.content, name, site.project.recipes_dir)
    except RecipeError as exc:
        return listing_page(request, list(exc.problems), status=422)
    draft = Draft.from_mapping(yaml.safe_load(text))
    draft.naam = saved_as
    current = site.draft(request)
    if not confirmed and not current.empty:
        fields = {} if saved_as else {"recept": text}
        action = (
            path_for(request, "recipe_open", name=saved_as)
            if saved_as
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


async def open_saved(request: Request) -> Response:
    path = existing(request)
    async with request.form() as form:
        confirmed = form_text(form, "bevestigd", 3) == "ja"
    text = path.read_text(encoding="utf-8")
    return open_in_composer(request, text, path.name, confirmed, path.stem)


async def uploaded_text(file: UploadFile) -> str:
    """An uploaded recipe's text (raises the problem when it is too large or not UTF-8)."""
    data = await file.read(MAX_BYTES + 1)
    name = Path(file.filename or "").name[:100]
    if len(data) > MAX_BYTES:
        too_large = f"het recept is te groot (hoogstens {MAX_BYTES // 1000} kB)"
        raise RecipeError(Problem(name, 1, 1, "", too_large))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        not_utf8 = "geen UTF-8-tekst; bewaar het bestand als UTF-8"
        raise RecipeError(Problem(name, 1, 1, "", not_utf8)) from None


async def upload(request: Request) -> Response:
    async with request.form() as form:
        if form_text(form, "bevestigd", 3) == "ja":  # the upload's text, after the question
            return open_in_composer(request, form_text(form, "recept", MAX_BYTES), "recept", True)
        file = form.get("bestand")
        if not isinstance(file, UploadFile) or not file.filename:
            missing = Problem("", 0, 0, "bestand", "kies een receptbestand (.yaml)")
            return listing_page(request, [missing], status=422)
        try:
            text = await uploaded_text(file)
        except RecipeError as exc:
            return listing_page(request, list(exc.problems), status=422)
        return open_in_composer(request, text, Path(file.filename).name[:100], False)


async def duplicate(request: Request) -> Response:
    source = existing(request)
    number = 2
    while (target := source.with_name(f"{source.stem}-{number}.yaml")).exists():
        number += 1
    write_atomically(target, source.read_bytes())
    return back(request, "recipes")


async def confirm_delete(request: Request) -> Response:
    name = existing(request).stem
    return site_of(request).page(request, "recept_verwijderen.html", active="recepten", name=name)


async def delete(request: Request) -> Response:
    path = path_of(site_of(request), request.path_params["name"])
    if path.is_file():
        path.unlink()
    return back(request, "recipes")


async def yaml_file(request: Request) -> Response:
    path = existing(request)
    return download(Download(path.name, path.read_bytes(), "application/yaml"))


async def save_problems(site: Site, name: str, draft: Draft, replace: bool) -> list[Problem]:
    """Why the draft cannot be saved as recipe ``name``: nothing when it can."""
    problems: list[Problem] = []
    if not is_slug(name):
        problems.append(Problem("", 0, 0, "naam", "een naam van kleine letters, cijfers en -"))
    try:
        text = recipe_yaml(draft.mapping())
        await run_in_threadpool(parse_recipe, text, site.project.content, "werkboek")
    except RecipeError as exc:
        problems += exc.problems
    if not problems and path_of(site, name).exists() and not replace and name != draft.naam:
        taken = f"er is al een recept '{name}'; kies een andere naam of vink 'vervangen' aan"
        problems.append(Problem("", 0, 0, "naam", taken))
    return problems


async def save(request: Request) -> Response:
    site = site_of(request)
    async with request.form() as form:
        name = form_text(form, "naam", 80).strip()
        replace = form_text(form, "vervangen", 3) == "ja"
    draft = site.draft(request)
    if not name:  # the name the title gives
        checked = check(site, draft)
        name = checked.recipe.slug if checked.recipe is not None else ""
    problems = await save_problems(site, name, draft, replace)
    if problems:
        return site.page(
            request, "bewaren_mislukt.html", status=422, active="werkboek", problems=problems
        )
    write_atomically(path_of(site, name), recipe_yaml(draft.mapping()).encode())
    draft.naam = name  # saving again replaces this recipe
    site.save_draft(request, draft)
    return back(request, "recipes", query={"bewaard": name})


ROUTES: list[BaseRoute] = [
    Route("/recepten", listing, methods=["GET"], name="recipes"),
    Route("/recepten/openen", upload, methods=["POST"], name="recipe_upload"),
    Route("/recepten/opslaan", save, methods=["POST"], name="recipe_save"),
    Route("/recepten/{name:str}.yaml", yaml_file, methods=["GET"], name="recipe_file"),
    Route("/recepten/{name:str}/openen", open_saved, methods=["POST"], name="recipe_open"),
    Route("/recepten/{name:str}/dupliceren", duplicate, methods=["POST"], name="recipe_duplicate"),
    Route(
        "/recepten/{name:str}/verwijderen", confirm_delete, methods=["GET"], name="recipe_delete"
    ),
    Route("/recepten/{name:str}/verwijderen", delete, methods=["POST"], name="recipe_delete"),
]
