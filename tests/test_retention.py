"""Participants' data kept only as long as needed (issue 21): a send log without addresses,
a record of every mailing, and erasure after the retention period, by ``werkboek opschonen``,
by the server every day and by a trainer at once. Mail goes to a real SMTP server (aiosmtpd)
on loopback; the web app runs for real (uvicorn in a thread); the clock is injected.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import test_mail
from test_mail import MAIL, PEOPLE, Session, run, send_args
from werkboek.cli import main
from werkboek.mail import SendLog, State, default_log_path
from werkboek.mail.log import SECRET_NAME, mailing_records
from werkboek.retention import DAY, erase_expired

from conftest import CONTENT, REPO

work = test_mail.work
"""The mail tests' working folder (their fixtures, a send log of its own)."""
NAMES = ["Anna de Vries", "Bram Bakker", "Chantal Özdemir", "Daan de Jong", "Eva Visser"]
WEB_PERSON = ("Fenna Fictief", "fenna@wissen.example")
OLD_ROWS = [
    ("oude-mailing", "anna@voorbeeld.example", "<1@x>", "sent", 1, "", "2026-01-01T10:00:00+00:00"),
    (
        "oude-mailing",
        "bram@voorbeeld.example",
        "<2@x>",
        "failed",
        1,
        "550 <bram@voorbeeld.example>: mailbox unavailable",
        "2026-01-01T10:00:00+00:00",
    ),
]


def old_log(path: Path, rows=OLD_ROWS) -> None:
    """A send log as an older werkboek kept it: plain addresses, no actor column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE messages (mailing TEXT NOT NULL, recipient TEXT NOT NULL,"
            " message_id TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
            " detail TEXT NOT NULL DEFAULT '', updated TEXT NOT NULL,"
            " PRIMARY KEY (mailing, recipient))"
        )
        db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()


def traces(people: list[tuple[str, str]]) -> list[bytes]:
    """What of each person could be on disk: name and address, as written, in lower case,
    as a file name's slug, and the name in both Unicode forms."""
    found: set[bytes] = set()
    for name, address in people:
        for text in (name, address, address.split("@")[0] + "@"):
            for form in ("NFC", "NFD"):
                value = unicodedata.normalize(form, text)
                found |= {value.encode(), value.lower().encode()}
        found.add(name.lower().replace(" ", "-").encode())
    return sorted(found)


def left_of(people: list[tuple[str, str]], *folders: Path) -> list[str]:
    """Every file below ``folders`` that names or addresses one of ``people``: in its
    path, its bytes, or (a PDF) its text."""
    wanted = traces(people)
    hits = []
    for folder in folders:
        for path in folder.rglob("*"):
            shown = str(path.relative_to(folder)).lower().encode()
            data = path.read_bytes() if path.is_file() else b""
            if path.suffix == ".pdf" and data:
                data += "".join(p.extract_text() for p in PdfReader(path).pages).encode()
            if any(t in shown or t in data or t in data.lower() for t in wanted):
                hits.append(str(path))
    return hits


# ---------------------------------------------------------------- the send log


def test_the_send_log_knows_recipients_only_by_a_keyed_hash(work, smtp):
    server = smtp()
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 0, result.output
    assert len(server.handler.received) == 5
    log = default_log_path()
    secret = log.with_name(SECRET_NAME)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(bytes.fromhex(secret.read_text())) == 32
    assert left_of(list(zip(NAMES, PEOPLE, strict=True)), log.parent) == []
    with sqlite3.connect(log) as db:
        keys = [row[0] for row in db.execute("SELECT recipient FROM messages")]
    db.close()
    assert len(keys) == 5 and all(len(k) == 64 and "@" not in k for k in keys)
    # the same mailing again: the hashes of the list's addresses find everyone
    again = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert again.exit_code == 0, again.output
    assert len(server.handler.received) == 5
    assert "5 overgeslagen (al eerder verzonden)" in again.stdout


def test_two_installations_hash_the_same_address_differently(tmp_path):
    keys = []
    for name in ("een", "twee"):
        with SendLog(tmp_path / name / "verzendlog.sqlite") as log:
            keys.append(log.key("Anna@Voorbeeld.example"))
            assert log.key(" anna@voorbeeld.example ") == keys[-1]  # normalised first
    assert keys[0] != keys[1]


def test_an_older_log_with_addresses_is_hashed_in_place_and_forgets_nobody(work, smtp):
    server = smtp()
    dry = run("deelnemers.csv", "bericht.txt")
    assert dry.exit_code == 0, dry.output
    name = next((work / "output" / "mail").iterdir()).name
    rows = [(name, *row[1:]) for row in OLD_ROWS]  # Anna had this mailing, Bram's failed
    old_log(default_log_path(), rows)
    shutil.rmtree(work / "output")
    with SendLog(default_log_path()) as log:
        entries = log.entries(name, PEOPLE)
        assert {a: e.state.value for a, e in entries.items()} == {
            PEOPLE[0]: "sent",
            PEOPLE[1]: "failed",
        }
        assert entries[PEOPLE[1]].detail == "550 <(adres)>: mailbox unavailable"
    people = list(zip(NAMES, PEOPLE, strict=True))
    assert left_of(people, default_log_path().parent) == []
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 0, result.output
    assert [len(server.handler.to(p)) for p in PEOPLE] == [0, 1, 1, 1, 1]


