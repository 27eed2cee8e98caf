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

**No addresses.** The log knows a recipient by a keyed hash of the address (HMAC-SHA256
of the address in lower case, with a secret made on first use and kept beside the log,
``verzendlog.sleutel``, mode 0600): a look-up hashes the addresses of the list at hand, so
exactly-once holds and "already reached" still names people (from the current list), while
the log itself names nobody. A server's reply is stored without the addresses in it. A log
of an older werkboek, with plain addresses, is hashed in place when it is first opened
(and its freed pages overwritten), nothing lost.

**Every mailing on record.** The ``mailings`` table keeps, for the organisation, who sent
which mailing when, how many messages were sent, failed or unsure, and which files went
with it by name; no address (:func:`mailing_records`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import os
import re
import secrets
import socket
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from ..errors import Problem, disk_error, display_path
from .errors import SendError

LOG_VARIABLE = "WERKBOEK_VERZENDLOG"
LOG_NAME = "verzendlog.sqlite"
SECRET_NAME = "verzendlog.sleutel"
SECRET_BYTES = 32
"""The log's secret, beside it: the key of the hash the log knows recipients by."""
ADDRESS = re.compile(r"[^\s<>(),;:\"'\[\]]+@[^\s<>(),;:\"'\[\]]+")
"""Anything that looks like an address in a server's reply: never stored."""
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
CREATE TABLE IF NOT EXISTS mailings (
    mailing  TEXT PRIMARY KEY,
    actor    TEXT NOT NULL,
    started  TEXT NOT NULL,
    updated  TEXT NOT NULL,
    sent     INTEGER NOT NULL DEFAULT 0,
    failed   INTEGER NOT NULL DEFAULT 0,
    unknown  INTEGER NOT NULL DEFAULT 0,
    files    TEXT NOT NULL DEFAULT ''
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


def secret_path(log_path: Path) -> Path:
    return log_path.with_name(SECRET_NAME)


def log_secret(log_path: Path) -> bytes:
    """The secret of the log at ``log_path``: read, or made (mode 0600) on first use.

    It is written whole to a file of its own and then linked into place, so another
    process sees no secret or the whole one, and two processes never make two."""
    secret = read_secret(log_path)
    if secret is not None:
        return secret
    path = secret_path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{SECRET_NAME}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:  # mkstemp: mode 0600
            file.write(secrets.token_bytes(SECRET_BYTES).hex() + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it just now
            os.link(name, path)
    finally:
        os.unlink(name)
    secret = read_secret(log_path)
    assert secret is not None
    return secret


def read_secret(log_path: Path) -> bytes | None:
    """The secret of the log at ``log_path``, or None when it has none yet."""
    path = secret_path(log_path)
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise damaged(path, exc) from None
    if len(secret) != SECRET_BYTES:
        raise damaged(path, ValueError("de sleutel heeft niet de goede lengte"))
    return secret


def missing_secret(log_path: Path) -> SendError:
    return SendError(
        Problem(
            display_path(secret_path(log_path)),
            0,
            0,
            "",
            "de sleutel van het verzendlog ontbreekt; zonder die sleutel weet werkboek niet "
            "wie al een bericht kreeg en verzendt niets. Zet de sleutel uit de back-up terug "
            "naast het verzendlog",
        )
    )


def recipient_key(secret: bytes, address: str) -> str:
    """What the log knows the person at ``address`` by: a keyed hash of the address."""
    return hmac.new(secret, address.strip().lower().encode(), hashlib.sha256).hexdigest()


def is_address(recipient: str) -> bool:
    """A row of an older werkboek, which kept the address itself."""
    return "@" in recipient


def without_addresses(text: str) -> str:
    """A server's reply with every address in it left out."""
    return ADDRESS.sub("(adres)", text)


class SendLog:
    """The send log in ``path`` (created when missing; a log with plain addresses is
    hashed in place)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA secure_delete = ON")  # what is erased is overwritten
            self._db.executescript(SCHEMA)
            if not _has_actor(self._db):  # a log of an older werkboek: its rows keep ''
                self._db.execute("ALTER TABLE messages ADD COLUMN actor TEXT NOT NULL DEFAULT ''")
            if read_secret(path) is None and _has_hashes(self._db):
                self._db.close()
                raise missing_secret(path)
            self.secret = log_secret(path)
            self._hash_addresses()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise damaged(path, exc) from None
        with contextlib.suppress(OSError):
            path.chmod(0o600)

    def key(self, address: str) -> str:
        return recipient_key(self.secret, address)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write to the log; one that fails (a full disk, a read-only log) says so in
        Dutch (a :class:`SendError`), and what was not recorded is not sent."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise damaged(self.path, exc) from None

    def _hash_addresses(self) -> None:
        """Hash the addresses an older werkboek kept (a message keeps the furthest state
        either row knows); then overwrite the pages that held them."""
        found = self._db.execute(
            "SELECT count(*) FROM messages WHERE instr(recipient, '@') > 0 OR detail LIKE '%@%'"
        ).fetchone()[0]
        if not found:
            return
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            rows = self._db.execute(
                f"SELECT {COLUMNS}, actor FROM messages WHERE instr(recipient, '@') > 0"
            ).fetchall()
            for row in rows:
                self._db.execute(
                    "DELETE FROM messages WHERE mailing = ? AND recipient = ?", row[:2]
                )
                self._insert_furthest((row[0], self.key(row[1]), *row[2:]))
            for mailing, recipient, detail in self._db.execute(
                "SELECT mailing, recipient, detail FROM messages WHERE detail LIKE '%@%'"
            ).fetchall():
                self._db.execute(
                    "UPDATE messages SET detail = ? WHERE mailing = ? AND recipient = ?",
                    (without_addresses(detail), mailing, recipient),
                )
        self._db.execute("VACUUM")

    def _insert_furthest(self, row: tuple[str | int, ...]) -> None:
        """Insert a row (``COLUMNS, actor``, recipient hashed), or keep the furthest state."""
        row = (*row[:5], without_addresses(str(row[5])), *row[6:])
        known = self._db.execute(
            "SELECT state FROM messages WHERE mailing = ? AND recipient = ?", row[:2]
        ).fetchone()
        if known is None:
            self._db.execute(
                f"INSERT INTO messages ({COLUMNS}, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row
            )
        elif PROGRESS[str(row[3])] > PROGRESS[known[0]]:
            self._db.execute(
                "UPDATE messages SET message_id = ?, state = ?, attempts = ?, detail = ?,"
                " updated = ? WHERE mailing = ? AND recipient = ?",
                (*row[2:7], *row[:2]),
            )

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
                recipient = self.key(row[1]) if is_address(row[1]) else row[1]
                self._insert_furthest((row[0], recipient, *row[2:]))

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
        with self._writing(), self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO messages (mailing, recipient, message_id, state, updated, actor)"
                " VALUES (?, ?, ?, 'pending', ?, ?)"
                " ON CONFLICT (mailing, recipient) DO UPDATE SET message_id = excluded.message_id"
                " WHERE state IN ('pending', 'failed')",
                [(mailing, self.key(recipient), mid, now, actor) for recipient, mid in messages],
            )

    def recover(self, mailing: str) -> int:
        """Messages left ``sending`` by a run that was stopped: their fate is unknown."""
        with self._writing(), self._db:
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

    def reached(self, actor: str, mailing: str, recipients: Iterable[str]) -> dict[str, Reached]:
        """Which of ``recipients`` (addresses) may have had another mailing of ``actor``
        than ``mailing`` (see :func:`reached`), by address."""
        return _by_address(_reached(self._db, actor, mailing), self.secret, recipients)

    def entries(self, mailing: str, recipients: Iterable[str]) -> dict[str, Entry]:
        """What the log knows of ``mailing`` for each of ``recipients`` (addresses)."""
        return _by_address(_entries(self._db, mailing), self.secret, recipients)

    def record(self, mailing: str, actor: str, files: Iterable[str]) -> None:
        """Keep the mailing on record: who, when, how many sent, failed and unsure (from
        the log), which files by name. No address."""
        now = _now()
        counts = dict(
            self._db.execute(
                "SELECT state, count(*) FROM messages WHERE mailing = ? GROUP BY state",
                (mailing,),
            ).fetchall()
        )
        with self._writing(), self._db:
            self._db.execute(
                "INSERT INTO mailings (mailing, actor, started, updated, sent, failed, unknown,"
                " files) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mailing) DO UPDATE SET"
                " updated = excluded.updated, sent = excluded.sent, failed = excluded.failed,"
                " unknown = excluded.unknown, files = excluded.files",
                (
                    mailing,
                    actor,
                    now,
                    now,
                    counts.get("sent", 0),
                    counts.get("failed", 0),
                    counts.get("unknown", 0),
                    "\n".join(without_addresses(name) for name in files),
                ),
            )

    def records(self) -> list[MailingRecord]:
        """Every mailing on record, the earliest first."""
        rows = self._db.execute(
            "SELECT mailing, actor, started, updated, sent, failed, unknown, files"
            " FROM mailings ORDER BY started, mailing"
        )
        return [
            MailingRecord(
                mailing=row[0],
                actor=row[1],
                started=row[2],
                updated=row[3],
                sent=row[4],
                failed=row[5],
                unknown=row[6],
                files=tuple(name for name in row[7].split("\n") if name),
            )
            for row in rows
        ]

    def claim(self, mailing: str, recipient: str, *, resend_unknown: bool = False) -> bool:
        """Mark a message ``sending`` if it may be sent; False when it may not (any more)."""
        states = ("pending", "failed", "unknown" if resend_unknown else "pending")
        with self._writing(), self._db:
            cursor = self._db.execute(
                "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated = ?"
                " WHERE mailing = ? AND recipient = ? AND state IN (?, ?, ?)",
                (_now(), mailing, self.key(recipient), *states),
            )
        return cursor.rowcount == 1

    def mark(self, mailing: str, recipient: str, state: State, detail: str = "") -> None:
        with self._writing(), self._db:
            self._db.execute(
                "UPDATE messages SET state = ?, detail = ?, updated = ?"
                " WHERE mailing = ? AND recipient = ?",
                (state.value, without_addresses(detail), _now(), mailing, self.key(recipient)),
            )


@dataclass(frozen=True)
class MailingRecord:
    """A mailing as the organisation keeps it: who, when, how many, which files."""

    mailing: str
    actor: str
    started: str
    updated: str
    sent: int
    failed: int
    unknown: int
    files: tuple[str, ...]


def mailing_records(path: Path | None = None) -> list[MailingRecord]:
    """Every mailing the send log at ``path`` (the user's by default) has on record."""
    with SendLog(path or default_log_path()) as log:
        return log.records()


@dataclass(frozen=True)
class Reached:
    """A message of another mailing that may have reached a recipient."""

    mailing: str
    state: State
    updated: str


def _has_hashes(db: sqlite3.Connection) -> bool:
    """Whether the log knows a recipient by a hash (and so needs its secret)."""
    query = "SELECT 1 FROM messages WHERE instr(recipient, '@') = 0 LIMIT 1"
    return db.execute(query).fetchone() is not None


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


_Found = TypeVar("_Found", Entry, Reached)


def _by_address(
    found: dict[str, _Found], secret: bytes | None, recipients: Iterable[str]
) -> dict[str, _Found]:
    """The rows of ``found`` (by hash, or by address in a log not hashed yet) for each of
    ``recipients``, by address in lower case."""
    result: dict[str, _Found] = {}
    for address in recipients:
        key = address.strip().lower()
        row = found.get(key)
        if row is None and secret is not None:
            row = found.get(recipient_key(secret, key))
        if row is not None:
            result[key] = row
    return result


def _entries(db: sqlite3.Connection, mailing: str) -> dict[str, Entry]:
    rows = db.execute(
        "SELECT recipient, message_id, state, attempts, detail, updated FROM messages"
        " WHERE mailing = ?",
        (mailing,),
    )
    return {row[0]: Entry(row[0], row[1], State(row[2]), *row[3:]) for row in rows}


def reached(
    actor: str, mailing: str, paths: Iterable[Path], recipients: Iterable[str]
) -> dict[str, Reached]:
    """What the logs at ``paths`` (the user's first; those that exist) know of ``actor``'s
    other mailings, read without writing: for each of ``recipients`` (addresses) who may
    have had one, the latest."""
    paths = list(paths)
    secret = read_secret(paths[0])
    recipients = list(recipients)
    found: dict[str, Reached] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                if secret is None and _has_hashes(db):
                    raise missing_secret(paths[0])
                found |= _by_address(_reached(db, actor, mailing), secret, recipients)
        except sqlite3.DatabaseError as exc:
            raise damaged(path, exc) from None
    return found


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


UNWRITABLE = {
    "database or disk is full": "de schijf is vol",
    "attempt to write a readonly database": "het bestand of zijn map is alleen-lezen",
    "unable to open database file": "het kan niet geopend of gemaakt worden (bestaat de map, "
    "en mag werkboek erin schrijven?)",
    "disk I/O error": "de schijf gaf een lees- of schrijffout",
    "database is locked": "een ander programma houdt het bezet; probeer het zo opnieuw",
}
"""SQLite's own words for a log that cannot be written (not a damaged one), in Dutch."""


def damaged(path: Path, exc: Exception) -> SendError:
    reason = UNWRITABLE.get(str(exc))
    if reason is None and isinstance(exc, OSError) and exc.errno is not None:
        reason = disk_error(exc).reason
    if reason is not None:
        message = (
            f"het verzendlog kan niet bijgewerkt worden: {reason}; werkboek verzendt niets "
            "zolang het niet kan vastleggen wat het verzond"
        )
    else:
        message = (
            f"het verzendlog is beschadigd of niet te lezen ({exc}); werkboek weet zo niet "
            "wat al verzonden is en verzendt niets. Zet het bestand opzij (niet weggooien) "
            "en vraag na wat aankwam"
        )
    return SendError(Problem(display_path(path), 0, 0, "", message))


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def being_sent(log_path: Path, mailing: str) -> bool:
    """Whether a run (of any process) holds ``mailing`` now (see :meth:`SendLog.lock`),
    without writing: when none does, a message still ``sending`` was left by a run that
    was killed, and may or may not have arrived."""
    path = log_path.parent / "sloten" / f"{mailing}.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # (closing releases the lock, if it was taken)
    return False


def known_entries(
    mailing: str, paths: Iterable[Path], recipients: Iterable[str]
) -> dict[str, Entry]:
    """What the logs at ``paths`` (the user's first; those that exist) know of a mailing,
    without writing: for each of ``recipients`` (addresses) the furthest state."""
    paths = list(paths)
    secret = read_secret(paths[0])
    recipients = list(recipients)
    known: dict[str, Entry] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                if secret is None and _has_hashes(db):
                    raise missing_secret(paths[0])
                found = _by_address(_entries(db, mailing), secret, recipients)
        except sqlite3.DatabaseError as exc:
            raise damaged(path, exc) from None
        for key, entry in found.items():
            if key not in known or PROGRESS[entry.state] > PROGRESS[known[key].state]:
                known[key] = entry
    return known
