"""Personal copies: the workbook with each participant's name on its cover, as one ZIP."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...errors import WerkboekError
from ...participants.lists import MAX_BYTES, Person, people_from_bytes, people_from_text
from ...products import WorkbookOptions, WorkbookProduct
from ...recipes import EDITIONS, Recipe
from ..daylist import names_for_copies
from ..jobs import Job, Work
from ..responses import Download, back, form_text
from ..security import MAX_PEOPLE_BYTES
from ..site import Site, site_of
from .composer import Checked, check

ZIP_TIME = (2024, 2, 1, 0, 0, 0)
"""Every file in the ZIP gets the same time: the same names give the same ZIP."""


async def read_people(form: FormData, names_field: str, file_field: str) -> list[Person]:
    """The people of a form: an uploaded list (CSV or .xlsx), or names pasted one per line
    (the same limits either way: :mod:`werkboek.participants`)."""
    file = form.get(file_field)
    if isinstance(file, UploadFile) and file.filename:
        data = await file.read(MAX_BYTES + 1)
        name = file.filename.rsplit("/", 1)[-1][:100]
        return await run_in_threadpool(people_from_bytes, data, name)
    text = form_text(form, names_field, MAX_BYTES + 1)
    return await run_in_threadpool(people_from_text, text, names_field)


def copies_page(request: Request, checked: Checked, status: int = 200, **context: Any) -> Response:
    site = site_of(request)
    return site.page(
        request, "exemplaren.html", status=status, active="exemplaren", checked=checked, **context
    )


async def show(request: Request) -> Response:
    site = site_of(request)
    checked = await run_in_threadpool(check, site, site.draft(request))
    job = site.jobs.latest(site.session(request), "exemplaren")
    names = await run_in_threadpool(names_for_copies, request)  # the training day's list
    return copies_page(request, checked, problems=[], job=job, names=names)


def zipped(site: Site, recipe: Recipe, names: tuple[str, ...]) -> Work:
    """The job that makes everyone's copy and puts them in one ZIP."""

    def work(job: Job) -> Download:
        product = WorkbookProduct(site.project, WorkbookOptions(recipe, names))
        job.step(0, len(names), "de eerste wordt gemaakt")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for batch in product.batches():
                for target, files in zip(batch, product.pdfs(batch), strict=True):
                    info = zipfile.ZipInfo(target.path.name, ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, files[-1])
                    job.step(message="")
        return Download(f"{recipe.file_stem}-exemplaren.zip", out.getvalue(), "application/zip")

    return work


async def make(request: Request) -> Response:
    site = site_of(request)
    checked = await run_in_threadpool(check, site, site.draft(request))
    async with request.form(max_part_size=MAX_PEOPLE_BYTES) as form:
        edition = form_text(form, "editie", 20)
        try:
            people = await read_people(form, "namen", "lijst")
        except WerkboekError as exc:
            typed = form_text(form, "namen", MAX_BYTES)
            return copies_page(
                request, checked, status=422, problems=exc.problems, job=None, names=typed
            )
    if checked.recipe is None:
        return back(request, "copies")
    recipe = checked.recipe.with_edition(edition if edition in EDITIONS else None)
    names = tuple(person.name for person in people)
    title = f"{len(names)} eigen exemplaren van {recipe.title}"
    return site.start_job(request, "exemplaren", title, zipped(site, recipe, names))


ROUTES: list[BaseRoute] = [
    Route("/exemplaren", show, methods=["GET"], name="copies"),
    Route("/exemplaren", make, methods=["POST"], name="copies"),
]
