"""Logging in with the access token (only when the server has one)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...store.accounts import TokenSessions
from ..responses import back, local_path, path_for, redirect
from ..security import SESSION_KEY, client_address, same
from ..site import site_of


async def form(request: Request) -> Response:
    site = site_of(request)
    if site.config.token is None:
        return back(request, "catalogue")
    wanted = local_path(request.query_params.get("volgende"), path_for(request, "catalogue"))
    return site.page(request, "inloggen.html", active="", next=wanted, wrong=False)


async def log_in(request: Request) -> Response:
    site = site_of(request)
    async with request.form() as data:
        token = data.get("token")
        target = local_path(data.get("volgende"), path_for(request, "catalogue"))
    sessions = TokenSessions(site.database)
    address = client_address(request.scope)
    if await run_in_threadpool(sessions.locked, address):
        return site.page(
            request, "inloggen.html", status=429, active="", next=target, wrong=False, locked=True
        )
    if site.config.token is not None and isinstance(token, str) and same(token, site.config.token):
        session = await run_in_threadpool(sessions.start, site.config.token)
        request.session.clear()
        request.session[SESSION_KEY] = session
        return redirect(target)
    await run_in_threadpool(sessions.failed, address)
    return site.page(request, "inloggen.html", status=401, active="", next=target, wrong=True)


async def log_out(request: Request) -> Response:
    site = site_of(request)
    session = request.session.get(SESSION_KEY)
    if isinstance(session, str):  # ended here, so a copy of the cookie opens nothing
        await run_in_threadpool(TokenSessions(site.database).end, session)
    request.session.clear()
    return back(request, "login" if site.config.token else "catalogue")


ROUTES: list[BaseRoute] = [
    Route("/inloggen", form, methods=["GET"], name="login"),
    Route("/inloggen", log_in, methods=["POST"], name="login"),
    Route("/uitloggen", log_out, methods=["POST"], name="logout"),
]
