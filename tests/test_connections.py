"""Connections to the real server: slow clients are timed out, and there are never too many.

The server runs the app with werkboek's own protocol (``web/connections.py``), as
``werkboek serve`` does, with short limits so that the test need not wait long.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from webserver import running
from werkboek.web.connections import guarded_protocol

STATIC = "/static/werkboek.css"


@contextlib.contextmanager
def server(
    folder: Path, head_seconds: float, max_connections: int, body_seconds: float = 30.0
) -> Iterator[int]:
    with running(folder, http=guarded_protocol(head_seconds, max_connections, body_seconds)) as app:
        yield app.port


def closed(sock: socket.socket) -> bool:
    """Whether the server has closed ``sock`` (without waiting)."""
    sock.setblocking(False)
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_trickling_clients_are_closed_and_others_still_served(tmp_path, monkeypatch):
    monkeypatch.setenv("WERKBOEK_VERZENDLOG", str(tmp_path / "verzendlog.sqlite"))
    with server(tmp_path, head_seconds=1.0, max_connections=100) as port:
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
        for sock in slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        # a normal request while all of them are open
        answer = httpx.get(f"http://127.0.0.1:{port}{STATIC}")
        assert answer.status_code == 200
        # each trickles a header byte by byte; every one of them is closed, a while after
        # the limit at most (without the limit they would stay open as long as they trickle)
        open_ = list(slow)
        stop = time.monotonic() + 30
        while open_ and time.monotonic() < stop:
            for sock in list(open_):
                if closed(sock):
                    open_.remove(sock)
                    continue
                with contextlib.suppress(OSError):
                    sock.send(b"X")
            time.sleep(0.1)
        assert not open_, f"{len(open_)} of 60 slow clients still open"
        for sock in slow:
            sock.close()
        # the server still answers
        assert httpx.get(f"http://127.0.0.1:{port}{STATIC}").status_code == 200


def test_a_body_that_stops_coming_is_closed_and_a_slow_one_still_arrives(tmp_path, monkeypatch):
    """A client that sends its head and then stops sending its body is closed once no byte
    came for ``body_seconds``; one that keeps sending, slowly, is answered."""
    monkeypatch.setenv("WERKBOEK_VERZENDLOG", str(tmp_path / "verzendlog.sqlite"))
    head = (
        b"POST /inloggen HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\n"
    )
    with server(tmp_path, head_seconds=5.0, max_connections=100, body_seconds=1.0) as port:
        stalled = socket.create_connection(("127.0.0.1", port))
        stalled.sendall(head + b"token=abc")
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(head)
        body = b"token=" + b"x" * 34
        for at in range(0, len(body), 4):  # every 0.3 s a piece: never a second without one
            slow.sendall(body[at : at + 4])
            time.sleep(0.3)
        slow.settimeout(30)
        assert slow.recv(64).startswith(b"HTTP/1.1 ")  # answered (whatever the answer)
        stop = time.monotonic() + 10
        while not closed(stalled) and time.monotonic() < stop:
            time.sleep(0.1)
        assert closed(stalled), "a body that stopped coming still holds its connection"
        for sock in (stalled, slow):
            sock.close()


def test_a_whole_head_in_time_is_not_cut_and_keep_alive_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv("WERKBOEK_VERZENDLOG", str(tmp_path / "verzendlog.sqlite"))
    with (
        server(tmp_path, head_seconds=1.0, max_connections=100) as port,
        httpx.Client(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        for _ in range(3):  # one connection, several requests
            assert client.get(STATIC).status_code == 200


def test_connections_are_capped_with_a_dutch_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("WERKBOEK_VERZENDLOG", str(tmp_path / "verzendlog.sqlite"))
    with server(tmp_path, head_seconds=30.0, max_connections=5) as port:
        held = []
        for _ in range(5):  # five kept-alive connections, each with one answered request
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(f"GET {STATIC} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            sock.settimeout(10)
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
            held.append(sock)
        one_more = socket.create_connection(("127.0.0.1", port))
        one_more.settimeout(10)
        reply = b""
        while chunk := one_more.recv(1024):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 503")
        assert "De server is even te druk" in reply.decode()
        one_more.close()
        held.pop().close()
        # once one is closed there is room again
        for _attempt in range(50):
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(f"http://127.0.0.1:{port}{STATIC}")
                if answer.status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("no room after a connection was closed")
        for sock in held:
            sock.close()


def test_a_uvicorn_of_another_shape_is_one_dutch_line_before_listening(monkeypatch):
    from werkboek.errors import WerkboekError
    from werkboek.web import internals

    assert internals.h11_protocol().__name__ == "H11Protocol"
    internals.h11_protocol.cache_clear()
    monkeypatch.setattr(internals, "METHODS", (*internals.METHODS, "no_such_method"))
    try:
        with pytest.raises(WerkboekError) as caught:
            guarded_protocol()
        assert str(caught.value).startswith("uvicorn ")
        assert "H11Protocol.no_such_method heeft een andere vorm; installeer uvicorn>=" in str(
            caught.value
        )
    finally:
        internals.h11_protocol.cache_clear()
