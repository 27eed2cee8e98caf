"""Several worker processes on one database: jobs, drafts and previews every worker sees,
a job whose process died marked failed, and mail sent exactly once across a kill -9."""

from __future__ import annotations

import asyncio
import contextlib
import email
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.policy import default as default_policy
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from werkboek import Project
from werkboek.retention import erase_expired
from werkboek.store import database
from werkboek.store.accounts import Accounts
from werkboek.web.drafts import Draft, Drafts
from werkboek.web.jobs import Job, Jobs
from werkboek.web.pool import Claims
from werkboek.web.previews import Previews
from werkboek.web.responses import Download
from werkboek.web.site import Site

from conftest import CONTENT, REPO, free_port

PASSWORD = "lang-genoeg-wachtwoord"


# ---------------------------------------------------------------- the store


def test_a_migration_numbered_below_one_already_applied_still_runs(tmp_path, monkeypatch):
    real = database.migrations()
    without_3 = [m for m in real if m[0] != 3]
    monkeypatch.setattr(database, "migrations", lambda: without_3)
    path = tmp_path / "werkboek.sqlite"
    database.connect(path).close()
    third = (3, "0003_later.sql", "CREATE TABLE later_branch (id INTEGER PRIMARY KEY);")
    monkeypatch.setattr(database, "migrations", lambda: sorted([*without_3, third]))
    with contextlib.closing(database.connect(path)) as connection:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        applied = {r[0] for r in connection.execute("SELECT number FROM migrations_applied")}
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    assert "later_branch" in names and "jobs" in names and "drafts" in names
    assert applied == {n for n, _, _ in [*without_3, third]}
    assert version == max(applied)


def test_a_database_from_before_the_record_of_migrations_keeps_what_ran(tmp_path, monkeypatch):
    path = tmp_path / "werkboek.sqlite"
    first_two = [m for m in database.migrations() if m[0] <= 2]
    monkeypatch.setattr(database, "migrations", lambda: first_two)
    database.connect(path).close()
    with contextlib.closing(sqlite3.connect(path)) as raw:  # as an older werkboek left it
        raw.execute("DROP TABLE migrations_applied")
        raw.commit()
    monkeypatch.undo()
    with contextlib.closing(
        database.connect(path)
    ) as connection:  # 0001 and 0002 do not run again (they'd fail)
        applied = {r[0] for r in connection.execute("SELECT number FROM migrations_applied")}
    assert applied == {n for n, _, _ in database.migrations()}


def test_drafts_kept_as_files_are_read_in_on_first_start_nothing_lost(tmp_path):
    state = tmp_path / "output" / ".web"
    legacy = state / "concepten"
    legacy.mkdir(parents=True)
    session = "a" * 24
    draft = Draft(titel="Mijn oude training", onderdelen=[{"eigen": "# Eigen\n\nTekst.\n"}])
    from dataclasses import asdict

    (legacy / f"{session}.json").write_text(json.dumps(asdict(draft)), encoding="utf-8")
    before = Draft(titel="Nog ouder", onderdelen=[{"notities": 2}])
    undo = {"waarom": "Je werkboek is leeggemaakt.", "concept": asdict(before)}
    (legacy / f"{session}.vorige.json").write_text(json.dumps(undo), encoding="utf-8")
    only_undo = "b" * 24
    (legacy / f"{only_undo}.vorige.json").write_text(json.dumps(undo), encoding="utf-8")

    project = Project(CONTENT, REPO / "styles", tmp_path / "output", tmp_path / "recepten")
    site = Site(project)
    assert site.drafts.get(session) == draft
    assert site.drafts.undo_note(session) == "Je werkboek is leeggemaakt."
    assert site.drafts.undo(session)
    assert site.drafts.get(session) == before
    assert site.drafts.undo_note(only_undo) == "Je werkboek is leeggemaakt."
    assert not legacy.exists() and (state / "concepten-ingelezen" / f"{session}.json").is_file()
    # a second process (another Drafts on the same database) sees the same
    other = Drafts(site.database, legacy=legacy)
    assert other.get(session) == before
    assert other.get(only_undo) == Draft()


