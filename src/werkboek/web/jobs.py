"""Long work off the request path: products, personal copies, dry runs and sending.

A job runs in a thread of the worker process that started it (renders are safe to run at
once, see ``rendering/logs.py``); its state lives in the server's database, so the page that
asks for it every second may reach any worker process (``werkboek serve --processen 4``). A
file a job makes goes to disk (``.web/taken/<id>/``) and is streamed from there.

The process running a job says so every few seconds (its heartbeat in the database). A job
whose process stopped (``kill -9``, a crash, a restart) has no heartbeat any more: whoever
reads it next marks it failed, so no job claims to run for ever. Every job belongs to the
session that started it: one trainer never sees another's results. Finished jobs are kept
a while, then forgotten with their files.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DiskError, Problem, WerkboekError, disk_error, is_disk_error
from ..files.atomic import write_atomically
from ..store.database import connect, transaction
from .responses import Download

KEEP_SECONDS = 3600.0
MAX_JOBS = 200
HEARTBEAT = 2.0
"""How often a process says it still runs its jobs (seconds)."""
LEASE = 10.0
"""A job whose process has not said so for this long is marked failed."""
SAVE_EVERY = 0.5
"""Progress is written at most this often (and always at the end)."""
STOPPED = "de server stopte terwijl deze taak liep; begin hem opnieuw"
STOPPED_MAIL = (
    "de server stopte tijdens het verzenden; verzend opnieuw: wie al een bericht kreeg, "
    "krijgt het niet nog eens, en wie 'onzeker' is, staat in het verslag"
)


@dataclass(frozen=True)
class Report:
    """What a dry run or a send leaves for the page: the lines for the trainer, and a table
    (its headings and rows: a dry run's messages) shown as one."""

    lines: list[str]
    table: tuple[tuple[str, ...], list[tuple[str, ...]]] | None = None


@dataclass(frozen=True)
class JobFile:
    """The file a job made, on disk."""

    name: str
    path: Path
    size: int
    media_type: str


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
    problems: list[str] = field(default_factory=list)
    result: Report | JobFile | None = None
    started: float = field(default_factory=time.time)
    ended: float | None = None
    _store: Jobs | None = field(default=None, repr=False, compare=False)
    _saved: float = field(default=0.0, repr=False, compare=False)

    @property
    def finished(self) -> bool:
        return self.state in ("klaar", "mislukt")

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    def step(self, done: int | None = None, total: int | None = None, message: str = "") -> None:
        """Report progress (from the job's thread), written to the database now and then;
        raise :class:`Stopped` when the server is stopping."""
        if self._store is not None and self._store.stopping:
            raise Stopped
        if total is not None:
            self.total = total
        self.done = self.done + 1 if done is None else done
        if message:
            self.message = message
        now = time.monotonic()
        if self._store is not None and (now - self._saved >= SAVE_EVERY or self.done == self.total):
            self._saved = now
            self._store.save_progress(self)


Work = Callable[[Job], Any]


class Jobs:
    """The jobs of one server, in its database; run by this process's threads."""

    def __init__(self, database: Path, folder: Path, workers: int = 2) -> None:
        self.database = database
        self.folder = folder
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="werkboek-taak")
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._beating: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def stopping(self) -> bool:
        """Whether the server is stopping (every job ends at its next step)."""
        return self._stop.is_set()

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        return contextlib.closing(connect(self.database))

    # ---------------------------------------------------------------- running

    def start(self, owner: str, kind: str, title: str, work: Work) -> Job:
        job = Job(secrets.token_hex(12), owner, kind, title, _store=self)
        now = time.time()
        with self._connect() as connection, transaction(connection):
            self._forget_old(connection, now)
            connection.execute(
                "INSERT INTO jobs (id, owner, kind, title, state, pid, heartbeat, started)"
                " VALUES (?, ?, ?, ?, 'wachten', ?, ?, ?)",
                (job.id, owner, kind, title, os.getpid(), now, job.started),
            )
        with self._lock:
            self._running.add(job.id)
            self._beat_on()
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.state = "bezig"
        self.save_progress(job)
        try:
            result = work(job)
            job.result = self._keep(job, result)
            job.state = "klaar"
        except DiskError as exc:  # (the server's own folders are not shown)
            job.problems = [str(Problem(message=f"de server kan niet schrijven: {exc.reason}"))]
            job.state = "mislukt"
        except WerkboekError as exc:
            job.problems = [str(p) for p in exc.problems]
            job.state = "mislukt"
        except Stopped:
            job.problems = [str(Problem(message="gestopt: de server werd afgesloten"))]
            job.state = "mislukt"
        except Exception as exc:  # a full disk below the write boundary; else a bug: say so
            job.problems = [
                str(Problem(message=f"de server kan niet schrijven: {disk_error(exc).reason}"))
                if isinstance(exc, OSError) and is_disk_error(exc)
                else str(Problem(message=f"er ging iets mis in werkboek zelf ({exc!r})"))
            ]
            job.state = "mislukt"
        job.ended = time.time()
        try:
            self._finish(job)
        finally:
            with self._lock:
                self._running.discard(job.id)

    def _keep(self, job: Job, result: Any) -> Report | JobFile | None:
        """What the work returned, as the database and the disk keep it."""
        if isinstance(result, Download):
            path = self.folder / job.id / result.name
            write_atomically(path, result.data)
            return JobFile(result.name, path, len(result.data), result.media_type)
        if isinstance(result, Report):
            return result
        return None

    def save_progress(self, job: Job) -> None:
        with self._connect() as connection, transaction(connection):
            connection.execute(
                "UPDATE jobs SET state = ?, done = ?, total = ?, message = ?, heartbeat = ?"
                " WHERE id = ? AND state IN ('wachten', 'bezig')",
                (job.state, job.done, job.total, job.message, time.time(), job.id),
            )

    def _finish(self, job: Job) -> None:
        result: dict[str, Any] | None = None
        path = None
        if isinstance(job.result, Report):
            result = {"regels": job.result.lines}
            if job.result.table is not None:
                headings, rows = job.result.table
                result["tabel"] = {"koppen": list(headings), "rijen": [list(r) for r in rows]}
        elif isinstance(job.result, JobFile):
            result = {
                "naam": job.result.name,
                "grootte": job.result.size,
                "soort": job.result.media_type,
            }
            path = str(job.result.path)
        with self._connect() as connection, transaction(connection):
            connection.execute(
                "UPDATE jobs SET state = ?, done = ?, total = ?, message = ?, problems = ?,"
                " result = ?, result_path = ?, ended = ?, heartbeat = ? WHERE id = ?",
                (
                    job.state,
                    job.done,
                    job.total,
                    job.message,
                    json.dumps(job.problems, ensure_ascii=False),
                    None if result is None else json.dumps(result, ensure_ascii=False),
                    path,
                    job.ended,
                    time.time(),
                    job.id,
                ),
            )

    def _beat_on(self) -> None:
        """Start the heartbeat of this process's jobs (once)."""
        if self._beating is None or not self._beating.is_alive():
            self._beating = threading.Thread(
                target=self._beat, name="werkboek-hartslag", daemon=True
            )
            self._beating.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            with self._lock:
                running = list(self._running)
            if not running:
                continue
            try:
                with self._connect() as connection, transaction(connection):
                    connection.executemany(
                        "UPDATE jobs SET heartbeat = ? WHERE id = ? AND ended IS NULL",
                        [(time.time(), job_id) for job_id in running],
                    )
            except (sqlite3.Error, WerkboekError):
                continue  # (tried again in a moment; a lease is several beats long)

    # ---------------------------------------------------------------- reading

    def get(self, owner: str, job_id: str) -> Job | None:
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or not secrets.compare_digest(row["owner"], owner):
                return None
            return self._read(connection, row)

    def latest(self, owner: str, kind: str) -> Job | None:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT * FROM jobs WHERE owner = ? AND kind = ? ORDER BY started DESC LIMIT 1",
                (owner, kind),
            ).fetchone()
            return None if row is None else self._read(connection, row)

    def _read(self, connection: sqlite3.Connection, row: sqlite3.Row) -> Job:
        if row["ended"] is None and row["heartbeat"] < time.time() - LEASE:
            row = self._stopped(connection, row)
        result: Report | JobFile | None = None
        data = json.loads(row["result"]) if row["result"] else None
        if isinstance(data, dict) and "regels" in data:
            table = data.get("tabel")
            result = Report(
                [str(line) for line in data["regels"]],
                None
                if not isinstance(table, dict)
                else (
                    tuple(str(h) for h in table["koppen"]),
                    [tuple(str(c) for c in row) for row in table["rijen"]],
                ),
            )
        elif isinstance(data, dict) and row["result_path"]:
            result = JobFile(
                str(data["naam"]),
                Path(row["result_path"]),
                int(data["grootte"]),
                str(data["soort"]),
            )
        return Job(
            id=row["id"],
            owner=row["owner"],
            kind=row["kind"],
            title=row["title"],
            state=row["state"],
            done=row["done"],
            total=row["total"],
            message=row["message"],
            problems=[str(p) for p in json.loads(row["problems"])],
            result=result,
            started=row["started"],
            ended=row["ended"],
        )

    def _stopped(self, connection: sqlite3.Connection, row: sqlite3.Row) -> sqlite3.Row:
        """Mark a job failed whose process stopped (unless it just beat or ended)."""
        now = time.time()
        problem = STOPPED_MAIL if row["kind"] == "mail" else STOPPED
        with transaction(connection):
            connection.execute(
                "UPDATE jobs SET state = 'mislukt', problems = ?, ended = ?"
                " WHERE id = ? AND ended IS NULL AND heartbeat < ?",
                (json.dumps([problem], ensure_ascii=False), now, row["id"], now - LEASE),
            )
        fresh: sqlite3.Row = connection.execute(
            "SELECT * FROM jobs WHERE id = ?", (row["id"],)
        ).fetchone()
        return fresh

    def _forget_old(self, connection: sqlite3.Connection, now: float) -> None:
        old = connection.execute(
            "SELECT id FROM jobs WHERE ended IS NOT NULL AND ended < ?"
            " UNION SELECT id FROM (SELECT id FROM jobs WHERE ended IS NOT NULL"
            " ORDER BY started DESC LIMIT -1 OFFSET ?)",
            (now - KEEP_SECONDS, MAX_JOBS),
        ).fetchall()
        for (job_id,) in old:
            connection.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            shutil.rmtree(self.folder / job_id, ignore_errors=True)

    def forget(self, owner: str, kind: str) -> int:
        """Erase the owner's finished jobs of ``kind`` and their files (a mailing's report
        names its participants); how many."""
        with self._connect() as connection:
            connection.execute("PRAGMA secure_delete = ON")  # (the freed pages zeroed)
            with transaction(connection):
                ids = [
                    row[0]
                    for row in connection.execute(
                        "SELECT id FROM jobs WHERE owner = ? AND kind = ? AND ended IS NOT NULL",
                        (owner, kind),
                    )
                ]
                connection.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for job_id in ids:
            shutil.rmtree(self.folder / job_id, ignore_errors=True)
        return len(ids)

    def shutdown(self) -> None:
        """Stop: jobs not begun are dropped, running ones end at their next step (and
        are recorded so) before this returns."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
