"""Running the web app: ``werkboek serve``, in one process or several.

With ``--processen N`` (``--workers``) uvicorn starts N worker processes on one socket;
each makes the app from the project and settings this process hands them (pickled, in
its environment, which only the same user can read), and each has a render pool of its
share of the cores, so all of them together use each core once. Nothing one worker needs
lives in another's memory: sessions, accounts, jobs and drafts are in the database, files
on disk (see :mod:`werkboek.store`).
"""

from __future__ import annotations

import base64
import os
import pickle
import socket
from typing import Any

import click
from starlette.applications import Starlette

from ..errors import Problem, WerkboekError
from ..project import Project
from .app import WebApp
from .config import ServerConfig
from .connections import guarded_protocol


def serve(project: Project, config: ServerConfig) -> None:
    """Serve until stopped (Ctrl-C); say where, in Dutch, before anything else."""
    import uvicorn

    project.content  # noqa: B018 - load and check the content before the first request
    check_free(config)
    options: dict[str, Any] = {
        "host": config.host,
        "port": config.port,
        "log_level": "warning",
        "access_log": False,
        "server_header": False,
        "proxy_headers": False,  # (the app trusts X-Forwarded-* from its proxies only)
        "root_path": config.root_path,
    }
    # (made before anything is said: a uvicorn of another shape stops here, in one line)
    protocol = guarded_protocol(config.head_seconds, config.max_connections, config.body_seconds)
    web = WebApp(project, config) if config.processes == 1 else None
    click.echo(f"werkboek draait op {config.address}")
    if config.processes > 1:
        click.echo(f"Met {config.processes} processen.")
    click.echo("Open dat adres in je browser. Stoppen: Ctrl-C.")
    if config.token:
        click.echo("Inloggen met het toegangstoken uit WERKBOEK_TOKEN.")
    if web is None:
        os.environ[HANDED] = hand_over(project, config)
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            workers=config.processes,
            http=f"{guarded_protocol.__module__}:GuardedH11Protocol",  # (by name, for each)
            **options,
        )
        return
    try:
        uvicorn.run(web.asgi(), http=protocol, **options)
    finally:
        web.jobs.shutdown()
        web.pool.shutdown()


HANDED = "WERKBOEK_SERVER"
"""The environment variable that hands the project and settings to the worker processes."""


def hand_over(project: Project, config: ServerConfig) -> str:
    """The project and settings as the worker processes read them (:func:`worker_app`):
    the folders and options, not what was loaded from them (each worker loads the content
    itself; an environment variable holds at most 128 kB)."""
    bare = Project(
        project.content_dir,
        project.styles_dir,
        project.output_dir,
        project.recipes_dir,
        print_shop=project.print_shop,
    )
    return base64.b64encode(pickle.dumps((bare, config))).decode("ascii")


def worker_app() -> Starlette:
    """In a worker process of ``serve --processen N``: the app, made from what the serving
    process handed over (it made the value itself; nothing else sets it)."""
    project, config = pickle.loads(base64.b64decode(os.environ[HANDED]))
    if not isinstance(project, Project) or not isinstance(config, ServerConfig):
        raise TypeError(f"{HANDED} holds no werkboek project and settings")
    project.content  # noqa: B018 - loaded before the first request, as in one process
    return WebApp(project, config).asgi()


def check_free(config: ServerConfig) -> None:
    """Say in Dutch, before uvicorn says it in English, that the address is taken."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((config.host.strip("[]"), config.port))
        except OSError as exc:
            reason = (
                f"poort {config.port} is al in gebruik (draait werkboek al?); "
                "kies een andere met --poort"
                if exc.errno == 98
                else f"kan niet luisteren op {config.host}:{config.port}: {exc.strerror or exc}"
            )
            raise WerkboekError(Problem("", 0, 0, "--poort", reason)) from None
