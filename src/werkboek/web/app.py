"""The web app: the same library as the command line, behind pages and an HTTP API.

Like Datasette's ``Datasette`` class, :class:`WebApp` is made from the objects the
command line uses (a :class:`~werkboek.project.Project`) and builds the ASGI app;
``werkboek serve`` runs it with uvicorn. The server renders HTML and the browser swaps
fragments (htmx, served by werkboek itself); every form also works without scripts.

The routes come from the page modules' route tables (``ROUTES``), each route named, and
pages and templates make their URLs from those names (``url_for``), so the app also works
below a ``root_path``. A page gets this app from the request (:func:`.site.site_of`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..content.fonts import font_dir
from ..errors import DiskError, disk_error, is_disk_error
from ..files.atomic import write_atomically
from ..retention import DAY, erase_expired
from . import api, security
from .pages import (
    account,
    admin,
    catalogue,
    composer,
    copies,
    day,
    guide,
    login,
    mailing,
    printing,
    recipes,
    tasks,
)
from .pool import Busy
from .site import Site, site_of

HERE = Path(__file__).resolve().parent
LOG = logging.getLogger("werkboek.web")
MAX_BODY = 12_000_000
"""The largest request werkboek accepts (an upload of a list or a recipe is far smaller)."""
ERRORS = {
    403: "Dit mag alleen een beheerder.",
    404: "Deze pagina bestaat niet.",
    405: "Dat kan op deze pagina niet.",
    413: "Dit bestand is te groot voor werkboek.",
}


class WebApp(Site):
    """werkboek in the browser, for one project, as an ASGI app."""

    def _secret(self) -> str:
        """The key that signs session cookies, kept so a restart keeps everyone's session;
        made once, by the first of several worker processes starting at once (a link does
        not replace a key another just made)."""
        path = self.state / "sleutel"
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError:
            pass
        partial = path.with_name(f".sleutel-{os.getpid()}")
        write_atomically(partial, secrets.token_urlsafe(48).encode())
        partial.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
        partial.unlink()
        return path.read_text(encoding="utf-8").strip()

    async def erase_daily(self) -> None:
        """Erase participants' data older than the organisation's period: at start, then
        every day (what was erased is logged as counts, never names)."""
        while True:
            try:
                erased = await run_in_threadpool(
                    erase_expired, self.project.output_dir, self.config.retention_days
                )
                for line in erased.lines() if erased.total else []:
                    LOG.warning("bewaartermijn: %s", line)
            except Exception as exc:  # a problem is logged; the server goes on serving
                LOG.error("bewaartermijn: wissen mislukt: %s", exc)
            await asyncio.sleep(DAY)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(self.erase_daily())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # (each worker process of serve --processen ends its own jobs and render pool)
            self.jobs.shutdown()
            self.pool.shutdown()

    def asgi(self) -> Starlette:
        middleware = [
            # the peer as it connected (the proxy), before X-Forwarded-For names the browser
            Middleware(security.RememberPeer),
            *(
                [
                    Middleware(
                        ProxyHeadersMiddleware, trusted_hosts=list(self.config.trusted_proxies)
                    )
                ]
                if self.config.trusted_proxies
                else []
            ),
            Middleware(security.HostCheck, allowed=self.config.allowed_hosts()),
            Middleware(security.Headers),
            Middleware(security.SecureCookies),
            Middleware(
                SessionMiddleware,
                secret_key=self._secret(),
                session_cookie="werkboek",
                path=self.config.root_path or "/",
                same_site="strict",
                max_age=14 * 24 * 3600,
            ),
            Middleware(security.BodyLimit, max_body_size=MAX_BODY, error=error_page),
            Middleware(security.TokenGate, token=self.config.token, database=self.database),
            Middleware(security.AccountGate, config=self.config, database=self.database),
            # not the API (a Bearer token; JSON or YAML only), nor the files (GET only)
            Middleware(
                security.CsrfCheck, exempt=(security.API, *security.STATIC), error=error_page
            ),
        ]
        app = Starlette(
            routes=routes(),
            middleware=middleware,
            exception_handlers={
                HTTPException: error_page,
                Busy: busy_page,
                DiskError: disk_page,
                OSError: disk_page,
                Exception: failure_page,
            },
            lifespan=self.lifespan,
        )
        app.state.werkboek = self
        return app


def routes() -> list[BaseRoute]:
    """Every route of the app, from the page modules' tables."""
    return [
        Route("/kleuren.css", colours, methods=["GET"], name="colours"),
        Route("/logo", logo, methods=["GET"], name="logo"),
        *login.ROUTES,
        *account.ROUTES,
        *admin.ROUTES,
        *catalogue.ROUTES,
        *tasks.ROUTES,
        *composer.ROUTES,
        *recipes.ROUTES,
        *day.ROUTES,
        *copies.ROUTES,
        *mailing.ROUTES,
        *printing.ROUTES,
        *guide.ROUTES,
        *api.ROUTES,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        Mount("/lettertype", StaticFiles(directory=str(font_dir())), name="fonts"),
    ]


