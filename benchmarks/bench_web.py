"""The web app as a trainer feels it: preview after a change, unchanged, the catalogue, memory.

    .venv/bin/python benchmarks/bench_web.py [--changes 50]

Starts ``werkboek serve`` in a process of its own on a free loopback port (with an empty
output folder), opens the example training day
(``recepten/trainingsdag-van-mens-tot-mens-werken.yaml``) in the composer as a browser
does, then measures over HTTP:

- *preview after a change*: the trainer types a new subtitle (every other time with the
  other edition), and the preview (the PDF rendered, and the thumbnail of every page the
  browser does not have yet) comes back; each state is new, so nothing of it is cached;
- *preview after a move*: with a new subtitle, the notes pages (the last item) move to the
  front and back, so every page after them moves two on (or back): the chapters laid out
  before are no use then, and the workbook is laid out whole again;
- *preview unchanged*: the same preview asked again;
- *catalogue*: the home page with every principle, story, exercise and text;
- *four trainers at once* (``--trainers``): as many sessions, each with the workbook open,
  change and preview at the same moment; their median against the one trainer's above.

Goals (from the web app's issue and issue 24): after a change a median of at most 0.5 s,
unchanged at most 0.1 s, the catalogue at most 50 ms, the server's memory (its resident set,
its render workers' too) after ``--changes`` previews at most 50 MB more than after the
first; four trainers at once at most 1.5 times one trainer's median.
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
from collections.abc import Callable
from pathlib import Path

import httpx
from serving import cpu_seconds, family, free_port, resident_mb, wait_until_serving

REPO = Path(__file__).resolve().parent.parent
RECIPE = REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
IMAGES = re.compile(r'src="(/voorbeeld/[0-9a-f]+/\d+\.png)"')


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


class Trainer:
    """One browser session: its cookie and CSRF token."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=300)
        self.csrf = CSRF.search(self.client.get("/recepten").text).group(1)  # type: ignore[union-attr]
        self.pictures: set[str] = set()
        """The thumbnails this browser has (see :meth:`preview`)."""

    def post(self, path: str, **data: object) -> None:
        response = self.client.post(path, data={"csrf": self.csrf, **data})  # type: ignore[arg-type]
        assert response.status_code in (200, 303), (path, response.status_code)

    def details(self, subtitle: str, edition: str) -> None:
        """The composer's fields as the trainer types them: a new subtitle, an edition."""
        self.post(
            "/werkboek/gegevens",
            titel="Training Van mens tot mens werken",
            ondertitel=f"Proeftuin Zaanstreek, {subtitle}",
            trainer="Anna de Vries",
            editie=edition,
        )

    def open_recipe(self, path: Path) -> None:
        response = self.client.post(
            "/recepten/openen",
            data={"csrf": self.csrf},
            files={"bestand": (path.name, path.read_bytes(), "application/yaml")},
        )
        assert response.status_code in (200, 303), response.text[:500]

    def preview(self) -> int:
        """The preview as htmx asks for it, then every thumbnail it shows that the browser
        does not have yet (a picture's address is cached for good, ``immutable``, as a
        browser keeps it); the page count."""
        html = self.client.get("/werkboek/voorbeeld", headers={"HX-Request": "true"}).text
        images = IMAGES.findall(html)
        assert images, html[:500]
        for image in images:
            if image in self.pictures:
                continue
            response = self.client.get(image)
            assert response.headers["content-type"] == "image/png"
            assert "immutable" in response.headers["cache-control"]
            self.pictures.add(image)
        return len(images)


