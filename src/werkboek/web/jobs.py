"""Long work off the request path: products, personal copies, dry runs and sending.

A job runs in a thread (renders are safe to run at once, see ``rendering/logs.py``);
the page asks for its state every second and shows its progress. Every job belongs to
the session that started it: one trainer never sees another's results. Finished jobs
are kept a while, then forgotten.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import DiskError, Problem, WerkboekError, disk_error, is_disk_error

KEEP_SECONDS = 3600.0
MAX_JOBS = 200


class Stopped(KeyboardInterrupt):
    """The server is stopping: a job ends at its next step, as at a Ctrl-C (a mailing
    between two messages: what was sent is recorded, nothing is left "onzeker")."""


@dataclass
class Job:
    id: str
    owner: str
    kind: str
    title: str
    state: str = "wachten"  # wachten, bezig, klaar, mislukt
    done: int = 0
    total: int = 0
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    result: Any = None
    started: float = field(default_factory=time.time)
    ended: float | None = None
    stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in ("klaar", "mislukt")

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    def step(self, done: int | None = None, total: int | None = None, message: str = "") -> None:
        """Report progress (from the job's thread); raise :class:`Stopped` when the
        server is stopping."""
        if self.stopping.is_set():
            raise Stopped
        if total is not None:
            self.total = total
        self.done = self.done + 1 if done is None else done
        if message:
            self.message = message


Work = Callable[[Job], Any]


class Jobs:
    """The jobs of one server."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="werkboek-taak")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, kind: str, title: str, work: Work) -> Job:
        job = Job(secrets.token_hex(12), owner, kind, title)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.state = "bezig"
        try:
            job.result = work(job)
            job.state = "klaar"
        except DiskError as exc:  # (the server's own folders are not shown)
            job.problems = [Problem(message=f"de server kan niet schrijven: {exc.reason}")]
            job.state = "mislukt"
        except WerkboekError as exc:
            job.problems = list(exc.problems)
            job.state = "mislukt"
        except Stopped:
            job.problems = [Problem(message="gestopt: de server werd afgesloten")]
            job.state = "mislukt"
        except Exception as exc:  # a full disk below the write boundary; else a bug: say so
            job.problems = [
                Problem(message=f"de server kan niet schrijven: {disk_error(exc).reason}")
                if isinstance(exc, OSError) and is_disk_error(exc)
                else Problem(message=f"er ging iets mis in werkboek zelf ({exc!r})")
            ]
            job.state = "mislukt"
        finally:
            job.ended = time.time()

    def get(self, owner: str, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and secrets.compare_digest(job.owner, owner) else None

    def latest(self, owner: str, kind: str) -> Job | None:
        with self._lock:
            mine = [j for j in self._jobs.values() if j.owner == owner and j.kind == kind]
        return max(mine, key=lambda j: j.started) if mine else None

    def _forget_old(self) -> None:
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            if job.ended is not None and now - job.ended > KEEP_SECONDS:
                del self._jobs[job_id]
        while len(self._jobs) >= MAX_JOBS:
            oldest = min(
                (j for j in self._jobs.values() if j.finished),
                key=lambda j: j.started,
                default=None,
            )
            if oldest is None:
                break
            del self._jobs[oldest.id]

    def shutdown(self) -> None:
        """Stop: jobs not begun are dropped, running ones end at their next step."""
        with self._lock:
            for job in self._jobs.values():
                job.stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
