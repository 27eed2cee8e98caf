"""The training day's participants' list of each trainer (or session), in the server's
database: every worker process reads the list another saved, and it is erased with the
participants' other data after the retention period (:func:`erase_day_lists`, which
erases the web app's old jobs with them: a mailing's report names its participants).

Lists an older werkboek kept as files (``.web/dag/<owner>/deelnemers.csv``) are read in on
first use and the files removed (the list is then in the database, nothing lost).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from .database import ReadsIn, connect, transaction

LIST_FILE = "deelnemers.csv"
"""The name of a list file of an older werkboek in its owner's day folder."""


class DayLists(ReadsIn):
    """The day lists of a server's database; ``legacy``: the folder of older day folders."""

    def read_in(self, folder: Path) -> None:
        import_files(self.database, folder)

    def get(self, owner: str) -> str:
        """The owner's list as CSV text (empty when there is none)."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT text FROM day_lists WHERE owner = ?", (owner,)
            ).fetchone()
        return str(row["text"]) if row is not None else ""

    def save(self, owner: str, text: str) -> None:
        with self._connect() as connection, transaction(connection):
            connection.execute(
                "INSERT INTO day_lists (owner, text, changed) VALUES (?, ?, ?)"
                " ON CONFLICT (owner) DO UPDATE SET text = excluded.text,"
                " changed = excluded.changed",
                (owner, text, time.time()),
            )


def import_files(database: Path, folder: Path) -> int:
    """Read the day lists an older werkboek kept below ``folder`` into the database (a list
    already there is kept) and remove their files; how many were read."""
    count = 0
    with contextlib.closing(connect(database)) as connection, transaction(connection):
        for path in sorted(folder.glob(f"*/{LIST_FILE}")):
            try:
                text = path.read_text(encoding="utf-8")
                changed = path.stat().st_mtime
            except (OSError, UnicodeDecodeError):
                continue
            connection.execute(
                "INSERT INTO day_lists (owner, text, changed) VALUES (?, ?, ?)"
                " ON CONFLICT (owner) DO NOTHING",
                (path.parent.name, text, changed),
            )
            count += 1
    for path in folder.glob(f"*/{LIST_FILE}"):  # (in the database now: committed above)
        path.unlink(missing_ok=True)
    return count


def erase_day_lists(database: Path, older_than: float | None) -> int:
    """Erase the day lists last changed before ``older_than`` (all: None), and the jobs
    that ended before it (a mailing's report names its participants); how many lists."""
    if not database.is_file():
        return 0
    cutoff = float("inf") if older_than is None else older_than
    with contextlib.closing(connect(database)) as connection:
        connection.execute("PRAGMA secure_delete = ON")  # (the freed pages zeroed)
        with transaction(connection):
            lists = connection.execute("DELETE FROM day_lists WHERE changed < ?", (cutoff,))
            jobs = connection.execute(
                "DELETE FROM jobs WHERE coalesce(ended, heartbeat) < ?", (cutoff,)
            )
        if lists.rowcount or jobs.rowcount:
            # the log of changes held them too: into the file, then emptied
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return lists.rowcount
