"""Mailing to participants, against a real SMTP server (aiosmtpd) on loopback.

Each test starts its own server on a free port of 127.0.0.1; handlers collect what
arrives and, where a test needs it, refuse, drop the connection or stop listening at a
chosen moment. Waiting (retries, rate limit) goes through an injected ``sleep``.
"""

from __future__ import annotations

import dataclasses
import email
import io
import re
import shutil
import sqlite3
import ssl
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from pypdf import PdfReader

from werkboek.cli import main
from werkboek.errors import ListError
from werkboek.mail import (
    Security,
    SendLog,
    SmtpSettings,
    State,
    default_log_path,
    plan_sending,
    prepare_mailing,
    read_message_template,
    read_recipients,
    send_mailing,
)
from werkboek.mail.log import log_secret, recipient_key
from werkboek.mail.report import format_report
from werkboek.mail.template import markdown_literal

from conftest import CONTENT, REPO, ROOTS, Server, free_port

MAIL = ROOTS / "mail"
CASES = sorted(p.name for p in MAIL.iterdir() if (p / "expected.txt").is_file())
PEOPLE = [
    "anna@voorbeeld.example",
    "bram@voorbeeld.example",
    "chantal@voorbeeld.example",
    "daan@voorbeeld.example",
    "eva@voorbeeld.example",
]
THIRD = PEOPLE[2]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login,
        auth_data.password,
    ) == (b"marieke", b"geheim")
    return AuthResult(success=ok, handled=False)


def drop(server: Any) -> None:
    """Break the connection without a reply."""
    server.transport.close()


# ---------------------------------------------------------------- helpers


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the mail fixtures, as the current directory."""
    for name in ("deelnemers.csv", "bericht.txt", "bericht.md", "handout.pdf"):
        shutil.copyfile(MAIL / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WERKBOEK_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("WERKBOEK_VERZENDLOG", str(tmp_path / "staat" / "verzendlog.sqlite"))
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(main, ["mail", *args], env=env, input=input)


def send_args(server: Server, *extra: str) -> list[str]:
    return [
        "--verzenden",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(server.port),
        "--beveiliging",
        "none",
        "--tempo",
        "0",
        "--pogingen",
        "0",
        *extra,
    ]


def errors(result) -> list[str]:
    """stderr's lines without the ``fout: `` that starts every one of them, and without the
    progress bar's label (all a progress bar shows off a terminal)."""
    lines = [line for line in result.stderr.splitlines() if line != "Verzenden"]
    assert all(line.startswith("fout: ") for line in lines), lines
    return [line.removeprefix("fout: ") for line in lines]


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def states(work: Path) -> dict[str, str]:
    """The states in the send log, by address: the log knows only keyed hashes, so the
    test's addresses are hashed with the log's secret to find them."""
    secret = log_secret(default_log_path())
    addresses = {recipient_key(secret, a): a for a in PEOPLE}
    with sqlite3.connect(default_log_path()) as db:
        rows = dict(db.execute("SELECT recipient, state FROM messages"))
    assert not any("@" in key for key in rows)  # no address in the log
    return {addresses.get(key, key): state for key, state in rows.items()}


