"""Python's cycle collector while a layout is made and written.

A layout makes millions of small objects that live as long as the layout (WeasyPrint's
boxes, their styles, lines of text, the PDF's objects). With CPython's default thresholds
the collector starts after every 700 new objects and walks the ones made before them again
and again, the whole layout so far each time the oldest generation has grown by a quarter.
None of them is garbage yet; the time is lost. Measured cold with ``build``, interleaved,
in three series (``benchmarks/bench_all.py --collector``): 3–16 % of the document's CPU time,
9–18 % of the handouts', 12–23 % of the exercise cards'. Nothing in the output depends on it.

While a layout or a PDF is made anywhere in the process (:func:`laying_out`; renders in
threads share one count), the youngest generation is collected after :data:`YOUNGEST` new
objects, and the older ones less often; then the thresholds are what they were. Cycles are
still collected, a little later: a build's peak memory grows by some 15–30 MB. (Freezing
what a worker holds before it renders, as Instagram does, gained nothing more here: the
libraries and the content are some 85,000 objects, a few hundredths of a second to walk.)
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

YOUNGEST = 50_000
"""New objects between two collections of the youngest generation while laying out."""
THRESHOLDS = (YOUNGEST, 20, 20)

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def laying_out() -> Iterator[None]:
    """The collector's thresholds for laying out, for as long as this block runs (nested
    and in several threads at once: the first sets them, the last puts them back)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*THRESHOLDS)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
