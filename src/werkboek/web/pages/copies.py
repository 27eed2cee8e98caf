"""Personal copies: the workbook with each participant's name on its cover, as one ZIP."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...errors import WerkboekError
from ...people import MAX_BYTES, Person, people_from_bytes, people_from_text
from ...products import WorkbookOptions, WorkbookProduct
from ...recipes import EDITIONS
from ..app import back, form_text
from ..jobs import Job
from ..security import protected
from .composer import check
from .tasks import Download

if TYPE_CHECKING:
    from ..app import WebApp

ZIP_TIME = (2024, 2, 1, 0, 0, 0)
"""Every file in the ZIP gets the same time: the same names give the same ZIP."""


async def read_people(request: Request, names_field: str, file_field: str) -> list[Person]:
    """The people of a form: an uploaded list (CSV or .xlsx), or names pasted one per line
    (the same limits either way: :mod:`werkboek.people`)."""
    form = await request.form()
    file = form.get(file_field)
    if isinstance(file, UploadFile) and file.filename:
        data = await file.read(MAX_BYTES + 1)
        name = file.filename.rsplit("/", 1)[-1][:100]
        return await run_in_threadpool(people_from_bytes, data, name)
    text = form_text(form, names_field, MAX_BYTES + 1)
    return await run_in_threadpool(people_from_text, text, names_field)


def routes(app: WebApp) -> list[Route]:
    async def show(request: Request) -> Response:
        checked = check(app, app.draft(request))
        job = app.jobs.latest(app.session(request), "exemplaren")
        return app.page(
            request,
            "exemplaren.html",
            active="exemplaren",
            checked=checked,
            problems=[],
            job=job,
            names="",
        )

    async def make(request: Request) -> Response:
        form = await request.form()
        checked = check(app, app.draft(request))
        edition = form_text(form, "editie", 20)
        try:
            people = await read_people(request, "namen", "lijst")
        except WerkboekError as exc:
            return app.page(
                request,
                "exemplaren.html",
                status=422,
                active="exemplaren",
                checked=checked,
                problems=exc.problems,
                job=None,
                names=form_text(form, "namen", 200_000),
            )
        if checked.recipe is None:
            return back("/exemplaren")
        recipe = checked.recipe.with_edition(edition if edition in EDITIONS else None)
        names = tuple(person.name for person in people)

        def work(job: Job) -> Download:
            product = WorkbookProduct(app.project, WorkbookOptions(recipe, names))
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

        title = f"{len(names)} eigen exemplaren van {recipe.title}"
        return app.start_job(request, "exemplaren", title, work)

    return [
        Route("/exemplaren", show, methods=["GET"]),
        Route("/exemplaren", protected(make), methods=["POST"]),
    ]