class Sleeps(list):
    """A ``sleep`` that does not wait and remembers what it was asked."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def prepare(work: Path):
    """The mailing of the fixtures in ``work`` (the current directory)."""
    return prepare_mailing(Path("deelnemers.csv"), Path("bericht.txt"), output_dir=work / "output")


def library_send(work: Path, server: Server, sleep: Sleeps, **options: Any):
    mailing = prepare(work)
    settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)
    with SendLog(default_log_path()) as log:
        plan = plan_sending(mailing, log)
        return send_mailing(plan, settings, log, rate=None, backoff=5, sleep=sleep, **options)


# ---------------------------------------------------------------- dry run and sending


def test_dry_run_writes_eml_files_and_sends_nothing(work, smtp):
    server = smtp()
    result = run("deelnemers.csv", "bericht.txt", "--bijlage", "handout.pdf")
    assert result.exit_code == 0, result.output
    name = prepare_mailing(
        Path("deelnemers.csv"), Path("bericht.txt"), attachments=[Path("handout.pdf")]
    ).name
    lines = result.stdout.splitlines()
    assert lines[0] == f"Proefrun van mailing {name}: 5 berichten opgesteld, niets verzonden."
    assert lines[2].split() == ["Ontvanger", "Onderwerp", "Bijlagen", "Grootte"]
    assert "Chantal Özdemir <chantal@voorbeeld.example>" in lines[6]
    assert "Je materiaal van de training, Chantal Özdemir" in lines[6]
    assert "handout.pdf" in lines[6]
    assert server.handler.received == []
    assert not default_log_path().exists()

    files = sorted((work / "output" / "mail" / name).glob("*.eml"))
    assert [f.name for f in files] == [
        "001-anna-de-vries.eml",
        "002-bram-bakker.eml",
        "003-chantal-özdemir.eml",
        "004-daan-de-jong.eml",
        "005-eva-visser.eml",
    ]
    message = email.message_from_bytes(files[2].read_bytes(), policy=default_policy)
    assert message["To"] == "Chantal Özdemir <chantal@voorbeeld.example>"
    assert message["From"] == "Marieke Smit <marieke@training.example>"
    assert message["Reply-To"] == "training@training.example"
    assert message["Subject"] == "Je materiaal van de training, Chantal Özdemir"
    assert message["Message-ID"].startswith(f"<{name}.")
    body = message.get_body(("plain",)).get_content()
    assert "namens Jeugdbescherming, regio Noord. In de bijlage" in body
    assert message.get_body(("html",)) is None
    assert attachments(message) == {"handout.pdf": (MAIL / "handout.pdf").read_bytes()}


def test_send_delivers_one_message_per_participant_with_the_attachment(work, smtp):
    server = smtp()
    dry = run("deelnemers.csv", "bericht.txt", "--bijlage", "handout.pdf")
    result = run("deelnemers.csv", "bericht.txt", "--bijlage", "handout.pdf", *send_args(server))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "5 verzonden, 0 mislukt, 0 nog te verzenden."
    received = server.handler.received
    assert sorted(r.recipients[0] for r in received) == sorted(PEOPLE)
    assert all(len(r.recipients) == 1 for r in received)
    assert {r.sender for r in received} == {"marieke@training.example"}
    for item in received:
        (data,) = attachments(item.message).values()
        assert pdf_text(data) == "Handout Lerend"
    chantal = server.handler.to(THIRD)[0].message
    assert chantal["Subject"] == "Je materiaal van de training, Chantal Özdemir"
    # the message sent is the message the dry run showed (same fixed Message-ID)
    eml = next((work / "output" / "mail").glob("*/003-*.eml")).read_bytes()
    assert (
        chantal["Message-ID"] == email.message_from_bytes(eml, policy=default_policy)["Message-ID"]
    )
    assert dry.exit_code == 0
    assert set(states(work).values()) == {"sent"}


def test_a_second_run_sends_nothing_and_says_how_many_were_skipped(work, smtp):
    server = smtp()
    assert run("deelnemers.csv", "bericht.txt", *send_args(server)).exit_code == 0
    again = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        f"Mailing {prepare(work).name}: 0 berichten te verzenden, 5 al eerder verzonden.",
        "0 verzonden, 0 mislukt, 0 nog te verzenden; 5 overgeslagen (al eerder verzonden).",
    ]
    dry = run("deelnemers.csv", "bericht.txt")
    assert "Al verzonden in deze mailing: 5; die worden overgeslagen." in dry.stdout
    assert len(server.handler.received) == 5


def test_someone_added_to_the_list_later_gets_it_and_nobody_else(work, smtp):
    server = smtp()
    everyone = (MAIL / "deelnemers.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (work / "deelnemers.csv").write_text("".join(everyone[:-1]), encoding="utf-8")
    assert run("deelnemers.csv", "bericht.txt", *send_args(server)).exit_code == 0
    assert len(server.handler.received) == 4
    shutil.copyfile(MAIL / "deelnemers.csv", work / "deelnemers.csv")
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.stdout.splitlines()[-1] == (
        "1 verzonden, 0 mislukt, 0 nog te verzenden; 4 overgeslagen (al eerder verzonden)."
    )
    assert [len(server.handler.to(p)) for p in PEOPLE] == [1, 1, 1, 1, 1]


def test_markdown_body_gets_an_escaped_html_alternative(work, smtp):
    server = smtp()
    (work / "deelnemers.csv").write_text(
        "naam,email,organisatie\n"
        'Kees,kees@voorbeeld.example,"<script>x()</script> & *Team* [klik](https://kwaad.example)"\n',
        encoding="utf-8",
    )
    result = run("deelnemers.csv", "bericht.md", *send_args(server))
    assert result.exit_code == 0, result.output
    (item,) = server.handler.received
    message = item.message
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "namens **<script>x()</script> & *Team* [klik](https://kwaad.example)**" in plain
    assert (
        "namens <strong>&lt;script&gt;x()&lt;/script&gt; &amp; *Team* "
        "[klik](https://kwaad.example)</strong>. Je <em>eigen</em> werkboek" in html
    )
    assert "<script>" not in html and 'href="https://kwaad' not in html
    assert (
        '<a href="https://www.voorbeeld.example/inspiratie">de site van het programma</a>' in html
    )
    assert "<li>Lees vóór de terugkomdag het hoofdstuk <em>Lerend</em>.</li>" in html
    assert "<title>Je werkboek, Kees</title>" in html
    # a line break typed is one in both parts (CommonMark alone joined the greeting's lines)
    assert "Hartelijke groet,\r\nMarieke Smit" in plain
    assert "<p>Hartelijke groet,<br />\r\nMarieke Smit</p>" in html


def test_markdown_literal_escapes_every_markdown_character():
    assert markdown_literal("*a* _b_ [c](d) #1 `e` \\") == r"\*a\* \_b\_ \[c\]\(d\) \#1 \`e\` \\"


def test_starttls_with_a_self_signed_certificate_and_login(work, smtp, ca):
    server = smtp(
        tls_context=tls_context(ca),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    ca.cert_pem.write_to_path(str(work / "ca.pem"))
    secure = [
        "--verzenden",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(server.port),
        "--smtp-gebruiker",
        "marieke",
        "--tempo",
        "0",
    ]

    untrusted = run(
        "deelnemers.csv", "bericht.txt", *secure, env={"WERKBOEK_SMTP_PASSWORD": "geheim"}
    )
    assert untrusted.exit_code == 1
    assert errors(untrusted)[-1].startswith(
        f"ca-bestand: 127.0.0.1:{server.port}: het certificaat van de server is niet te "
        "vertrouwen ("
    )
    assert errors(untrusted)[-1].endswith("geef dan het CA-bestand van de server (--smtp-ca)")

    secure += ["--smtp-ca", "ca.pem"]
    wrong = run("deelnemers.csv", "bericht.txt", *secure, env={"WERKBOEK_SMTP_PASSWORD": "fout"})
    assert wrong.exit_code == 1
    assert errors(wrong)[-1].startswith(
        f"127.0.0.1:{server.port}: aanmelden als marieke mislukt (535"
    )
    assert server.handler.received == []
    assert set(states(work).values()) == {"pending"}

    # the password from a hidden prompt when the environment has none
    result = run("deelnemers.csv", "bericht.txt", *secure, input="geheim\n")
    assert result.exit_code == 0, result.output
    assert f"Wachtwoord voor marieke op 127.0.0.1:{server.port}: " in result.stderr
    assert "geheim" not in result.output
    assert sorted(r.recipients[0] for r in server.handler.received) == sorted(PEOPLE)


def test_implicit_tls(work, smtp, ca):
    server = smtp(ssl_context=tls_context(ca))
    ca.cert_pem.write_to_path(str(work / "ca.pem"))
    args = send_args(server, "--smtp-ca", "ca.pem")
    args[args.index("none")] = "ssl"
    result = run("deelnemers.csv", "bericht.txt", *args)
    assert result.exit_code == 0, result.output
    assert len(server.handler.received) == 5


def test_no_password_over_an_unencrypted_connection(work, smtp):
    server = smtp()
    result = run("deelnemers.csv", "bericht.txt", *send_args(server, "--smtp-gebruiker", "marieke"))
    assert result.exit_code == 1
    assert errors(result) == [
        "beveiliging: aanmelden kan alleen over een beveiligde verbinding: "
        "kies starttls of ssl (--beveiliging)"
    ]
    assert server.handler.received == []


def test_send_needs_a_server(work):
    result = run("deelnemers.csv", "bericht.txt", "--verzenden")
    assert result.exit_code == 1
    assert errors(result) == ["--smtp-server: --verzenden heeft een server nodig"]


# ---------------------------------------------------------------- failures while sending


def test_temporary_then_permanent_rejection_fails_one_and_the_batch_goes_on(work, smtp):
    server = smtp()
    replies = iter(["451 4.7.1 Probeer het later nog eens", "550 5.1.1 Onbekende ontvanger"])
    server.handler.on_rcpt = lambda _server, address: next(replies) if address == THIRD else None
    sleeps = Sleeps()

    report = library_send(work, server, sleeps, retries=3)

    assert [m.recipient.email for m in report.sent] == [p for p in PEOPLE if p != THIRD]
    ((failed, detail),) = report.failed
    assert failed.recipient.email == THIRD
    assert detail == "geweigerd: 550 5.1.1 Onbekende ontvanger"
    assert sleeps == [5]  # one retry after the 451, none after the 550
    assert server.handler.to(THIRD) == []
    assert [len(server.handler.to(p)) for p in PEOPLE] == [1, 1, 0, 1, 1]
    assert states(work)[THIRD] == "failed"
    assert format_report(report) == [
        "4 verzonden, 1 mislukt, 0 nog te verzenden.",
        "Mislukt (een volgende run probeert het opnieuw):",
        "  Chantal Özdemir <chantal@voorbeeld.example> (deelnemers.csv:4): "
        "geweigerd: 550 5.1.1 Onbekende ontvanger",
    ]


def test_a_temporary_rejection_is_tried_again_with_backoff(work, smtp):
    server = smtp()
    replies = iter(["451 4.3.0 Even geduld", "452 4.3.1 Nog even", None])
    server.handler.on_rcpt = lambda _server, address: next(replies) if address == THIRD else None
    sleeps = Sleeps()

    report = library_send(work, server, sleeps, retries=3)

    assert report.complete and len(report.sent) == 5
    assert sleeps == [5, 10]
    assert [len(server.handler.to(p)) for p in PEOPLE] == [1, 1, 1, 1, 1]


def test_retries_run_out_on_a_temporary_rejection(work, smtp):
    server = smtp()
    server.handler.on_rcpt = lambda _server, address: "451 4.3.0 Vol" if address == THIRD else None
    sleeps = Sleeps()

    report = library_send(work, server, sleeps, retries=2)

    ((_, detail),) = report.failed
    assert detail == "tijdelijk geweigerd: 451 4.3.0 Vol (na 3 pogingen)"
    assert sleeps == [5, 10]
    assert len(report.sent) == 4


def test_server_gone_mid_batch_then_a_rerun_completes(work, smtp):
    first = smtp()

    def vanish(server, address):
        if address == THIRD:
            first.go_away()
            drop(server)
        return None

    first.handler.on_rcpt = vanish
    sleeps = Sleeps()

    report = library_send(work, first, sleeps, retries=2)

    assert [m.recipient.email for m in report.sent] == PEOPLE[:2]
    assert [m.recipient.email for m in report.remaining] == PEOPLE[2:]
    assert report.stopped.startswith(f"127.0.0.1:{first.port}: geen verbinding (")
    # one pause before trying the message again, then two before reconnecting gives up
    assert sleeps == [5, 5, 10]
    assert states(work) == dict.fromkeys(PEOPLE[:2], "sent") | dict.fromkeys(PEOPLE[2:], "pending")
    summary = format_report(report)
    assert summary[1] == "2 verzonden, 0 mislukt, 3 nog te verzenden."
    assert summary[-1] == (
        "Voer dezelfde opdracht later opnieuw uit om verder te gaan; "
        "wat al verzonden is, wordt overgeslagen."
    )

    second = smtp()
    again = run("deelnemers.csv", "bericht.txt", *send_args(second))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == (
        "3 verzonden, 0 mislukt, 0 nog te verzenden; 2 overgeslagen (al eerder verzonden)."
    )
    everything = first.handler.received + second.handler.received
    assert sorted(r.recipients[0] for r in everything) == sorted(PEOPLE)


def test_server_gone_exits_1_and_says_how_to_go_on(work, smtp):
    server = smtp()

    def vanish(smtp_server, address):
        server.go_away()
        drop(smtp_server)

    server.handler.on_rcpt = vanish
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1].startswith(f"Verzenden gestopt: 127.0.0.1:{server.port}: geen verbinding (")
    assert lines[2:] == [
        "0 verzonden, 0 mislukt, 5 nog te verzenden.",
        "Voer dezelfde opdracht later opnieuw uit om verder te gaan; "
        "wat al verzonden is, wordt overgeslagen.",
    ]
    assert errors(result)[-1] == "verzenden gestopt: 0 verzonden, 0 mislukt, 5 nog te verzenden"


def test_a_server_that_cannot_be_reached_at_all(work):
    port = free_port()  # nobody listens here
    args = [
        "--verzenden",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(port),
        "--beveiliging",
        "none",
    ]
    result = run("deelnemers.csv", "bericht.txt", *args, "--pogingen", "0")
    assert result.exit_code == 1
    assert errors(result)[-1] == "verzenden gestopt: 0 verzonden, 0 mislukt, 5 nog te verzenden"
    assert set(states(work).values()) == {"pending"}


def test_unknown_fate_is_never_resent_without_the_option(work, smtp):
    server = smtp()
    broken = []

    def break_after_data(smtp_server, envelope):
        if THIRD in envelope.rcpt_tos and not broken:
            broken.append(THIRD)
            drop(smtp_server)
        return None

    server.handler.on_data = break_after_data
    first = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert first.exit_code == 1
    assert first.stdout.splitlines()[1] == "4 verzonden, 0 mislukt, 0 nog te verzenden."
    assert errors(first)[-1] == "niet alle berichten zijn aangekomen: 1 onzeker"
    assert states(work)[THIRD] == "unknown"
    assert len(server.handler.to(THIRD)) == 1  # it did arrive, but werkboek cannot know

    second = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert second.exit_code == 1
    lines = second.stdout.splitlines()
    assert lines[0].endswith(": 0 berichten te verzenden, 4 al eerder verzonden, 1 onzeker.")
    assert lines[2] == "Niet zeker of het aankwam (wordt niet vanzelf opnieuw verzonden):"
    assert lines[3].startswith(
        "  Chantal Özdemir <chantal@voorbeeld.example> (deelnemers.csv:4), "
        "<je-materiaal-van-de-training-"
    )
    assert lines[3].endswith(
        ": verbinding verbroken nadat het bericht was verzonden (Connection unexpectedly closed)"
    )
    assert lines[4] == (
        "  Vraag na of het bericht aankwam; zo niet, kies ervoor de onzekere berichten opnieuw "
        "te verzenden."
    )
    assert lines[-1] == "  Opnieuw verzenden: dezelfde opdracht met --onzeker-opnieuw."
    assert len(server.handler.received) == 5

    third = run("deelnemers.csv", "bericht.txt", *send_args(server, "--onzeker-opnieuw"))
    assert third.exit_code == 0, third.output
    assert third.stdout.splitlines()[-1] == (
        "1 verzonden, 0 mislukt, 0 nog te verzenden; 4 overgeslagen (al eerder verzonden)."
    )
    assert [len(server.handler.to(p)) for p in PEOPLE] == [1, 1, 2, 1, 1]


def test_a_run_stopped_while_sending_leaves_an_unknown_message(work):
    mailing = prepare(work)
    with SendLog(default_log_path()) as log:
        plan = plan_sending(mailing, log)
        assert log.claim(mailing.name, PEOPLE[0])  # and then the process died
    with SendLog(default_log_path()) as log:
        plan = plan_sending(mailing, log)
        assert [m.recipient.email for m in plan.todo] == PEOPLE[1:]
        ((held, detail),) = plan.held
        assert held.recipient.email == PEOPLE[0]
        assert detail == "werkboek werd gestopt terwijl dit bericht werd verzonden"
        assert log.entries(mailing.name, PEOPLE)[PEOPLE[0]].state is State.UNKNOWN
        assert not log.claim(mailing.name, PEOPLE[0])


def test_rate_limit_spaces_the_messages(work, smtp):
    server = smtp()
    now = [0.0]
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        sleeps(seconds)
        now[0] += seconds

    mailing = prepare(work)
    settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)
    with SendLog(default_log_path()) as log:
        report = send_mailing(
            plan_sending(mailing, log), settings, log, rate=20, sleep=sleep, clock=lambda: now[0]
        )
    assert report.complete
    assert sleeps == [3.0, 3.0, 3.0, 3.0]


def test_messages_over_the_size_limit_stop_everything(work, smtp):
    server = smtp()
    (work / "groot.bin").write_bytes(b"\0" * 3000)
    result = run("deelnemers.csv", "bericht.txt", "--bijlage", "groot.bin", "--max-grootte", "4kB")
    assert result.exit_code == 1
    assert errors(result)[0] == (
        "deelnemers.csv:2:1: grootte: het bericht aan anna@voorbeeld.example is 5,0 kB, "
        "meer dan de grootste berichtgrootte van 4,0 kB (--max-grootte)"
    )
    assert len(errors(result)) == 5
    assert not (work / "output").exists()
    assert server.handler.received == []


def test_the_servers_size_limit_is_checked_before_sending(work, smtp):
    server = smtp(data_size_limit=4000)
    (work / "groot.bin").write_bytes(b"\0" * 3000)
    result = run("deelnemers.csv", "bericht.txt", "--bijlage", "groot.bin", *send_args(server))
    assert result.exit_code == 1
    assert errors(result)[0] == (
        "deelnemers.csv:2:1: het bericht aan anna@voorbeeld.example is 5,0 kB; "
        f"de server 127.0.0.1:{server.port} neemt berichten tot 4,0 kB aan"
    )
    assert server.handler.received == []
    assert set(states(work).values()) == {"pending"}


def test_bad_max_size_is_a_usage_error(work):
    result = run("deelnemers.csv", "bericht.txt", "--max-grootte", "veel")
    assert result.exit_code == 2
    assert "'veel' is geen grootte" in result.stderr


def test_cc_gets_a_copy_of_every_message(work, smtp):
    server = smtp()
    text = (MAIL / "bericht.txt").read_text(encoding="utf-8")
    (work / "bericht.txt").write_text(
        text.replace("Reply-To:", "Cc: Collega <collega@training.example>\nReply-To:"),
        encoding="utf-8",
    )
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 0, result.output
    assert all(r.recipients[1:] == ["collega@training.example"] for r in server.handler.received)
    assert server.handler.received[0].message["Cc"] == "Collega <collega@training.example>"


# ---------------------------------------------------------------- the participant list


def test_semicolon_list_with_byte_order_mark(work):
    shutil.copyfile(MAIL / "deelnemers-puntkomma.csv", work / "lijst.csv")
    recipients = read_recipients(work / "lijst.csv")
    assert [(r.name, r.email, r.line) for r in recipients] == [
        ("Anna de Vries", "anna@voorbeeld.example", 2),
        ("Bram Bakker", "bram@voorbeeld.example", 3),
    ]
    assert recipients[0].fields == {
        "naam": "Anna de Vries",
        "email": "anna@voorbeeld.example",
        "organisatie": "Gemeente Zaanstad, team Jeugd",
        "rol": "gedragswetenschapper",
    }
    result = run("lijst.csv", "bericht.txt")
    assert result.exit_code == 0, result.output
    assert "2 berichten opgesteld" in result.stdout


def test_tab_separated_list(work):
    (work / "lijst.tsv").write_text(
        "naam\temail\torganisatie\nAnna\tanna@voorbeeld.example\tWijkteam, Oost\n",
        encoding="utf-8",
    )
    (recipient,) = read_recipients(work / "lijst.tsv")
    assert recipient.fields["organisatie"] == "Wijkteam, Oost"


@pytest.mark.parametrize("case", CASES)
def test_bad_list_or_message_is_reported_exactly(case, work, smtp):
    server = smtp()
    for path in (MAIL / case).iterdir():
        if path.name != "expected.txt":
            shutil.copyfile(path, work / path.name)
    expected = (MAIL / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 1, result.output
    assert errors(result) == expected
    assert "Traceback" not in result.output
    assert not result.stdout
    assert not (work / "output").exists()
    assert server.handler.received == []


def test_header_injection_through_the_library_too(work):
    (work / "deelnemers.csv").write_text(
        'naam,email\n"Anna\r\nBcc: iedereen@voorbeeld.example",anna@voorbeeld.example\n',
        encoding="utf-8",
    )
    with pytest.raises(ListError) as info:
        read_recipients(work / "deelnemers.csv")
    assert info.value.lines() == ["deelnemers.csv:2:1: naam: de naam bevat een regeleinde"]


def test_message_template_lines(work):
    template = read_message_template(work / "bericht.txt")
    assert sorted(template.headers) == ["From", "Reply-To", "Subject"]
    assert template.body_line == 5
    assert not template.markdown
    assert read_message_template(work / "bericht.md").markdown


def test_a_mailing_is_who_sends_what_never_a_file_name(work):
    name = prepare(work).name
    assert name.startswith("je-materiaal-van-de-training-")
    (work / "deelnemers.csv").write_text(
        "naam,email,organisatie\nAnna,anna@voorbeeld.example,Wijkteam\n", encoding="utf-8"
    )
    assert prepare(work).name == name  # rows do not count
    # renamed files: the same mailing
    shutil.copyfile(work / "deelnemers.csv", work / "groep-b.csv")
    shutil.copyfile(work / "bericht.txt", work / "uitnodiging.txt")
    renamed = prepare_mailing(Path("groep-b.csv"), Path("uitnodiging.txt"))
    assert renamed.name == name
    # another actor, another attachment, another text: another mailing
    other = prepare_mailing(Path("groep-b.csv"), Path("bericht.txt"), actor="sessie:b")
    assert other.name != name
    attached = prepare_mailing(
        Path("deelnemers.csv"), Path("bericht.txt"), attachments=[Path("handout.pdf")]
    )
    assert attached.name != name
    shutil.copyfile(work / "handout.pdf", work / "anders-genoemd.pdf")
    same_bytes = prepare_mailing(
        Path("deelnemers.csv"), Path("bericht.txt"), attachments=[Path("anders-genoemd.pdf")]
    )
    assert same_bytes.name == attached.name
    text = (work / "bericht.txt").read_text(encoding="utf-8")
    (work / "bericht.txt").write_text(text.replace("Hartelijke", "Met hartelijke"), "utf-8")
    assert prepare_mailing(Path("deelnemers.csv"), Path("bericht.txt")).name != name


# ---------------------------------------------------------------- personal workbooks


def write_two_participants(work: Path) -> None:
    (work / "deelnemers.csv").write_text(
        "naam,email,organisatie\n"
        "Anna de Vries,anna@voorbeeld.example,Wijkteam\n"
        "Chantal Özdemir,chantal@voorbeeld.example,Veilig Thuis\n",
        encoding="utf-8",
    )


@pytest.mark.slow
def test_each_participant_gets_their_own_workbook(work, smtp):
    server = smtp()
    write_two_participants(work)
    shutil.copyfile(MAIL / "recept.yaml", work / "recept.yaml")
    args = [
        "--werkboek",
        "recept.yaml",
        "--inhoud",
        str(CONTENT),
        "--stijlen",
        str(REPO / "styles"),
    ]
    result = run("deelnemers.csv", "bericht.md", *args, *send_args(server))
    assert result.exit_code == 0, result.output
    for address, name in [
        ("anna@voorbeeld.example", "Anna de Vries"),
        ("chantal@voorbeeld.example", "Chantal Özdemir"),
    ]:
        (item,) = server.handler.to(address)
        (data,) = attachments(item.message).values()
        text = pdf_text(data)
        assert f"Werkboek van {name}" in text
        assert "Feiten of interpretaties" in text


@pytest.mark.slow
def test_each_participant_gets_their_own_certificate_beside_their_workbook(work, smtp):
    server = smtp()
    write_two_participants(work)
    recipe = (MAIL / "recept.yaml").read_text(encoding="utf-8")
    (work / "recept.yaml").write_text(
        recipe + "datum: 2026-03-14\nuren: 6\nlocatie: Zaandam\n", encoding="utf-8"
    )
    args = ["--werkboek", "recept.yaml", "--bewijs", "recept.yaml"]
    folders = ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles")]
    result = run("deelnemers.csv", "bericht.md", *args, *folders, *send_args(server))
    assert result.exit_code == 0, result.output
    for address, name, other in [
        ("anna@voorbeeld.example", "Anna de Vries", "Chantal Özdemir"),
        ("chantal@voorbeeld.example", "Chantal Özdemir", "Anna de Vries"),
    ]:
        (item,) = server.handler.to(address)
        files = attachments(item.message)
        [certificate] = [data for file, data in files.items() if file.startswith("bewijs-van")]
        text = pdf_text(certificate)
        assert "Bewijs van deelname" in text and name in text and other not in text
        assert "14 maart 2026" in text and "Zaandam" in text and "6 uur" in text
        [workbook] = [data for file, data in files.items() if not file.startswith("bewijs-van")]
        assert f"Werkboek van {name}" in pdf_text(workbook)


@pytest.mark.slow
def test_the_certificates_signature_and_its_description_are_part_of_the_mailing(work):
    from PIL import Image

    from werkboek import Project

    write_two_participants(work)
    shutil.copyfile(MAIL / "recept.yaml", work / "recept.yaml")
    project = Project(CONTENT, REPO / "styles", work / "output", work)
    for colour, name in [("white", "wit.png"), ("black", "zwart.png")]:
        Image.new("RGB", (300, 100), colour).save(work / name)

    def mailing(signature: str | None, alt: str = "") -> str:
        prepared = prepare_mailing(
            Path("deelnemers.csv"),
            Path("bericht.md"),
            certificate=Path("recept.yaml"),
            signature=Path(signature) if signature else None,
            signature_alt=alt,
            project=project,
        )
        return prepared.name

    unsigned = mailing(None)
    signed = mailing("wit.png", "Handtekening van Kees")
    assert len({unsigned, signed, mailing("zwart.png", "Handtekening van Kees")}) == 3
    assert mailing("wit.png", "Handtekening van Kees Jansen") != signed
    assert mailing("wit.png", "Handtekening van Kees") == signed  # the same: the same mailing


# ---------------------------------------------------------------- who sends what (issue 19)

BREAKS = {
    "LF": "\n",
    "CR": "\r",
    "VT": "\v",
    "FF": "\f",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
    "NUL": "\x00",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "CSI": "\x9b",
}
"""Every kind of line break and a sample of control characters, by name (for test ids)."""
FILE_BREAKS = {name: c for name, c in BREAKS.items() if name != "LF"}  # LF ends a file's line
INJECTED = "Cc: extra@voorbeeld.example"


def message_file(**headers: str) -> str:
    lines = {
        "Subject": "Je materiaal, {{ naam }}",
        "From": "Marieke Smit <marieke@training.example>",
        **headers,
    }
    return "".join(f"{k}: {v}\n" for k, v in lines.items()) + "\nBeste {{ naam }},\n"


@pytest.mark.parametrize("header", ["Subject", "From", "Reply-To", "Cc"])
@pytest.mark.parametrize("char", FILE_BREAKS.values(), ids=FILE_BREAKS.keys())
def test_a_line_break_in_a_header_line_of_the_message_file_is_refused_at_its_line(
    work, smtp, header, char
):
    server = smtp()
    value = {
        "Subject": "Hallo",
        "From": "Marieke Smit <marieke@training.example>",
        "Reply-To": "training@training.example",
        "Cc": "collega@training.example",
    }[header]
    (work / "bericht.txt").write_bytes(
        message_file(**{header: f"{value}{char}{INJECTED}"}).encode()
    )
    line = list(message_file(**{header: "x"}).splitlines()).index(f"{header}: x") + 1
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 1, result.output
    assert errors(result)[0].startswith(f"bericht.txt:{line}:1: de kopregel bevat een ")
    assert "Traceback" not in result.output
    assert server.handler.received == []


@pytest.mark.parametrize("char", BREAKS.values(), ids=BREAKS.keys())
def test_a_line_break_in_the_sender_option_or_a_name_is_refused(work, smtp, char):
    server = smtp()
    (work / "zonder-afzender.txt").write_text("Subject: Hallo\n\nBeste {{ naam }},\n", "utf-8")
    sender = f"Marieke{char}{INJECTED} <marieke@training.example>"
    result = run("deelnemers.csv", "zonder-afzender.txt", "--from", sender, *send_args(server))
    assert result.exit_code == 1, result.output
    (line,) = errors(result)
    assert line.startswith("afzender: de afzender bevat een ") and line.endswith("(--afzender)")
    # a name in the list
    (work / "lijst.csv").write_text(
        f'naam,email\n"Anna{char}{INJECTED}",anna@voorbeeld.example\n', encoding="utf-8"
    )
    result = run("lijst.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 1, result.output
    assert errors(result)[0].startswith("lijst.csv:2:1: naam: de naam bevat een ")
    assert server.handler.received == []


def test_the_same_message_to_a_renamed_list_is_the_same_mailing(work, smtp):
    server = smtp()
    assert run("deelnemers.csv", "bericht.txt", *send_args(server)).exit_code == 0
    shutil.copyfile(work / "deelnemers.csv", work / "groep-2026.csv")
    shutil.copyfile(work / "bericht.txt", work / "uitnodiging.txt")
    again = run("groep-2026.csv", "uitnodiging.txt", *send_args(server))
    assert again.exit_code == 0, again.output
    assert "0 berichten te verzenden, 5 al eerder verzonden" in again.stdout
    assert len(server.handler.received) == 5


def test_two_senders_with_the_same_message_both_deliver(work, smtp):
    server = smtp()
    settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)
    for actor in ("sessie:een", "sessie:twee"):
        mailing = prepare_mailing(Path("deelnemers.csv"), Path("bericht.txt"), actor=actor)
        with SendLog(default_log_path()) as log:
            report = send_mailing(plan_sending(mailing, log), settings, log, rate=None)
        assert len(report.sent) == 5 and report.skipped == 0
    assert [len(server.handler.to(p)) for p in PEOPLE] == [2, 2, 2, 2, 2]


def test_who_had_another_mailing_is_named_and_only_sent_to_when_asked(work, smtp):
    server = smtp()
    four = "".join((MAIL / "deelnemers.csv").read_text("utf-8").splitlines(keepends=True)[:-1])
    (work / "deelnemers.csv").write_text(four, encoding="utf-8")
    assert run("deelnemers.csv", "bericht.txt", *send_args(server)).exit_code == 0
    # one word of the message changed, and Eva added to the list
    text = (work / "bericht.txt").read_text(encoding="utf-8")
    (work / "bericht.txt").write_text(text.replace("Hartelijke", "Met hartelijke"), "utf-8")
    shutil.copyfile(MAIL / "deelnemers.csv", work / "deelnemers.csv")
    dry = run("deelnemers.csv", "bericht.txt")
    assert dry.exit_code == 0, dry.output
    assert "4 deelnemers kregen al een ander bericht van deze afzender: Anna de Vries" in dry.stdout
    assert "Eva Visser" not in dry.stdout.split("kregen al een ander bericht")[1]
    refused = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert refused.exit_code == 1
    assert errors(refused)[-1] == "wie het toch moet krijgen: geef --opnieuw-naar-ontvangers"
    named = errors(refused)[0]
    assert named.startswith("4 deelnemers kregen al een ander bericht van deze afzender: ")
    for person in ["Anna de Vries", "Bram Bakker", "Chantal Özdemir", "Daan de Jong"]:
        assert person in named
    assert named.endswith("er is niets verzonden")
    assert len(server.handler.received) == 4
    sent = run("deelnemers.csv", "bericht.txt", *send_args(server, "--opnieuw-naar-ontvangers"))
    assert sent.exit_code == 0, sent.output
    assert [len(server.handler.to(p)) for p in PEOPLE] == [2, 2, 2, 2, 1]
    # and the changed mailing, sent, is not asked about again
    again = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert again.exit_code == 0, again.output
    assert len(server.handler.received) == 9


def test_the_library_names_who_had_another_mailing(work, smtp):
    from werkboek.mail.run import already_reached

    server = smtp()
    first = prepare_mailing(Path("deelnemers.csv"), Path("bericht.txt"), actor="sessie:een")
    settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)
    with SendLog(default_log_path()) as log:
        send_mailing(plan_sending(first, log), settings, log, rate=None)
    shutil.copyfile(work / "handout.pdf", work / "bijlage.pdf")
    changed = prepare_mailing(
        Path("deelnemers.csv"),
        Path("bericht.txt"),
        actor="sessie:een",
        attachments=[Path("bijlage.pdf")],
    )
    assert [e.message.recipient.email for e in already_reached(changed)] == PEOPLE
    assert {e.reached.mailing for e in already_reached(changed)} == {first.name}
    other = prepare_mailing(
        Path("deelnemers.csv"),
        Path("bericht.txt"),
        actor="sessie:twee",
        attachments=[Path("bijlage.pdf")],
    )
    assert already_reached(other) == []


def test_a_mailing_name_another_sender_used_is_refused(work, smtp):
    from werkboek.mail import SendError
    from werkboek.mail.run import send

    server = smtp()
    settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)

    def run_as(actor: str):
        mailing = prepare_mailing(
            Path("deelnemers.csv"), Path("bericht.txt"), name="groep-a", actor=actor, stage=True
        )
        options = {"rate": 0, "retries": 0, "resend_unknown": False}
        return send(mailing, settings, ask_password=str, announce=print, **options)

    assert len(run_as("sessie:een").report.sent) == 5
    with pytest.raises(SendError) as info:
        run_as("sessie:twee")
    assert info.value.lines() == [
        "mailing groep-a is van een andere afzender; kies een andere naam voor deze mailing"
    ]
    assert len(server.handler.received) == 5
    assert not (work / "output").exists()


# ---------------------------------------------------------------- template errors and bounds


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("{{ 1 + 'a' }}", "deze waarden passen niet bij elkaar"),
        ("{{ 10 // 0 }}", "delen door nul kan niet"),
        ("{{ 'a' * 10**9 }}", "de uitkomst wordt te lang"),
        ("{{ 'x'|center(1000000000) }}", "het getal 1000000000 is te groot voor een bericht"),
        ("{{ '{:>999999999}'.format(1) }}", "de breedte in deze opmaak is te groot"),
        (
            "{% for a in range(6000) %}{% for b in range(6000) %}{% endfor %}{% endfor %}",
            "het sjabloon doet te veel werk",
        ),
        (
            "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
            "de uitkomst wordt te lang",
        ),
        ("{% set l = [1] %}{{ l.append(2) }}", "dat kan niet in het sjabloon van een bericht"),
    ],
)
def test_an_error_in_a_template_expression_is_a_located_dutch_problem(work, expression, message):
    (work / "bericht.txt").write_text(
        f"Subject: Hallo\nFrom: T <t@voorbeeld.example>\n\nBeste {{{{ naam }}}},\n\n{expression}\n",
        encoding="utf-8",
    )
    result = run("deelnemers.csv", "bericht.txt")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = errors(result)
    assert line.startswith(f"bericht.txt:6:1: {message}"), line
    assert not (work / "output").exists()


def test_the_bounds_leave_ordinary_templates_alone(work):
    (work / "lijst.csv").write_text(
        "naam,email,nr,tel\nAnna,anna@voorbeeld.example,12345678,tel:0612345678\n", "utf-8"
    )
    (work / "bericht.txt").write_text(
        "Subject: Nummer {{ nr|int|string }}\nFrom: T <t@voorbeeld.example>\n\n"
        "{{ '%d'|format(2500000) }} {{ '{:,}'.format(2500000) }} {{ 3000000 * 2 }} "
        "{{ tel|upper }} {{ tel.strip() }} {{ naam|center(9) }}|"
        "{% for i in range(3) %}{{ i }}{% endfor %}\n",
        encoding="utf-8",
    )
    template = read_message_template(work / "bericht.txt")
    rendered = template.render(read_recipients(work / "lijst.csv")[0])
    assert rendered.subject == "Nummer 12345678"
    assert rendered.text == (
        "2500000 2,500,000 6000000 TEL:0612345678 tel:0612345678    Anna  |012\n"
    )


def test_ctrl_c_while_the_next_message_is_composed_leaves_it_pending(work, smtp):
    server = smtp()
    mailing = prepare(work)

    def interrupted(index: int) -> list:
        if index == 1:
            raise KeyboardInterrupt
        return []

    mailing = dataclasses.replace(mailing, personal=interrupted)
    settings = SmtpSettings("127.0.0.1", server.port, Security.NONE)
    with SendLog(default_log_path()) as log:
        report = send_mailing(plan_sending(mailing, log), settings, log, rate=None)
    assert report.stopped == "onderbroken (Ctrl-C)"
    assert [m.recipient.email for m in report.sent] == PEOPLE[:1]
    assert report.unknown == []
    assert states(work) == {
        PEOPLE[0]: "sent",
        **{p: "pending" for p in PEOPLE[1:]},
    }
    assert len(server.handler.received) == 1


# ---------------------------------------------------------------- each message composed once


def test_a_dry_run_composes_each_message_once_and_encodes_an_attachment_once(work, monkeypatch):
    from werkboek.mail import compose as composing
    from werkboek.mail import mailing as mailings

    calls: list[str] = []
    real = mailings.compose_message

    def counted(rendered, recipient, **options):
        calls.append(recipient.email)
        return real(rendered, recipient, **options)

    monkeypatch.setattr(mailings, "compose_message", counted)
    composing._attachment_bytes.cache_clear()
    result = run("deelnemers.csv", "bericht.txt", "--attach", "handout.pdf")
    assert result.exit_code == 0, result.output
    assert calls == PEOPLE
    assert composing._attachment_bytes.cache_info().misses == 1
    written = sorted((work / "output" / "mail").glob("*/*.eml"))
    assert len(written) == 5
    assert [p.name for p in (work / "output" / "mail").iterdir()] == [written[0].parent.name]
    for path in written:
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert attachments(message) == {"handout.pdf": (MAIL / "handout.pdf").read_bytes()}


def test_what_a_killed_run_left_staged_is_removed_by_the_next(work):
    gone = 2**22 + 1  # above Linux's largest pid: no process has it
    stale = work / "output" / "mail" / f".opgesteld-{gone}-abc"
    stale.mkdir(parents=True)
    (stale / "000001.eml").write_bytes(b"half")
    result = run("deelnemers.csv", "bericht.txt")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert [p.name for p in (work / "output" / "mail").iterdir()] == [prepare(work).name]


def test_a_send_composes_each_message_once(work, smtp, monkeypatch):
    from werkboek.mail import mailing as mailings

    server = smtp()
    calls: list[str] = []
    real = mailings.compose_message

    def counted(rendered, recipient, **options):
        calls.append(recipient.email)
        return real(rendered, recipient, **options)

    monkeypatch.setattr(mailings, "compose_message", counted)
    result = run("deelnemers.csv", "bericht.txt", *send_args(server))
    assert result.exit_code == 0, result.output
    assert calls == PEOPLE
    assert len(server.handler.received) == 5
    assert not (work / "output").exists()  # the composed messages are gone once sent


# ---------------------------------------------------------------- the web app's mailings


@pytest.fixture(scope="module")
def web_mail(tmp_path_factory):
    """The real web app with an SMTP server on loopback, and that server's inbox."""
    from aiosmtpd.controller import Controller

    from webserver import running
    from werkboek.web.config import ServerConfig

    from conftest import Collector

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp = SmtpSettings("127.0.0.1", controller.port, Security.NONE)
    config = ServerConfig(smtp=smtp, sender="Trainer <trainer@voorbeeld.example>")
    try:
        with running(tmp_path_factory.mktemp("webmail"), config) as app:
            yield app, handler
    finally:
        controller.stop()


