"""werkboek against its peers on the same content: whole processes, cold, interleaved.

    .venv/bin/python benchmarks/bench_peers.py [--runs 5] [--pagedjs PATH]

Every row is one whole process (start-up included), run in turn with the others so all
see the same machine load; seconds is its wall time, CPU the user and system time of its
whole process tree. The rows:

* ``werkboek``: ``werkboek build document`` into an empty folder (loading and checking
  the content, templates, QR codes, layout, writing, PDF/UA-1 finishing);
* ``weasyprint``: WeasyPrint alone on the HTML werkboek generates, with the same
  stylesheet and fonts (werkboek's engine: its floor);
* ``paged.js``: ``pagedjs-cli`` (npm) on the same HTML and stylesheet, printing with the
  system's Chromium (``PUPPETEER_EXECUTABLE_PATH``, default ``/usr/bin/chromium``);
  found on ``PATH`` or given with ``--pagedjs``;
* ``typst``: Typst's Python package (``pip install typst``) on the same text (headings,
  paragraphs, list items of that HTML, a contents page), PDF/UA-1, the same fonts.

A peer that is not installed is skipped (and said so). Compare the ratios within one run:
the machine is shared and noisy. What the peers leave out is in README's speed section.
"""

from __future__ import annotations

import html.parser
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

import fresh

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


# ---------------------------------------------------------------- the same content


def generated_html(folder: Path) -> Path:
    """werkboek's HTML of the document, standing alone: the fonts' rules and the stylesheet
    linked, relative URLs resolved against the styles folder."""
    from werkboek import Project
    from werkboek.products import DocumentProduct
    from werkboek.rendering.fonts import font_css

    product = DocumentProduct(Project(REPO / "content", REPO / "styles", folder / "unused"))
    [target] = product.targets()
    text = product.html(target)
    styles = (REPO / "styles").resolve()
    head = (
        f'<base href="{styles.as_uri()}/">'
        f"<style>{font_css()}</style>"
        f'<link rel="stylesheet" href="{(styles / "werkboek.css").as_uri()}">'
    )
    text = text.replace("</head>", head + "</head>", 1)
    path = folder / "document.html"
    path.write_text(text, encoding="utf-8")
    return path


class _Blocks(html.parser.HTMLParser):
    """The headings, paragraphs and list items of an HTML document, as text."""

    TAGS: ClassVar[dict[str, int]] = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "p": 0, "li": -1}

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[int, str]] = []
        self._open: list[tuple[int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TAGS:
            self._open.append((self.TAGS[tag], []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.TAGS and self._open:
            kind, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.blocks.append((kind, text))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].append(data)


def typst_source(html_file: Path) -> str:
    """The text of the HTML as Typst markup (every text a string, so nothing in it is
    markup), with a contents page and the document's font."""
    parser = _Blocks()
    parser.feed(html_file.read_text(encoding="utf-8"))

    def string(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        '#set document(title: "Inspiratiedocument")',
        '#set text(font: ("Atkinson Hyperlegible", "Noto Sans"), size: 10.5pt, lang: "nl")',
        '#set page(paper: "a4", margin: (x: 22mm, y: 24mm), numbering: "1")',
        "#outline()",
        "#pagebreak()",
    ]
    for kind, text in parser.blocks:
        if kind > 0:
            lines.append(f"#heading(level: {kind}, {string(text)})")
        elif kind == 0:
            lines.append(f"#par({string(text)})")
        else:
            lines.append(f"- #{string(text)}")
    return "\n\n".join(lines) + "\n"


# ---------------------------------------------------------------- children


def child(kind: str, html_file: str, output: str) -> dict:
    """The rows that are Python: WeasyPrint alone and Typst (werkboek is its own command)."""
    if kind == "weasyprint":
        from weasyprint import HTML

        HTML(filename=html_file).write_pdf(output, pdf_variant="pdf/ua-1", pdf_tags=True)
    else:
        import typst

        from werkboek.content.fonts import font_dirs

        source = Path(html_file).with_suffix(".typ")
        typst.compile(
            str(source),
            output=output,
            font_paths=[str(folder) for folder in font_dirs()],
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
        )
    return {}


def commands(folder: Path, html_file: Path, pagedjs: str | None) -> dict[str, list[str]]:
    """Each row's command (the PDF it writes is ``folder/<row>.pdf``)."""
    script = [sys.executable, __file__, "--child"]
    folders = ["--inhoud", str(REPO / "content"), "--stijlen", str(REPO / "styles")]
    folders += ["-o", str(folder / "werkboek")]
    rows = {
        "werkboek": [sys.executable, "-m", "werkboek", "build", "document", *folders],
        "weasyprint": [*script, "weasyprint", str(html_file), str(folder / "weasyprint.pdf")],
    }
    if pagedjs:
        rows["paged.js"] = [pagedjs, str(html_file), "-o", str(folder / "paged.js.pdf")]
        rows["paged.js"] += ["--browserArgs", "--no-sandbox", "--timeout", "300000"]
    try:
        import typst  # noqa: F401
    except ImportError:
        print("typst: skipped (pip install typst)")
    else:
        html_file.with_suffix(".typ").write_text(typst_source(html_file), encoding="utf-8")
        rows["typst"] = [*script, "typst", str(html_file), str(folder / "typst.pdf")]
    return rows


def whole_process(command: list[str]) -> dict:
    """Wall time of ``command``, and the CPU time of it and everything it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    chromium = os.environ.get("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    subprocess.run(command, check=True, capture_output=True, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": seconds, "cpu": cpu}


def main() -> None:
    parser = fresh.parser(__doc__)
    parser.add_argument("--pagedjs", help="pagedjs-cli's path (default: from PATH)")
    parser.set_defaults(runs=5)
    args = fresh.parse(parser, child)
    if args is None:
        return
    pagedjs = args.pagedjs or shutil.which("pagedjs-cli")
    if not pagedjs:
        print("paged.js: skipped (npm install pagedjs-cli, or --pagedjs PATH)")
    elif not Path(os.environ.get("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)).exists():
        print(f"paged.js: skipped (no Chromium at {CHROMIUM})")
        pagedjs = None

    import pypdf

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        html_file = generated_html(folder)
        rows = commands(folder, html_file, pagedjs)
        results: dict[str, list[dict]] = {row: [] for row in rows}
        for _ in range(args.runs):  # interleaved: every row sees the same machine load
            for row, command in rows.items():
                if row == "werkboek":  # cold: no build cache
                    shutil.rmtree(folder / "werkboek", ignore_errors=True)
                results[row].append(whole_process(command))
        pages = {}
        for row in rows:
            pdf = next((folder / "werkboek").rglob("*.pdf")) if row == "werkboek" else None
            pages[row] = len(pypdf.PdfReader(pdf or folder / f"{row}.pdf").pages)

    print(f"\ninspiratiedocument, whole processes, cold, median of {args.runs} interleaved runs")
    print(f"{'':<12}{'pages':>7}{'seconds':>10}{'CPU s':>8}{'× werkboek':>12}")
    ours = statistics.median(r["seconds"] for r in results["werkboek"])
    for row, measured in results.items():
        seconds = statistics.median(r["seconds"] for r in measured)
        cpu = statistics.median(r["cpu"] for r in measured)
        print(f"{row:<12}{pages[row]:>7}{seconds:>10.2f}{cpu:>8.2f}{seconds / ours:>12.2f}")


if __name__ == "__main__":
    main()
