"""Connections to the server: a request's head in time, and not too many at once.

uvicorn times out a connection that is idle between requests, but not a client that sends
its request line and headers a byte at a time: each byte restarts that timer, and a few
hundred such clients hold the server's sockets for ever (slowloris). The protocol here is
uvicorn's h11 protocol with two limits, both in one place:

- a request's head (request line and headers) must be complete within ``head_seconds``
  of the connection being made, or of the previous response; else the connection is
  closed;
- while a request's body comes in, no more than ``body_seconds`` may pass without a byte
  of it (as nginx's ``client_body_timeout``): an upload on a slow line still arrives, a
  client that stops sending does not hold its socket (the app bounds the body's size). A
  request that is being answered is not limited;
- at most ``max_connections`` are open at once; one more is answered at once with a short
  Dutch "503" and closed.

The private names of uvicorn it uses are looked up and checked in :mod:`.internals`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from . import internals

HEAD_SECONDS = 10.0
BODY_SECONDS = 30.0
MAX_CONNECTIONS = 200

BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 5\r\n"
    b"Connection: close\r\n"
    b"Content-Length: 52\r\n"
    b"\r\n"
    b"De server is even te druk. Probeer het zo opnieuw.\r\n"
)


def guarded_protocol(
    head_seconds: float = HEAD_SECONDS,
    max_connections: int = MAX_CONNECTIONS,
    body_seconds: float = BODY_SECONDS,
) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with a deadline for a request's head and a connection cap
    (pass it as uvicorn's ``http`` setting)."""
    base = internals.h11_protocol()

    class Guarded(base):  # type: ignore[misc, valid-type]
        _deadline: asyncio.TimerHandle | None = None
        _refused = False

        def connection_made(self, transport: Any) -> None:
            internals.check_instance(self)
            if internals.open_connections(self) >= max_connections:
                self._refused = True
                transport.write(BUSY)
                transport.close()
                return
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if not self._refused:
                super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if internals.sending_body(self):
                self._arm(body_seconds)  # (again with every piece of the body)
            elif not internals.waiting_for_head(self):
                self._disarm()

        def on_response_complete(self) -> None:
            self._arm()  # the next request's head, in time too
            super().on_response_complete()
            if not internals.waiting_for_head(self):
                self._disarm()  # (a pipelined request was already there)

        def _arm(self, seconds: float = head_seconds) -> None:
            self._disarm()
            loop = asyncio.get_running_loop()
            self._deadline = loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            transport = internals.transport(self)
            slow = internals.waiting_for_head(self) or internals.sending_body(self)
            if slow and not transport.is_closing():
                transport.close()

    Guarded.__name__ = Guarded.__qualname__ = "GuardedH11Protocol"
    return Guarded


def __getattr__(name: str) -> Any:
    """``GuardedH11Protocol``: the protocol with the default limits, by name (what uvicorn
    imports in each worker process of ``serve --processen N``)."""
    if name == "GuardedH11Protocol":
        return guarded_protocol()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
