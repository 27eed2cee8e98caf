"""What certificates of attendance cost: one, and thirty (their names grafted into one).

    .venv/bin/python benchmarks/bench_certificates.py [--runs 3]

Every measurement runs in a fresh process with werkboek imported before the clock starts and
an empty cache, for the example training day (``tests/roots/trainingsdag/recept.yaml``).
Goal (from the training-day issue): thirty certificates cost at most twice one.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import fresh
from fresh import in_fresh_process, peak_mb

REPO = Path(__file__).resolve().parent.parent
RECIPE = REPO / "tests" / "roots" / "trainingsdag" / "recept.yaml"


def child(folder: str, number: str) -> dict[str, float]:
    output, count = Path(folder), int(number)
    import werkboek.rendering.pdf  # noqa: F401 - imported before the clock starts
    from werkboek import Project
    from werkboek.participants.lists import people_from_names
    from werkboek.products.training_day import CertificateOptions, CertificatesProduct
    from werkboek.recipes import load_recipe

    start = time.perf_counter()
    project = Project(REPO / "content", REPO / "styles", output)
    recipe = load_recipe(RECIPE, project.content)
    people = tuple(people_from_names([f"Deelnemer {n:02d}" for n in range(1, count + 1)]))
    product = CertificatesProduct(project, CertificateOptions(recipe, people))
    written = [path for batch in product.batches() for path in product.build(batch)]
    seconds = time.perf_counter() - start
    assert len(written) == count
    return {"seconds": seconds, "peak_mb": peak_mb()}


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        return in_fresh_process(__file__, folder, count)


def main() -> None:
    args = fresh.parse(fresh.parser(__doc__), child)
    if args is None:
        return
    rows = {1: [], 30: []}  # type: dict[int, list[dict[str, float]]]
    for _ in range(args.runs):
        for count in rows:
            rows[count].append(measure(count))
    print(f"certificates for {RECIPE.name}, median of {args.runs} runs (cold cache)\n")
    print(f"{'':<18}{'seconds':>10}{'peak MB':>10}")
    median = {}
    for count, results in rows.items():
        median[count] = statistics.median(r["seconds"] for r in results)
        peak = max(r["peak_mb"] for r in results)
        print(f"{count:>3} certificates{median[count]:>12.2f}{peak:>10.0f}")
    print(f"\n30 / one: {median[30] / median[1]:.2f}   (goal: at most 2)")


if __name__ == "__main__":
    main()