class Session:
    """One browser session on the mail page, over plain HTTP."""

    def __init__(self, url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=url, timeout=120)
        page = self.client.get("/mail")
        self.token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    def post(self, path: str, **fields: str):
        from werkboek.web.pages.mailing import BODY, SUBJECT

        form = {"csrf": self.token, "onderwerp": SUBJECT, "tekst": BODY, **fields}
        return self.client.post(path, data=form, follow_redirects=False)

    def job(self, path: str, **fields: str) -> str:
        """Start a dry run or a send and wait for its end; the job's page."""
        started = self.post(path, **fields)
        assert started.status_code == 303, started.text
        for _ in range(1200):
            page = self.client.get(started.headers["location"]).text
            if "taak-wachten" not in page and "taak-bezig" not in page:
                return page
            time.sleep(0.1)
        raise AssertionError("the job did not end")


@pytest.fixture
def sessions(web_mail):
    """Start browser sessions on the web app; all are closed after the test."""
    started: list[Session] = []

    def start() -> Session:
        started.append(Session(web_mail[0].url))
        return started[-1]

    yield start
    for session in started:
        session.client.close()


def test_two_web_sessions_mailing_the_same_default_text_both_deliver(web_mail, sessions):
    _, handler = web_mail
    one, two = sessions(), sessions()
    first = one.job("/mail/verzenden", deelnemers="naam,email\nAnna,anna@sessie.example\n")
    assert "1 verzonden, 0 mislukt" in first
    second = two.job(
        "/mail/verzenden",
        deelnemers="naam,email\nAnna,anna@sessie.example\nBram,bram@sessie.example\n",
    )
    assert "2 verzonden, 0 mislukt" in second and "al eerder verzonden" not in second
    assert len(handler.to("anna@sessie.example")) == 2
    assert len(handler.to("bram@sessie.example")) == 1
    # and each session's own second send delivers nothing new
    again = two.job(
        "/mail/verzenden",
        deelnemers="naam,email\nAnna,anna@sessie.example\nBram,bram@sessie.example\n",
    )
    assert "0 berichten te verzenden, 2 al eerder verzonden" in again
    assert len(handler.to("anna@sessie.example")) == 2


