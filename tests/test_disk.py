"""Disk and resource failures: one Dutch line in the command line, a Dutch page in the web
app, never a traceback.

A full disk and a read-only folder cannot be made without root, so they are made where
werkboek writes: its one write boundary (``files/atomic.py``) is given an ``os`` whose
``replace`` fails as a full disk does, or a ``tempfile`` whose ``mkstemp`` fails as a
read-only folder does; the send log is opened read-only by SQLite itself.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from webserver import running
from werkboek.cli import main
from werkboek.files import atomic
from werkboek.mail import log as send_log
from werkboek.store import database
from werkboek.web.jobs import Jobs

from conftest import ROOTS


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="werkboek")


def failing(code: int, name: str, module: Any) -> SimpleNamespace:
    """``module`` (os or tempfile) with ``name`` failing as the disk does with ``code``."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code), str(args[-1]) if args else None)

    return SimpleNamespace(**{**vars(module), name: fail})


@pytest.fixture
def full_disk(monkeypatch):
    monkeypatch.setattr(atomic, "os", failing(errno.ENOSPC, "replace", os))


@pytest.fixture
def read_only(monkeypatch):
    monkeypatch.setattr(atomic, "tempfile", failing(errno.EROFS, "mkstemp", tempfile))


def test_a_full_disk_is_one_dutch_line_and_leaves_nothing(work, full_disk):
    result = run("workbook", "recept.yaml", "-o", "uit/dag.pdf")
    assert result.exit_code == 1
    assert result.stderr == "fout: uit/dag.pdf: kan niet schrijven: de schijf is vol\n"
    assert "Traceback" not in result.output
    assert not [p for p in (work / "uit").iterdir()]  # no half file, no temporary one


def test_a_read_only_output_folder_is_one_dutch_line(work, read_only):
    result = run("workbook", "recept.yaml", "-o", "uit/dag.pdf")
    assert result.exit_code == 1
    assert result.stderr == "fout: uit/dag.pdf: kan niet schrijven: de map is alleen-lezen\n"


def test_any_other_failed_write_is_one_dutch_line_too(work, monkeypatch):
    """Where werkboek writes outside the boundary (a mailing's messages), the command line
    still says it in Dutch."""
    (work / "deelnemers.csv").write_bytes((ROOTS / "mail" / "deelnemers.csv").read_bytes())
    (work / "bericht.txt").write_bytes((ROOTS / "mail" / "bericht.txt").read_bytes())
    real = Path.write_bytes

    def write_bytes(self: Path, data: Any) -> int:
        if self.suffix == ".eml":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    result = run("mail", "deelnemers.csv", "bericht.txt")
    assert result.exit_code == 1
    assert result.stderr == "fout: de schijf is vol\n"


def test_a_read_only_send_log_is_one_dutch_line_and_nothing_is_sent(work, smtp, monkeypatch):
    server = smtp()
    (work / "deelnemers.csv").write_bytes((ROOTS / "mail" / "deelnemers.csv").read_bytes())
    (work / "bericht.txt").write_bytes((ROOTS / "mail" / "bericht.txt").read_bytes())
    # a log that exists (a dry run made none: make it with a first send to nobody)
    log_path = work / "staat" / "verzendlog.sqlite"
    send_log.SendLog(log_path).close()
    connect = sqlite3.connect

    def read_only(path: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(send_log.sqlite3, "connect", read_only)
    result = run(
        "mail",
        "deelnemers.csv",
        "bericht.txt",
        "--verzenden",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(server.port),
        "--beveiliging",
        "none",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "fout: staat/verzendlog.sqlite: het verzendlog kan niet bijgewerkt worden: "
        "het bestand of zijn map is alleen-lezen"
    ), result.stderr
    assert result.stderr.count("\n") == 1
    assert server.handler.received == []


@pytest.mark.parametrize("missing", ["iconen/klok.svg", "iconen/personen.svg"])
def test_a_missing_icon_in_the_styles_is_named_in_dutch(work, missing):
    (work / "styles" / missing).unlink()
    result = run("workbook", "recept.yaml", "-o", "dag.pdf")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"fout: styles/{missing}: bestand niet gevonden (nodig voor ")
    assert "Error fetching" not in result.stderr and "Traceback" not in result.output
    assert not (work / "dag.pdf").exists()


def test_a_missing_font_or_stylesheet_in_the_styles_is_named_in_dutch(work):
    css = work / "styles" / "werkboek.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(original + "\n@font-face { font-family: X; src: url(weg.woff2); }\n")
    font = run("workbook", "recept.yaml", "-o", "dag.pdf")
    assert font.exit_code == 1
    assert "url('weg.woff2'): bestand niet gevonden" in font.stderr, font.stderr
    css.unlink()
    sheet = run("workbook", "recept.yaml", "-o", "dag.pdf")
    assert sheet.exit_code == 1
    assert sheet.stderr == "fout: styles/werkboek.css: stijlblad niet gevonden\n"


def test_the_web_app_says_a_full_disk_in_dutch_without_its_folders(tmp_path, monkeypatch):
    with running(tmp_path) as app:
        with httpx.Client(base_url=app.url) as client:
            page = client.get("/werkboek")
            token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            # a file (the recipe saved in the recipes folder) and the database (the draft)
            assert client.post("/werkboek/notities", data={"csrf": token}).status_code == 303
            monkeypatch.setattr(atomic, "os", failing(errno.ENOSPC, "replace", os))
            answer = client.post("/recepten/opslaan", data={"csrf": token, "naam": "vol"})
            monkeypatch.undo()
            full = sqlite3.OperationalError("database or disk is full")
            monkeypatch.setattr(database, "connect", failing_connect(full))
            stored = client.post("/werkboek/notities", data={"csrf": token})
            monkeypatch.undo()
        for response in (answer, stored):
            assert response.status_code == 507, response.text[:300]
            assert "De server kan niet schrijven: de schijf is vol" in response.text
            assert str(tmp_path) not in response.text and "Traceback" not in response.text


def failing_connect(error: sqlite3.Error) -> Any:
    """``connect`` whose connections refuse every write with ``error``."""
    real = database.connect

    class Refusing:
        def __init__(self, connection: sqlite3.Connection) -> None:
            self.connection = connection

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.lstrip().upper().startswith(("BEGIN", "INSERT", "UPDATE", "DELETE")):
                raise error
            return self.connection.execute(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.connection, name)

    return lambda *args, **kwargs: Refusing(real(*args, **kwargs))


def test_a_job_on_a_full_disk_says_so_in_dutch(tmp_path):
    jobs = Jobs(tmp_path / "werkboek.sqlite", tmp_path / "taken", workers=1)

    def work(job: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/werkboek/output/x.pdf")

    job = jobs.start("iemand", "werkboek", "Proef", work)
    for _ in range(600):
        if job.finished:
            break
        time.sleep(0.05)
    jobs.shutdown()
    assert job.state == "mislukt"
    assert job.problems == ["de server kan niet schrijven: de schijf is vol"]
