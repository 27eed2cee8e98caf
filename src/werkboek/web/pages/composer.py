"""The composer: put a workbook together, see its real pages, download it or save it.

Every change is a small form (it works without scripts: post, then see the page again);
with htmx the composer is swapped in place and the preview follows.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...content.markup import plain_text
from ...content.schema import PART_KEYS, Range
from ...errors import Problem, RecipeError, WerkboekError
from ...products.workbook import SessionPlan, session_plan
from ...recipes import EDITIONS, Recipe, recipe_from_mapping, recipe_yaml
from ...recipes.own_pages import (
    DATA_URI,
    MAX_IMAGE,
    image_markdown,
    image_problem,
)
from ...words import capital
from ..drafts import DAY_KEYS, MAX_OWN, MAX_OWN_SOURCE, Draft
from ..pool import Busy, Superseded
from ..previews import LARGE_WIDTH, THUMBNAIL_WIDTH
from ..responses import Download, back, download, form_text, is_htmx, path_for
from ..site import Site, site_of

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

    def warnings_for_item(self, index: int) -> list[str]:
        """What prints, but not well (an own page's image under 150 ppi), for item ``index``."""
        return self.for_item(index, list(self.recipe.warnings) if self.recipe else [])

    def for_item(self, index: int, problems: list[Problem] | None = None) -> list[str]:
        found = []
        for problem in self.problems if problems is None else problems:
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
            # (the recipe's words for an empty list say nothing of which list, here)
            EMPTY if p.path == "onderdelen" and not self.draft.onderdelen else p.message
            for p in self.problems
            if not ITEM.match(p.path) and not any(p.path.startswith(f) for f in fields)
        ]


EMPTY = "het werkboek heeft nog geen onderdelen: kies er een in de catalogus"


def check(site: Site, draft: Draft) -> Checked:
    try:
        # own pages named by file are read from the recipes folder, beside the saved recipes
        recipe = recipe_from_mapping(
            draft.mapping(), site.project.content, "werkboek", site.project.recipes_dir
        )
    except RecipeError as exc:
        return Checked(draft, None, list(exc.problems))
    return Checked(draft, recipe)


async def checked(site: Site, draft: Draft) -> Checked:
    """:func:`check` in a worker thread: a large draft (own pages of 100,000 characters)
    takes a while to check, and no user's input is handled on the event loop."""
    return await run_in_threadpool(check, site, draft)


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


@dataclass(frozen=True)
class Fix:
    """A one-click way out of a part that is in the workbook twice: a button that does
    ``action`` to the item at ``index`` (with ``fields``)."""

    label: str
    index: int
    action: str
    fields: dict[str, str] = field(default_factory=dict)


def duplicate_fixes(site: Site, draft: Draft) -> dict[int, list[Fix]]:
    """For each item that is already in the workbook (as itself, or in a principle's part
    oefenen or verhalen), the fixes the composer offers beside its problem."""
    content = site.project.content
    principles = {p.slug: p for p in content.principles}
    covering: dict[tuple[str, str], tuple[int, str]] = {}
    first: dict[tuple[str, str], int] = {}
    fixes: dict[int, list[Fix]] = {}
    items = draft.onderdelen
    for index, item in enumerate(items):
        if "principe" not in item or item["principe"] not in principles:
            continue
        principle = principles[item["principe"]]
        parts = item.get("delen", list(PART_KEYS))
        for part, kind, found in (
            ("oefenen", "oefening", principle.exercises),
            ("verhalen", "verhaal", principle.stories),
        ):
            if part in parts:
                for each in found:
                    covering.setdefault((kind, each.slug), (index, part))
    for index, item in enumerate(items):
        key = next(((k, str(v)) for k, v in item.items() if k != "delen"), ("", ""))
        if key[0] in ("eigen", "notities", ""):
            continue
        what = {"oefening": "deze oefening", "verhaal": "dit verhaal"}.get(key[0], "deze")
        if key in first:
            other = first[key]
            fixes[index] = [Fix(f"Haal {what} hier weg", index, "verwijderen")]
            if key[0] == "principe" and item.get("delen") != items[other].get("delen"):
                fixes[index].append(
                    Fix(
                        f"Voeg samen met onderdeel {other + 1}",
                        index,
                        "samenvoegen",
                        {"naar": str(other)},
                    )
                )
            continue
        first[key] = index
        if key in covering:
            other, part = covering[key]
            principle = principles[items[other]["principe"]]
            part_title = plain_text(content.parts.get(part, part))
            fixes[index] = [
                Fix(f"Haal {what} hier weg", index, "verwijderen"),
                Fix(
                    f"Laat bij {principle.plain_title} het deel {part_title} weg",
                    other,
                    "deel-weg",
                    {"deel": part},
                ),
            ]
    return fixes


