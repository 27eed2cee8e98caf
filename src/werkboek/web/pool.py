"""Render work off the server's process: a pool of worker processes, bounded.

Laying out a workbook is CPU work in one Python thread; in the server's own process four
trainers' previews would take turns on one core (the GIL), and the catalogue would wait too.
So previews, downloads and the API render in worker processes, one per core, each with the
content loaded and its own laid-out chapters kept warm. A render goes to the worker with the
least to do; of those, to one that made this trainer's renders before (whose chapters are
theirs), else to the trainer's own by a stable hash of who they are. So one trainer's
previews are made where their chapters are, and four trainers at once are spread over the
workers instead of waiting for one (where two trainers' hashes meet).

The work is bounded: each worker takes at most :data:`QUEUE_PER_WORKER` renders waiting and
each trainer :data:`PER_OWNER` at once (in all the server's processes together, counted in
its database); past that :class:`Busy` says how long to wait (the
API answers ``503`` with ``Retry-After``, a page says it in Dutch). A newer preview of the
same trainer passes by the one still waiting, which is then not made (the trainer has
moved on). Workers are started
on first use and end with the server, ``kill -9`` included (see :mod:`werkboek.build`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import multiprocessing
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .. import build
from ..products import workbook_pdf, workbook_preview
from ..project import Project
from ..recipes import Recipe
from ..store.database import connect, transaction

T = TypeVar("T")

QUEUE_PER_WORKER = 4
"""Renders waiting for one worker, beyond the one it is making."""
PER_OWNER = 2
"""Renders one trainer may have waiting or running at once."""
SECONDS_PER_RENDER = 3
"""Roughly how long one render takes, for ``Retry-After``."""
CLAIM_SECONDS = 600
"""A claim older than this counts for nothing (its process id may be another's by now)."""
REMEMBERED = 4096
"""Trainers whose workers the pool remembers (the newest)."""
KEEP_PAGES = 200
"""Pages of laid-out workbook chapters each worker keeps (some 0.6 MB a page)."""


class Superseded(Exception):
    """A preview still waiting when its trainer asked for a newer one: not made at all."""


class Busy(Exception):
    """The pool is full, or this trainer has enough waiting: try again after a while."""

    def __init__(self, retry_after: int, place: int) -> None:
        super().__init__(f"werkboek is druk; probeer het over {retry_after} seconden opnieuw")
        self.retry_after = retry_after
        self.place = place


def _start(project: Project, parent: int) -> None:
    build.start_worker(project, parent)
    build.worker_project().renderer.chapters.keep = KEEP_PAGES


def render_workbook(recipe: Recipe) -> bytes:
    """In a worker: the workbook of ``recipe`` (into the shared build cache)."""
    return workbook_pdf(build.worker_project(), recipe)


def render_preview(recipe: Recipe) -> bytes:
    """In a worker: the pages of the workbook of ``recipe`` for the preview (see
    :func:`~werkboek.products.workbook_preview`)."""
    return workbook_preview(build.worker_project(), recipe)


def worker_pid() -> int:
    """In a worker: its process id (for the tests)."""
    return os.getpid()


class Claims:
    """A trainer's renders waiting or running in any worker process of the server (in its
    database), so :data:`PER_OWNER` holds across ``serve --processen N`` too. A process that
    died holds no claims: those of a process that no longer runs do not count."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def claim(self, owner: str, ticket: str) -> bool:
        """Take one of the owner's places; False when they have :data:`PER_OWNER` already."""
        with contextlib.closing(connect(self.database)) as connection, transaction(connection):
            rows = connection.execute(
                "SELECT ticket, pid, at FROM render_claims WHERE owner = ?", (owner,)
            ).fetchall()
            live = 0
            for row in rows:
                if _running(row["pid"]) and row["at"] > time.time() - CLAIM_SECONDS:
                    live += 1
                else:
                    connection.execute("DELETE FROM render_claims WHERE ticket = ?", (row[0],))
            if live >= PER_OWNER:
                return False
            connection.execute(
                "INSERT INTO render_claims (ticket, owner, pid, at) VALUES (?, ?, ?, ?)",
                (ticket, owner, os.getpid(), time.time()),
            )
            return True

    def release(self, ticket: str) -> None:
        with contextlib.closing(connect(self.database)) as connection, transaction(connection):
            connection.execute("DELETE FROM render_claims WHERE ticket = ?", (ticket,))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # (someone else's: running)
        return True
    return True


class RenderPool:
    def __init__(
        self, project: Project, workers: int | None = None, database: Path | None = None
    ) -> None:
        self.project = project
        self.claims = Claims(database) if database is not None else None
        self.size = max(1, workers or build.cores())
        self._executors: list[ProcessPoolExecutor | None] = [None] * self.size
        self._waiting = [0] * self.size
        self._owners: dict[str, int] = {}
        self._served: OrderedDict[str, set[int]] = OrderedDict()
        """The workers that rendered for each trainer (the newest :data:`REMEMBERED`)."""
        self._previews: dict[str, object] = {}
        self._gates: dict[tuple[int, int], asyncio.Lock] = {}
        self._lock = threading.Lock()

    def home(self, owner: str) -> int:
        """A trainer's own worker, by a stable hash of who they are."""
        return int(hashlib.sha256(owner.encode()).hexdigest(), 16) % self.size

    def worker_for(self, owner: str) -> int:
        """The worker for the trainer's next render (call under ``_lock``): the least busy,
        of those one that rendered for them before, else their own."""
        served = self._served.get(owner, set())
        home = self.home(owner)
        return min(
            range(self.size),
            key=lambda index: (self._waiting[index], index not in served, index != home),
        )

    def _serves(self, owner: str, index: int) -> None:
        self._served.setdefault(owner, set()).add(index)
        self._served.move_to_end(owner)
        while len(self._served) > REMEMBERED:
            self._served.popitem(last=False)

    def _executor(self, index: int) -> ProcessPoolExecutor:
        executor = self._executors[index]
        if executor is None:
            # spawn: the server runs threads (uvicorn, jobs), and forking those is unsafe
            executor = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self.project, os.getpid()),
            )
            self._executors[index] = executor
        return executor

    def _gate(self, index: int) -> asyncio.Lock:
        """The turn of worker ``index``: one render is handed over at a time, so what waits
        stays here, where a newer preview can still pass it by."""
        key = (id(asyncio.get_running_loop()), index)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = asyncio.Lock()
        return gate

    async def run(self, owner: str, task: Callable[..., T], *args: Any, preview: bool = False) -> T:
        """``task(*args)`` in the owner's worker; :class:`Busy` when there is no room,
        :class:`Superseded` for a preview whose trainer asked for a newer one meanwhile."""
        ticket = object()
        claim = secrets.token_hex(12)
        with self._lock:
            index = self.worker_for(owner)
            if self._waiting[index] > QUEUE_PER_WORKER or self._owners.get(owner, 0) >= PER_OWNER:
                place = self._waiting[index] + 1
                raise Busy(SECONDS_PER_RENDER * place, place)
            self._waiting[index] += 1
            self._serves(owner, index)
            self._owners[owner] = self._owners.get(owner, 0) + 1
            if preview:
                self._previews[owner] = ticket
        claimed = False
        try:
            if self.claims is not None:
                claimed = await asyncio.to_thread(self.claims.claim, owner, claim)
                if not claimed:  # enough of theirs in the server's other processes
                    raise Busy(SECONDS_PER_RENDER * PER_OWNER, PER_OWNER + 1)
            async with self._gate(index):
                if preview and self._previews.get(owner) is not ticket:
                    raise Superseded
                future = self._executor(index).submit(task, *args)
                return await asyncio.wrap_future(future)
        finally:
            if claimed and self.claims is not None:
                await asyncio.to_thread(self.claims.release, claim)
            with self._lock:
                self._waiting[index] -= 1
                self._owners[owner] -= 1
                if not self._owners[owner]:
                    del self._owners[owner]
                if self._previews.get(owner) is ticket:
                    del self._previews[owner]

    def shutdown(self) -> None:
        """Stop every worker, and let go of the pools' queues here and now (see
        :func:`~werkboek.build.stop_pool`): a server stopped by SIGTERM (uvicorn raises it
        again once it has shut down) said "leaked semaphore objects" in its log."""
        executors = [e for e in self._executors if e is not None]
        self._executors = [None] * self.size
        while executors:
            build.stop_pool(executors.pop())
        gc.collect()  # (the queues' semaphores are unlinked when they are collected)
