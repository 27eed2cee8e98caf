"""Content → model: the YAML files of a content set, validated into typed objects.

* :mod:`.source`: YAML that remembers the line of every value;
* :mod:`.schema` and :mod:`.settings`: what the files may hold (pydantic models);
* :mod:`.validation`: schema errors as located problems, in Dutch;
* :mod:`.checks`: the files against each other;
* :mod:`.markup` and :mod:`.slugs`: the inline markup of texts, and slugs;
* :mod:`.collection`: the loaded :class:`Content`, :mod:`.loader` loads it;
* :mod:`.catalogue`: every slug a recipe can name.
"""

from .collection import Content
from .loader import load_content

__all__ = ["Content", "load_content"]