def titles(site: Site, draft: Draft) -> list[dict[str, Any]]:
    """How each item of the draft is shown: its kind, title and principle."""
    content = site.project.content
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
                kind=capital(content.words.principle.singular),
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


def context(site: Site, checked: Checked) -> dict[str, Any]:
    """What the composer's templates show of a checked draft."""
    total, untimed = total_minutes(checked.recipe)
    recipe = checked.recipe
    plan = session_plan(recipe) if recipe is not None and recipe.for_trainer else SessionPlan()
    return {
        "active": "werkboek",
        "checked": checked,
        "draft": checked.draft,
        "items": titles(site, checked.draft),
        "fixes": duplicate_fixes(site, checked.draft) if checked.problems else {},
        "parts": site.project.content.parts,
        "total": total,
        "untimed": untimed,
        "plan": plan,
        "editions": EDITIONS,
        "image_problems": {},
    }


async def changed(request: Request, draft: Draft) -> Response:
    """After a change: save the draft; what follows from it in place (htmx, and the preview
    follows) or the page again. The answer never holds the fields the trainer types in."""
    site = site_of(request)
    before = (await checked(site, site.draft(request))).version
    site.save_draft(request, draft)
    if not is_htmx(request):
        return back(request, "composer")
    now = await checked(site, site.draft(request))
    response = site.page(request, "_samensteller.html", **context(site, now))
    if now.version != before:
        response.headers.update(CHANGED)
    return response


async def refused(request: Request, problems: list[Problem]) -> Response:
    """The composer again, unchanged, with an own page's problem beside its field (422)."""
    site = site_of(request)
    now = await checked(site, site.draft(request))
    template = "_samensteller.html" if is_htmx(request) else "werkboek.html"
    messages = [p.message for p in problems]
    return site.page(request, template, 422, undo="", own_problems=messages, **context(site, now))


async def show(request: Request) -> Response:
    site = site_of(request)
    now = await checked(site, site.draft(request))
    just_replaced = request.query_params.get("vervangen") == "ja"
    undo = site.drafts.undo_note(site.session(request)) if just_replaced else ""
    return site.page(request, "werkboek.html", undo=undo, **context(site, now))


async def fields(request: Request) -> Response:
    draft = site_of(request).draft(request)
    async with request.form() as form:
        draft.titel = form_text(form, "titel", 300)
        draft.ondertitel = form_text(form, "ondertitel", 300)
        draft.trainer = form_text(form, "trainer", 200)
        edition = form_text(form, "editie", 20)
        draft.editie = edition if edition in EDITIONS else "deelnemer"
        draft.dag = {key: form_text(form, key, 200) for key in DAY_KEYS}
    return await changed(request, draft)


def move_up(draft: Draft, index: int, form: FormData) -> None:
    draft.move(index, index - 1)


def move_down(draft: Draft, index: int, form: FormData) -> None:
    draft.move(index, index + 1)


def move_to(draft: Draft, index: int, form: FormData) -> None:
    to = form_text(form, "naar", 5)
    if not to.isdigit():
        raise HTTPException(400)
    draft.move(index, int(to))


