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
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...content.slugs import is_slug
from ...errors import Problem, RecipeError
from ...files.atomic import write_atomically
from ...recipes import MAX_BYTES, load_recipe, parse_recipe, recipe_yaml
from ..app import back, form_text
from ..drafts import Draft
from ..security import protected
from .tasks import Download, download

if TYPE_CHECKING:
    from ..app import WebApp


@dataclass(frozen=True)
class Saved:
    name: str
    title: str
    edition: str
    items: int
    modified: dt.datetime
    problems: tuple[Problem, ...]


def routes(app: WebApp) -> list[Route]:
    def folder() -> Path:
        if app.project.recipes_dir is None:
            raise HTTPException(404)
        return app.project.recipes_dir

    def path_of(name: str) -> Path:
        if not is_slug(name) or len(name) > 80:
            raise HTTPException(404)
        path = folder() / f"{name}.yaml"
        if not path.resolve().is_relative_to(folder().resolve()):
            raise HTTPException(404)
        return path

    def saved() -> list[Saved]:
        found = []
        base = folder()
        for path in sorted(base.glob("*.yaml")) if base.is_dir() else []:
            if not is_slug(path.stem) or not path.resolve().is_relative_to(base.resolve()):
                continue
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
            try:
                recipe = load_recipe(path, app.project.content)
                found.append(
                    Saved(
                        path.stem,
                        recipe.title,
                        recipe.edition,
                        len(recipe.selections),
                        modified,
                        (),
                    )
                )
            except RecipeError as exc:
                found.append(Saved(path.stem, path.stem, "", 0, modified, tuple(exc.problems)))
        return found

    async def listing(request: Request) -> Response:
        return app.page(
            request,
            "recepten.html",
            active="recepten",
            recipes=saved(),
            upload_problems=[],
            folder=str(app.project.recipes_dir),
        )

    def open_in_composer(request: Request, text: str, name: str) -> Response:
        try:
            parse_recipe(text, app.project.content, name, app.project.recipes_dir)
        except RecipeError as exc:
            return refused(request, list(exc.problems))
        import yaml

        data = yaml.safe_load(text)
        app.save_draft(request, Draft.from_mapping(data))
        return back("/werkboek")

    async def open_saved(request: Request) -> Response:
        path = path_of(request.path_params["name"])
        if not path.is_file():
            raise HTTPException(404)
        return open_in_composer(request, path.read_text(encoding="utf-8"), path.name)

    def refused(request: Request, problems: list[Problem]) -> Response:
        return app.page(
            request,
            "recepten.html",
            status=422,
            active="recepten",
            recipes=saved(),
            upload_problems=problems,
            folder=str(app.project.recipes_dir),
        )

    async def upload(request: Request) -> Response:
        form = await request.form()
        file = form.get("bestand")
        if not isinstance(file, UploadFile) or not file.filename:
            return refused(
                request, [Problem("", 0, 0, "bestand", "kies een receptbestand (.yaml)")]
            )
        data = await file.read(MAX_BYTES + 1)
        name = Path(file.filename).name[:100]
        if len(data) > MAX_BYTES:
            too_large = f"het recept is te groot (hoogstens {MAX_BYTES // 1000} kB)"
            return refused(request, [Problem(name, 1, 1, "", too_large)])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            not_utf8 = "geen UTF-8-tekst; bewaar het bestand als UTF-8"
            return refused(request, [Problem(name, 1, 1, "", not_utf8)])
        return open_in_composer(request, text, name)

    async def duplicate(request: Request) -> Response:
        source = path_of(request.path_params["name"])
        if not source.is_file():
            raise HTTPException(404)
        number = 2
        while (target := folder() / f"{source.stem}-{number}.yaml").exists():
            number += 1
        write_atomically(target, source.read_bytes())
        return back("/recepten")

    async def confirm_delete(request: Request) -> Response:
        path = path_of(request.path_params["name"])
        if not path.is_file():
            raise HTTPException(404)
        return app.page(request, "recept_verwijderen.html", active="recepten", name=path.stem)

    async def delete(request: Request) -> Response:
        path = path_of(request.path_params["name"])
        if path.is_file():
            path.unlink()
        return back("/recepten")

    async def yaml_file(request: Request) -> Response:
        path = path_of(request.path_params["name"])
        if not path.is_file():
            raise HTTPException(404)
        return download(Download(path.name, path.read_bytes(), "application/yaml"))

    async def save(request: Request) -> Response:
        form = await request.form()
        name = form_text(form, "naam", 80).strip()
        draft = app.draft(request)
        problems: list[Problem] = []
        if not is_slug(name):
            problems.append(Problem("", 0, 0, "naam", "een naam van kleine letters, cijfers en -"))
        try:
            await run_in_threadpool(
                parse_recipe, recipe_yaml(draft.mapping()), app.project.content, "werkboek"
            )
        except RecipeError as exc:
            problems += exc.problems
        if not problems:
            target = path_of(name)
            if target.exists() and form_text(form, "vervangen", 3) != "ja":
                problems.append(
                    Problem(
                        "",
                        0,
                        0,
                        "naam",
                        f"er is al een recept '{name}'; kies een andere naam of vink "
                        "'vervangen' aan",
                    )
                )
            else:
                write_atomically(target, recipe_yaml(draft.mapping()).encode())
                return back(f"/recepten?bewaard={name}")
        return app.page(
            request, "bewaren_mislukt.html", status=422, active="werkboek", problems=problems
        )

    return [
        Route("/recepten", listing, methods=["GET"]),
        Route("/recepten/openen", protected(upload), methods=["POST"]),
        Route("/recepten/opslaan", protected(save), methods=["POST"]),
        Route("/recepten/{name:str}.yaml", yaml_file, methods=["GET"]),
        Route("/recepten/{name:str}/openen", protected(open_saved), methods=["POST"]),
        Route("/recepten/{name:str}/dupliceren", protected(duplicate), methods=["POST"]),
        Route("/recepten/{name:str}/verwijderen", confirm_delete, methods=["GET"]),
        Route("/recepten/{name:str}/verwijderen", protected(delete), methods=["POST"]),
    ]
