"""Content → model: the YAML files of a content set, validated into typed objects.

* :mod:`.source`: YAML that remembers the line of every value;
* :mod:`.schema` and :mod:`.settings`: what the files may hold (pydantic models);
* :mod:`.validation`: schema errors as located problems, in Dutch;
* :mod:`.checks`: the files against each other;
* :mod:`.markup` and :mod:`.slugs`: the inline markup of texts, and slugs;
* :mod:`.collection`: the loaded :class:`Content`, :mod:`.loader` loads it;
* :mod:`.catalogue`: every slug a recipe can name.

:class:`Content` and :func:`load_content` are imported on first use (PEP 562), so that the
light modules here (:mod:`.slugs`, :mod:`.fonts`) do not load pydantic: a warm build from
the cache (:mod:`werkboek.files.replay`) uses them and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import names as _lazy_names

if TYPE_CHECKING:
    from .collection import Content
    from .loader import load_content

_MODULES = {"Content": ".collection", "load_content": ".loader"}

__all__ = ["Content", "load_content"]


__getattr__, __dir__ = _lazy_names(__name__, _MODULES)