def test_the_web_app_names_who_had_another_mailing_and_asks(web_mail, sessions):
    _, handler = web_mail
    session = sessions()
    people = "naam,email\nCarla,carla@vraag.example\nDirk,dirk@vraag.example\n"
    assert "2 verzonden" in session.job("/mail/verzenden", deelnemers=people)
    changed = {"deelnemers": people, "tekst": "Beste {{ naam }},\n\nMet hartelijke groet,\n"}
    dry = session.job("/mail/proefrun", **changed)
    assert "2 deelnemers kregen al een ander bericht van deze afzender: Carla" in dry
    assert "/mail/" not in dry.split('class="verslag"')[1]  # no server folder on the page
    refused = session.job("/mail/verzenden", **changed)
    assert "is niet gelukt" in refused
    assert "2 deelnemers kregen al een ander bericht van deze afzender" in refused
    assert "Zet dan het vinkje" in refused
    assert re.search(r"\s--[a-z]", re.sub(r"<[^>]*>", " ", refused)) is None  # no CLI option
    assert len(handler.to("carla@vraag.example")) == 1
    page = session.client.get("/mail").text
    assert 'name="opnieuw"' in page
    sent = session.job("/mail/verzenden", opnieuw="ja", **changed)
    assert "2 verzonden" in sent
    assert len(handler.to("carla@vraag.example")) == 2


