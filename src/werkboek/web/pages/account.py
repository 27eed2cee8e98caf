"""A trainer's own account: who they are, and their personal API tokens (made, revoked)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...store.accounts import Account, Accounts
from ..responses import back, form_text
from ..security import actor_of
from ..site import site_of


def _actor(request: Request) -> Account:
    actor = actor_of(request)
    if actor is None:  # (the single-token mode has no accounts)
        raise HTTPException(404)
    return actor


async def show(request: Request, new_token: str | None = None, label: str = "") -> Response:
    site = site_of(request)
    actor = _actor(request)
    tokens = await run_in_threadpool(Accounts(site.database).tokens, actor)
    return site.page(
        request, "account.html", active="account", tokens=tokens, new_token=new_token, label=label
    )


async def make_token(request: Request) -> Response:
    site = site_of(request)
    actor = _actor(request)
    async with request.form() as data:
        label = form_text(data, "naam", 80)
    record, token = await run_in_threadpool(Accounts(site.database).make_token, actor, label)
    # shown once, on this answer only (never stored, never on a page again)
    return await show(request, new_token=token, label=record.label)


async def revoke_token(request: Request) -> Response:
    site = site_of(request)
    actor = _actor(request)
    revoked = await run_in_threadpool(
        Accounts(site.database).revoke_token, actor, request.path_params["id"]
    )
    if not revoked:  # another account's, or made up: as if it were not there
        raise HTTPException(404)
    return back(request, "account")


ROUTES: list[BaseRoute] = [
    Route("/account", show, methods=["GET"], name="account"),
    Route("/account/sleutels", make_token, methods=["POST"], name="account_token"),
    Route(
        "/account/sleutels/{id:str}/intrekken",
        revoke_token,
        methods=["POST"],
        name="account_revoke",
    ),
]
