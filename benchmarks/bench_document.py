"""How long the full inspiratiedocument takes, and what werkboek adds to WeasyPrint.

    .venv/bin/python benchmarks/bench_document.py [--runs 3]

Each measurement runs in a fresh process (a cold build: nothing cached). It
prints a table with pages, seconds, pages per second and peak memory for

* ``werkboek``: ``build_products(project, ["document"])``: loading and checking the
  content, templating, QR codes, layout and writing the PDF;
* ``weasyprint``: WeasyPrint alone laying out and writing the same generated HTML
  with the same stylesheets and fonts;

and the ratio of the two, whose excess over 1 is werkboek's own overhead.
Timings are for comparison within one run; the machine is small and noisy.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import fresh
from fresh import in_fresh_process, peak_mb

REPO = Path(__file__).resolve().parent.parent


def child_werkboek(output: Path) -> dict:
    import werkboek.rendering.pdf  # noqa: F401 - imported before the clock starts, as WeasyPrint is
    from werkboek import Project, build_products

    output = Path(tempfile.mkdtemp(dir=output))  # a folder of its own: no build cache, cold
    start = time.perf_counter()
    [pdf] = build_products(Project(REPO / "content", REPO / "styles", output), ["document"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pdf": str(pdf)}


def child_weasyprint(output: Path, html_file: Path) -> dict:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from werkboek.rendering.fonts import font_css

    html = html_file.read_text(encoding="utf-8")
    start = time.perf_counter()
    fonts = FontConfiguration()
    css = [
        CSS(string=font_css(), font_config=fonts),
        CSS(filename=str(REPO / "styles" / "werkboek.css"), font_config=fonts),
    ]
    pdf = output / "bare.pdf"
    HTML(string=html, base_url=str(REPO / "styles") + "/").write_pdf(
        pdf, stylesheets=css, font_config=fonts, pdf_variant="pdf/ua-1", pdf_tags=True
    )
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pdf": str(pdf)}


def child(kind: str, output: str, html_file: str) -> dict:
    if kind == "werkboek":
        result = child_werkboek(Path(output))
    else:
        result = child_weasyprint(Path(output), Path(html_file))
    return {**result, "peak_mb": peak_mb()}


def run_child(kind: str, output: Path, html_file: Path) -> dict:
    return in_fresh_process(__file__, kind, output, html_file)


def generated_html(path: Path) -> None:
    from werkboek import Project
    from werkboek.products import DocumentProduct

    product = DocumentProduct(Project(REPO / "content", REPO / "styles", path.parent))
    [target] = product.targets()
    path.write_text(product.html(target), encoding="utf-8")


def main() -> None:
    args = fresh.parse(fresh.parser(__doc__), child)
    if args is None:
        return

    import pypdf

    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder)
        html_file = output / "document.html"
        generated_html(html_file)
        rows: dict[str, list[dict]] = {"werkboek": [], "weasyprint": []}
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            for kind in rows:
                rows[kind].append(run_child(kind, output, html_file))
        pages = len(pypdf.PdfReader(rows["werkboek"][0]["pdf"]).pages)

    print(f"inspiratiedocument, {pages} pages, median of {args.runs} cold runs\n")
    print(f"{'':<12}{'seconds':>10}{'pages/s':>10}{'peak MB':>10}")
    medians = {}
    for kind, results in rows.items():
        seconds = statistics.median(r["seconds"] for r in results)
        peak = max(r["peak_mb"] for r in results)
        medians[kind] = seconds
        print(f"{kind:<12}{seconds:>10.2f}{pages / seconds:>10.1f}{peak:>10.0f}")
    ratio = medians["werkboek"] / medians["weasyprint"]
    print(f"\nwerkboek / weasyprint: {ratio:.3f} (werkboek's own overhead {ratio - 1:+.1%})")


if __name__ == "__main__":
    main()