@pytest.mark.parametrize("char", BREAKS.values(), ids=BREAKS.keys())
def test_a_line_break_in_a_header_field_of_the_web_form_is_refused_beside_it(
    web_mail, sessions, char
):
    _, handler = web_mail
    session = sessions()
    before = len(handler.received)
    values = {
        "onderwerp": f"Hallo{char}{INJECTED}",
        "afzender": f"Trainer{char}{INJECTED} <trainer@voorbeeld.example>",
    }
    people = "naam,email\nAnna,anna@veld.example\n"
    for field, value in values.items():
        for path in ("/mail/voorbeeld", "/mail/proefrun", "/mail/verzenden"):
            response = session.post(path, deelnemers=people, **{field: value})
            assert response.status_code == 422, (field, path, response.status_code)
            beside = re.search(
                rf'<ul class="fout" id="fout-{field}">(.*?)</ul>', response.text, re.S
            )
            assert beside is not None and "bevat een " in beside.group(1), (field, path)
    # a name in the list, beside the list
    name = f'naam,email\n"Anna{char}{INJECTED}",anna@veld.example\n'
    response = session.post("/mail/proefrun", deelnemers=name)
    assert response.status_code == 422
    assert re.search(r'id="fout-deelnemers">\s*<li>regel 2: ', response.text)
    assert len(handler.received) == before


