"""Accounts for an organisation's server: trainers and beheerders, sessions, API tokens.

Passwords are hashed with argon2id (argon2-cffi, never a hand-made hash). A session is a
random token in the browser's cookie; the database keeps only its SHA-256, so a copy of the
database opens no session, and a session ends for good on logout, after
:data:`IDLE_SECONDS` without use or :data:`MAX_AGE_SECONDS` in all, and when its account
goes. API tokens work the same way (shown once, stored hashed, revoked one by one). Failed
logins are limited per name and per address (:data:`MAX_FAILURES` in
:data:`FAILURE_WINDOW` seconds); while a name is locked even its right password is refused,
so guessing gains nothing. Every query names the account it is for.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import WerkboekError
from .database import connect, transaction

ROLES = ("trainer", "beheerder")
"""A trainer makes workbooks and mails; a beheerder also manages the shared recipes and the
accounts, and sees mailing summaries, never participants' addresses."""
NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
IDLE_SECONDS = 8 * 3600
MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_FAILURES = 5
"""Failed logins for one name (or twenty from one address) within the window lock it."""
FAILURE_WINDOW = 15 * 60
TOKEN_PREFIX = "wbk_"


class AccountError(WerkboekError):
    """A problem with an account, a login or a token (Dutch, shown as it is)."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    created: float
    has_password: bool
    space: str
    """The key this account's drafts, jobs, mailings and own recipes are kept under: random,
    never reused by a later account."""

    @property
    def is_beheerder(self) -> bool:
        return self.role == "beheerder"


@dataclass(frozen=True)
class ApiToken:
    id: str
    label: str
    created: float
    last_used: float | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normal_name(name: str) -> str:
    """A login name as stored (lower case), or :class:`AccountError` when it cannot be one."""
    value = name.strip().lower()
    if not NAME.fullmatch(value):
        raise AccountError(
            f"{name[:80]!r} kan geen gebruikersnaam zijn: 1 tot 64 tekens, kleine letters, "
            "cijfers en . _ @ -, beginnend met een letter of cijfer"
        )
    return value


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"een wachtwoord heeft minstens {MIN_PASSWORD} tekens"
    if len(password) > MAX_PASSWORD:
        return f"een wachtwoord heeft hoogstens {MAX_PASSWORD} tekens"
    return None


class Accounts:
    """The accounts in the database at ``path``; ``clock`` gives the time (tests move it)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        from argon2 import PasswordHasher

        self.path = path
        self.clock = clock
        self.hasher = PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        return contextlib.closing(connect(self.path))

    @staticmethod
    def _account(row: sqlite3.Row) -> Account:
        return Account(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            created=row["created"],
            has_password=row["password_hash"] is not None,
            space=row["space"],
        )

    # ---------------------------------------------------------------- managing

    def add(self, name: str, password: str | None, role: str = "trainer") -> Account:
        """A new account; ``password`` ``None`` for one that logs in through single sign-on."""
        value = normal_name(name)
        if role not in ROLES:
            raise AccountError(f"rol {role!r} bestaat niet; kies {' of '.join(ROLES)}")
        if password is not None and (problem := password_problem(password)):
            raise AccountError(problem)
        hashed = self.hasher.hash(password) if password is not None else None
        with self._connect() as connection, transaction(connection):
            try:
                cursor = connection.execute(
                    "INSERT INTO accounts (name, role, password_hash, created, space) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (value, role, hashed, self.clock(), "ruimte-" + secrets.token_urlsafe(18)),
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"gebruiker {value!r} bestaat al") from None
            row = connection.execute(
                "SELECT * FROM accounts WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return self._account(row)

    def set_role(self, name: str, role: str) -> Account:
        """Give account ``name`` another role (its sessions and tokens stay)."""
        value = normal_name(name)
        if role not in ROLES:
            raise AccountError(f"rol {role!r} bestaat niet; kies {' of '.join(ROLES)}")
        with self._connect() as connection, transaction(connection):
            if not connection.execute(
                "UPDATE accounts SET role = ? WHERE name = ?", (role, value)
            ).rowcount:
                raise AccountError(f"gebruiker {value!r} bestaat niet")
            row = connection.execute("SELECT * FROM accounts WHERE name = ?", (value,)).fetchone()
        return self._account(row)

    def remove(self, name: str) -> tuple[Account, list[str]]:
        """Remove an account with its sessions and tokens, and what its space holds in the
        database (its draft, its training day's list, its jobs); the account as it was and
        its jobs' ids (their files are the caller's to remove)."""
        value = normal_name(name)
        with self._connect() as connection:
            connection.execute("PRAGMA secure_delete = ON")  # (the freed pages zeroed)
            with transaction(connection):
                row = connection.execute(
                    "SELECT * FROM accounts WHERE name = ?", (value,)
                ).fetchone()
                if row is None:
                    raise AccountError(f"gebruiker {value!r} bestaat niet")
                account = self._account(row)
                jobs = [
                    r[0]
                    for r in connection.execute(
                        "SELECT id FROM jobs WHERE owner = ?", (account.space,)
                    )
                ]
                for table in ("drafts", "day_lists", "jobs"):
                    connection.execute(f"DELETE FROM {table} WHERE owner = ?", (account.space,))
                connection.execute("DELETE FROM accounts WHERE id = ?", (account.id,))
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return account, jobs

    def all(self) -> list[Account]:
        with self._connect() as connection:
            rows = connection.execute("SELECT * FROM accounts ORDER BY name").fetchall()
        return [self._account(row) for row in rows]

    def get(self, name: str) -> Account | None:
        try:
            value = normal_name(name)
        except AccountError:
            return None
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM accounts WHERE name = ?", (value,)).fetchone()
        return self._account(row) if row is not None else None

    def for_single_sign_on(self, name: str, role: str | None = None) -> Account:
        """The account of a user the organisation's proxy vouches for, made on first sight.

        ``role``: what the proxy's groups say (the account follows it); ``None`` when the
        organisation names no group: a new account is a trainer, and ``werkboek gebruikers
        rol`` makes one a beheerder."""
        account = self.get(name)
        if account is None:
            try:
                account = self.add(name, None, role or "trainer")
            except AccountError:
                account = self.get(name)  # made by another worker at the same moment
                if account is None:
                    raise
        if role is not None and account.role != role:
            account = self.set_role(account.name, role)
        return account

    # ---------------------------------------------------------------- logging in

    def log_in(self, name: str, password: str, address: str) -> Account:
        """The account whose password this is, or :class:`AccountError` (one message for a
        wrong name or a wrong password; another for too many tries)."""
        value = name.strip().lower()[:64]
        now = self.clock()
        with self._connect() as connection:
            connection.execute("DELETE FROM login_failures WHERE at < ?", (now - FAILURE_WINDOW,))
            by_name = connection.execute(
                "SELECT count(*), min(at) FROM login_failures WHERE name = ? AND at >= ?",
                (value, now - FAILURE_WINDOW),
            ).fetchone()
            by_address = connection.execute(
                "SELECT count(*), min(at) FROM login_failures WHERE address = ? AND at >= ?",
                (address, now - FAILURE_WINDOW),
            ).fetchone()
            locked = [
                first
                for count, first, limit in (
                    (*by_name, MAX_FAILURES),
                    (*by_address, 4 * MAX_FAILURES),
                )
                if count >= limit
            ]
            if locked:
                minutes = max(1, round((min(locked) + FAILURE_WINDOW - now) / 60))
                raise AccountError(
                    f"te veel mislukte pogingen; probeer het over {minutes} minuten opnieuw"
                )
            row = connection.execute("SELECT * FROM accounts WHERE name = ?", (value,)).fetchone()
            if self._matches(row, password):
                assert row is not None
                if self.hasher.check_needs_rehash(row["password_hash"]):
                    connection.execute(
                        "UPDATE accounts SET password_hash = ? WHERE id = ?",
                        (self.hasher.hash(password), row["id"]),
                    )
                return self._account(row)
            connection.execute(
                "INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)",
                (value, address, now),
            )
        raise AccountError("gebruikersnaam of wachtwoord klopt niet")

    def _matches(self, row: sqlite3.Row | None, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        hashed = row["password_hash"] if row is not None else None
        try:
            # (a missing account costs a hash too: the time says nothing about the name)
            return self.hasher.verify(hashed or self._dummy, password[:MAX_PASSWORD]) and bool(
                hashed
            )
        except (VerificationError, InvalidHashError):
            return False

    def set_password(self, account: Account, password: str) -> None:
        if problem := password_problem(password):
            raise AccountError(problem)
        with self._connect() as connection, transaction(connection):
            connection.execute(
                "UPDATE accounts SET password_hash = ? WHERE id = ?",
                (self.hasher.hash(password), account.id),
            )
            connection.execute("DELETE FROM sessions WHERE account_id = ?", (account.id,))

    # ---------------------------------------------------------------- sessions

    def start_session(self, account: Account) -> str:
        """A new session's token (for the cookie; the database keeps its hash)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._connect() as connection, transaction(connection):
            connection.execute(
                "INSERT INTO sessions (token_hash, account_id, created, last_seen) "
                "VALUES (?, ?, ?, ?)",
                (_digest(token), account.id, now, now),
            )
        return token

    def session(self, token: str) -> Account | None:
        """The account of a live session, which is then seen now; ``None`` when it ended."""
        now = self.clock()
        with self._connect() as connection:
            row = connection.execute(
                "SELECT accounts.*, sessions.created AS began, sessions.last_seen AS seen "
                "FROM sessions JOIN accounts ON accounts.id = sessions.account_id "
                "WHERE sessions.token_hash = ?",
                (_digest(token),),
            ).fetchone()
            if row is None:
                return None
            if now - row["seen"] > IDLE_SECONDS or now - row["began"] > MAX_AGE_SECONDS:
                connection.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))
                return None
            if now - row["seen"] > 60:  # (a write a minute at most)
                connection.execute(
                    "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, _digest(token))
                )
        return self._account(row)

    def end_session(self, token: str) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    def end_stale_sessions(self) -> int:
        now = self.clock()
        with self._connect() as connection:
            return connection.execute(
                "DELETE FROM sessions WHERE last_seen < ? OR created < ?",
                (now - IDLE_SECONDS, now - MAX_AGE_SECONDS),
            ).rowcount

    # ---------------------------------------------------------------- API tokens

    def make_token(self, account: Account, label: str) -> tuple[ApiToken, str]:
        """A new personal API token: its record, and the token itself (shown once)."""
        label = " ".join(label.split())[:80] or "API"
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = ApiToken(
            id=secrets.token_urlsafe(12), label=label, created=self.clock(), last_used=None
        )
        with self._connect() as connection, transaction(connection):
            connection.execute(
                "INSERT INTO api_tokens (id, token_hash, account_id, label, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (record.id, _digest(token), account.id, record.label, record.created),
            )
        return record, token

    def tokens(self, account: Account) -> list[ApiToken]:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, label, created, last_used FROM api_tokens WHERE account_id = ? "
                "ORDER BY created",
                (account.id,),
            ).fetchall()
        return [ApiToken(r["id"], r["label"], r["created"], r["last_used"]) for r in rows]

    def revoke_token(self, account: Account, token_id: str) -> bool:
        """Revoke one of ``account``'s own tokens; ``False`` when it has no such token."""
        with self._connect() as connection:
            return bool(
                connection.execute(
                    "DELETE FROM api_tokens WHERE id = ? AND account_id = ?",
                    (token_id, account.id),
                ).rowcount
            )

    def token_account(self, token: str) -> Account | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self._connect() as connection:
            row = connection.execute(
                "SELECT accounts.*, api_tokens.id AS token_id FROM api_tokens "
                "JOIN accounts ON accounts.id = api_tokens.account_id "
                "WHERE api_tokens.token_hash = ?",
                (_digest(token),),
            ).fetchone()
            if row is None:
                return None
            connection.execute(
                "UPDATE api_tokens SET last_used = ? WHERE id = ?", (self.clock(), row["token_id"])
            )
        return self._account(row)


class TokenSessions:
    """Sessions of the single-token mode (``WERKBOEK_TOKEN``): each is bound to the token it
    logged in with (a new token ends them all) and ends on logout, for a copied cookie too.
    Wrong tokens count as failed logins of their address."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        return contextlib.closing(connect(self.path))

    @staticmethod
    def _fingerprint(token: str) -> str:
        return hashlib.sha256(b"werkboek-toegangstoken\0" + token.encode()).hexdigest()

    def locked(self, address: str) -> bool:
        """Whether ``address`` guessed wrong too often lately (and must wait)."""
        now = self.clock()
        with self._connect() as connection:
            count = connection.execute(
                "SELECT count(*) FROM login_failures WHERE address = ? AND at >= ?",
                (address, now - FAILURE_WINDOW),
            ).fetchone()[0]
        return bool(count >= 4 * MAX_FAILURES)

    def failed(self, address: str) -> None:
        now = self.clock()
        with self._connect() as connection:
            connection.execute("DELETE FROM login_failures WHERE at < ?", (now - FAILURE_WINDOW,))
            connection.execute(
                "INSERT INTO login_failures (name, address, at) VALUES ('', ?, ?)", (address, now)
            )

    def start(self, token: str) -> str:
        """A new session for who gave ``token`` (the server's): the cookie's session token."""
        session = secrets.token_urlsafe(32)
        now = self.clock()
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO token_sessions (token_hash, token_fingerprint, created, last_seen) "
                "VALUES (?, ?, ?, ?)",
                (_digest(session), self._fingerprint(token), now, now),
            )
        return session

    def valid(self, session: str, token: str) -> bool:
        """Whether ``session`` is live and was begun with the server's current ``token``."""
        now = self.clock()
        with self._connect() as connection:
            row = connection.execute(
                "SELECT * FROM token_sessions WHERE token_hash = ?", (_digest(session),)
            ).fetchone()
            if row is None:
                return False
            if (
                not hmac.compare_digest(row["token_fingerprint"], self._fingerprint(token))
                or now - row["last_seen"] > IDLE_SECONDS
                or now - row["created"] > MAX_AGE_SECONDS
            ):
                connection.execute(
                    "DELETE FROM token_sessions WHERE token_hash = ?", (_digest(session),)
                )
                return False
            if now - row["last_seen"] > 60:
                connection.execute(
                    "UPDATE token_sessions SET last_seen = ? WHERE token_hash = ?",
                    (now, _digest(session)),
                )
        return True

    def end(self, session: str) -> None:
        with self._connect() as connection:
            connection.execute(
                "DELETE FROM token_sessions WHERE token_hash = ?", (_digest(session),)
            )
