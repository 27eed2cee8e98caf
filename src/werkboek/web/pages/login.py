"""Logging in with the access token (only when the server has one)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...store.accounts import AccountError, Accounts, TokenSessions
from ..responses import back, local_path, path_for, redirect
from ..security import ACCOUNT_KEY, SESSION_KEY, client_address, same
from ..site import site_of


async def form(request: Request) -> Response:
    site = site_of(request)
    if site.config.token is None and site.config.login == "token":
        return back(request, "catalogue")
    wanted = local_path(request.query_params.get("volgende"), path_for(request, "catalogue"))
    return site.page(request, "inloggen.html", active="", next=wanted, wrong=False)


async def log_in(request: Request) -> Response:
    site = site_of(request)
    async with request.form() as data:
        token = data.get("token")
        target = local_path(data.get("volgende"), path_for(request, "catalogue"))
    if site.config.login != "token":
        return await _account_log_in(request, data, target)
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


async def _account_log_in(request: Request, data: Any, target: str) -> Response:
    """Own accounts: a name and a password (single sign-on logs in at the proxy)."""
    site = site_of(request)
    name, password = data.get("naam"), data.get("wachtwoord")
    if site.config.login == "sso" or not isinstance(name, str) or not isinstance(password, str):
        return site.page(request, "inloggen.html", status=401, active="", next=target, wrong=True)
    accounts = Accounts(site.database)
    try:
        account = await run_in_threadpool(
            accounts.log_in, name, password, client_address(request.scope)
        )
    except AccountError as exc:
        status = 429 if "te veel" in str(exc) else 401
        return site.page(
            request,
            "inloggen.html",
            status=status,
            active="",
            next=target,
            wrong=True,
            message=str(exc),
            name=name[:64],
        )
    session = await run_in_threadpool(accounts.start_session, account)
    request.session.clear()
    request.session[ACCOUNT_KEY] = session
    return redirect(target)


async def log_out(request: Request) -> Response:
    site = site_of(request)
    session = request.session.get(SESSION_KEY)
    if isinstance(session, str):  # ended here, so a copy of the cookie opens nothing
        await run_in_threadpool(TokenSessions(site.database).end, session)
    account_session = request.session.get(ACCOUNT_KEY)
    if isinstance(account_session, str):
        await run_in_threadpool(Accounts(site.database).end_session, account_session)
    request.session.clear()
    logged_in = site.config.token is not None or site.config.login == "accounts"
    return back(request, "login" if logged_in else "catalogue")


ROUTES: list[BaseRoute] = [
    Route("/inloggen", form, methods=["GET"], name="login"),
    Route("/inloggen", log_in, methods=["POST"], name="login"),
    Route("/uitloggen", log_out, methods=["POST"], name="logout"),
]
