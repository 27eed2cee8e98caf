"""The composer: put a workbook together, see its real pages, download it or save it.

Every change is a small form (it works without scripts: post, then see the page again);
with htmx the composer is swapped in place and the preview follows.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...content.schema import PART_KEYS, Range
from ...errors import Problem, RecipeError
from ...products import WorkbookOptions, WorkbookProduct
from ...products.workbook import SessionPlan, session_plan
from ...recipes import EDITIONS, Recipe, recipe_from_mapping, recipe_yaml
from ..app import back, form_text, is_htmx
from ..drafts import DAY_KEYS, MAX_OWN, Draft
from ..previews import LARGE_WIDTH, THUMBNAIL_WIDTH
from ..security import protected
from .tasks import Download, download

if TYPE_CHECKING:
    from ..app import WebApp

ITEM = re.compile(r"^onderdelen\[(\d+)\]")
CHANGED = {"HX-Trigger": "werkboek-gewijzigd"}


@dataclass
class Checked:
    """The draft, and what comes of it: a recipe, or the problems in the way."""

    draft: Draft
    recipe: Recipe | None
    problems: list[Problem] = field(default_factory=list)

    def for_field(self, name: str) -> list[str]:
        return [p.message for p in self.problems if p.path == name or p.path.startswith(f"{name}.")]

    def for_item(self, index: int) -> list[str]:
        found = []
        for problem in self.problems:
            match = ITEM.match(problem.path)
            if match and int(match.group(1)) == index:
                found.append(problem.message)
        return found

    @property
    def version(self) -> str:
        """A short hash of the draft: which state of it a page and a preview show."""
        data = json.dumps(self.draft.mapping(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()[:12]

    @property
    def general(self) -> list[str]:
        fields = ("titel", "ondertitel", "trainer", "editie", *DAY_KEYS)
        return [
            p.message
            for p in self.problems
            if not ITEM.match(p.path) and not any(p.path.startswith(f) for f in fields)
        ]


def check(app: WebApp, draft: Draft) -> Checked:
    try:
        # own pages named by file are read from the recipes folder, beside the saved recipes
        recipe = recipe_from_mapping(
            draft.mapping(), app.project.content, "werkboek", app.project.recipes_dir
        )
    except RecipeError as exc:
        return Checked(draft, None, list(exc.problems))
    return Checked(draft, recipe)


def total_minutes(recipe: Recipe | None) -> tuple[Range | None, list[str]]:
    """The exercises' time together, and the exercises without a fixed duration."""
    if recipe is None:
        return None, []
    total, untimed = Range(low=0, high=0), []
    for _, exercise in recipe.exercises():
        if exercise.duration is None:
            untimed.append(exercise.plain_title)
        else:
            total = total + exercise.duration
    return total, untimed


def titles(app: WebApp, draft: Draft) -> list[dict[str, Any]]:
    """How each item of the draft is shown: its kind, title and principle."""
    content = app.project.content
    principles = {p.slug: p for p in content.principles}
    exercises = {e.slug: (p, e) for p, e in content.exercises()}
    stories = {s.slug: (p, s) for p, s in content.stories()}
    shown: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for item in draft.onderdelen:
        entry: dict[str, Any] = {"item": item, "kind": "", "title": "", "principle": None}
        if "principe" in item:
            principle = principles.get(item["principe"])
            entry.update(
                kind="Basisprincipe",
                principle=principle,
                title=principle.plain_title if principle else item["principe"],
                parts=item.get("delen", list(principle.parts if principle else PART_KEYS)),
            )
        elif "oefening" in item:
            found = exercises.get(item["oefening"])
            entry.update(
                kind="Oefening",
                title=found[1].plain_title if found else item["oefening"],
                principle=found[0] if found else None,
            )
        elif "verhaal" in item:
            story = stories.get(item["verhaal"])
            entry.update(
                kind="Verhaal",
                title=story[1].plain_title if story else item["verhaal"],
                principle=story[0] if story else None,
            )
        elif "artikel" in item:
            slug = item["artikel"]
            entry.update(
                kind="Tekst",
                title=content.article(slug).plain_title if content.has_article(slug) else slug,
            )
        elif "notities" in item:
            entry.update(
                kind="Notities", title="Pagina's voor aantekeningen", pages=item["notities"]
            )
        elif "eigen" in item:
            lines = [line.strip() for line in str(item["eigen"]).splitlines() if line.strip()]
            heading = next((line.lstrip("#").strip() for line in lines if line.startswith("#")), "")
            entry.update(kind="Eigen pagina", title=heading or (lines[0][:60] if lines else ""))
        # which item this is, whatever its place: the browser keeps focus on it after a move
        name = "-".join(f"{k}-{v}" for k, v in item.items() if k != "delen")
        seen[name] = seen.get(name, 0) + 1
        entry["key"] = f"{name}-{seen[name]}"
        shown.append(entry)
    return shown


