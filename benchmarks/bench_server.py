"""An organisation's server under load: 8 trainers previewing and 2 mailing at once.

    .venv/bin/python benchmarks/bench_server.py [--processen 2] [--rondes 3] [--deelnemers 20]

Starts ``werkboek serve --processen N`` on a free loopback port (an empty output folder, a
token to log in with) and an SMTP server on loopback (aiosmtpd, keeping nothing), then at
once:

- 8 trainers, each in a browser session of their own, open the example training day in the
  composer and, ``--rondes`` times, type a new subtitle, ask for the preview (as htmx does)
  and ask the API for the same workbook with another subtitle (``POST /api/werkboek``);
- 2 trainers mail ``--deelnemers`` participants each (the message only) and follow the job;
- one more asks for the catalogue page, again and again, until the others are done.

It reports the catalogue's p50/p95 while this goes on, the previews and API calls, how many
answers were ``503`` with ``Retry-After`` (and any without it), the highest resident memory
of all the server's processes together (the workers and their render processes included),
and the load average before and after (on a shared machine the figures move with it).

Goals (from issue 21): the catalogue under 200 ms at p95, memory under 1 GB, the server
stays up, and past the queue's limit 503 with Retry-After rather than requests piling up.
Everything is bounded: a fixed number of rounds, loopback only, a time limit per request.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from serving import family, free_port, resident_mb, wait_until_serving

REPO = Path(__file__).resolve().parent.parent
RECIPE = REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TOKEN = "bench-server-token-0123456789"
PREVIEWERS = 8
MAILERS = 2


class Sink:
    """An SMTP server's handler that counts and keeps nothing."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


@dataclass
class Tally:
    preview: list[float] = field(default_factory=list)
    api: list[float] = field(default_factory=list)
    catalogue: list[float] = field(default_factory=list)
    mail: list[float] = field(default_factory=list)
    busy_with_retry_after: int = 0
    busy_without: int = 0
    busy_pages: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            getattr(self, name).append(seconds)

    def answer(self, response: httpx.Response) -> None:
        with self.lock:
            if response.status_code == 503:
                if response.headers.get("retry-after", "").isdigit():
                    self.busy_with_retry_after += 1
                else:
                    self.busy_without += 1
            elif response.status_code not in (200, 204, 303):
                self.errors.append(f"{response.request.url.path}: {response.status_code}")


class Trainer:
    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=300)
        csrf = CSRF.search(self.client.get("/inloggen").text).group(1)  # type: ignore[union-attr]
        self.client.post("/inloggen", data={"csrf": csrf, "token": TOKEN, "volgende": "/"})
        self.csrf = CSRF.search(self.client.get("/recepten").text).group(1)  # type: ignore[union-attr]

    def post(self, path: str, **data: object) -> httpx.Response:
        return self.client.post(path, data={"csrf": self.csrf, **data})  # type: ignore[arg-type]


def previewing(url: str, number: int, rounds: int, tally: Tally) -> None:
    trainer = Trainer(url)
    opened = trainer.client.post(
        "/recepten/openen",
        data={"csrf": trainer.csrf},
        files={"bestand": (RECIPE.name, RECIPE.read_bytes(), "application/yaml")},
    )
    tally.answer(opened)
    recipe = RECIPE.read_text(encoding="utf-8")
    for n in range(rounds):
        subtitle = f"trainer {number}, ronde {n + 1}"
        trainer.post(
            "/werkboek/gegevens", titel="Training", ondertitel=subtitle, editie="deelnemer"
        )
        start = time.perf_counter()
        page = trainer.client.get("/werkboek/voorbeeld", headers={"HX-Request": "true"})
        tally.add("preview", time.perf_counter() - start)
        tally.answer(page)
        if "data-voorbeeld-druk" in page.text:
            with tally.lock:
                tally.busy_pages += 1
        body = re.sub(r"(?m)^ondertitel: .*$", f"ondertitel: API, {subtitle}", recipe, count=1)
        start = time.perf_counter()
        answer = httpx.post(
            f"{url}/api/werkboek",
            content=body.encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"},
            timeout=300,
        )
        tally.add("api", time.perf_counter() - start)
        tally.answer(answer)
    trainer.client.close()