def remove(draft: Draft, index: int, form: FormData) -> None:
    draft.remove(index)


def drop_part(draft: Draft, index: int, form: FormData) -> None:
    """Leave one part out of a principle (the one that brings an item in twice)."""
    if 0 <= index < len(draft.onderdelen) and "principe" in draft.onderdelen[index]:
        part = form_text(form, "deel", 20)
        parts = draft.onderdelen[index].get("delen", list(PART_KEYS))
        draft.set_parts(index, [p for p in parts if p != part])


def merge(draft: Draft, index: int, form: FormData) -> None:
    """A principle named twice with other parts: its parts together at the first, this one
    taken away."""
    to = form_text(form, "naar", 5)
    items = draft.onderdelen
    if not (to.isdigit() and 0 <= index < len(items) and 0 <= int(to) < len(items)):
        raise HTTPException(400)
    other = int(to)
    if items[index].get("principe") is None or items[other].get("principe") != items[index].get(
        "principe"
    ):
        raise HTTPException(400)
    parts = [*items[other].get("delen", PART_KEYS), *items[index].get("delen", PART_KEYS)]
    draft.set_parts(other, parts)
    draft.remove(index)


def set_parts(draft: Draft, index: int, form: FormData) -> None:
    draft.set_parts(index, [p for p in form.getlist("delen") if isinstance(p, str)])


def set_pages(draft: Draft, index: int, form: FormData) -> None:
    pages = form_text(form, "paginas", 3)
    draft.set_pages(index, max(1, min(20, int(pages))) if pages.isdigit() else 1)


IMAGE_TOKEN = re.compile(r"\]\(afbeelding-(\d{1,2})\)")
"""An image of an own page as the edit form shows it: ``![beschrijving](afbeelding-1)``."""


def shown_images(text: str) -> str:
    """An own page's text with each image (a ``data:`` URI, thousands of characters) as
    ``afbeelding-1``, ``afbeelding-2``…, for the edit form."""
    count = itertools.count(1)
    return DATA_URI.sub(lambda m: f"afbeelding-{next(count)}", text)


