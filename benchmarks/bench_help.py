"""How long ``werkboek --help`` takes, as a user waits for it: a fresh process each time.

    .venv/bin/python benchmarks/bench_help.py [--runs 10]

Each row starts a new Python process and waits for it to end, so interpreter start-up,
imports and the help text all count; the median of the runs is shown. ``python -c pass`` is
the floor no command can go below; "import everything" is what ``import werkboek`` cost when
the package imported its modules at once (the build, products, content and recipes). "CPU s"
(user + system time of the process) is what the run cost whatever else the machine was doing;
on a busy machine the seconds on the clock are several times that. Goal: ``werkboek --help``
under 0.5 s.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import fresh

WERKBOEK = Path(sys.executable).with_name("werkboek")
COMMAND = [str(WERKBOEK)] if WERKBOEK.exists() else [sys.executable, "-m", "werkboek"]
EVERYTHING = "import werkboek.build, werkboek.products, werkboek.content, werkboek.recipes"

ROWS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import werkboek.cli": [sys.executable, "-c", "import werkboek.cli"],
    "werkboek --help": [*COMMAND, "--help"],
    "werkboek build --help": [*COMMAND, "build", "--help"],
    "werkboek mail --help": [*COMMAND, "mail", "--help"],
    "import everything": [sys.executable, "-c", EVERYTHING],
}


def seconds(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def child() -> dict:
    """Unused: every row is timed from outside its process."""
    return {}


def main() -> None:
    parser = fresh.parser(__doc__)
    parser.set_defaults(runs=10)
    args = fresh.parse(parser, child)
    if args is None:
        return
    for command in ROWS.values():  # once first, so every row reads warm files from disk
        seconds(command)
    times = {name: [seconds(command) for _ in range(args.runs)] for name, command in ROWS.items()}

    print(f"median of {args.runs} runs, each a fresh process\n")
    print(f"{'':<24}{'seconds':>10}{'max':>10}{'CPU s':>10}")
    for name, results in times.items():
        wall = statistics.median(w for w, _ in results)
        cpu = statistics.median(c for _, c in results)
        print(f"{name:<24}{wall:>10.3f}{max(w for w, _ in results):>10.3f}{cpu:>10.3f}")
    help_median = statistics.median(w for w, _ in times["werkboek --help"])
    print(f"\nwerkboek --help: {help_median:.3f} s  (goal: under 0.5 s)")


if __name__ == "__main__":
    main()