def mailing(url: str, number: int, people: int, tally: Tally) -> None:
    trainer = Trainer(url)
    rows = "".join(f"Deelnemer {i},d{number}-{i}@bench.example\n" for i in range(people))
    start = time.perf_counter()
    started = trainer.post(
        "/mail/verzenden",
        deelnemers="naam,email\n" + rows,
        onderwerp="Je werkboek, {{ naam }}",
        tekst="Beste {{ naam }},\n\nTot ziens.\n",
    )
    tally.answer(started)
    location = started.headers.get("location")
    for _ in range(3000):
        if location is None:
            break
        page = trainer.client.get(location).text
        if "taak-wachten" not in page and "taak-bezig" not in page:
            if "taak-mislukt" in page:
                tally.errors.append(f"mailing {number} failed")
            break
        time.sleep(0.2)
    tally.add("mail", time.perf_counter() - start)
    trainer.client.close()


def cataloguing(url: str, stop: threading.Event, tally: Tally) -> None:
    trainer = Trainer(url)
    while not stop.is_set():
        start = time.perf_counter()
        answer = trainer.client.get("/")
        tally.add("catalogue", time.perf_counter() - start)
        tally.answer(answer)
        time.sleep(0.2)
    trainer.client.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--processen", type=int, default=2)
    parser.add_argument("--rondes", type=int, default=3)
    parser.add_argument("--deelnemers", type=int, default=20)
    args = parser.parse_args()

    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    load_before = os.getloadavg()
    tally = Tally()
    peak = 0.0
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        command = [
            sys.executable, "-m", "werkboek", "serve", "--poort", str(port),
            "--processen", str(args.processen),
            "--inhoud", str(REPO / "content"), "--stijlen", str(REPO / "styles"),
            "-o", str(Path(folder) / "output"), "--recepten", str(Path(folder) / "recepten"),
            "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port), "--beveiliging", "none",
            "--afzender", "Training <training@bench.example>",
        ]  # fmt: skip
        env = {
            **os.environ,
            "WERKBOEK_TOKEN": TOKEN,
            "WERKBOEK_VERZENDLOG": str(Path(folder) / "verzendlog.sqlite"),
        }
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        stop = threading.Event()
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, 120)

            def sample() -> None:
                nonlocal peak
                while not stop.is_set():
                    peak = max(peak, resident_mb(family(server.pid)))
                    time.sleep(0.5)

            sampler = threading.Thread(target=sample)
            catalogue = threading.Thread(target=cataloguing, args=(url, stop, tally))
            work = [
                threading.Thread(target=previewing, args=(url, n, args.rondes, tally))
                for n in range(PREVIEWERS)
            ] + [
                threading.Thread(target=mailing, args=(url, n, args.deelnemers, tally))
                for n in range(MAILERS)
            ]
            sampler.start()
            catalogue.start()
            started = time.perf_counter()
            for thread in work:
                thread.start()
            for thread in work:
                thread.join()
            elapsed = time.perf_counter() - started
            stop.set()
            catalogue.join()
            sampler.join()
            up = server.poll() is None
        finally:
            stop.set()
            server.terminate()
            server.wait(timeout=60)
            smtp.stop()
    load_after = os.getloadavg()

    print(
        f"werkboek serve --processen {args.processen}: {PREVIEWERS} trainers previewing "
        f"({args.rondes} rounds, preview + API each), {MAILERS} mailing {args.deelnemers} each; "
        f"{elapsed:.0f} s in all\n"
    )
    print(f"{'':<28}{'count':>7}{'p50':>10}{'p95':>10}{'max':>10}{'goal':>12}")
    for label, values, goal in (
        ("catalogue page", tally.catalogue, "p95 < 200ms"),
        ("preview (page)", tally.preview, ""),
        ("workbook (API)", tally.api, ""),
        ("mailing, start to end", tally.mail, ""),
    ):
        if not values:
            continue
        cells = [statistics.median(values), percentile(values, 95), max(values)]
        print(
            f"{label:<28}{len(values):>7}" + "".join(f"{v * 1000:>8.0f}ms" for v in cells), end=""
        )
        print(f"{goal:>12}")
    print(
        f"\n503 with Retry-After: {tally.busy_with_retry_after}; 503 without: "
        f"{tally.busy_without}; busy preview pages: {tally.busy_pages}; other errors: "
        f"{len(tally.errors)} {tally.errors[:5] if tally.errors else ''}"
    )
    print(f"messages received by the SMTP server: {sink.count} of {MAILERS * args.deelnemers}")
    print(f"highest memory of all server processes together: {peak:.0f} MB (goal < 1024 MB)")
    print(f"server still up at the end: {'yes' if up else 'NO'}")
    print(
        "load average before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f} ({} cores)".format(
            *load_before, *load_after, os.cpu_count()
        )
    )


if __name__ == "__main__":
    main()
