"""The beheerder's page (``/beheer``): the accounts and their roles, and the organisation's
record of every mailing (who, when, how many, which files).

Never a participant's name or address: the mailing records hold none (see
:func:`~werkboek.mail.log.mailing_records`), and this page reads nothing else of a
trainer's. A trainer gets 403. A beheerder adds accounts (with a first password, or for
single sign-on without one), changes their role and removes them, with all their space
holds; as ``werkboek gebruikers`` does on the server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...mail.log import MailingRecord, mailing_records
from ...mail.mailing import session_actor
from ...retention import erase_space
from ...store.accounts import ROLES, Account, AccountError, Accounts
from ..responses import back, form_text, path_for
from ..security import actor_of
from ..site import Site, site_of


@dataclass(frozen=True)
class Summary:
    """A mailing as the beheerder sees it: the account that sent it by name."""

    who: str
    record: MailingRecord

    @property
    def started(self) -> float:
        return _moment(self.record.started)

    @property
    def updated(self) -> float:
        return _moment(self.record.updated)


def _moment(value: str) -> float:
    """A send log's time (ISO 8601) as seconds since the epoch."""
    try:
        return dt.datetime.fromisoformat(value).timestamp()
    except ValueError:
        return 0.0


def _beheerder(request: Request) -> Account | None:
    """The beheerder asking (``None``: the one person of the single-token mode); a trainer
    gets 403."""
    actor = actor_of(request)
    if actor is not None and not actor.is_beheerder:
        raise HTTPException(403)
    return actor


def summaries(site: Site, accounts: list[Account]) -> list[Summary]:
    """Every mailing on record, the latest first, with who sent it: an account's name, the
    computer's user for the command line, else "een browsersessie"."""
    names = {session_actor(account.space): account.name for account in accounts}
    found = []
    for record in reversed(mailing_records()):
        if record.actor in names:
            who = names[record.actor]
        elif record.actor.startswith("gebruiker:"):
            who = f"{record.actor.removeprefix('gebruiker:')} (opdrachtregel)"
        else:
            who = "een browsersessie (zonder account)"
        found.append(Summary(who, record))
    return found


def read(site: Site) -> tuple[list[Account], list[Summary]]:
    accounts = Accounts(site.database).all() if site.config.login != "token" else []
    return accounts, summaries(site, accounts)


async def show(
    request: Request,
    problem: str = "",
    status: int = 200,
    new: dict[str, str] | None = None,
    new_problems: dict[str, str] | None = None,
) -> Response:
    site = site_of(request)
    _beheerder(request)
    accounts, mailings = await run_in_threadpool(read, site)
    return site.page(
        request,
        "beheer.html",
        status=status,
        active="beheer",
        accounts=accounts,
        mailings=mailings,
        roles=ROLES,
        problem=problem,
        groups=site.config.admin_group if site.config.login == "sso" else None,
        passwords=site.config.login == "accounts",
        new=new or {},
        new_problems=new_problems or {},
    )


async def add(request: Request) -> Response:
    """A new account: a name and a role, and with werkboek's own accounts a first password
    (typed twice), which the trainer is told in person; every problem beside its field."""
    site = site_of(request)
    if _beheerder(request) is None:  # (the single-token mode has no accounts)
        raise HTTPException(404)
    async with request.form() as form:
        name = form_text(form, "naam", 200).strip()
        role = form_text(form, "rol", 20)
        password = form_text(form, "wachtwoord", 2000)
        again = form_text(form, "nog-eens", 2000)
    entered = {"naam": name, "rol": role}
    problems: dict[str, str] = {}
    passwords = site.config.login == "accounts"
    if role not in ROLES:
        problems["rol"] = f"kies een rol: {' of '.join(ROLES)}"
    if passwords and password != again:
        problems["nog-eens"] = "de twee wachtwoorden zijn niet gelijk"
    if not problems:
        try:
            await run_in_threadpool(
                Accounts(site.database).add, name, password if passwords else None, role
            )
        except AccountError as exc:
            message = str(exc.problems[0].message) if exc.problems else str(exc)
            field = "wachtwoord" if "wachtwoord" in message else "naam"
            problems[field] = message
    if problems:
        return await show(request, "", 422, new=entered, new_problems=problems)
    return back(request, "admin", query={"toegevoegd": name.lower()})


async def remove(request: Request) -> Response:
    """Remove an account, after a question, with all its space holds (its own recipes,
    draft, training day, mail and jobs); never the beheerder's own."""
    site = site_of(request)
    actor = _beheerder(request)
    if actor is None:
        raise HTTPException(404)
    accounts = Accounts(site.database)
    account = await run_in_threadpool(accounts.get, request.path_params["name"])
    if account is None:
        raise HTTPException(404)
    async with request.form() as form:
        confirmed = form_text(form, "bevestigd", 3) == "ja"
    if account.name == actor.name:
        mine = "je eigen account verwijder je niet zelf; vraag het een andere beheerder"
        return await show(request, mine, 422)
    if not confirmed:
        return site.page(
            request,
            "bevestigen.html",
            active="beheer",
            title=f"{account.name} verwijderen?",
            question=(
                f"Het account {account.name} verdwijnt, met alles wat erin staat: eigen "
                "recepten, het werkboek in wording, de deelnemerslijst, mailgegevens en taken."
            ),
            comfort="Dit kan niet ongedaan worden gemaakt. Mailings blijven in het overzicht.",
            action=path_for(request, "admin_remove", name=account.name),
            fields={},
            yes="Ja, verwijderen",
            back=path_for(request, "admin"),
        )
    removed, jobs = await run_in_threadpool(accounts.remove, account.name)
    await run_in_threadpool(erase_space, site.state, removed.space, jobs)
    return back(request, "admin", query={"verwijderd": removed.name})


async def set_role(request: Request) -> Response:
    site = site_of(request)
    actor = _beheerder(request)
    if actor is None:  # (the single-token mode has no accounts)
        raise HTTPException(404)
    async with request.form() as form:
        role = form_text(form, "rol", 20)
    accounts = Accounts(site.database)
    account = await run_in_threadpool(accounts.get, request.path_params["name"])
    if account is None:
        raise HTTPException(404)
    if role not in ROLES:
        return await show(request, f"kies een rol: {' of '.join(ROLES)}", 422)
    if account.name == actor.name and role != actor.role:
        mine = "je eigen rol verander je niet zelf; vraag het een andere beheerder"
        return await show(request, mine, 422)
    await run_in_threadpool(accounts.set_role, account.name, role)
    name = account.name
    return back(request, "admin", query={"gewijzigd": name})


ROUTES: list[BaseRoute] = [
    Route("/beheer", show, methods=["GET"], name="admin"),
    Route("/beheer/gebruikers/{name:str}/rol", set_role, methods=["POST"], name="admin_role"),
    Route("/beheer/gebruikers", add, methods=["POST"], name="admin_add"),
    Route(
        "/beheer/gebruikers/{name:str}/verwijderen", remove, methods=["POST"], name="admin_remove"
    ),
]
