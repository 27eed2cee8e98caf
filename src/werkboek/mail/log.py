"""The send log: what happened to each message of each mailing, kept in SQLite.

One row per message, by mailing and recipient, with its fixed Message-ID and its state:

``pending``  composed, not sent yet (or a temporary failure that will be tried again)
``sending``  being handed to the server now
``sent``     the server accepted it (250 after the data)
``failed``   the server refused it; a later run tries again
``unknown``  the connection broke after the data went out, or werkboek was stopped
             while sending: it may have arrived. Never sent again by itself.

Every change is committed before werkboek goes on, so a crash or a power cut loses
nothing. A message is claimed (``pending``/``failed`` → ``sending``) in one atomic
update, so two runs of the same mailing at once cannot both send it.

**Where it is.** The record of what was sent follows the user, not the shell's folder:
one log per user in the user's state folder (``~/.local/state/werkboek/`` on Linux,
through platformdirs), or where ``WERKBOEK_VERZENDLOG`` says (an organisation's server
that runs the web app, a test). The same mailing run from another folder, with another
``--output``, from the command line or from the web app, finds the same log. A log that
an older werkboek kept in ``output/mail/`` is merged in when found, so nothing sent
before is forgotten.

**One run per mailing.** :meth:`SendLog.lock` takes an operating-system lock for a
mailing for the whole run; a second run of the same mailing is told who is sending. A
message left ``sending`` is only declared ``unknown`` by a run that holds the lock — the
run that left it is really gone, as the operating system released its lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from ..errors import Problem, display_path
from .errors import SendError

LOG_VARIABLE = "WERKBOEK_VERZENDLOG"
LOG_NAME = "verzendlog.sqlite"
PROGRESS = {"pending": 0, "failed": 1, "sending": 2, "unknown": 3, "sent": 4}
"""How far a message got: a merge keeps the furthest state."""


def default_log_path() -> Path:
    """The user's send log: ``$WERKBOEK_VERZENDLOG``, or in the user's state folder."""
    configured = os.environ.get(LOG_VARIABLE)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_state_path("werkboek")) / LOG_NAME


SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    mailing    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    message_id TEXT NOT NULL,
    state      TEXT NOT NULL
               CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    detail     TEXT NOT NULL DEFAULT '',
    updated    TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mailing, recipient)
);
"""
COLUMNS = "mailing, recipient, message_id, state, attempts, detail, updated"
REACHED = ("sent", "unknown", "sending")
"""The states of a message that may have reached its recipient."""