def routes(app: WebApp) -> list[Route]:
    def context(request: Request, checked: Checked) -> dict[str, Any]:
        total, untimed = total_minutes(checked.recipe)
        plan = (
            session_plan(checked.recipe)
            if checked.recipe is not None and checked.recipe.for_trainer
            else SessionPlan()
        )
        return {
            "active": "werkboek",
            "checked": checked,
            "draft": checked.draft,
            "items": titles(app, checked.draft),
            "parts": app.project.content.parts,
            "total": total,
            "untimed": untimed,
            "plan": plan,
            "editions": EDITIONS,
        }

    def composer(request: Request, changed: bool = True) -> Response:
        checked = check(app, app.draft(request))
        if is_htmx(request):
            response = app.page(request, "_samensteller.html", **context(request, checked))
            if changed:
                response.headers.update(CHANGED)
            return response
        return back("/werkboek")

    async def show(request: Request) -> Response:
        checked = check(app, app.draft(request))
        return app.page(request, "werkboek.html", **context(request, checked))

    async def fields(request: Request) -> Response:
        form = await request.form()
        draft = app.draft(request)
        draft.titel = form_text(form, "titel", 300)
        draft.ondertitel = form_text(form, "ondertitel", 300)
        draft.trainer = form_text(form, "trainer", 200)
        edition = form_text(form, "editie", 20)
        draft.editie = edition if edition in EDITIONS else "deelnemer"
        draft.dag = {key: form_text(form, key, 200) for key in DAY_KEYS}
        app.save_draft(request, draft)
        return composer(request)

    def change(action: str) -> Any:
        async def endpoint(request: Request) -> Response:
            index = int(request.path_params["index"])
            form = await request.form()
            draft = app.draft(request)
            if action == "omhoog":
                draft.move(index, index - 1)
            elif action == "omlaag":
                draft.move(index, index + 1)
            elif action == "verplaatsen":
                to = form_text(form, "naar", 5)
                if not to.isdigit():
                    raise HTTPException(400)
                draft.move(index, int(to))
            elif action == "verwijderen":
                draft.remove(index)
            elif action == "delen":
                draft.set_parts(index, [p for p in form.getlist("delen") if isinstance(p, str)])
            elif action == "paginas":
                pages = form_text(form, "paginas", 3)
                draft.set_pages(index, max(1, min(20, int(pages))) if pages.isdigit() else 1)
            app.save_draft(request, draft)
            return composer(request)

        return protected(endpoint)

    async def add_own(request: Request) -> Response:
        """An own page: typed Markdown, or a Markdown file (its text; it has no folder, so
        its images must be data: URIs, and the recipe check says so otherwise)."""
        form = await request.form()
        text = form_text(form, "markdown", MAX_OWN)
        upload = form.get("bestand")
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_OWN + 1)
            try:
                text = data[:MAX_OWN].decode("utf-8-sig")
            except UnicodeDecodeError:
                text = f"# {Path(upload.filename).name[:80]}\n\nDit bestand is geen UTF-8-tekst."
        draft = app.draft(request)
        draft.add_own(text)
        app.save_draft(request, draft)
        return composer(request)

    async def add_notes(request: Request) -> Response:
        draft = app.draft(request)
        draft.add("notities", pages=1)
        app.save_draft(request, draft)
        return composer(request)

    async def clear(request: Request) -> Response:
        app.save_draft(request, Draft())
        return composer(request)

    def render(recipe: Recipe) -> bytes:
        product = WorkbookProduct(app.project, WorkbookOptions(recipe))
        return product.pdf(next(iter(product.targets())))

    async def preview(request: Request) -> Response:
        checked = check(app, app.draft(request))
        shown = None
        if checked.recipe is not None:
            pdf = await run_in_threadpool(render, checked.recipe)
            shown = app.previews.add(pdf)
        return app.page(
            request,
            "_voorbeeld.html",
            active="werkboek",
            checked=checked,
            preview=shown,
            width=THUMBNAIL_WIDTH,
        )

    async def image(request: Request) -> Response:
        digest = request.path_params["digest"]
        page = int(request.path_params["page"])
        width = LARGE_WIDTH if request.query_params.get("groot") else THUMBNAIL_WIDTH
        data = await run_in_threadpool(app.previews.image, digest, page, width)
        if data is None:
            raise HTTPException(404)
        return Response(
            data,
            media_type="image/png",
            headers={"Cache-Control": "private, max-age=86400, immutable"},
        )

    async def large(request: Request) -> Response:
        digest = request.path_params["digest"]
        page = int(request.path_params["page"])
        pdf = app.previews.pdf(digest)
        if pdf is None:
            return back("/werkboek")
        pages = app.previews.add(pdf).pages
        if not 1 <= page <= pages:
            raise HTTPException(404)
        return app.page(
            request,
            "voorbeeldpagina.html",
            active="werkboek",
            digest=digest,
            page=page,
            pages=pages,
            width=LARGE_WIDTH,
        )

    async def pdf(request: Request) -> Response:
        checked = check(app, app.draft(request))
        if checked.recipe is None:
            return back("/werkboek")
        edition = request.query_params.get("editie")
        recipe = checked.recipe.with_edition(edition if edition in EDITIONS else None)
        data = await run_in_threadpool(render, recipe)
        return download(Download(f"{recipe.file_stem}.pdf", data))

    async def yaml_file(request: Request) -> Response:
        draft = app.draft(request)
        data = recipe_yaml(draft.mapping()).encode()
        checked = check(app, draft)
        name = checked.recipe.slug if checked.recipe else "recept"
        return download(Download(f"{name}.yaml", data, "application/yaml"))

    return [
        Route("/werkboek", show, methods=["GET"]),
        Route("/werkboek/gegevens", protected(fields), methods=["POST"]),
        Route("/werkboek/notities", protected(add_notes), methods=["POST"]),
        Route("/werkboek/eigen", protected(add_own), methods=["POST"]),
        Route("/werkboek/leegmaken", protected(clear), methods=["POST"]),
        *(
            Route(f"/werkboek/onderdelen/{{index:int}}/{action}", change(action), methods=["POST"])
            for action in ("omhoog", "omlaag", "verplaatsen", "verwijderen", "delen", "paginas")
        ),
        Route("/werkboek/voorbeeld", preview, methods=["GET"]),
        Route("/voorbeeld/{digest:str}/{page:int}.png", image, methods=["GET"]),
        Route("/voorbeeld/{digest:str}/{page:int}", large, methods=["GET"]),
        Route("/werkboek/werkboek.pdf", pdf, methods=["GET"]),
        Route("/werkboek/recept.yaml", yaml_file, methods=["GET"]),
    ]
