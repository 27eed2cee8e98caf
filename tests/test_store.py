"""The server's state: SQLite with migrations, accounts, sessions, API tokens, backups."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from click.testing import CliRunner

from werkboek.cli import main
from werkboek.errors import WerkboekError
from werkboek.store import accounts as accounts_module
from werkboek.store.accounts import AccountError, Accounts
from werkboek.store.database import backup, connect, migrations

PASSWORD = "lang-genoeg-wachtwoord"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock):
    return Accounts(tmp_path / "werkboek.sqlite", clock)


def test_migrations_are_numbered_and_applied_once(tmp_path):
    path = tmp_path / "db.sqlite"
    numbers = [number for number, _, _ in migrations()]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    first = connect(path)
    assert first.execute("PRAGMA user_version").fetchone()[0] == numbers[-1]
    assert first.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in first.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"accounts", "sessions", "api_tokens", "login_failures", "token_sessions"} <= tables
    first.close()
    connect(path).close()  # nothing applied twice (a CREATE TABLE again would fail)


def test_a_database_of_a_newer_werkboek_is_refused(tmp_path):
    path = tmp_path / "db.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(WerkboekError, match="nieuwere werkboek"):
        connect(path)


def test_a_password_logs_in_a_wrong_one_does_not_and_says_the_same_for_a_wrong_name(accounts):
    anna = accounts.add("Anna", PASSWORD)
    assert anna.name == "anna" and anna.role == "trainer"
    assert accounts.log_in("ANNA ", PASSWORD, "127.0.0.1") == anna
    with pytest.raises(AccountError) as wrong:
        accounts.log_in("anna", PASSWORD + "x", "127.0.0.1")
    with pytest.raises(AccountError) as nobody:
        accounts.log_in("bram", PASSWORD, "127.0.0.1")
    assert str(wrong.value) == str(nobody.value) == "gebruikersnaam of wachtwoord klopt niet"
    # the database never holds the password
    data = accounts.path.read_bytes()  # (every connection is closed: the log is in the file)
    assert PASSWORD.encode() not in data and b"$argon2id$" in data


def test_failed_logins_lock_the_name_even_for_the_right_password_until_the_window_ends(
    accounts, clock
):
    accounts.add("anna", PASSWORD)
    for _ in range(accounts_module.MAX_FAILURES):
        with pytest.raises(AccountError, match="klopt niet"):
            accounts.log_in("anna", "fout", "10.0.0.1")
    with pytest.raises(AccountError, match="te veel mislukte pogingen; probeer het over 15"):
        accounts.log_in("anna", PASSWORD, "10.0.0.2")
    clock.now += accounts_module.FAILURE_WINDOW + 1
    assert accounts.log_in("anna", PASSWORD, "10.0.0.2").name == "anna"


def test_one_address_guessing_many_names_is_locked_too(accounts):
    accounts.add("anna", PASSWORD)
    for n in range(4 * accounts_module.MAX_FAILURES):
        with pytest.raises(AccountError, match="klopt niet"):
            accounts.log_in(f"naam{n}", "fout", "10.0.0.9")
    with pytest.raises(AccountError, match="te veel"):
        accounts.log_in("anna", PASSWORD, "10.0.0.9")
    assert accounts.log_in("anna", PASSWORD, "10.0.0.1").name == "anna"


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("anna", "kort", "minstens 12 tekens"),
        ("an na", PASSWORD, "kan geen gebruikersnaam zijn"),
        ("../anna", PASSWORD, "kan geen gebruikersnaam zijn"),
        ("", PASSWORD, "kan geen gebruikersnaam zijn"),
    ],
)
def test_bad_names_and_short_passwords_are_refused(accounts, name, password, message):
    with pytest.raises(AccountError, match=message):
        accounts.add(name, password)
    assert accounts.all() == []


def test_sessions_end_on_logout_when_idle_too_long_and_with_their_account(accounts, clock):
    anna = accounts.add("anna", PASSWORD)
    token = accounts.start_session(anna)
    assert accounts.session(token) == anna
    accounts.end_session(token)
    assert accounts.session(token) is None  # a copied cookie no longer works
    idle = accounts.start_session(anna)
    clock.now += accounts_module.IDLE_SECONDS + 1
    assert accounts.session(idle) is None
    kept = accounts.start_session(anna)
    clock.now += accounts_module.IDLE_SECONDS - 10
    assert accounts.session(kept) == anna  # used: it lives on
    accounts.remove("anna")
    assert accounts.session(kept) is None
    # the database holds hashes of session tokens, never the tokens
    assert kept.encode() not in accounts.path.read_bytes()


def test_a_new_password_ends_every_session(accounts):
    anna = accounts.add("anna", PASSWORD)
    token = accounts.start_session(anna)
    accounts.set_password(anna, "een-ander-wachtwoord")
    assert accounts.session(token) is None
    assert accounts.log_in("anna", "een-ander-wachtwoord", "::1") == anna


def test_api_tokens_are_shown_once_stored_hashed_and_revoked_only_by_their_owner(accounts):
    anna, bram = accounts.add("anna", PASSWORD), accounts.add("bram", PASSWORD)
    record, token = accounts.make_token(anna, "leerplatform")
    assert token.startswith("wbk_") and accounts.token_account(token) == anna
    assert [t.label for t in accounts.tokens(anna)] == ["leerplatform"]
    assert accounts.tokens(bram) == []
    assert accounts.revoke_token(bram, record.id) is False  # not bram's
    assert accounts.token_account(token) == anna
    assert accounts.revoke_token(anna, record.id) is True
    assert accounts.token_account(token) is None
    assert accounts.token_account("wbk_verzonnen") is None


def test_single_sign_on_accounts_have_no_password(accounts):
    sso = accounts.for_single_sign_on("Anna@Organisatie.nl")
    assert sso.name == "anna@organisatie.nl" and not sso.has_password
    assert accounts.for_single_sign_on("anna@organisatie.nl") == sso
    with pytest.raises(AccountError, match="klopt niet"):
        accounts.log_in("anna@organisatie.nl", "", "::1")


def _add_many(path: str, prefix: str) -> None:
    store = Accounts(__import__("pathlib").Path(path))
    for n in range(5):
        store.add(f"{prefix}{n}", None)


def test_several_processes_write_at_once_without_losing_anything(tmp_path):
    path = tmp_path / "gedeeld.sqlite"
    connect(path).close()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_add_many, args=(str(path), p)) for p in "abcd"]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert len(Accounts(path).all()) == 20


def test_a_backup_is_a_consistent_copy_while_the_database_is_in_use(tmp_path, accounts):
    accounts.add("anna", PASSWORD)
    busy = connect(accounts.path)  # another process holds it open
    try:
        copy = backup(accounts.path, tmp_path / "kopie.sqlite")
    finally:
        busy.close()
    assert [a.name for a in Accounts(copy).all()] == ["anna"]
    with pytest.raises(WerkboekError, match="bestaat al"):
        backup(accounts.path, copy)


def test_the_cli_adds_lists_and_removes_users(tmp_path):
    database = str(tmp_path / "db.sqlite")
    runner = CliRunner()
    added = runner.invoke(
        main,
        ["gebruikers", "toevoegen", "Anna", "--rol", "beheerder", "--database", database],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "toegevoegd: anna (beheerder)" in added.stdout
    piped = runner.invoke(
        main,
        ["gebruikers", "toevoegen", "bram", "--wachtwoord-uit-invoer", "--database", database],
        input="kort\n",
    )
    assert (
        piped.exit_code == 1 and piped.stderr == "fout: een wachtwoord heeft minstens 12 tekens\n"
    )
    listed = runner.invoke(main, ["gebruikers", "lijst", "--database", database])
    assert listed.stdout == "anna\tbeheerder\twachtwoord\n"
    removed = runner.invoke(main, ["gebruikers", "verwijderen", "anna", "--database", database])
    assert removed.exit_code == 0 and removed.stdout == "verwijderd: anna\n"
    again = runner.invoke(main, ["gebruikers", "verwijderen", "anna", "--database", database])
    assert again.exit_code == 1 and again.stderr == "fout: gebruiker 'anna' bestaat niet\n"
    copy = runner.invoke(main, ["backup", str(tmp_path / "kopie.sqlite"), "--database", database])
    assert copy.exit_code == 0, copy.output


def test_a_new_database_opened_by_many_at_once_opens_for_all(tmp_path):
    """The first requests of a new server (or its processes starting together) open a
    database no one has made yet: each waits while another makes it and puts it in WAL
    mode, where SQLite said "database is locked" at once (a 500 in test_pool, 2 rounds in 40
    of this test)."""
    import threading

    failed = []
    for round in range(40):
        path = tmp_path / f"ronde-{round}" / "werkboek.sqlite"
        start = threading.Barrier(8)

        def open_it(path=path, start=start) -> None:
            start.wait()
            try:
                connect(path).close()
            except Exception as exc:  # (any failure counts)
                failed.append(repr(exc))

        threads = [threading.Thread(target=open_it) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failed == []