async def colours(request: Request) -> Response:
    """The organisation's house colour as the accent and the principles' colours as CSS
    classes (no inline styles: see the CSP)."""
    content = site_of(request).project.content
    accent = content.organisation.colour
    rules = [
        f":root {{ --accent: {accent}; --accent-donker: {darker(accent)}; --kleur: {accent}; }}"
    ]
    rules += [f".kleur-{p.slug} {{ --kleur: {p.colour}; }}" for p in content.principles]
    return Response("\n".join(rules) + "\n", media_type="text/css")


LOGO_MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
"""The logo's media type by its file's suffix (a logo is SVG or PNG, see the settings)."""


async def logo(request: Request) -> Response:
    """The organisation's logo (instellingen.yaml) for the page header; 404 without one."""
    path = site_of(request).project.content.logo
    if path is None or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=LOGO_MEDIA_TYPES[path.suffix.lower()])


def darker(colour: str) -> str:
    """``colour`` (``#rrggbb``) a fifth darker: the accent under the pointer."""
    channels = (int(colour[i : i + 2], 16) * 4 // 5 for i in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in channels)


async def error_page(request: Request, exc: Exception) -> Response:
    """An HTTP error in Dutch: a page, or for the API a JSON ``fout``."""
    if not isinstance(exc, HTTPException):
        raise TypeError(f"not an HTTP error: {exc!r}")
    message = ERRORS.get(exc.status_code, "Dat ging niet goed.")
    if security.route_path(request.scope).startswith(security.API):
        return JSONResponse({"fout": message}, status_code=exc.status_code)
    return site_of(request).page(request, "fout.html", status=exc.status_code, message=message)


async def disk_page(request: Request, exc: Exception) -> Response:
    """A file the server could not write (a full disk, a read-only folder): ``507``, in
    Dutch, without the server's own folders; the whole error in the server's log."""
    if isinstance(exc, DiskError):
        reason = exc.reason
    elif isinstance(exc, OSError) and is_disk_error(exc):
        reason = disk_error(exc).reason
    else:
        raise exc
    LOG.error("schrijven mislukt: %s", exc)
    message = f"De server kan niet schrijven: {reason}. Vraag de beheerder om hulp."
    if security.route_path(request.scope).startswith(security.API):
        return JSONResponse({"fout": message}, status_code=507)
    return site_of(request).page(request, "fout.html", status=507, message=message)


async def failure_page(request: Request, exc: Exception) -> Response:
    """A fault of werkboek itself: ``500``, in Dutch, nothing of the server's insides (the
    traceback goes to the server's log)."""
    where = security.route_path(request.scope)
    LOG.error("fout in werkboek bij %s %s", request.method, where, exc_info=exc)
    message = "Er ging iets mis op de server. Probeer het nog eens, of vraag de beheerder om hulp."
    if security.route_path(request.scope).startswith(security.API):
        return JSONResponse({"fout": message}, status_code=500)
    try:
        return site_of(request).page(request, "fout.html", status=500, message=message)
    except Exception:  # (the page itself failed: a plain Dutch line)
        return Response(message, status_code=500, media_type="text/plain; charset=utf-8")


async def busy_page(request: Request, exc: Exception) -> Response:
    """No room in the render pool: ``503`` with ``Retry-After``, in Dutch, the place in the row."""
    if not isinstance(exc, Busy):
        raise TypeError(f"not a full pool: {exc!r}")
    headers = {"Retry-After": str(exc.retry_after)}
    if security.route_path(request.scope).startswith(security.API):
        body = {"fout": str(exc), "plaats": exc.place}
        return JSONResponse(body, status_code=503, headers=headers)
    response = site_of(request).page(request, "druk.html", status=503, busy=exc)
    response.headers.update(headers)
    return response
