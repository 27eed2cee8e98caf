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
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

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
    PRIMARY KEY (mailing, recipient)
);
"""


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
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.executescript(SCHEMA)

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

    def register(self, mailing: str, messages: Iterable[tuple[str, str]]) -> None:
        """Record ``(recipient, message_id)`` pairs as pending unless already known.

        A message not sent yet takes the Message-ID it will now be sent with; one that
        was (or may have been) sent keeps the Message-ID it went out with.
        """
        now = _now()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO messages (mailing, recipient, message_id, state, updated)"
                " VALUES (?, ?, ?, 'pending', ?)"
                " ON CONFLICT (mailing, recipient) DO UPDATE SET message_id = excluded.message_id"
                " WHERE state IN ('pending', 'failed')",
                [(mailing, recipient, mid, now) for recipient, mid in messages],
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
