"""The server's state in one SQLite file: WAL, numbered migrations, consistent backups.

Several processes (``werkboek serve --workers 4``, the CLI beside a running server) share
the file safely: SQLite in WAL mode lets readers and one writer work at once, and a writer
waits for another rather than failing (``busy_timeout``). Migrations are the numbered
``.sql`` files in ``migrations/``, applied in order at start; ``PRAGMA user_version`` says
which ran. A backup is SQLite's own online backup: a consistent copy while the server runs.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from ..errors import DISK_REASONS, DiskError, Problem, WerkboekError, display_path

BUSY_MS = 10_000
"""How long a writer waits for another before giving up."""


def migrations() -> list[tuple[int, str, str]]:
    """The migrations in the package: (number, name, SQL), in order."""
    found = []
    for item in resources.files(__package__).joinpath("migrations").iterdir():
        name = item.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, item.read_text(encoding="utf-8")))
    return sorted(found)


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the database at ``path`` (made and migrated when new)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise WerkboekError(f"{display_path(path)}: database niet te openen ({exc})") from None
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    if _journal_mode(connection) != "wal":
        raise WerkboekError(f"{display_path(path)}: de database kan niet in WAL-modus")
    # migrated once a process (a request opens the database a few times: 0.8 ms each,
    # most of it the check); by the file's inode and change time, so a database made anew
    # or put in its place is checked again
    try:
        status = os.stat(path)
        known = (str(path), status.st_ino, status.st_ctime_ns)
    except OSError:
        known = None
    if known is None or known not in _migrated:
        migrate(connection, path)
        if known is not None:
            _migrated.add(known)
    return connection


def _journal_mode(connection: sqlite3.Connection) -> str:
    """The database's journal mode, put to WAL when it is not yet. WAL stays with the file:
    it is set once (asking for it on every connection takes a lock, and a process opening
    the database while another wrote got "locked"). While another connection makes a new
    database or puts it in WAL mode, SQLite answers "locked" at once, without waiting
    (its busy timeout does not cover this): then ask again, for as long as that timeout."""
    deadline = time.monotonic() + BUSY_MS / 1000
    while True:
        try:
            mode = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
            if mode != "wal":
                mode = str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            return mode
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


_migrated: set[tuple[str, int, int]] = set()
"""The databases this process has migrated (by path, inode and change time)."""


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Apply every migration the database has not had yet, each in its own transaction.

    Which ran is kept by number (``migrations_applied``), not only as the highest number
    (``PRAGMA user_version``): a migration numbered below one already applied (two branches
    each adding one) still runs once it is in the package."""
    current = connection.execute("PRAGMA user_version").fetchone()[0]
    known = migrations()
    if known and current > known[-1][0]:
        raise WerkboekError(
            f"{display_path(path)}: deze database is van een nieuwere werkboek "
            f"(versie {current}; deze werkboek kent er {known[-1][0]})"
        )
    applied = _applied(connection, current)
    for number, _name, sql in known:
        if number in applied:
            continue
        with transaction(connection):
            # re-read inside the lock: another process may just have applied it
            if connection.execute(
                "SELECT 1 FROM migrations_applied WHERE number = ?", (number,)
            ).fetchone():
                continue
            for statement in _statements(sql):
                connection.execute(statement)
            connection.execute("INSERT INTO migrations_applied (number) VALUES (?)", (number,))
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            connection.execute(f"PRAGMA user_version = {max(version, number)}")


def _applied(connection: sqlite3.Connection, current: int) -> set[int]:
    """The numbers of the migrations that ran; made from ``user_version`` the first time
    (before this table every number up to it had run, in order)."""
    if not _has_applied_table(connection):
        with transaction(connection):
            if not _has_applied_table(connection):  # (another process may just have made it)
                connection.execute("CREATE TABLE migrations_applied (number INTEGER PRIMARY KEY)")
                connection.executemany(
                    "INSERT INTO migrations_applied (number) VALUES (?)",
                    [(n,) for n, _name, _sql in migrations() if n <= current],
                )
    return {row[0] for row in connection.execute("SELECT number FROM migrations_applied")}


def _has_applied_table(connection: sqlite3.Connection) -> bool:
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations_applied'"
    ).fetchone()
    return row is not None


def _statements(sql: str) -> Iterator[str]:
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock at once (``BEGIN IMMEDIATE``). A write
    the disk refuses (full, read-only, an I/O error) is a :class:`~werkboek.errors.DiskError`
    in Dutch, as any file werkboek writes."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        refused = sqlite_disk_error(exc)
        if refused is None:
            raise
        raise refused from None


SQLITE_DISK = {
    "database or disk is full": "ENOSPC",
    "attempt to write a readonly database": "EROFS",
    "disk I/O error": "EIO",
}
"""SQLite's words for a write the disk refused, and the error they stand for."""


def sqlite_disk_error(exc: sqlite3.Error) -> DiskError | None:
    """One Dutch line for a database write the disk refused, or ``None`` (another error)."""
    for words, code in SQLITE_DISK.items():
        if words in str(exc):
            reason = DISK_REASONS[code]
            return DiskError(Problem("database", message=reason), reason=reason)
    return None


def backup(source: Path, target: Path) -> Path:
    """A consistent copy of the database at ``source``, made while others use it."""
    if target.exists():
        raise WerkboekError(f"{display_path(target)}: bestaat al; kies een nieuwe naam")
    if not source.is_file():
        raise WerkboekError(f"{display_path(source)}: database niet gevonden")
    connection = connect(source)
    partial = target.with_name(f".{target.name}.tmp")
    try:
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            connection.backup(copy)
        finally:
            copy.close()
        partial.replace(target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise WerkboekError(f"{display_path(target)}: kopie mislukt ({exc})") from None
    finally:
        connection.close()
    return target


class ReadsIn:
    """A table of the server's database that an older werkboek kept as files below
    ``legacy``: they are read in (:meth:`read_in`) the first time the table is used."""

    def __init__(self, database: Path, legacy: Path | None = None) -> None:
        self.database = database
        self.legacy = legacy
        self._imported = False
        self._lock = threading.Lock()

    def read_in(self, folder: Path) -> None:
        raise NotImplementedError

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        with self._lock:
            if not self._imported:
                self._imported = True
                if self.legacy is not None and self.legacy.is_dir():
                    self.read_in(self.legacy)
        return contextlib.closing(connect(self.database))
