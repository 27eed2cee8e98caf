"""What keeps a local server a safe server (after Jupyter and Datasette).

* :class:`HostCheck`: the Host header must name this server (no DNS rebinding: a page on
  another site cannot make the browser talk to ``127.0.0.1`` under its own name).
* :class:`Headers`: a Content-Security-Policy without inline scripts, no framing, no
  sniffing, no referrer, and pages that are never cached (they can show participants).
* :class:`TokenGate`: with an access token, every page needs a login (a signed cookie)
  and the API an ``Authorization: Bearer`` header.
* CSRF: every state-changing form carries a token bound to the session
  (:func:`csrf_token`, :func:`check_csrf`); htmx sends it as a header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.datastructures import Headers as RequestHeaders
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..people import MAX_BYTES as MAX_LIST_BYTES

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_PEOPLE_BYTES = MAX_LIST_BYTES + 100_000
"""The largest form field: a pasted participant list of the largest size, as the form sends it."""


def _host_of(value: str | None) -> str | None:
    if not value:
        return None
    if value.startswith("["):
        return value[1 : value.find("]")].lower() if "]" in value else None
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()


class HostCheck:
    """Answer only requests whose Host header names this server."""

    def __init__(self, app: ASGIApp, allowed: set[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.allowed is not None:
            host = _host_of(RequestHeaders(scope=scope).get("host"))
            if host not in self.allowed:
                response = PlainTextResponse(
                    "Onbekende host: deze werkboek-server antwoordt alleen op zijn eigen adres.",
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Headers:
    """Security headers on every response; no caching of anything but static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if not scope["path"].startswith(("/static/", "/lettertype/")):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


LOGIN_PATHS = ("/inloggen", "/static/", "/lettertype/")


class TokenGate:
    """With a token: pages need a login session, the API a Bearer header."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        request = Request(scope)
        if path.startswith("/api/"):
            given = request.headers.get("authorization", "")
            if not (given.startswith("Bearer ") and same(given[7:], self.token)):
                response: Response = PlainTextResponse(
                    "Geef het toegangstoken: Authorization: Bearer <token>",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="werkboek"'},
                )
                await response(scope, receive, send)
                return
        elif not path.startswith(LOGIN_PATHS) and not request.session.get("ingelogd"):
            target = quote(
                path + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
            )
            response = RedirectResponse(f"/inloggen?volgende={target}", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> bool:
    """Whether a state-changing request carries the session's CSRF token."""
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str):
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and same(given, expected)


Endpoint = Callable[[Request], Awaitable[Response]]


def protected(endpoint: Endpoint) -> Endpoint:
    """A form endpoint that refuses requests without the session's CSRF token."""

    async def wrapper(request: Request) -> Response:
        try:
            if request.method not in SAFE_METHODS:
                # Parsed here once, for the endpoint too: a field may be as large as a pasted
                # participant list may be (Starlette's own limit is 1 MB a field).
                await request.form(max_part_size=MAX_PEOPLE_BYTES)
            if request.method not in SAFE_METHODS and not await check_csrf(request):
                return PlainTextResponse(
                    "Dit formulier is verlopen of komt niet van werkboek zelf; laad de pagina "
                    "opnieuw en probeer het nog eens.",
                    status_code=403,
                )
            return await endpoint(request)
        finally:
            await request.close()  # the temporary files of uploads

    wrapper.__name__ = getattr(endpoint, "__name__", "endpoint")
    wrapper.__doc__ = endpoint.__doc__
    return wrapper


def client_hint(request: Request) -> dict[str, Any]:
    """What every page template gets for its forms."""
    return {"csrf": csrf_token(request)}