def test_a_server_reply_is_kept_without_the_address(tmp_path):
    with SendLog(tmp_path / "verzendlog.sqlite") as log:
        log.register("m", [("anna@voorbeeld.example", "<1@x>")], "gebruiker:marieke")
        reply = "550 5.1.1 <anna@voorbeeld.example>... User unknown (anna@voorbeeld.example)"
        log.mark("m", "anna@voorbeeld.example", State.FAILED, reply)
        (entry,) = log.entries("m", ["ANNA@voorbeeld.example"]).values()
    assert entry.detail == "550 5.1.1 <(adres)>... User unknown ((adres))"
    assert b"anna" not in (tmp_path / "verzendlog.sqlite").read_bytes()


def test_every_mailing_is_on_record_without_addresses(work, smtp):
    server = smtp()
    result = run("deelnemers.csv", "bericht.txt", "--bijlage", "handout.pdf", *send_args(server))
    assert result.exit_code == 0, result.output
    (record,) = mailing_records()
    assert record.actor.startswith("gebruiker:")
    assert (record.sent, record.failed, record.unknown) == (5, 0, 0)
    assert record.files == ("handout.pdf",)
    assert record.started <= record.updated
    assert not any("@" in str(value) for value in vars(record).values())


# ---------------------------------------------------------------- erasure


@pytest.mark.slow
def test_after_the_period_no_participant_is_left_and_nobody_gets_a_mailing_twice(
    work, smtp, monkeypatch, caplog
):
    """The issue's "Done when": a CLI mailing with personal workbooks, a web dry run and
    send, an older send log in output/mail/; then the clock past the period."""
    from webserver import running
    from werkboek.mail import Security, SmtpSettings
    from werkboek.web.config import ServerConfig

    server = smtp()
    test_mail.write_two_participants(work)
    shutil.copyfile(MAIL / "recept.yaml", work / "recept.yaml")
    folders = ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles")]
    cli = ["deelnemers.csv", "bericht.md", "--werkboek", "recept.yaml", *folders]
    dry = run(*cli)  # the dry run: .eml files, personal copies in the cache
    assert dry.exit_code == 0, dry.output
    sent = run(*cli, *send_args(server))
    assert sent.exit_code == 0, sent.output
    old_log(
        work / "output" / "mail" / "verzendlog.sqlite",
        [
            ("oude-mailing", "daan@voorbeeld.example", "<3@x>", "sent", 1, "", "2026-01-01T10:00"),
        ],
    )
    smtp_settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)
    config = ServerConfig(smtp=smtp_settings, sender="Trainer <trainer@voorbeeld.example>")
    web_list = "naam,email\n{},{}\n".format(*WEB_PERSON)
    with running(work, config) as app:
        session = Session(app.url)
        assert "1 bericht opgesteld" in session.job("/mail/proefrun", deelnemers=web_list)
        assert "1 verzonden" in session.job("/mail/verzenden", deelnemers=web_list)
        cookies = session.client.cookies  # the same trainer after a restart: same mailing
        session.client.close()
    people = [*zip(NAMES[::2][:2], PEOPLE[::2][:2], strict=True), ("Daan de Jong", PEOPLE[3])]
    people.append(WEB_PERSON)
    output, state = work / "output", default_log_path().parent
    assert len(left_of(people, output, state)) > 5  # they are there before the period ends

    erased = erase_expired(output, 30, now=time.time() + 31 * DAY)
    assert erased.lists >= 1 and erased.messages >= 3 and erased.copies >= 2
    # the older log was merged into the user's (hashed) and removed: by the server's own
    # erasure when it started, or now
    assert not (output / "mail" / "verzendlog.sqlite").exists()
    with SendLog(default_log_path()) as log:
        assert log.entries("oude-mailing", [PEOPLE[3]])[PEOPLE[3]].message_id == "<3@x>"
    assert left_of(people, output, state) == []
    assert not any(t.decode() in caplog.text for t in traces(people))

    # the same mailings again, after the erasure: nobody gets one twice
    received = len(server.handler.received)
    again = run(*cli, *send_args(server))
    assert again.exit_code == 0, again.output
    assert "2 overgeslagen (al eerder verzonden)" in again.stdout
    with running(work, config) as app:
        session = Session(app.url)
        session.client.cookies = cookies
        page = session.client.get("/mail").text
        session.token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        resent = session.job("/mail/verzenden", deelnemers=web_list)
        assert "0 berichten te verzenden, 1 al eerder verzonden" in resent
        session.client.close()
    assert len(server.handler.received) == received
    assert [len(server.handler.to(a)) for _, a in people] == [1, 1, 0, 1]


