"""The web app: the same library as the command line, behind pages and an HTTP API.

Like Datasette's ``Datasette`` class, :class:`WebApp` is made from the objects the
command line uses (a :class:`~werkboek.project.Project`) and builds the ASGI app;
``werkboek serve`` runs it with uvicorn. The server renders HTML and the browser swaps
fragments (htmx, served by werkboek itself); every form also works without scripts.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..content.fonts import font_dir
from ..content.markup import plain_text, render_inline
from ..project import Project
from ..rendering.files import write_atomically
from ..rendering.templates import ENVIRONMENT
from ..words import dutch_date, format_size, plural
from . import security
from .config import ServerConfig
from .drafts import Draft, Drafts
from .jobs import Jobs, Work
from .previews import Previews

HERE = Path(__file__).resolve().parent
MAX_BODY = 12_000_000
"""The largest request werkboek accepts (an upload of a list or a recipe is far smaller)."""
SECTIONS = [
    ("/", "catalogus", "Catalogus"),
    ("/werkboek", "werkboek", "Werkboek samenstellen"),
    ("/recepten", "recepten", "Recepten"),
    ("/exemplaren", "exemplaren", "Eigen exemplaren"),
    ("/mail", "mail", "Mailen"),
]


KEEP_PAGES = 200
"""Pages of laid-out workbook chapters the server keeps: both editions of a few trainers'
workbooks (some 0.6 MB a page)."""


class WebApp:
    """werkboek in the browser, for one project."""

    def __init__(self, project: Project, config: ServerConfig | None = None) -> None:
        self.project = project
        self.config = config or ServerConfig()
        self.state = project.output_dir / ".web"
        self.drafts = Drafts(self.state / "concepten")
        self.jobs = Jobs()
        self.previews = Previews()
        self.templates = self._templates()
        # the preview after a change lays out only the chapters that changed
        project.renderer.chapters.keep = KEEP_PAGES

    # ------------------------------------------------------------ setup

    def _templates(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")), **ENVIRONMENT
        )
        env.filters["inline"] = render_inline
        env.filters["plain"] = plain_text
        env.filters["size"] = format_size
        env.filters["date"] = dutch_date
        env.globals["plural"] = plural
        env.globals["SECTIONS"] = SECTIONS
        return env

    def _secret(self) -> str:
        """The key that signs session cookies, kept so a restart keeps everyone's session."""
        path = self.state / "sleutel"
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError:
            secret = secrets.token_urlsafe(48)
            write_atomically(path, secret.encode())
            path.chmod(0o600)
            return secret

    def asgi(self) -> Starlette:
        from . import api
        from .pages import catalogue, composer, copies, login, mailing, recipes

        routes: list[BaseRoute] = [Route("/kleuren.css", self._colours, methods=["GET"])]
        for module in (login, catalogue, composer, recipes, copies, mailing, api):
            routes.extend(module.routes(self))
        routes.append(Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"))
        routes.append(Mount("/lettertype", StaticFiles(directory=str(font_dir())), name="fonts"))
        middleware = [
            Middleware(security.HostCheck, allowed=self.config.allowed_hosts()),
            Middleware(security.Headers),
            Middleware(
                SessionMiddleware,
                secret_key=self._secret(),
                session_cookie="werkboek",
                same_site="strict",
                max_age=14 * 24 * 3600,
            ),
            Middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY),
            Middleware(security.TokenGate, token=self.config.token),
        ]
        app = Starlette(
            routes=routes,
            middleware=middleware,
            exception_handlers={HTTPException: self._error},
        )
        app.state.werkboek = self
        return app

    async def _colours(self, request: Request) -> Response:
        """The principles' colours as CSS classes (no inline styles: see the CSP)."""
        rules = [
            f".kleur-{p.slug} {{ --kleur: {p.colour}; }}" for p in self.project.content.principles
        ]
        return Response("\n".join(rules) + "\n", media_type="text/css")

    # ------------------------------------------------------------ helpers for pages

    def session(self, request: Request) -> str:
        """The session's id (made on first use): the owner of drafts and jobs."""
        value = request.session.get("id")
        if not isinstance(value, str) or len(value) < 16:
            value = secrets.token_urlsafe(24)
            request.session["id"] = value
        return value

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
            "logged_in": self.config.token is not None,
            "htmx": is_htmx(request),
            **context,
        }
        html = self.templates.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status)
        if status == 422 and is_htmx(request) and not template.startswith("_"):
            # a form with problems: the whole page again, problems beside their fields, in
            # place of the page's main part (htmx swaps a 422, see base.html)
            response.headers.update(
                {"HX-Retarget": "#inhoud", "HX-Reselect": "#inhoud", "HX-Reswap": "outerHTML"}
            )
        return response

    def start_job(self, request: Request, kind: str, title: str, work: Work) -> Response:
        """Start ``work`` as this session's job; its progress in place (htmx) or on its own
        page (a form without scripts)."""
        job = self.jobs.start(self.session(request), kind, title, work)
        if is_htmx(request):
            return self.page(request, "_taak.html", active="", job=job)
        return back(f"/taken/{job.id}")

    async def _error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        messages = {
            404: "Deze pagina bestaat niet.",
            405: "Dat kan op deze pagina niet.",
            413: "Dit bestand is te groot voor werkboek.",
        }
        message = messages.get(exc.status_code, "Dat ging niet goed.")
        if request.url.path.startswith("/api/"):
            from starlette.responses import JSONResponse

            return JSONResponse({"fout": message}, status_code=exc.status_code)
        return self.page(request, "fout.html", status=exc.status_code, message=message)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def back(url: str) -> RedirectResponse:
    """After a form without scripts: see the page again (post, redirect, get)."""
    return RedirectResponse(url, status_code=303)


def local_path(value: object, default: str = "/") -> str:
    """A path on this server to go back to: never another site (``//elders``, ``https:``)."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and ("\\" not in value)
    ):
        return value
    return default


def form_text(form: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def app_of(request: Request) -> WebApp:
    werkboek: WebApp = request.app.state.werkboek
    return werkboek
