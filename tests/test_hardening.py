"""Hardening: nothing overwritten, nothing sent twice, no injection, no hang, one clear line.

Cases a new user or an attacker would try, against the real command line (in this process
or as a real process where killing or concurrency is the point). Bad input files with an
exact expected message live in ``tests/roots/`` (run by test_loader, test_workbook and
test_mail); here are the rest.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from email.headerregistry import Address
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from werkboek import Project
from werkboek.build import build_workbook
from werkboek.cli import main
from werkboek.mail.compose import compose_message
from werkboek.mail.errors import MailError
from werkboek.mail.recipients import Recipient
from werkboek.mail.template import Rendered

from conftest import ROOTS, Server


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="werkboek")


def werkboek(*args: str, **kwargs) -> subprocess.Popen:
    """werkboek as a real process (to kill it, or to run two at once)."""
    return subprocess.Popen(
        [sys.executable, "-m", "werkboek", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone too
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" not in status.read_text()


# ---------------------------------------------------------------- 1. nothing overwritten


def test_a_file_werkboek_did_not_make_is_never_replaced(work):
    mine = work / "dag.pdf"
    mine.write_text("mijn eigen aantekeningen", encoding="utf-8")
    result = run("workbook", "recept.yaml", "-o", "dag.pdf")
    assert result.exit_code == 1
    assert result.stderr == (
        "fout: dag.pdf: bestaat al en is niet door werkboek gemaakt; kies een ander pad\n"
        "Vervangen mag: dezelfde opdracht met --overschrijven.\n"
    )
    assert mine.read_text(encoding="utf-8") == "mijn eigen aantekeningen"
    # werkboek's own PDF may be made again; --overschrijven replaces anything
    first = run("workbook", "recept.yaml", "-o", "nieuw.pdf")
    assert first.exit_code == 0, first.output
    again = run("workbook", "recept.yaml", "-o", "nieuw.pdf")
    assert again.exit_code == 0, again.output
    forced = run("workbook", "recept.yaml", "-o", "dag.pdf", "--overschrijven")
    assert forced.exit_code == 0, forced.output
    assert mine.read_bytes().startswith(b"%PDF-")


def test_a_pdf_of_someone_else_is_not_replaced_either(work):
    other = work / "dag.pdf"
    other.write_bytes((ROOTS / "mail" / "handout.pdf").read_bytes())
    pypdf_creator = pypdf.PdfReader(other).metadata
    assert (pypdf_creator or {}).get("/Creator") != "werkboek"
    result = run("workbook", "recept.yaml", "-o", "dag.pdf")
    assert result.exit_code == 1 and "niet door werkboek gemaakt" in result.stderr


def test_a_folder_is_a_folder(work):
    (work / "bestaand").mkdir()
    for target in ["bestaand", "nieuw/"]:
        result = run("workbook", "recept.yaml", "-o", target)
        assert result.exit_code == 0, result.output
        written = Path(result.stdout.removeprefix("geschreven: ").strip())
        assert written == Path(target.rstrip("/")) / "proefdag.pdf"
        assert written.read_bytes().startswith(b"%PDF-")
    assert not (work / "nieuw").is_file()


def test_below_a_file_and_onto_an_input_are_refused(work):
    (work / "een-bestand").write_text("x", encoding="utf-8")
    (work / "groep.csv").write_text("naam\nPiet\n", encoding="utf-8")
    cases = {
        ("-o", "een-bestand/dag.pdf"): (
            "fout: een-bestand/dag.pdf: kan hier niet schrijven: een-bestand is een bestand, "
            "geen map\n"
        ),
        ("-o", "recept.yaml"): (
            "fout: recept.yaml: is een invoerbestand van deze opdracht (recept.yaml); "
            "kies een ander pad\n"
        ),
        ("-o", "./content/../recept.yaml", "--overschrijven"): (
            "fout: content/../recept.yaml: is een invoerbestand van deze opdracht (recept.yaml); "
            "kies een ander pad\n"
        ),
        ("-o", "content/principes/proef.yaml", "--overschrijven"): (
            "fout: content/principes/proef.yaml: ligt in een invoermap van deze opdracht "
            "(content); kies een ander pad\n"
        ),
        ("--deelnemers", "groep.csv", "-o", "."): None,
    }
    before = (work / "recept.yaml").read_bytes()
    for args, expected in cases.items():
        result = run("workbook", "recept.yaml", *args)
        if expected is None:
            assert result.exit_code == 0, result.output
            continue
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == expected, args
    assert (work / "recept.yaml").read_bytes() == before
    assert (work / "piet.pdf").is_file()  # with names, -o is the folder of the copies


def test_a_build_writes_everything_or_nothing(work):
    foreign = work / "output" / "handouts" / "proef.pdf"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("niet van werkboek", encoding="utf-8")
    result = run("build", "document", "handouts", "-j", "1")
    assert result.exit_code == 1
    assert "output/handouts/proef.pdf: bestaat al en is niet door werkboek gemaakt" in result.stderr
    assert sorted(p.name for p in (work / "output").rglob("*.pdf")) == ["proef.pdf"]
    assert foreign.read_text(encoding="utf-8") == "niet van werkboek"


# ---------------------------------------------------------------- 4. a damaged cache


@pytest.mark.slow
def test_a_damaged_cache_entry_is_a_miss(work):
    project = Project(work / "content", work / "styles", work / "output")
    [first] = build_workbook(project, work / "recept.yaml", work / "een.pdf")
    good = first.read_bytes()
    [entry] = list((work / "output" / ".cache").rglob("*.pdf"))
    entry.write_bytes(entry.read_bytes()[:1000])  # a truncated write
    [second] = build_workbook(project, work / "recept.yaml", work / "twee.pdf")
    assert second.read_bytes() == good
    assert len(pypdf.PdfReader(second).pages) == len(pypdf.PdfReader(first).pages)
    assert entry.stat().st_size > 1000  # stored again, whole


# ---------------------------------------------------------------- 5. injection through the list


def test_a_header_that_would_decode_into_more_headers_is_refused():
    recipient = Recipient("lijst.csv", 2, "Anna", {}, "anna@voorbeeld.example")
    rendered = Rendered(
        subject="=?utf-8?q?Hallo=0D=0ABcc:_iedereen@voorbeeld.example?=",
        sender=Address("Trainer", addr_spec="trainer@voorbeeld.example"),
        reply_to=(),
        cc=(),
        text="Tekst",
        html=None,
    )
    with pytest.raises(MailError) as info:
        compose_message(rendered, recipient, mailing="m-1")
    # read back as a mail program would, the message has a Bcc: it is refused
    assert info.value.lines() == [
        "lijst.csv:2:1: het bericht krijgt andere kopregels: Bcc, Content-Transfer-Encoding, "
        "Content-Type, Date, From, MIME-Version, Message-ID, Subject, To"
    ]


def test_a_value_that_reaches_the_subject_is_checked_as_sent(work, smtp):
    server: Server = smtp()
    (work / "lijst.csv").write_text(
        'naam,email,rol\nAnna,anna@voorbeeld.example,"=?utf-8?b?DQpCY2M6IGlrQGt3YWFkLmV4YW1wbGU=?="\n',
        encoding="utf-8",
    )
    (work / "bericht.txt").write_text(
        "Subject: Welkom {{ rol }}\nFrom: Trainer <t@voorbeeld.example>\n\nTekst\n",
        encoding="utf-8",
    )
    args = ["--verzenden", "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port)]
    result = run("mail", "lijst.csv", "bericht.txt", *args, "--beveiliging", "none", "--tempo", "0")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "fout: lijst.csv:2:1: Subject bevat een gecodeerd woord (=?…?=) met deze regel "
        "(bericht.txt:1)"
    ]
    assert server.handler.received == []


# ---------------------------------------------------------------- 6. bounded inputs


def test_an_alias_bomb_is_refused_at_once(work):
    bomb = ["titel: Bom", "a: &a [x,x,x,x,x,x,x,x,x]"]
    for index in range(1, 9):
        this, before = chr(97 + index), chr(96 + index)
        bomb.append(f"{this}: &{this} [" + ",".join([f"*{before}"] * 9) + "]")
    bomb.append("onderdelen: [*i]")
    (work / "bom.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    start = time.process_time()
    result = run("workbook", "bom.yaml")
    assert time.process_time() - start < 5  # not minutes (only a guard: no timing asserted)
    assert result.exit_code == 1
    assert result.stderr.startswith("fout: bom.yaml:3:8: een alias (*a) kan hier niet")


def test_a_huge_recipe_is_refused_before_it_is_parsed(work):
    (work / "groot.yaml").write_text(
        "titel: Groot\nonderdelen:\n" + "  - notities: 1\n" * 20_000, encoding="utf-8"
    )
    result = run("workbook", "groot.yaml")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "fout: groot.yaml:1:1: het bestand is te groot (320,0 kB; hoogstens 256,0 kB)\n"
    )


@pytest.mark.slow
def test_special_files_are_never_read(work, smtp):
    shutil.copyfile(ROOTS / "mail" / "deelnemers.csv", work / "deelnemers.csv")
    shutil.copyfile(ROOTS / "mail" / "bericht.txt", work / "bericht.txt")
    os.mkfifo(work / "pijp")
    for special in ["/dev/zero", "pijp"]:
        process = werkboek("mail", "deelnemers.csv", "bericht.txt", "--bijlage", special, cwd=work)
        try:
            _out, err = process.communicate(timeout=60)  # a FIFO would hang: this would time out
        finally:
            process.kill()
        assert process.returncode == 1, err
        assert err.strip() == f"fout: {special}:1:1: bijlage: geen gewoon bestand"
    os.mkfifo(work / "lijst")
    process = werkboek("workbook", "recept.yaml", "--deelnemers", "lijst", cwd=work)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "geen gewoon bestand" in err


def test_an_attachment_larger_than_a_message_is_refused_once_without_composing(work):
    shutil.copyfile(ROOTS / "mail" / "deelnemers.csv", work / "deelnemers.csv")
    shutil.copyfile(ROOTS / "mail" / "bericht.txt", work / "bericht.txt")
    with (work / "groot.bin").open("wb") as big:
        big.truncate(50_000_000)  # sparse: 50 MB that cost nothing to make
    result = run("mail", "deelnemers.csv", "bericht.txt", "--bijlage", "groot.bin")
    assert result.exit_code == 1
    assert result.stderr == (
        "fout: groot.bin:1:1: grootte: de bijlage is 50,0 MB, meer dan de grootste "
        "berichtgrootte van 10,0 MB (--max-grootte)\n"
    )


# ---------------------------------------------------------------- 7. links out of content/


def test_a_link_in_content_to_a_file_outside_is_not_read(work):
    outside = work / "buiten.yaml"
    outside.write_text("slug: buiten\ntitel: Geheim\ninhoud:\n  - Geheime tekst.\n", "utf-8")
    (work / "content" / "artikelen" / "buiten.yaml").symlink_to(outside)
    result = run("check", "-q", "--inhoud", "content")
    assert result.exit_code == 1
    assert result.stderr == (
        "fout: content/artikelen/buiten.yaml:1:1: verwijst naar een bestand buiten de map "
        "met de inhoud\n"
    )
    # a linked folder too
    (work / "content" / "artikelen" / "buiten.yaml").unlink()
    elsewhere = work / "elders"
    elsewhere.mkdir()
    shutil.move(str(outside), elsewhere / "buiten.yaml")
    shutil.rmtree(work / "content" / "artikelen")
    (work / "content" / "artikelen").symlink_to(elsewhere)
    result = run("check", "-q", "--inhoud", "content")
    assert result.exit_code == 1
    assert "verwijst naar een bestand buiten de map met de inhoud" in result.stderr


def test_a_linked_template_override_is_not_followed(work):
    secret = work / "geheim.html.j2"
    secret.write_text("{% macro workbook_cover(a, b, c, d) %}GEHEIM{% endmacro %}", "utf-8")
    (work / "content" / "sjablonen").mkdir()
    (work / "content" / "sjablonen" / "workbook_cover.html.j2").symlink_to(secret)
    result = run("workbook", "recept.yaml", "-o", "dag.pdf")
    assert result.exit_code == 0, result.output
    assert "GEHEIM" not in pypdf.PdfReader(work / "dag.pdf").pages[0].extract_text()


# ---------------------------------------------------------------- 8. no tracebacks


@pytest.mark.slow
def test_very_long_titles_and_names_make_short_file_names(work):
    title = "Een heel lange titel " * 20
    (work / "lang.yaml").write_text(
        f"titel: {title.strip()}\nonderdelen:\n  - notities: 1\n", encoding="utf-8"
    )
    result = run("workbook", "lang.yaml")
    assert result.exit_code == 0, result.output
    [written] = [Path(line.removeprefix("geschreven: ")) for line in result.stdout.splitlines()]
    assert len(written.stem) <= 80 and written.stem.startswith("een-heel-lange-titel-")
    name = "Anna " + "de Vries-" * 12
    result = run("workbook", "recept.yaml", "--voor", name, "--voor", name + "x")
    assert result.exit_code == 0, result.output
    stems = [Path(line).stem for line in result.stdout.splitlines()]
    assert len(stems) == 2 and len(set(stems)) == 2 and all(len(s) <= 80 for s in stems)


def test_a_damaged_send_log_stops_before_anything_is_written(work):
    shutil.copyfile(ROOTS / "mail" / "deelnemers.csv", work / "deelnemers.csv")
    shutil.copyfile(ROOTS / "mail" / "bericht.txt", work / "bericht.txt")
    first = run("mail", "deelnemers.csv", "bericht.txt")
    assert first.exit_code == 0, first.output
    [folder] = (work / "output" / "mail").iterdir()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    log = work / "staat" / "verzendlog.sqlite"
    log.parent.mkdir(exist_ok=True)
    log.write_bytes(b"dit is geen database" * 100)
    for extra in ([], ["--verzenden", "--smtp-host", "127.0.0.1", "--beveiliging", "none"]):
        result = run("mail", "deelnemers.csv", "bericht.txt", "--afzender", "a@b.example", *extra)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(
            "fout: staat/verzendlog.sqlite: het verzendlog is beschadigd"
        )
        assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# ---------------------------------------------------------------- 9, 10. killed builds


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_workers_end_with_their_parent_and_leave_nothing(work, stop):
    stale = work / "output" / "document" / ".inspiratiedocument.pdf.oud.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half")
    old = time.time() - 600
    os.utime(stale, (old, old))
    process = werkboek("build", "all", "-j", "2", cwd=work)
    deadline = time.time() + 60
    children: list[int] = []
    while time.time() < deadline and len(children) < 2:
        time.sleep(0.2)
        listed = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        children = [int(pid) for pid in listed.read_text().split()] if listed.exists() else []
    assert len(children) == 2, "the workers did not start"
    process.send_signal(stop)  # kill -9: no chance to clean up
    process.communicate()
    deadline = time.time() + 20
    while time.time() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.2)
    assert not any(alive(pid) for pid in children)
    # the next build cleans what was left, and leaves nothing of its own
    result = run("build", "document", "handouts", "-j", "2")
    assert result.exit_code == 0, result.output
    assert not list((work / "output").rglob("*.tmp"))
    leftovers = [
        p
        for p in Path("/tmp").glob("werkboek-*-*")
        if p.name.split("-")[1] in {str(pid) for pid in [*children, process.pid]}
    ]
    assert leftovers == []


# ---------------------------------------------------------------- 2, 3, 11. mail runs


def _mail_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOTS / "mail" / "deelnemers.csv", folder / "deelnemers.csv")
    shutil.copyfile(ROOTS / "mail" / "bericht.txt", folder / "bericht.txt")


def _send(server: Server, *extra: str) -> list[str]:
    return [
        "--verzenden",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(server.port),
        "--beveiliging",
        "none",
        "--pogingen",
        "0",
        *extra,
    ]


def test_the_send_log_follows_the_mailing_not_the_folder(work, smtp, monkeypatch):
    server = smtp()
    one, two = work / "eerste", work / "tweede"
    _mail_files(one)
    _mail_files(two)
    monkeypatch.chdir(one)
    result = run("mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "0"))
    assert result.exit_code == 0, result.output
    assert len(server.handler.received) == 5
    monkeypatch.chdir(two)
    again = run(
        "mail",
        "deelnemers.csv",
        "bericht.txt",
        "--uitvoer",
        "elders",
        *_send(server, "--tempo", "0"),
    )
    assert again.exit_code == 0, again.output
    assert "0 berichten te verzenden, 5 al eerder verzonden" in again.stdout
    assert len(server.handler.received) == 5


def test_a_log_kept_by_an_older_werkboek_is_not_forgotten(work, smtp):
    server = smtp()
    _mail_files(work)
    first = run("mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "0"))
    assert first.exit_code == 0, first.output
    # as an older werkboek left it: in output/mail/, and the user's log is gone
    legacy = work / "output" / "mail" / "verzendlog.sqlite"
    legacy.parent.mkdir(parents=True)
    shutil.move(str(work / "staat" / "verzendlog.sqlite"), legacy)
    result = run("mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "0"))
    assert result.exit_code == 0, result.output
    assert len(server.handler.received) == 5
    with sqlite3.connect(work / "staat" / "verzendlog.sqlite") as db:
        assert db.execute("SELECT count(*) FROM messages WHERE state = 'sent'").fetchone() == (5,)


@pytest.mark.slow
def test_one_run_per_mailing_at_a_time(work, smtp):
    server = smtp()
    _mail_files(work)
    env = {**os.environ, "WERKBOEK_VERZENDLOG": str(work / "staat" / "verzendlog.sqlite")}
    slow = werkboek(
        "mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "30"), cwd=work, env=env
    )
    deadline = time.time() + 60
    while time.time() < deadline and not server.handler.received:
        time.sleep(0.1)
    assert server.handler.received, "the first run did not start sending"
    second = werkboek(
        "mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "0"), cwd=work, env=env
    )
    out, err = second.communicate(timeout=60)
    assert second.returncode == 1
    assert err.startswith("fout: mailing je-materiaal-van-de-training-")
    assert "wordt al verzonden (door proces " in err
    slow_out, slow_err = slow.communicate(timeout=120)
    assert slow.returncode == 0, slow_err
    assert sorted(r.recipients[0] for r in server.handler.received) == sorted(
        [
            "anna@voorbeeld.example",
            "bram@voorbeeld.example",
            "chantal@voorbeeld.example",
            "daan@voorbeeld.example",
            "eva@voorbeeld.example",
        ]
    )
    assert "werkboek werd gestopt" not in slow_out + out


@pytest.mark.slow
def test_ctrl_c_while_sending_gives_the_summary_and_how_to_go_on(work, smtp):
    server = smtp()
    _mail_files(work)
    env = {**os.environ, "WERKBOEK_VERZENDLOG": str(work / "staat" / "verzendlog.sqlite")}
    process = werkboek(
        "mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "20"), cwd=work, env=env
    )
    deadline = time.time() + 60
    while time.time() < deadline and len(server.handler.received) < 1:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert "Verzenden gestopt: onderbroken (Ctrl-C)." in out
    assert "nog te verzenden" in out
    assert "Voer dezelfde opdracht later opnieuw uit om verder te gaan" in out
    assert "Traceback" not in err and "Aborted" not in err
    sent = len(server.handler.received)
    assert 1 <= sent < 5
    again = run("mail", "deelnemers.csv", "bericht.txt", *_send(server, "--tempo", "0"))
    assert again.exit_code == 0, again.output
    received = [r.recipients[0] for r in server.handler.received]
    assert len(received) == len(set(received)) == 5  # each exactly once


# ---------------------------------------------------------------- 12, 13. one clear line


def test_names_given_one_by_one_are_checked_like_a_lists(work):
    for name, message in [
        ("", "--voor: de naam is leeg: ''"),
        ("Anna\nBcc", "--voor: de naam bevat een regeleinde: 'Anna\\nBcc'"),
        (
            "Zoë ⵣ",
            "--voor: het teken 'ⵣ' (U+2D63) kan werkboek niet drukken: "
            "het lettertype heeft het niet: 'Zoë ⵣ'; voor deze naam is niets gemaakt",
        ),
    ]:
        result = run("workbook", "recept.yaml", "--voor", name)
        assert result.exit_code == 1, name
        assert result.stderr == f"fout: {message}\n"


def test_a_list_with_problems_says_where(work):
    (work / "geen-tekst.csv").write_bytes("naam\nZoë\n".encode("latin-1") + b"\x81\n")
    (work / "twee-regels.csv").write_text('naam\n"Anna\nde Vries"\n', encoding="utf-8")
    for name, expected in [
        (
            "geen-tekst.csv",
            "fout: geen-tekst.csv:3:1: dit is geen tekst in UTF-8 of Windows-1252; bewaar het "
            "bestand als 'CSV UTF-8' of als .xlsx\n",
        ),
        ("twee-regels.csv", "fout: twee-regels.csv:2:1: naam: de naam bevat een regeleinde\n"),
    ]:
        result = run("workbook", "recept.yaml", "--deelnemers", name)
        assert result.exit_code == 1
        assert result.stderr == expected


def test_names_in_other_scripts_are_printed_with_the_packaged_fallback_font(work):
    result = run("workbook", "recept.yaml", "--voor", "İlayda Nguyễn")
    assert result.exit_code == 0, result.output
    [path] = [Path(line.removeprefix("geschreven: ")) for line in result.stdout.splitlines()]
    reader = pypdf.PdfReader(path)
    assert "Werkboek van İlayda Nguyễn" in " ".join(reader.pages[0].extract_text().split())
    fonts = {
        font["/BaseFont"].split("+", 1)[1]
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert fonts <= {
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
        "Noto-Sans",
        "Noto-Sans-Bold",
        "NotoSans-Regular",
        "NotoSans-Bold",
    }, fonts
    assert any("Noto" in f for f in fonts)


COMMANDS = {
    "check": ["check", "--inhoud", "nergens"],
    "list": ["list", "--inhoud", "nergens"],
    "build": ["build", "document", "--inhoud", "nergens"],
    "workbook": ["workbook", "nergens.yaml"],
    "mail": ["mail", "nergens.csv", "nergens.txt"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_follows_one_convention(command, work):
    missing = run(*COMMANDS[command])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("fout: nergens")
    assert all(line.startswith("fout: ") for line in missing.stderr.splitlines())
    wrong = run(command, "--geen-optie")
    assert wrong.exit_code == 2
    assert wrong.stderr.splitlines() == [
        "fout: onbekende optie --geen-optie",
        f"Meer weten: werkboek {command} --help",
    ]
    help_text = run(command, "--help").stdout
    assert "Gebruik: werkboek" in help_text and "Opties:" in help_text
    assert "Toon deze hulp en stop." in help_text


def test_no_command_at_all_and_an_unknown_one(work):
    result = run("bouw")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "fout: onbekende opdracht 'bouw'",
        "Meer weten: werkboek --help",
    ]
    assert "Opdrachten:" in run("--help").stdout


def test_a_workbook_from_every_bad_recipe_kind_is_one_line_each(work):
    """The recipe cases under tests/roots/recipes/ all end in exit 1 without a traceback."""
    for case in sorted((ROOTS / "recipes").iterdir()):
        shutil.copyfile(case / "recept.yaml", work / "recept.yaml")
        result = run("workbook", "recept.yaml")
        assert result.exit_code == 1, case.name
        assert "Traceback" not in result.output
        assert all(line.startswith("fout: ") for line in result.stderr.splitlines())


def test_every_input_of_a_run_is_protected_with_force_too(work):
    """The recipe's own pages and their images are inputs as much as the recipe itself."""
    shutil.copy(ROOTS / "trainingsdag" / "kaart.png", work / "kaart.png")
    (work / "welkom.md").write_text("# Welkom\n\n![De kaart](kaart.png)\n", encoding="utf-8")
    (work / "recept.yaml").write_text(
        "titel: Proefdag\nonderdelen:\n  - eigen: welkom.md\n  - notities: 1\n", encoding="utf-8"
    )
    before = {name: (work / name).read_bytes() for name in ("welkom.md", "kaart.png")}
    for name, what in (("welkom.md", "welkom.md"), ("kaart.png", "kaart.png")):
        result = run("workbook", "recept.yaml", "-o", name, "--force")
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"fout: {name}: is een invoerbestand van deze opdracht ({what}); kies een ander pad\n"
        )
    assert {name: (work / name).read_bytes() for name in before} == before