def test_day_lists_kept_as_files_are_read_in_and_erased_with_the_retention_period(tmp_path):
    output = tmp_path / "output"
    day = output / ".web" / "dag" / ("c" * 24)
    day.mkdir(parents=True)
    people = "naam,email\nAnna de Vries,anna@voorbeeld.nl\n"
    (day / "deelnemers.csv").write_text(people, encoding="utf-8")
    (day / "handtekening").write_bytes(b"PNG")
    project = Project(CONTENT, REPO / "styles", output, tmp_path / "recepten")
    site = Site(project)
    assert site.day_lists.get("c" * 24) == people
    assert not (day / "deelnemers.csv").exists() and (day / "handtekening").is_file()
    # another process sees it; a new list replaces it
    other = Site(project)
    other.day_lists.save("c" * 24, people + "Bram,bram@voorbeeld.nl\n")
    assert "Bram" in site.day_lists.get("c" * 24)
    # kept within the period, erased after it (with the jobs' files)
    (output / ".web" / "taken" / "abc").mkdir(parents=True)
    (output / ".web" / "taken" / "abc" / "exemplaren.zip").write_bytes(b"PK")
    assert erase_expired(output, 30).lists == 0 and site.day_lists.get("c" * 24)
    erased = erase_expired(output, 30, now=time.time() + 31 * 24 * 3600)
    assert erased.lists == 1 and site.day_lists.get("c" * 24) == ""
    assert not (output / ".web" / "taken" / "abc").exists()
    files = [output / ".web" / f"werkboek.sqlite{end}" for end in ("", "-wal")]
    stored = b"".join(f.read_bytes() for f in files if f.is_file())
    for part in (b"Anna", b"anna@voorbeeld", b"Bram"):
        assert part not in stored  # not in the file's free pages, nor in its log


def _wait(job: Job | None, jobs: Jobs, owner: str) -> Job:
    assert job is not None
    for _ in range(600):
        seen = jobs.get(owner, job.id)
        assert seen is not None
        if seen.finished:
            return seen
        time.sleep(0.05)
    raise AssertionError("the job did not end")


def test_a_job_of_one_process_is_seen_with_its_progress_and_file_by_another(tmp_path):
    db, folder = tmp_path / "werkboek.sqlite", tmp_path / "taken"
    one, two = Jobs(db, folder), Jobs(db, folder)
    go_on = threading.Event()

    def work(job: Job) -> Download:
        job.step(1, 3, "de eerste is klaar")
        go_on.wait(30)
        return Download("werkboek.pdf", b"%PDF-1.7 fake")

    started = one.start("eigenaar-een", "product", "Het werkboek", work)
    for _ in range(600):
        seen = two.get("eigenaar-een", started.id)
        if seen is not None and seen.done == 1:
            break
        time.sleep(0.05)
    assert seen is not None and (seen.state, seen.done, seen.total) == ("bezig", 1, 3)
    assert seen.message == "de eerste is klaar"
    assert two.get("iemand-anders", started.id) is None
    assert two.latest("eigenaar-een", "product").id == started.id
    go_on.set()
    done = _wait(seen, two, "eigenaar-een")
    assert done.state == "klaar"
    assert done.result.name == "werkboek.pdf" and done.result.path.read_bytes() == b"%PDF-1.7 fake"
    one.shutdown()
    two.shutdown()


@pytest.mark.slow
def test_a_job_whose_process_was_killed_is_marked_failed_not_running(tmp_path):
    db, folder = tmp_path / "werkboek.sqlite", tmp_path / "taken"
    script = f"""
import sys, threading
from pathlib import Path
from werkboek.web.jobs import Jobs
jobs = Jobs(Path({str(db)!r}), Path({str(folder)!r}))
job = jobs.start("eigenaar", "mail", "Verzenden", lambda job: threading.Event().wait())
print(job.id, flush=True)
threading.Event().wait()
"""
    command = [sys.executable, "-c", script]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            job_id = process.stdout.readline().strip()
            jobs = Jobs(db, folder)
            for _ in range(100):
                seen = jobs.get("eigenaar", job_id)
                if seen is not None and seen.state == "bezig":
                    break
                time.sleep(0.05)
            assert seen.state == "bezig"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    for _ in range(400):  # the lease runs out: it is no longer "bezig"
        seen = jobs.get("eigenaar", job_id)
        if seen.finished:
            break
        time.sleep(0.1)
    assert seen.state == "mislukt"
    assert "de server stopte tijdens het verzenden" in seen.problems[0]


