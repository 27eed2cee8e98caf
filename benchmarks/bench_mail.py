"""What a mailing's dry run costs in time and memory as the participant list grows.

    .venv/bin/python benchmarks/bench_mail.py [--runs 3]

Every measurement runs in a fresh process: read and check a list of N participants,
compose every message once with a 100 kB attachment (encoded to base64 once, for every
message), check every size, and write every message as ``.eml`` (the dry run: the
messages composed when the mailing was prepared are moved into place). Messages are
composed one at a time and dropped once written, so memory should not grow with the
list. Goals (issue 24): 10,000 participants cost at most 5.2 times 2,000 (linear), peak at
100 MB or less, and take at most 5 ms a message.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import fresh
from fresh import in_fresh_process, peak_mb

SIZES = (2000, 10000)
ATTACHMENT = 100_000


def child(where: str, size: str) -> dict[str, float]:
    folder, participants = Path(where), int(size)
    from werkboek.mail import prepare_mailing
    from werkboek.mail.run import dry_run

    os.environ["WERKBOEK_VERZENDLOG"] = str(folder / "staat" / "verzendlog.sqlite")
    rows = [f"Deelnemer {n},deelnemer{n}@voorbeeld.example" for n in range(participants)]
    (folder / "lijst.csv").write_text("naam,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "bericht.txt").write_text(
        "Subject: Je materiaal, {{ naam }}\nFrom: Trainer <trainer@voorbeeld.example>\n\n"
        "Beste {{ naam }},\n\nIn de bijlage het materiaal van de trainingsdag.\n",
        encoding="utf-8",
    )
    (folder / "bijlage.pdf").write_bytes(os.urandom(ATTACHMENT))
    start = time.perf_counter()
    mailing = prepare_mailing(
        folder / "lijst.csv",
        folder / "bericht.txt",
        output_dir=folder / "output",
        attachments=[folder / "bijlage.pdf"],
        stage=True,
    )
    dry_run(mailing, folder / "output")
    seconds = time.perf_counter() - start
    written = sum(1 for _ in (folder / "output" / "mail" / mailing.name).glob("*.eml"))
    assert written == participants, written
    return {"seconds": seconds, "peak_mb": peak_mb()}


def measure(participants: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        return in_fresh_process(__file__, folder, participants)


def main() -> None:
    args = fresh.parse(fresh.parser(__doc__), child)
    if args is None:
        return
    rows: dict[int, list[dict[str, float]]] = {size: [] for size in SIZES}
    for _ in range(args.runs):
        for size in SIZES:  # interleaved, so both see the same machine load
            rows[size].append(measure(size))
    print(f"dry run with a {ATTACHMENT // 1000} kB attachment, median of {args.runs} runs\n")
    print(f"{'participants':>12}  {'seconds':>8}  {'ms each':>8}  {'peak MB':>8}")
    peaks, times = {}, {}
    for size, runs in rows.items():
        times[size] = statistics.median(r["seconds"] for r in runs)
        peaks[size] = statistics.median(r["peak_mb"] for r in runs)
        each = times[size] / size * 1000
        print(f"{size:>12}  {times[size]:8.2f}  {each:8.2f}  {peaks[size]:8.0f}")
    small, large = SIZES
    print(
        f"\n{large} / {small}: {times[large] / times[small]:.2f} (goal: at most 5.2); "
        f"peak at {large}: {peaks[large]:.0f} MB (goal: at most 100); "
        f"{times[large] / large * 1000:.1f} ms a message (goal: at most 5)"
    )


if __name__ == "__main__":
    main()
