"""Logging in with the access token (only when the server has one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..app import local_path
from ..security import protected, same

if TYPE_CHECKING:
    from ..app import WebApp


def routes(app: WebApp) -> list[Route]:
    async def form(request: Request) -> Response:
        if app.config.token is None:
            return RedirectResponse("/", status_code=303)
        return app.page(
            request,
            "inloggen.html",
            active="",
            next=local_path(request.query_params.get("volgende")),
            wrong=False,
        )

    async def login(request: Request) -> Response:
        form_data = await request.form()
        token = form_data.get("token")
        target = local_path(form_data.get("volgende"))
        if (
            app.config.token is not None
            and isinstance(token, str)
            and same(token, app.config.token)
        ):
            request.session.clear()
            request.session["ingelogd"] = True
            return RedirectResponse(target, status_code=303)
        return app.page(request, "inloggen.html", status=401, active="", next=target, wrong=True)

    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/inloggen" if app.config.token else "/", status_code=303)

    return [
        Route("/inloggen", form, methods=["GET"]),
        Route("/inloggen", protected(login), methods=["POST"]),
        Route("/uitloggen", protected(logout), methods=["POST"]),
    ]
