"""What every page works with: the project, the server's settings and state, and the page
renderer. The ASGI app (:class:`~werkboek.web.app.WebApp`) is one of these; a page gets it
from the request (:func:`site_of`), so no page imports the app that imports the pages.
"""

from __future__ import annotations

import datetime
import re
import secrets
import threading
from pathlib import Path
from typing import Any

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..build import cores
from ..content.markup import plain_text, render_inline
from ..products import WorkbookOptions, WorkbookProduct, cached_preview
from ..project import Project
from ..recipes import Recipe
from ..rendering.templates import ENVIRONMENT
from ..store.day_lists import DayLists
from ..words import capital, dutch_date, format_size, plural
from . import security
from .config import ServerConfig
from .drafts import Draft, Drafts
from .jobs import Jobs, Work
from .pool import RenderPool, render_preview, render_workbook
from .previews import Previews
from .responses import back, is_htmx, path_for

TEMPLATES = Path(__file__).resolve().parent / "templates"
SECTIONS = [
    ("catalogue", "catalogus", "Catalogus"),
    ("composer", "werkboek", "Werkboek samenstellen"),
    ("recipes", "recepten", "Recepten"),
    ("day", "dag", "Trainingsdag"),
    ("copies", "exemplaren", "Eigen exemplaren"),
    ("mail", "mail", "Mailen"),
    ("print", "drukken", "Drukken"),
    ("help", "hulp", "Hulp"),
]
"""The main menu: route name, the key a page marks itself active with, and the label."""


class Site:
    """werkboek in the browser, for one project: what the pages share."""

    def __init__(self, project: Project, config: ServerConfig | None = None) -> None:
        self.project = project
        self.config = config or ServerConfig()
        self.state = project.output_dir / ".web"
        self.database = self.state / "werkboek.sqlite"
        """The server's state (sessions and accounts; ``werkboek gebruikers`` and ``werkboek
        backup`` use the same file)."""
        self.drafts = Drafts(self.database, legacy=self.state / "concepten")
        self.day_lists = DayLists(self.database, legacy=self.state / "dag")
        self.jobs = Jobs(self.database, self.state / "taken")
        self.previews = Previews(self.state / "voorbeelden")
        # every worker process its share of the cores: all of them use each core once
        self.pool = RenderPool(
            project, max(1, cores() // max(1, self.config.processes)), database=self.database
        )
        self.templates = templates()
        self._print_shop: Project | None = None
        self._lock = threading.Lock()

    @property
    def print_shop(self) -> Project:
        """The project for the print shop's files (PDF/A-2b), beside the accessible one, as
        ``werkboek build --drukwerk`` makes them (its output in ``drukwerk/``); made once."""
        with self._lock:
            if self._print_shop is None:
                project = self.project
                self._print_shop = Project(
                    project.content_dir,
                    project.styles_dir,
                    project.output_dir / "drukwerk",
                    project.recipes_dir,
                    print_shop=True,
                )
            return self._print_shop

    def session(self, request: Request) -> str:
        """Who owns drafts, jobs and mailings: the account (with accounts or single sign-on),
        else the browser session (its id, made on first use)."""
        actor = security.actor_of(request)
        if actor is not None:
            return actor.space
        value = request.session.get("id")
        if not isinstance(value, str) or len(value) < 16:
            value = secrets.token_urlsafe(24)
            request.session["id"] = value
        return value

    async def workbook_pdf(
        self, request: Request, recipe: Recipe, *, preview: bool = False
    ) -> bytes:
        """The workbook of ``recipe``: from the build cache at once, else made in this
        trainer's worker process (:class:`~.pool.Busy` when there is no room). For the
        ``preview``: its pages as they are drawn (:func:`~.pool.render_preview`), which may
        be an untagged PDF; never give those bytes as the workbook."""
        if preview:
            cached = await run_in_threadpool(cached_preview, self.project, recipe)
        else:
            product = WorkbookProduct(self.project, WorkbookOptions(recipe))
            cached = await run_in_threadpool(product.cached, next(iter(product.targets())))
        if cached is not None:
            return cached
        task = render_preview if preview else render_workbook
        return await self.pool.run(self.session(request), task, recipe, preview=preview)

    def draft(self, request: Request) -> Draft:
        return self.drafts.get(self.session(request))

    def save_draft(self, request: Request, draft: Draft) -> None:
        self.drafts.save(self.session(request), draft)

    def page(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """A page or, for htmx, the fragment a template's ``fragment`` block renders."""
        draft = self.draft(request)
        values: dict[str, Any] = {
            "request": request,
            "csrf": security.csrf_token(request),
            "content": self.project.content,
            "draft_count": len(draft.onderdelen),
            "draft_empty": draft.empty,
            "logged_in": self.config.token is not None or security.actor_of(request) is not None,
            "actor": security.actor_of(request),
            "login_mode": self.config.login,
            "htmx": is_htmx(request),
            **context,
        }
        html = self.templates.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status)
        if status == 422 and is_htmx(request) and not template.startswith("_"):
            # a form with problems: the whole page again, problems beside their fields, in
            # place of the page's main part (htmx swaps a 422, see base.html)
            in_place(response)
        return response

    def start_job(self, request: Request, kind: str, title: str, work: Work) -> Response:
        """Start ``work`` as this session's job; its progress in place (htmx) or on its own
        page (a form without scripts)."""
        job = self.jobs.start(self.session(request), kind, title, work)
        if is_htmx(request):
            return self.page(request, "_taak.html", active="", job=job)
        return back(request, "job", id=job.id)


def in_place(response: Response) -> Response:
    """For htmx: ``response`` (a whole page) swapped in for the page's main part, not only
    where the request aimed (a form's problems shown before go when they are solved)."""
    response.headers.update(
        {"HX-Retarget": "#inhoud", "HX-Reselect": "#inhoud", "HX-Reswap": "outerHTML"}
    )
    return response


def site_of(request: Request) -> Site:
    """The site a request came to (the app keeps it in its state)."""
    site = request.app.state.werkboek
    if not isinstance(site, Site):
        raise TypeError("the app's state.werkboek is not a werkboek site")
    return site


@jinja2.pass_context
def url_for(context: jinja2.runtime.Context, name: str, /, **params: Any) -> str:
    """In a template: the path of a route by its name, as :func:`~.responses.path_for`."""
    request: Request = context["request"]
    return path_for(request, name, **params)


def timestamp(value: float) -> str:
    """A moment (seconds since the epoch) as a trainer reads it: 7 december 2026, 09:30."""
    moment = datetime.datetime.fromtimestamp(value)
    return f"{dutch_date(moment.date())}, {moment:%H:%M}"


ONE_OF = {"onderdelen": "onderdeel", "delen": "deel"}
"""A recipe's lists, by the word for one of their entries."""


def field_name(path: str) -> str:
    """A field of a recipe as a trainer reads it: ``onderdelen[0].principe`` is
    "onderdeel 1, principe" (counted from 1, as the composer counts)."""

    def entry(match: re.Match[str]) -> str:
        return f"{ONE_OF.get(match[1], match[1])} {int(match[2]) + 1}"

    return re.sub(r"(\w+)\[(\d+)\]", entry, path).replace(".", ", ")


def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), **ENVIRONMENT)
    env.filters["inline"] = render_inline
    env.filters["plain"] = plain_text
    env.filters["size"] = format_size
    env.filters["date"] = dutch_date
    env.filters["timestamp"] = timestamp
    env.filters["capital"] = capital
    env.filters["field"] = field_name
    env.globals["plural"] = plural
    env.globals["url_for"] = url_for
    env.globals["SECTIONS"] = SECTIONS
    return env
