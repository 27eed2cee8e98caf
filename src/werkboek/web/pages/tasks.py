"""Following a job: its progress (asked for every second by the page) and its file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..app import is_htmx

if TYPE_CHECKING:
    from ..app import WebApp


@dataclass(frozen=True)
class Download:
    """What a job that makes a file leaves: the file."""

    name: str
    data: bytes
    media_type: str = "application/pdf"


def download(file: Download) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(file.name)}"
    return Response(
        file.data, media_type=file.media_type, headers={"Content-Disposition": disposition}
    )


def routes(app: WebApp) -> list[Route]:
    async def status(request: Request) -> Response:
        job = app.jobs.get(app.session(request), request.path_params["id"])
        if job is None:
            raise HTTPException(404)
        return app.page(
            request, "_taak.html" if is_htmx(request) else "taak.html", active="", job=job
        )

    async def result(request: Request) -> Response:
        job = app.jobs.get(app.session(request), request.path_params["id"])
        if job is None or job.state != "klaar" or not isinstance(job.result, Download):
            raise HTTPException(404)
        return download(job.result)

    return [
        Route("/taken/{id:str}", status, methods=["GET"]),
        Route("/taken/{id:str}/bestand", result, methods=["GET"]),
    ]
