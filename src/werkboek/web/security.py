"""What keeps a local server a safe server (after Jupyter and Datasette).

* :class:`HostCheck`: the Host header must name this server (no DNS rebinding: a page on
  another site cannot make the browser talk to ``127.0.0.1`` under its own name).
* :class:`Headers`: a Content-Security-Policy without inline scripts, no framing, no
  sniffing, no referrer, and pages that are never cached (they can show participants).
* :class:`TokenGate`: with an access token, every page needs a login (a signed cookie)
  and the API an ``Authorization: Bearer`` header.
* :class:`CsrfCheck`: every state-changing request carries a token bound to the session
  (:func:`csrf_token`): a form's hidden field, or the header htmx sends.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers as RequestHeaders
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import WerkboekError
from ..participants.lists import MAX_BYTES as MAX_LIST_BYTES
from ..store.accounts import Account, Accounts, TokenSessions
from .config import ServerConfig

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API = "/api/"
"""Where the HTTP API's routes start (below the app's root path)."""
STATIC = ("/static/", "/lettertype/", "/kleuren.css", "/logo")
"""The files that may be cached, and that the login page itself needs."""
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
    """Security headers on every response; no caching of anything but static files and
    what a route lets its own user's browser keep (``private``: a preview's thumbnail)."""

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
                kept = headers.get("Cache-Control", "").startswith("private,")
                if not route_path(scope).startswith(STATIC) and not kept:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


SESSION_KEY = "sessie"
"""The session cookie's field holding the login session's own token (its hash is in the
database, with the access token it logged in with)."""


PEER = "werkboek.peer"
"""Where :class:`RememberPeer` keeps the address that connected (a proxy, maybe)."""


def client_address(scope: Scope) -> str:
    """The browser's address (behind a trusted proxy: the one it forwarded for)."""
    client = scope.get("client")
    return str(client[0]) if client else "onbekend"


def peer_address(scope: Scope) -> str:
    """The address that connected to werkboek itself: a proxy, if one stands in front."""
    peer = scope.get(PEER) or scope.get("client")
    return str(peer[0]) if peer else "onbekend"


class RememberPeer:
    """Keep the connecting address before X-Forwarded-For from a trusted proxy replaces the
    client's: the user header counts only when the proxy itself connected."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[PEER] = scope.get("client")
        await self.app(scope, receive, send)


class SecureCookies:
    """Cookies over HTTPS (as the proxy says it was, or directly) carry ``Secure``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookies = headers.getlist("set-cookie")
                if cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        if "; secure" not in cookie.lower():
                            cookie += "; secure"
                        headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, secure)