class State(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Entry:
    recipient: str
    message_id: str
    state: State
    attempts: int
    detail: str
    updated: str


class SendLog:
    """The send log in ``path`` (created when missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.executescript(SCHEMA)
            if not _has_actor(self._db):  # a log of an older werkboek: its rows keep ''
                self._db.execute("ALTER TABLE messages ADD COLUMN actor TEXT NOT NULL DEFAULT ''")
            self._db.execute("SELECT count(*) FROM messages").fetchone()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise damaged(path, exc) from None

    def merge(self, other: Path) -> None:
        """Take in the rows of an older log (``output/mail/verzendlog.sqlite``): a message
        keeps the furthest state either log knows, so nothing sent is sent again."""
        if not other.is_file() or _same_file(other, self.path):
            return
        try:
            with contextlib.closing(sqlite3.connect(f"file:{other}?mode=ro", uri=True)) as old:
                actor = ", actor" if _has_actor(old) else ", ''"
                rows = old.execute(f"SELECT {COLUMNS}{actor} FROM messages").fetchall()
        except sqlite3.DatabaseError as exc:
            raise damaged(other, exc) from None
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for row in rows:
                known = self._db.execute(
                    "SELECT state FROM messages WHERE mailing = ? AND recipient = ?", row[:2]
                ).fetchone()
                if known is None:
                    self._db.execute(
                        f"INSERT INTO messages ({COLUMNS}, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                elif PROGRESS[row[3]] > PROGRESS[known[0]]:
                    self._db.execute(
                        "UPDATE messages SET message_id = ?, state = ?, attempts = ?, detail = ?,"
                        " updated = ? WHERE mailing = ? AND recipient = ?",
                        (*row[2:7], *row[:2]),
                    )

    @contextlib.contextmanager
    def lock(self, mailing: str) -> Iterator[None]:
        """Hold the mailing for this run; :class:`SendError` when another run has it."""
        folder = self.path.parent / "sloten"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{mailing}.lock"
        with path.open("a+") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                file.seek(0)
                holder = file.read().strip() or "een andere werkboek"
                raise SendError(
                    Problem(
                        "",
                        0,
                        0,
                        "",
                        f"mailing {mailing} wordt al verzonden ({holder}); wacht tot die klaar "
                        "is en voer dan dezelfde opdracht opnieuw uit",
                    )
                ) from None
            file.seek(0)
            file.truncate()
            file.write(f"door proces {os.getpid()} op {socket.gethostname()} sinds {_now()}\n")
            file.flush()
            try:
                yield
            finally:
                file.seek(0)
                file.truncate()
                fcntl.flock(file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SendLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def register(self, mailing: str, messages: Iterable[tuple[str, str]], actor: str = "") -> None:
        """Record ``(recipient, message_id)`` pairs of ``actor``'s mailing as pending unless
        already known.

        A message not sent yet takes the Message-ID it will now be sent with; one that
        was (or may have been) sent keeps the Message-ID it went out with.
        """
        now = _now()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO messages (mailing, recipient, message_id, state, updated, actor)"
                " VALUES (?, ?, ?, 'pending', ?, ?)"
                " ON CONFLICT (mailing, recipient) DO UPDATE SET message_id = excluded.message_id"
                " WHERE state IN ('pending', 'failed')",
                [(mailing, recipient, mid, now, actor) for recipient, mid in messages],
            )

    def recover(self, mailing: str) -> int:
        """Messages left ``sending`` by a run that was stopped: their fate is unknown."""
        with self._db:
            cursor = self._db.execute(
                "UPDATE messages SET state = 'unknown', updated = ?,"
                " detail = 'werkboek werd gestopt terwijl dit bericht werd verzonden'"
                " WHERE mailing = ? AND state = 'sending'",
                (_now(), mailing),
            )
        return cursor.rowcount

    def actors(self, mailing: str) -> set[str]:
        """Who the rows of a mailing belong to (``''``: rows of an older werkboek)."""
        rows = self._db.execute("SELECT DISTINCT actor FROM messages WHERE mailing = ?", (mailing,))
        return {row[0] for row in rows}

    def reached(self, actor: str, mailing: str) -> dict[str, Reached]:
        """Who may have had another mailing of ``actor`` than ``mailing`` (see :func:`reached`)."""
        return _reached(self._db, actor, mailing)

    def entries(self, mailing: str) -> dict[str, Entry]:
        rows = self._db.execute(
            "SELECT recipient, message_id, state, attempts, detail, updated FROM messages"
            " WHERE mailing = ?",
            (mailing,),
        )
        return {row[0]: Entry(row[0], row[1], State(row[2]), *row[3:]) for row in rows}

    def claim(self, mailing: str, recipient: str, *, resend_unknown: bool = False) -> bool:
        """Mark a message ``sending`` if it may be sent; False when it may not (any more)."""
        states = ("pending", "failed", "unknown" if resend_unknown else "pending")
        with self._db:
            cursor = self._db.execute(
                "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated = ?"
                " WHERE mailing = ? AND recipient = ? AND state IN (?, ?, ?)",
                (_now(), mailing, recipient, *states),
            )
        return cursor.rowcount == 1

    def mark(self, mailing: str, recipient: str, state: State, detail: str = "") -> None:
        with self._db:
            self._db.execute(
                "UPDATE messages SET state = ?, detail = ?, updated = ?"
                " WHERE mailing = ? AND recipient = ?",
                (state.value, detail, _now(), mailing, recipient),
            )


@dataclass(frozen=True)
class Reached:
    """A message of another mailing that may have reached a recipient."""

    mailing: str
    state: State
    updated: str


def _has_actor(db: sqlite3.Connection) -> bool:
    return any(row[1] == "actor" for row in db.execute("PRAGMA table_info(messages)"))


def _reached(db: sqlite3.Connection, actor: str, mailing: str) -> dict[str, Reached]:
    """For each recipient the latest message of another mailing of ``actor`` that may have
    reached them; rows of an older werkboek (no actor) count as anyone's."""
    if not _has_actor(db):
        query = "SELECT recipient, mailing, state, updated FROM messages WHERE mailing != ?"
        parameters: tuple[str, ...] = (mailing,)
    else:
        query = (
            "SELECT recipient, mailing, state, updated FROM messages"
            " WHERE mailing != ? AND actor IN (?, '')"
        )
        parameters = (mailing, actor)
    found: dict[str, Reached] = {}
    for recipient, other, state, updated in db.execute(query + " ORDER BY updated", parameters):
        if state in REACHED:
            found[recipient] = Reached(other, State(state), updated)
    return found


def reached(actor: str, mailing: str, paths: Iterable[Path]) -> dict[str, Reached]:
    """What the logs at ``paths`` (those that exist) know of ``actor``'s other mailings,
    read without writing: for each recipient who may have had one, the latest."""
    found: dict[str, Reached] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                found |= _reached(db, actor, mailing)
        except sqlite3.DatabaseError as exc:
            raise damaged(path, exc) from None
    return found


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def damaged(path: Path, exc: Exception) -> SendError:
    return SendError(
        Problem(
            display_path(path),
            0,
            0,
            "",
            f"het verzendlog is beschadigd of niet te lezen ({exc}); werkboek weet zo niet wat "
            "al verzonden is en verzendt niets. Zet het bestand opzij (niet weggooien) en "
            "vraag na wat aankwam",
        )
    )


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def known_entries(mailing: str, paths: Iterable[Path]) -> dict[str, Entry]:
    """What the logs at ``paths`` (those that exist) know of a mailing, without writing:
    for each recipient the furthest state."""
    known: dict[str, Entry] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                rows = db.execute(
                    "SELECT recipient, message_id, state, attempts, detail, updated"
                    " FROM messages WHERE mailing = ?",
                    (mailing,),
                ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise damaged(path, exc) from None
        for row in rows:
            entry = Entry(row[0], row[1], State(row[2]), *row[3:])
            if row[0] not in known or PROGRESS[entry.state] > PROGRESS[known[row[0]].state]:
                known[row[0]] = entry
    return known
