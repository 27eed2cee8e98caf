"""The cycle collector's thresholds while laying out (werkboek.rendering.collector)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from werkboek.rendering import collector
from werkboek.rendering.renderer import Renderer


@pytest.fixture(autouse=True)
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_thresholds_are_raised_while_laying_out_and_put_back_after():
    with collector.laying_out():
        assert gc.get_threshold() == collector.THRESHOLDS
        with collector.laying_out():  # nested: still raised
            assert gc.get_threshold() == collector.THRESHOLDS
        assert gc.get_threshold() == collector.THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_the_thresholds_are_put_back_after_a_failure():
    with pytest.raises(ValueError), collector.laying_out():
        raise ValueError
    assert gc.get_threshold() == (700, 10, 10)


def test_renders_in_threads_keep_them_raised_until_the_last_ends():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, tuple[int, int, int]] = {}

    def first() -> None:
        with collector.laying_out():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collector.laying_out():
            second_in.set()
            first_out.wait(5)
            seen["after the first ended"] = gc.get_threshold()
        seen["after both"] = gc.get_threshold()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {
        "after the first ended": collector.THRESHOLDS,
        "after both": (700, 10, 10),
    }


def test_a_layout_and_its_pdf_are_made_with_them(tmp_path: Path, monkeypatch):
    from werkboek.rendering import pdf

    during: list[tuple[int, int, int]] = []
    layout, pdf_bytes = pdf.layout, pdf.pdf_bytes

    def watched_layout(*args, **kwargs):
        during.append(gc.get_threshold())
        return layout(*args, **kwargs)

    def watched_pdf(*args, **kwargs):
        during.append(gc.get_threshold())
        return pdf_bytes(*args, **kwargs)

    monkeypatch.setattr(pdf, "layout", watched_layout)
    monkeypatch.setattr(pdf, "pdf_bytes", watched_pdf)
    styles = tmp_path / "stijlen"
    styles.mkdir()
    (styles / "a.css").write_text("body { font-size: 12pt; }")
    renderer = Renderer(tmp_path / "inhoud", styles)
    html = '<html lang="nl"><head><title>Een</title></head><body><p>Een blad.</p></body></html>'
    data = renderer.pdf(renderer.layout(html, ["a.css"], what="een.pdf"), what="een.pdf")
    assert data.startswith(b"%PDF-")
    assert during == [collector.THRESHOLDS, collector.THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)
