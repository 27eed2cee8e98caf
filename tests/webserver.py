"""The real web app on a free loopback port, for the API and browser tests."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from werkboek import Project
from werkboek.web.app import WebApp
from werkboek.web.config import ServerConfig

from conftest import CONTENT, REPO, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Running:
    url: str
    port: int
    app: WebApp
    project: Project


@contextlib.contextmanager
def running(
    folder: Path,
    config: ServerConfig | None = None,
    root_path: str = "",
    content: Path = CONTENT,
    http: Any = "auto",
) -> Iterator[Running]:
    """The app for the shipped content (or ``content``), writing below ``folder``, until the
    block ends; with ``root_path``, as a proxy would serve it below that path (which it
    strips); ``http`` is uvicorn's protocol (``werkboek serve``'s own, with its limits, in
    ``test_connections``)."""
    os.environ.setdefault("WERKBOEK_VERZENDLOG", str(folder / "staat" / "verzendlog.sqlite"))
    port = free_port()
    config = config or ServerConfig(port=port)
    if config.port != port:
        config = dataclasses.replace(config, port=port)
    (folder / "recepten").mkdir(parents=True, exist_ok=True)
    project = Project(content, REPO / "styles", folder / "output", folder / "recepten")
    web = WebApp(project, config)
    server = uvicorn.Server(
        uvicorn.Config(
            web.asgi(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            root_path=root_path,
            http=http,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield Running(f"http://127.0.0.1:{port}", port, web, project)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        web.jobs.shutdown()
        web.pool.shutdown()