def kept_images(typed: str, stored: str) -> str:
    """``typed`` (from the edit form) with each ``afbeelding-N`` that is still there given its
    image back from ``stored``; one that is not (a typo) stays, and the check names it."""
    images = [m.group(0) for m in DATA_URI.finditer(stored)]

    def image(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return f"]({images[number - 1]})" if 1 <= number <= len(images) else match.group(0)

    return IMAGE_TOKEN.sub(image, typed)


def set_text(draft: Draft, index: int, form: FormData) -> None:
    inside = 0 <= index < len(draft.onderdelen)
    stored = str(draft.onderdelen[index].get("eigen", "")) if inside else ""
    draft.set_own(index, kept_images(typed_own_page(form), stored))


ITEM_ACTIONS: dict[str, Callable[[Draft, int, FormData], None]] = {
    "omhoog": move_up,
    "omlaag": move_down,
    "verplaatsen": move_to,
    "verwijderen": remove,
    "deel-weg": drop_part,
    "samenvoegen": merge,
    "delen": set_parts,
    "paginas": set_pages,
    "tekst": set_text,
}
"""What can be done to one item of the draft, by the last word of its URL."""


async def change_item(request: Request) -> Response:
    action = ITEM_ACTIONS.get(request.path_params["action"])
    if action is None:
        raise HTTPException(404)
    site = site_of(request)
    draft = site.draft(request)
    index: int = request.path_params["index"]
    async with request.form() as form:
        try:
            action(draft, index, form)
        except WerkboekError as exc:  # an own page's text too long: kept, to shorten
            text = form_text(form, "markdown", 2 * MAX_OWN)
            problems = [p.message for p in exc.problems]
            return site.page(
                request,
                "eigen_bewerken.html",
                422,
                active="werkboek",
                index=index,
                text=text,
                own_problems=problems,
            )
    return await changed(request, draft)


def text_length(text: str) -> int:
    """The characters of an own page's text, its images (``data:`` URIs) aside."""
    return len(DATA_URI.sub("", text.replace("\r\n", "\n").strip()))


def thousands(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def too_long(what: str, count: int | None) -> WerkboekError:
    size = f"heeft {thousands(count)} tekens" if count is not None else "is te lang"
    return WerkboekError(
        Problem(
            path="eigen",
            message=f"{what} {size}; een eigen pagina heeft er hoogstens "
            f"{thousands(MAX_OWN)}: maak hem korter of verdeel hem over twee",
        )
    )


def typed_own_page(form: FormData) -> str:
    """An own page's typed Markdown; longer than a page may be: refused, never cut."""
    value = form.get("markdown")
    text = value if isinstance(value, str) else ""
    if (length := text_length(text)) > MAX_OWN:
        raise too_long("de tekst", length)
    return text


async def own_page_text(form: FormData) -> str:
    """An own page's Markdown: typed, or a Markdown file's text (it has no folder, so its
    images must be data: URIs, and the recipe check says so otherwise). Too long, or a
    file that is not UTF-8 text: refused (:class:`WerkboekError` for the field ``eigen``)."""
    upload = form.get("bestand")
    if not (isinstance(upload, UploadFile) and upload.filename):
        return typed_own_page(form)
    name = Path(upload.filename).name[:80]
    data = await upload.read(4 * MAX_OWN_SOURCE + 4)  # (UTF-8: at most 4 bytes a character)
    if await upload.read(1):
        raise too_long(f"het bestand ‘{name}’", None)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WerkboekError(
            Problem(path="eigen", message=f"het bestand ‘{name}’ is geen UTF-8-tekst")
        ) from None
    if (length := text_length(text)) > MAX_OWN:
        raise too_long(f"het bestand ‘{name}’", length)
    return text


async def add_own(request: Request) -> Response:
    async with request.form() as form:
        try:
            text = await own_page_text(form)
        except WerkboekError as exc:
            return await refused(request, list(exc.problems))
    draft = site_of(request).draft(request)
    draft.add_own(text)
    return await changed(request, draft)


IMAGE_KINDS = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
"""What an uploaded image for an own page may be, by its first bytes."""
MAX_IMAGE_ALT = 300


def image_upload_problems(data: bytes, alt: str) -> tuple[str, list[str]]:
    """An uploaded image's kind, and why it cannot go on an own page (the recipe's own check
    of size, kind and pixels), in a trainer's words."""
    problems = []
    kind = next((k for magic, k in IMAGE_KINDS.items() if data.startswith(magic)), "")
    if not data:
        problems.append("kies een afbeelding (PNG of JPEG)")
    elif not kind:
        problems.append("de afbeelding is geen PNG of JPEG")
    elif len(data) > MAX_IMAGE:
        problems.append(f"de afbeelding is groter dan {MAX_IMAGE // 1_000_000} MB")
    elif problem := image_problem(data, kind):
        problems.append(f"de afbeelding {problem}")
    if not alt.strip():
        problems.append("beschrijf wat de afbeelding laat zien (voor wie niet kan zien)")
    elif len(alt) > MAX_IMAGE_ALT:
        problems.append(f"de beschrijving is langer dan {MAX_IMAGE_ALT} tekens")
    return kind, problems


async def add_image(request: Request) -> Response:
    """An image from the trainer's computer at the end of an own page, with its description;
    checked as the recipe checks it (a warning under 150 ppi follows from the recipe)."""
    site = site_of(request)
    draft = site.draft(request)
    index: int = request.path_params["index"]
    async with request.form() as form:
        upload = form.get("afbeelding")
        alt = form_text(form, "beschrijving", MAX_IMAGE_ALT + 1)
        data = (
            await upload.read(MAX_IMAGE + 1)
            if isinstance(upload, UploadFile) and upload.filename
            else b""
        )
    if not (0 <= index < len(draft.onderdelen) and "eigen" in draft.onderdelen[index]):
        return back(request, "composer")
    kind, problems = await run_in_threadpool(image_upload_problems, data, alt)
    text = str(draft.onderdelen[index]["eigen"]).rstrip("\n")
    if not problems:
        added = f"{text}\n\n{image_markdown(data, kind, alt)}\n"
        if len(added) > MAX_OWN_SOURCE:
            problems.append("de pagina heeft geen plaats meer voor deze afbeelding")
        else:
            draft.set_own(index, added)
            return await changed(request, draft)
    now = await checked(site, draft)
    shown = {**context(site, now), "image_problems": {index: problems}}
    if is_htmx(request):
        return site.page(request, "_samensteller.html", status=422, **shown)
    return site.page(request, "werkboek.html", status=422, undo="", **shown)


async def add_notes(request: Request) -> Response:
    draft = site_of(request).draft(request)
    draft.add("notities", pages=1)
    return await changed(request, draft)


async def edit_own(request: Request) -> Response:
    """An own page's text to change, on a page of its own (a form without scripts)."""
    site = site_of(request)
    draft = site.draft(request)
    index: int = request.path_params["index"]
    if not (0 <= index < len(draft.onderdelen) and "eigen" in draft.onderdelen[index]):
        return back(request, "composer")
    text = shown_images(str(draft.onderdelen[index]["eigen"]))
    return site.page(request, "eigen_bewerken.html", active="werkboek", index=index, text=text)


def confirm(request: Request, **question: Any) -> Response:
    """A question before work is replaced: a form step that works without scripts."""
    return site_of(request).page(request, "bevestigen.html", active="werkboek", **question)


async def clear(request: Request) -> Response:
    site = site_of(request)
    async with request.form() as form:
        confirmed = form_text(form, "bevestigd", 3) == "ja"
    if not confirmed and not site.draft(request).empty:
        return confirm(
            request,
            title="Opnieuw beginnen?",
            question="Je werkboek wordt leeggemaakt: de titel, de gegevens en alle onderdelen.",
            comfort="Daarna kun je het nog één keer terugzetten met “Ongedaan maken”.",
            action=path_for(request, "composer_clear"),
            fields={},
            yes="Ja, opnieuw beginnen",
        )
    kept = site.drafts.replace(site.session(request), Draft(), "Je werkboek is leeggemaakt.")
    return replaced(request, kept)


async def undo(request: Request) -> Response:
    site = site_of(request)
    return replaced(request, site.drafts.undo(site.session(request)))


def replaced(request: Request, kept: bool) -> Response:
    """The composer after the draft was replaced: with the way back when there is one (only
    then: an old note would offer to undo something long past)."""
    return back(request, "composer", query={"vervangen": "ja"} if kept else None)


async def preview(request: Request) -> Response:
    site = site_of(request)
    now = await checked(site, site.draft(request))
    owner = site.session(request)
    shown, for_trainer, earlier = None, False, False
    if now.recipe is not None:
        try:
            pdf = await site.workbook_pdf(request, now.recipe, preview=True)
        except Busy as busy:  # (asked again by itself after a while)
            return site.page(request, "_voorbeeld_druk.html", active="werkboek", busy=busy)
        except Superseded:  # a newer preview is on its way: leave the page as it is
            return Response(status_code=204)
        shown = await run_in_threadpool(site.previews.add, owner, pdf)
        for_trainer = now.recipe.for_trainer
        site.previews.remember(owner, shown, for_trainer)
    elif now.draft.onderdelen and (latest := site.previews.latest(owner)):
        # a change with a problem to solve: the last good preview stays, marked as earlier
        # (not for a workbook without items: emptied, say, to start over)
        (shown, for_trainer), earlier = latest, True
    return site.page(
        request,
        "_voorbeeld.html",
        active="werkboek",
        checked=now,
        preview=shown,
        for_trainer=for_trainer,
        earlier=earlier,
        width=THUMBNAIL_WIDTH,
    )


async def image(request: Request) -> Response:
    digest: str = request.path_params["digest"]
    page: int = request.path_params["page"]
    width = LARGE_WIDTH if request.query_params.get("groot") else THUMBNAIL_WIDTH
    site = site_of(request)
    data = await run_in_threadpool(site.previews.image, site.session(request), digest, page, width)
    if data is None:
        raise HTTPException(404)
    # a thumbnail's address names one picture for good (see Previews.add): the browser
    # keeps it and does not ask again; a page shown large, readable, is not kept
    kept = {"Cache-Control": "private, max-age=86400, immutable"}
    return Response(data, media_type="image/png", headers=None if width == LARGE_WIDTH else kept)


async def large(request: Request) -> Response:
    site = site_of(request)
    digest: str = request.path_params["digest"]
    page: int = request.path_params["page"]
    owner = site.session(request)
    pdf = site.previews.pdf(owner, digest)
    if pdf is None:
        raise HTTPException(404)
    pages = (await run_in_threadpool(site.previews.add, owner, pdf)).pages
    if not 1 <= page <= pages:
        raise HTTPException(404)
    return site.page(
        request,
        "voorbeeldpagina.html",
        active="werkboek",
        digest=digest,
        page=page,
        pages=pages,
        width=LARGE_WIDTH,
    )


async def pdf(request: Request) -> Response:
    site = site_of(request)
    now = await checked(site, site.draft(request))
    if now.recipe is None:
        return back(request, "composer")
    edition = request.query_params.get("editie")
    recipe = now.recipe.with_edition(edition if edition in EDITIONS else None)
    data = await site.workbook_pdf(request, recipe)
    return download(Download(f"{recipe.file_stem}.pdf", data))


async def yaml_file(request: Request) -> Response:
    site = site_of(request)
    draft = site.draft(request)
    data = recipe_yaml(draft.mapping()).encode()
    now = await checked(site, draft)
    name = now.recipe.slug if now.recipe else "recept"
    return download(Download(f"{name}.yaml", data, "application/yaml"))


ROUTES: list[BaseRoute] = [
    Route("/werkboek", show, methods=["GET"], name="composer"),
    Route("/werkboek/gegevens", fields, methods=["POST"], name="composer_fields"),
    Route("/werkboek/notities", add_notes, methods=["POST"], name="composer_notes"),
    Route("/werkboek/eigen", add_own, methods=["POST"], name="composer_own"),
    Route("/werkboek/leegmaken", clear, methods=["POST"], name="composer_clear"),
    Route("/werkboek/terugzetten", undo, methods=["POST"], name="composer_undo"),
    Route(
        "/werkboek/onderdelen/{index:int}/afbeelding",
        add_image,
        methods=["POST"],
        name="composer_own_image",
    ),
    Route(
        "/werkboek/onderdelen/{index:int}/bewerken",
        edit_own,
        methods=["GET"],
        name="composer_own_edit",
    ),
    Route(
        "/werkboek/onderdelen/{index:nummer}/{action:str}",
        change_item,
        methods=["POST"],
        name="composer_item",
    ),
    Route("/werkboek/voorbeeld", preview, methods=["GET"], name="preview"),
    Route(
        "/voorbeeld/{digest:str}/{page:nummer}.png", image, methods=["GET"], name="preview_image"
    ),
    Route("/voorbeeld/{digest:str}/{page:nummer}", large, methods=["GET"], name="preview_page"),
    Route("/werkboek/werkboek.pdf", pdf, methods=["GET"], name="composer_pdf"),
    Route("/werkboek/recept.yaml", yaml_file, methods=["GET"], name="composer_recipe"),
]
