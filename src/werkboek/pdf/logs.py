"""WeasyPrint only *logs* a missing image, bad CSS or a broken anchor: here that fails the build.

One handler sits on WeasyPrint's logger for the whole process. What it receives goes to
the collector of the render that is running *in that thread or task* (a context
variable), so two renders at once — threads of a web server, say — each see only their
own messages: neither fails nor silences the other.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

from ..errors import BuildError

_messages: ContextVar[list[str] | None] = ContextVar("werkboek_weasyprint_messages", default=None)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        messages = _messages.get()
        if messages is not None:
            messages.append(record.getMessage())


_COLLECTOR = _Collector()
for _name in ("weasyprint", "weasyprint.progress"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(h, _Collector) for h in _logger.handlers):
        _logger.addHandler(_COLLECTOR)


@contextlib.contextmanager
def weasyprint_must_stay_silent(what: str) -> Iterator[None]:
    """Turn anything WeasyPrint logs at warning level or above, inside the block and in
    this thread or task, into a :class:`BuildError` about ``what``."""
    messages: list[str] = []
    token = _messages.set(messages)
    try:
        yield
    finally:
        _messages.reset(token)
    if messages:
        raise BuildError(f"{what}: WeasyPrint meldt: " + "; ".join(messages[:5]))