class TokenGate:
    """With a token: pages need a live login session begun with the current token, the API a
    Bearer header; wrong tokens count as failed logins of their address, which then waits."""

    def __init__(self, app: ASGIApp, token: str | None, database: Path) -> None:
        self.app = app
        self.token = token
        self.sessions = TokenSessions(database)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        request = Request(scope)
        login = request.url_for("login").path
        if path.startswith(API):
            given = request.headers.get("authorization", "")
            address = client_address(scope)
            if await run_in_threadpool(self.sessions.locked, address):
                response: Response = PlainTextResponse(
                    "Te veel verkeerde toegangstokens; probeer het over een kwartier opnieuw.",
                    status_code=429,
                    headers={"Retry-After": "900"},
                )
                await response(scope, receive, send)
                return
            if not (given.startswith("Bearer ") and same(given[7:], self.token)):
                if given:
                    await run_in_threadpool(self.sessions.failed, address)
                response = PlainTextResponse(
                    "Geef het toegangstoken: Authorization: Bearer <token>",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="werkboek"'},
                )
                await response(scope, receive, send)
                return
        elif (
            scope["path"] != login
            and not path.startswith(STATIC)
            and not await self._logged_in(request)
        ):
            query = scope["query_string"].decode()
            target = quote(scope["path"] + (f"?{query}" if query else ""))
            response = RedirectResponse(f"{login}?volgende={target}", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _logged_in(self, request: Request) -> bool:
        session = request.session.get(SESSION_KEY)
        if not isinstance(session, str) or self.token is None:
            return False
        return await run_in_threadpool(self.sessions.valid, session, self.token)


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


ErrorPage = Callable[[Request, Exception], Awaitable[Response]]


class CsrfCheck:
    """Every request that may change something (not GET, HEAD, OPTIONS) carries the session's
    CSRF token: htmx in the ``X-CSRF-Token`` header, a form without scripts in its hidden
    ``csrf`` field. Paths below ``exempt`` (the API: a Bearer token, and only JSON or YAML,
    which no form on another site can send) are not checked.

    A form's body is read here to find the field, then handed to the page as it came. What
    goes wrong while reading it (too large, not a form) is the app's own error page
    (``error``), as if the page had read it. A request no route takes goes on to its 404 or
    405 page.
    """

    def __init__(self, app: ASGIApp, exempt: tuple[str, ...], error: ErrorPage) -> None:
        self.app = app
        self.exempt = exempt
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or route_path(scope).startswith(self.exempt)
            or not routed(scope)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            chunks: list[bytes] = []

            async def recording() -> Message:
                message = await receive()
                chunks.append(message.get("body", b""))
                return message

            try:
                # (a field may be as large as a pasted participant list: Starlette's own
                # limit is 1 MB a field)
                async with Request(scope, recording).form(max_part_size=MAX_PEOPLE_BYTES) as form:
                    value = form.get(CSRF_FIELD)
            except HTTPException as exc:
                response = await self.error(request, exc)
                await response(scope, receive, send)
                return
            receive = replay(b"".join(chunks), receive)  # the page reads the form again
            given = value if isinstance(value, str) else None
        expected = request.session.get(CSRF_FIELD)
        if not (isinstance(expected, str) and given is not None and same(given, expected)):
            await expired()(scope, receive, send)
            return
        await self.app(scope, receive, send)


def routed(scope: Scope) -> bool:
    """Whether a route of the app takes this request (else it gets its 404 or 405 page, as
    it would without a token: nothing changes)."""
    router: Router = scope["app"].router
    return any(route.matches(scope)[0] == Match.FULL for route in router.routes)


def expired() -> Response:
    return PlainTextResponse(
        "Dit formulier is verlopen of komt niet van werkboek zelf; laad de pagina "
        "opnieuw en probeer het nog eens.",
        status_code=403,
    )


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` (read already) once, then waits as ``receive``."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def route_path(scope: Scope) -> str:
    """The request's path below the app's root path (where its routes start), also once a
    mount has made its own root path the scope's."""
    path: str = scope["path"]
    root: str = scope.get("app_root_path", scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


ACCOUNT_KEY = "account"
"""The session cookie's field holding an account's login session token."""
LOG = logging.getLogger("werkboek.web")


def actor_of(request: Request) -> Account | None:
    """The account a request comes from (own accounts, single sign-on or a personal API
    token); ``None`` in the single-token mode."""
    actor = request.scope.get("state", {}).get("actor")
    return actor if isinstance(actor, Account) else None


class AccountGate:
    """With own accounts or single sign-on: every request names its account (its *actor*).

    Single sign-on: the organisation's reverse proxy authenticates and names the user in
    ``header``; that header counts only from a trusted proxy's address (from anywhere else
    it is ignored and logged). Own accounts: a login session in the cookie. Both: the API
    takes a personal token (``Authorization: Bearer wbk_…``). Without an actor, a page goes
    to the login page and the API answers 401.
    """

    def __init__(self, app: ASGIApp, config: ServerConfig, database: Path) -> None:
        self.app = app
        self.config = config
        self.accounts = Accounts(database)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.config.login == "token":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = route_path(scope)
        actor = await run_in_threadpool(self._actor, request, path)
        scope.setdefault("state", {})["actor"] = actor
        login = request.url_for("login").path
        if actor is None and path.startswith(API):
            response: Response = PlainTextResponse(
                "Geef je persoonlijke API-sleutel: Authorization: Bearer <sleutel>",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="werkboek"'},
            )
            await response(scope, receive, send)
            return
        if actor is None and scope["path"] != login and not path.startswith(STATIC):
            query = scope["query_string"].decode()
            target = quote(scope["path"] + (f"?{query}" if query else ""))
            response = RedirectResponse(f"{login}?volgende={target}", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _actor(self, request: Request, path: str) -> Account | None:
        given = request.headers.get("authorization", "")
        if given.startswith("Bearer "):
            return self.accounts.token_account(given[7:].strip())
        if self.config.login == "sso":
            name = request.headers.get(self.config.user_header, "").strip()
            if not name:
                return None
            address = peer_address(request.scope)
            if not self.config.trusts(address):
                LOG.warning(
                    "kop %s van %s genegeerd: geen vertrouwde proxy",
                    self.config.user_header,
                    address,
                )
                return None
            role = self.config.role_of(request.headers.get(self.config.groups_header))
            try:
                return self.accounts.for_single_sign_on(name, role)
            except WerkboekError:
                LOG.warning("kop %s: %r is geen gebruikersnaam", self.config.user_header, name)
                return None
        session = request.session.get(ACCOUNT_KEY)
        return self.accounts.session(session) if isinstance(session, str) else None


class BodyLimit:
    """The largest request werkboek reads, refused in Dutch (the app's own error page): at
    once when the request says its length, else as soon as more has come."""

    def __init__(self, app: ASGIApp, max_body_size: int, error: ErrorPage) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = RequestHeaders(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_size:
            response = await self.error(Request(scope, receive), HTTPException(413))
            await response(scope, receive, send)
            return
        total = 0

        async def limited() -> Message:
            nonlocal total
            message = await receive()
            total += len(message.get("body", b""))
            if total > self.max_body_size:
                raise HTTPException(413)
            return message

        await self.app(scope, limited, send)
