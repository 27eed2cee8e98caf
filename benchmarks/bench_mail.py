"""What a mailing's dry run costs in time and memory as the participant list grows.

    .venv/bin/python benchmarks/bench_mail.py [--runs 3]

Every measurement runs in a fresh process: read and check a list of N participants,
compose every message once with a 100 kB attachment (encoded to base64 once, for every
message), check every size, and write every message as ``.eml`` (the dry run: the
messages composed when the mailing was prepared are moved into place). Messages are
composed one at a time and dropped once written, so memory should not grow with the
list. Goal: the 2,000-participant dry run peaks at 150 MB or less.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import fresh
from fresh import in_fresh_process, peak_mb

SIZES = (200, 2000)
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
    medians = {}
    for size, runs in rows.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        medians[size] = peak
        print(f"{size:>12}  {seconds:8.2f}  {seconds / size * 1000:8.2f}  {peak:8.0f}")
    small, large = SIZES
    print(
        f"\npeak at {large}: {medians[large]:.0f} MB (goal: at most 150); "
        f"growth from {small} to {large}: {medians[large] - medians[small]:+.0f} MB"
    )


if __name__ == "__main__":
    main()