def at_once(url: str, trainers: int, changes: int) -> list[float]:
    """``trainers`` sessions changing and previewing at the same moment: every preview's
    time after a change."""
    if trainers < 2:
        return []
    sessions = [Trainer(url) for _ in range(trainers)]
    for session in sessions:
        session.open_recipe(RECIPE)
        session.preview()
    start = threading.Barrier(trainers)
    times: list[float] = []

    def work(number: int, session: Trainer) -> None:
        # not measured: each edition once, all at the same moment, so every render worker
        # has laid out both (as the one trainer's first two changes, left out of the median
        # there by its 50 others)
        for n in range(2):
            session.details(f"eerst {number}-{n}", "trainer" if n % 2 else "deelnemer")
            session.preview()
        start.wait()
        for n in range(changes):
            session.details(f"groep {number}-{n}", "trainer" if n % 2 else "deelnemer")
            times.append(timed(session.preview))

    threads = [threading.Thread(target=work, args=(n, s)) for n, s in enumerate(sessions, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def row(label: str, times: list[float], goal: str = "", digits: int = 2, unit: str = "s") -> None:
    """One line of the table: the median and the slowest of ``times``."""
    if not times:
        return
    scale, digits = (1000, 1) if unit == "ms" else (1, digits)
    width = 10 - len(unit)
    median, slowest = statistics.median(times) * scale, max(times) * scale
    print(
        f"{label:<34}{median:>{width}.{digits}f}{unit}{slowest:>{width}.{digits}f}{unit}{goal:>10}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50, help="at least 3")
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--trainers", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        command = [
            sys.executable, "-m", "werkboek", "serve", "--poort", str(port),
            "--inhoud", str(REPO / "content"), "--stijlen", str(REPO / "styles"),
            "-o", str(Path(folder) / "output"), "--recepten", str(Path(folder) / "recepten"),
        ]  # fmt: skip
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, 60)
            trainer = Trainer(url)
            trainer.open_recipe(RECIPE)
            first = timed(trainer.preview)
            pages = trainer.preview()
            memory_before = resident_mb(family(server.pid))

            changed = []
            for n in range(args.changes):
                if n == 2:  # (after the first in each edition, which lay out every chapter)
                    cpu_before = cpu_seconds(family(server.pid)) + time.process_time()
                # a change never seen before (nothing of it cached): a new subtitle, as when
                # the trainer types the date, and every other time the other edition too
                trainer.details(f"groep {n + 1}", "trainer" if n % 2 else "deelnemer")
                changed.append(timed(trainer.preview))
            cpu = cpu_seconds(family(server.pid)) + time.process_time() - cpu_before
            cpu /= args.changes - 2
            memory_after = resident_mb(family(server.pid))
            moved = []
            for n in range(args.moves):
                trainer.details(f"verplaatst {n + 1}", "deelnemer")
                # the notes (the last of six items) to the front, then back to the end
                index, to = (5, 0) if n % 2 == 0 else (0, 5)
                trainer.post(f"/werkboek/onderdelen/{index}/verplaatsen", naar=str(to))
                moved.append(timed(trainer.preview))
            unchanged = [timed(trainer.preview) for _ in range(10)]
            catalogue = [timed(lambda: trainer.client.get("/")) for _ in range(20)]
            together = at_once(url, args.trainers, max(args.changes // args.trainers, 3))
        finally:
            server.terminate()
            server.wait(timeout=30)

    growth = memory_after - memory_before
    print(f"{RECIPE.name}: {pages} pages in the preview, {args.changes} changes\n")
    print(f"{'':<34}{'median':>10}{'max':>10}{'goal':>10}")
    print(f"{'first preview (cold cache)':<34}{first:>9.2f}s")
    row("preview after a change", changed, "≤ 0.5s")
    if moved:
        row("preview after a move to the front", moved[::2])
        row("  and back to the end", moved[1::2])
    row("preview unchanged", unchanged, "≤ 0.1s", digits=3)
    row("catalogue page", catalogue, "≤ 50ms", unit="ms")
    if together:
        row(f"{args.trainers} trainers at once, a change", together)
        one = statistics.median(changed)
        ratio = statistics.median(together) / one
        print(f"{'':<34}{ratio:>9.2f}× one trainer's median (goal: ≤ 1.5×)")
        # every change costs the machine `cpu` seconds (the server's processes and the
        # browser's requests, here this process): on `cores` cores, trainers changing one
        # after the other without a pause can be no faster than this
        cores = len(os.sched_getaffinity(0))
        floor = args.trainers * cpu / min(cores, args.trainers)
        print(
            f"\none change costs {cpu:.3f} CPU s (server and browser); {args.trainers} trainers "
            f"on {cores} cores need at least {floor:.3f} s a change: {floor / one:.2f}× one "
            "trainer's median (the floor)"
        )
    print(
        f"\nserver memory: {memory_before:.0f} MB after the first preview, "
        f"{memory_after:.0f} MB after {args.changes} more: +{growth:.0f} MB (goal: ≤ 50 MB)"
    )


if __name__ == "__main__":
    main()
