"""Small helpers every page uses: what a request asks for, and the answers it gets.

Nothing here knows the app's pages: :mod:`.app` and the page modules both import it.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def path_for(request: Request, name: str, /, **params: Any) -> str:
    """The path of the route called ``name`` on this server (below its ``root_path``).

    A path, not a whole URL: pages and redirects stay relative to the address the browser
    used, as they were when the paths were written out. Remembered (the newest
    :data:`PATHS` for each app): Starlette looks for a name through every route, and a page
    with a preview asks for some sixty."""
    key = (request.scope.get("root_path", ""), name, tuple(sorted(params.items())))
    try:
        hash(key)
    except TypeError:  # (a value that cannot be a key: not remembered)
        return request.url_for(name, **params).path
    with _remembering:
        known = _paths.setdefault(request.app, OrderedDict())
        path = known.get(key)
        if path is not None:
            known.move_to_end(key)
            return path
    path = request.url_for(name, **params).path
    with _remembering:
        known[key] = path
        while len(known) > PATHS:
            known.popitem(last=False)
    return path


PATHS = 4096
"""Paths of routes :func:`path_for` remembers for each app."""
_paths: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], str]] = (
    weakref.WeakKeyDictionary()
)
_remembering = threading.Lock()


def back(
    request: Request, name: str, /, query: Mapping[str, str] | None = None, **params: Any
) -> RedirectResponse:
    """After a form without scripts: see the page of route ``name`` again (post, redirect,
    get)."""
    url = path_for(request, name, **params)
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def redirect(url: str) -> RedirectResponse:
    """To ``url`` on this server, with a GET (303)."""
    return RedirectResponse(url, status_code=303)


def local_path(value: object, default: str) -> str:
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


@dataclass(frozen=True)
class Download:
    """A file to download: what a job that makes a file leaves, or a page sends at once."""

    name: str
    data: bytes
    media_type: str = "application/pdf"


def download(file: Download) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(file.name)}"
    return Response(
        file.data, media_type=file.media_type, headers={"Content-Disposition": disposition}
    )


class SmallNumber(IntegerConvertor):
    """A number in a URL (a page, an item's place): at most six digits, so a path with five
    thousand of them is a page that does not exist (404), never a failed conversion (500)."""

    regex = "[0-9]{1,6}"


register_url_convertor("nummer", SmallNumber())
