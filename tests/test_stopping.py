"""Stopping ``werkboek serve`` (Ctrl-C) during a long job: it stops promptly, and the
send log says exactly what was sent.

Against a real ``werkboek serve`` process and a real SMTP server (aiosmtpd) on loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from conftest import REPO, free_port, make_content

PEOPLE = 30


def serve(work: Path, smtp_port: int) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "werkboek",
            "serve",
            "--poort",
            str(port),
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(smtp_port),
            "--beveiliging",
            "none",
            "--afzender",
            "Trainer <trainer@voorbeeld.example>",
        ],
        cwd=work,
        env={**os.environ, "WERKBOEK_VERZENDLOG": str(work / "staat" / "verzendlog.sqlite")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/static/werkboek.css").status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    raise AssertionError("werkboek serve did not start")


def start_mailing(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    page = client.get("/mail")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    people = "".join(f"Deelnemer {i},deelnemer{i}@voorbeeld.example\n" for i in range(PEOPLE))
    form = {
        "csrf": token.group(1),
        "deelnemers": "naam,email\n" + people,
        "onderwerp": "Je werkboek",
        "tekst": "Beste {{ naam }},\n\nTot ziens.",
    }
    started = client.post("/mail/verzenden", data=form, follow_redirects=False)
    assert started.status_code == 303, started.text
    return client


def states(work: Path) -> dict[str, int]:
    with sqlite3.connect(work / "staat" / "verzendlog.sqlite") as db:
        rows = db.execute("SELECT state, count(*) FROM messages GROUP BY state").fetchall()
    return dict(rows)


def test_ctrl_c_stops_serve_between_messages(tmp_path, smtp):
    make_content(tmp_path)
    shutil.copytree(REPO / "styles", tmp_path / "styles")
    mail = smtp()
    process, url = serve(tmp_path, mail.port)
    try:
        client = start_mailing(url)
        # (the web app sends 30 a minute: the whole mailing would take a minute)
        for _ in range(1200):
            if mail.handler.received:
                break
            time.sleep(0.05)
        assert mail.handler.received, "nothing was sent"
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
        client.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in err, err
    received = len(mail.handler.received)
    assert received < PEOPLE  # it stopped, not ran on to the end
    recorded = states(tmp_path)
    # every message that arrived is recorded as sent; none "onzeker", none half-claimed
    assert recorded.get("sent") == received, recorded
    assert not recorded.get("unknown") and not recorded.get("sending"), recorded


def counts_on_the_page(page: str) -> dict[str, int]:
    found = re.findall(r'<span class="getal">(\d+)</span> ([a-z ]+)</li>', page)
    return {label: int(number) for number, label in found}


def test_after_kill_9_mid_message_the_mail_page_counts_it_onzeker(tmp_path, smtp):
    """The first message is handed to the server, which holds on to it; serve is killed
    (-9) then. After a restart the Mailen page says: 1 onzeker, the rest still to send."""
    import threading

    make_content(tmp_path)
    shutil.copytree(REPO / "styles", tmp_path / "styles")
    mail = smtp()
    handed, release = threading.Event(), threading.Event()

    def hold(_server, _envelope):
        handed.set()
        release.wait(60)
        return None

    mail.handler.on_data = hold
    process, url = serve(tmp_path, mail.port)
    try:
        first = start_mailing(url)
        assert handed.wait(120), "no message was handed to the server"
        process.kill()
        process.communicate(timeout=60)
        cookies = first.cookies
        first.close()
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert states(tmp_path) == {"sending": 1, "pending": PEOPLE - 1}
    again, url = serve(tmp_path, mail.port)
    try:
        client = httpx.Client(base_url=url, cookies=cookies, timeout=120)
        page = client.get("/mail")
        assert page.status_code == 200
        counts = counts_on_the_page(page.text)
        assert counts == {
            "verzonden": 0,
            "mislukt": 0,
            "onzeker": 1,
            "nog te verzenden": PEOPLE - 1,
        }, counts
        client.close()
    finally:
        again.send_signal(signal.SIGINT)
        again.communicate(timeout=60)