@pytest.mark.slow
def test_a_trainers_renders_are_limited_across_processes_and_a_dead_ones_free(tmp_path):
    db = tmp_path / "werkboek.sqlite"
    script = f"""
import threading
from pathlib import Path
from werkboek.web.pool import Claims
from werkboek.web.previews import Previews
claims = Claims(Path({str(db)!r}))
print(claims.claim("anna", "een"), claims.claim("anna", "twee"), flush=True)
threading.Event().wait()
"""
    here = Claims(db)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as other:
        try:
            assert other.stdout.readline().split() == ["True", "True"]
            assert not here.claim("anna", "drie")  # two of anna's run in the other process
            assert here.claim("bram", "vier")
        finally:
            other.send_signal(signal.SIGKILL)
            other.wait()
    assert here.claim("anna", "vijf")  # that process is gone, and its claims with it
    here.release("vijf")
    assert here.claim("anna", "zes") and here.claim("anna", "zeven")
    assert not here.claim("anna", "acht")


def test_a_preview_made_in_one_process_is_shown_by_another(tmp_path):
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 300)
    document.new_page(200, 300)
    out = io.BytesIO()
    document.save(out)
    document.close()
    one, two = Previews(tmp_path / "voorbeelden"), Previews(tmp_path / "voorbeelden")
    shown = one.add("anna", out.getvalue())
    assert shown.pages == 2
    assert two.pdf("anna", shown.digest) == out.getvalue()
    image = two.image("anna", shown.digest, 2, 150)
    assert image is not None and image.startswith(b"\x89PNG")
    assert two.pdf("anna", "../" + shown.digest) is None
    assert two.image("anna", "0" * 32, 1, 150) is None
    # another trainer, in this process or the other, finds nothing of it
    assert two.pdf("bram", shown.digest) is None and one.pdf("bram", shown.digest) is None
    assert two.image("bram", shown.digest, 2, 150) is None


# ---------------------------------------------------------------- four workers, mail


@dataclass
class Gated:
    """An SMTP server's handler: keeps each message it accepted (it answered 250 on a live
    connection); once ``close_on`` matches a message, every message waits at the gate
    until it is opened."""

    close_on: tuple[str, str]
    """(a word of the subject, the recipient) of the message that closes the gate."""
    received: list[email.message.EmailMessage] = field(default_factory=list)
    waiting: dict[str, int] = field(default_factory=dict)
    closed: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        word, recipient = self.close_on
        if word in message["Subject"] and recipient in envelope.rcpt_tos:
            self.closed.set()
        if self.closed.is_set() and not self.opened.is_set():
            trainer = message["Subject"].split()[-1]
            with self.lock:
                self.waiting[trainer] = self.waiting.get(trainer, 0) + 1
            while not self.opened.is_set():
                await asyncio.sleep(0.02)
        if server.transport is None or server.transport.is_closing():
            return "451 no one to tell"  # its sender is gone: never delivered
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def got(self, address: str, trainer: str) -> int:
        with self.lock:
            return sum(
                1
                for m in self.received
                if address in str(m["To"]) and m["Subject"].endswith(f" {trainer}")
            )


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


class Trainer:
    """A trainer in a browser: logs in, mails, follows the job through any worker (a new
    connection each time, so the kernel may hand it to any of them)."""

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.client = httpx.Client(
            base_url=url, timeout=120, limits=httpx.Limits(max_keepalive_connections=0)
        )
        csrf = _csrf(self.client.get("/inloggen"))
        answer = self.client.post(
            "/inloggen",
            data={"csrf": csrf, "naam": name, "wachtwoord": PASSWORD, "volgende": "/mail"},
        )
        assert answer.status_code in (200, 303), answer.text[:300]
        self.csrf = _csrf(self.client.get("/mail"))

    def send(self, people: str, **extra: str) -> str:
        form = {
            "csrf": self.csrf,
            "deelnemers": people,
            "onderwerp": f"Je werkboek, {{{{ naam }}}}, van {self.name}",
            "tekst": "Beste {{ naam }},\n\nTot de volgende keer.\n",
            **extra,
        }
        started = self.client.post("/mail/verzenden", data=form, follow_redirects=False)
        assert started.status_code == 303, started.text[:500]
        return started.headers["location"]

    def follow(self, location: str) -> str:
        for _ in range(1200):
            page = self.client.get(location).text
            if "taak-wachten" not in page and "taak-bezig" not in page:
                return page
            time.sleep(0.1)
        raise AssertionError("the job did not end")


