"""Every name werkboek takes from uvicorn beyond its documented API, in one place.

uvicorn documents that its ``http`` setting takes a protocol class; it has no setting for
how long a client may take to send a request's head (``timeout_keep_alive`` is restarted by
every byte, so a client that trickles its headers is never timed out). werkboek's own
protocol (:mod:`.connections`) is a subclass of uvicorn's h11 protocol, and reaches into
it for these names only, each looked up here and checked at its first use:

- ``uvicorn.protocols.http.h11_impl.H11Protocol(config, server_state, app_state)`` and its
  methods ``connection_made``, ``connection_lost``, ``data_received`` and
  ``on_response_complete``;
- an instance's ``conn`` (its ``h11.Connection``: ``their_state`` is public h11),
  ``transport`` and ``connections`` (the server's set of open connections).

When one has changed, ``werkboek serve`` stops with one Dutch line that says which and
what to install, before it listens.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from importlib import metadata
from typing import Any

from ..errors import WerkboekError

TESTED = "uvicorn>=0.30,<1"
"""The versions werkboek is tested with (as ``pyproject.toml`` allows them)."""

PROTOCOL = "uvicorn.protocols.http.h11_impl.H11Protocol"
PARAMETERS = ("config", "server_state", "app_state")
METHODS = ("connection_made", "connection_lost", "data_received", "on_response_complete")
ATTRIBUTES = ("conn", "transport", "connections")


def untested(name: str) -> WerkboekError:
    """One Dutch line: the installed uvicorn differs from what werkboek was tested with."""
    try:
        version = metadata.version("uvicorn")
    except metadata.PackageNotFoundError:
        version = "?"
    return WerkboekError(
        f"uvicorn {version} is niet getest met werkboek: {name} heeft een andere vorm; "
        f"installeer {TESTED}"
    )


@functools.cache
def h11_protocol() -> type[Any]:
    """uvicorn's h11 protocol class, checked: its constructor and the methods werkboek
    overrides are as expected; else :func:`untested` is raised."""
    where, _, name = PROTOCOL.rpartition(".")
    try:
        found = getattr(importlib.import_module(where), name)
    except (ImportError, AttributeError):
        raise untested(PROTOCOL) from None
    if not isinstance(found, type):
        raise untested(PROTOCOL)
    parameters = tuple(inspect.signature(found).parameters)
    if parameters[: len(PARAMETERS)] != PARAMETERS:
        raise untested(PROTOCOL)
    for method in METHODS:
        if not callable(getattr(found, method, None)):
            raise untested(f"{PROTOCOL}.{method}")
    return found


def check_instance(protocol: Any) -> None:
    """The attributes werkboek reads exist on a constructed protocol (checked once)."""
    for attribute in ATTRIBUTES:
        if not hasattr(protocol, attribute):
            raise untested(f"{PROTOCOL}.{attribute}")


def open_connections(protocol: Any) -> int:
    """How many connections the server holds open now (this one included, once made)."""
    return len(protocol.connections)


def waiting_for_head(protocol: Any) -> bool:
    """Whether the client has not yet sent a whole request head on this connection."""
    import h11

    return protocol.conn.their_state is h11.IDLE


def sending_body(protocol: Any) -> bool:
    """Whether the client has sent a request's head and not yet all of its body."""
    import h11

    return protocol.conn.their_state is h11.SEND_BODY


def transport(protocol: Any) -> Any:
    """The connection's asyncio transport (``None`` before it was made)."""
    return protocol.transport
