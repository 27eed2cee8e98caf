"""Running the web app: ``werkboek serve``."""

from __future__ import annotations

import socket

import click

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
    protocol = guarded_protocol(config.head_seconds, config.max_connections, config.body_seconds)
    web = WebApp(project, config)
    app = web.asgi()
    click.echo(f"werkboek draait op {config.address}")
    click.echo("Open dat adres in je browser. Stoppen: Ctrl-C.")
    if config.token:
        click.echo("Inloggen met het toegangstoken uit WERKBOEK_TOKEN.")
    try:
        uvicorn.run(
            app,
            host=config.host,
            port=config.port,
            log_level="warning",
            access_log=False,
            server_header=False,
            proxy_headers=False,  # (the app trusts X-Forwarded-* from its proxies only)
            root_path=config.root_path,
            http=protocol,
        )
    finally:
        web.jobs.shutdown()
        web.pool.shutdown()


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