def _running_pid(db: Path, space: str) -> int | None:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        row = connection.execute(
            "SELECT pid FROM jobs WHERE owner = ? AND kind = 'mail' AND ended IS NULL",
            (space,),
        ).fetchone()
    return None if row is None else int(row[0])


def _ended(db: Path, space: str) -> bool:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM jobs WHERE owner = ? AND kind = 'mail' AND ended IS NULL",
            (space,),
        ).fetchone()
    return row[0] == 0


@pytest.mark.slow
def test_four_workers_two_trainers_and_a_kill_9_mid_send_each_mailing_once(tmp_path):
    people_rows = [(f"Deelnemer {i}", f"deelnemer{i}@cursus.example") for i in range(1, 7)]
    people = "naam,email\n" + "".join(f"{n},{a}\n" for n, a in people_rows)
    output = tmp_path / "output"
    db = output / ".web" / "werkboek.sqlite"
    accounts = Accounts(db)
    ids = {name: accounts.add(name, PASSWORD).space for name in ("anna", "bram")}

    handler = Gated(close_on=("anna", "deelnemer3@cursus.example"))
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "WERKBOEK_VERZENDLOG": str(tmp_path / "staat" / "verzendlog.sqlite"),
    }
    command = [sys.executable, "-m", "werkboek", "serve", "--processen", "4", "--poort", str(port)]
    command += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles"), "-o", str(output)]
    command += ["--recepten", str(tmp_path / "recepten"), "--inloggen", "accounts"]
    command += ["--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port)]
    command += ["--beveiliging", "none", "--afzender", "Training <training@cursus.example>"]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    trainers: list[Trainer] = []
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/inloggen", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        anna, bram = Trainer(url, "anna"), Trainer(url, "bram")
        trainers += [anna, bram]

        # both at the same moment
        locations: dict[str, str] = {}
        threads = [
            threading.Thread(target=lambda t=t: locations.__setitem__(t.name, t.send(people)))
            for t in (anna, bram)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert handler.closed.wait(120), "anna's third message never came"
        # everything in flight now waits at the gate (bram's too, unless bram is done)
        for _ in range(1200):
            if handler.waiting.get("anna") and (
                handler.waiting.get("bram") or _ended(db, ids["bram"])
            ):
                break
            time.sleep(0.05)
        pid = _running_pid(db, ids["anna"])
        assert pid is not None and pid != server.pid
        os.kill(pid, signal.SIGKILL)  # the worker that runs anna's send
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        handler.opened.set()

        # the job of the killed worker is seen, through the others, as stopped
        stopped = anna.follow(locations["anna"])
        assert "de server stopte tijdens het verzenden" in stopped
        bram.follow(locations["bram"])
        assert handler.got("deelnemer3@cursus.example", "anna") == 0

        # the trainers go on: what was sent is not sent again, the unsure one is named
        for trainer in (anna, bram):
            report = trainer.follow(trainer.send(people))
            assert "taak-klaar" in report or "taak-mislukt" in report, report
        page = anna.client.get("/mail").text
        unsure = re.search(r'<span class="getal">(\d+)</span> onzeker', page)
        assert unsure and unsure.group(1) == "1", page
        # anna asked: deelnemer 3 did not get it; so she sends the unsure one again
        for trainer in (anna, bram):
            page = trainer.client.get("/mail").text
            extra = {"onzeker": "ja"} if "onzekere berichten opnieuw" in page else {}
            trainer.follow(trainer.send(people, **extra))

        for name, address in people_rows:
            for trainer in ("anna", "bram"):
                assert handler.got(address, trainer) == 1, (name, trainer, handler.received)
        assert len(handler.received) == 2 * len(people_rows)
        assert server.poll() is None  # the server itself stayed up
    finally:
        for trainer in trainers:
            trainer.client.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        smtp.stop()
