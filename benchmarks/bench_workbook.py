"""What a workbook costs: cold, warm (content unchanged), 30 and 300 personal copies.

    .venv/bin/python benchmarks/bench_workbook.py [--runs 3] [--recipe recepten/….yaml]

Every measurement runs in a fresh process with werkboek imported before the
clock starts. ``cold`` starts from an empty cache, ``warm`` builds the same
workbook again with the cache of the cold run, ``30 copies`` and ``300 copies``
build personal copies ("Werkboek van …") from an empty cache. Goals: warm at most
a tenth of cold; 30 copies at most 1.3 times one workbook, 300 at most twice.

"warm, whole process" is what a trainer waits for when nothing changed: ``werkboek workbook
RECIPE -o FILE`` run again as a command, start-up and imports included (the first run fills
the cache and records it, see ``files/replay.py``), median of 9, on the clock and in CPU s
(user + system of the process: what it cost whatever else the machine was doing). Goal: at
most 0.3 s.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fresh
from fresh import in_fresh_process, peak_mb

REPO = Path(__file__).resolve().parent.parent
NAMES = [f"Deelnemer {n:03d}" for n in range(1, 301)]
WERKBOEK = Path(sys.executable).with_name("werkboek")
COMMAND = [str(WERKBOEK)] if WERKBOEK.exists() else [sys.executable, "-m", "werkboek"]
WHOLE_RUNS = 9


def child(folder: str, recipe_file: str, number: str) -> dict:
    output, recipe, copies = Path(folder), Path(recipe_file), int(number)
    import werkboek.rendering.pdf  # noqa: F401 - imported before the clock starts
    from werkboek import Project
    from werkboek.build import build_workbook

    start = time.perf_counter()
    project = Project(REPO / "content", REPO / "styles", output)
    paths = build_workbook(project, recipe, names=NAMES[:copies])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "files": len(paths), "peak_mb": peak_mb()}


def measure(output: Path, recipe: Path, copies: int, *, clear: bool) -> dict:
    if clear:
        shutil.rmtree(output, ignore_errors=True)
    return in_fresh_process(__file__, output, recipe, copies)


def whole_process(folder: Path, recipe: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``werkboek workbook`` as a command, in ``folder`` (its
    cache in ``folder/output``)."""
    command = [
        *COMMAND,
        "workbook",
        str(recipe),
        "--inhoud",
        str(REPO / "content"),
        "--stijlen",
        str(REPO / "styles"),
        "-o",
        str(folder / "werkboek.pdf"),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=folder, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = fresh.parser(__doc__)
    parser.add_argument(
        "--recipe",
        type=Path,
        default=REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml",
    )
    args = fresh.parse(parser, child)
    if args is None:
        return

    rows: dict[str, list[dict]] = {
        "one workbook, cold": [],
        "same again, warm": [],
        "30 copies, cold": [],
        "300 copies, cold": [],
    }
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "output"
        for _ in range(args.runs):
            rows["one workbook, cold"].append(measure(output, args.recipe, 0, clear=True))
            rows["same again, warm"].append(measure(output, args.recipe, 0, clear=False))
            rows["300 copies, cold"].append(measure(output, args.recipe, 300, clear=True))
            rows["30 copies, cold"].append(measure(output, args.recipe, 30, clear=True))
        import pypdf

        pages = len(pypdf.PdfReader(next(output.rglob("deelnemer-001.pdf"))).pages)
        whole = Path(folder) / "opdracht"
        whole.mkdir()
        whole_process(whole, args.recipe)  # cold: fills the cache and records the run
        warm = [whole_process(whole, args.recipe) for _ in range(WHOLE_RUNS)]

    print(f"{args.recipe.name}: {pages} pages, median of {args.runs} runs\n")
    print(f"{'':<22}{'seconds':>10}{'peak MB':>10}")
    median = {}
    for name, results in rows.items():
        median[name] = statistics.median(r["seconds"] for r in results)
        peak = max(r["peak_mb"] for r in results)
        print(f"{name:<22}{median[name]:>10.2f}{peak:>10.0f}")
    cold = median["one workbook, cold"]
    wall = statistics.median(w for w, _ in warm)
    cpu = statistics.median(c for _, c in warm)
    print(f"{'warm, whole process':<22}{wall:>10.2f}   ({cpu:.2f} CPU s, median of {WHOLE_RUNS})")
    print(f"\nwarm / cold:      {median['same again, warm'] / cold:.3f}  (goal: at most 0.1)")
    print(f"warm, whole process: {wall:.2f} s  (goal: at most 0.3)")
    print(f"30 copies / one:  {median['30 copies, cold'] / cold:.2f}   (goal: at most 1.3)")
    print(f"300 copies / one: {median['300 copies, cold'] / cold:.2f}   (goal: at most 2)")


if __name__ == "__main__":
    main()