@pytest.mark.parametrize(
    "expression",
    [
        "{{ 1 + 'a' }}",
        "{{ 10 // 0 }}",
        "{% for a in range(6000) %}{% for b in range(6000) %}{% endfor %}{% endfor %}",
    ],
)
def test_a_template_error_in_the_preview_stands_beside_the_text(sessions, expression):
    session = sessions()
    response = session.post(
        "/mail/voorbeeld",
        deelnemers="naam,email\nAnna,anna@voorbeeld.example\n",
        tekst=f"Beste {{{{ naam }}}},\n\n{expression}\n",
    )
    assert response.status_code == 422
    beside = re.search(r'<ul class="fout" id="fout-tekst">(.*?)</ul>', response.text, re.S)
    assert beside is not None and "regel 3: " in beside.group(1)


def test_the_mail_library_never_names_a_command_line_option():
    """The web app shows the library's messages too: options are the CLI's to add."""
    import ast

    package = REPO / "src" / "werkboek" / "mail"
    found = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and re.search(r"--[a-z]", node.value)
            ):
                found.append(f"{path.name}:{node.lineno}: {node.value}")
    assert found == []


def test_the_mail_page_says_the_servers_encryption_in_dutch(web_mail):
    session = Session(web_mail[0].url)
    try:
        page = session.client.get("/mail").text
    finally:
        session.client.close()
    assert "Mailserver: 127.0.0.1:" in page and "(niet versleuteld)" in page
    assert "(none)" not in page


def test_a_file_uploaded_with_a_dry_run_in_place_shows_the_page_again(web_mail, sessions):
    """htmx swaps only the job's progress in: after an upload, the page is shown again as a
    whole, so the new file stands in the list of own attachments (and leaves the file field)."""
    session = sessions()
    fields = {
        "csrf": session.token,
        "onderwerp": "Je programma",
        "tekst": "Beste {{ naam }},\n\nHet programma zit erbij.\n",
        "deelnemers": "naam,email\nEls,els@bijlage.example\n",
    }
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    answer = session.client.post(
        "/mail/proefrun",
        data=fields,
        files={"eigen-bijlage": ("programma.pdf", pdf, "application/pdf")},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and answer.headers.get("HX-Refresh") == "true"
    page = session.client.get("/mail").text
    assert re.search(r'name="eigen" value="programma.pdf" checked', page)
    # without an upload, the progress is swapped in as before
    again = session.client.post("/mail/proefrun", data=fields, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "HX-Refresh" not in again.headers
