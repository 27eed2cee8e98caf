"""Render work in worker processes, bounded: previews, downloads and the API."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from webserver import running
from werkboek import Project
from werkboek.web import pool as pool_module
from werkboek.web.pool import Busy, RenderPool, Superseded, worker_pid

from conftest import CONTENT, REPO


def slow(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@pytest.fixture
def pool(tmp_path):
    made = RenderPool(Project(CONTENT, REPO / "styles", tmp_path), workers=2)
    yield made
    made.shutdown()


def test_renders_run_in_worker_processes_and_a_trainer_keeps_to_one(pool):
    async def main() -> list[int]:
        return [await pool.run("anna", worker_pid) for _ in range(3)]

    pids = asyncio.run(main())
    assert os.getpid() not in pids and len(set(pids)) == 1
    owners = {pool.home(f"trainer-{n}") for n in range(20)}
    assert owners == {0, 1}  # trainers spread over both workers


def test_two_trainers_at_once_render_in_two_workers(pool):
    """Two trainers whose own worker is the same one: the second does not wait for the
    first, but goes to the other worker; alone again, each keeps to where they were."""
    names = [f"trainer-{n}" for n in range(20)]
    anna, bram = [name for name in names if pool.home(name) == pool.home(names[0])][:2]

    async def main() -> tuple[list[int], list[int]]:
        together = await asyncio.gather(pool.run(anna, slow, 0.5), pool.run(bram, slow, 0.5))
        alone = [await pool.run(anna, worker_pid), await pool.run(bram, worker_pid)]
        return list(together), alone

    together, alone = asyncio.run(main())
    assert len(set(together)) == 2
    assert alone == together


def test_past_the_limits_the_pool_says_how_long_to_wait(pool):
    async def main() -> tuple[list[object], Busy]:
        first = [asyncio.ensure_future(pool.run("anna", slow, 1.0)) for _ in range(2)]
        await asyncio.sleep(0.2)
        with pytest.raises(Busy) as too_many:  # anna has two running or waiting already
            await pool.run("anna", slow, 0)
        return await asyncio.gather(*first), too_many.value

    results, busy = asyncio.run(main())
    assert len(results) == 2 and busy.retry_after > 0 and busy.place >= 1


def test_a_newer_preview_cancels_the_one_still_waiting(pool, monkeypatch):
    monkeypatch.setattr(pool_module, "PER_OWNER", 5)

    async def main() -> list[object]:
        running = [asyncio.ensure_future(pool.run("anna", slow, 1.0)) for _ in range(2)]
        await asyncio.sleep(0.2)  # (both workers busy)
        waiting = asyncio.ensure_future(pool.run("anna", slow, 0.1, preview=True))
        await asyncio.sleep(0.05)
        newest = asyncio.ensure_future(pool.run("anna", slow, 0.1, preview=True))
        return await asyncio.gather(*running, waiting, newest, return_exceptions=True)

    *first, passed_by, newest = asyncio.run(main())
    assert all(isinstance(pid, int) for pid in first) and isinstance(newest, int)
    assert isinstance(passed_by, Superseded)


def test_the_api_answers_503_with_retry_after_when_the_pool_is_full(tmp_path, monkeypatch):
    monkeypatch.setattr(pool_module, "QUEUE_PER_WORKER", 0)
    recipes = [{"titel": f"Drukte {n}", "onderdelen": [{"notities": 1 + n}]} for n in range(4)]
    with running(tmp_path) as server:

        async def send_all() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=server.url, timeout=300) as client:
                return await asyncio.gather(
                    *(client.post("/api/werkboek", json=recipe) for recipe in recipes)
                )

        answers = asyncio.run(send_all())
    statuses = sorted(a.status_code for a in answers)
    assert 200 in statuses and 503 in statuses
    for answer in answers:
        if answer.status_code == 503:
            assert int(answer.headers["retry-after"]) > 0
            assert "werkboek is druk" in answer.json()["fout"]
        else:
            assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")


STOPPED_BY_SIGTERM = """
import asyncio, signal, sys
from pathlib import Path
from werkboek import Project
from werkboek.web.pool import RenderPool, worker_pid

if __name__ == "__main__":
    content, styles, output = map(Path, sys.argv[1:])
    pool = RenderPool(Project(content, styles, output), workers=2)
    asyncio.run(pool.run("anna", worker_pid))
    pool.shutdown()
    signal.raise_signal(signal.SIGTERM)  # as uvicorn does once it has shut down
"""


def test_a_server_stopped_by_sigterm_leaves_no_semaphores_to_warn_of(tmp_path):
    """The pool's queues are let go of when it shuts down: the server's log said
    "There appear to be 5 leaked semaphore objects" each time systemd stopped it."""
    script = tmp_path / "stop.py"
    script.write_text(STOPPED_BY_SIGTERM, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), str(CONTENT), str(REPO / "styles"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert "leaked" not in result.stderr and "Traceback" not in result.stderr, result.stderr
