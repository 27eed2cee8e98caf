"""How long ``werkboek build all`` takes, against the document alone and the sum of the parts.

    .venv/bin/python benchmarks/bench_all.py [--runs 3] [--collector]

Every measurement is a cold build in a fresh process into an empty folder (no
build cache), timed around ``build_products`` like bench_document.py (imports
happen before the clock starts). Interleaved, so all see the same machine load:

* ``document``: the inspiratiedocument alone;
* ``handouts``, ``cards``: each product alone, one target after the other (``jobs=1``);
* ``all``: every product, targets rendered in parallel on all cores (the default).

It prints the medians, ``all / document`` (the goal is at most 1.3) and
``all / (document + handouts + cards)``: what rendering in parallel and sharing
saves over building each product from scratch.

``--collector`` measures every kind a second time, interleaved, with Python's cycle
collector at CPython's default thresholds instead of werkboek's while laying out
(``werkboek.rendering.collector``), and prints the CPU seconds of both side by side.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import fresh
from fresh import in_fresh_process

REPO = Path(__file__).resolve().parent.parent
KINDS = {
    "document": (["document"], 1),
    "handouts": (["handouts"], 1),
    "cards": (["cards"], 1),
    "all": (["all"], None),
}


def child(kind: str, folder: str, collector: str = "werkboek") -> dict:
    output = Path(folder)
    import werkboek.rendering.pdf  # noqa: F401 - imported before the clock starts, as WeasyPrint is
    from werkboek import Project, build_products
    from werkboek.rendering import collector as thresholds

    if collector == "default":  # (forked workers inherit it)
        thresholds.THRESHOLDS = gc.get_threshold()
    names, jobs = KINDS[kind]
    start = time.perf_counter()
    before = _cpu()
    written = build_products(Project(REPO / "content", REPO / "styles", output), names, jobs=jobs)
    seconds = time.perf_counter() - start
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "seconds": seconds,
        "cpu": _cpu() - before,
        "files": len(written),
        "peak_mb": peak / 1024,
    }


def _cpu() -> float:
    """CPU seconds of this process and of its workers that have ended."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def run_child(kind: str, collector: str = "werkboek") -> dict:
    with tempfile.TemporaryDirectory() as folder:
        return in_fresh_process(__file__, kind, folder, collector)


def main() -> None:
    arguments = fresh.parser(__doc__)
    arguments.add_argument(
        "--collector",
        action="store_true",
        help="also measure with the cycle collector at CPython's default thresholds",
    )
    args = fresh.parse(arguments, child)
    if args is None:
        return

    rows: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    default: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for _ in range(args.runs):
        for kind in KINDS:
            rows[kind].append(run_child(kind))
            if args.collector:
                default[kind].append(run_child(kind, "default"))

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cold builds, median of {args.runs} runs, {cores} cores\n")
    print(f"{'':<10}{'files':>7}{'seconds':>10}{'peak MB':>10}")
    medians = {}
    for kind, results in rows.items():
        medians[kind] = statistics.median(r["seconds"] for r in results)
        peak = max(r["peak_mb"] for r in results)
        print(f"{kind:<10}{results[0]['files']:>7}{medians[kind]:>10.2f}{peak:>10.0f}")
    parts = medians["document"] + medians["handouts"] + medians["cards"]
    ratio = medians["all"] / medians["document"]
    print(f"\nall / document: {ratio:.2f} (goal: at most 1.3, issue 24)")
    print(f"all / (document + handouts + cards) = {medians['all']:.2f} / {parts:.2f}: ", end="")
    print(f"{medians['all'] / parts:.2f}")
    if args.collector:
        print("\nCPU seconds, median, with the cycle collector as werkboek sets it for laying out")
        print("and at CPython's default thresholds (the same runs, interleaved):\n")
        print(f"{'':<10}{'werkboek':>10}{'default':>10}{'saved':>8}")
        for kind in KINDS:
            ours = statistics.median(r["cpu"] for r in rows[kind])
            theirs = statistics.median(r["cpu"] for r in default[kind])
            print(f"{kind:<10}{ours:>10.2f}{theirs:>10.2f}{1 - ours / theirs:>8.0%}")


if __name__ == "__main__":
    main()
