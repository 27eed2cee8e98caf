"""A package's names imported on first use (PEP 562): importing the package stays cheap.

``__getattr__, __dir__ = lazy.names(__name__, {"Name": ".module", ...})`` in a package's
``__init__`` makes ``package.Name`` import ``.module`` the first time it is asked for (and
keeps it, so the next time is a plain attribute)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def names(
    package: str, modules: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__`` for ``modules`` (name → module,
    relative to ``package``)."""
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *modules])

    return __getattr__, __dir__
