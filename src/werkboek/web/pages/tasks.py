"""Following a job: its progress (asked for every second by the page) and its file,
streamed from disk."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from ..jobs import Job, JobFile
from ..responses import is_htmx
from ..site import site_of


def _job(request: Request) -> Job:
    """The request's job, if it belongs to the request's session (404 otherwise)."""
    site = site_of(request)
    job = site.jobs.get(site.session(request), request.path_params["id"])
    if job is None:
        raise HTTPException(404)
    return job


async def status(request: Request) -> Response:
    template = "_taak.html" if is_htmx(request) else "taak.html"
    return site_of(request).page(request, template, active="", job=_job(request))


async def result(request: Request) -> Response:
    job = _job(request)
    if job.state != "klaar" or not isinstance(job.result, JobFile):
        raise HTTPException(404)
    if not job.result.path.is_file():  # (erased at the end of the retention period)
        raise HTTPException(404)
    # streamed from disk, named as the trainer knows it (RFC 5987, as Download)
    return FileResponse(job.result.path, media_type=job.result.media_type, filename=job.result.name)


ROUTES: list[BaseRoute] = [
    Route("/taken/{id:str}", status, methods=["GET"], name="job"),
    Route("/taken/{id:str}/bestand", result, methods=["GET"], name="job_file"),
]
