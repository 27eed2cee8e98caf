"""A project: where the content, styles, recipes and output live, and what is loaded from them.

The command line makes one per command; the web app makes one when it starts and
serves every request from it. The content is loaded and checked once, on first use;
the renderer (with the project's own templates) is made once too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content import Content, load_content
from .files.cache import BuildCache, fingerprint

if TYPE_CHECKING:
    from .rendering.renderer import Renderer


@dataclass
class Project:
    content_dir: Path = Path("content")
    styles_dir: Path = Path("styles")
    output_dir: Path = Path("output")
    recipes_dir: Path | None = None
    """Where recipes are saved; the workbook product builds them all when given no recipe."""
    print_shop: bool = False
    """PDF/X-4 files for a print shop (see :mod:`werkboek.pdf.press`) instead of the
    accessible PDF/UA-1 files."""
    _content: Content | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def content(self) -> Content:
        """The content, loaded and checked on first use (raises ContentError)."""
        with self._lock:
            if self._content is None:
                self._content = load_content(self.content_dir)
            return self._content

    @property
    def inputs(self) -> list[Path]:
        """The folders a run reads from, which it may never write into."""
        folders = [self.content_dir, self.styles_dir]
        return folders + ([self.recipes_dir] if self.recipes_dir is not None else [])

    @cached_property
    def renderer(self) -> Renderer:
        from .rendering.renderer import Renderer
        from .rendering.templates import identity

        return Renderer(
            self.content_dir,
            self.styles_dir,
            identity(self.content),
            print_shop=self.print_shop,
        )

    @cached_property
    def cache(self) -> BuildCache:
        """Built PDFs by what went into them (content, styles, werkboek, libraries)."""
        return BuildCache(
            self.output_dir / ".cache", fingerprint(self.content_dir, self.styles_dir)
        )

    def __getstate__(self) -> dict[str, Any]:
        # to a worker process: the folders and the loaded content; the rest is made there
        state = {k: v for k, v in self.__dict__.items() if k not in ("renderer", "_lock")}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