def age(path: Path, days: float) -> None:
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment))


def test_opschonen_erases_what_is_older_than_the_period_and_says_how_much(tmp_path):
    output = tmp_path / "output"
    old = output / ".web" / "mail" / "sessie-een"
    young = output / ".web" / "mail" / "sessie-twee"
    for folder in (old, young):
        folder.mkdir(parents=True)
        (folder / "deelnemers.csv").write_text("naam,email\nAnna,anna@voorbeeld.example\n")
        (folder / "bericht.md").write_text("Subject: Hoi\n\nBeste {{ naam }}\n")
    dry = output / "mail" / "hoi-0123456789"
    dry.mkdir(parents=True)
    (dry / "001-anna.eml").write_text("To: anna@voorbeeld.example\n")
    for path in [*old.iterdir(), *dry.iterdir()]:
        age(path, 8)
    env = {"WERKBOEK_VERZENDLOG": str(tmp_path / "staat" / "verzendlog.sqlite")}
    result = CliRunner().invoke(
        main, ["opschonen", "-o", str(output), "--bewaartermijn", "7"], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["gewist: 1 deelnemerslijst", "gewist: 2 berichten"]
    assert not old.exists() and not dry.exists()
    assert sorted(p.name for p in young.iterdir()) == ["bericht.md", "deelnemers.csv"]
    # the default period (30 days), also from WERKBOEK_BEWAARTERMIJN
    for path in young.iterdir():
        age(path, 10)
    result = CliRunner().invoke(main, ["opschonen", "-o", str(output)], env=env)
    assert result.stdout.splitlines() == [
        "niets gewist: er waren geen gegevens van deelnemers ouder dan de termijn"
    ]
    env["WERKBOEK_BEWAARTERMIJN"] = "9"
    result = CliRunner().invoke(main, ["opschonen", "-o", str(output)], env=env)
    assert result.stdout.splitlines() == ["gewist: 1 deelnemerslijst", "gewist: 1 bericht"]
    assert not (tmp_path / "staat").exists()  # no send log: none is made


def test_opschonen_refuses_a_period_that_is_not_a_number_of_days(tmp_path):
    result = CliRunner().invoke(main, ["opschonen", "-o", str(tmp_path), "--bewaartermijn", "nul"])
    assert result.exit_code != 0
    assert "--bewaartermijn" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_the_server_erases_at_start_and_a_trainer_erases_at_once(tmp_path, smtp):
    from webserver import running
    from werkboek.web.config import ServerConfig

    stale = tmp_path / "output" / ".web" / "mail" / "een-oude-sessie"
    stale.mkdir(parents=True)
    (stale / "deelnemers.csv").write_text("naam,email\nAnna,anna@voorbeeld.example\n")
    age(stale / "deelnemers.csv", 3)
    config = ServerConfig(sender="Trainer <trainer@voorbeeld.example>", retention_days=2)
    with running(tmp_path, config) as app:
        for _ in range(600):  # the erasure runs beside the first requests
            if not stale.exists():
                break
            time.sleep(0.05)
        assert not stale.exists()
        session = Session(app.url)
        web_list = "naam,email\n{},{}\n".format(*WEB_PERSON)
        assert "1 bericht opgesteld" in session.job("/mail/proefrun", deelnemers=web_list)
        mail_root = tmp_path / "output" / ".web" / "mail"
        (mine,) = mail_root.iterdir()
        assert (mine / "deelnemers.csv").is_file()
        page = session.client.get("/mail").text
        assert "Gegevens van deelnemers wissen" in page
        ask = session.client.post("/mail/wissen", data={"csrf": session.token})
        assert ask.status_code == 200 and "Ja, wissen" in ask.text
        assert (mine / "deelnemers.csv").is_file()  # nothing erased before the confirmation
        done = session.client.post("/mail/wissen", data={"csrf": session.token, "bevestigd": "ja"})
        assert done.status_code == 200
        assert "gewist: 1 deelnemerslijst" in done.text
        assert not mine.exists()
        assert left_of([WEB_PERSON], tmp_path / "output") == []
        session.client.close()


def test_without_its_secret_the_send_log_sends_nothing(work, smtp):
    server = smtp()
    assert run("deelnemers.csv", "bericht.txt", *send_args(server)).exit_code == 0
    default_log_path().with_name(SECRET_NAME).unlink()  # lost, e.g. not in the backup
    for args in ([], send_args(server)):  # the dry run and the send
        result = run("deelnemers.csv", "bericht.txt", *args)
        assert result.exit_code == 1, result.output
        assert "de sleutel van het verzendlog ontbreekt" in result.stderr
        assert result.stderr.startswith("fout: ") and "Traceback" not in result.output
    assert len(server.handler.received) == 5
    assert not default_log_path().with_name(SECRET_NAME).exists()  # none made in its place
