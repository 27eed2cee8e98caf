"""werkboek: print-ready PDFs from a programme's material, for trainers.

The flow, in the layout of the package: ``content`` (YAML → model) → ``recipes`` and
``people`` (what a trainer asks for) → ``products`` (which PDFs, and what goes into
each) → ``rendering`` (HTML → PDF) → ``mail``; ``build`` checks and schedules, ``cli``
is the command line.

The names below are imported on first use (PEP 562), so that ``import werkboek.cli``,
and with it ``werkboek --help``, does not load WeasyPrint, pydantic or pikepdf.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import names as _lazy_names

if TYPE_CHECKING:
    from .build import CheckReport, build_products, check_project
    from .content import Content, load_content
    from .errors import (
        BuildError,
        ContentError,
        ListError,
        Problem,
        RecipeError,
        WerkboekError,
    )
    from .products import PRODUCTS, Product, Target, product_class
    from .project import Project
    from .recipes import Recipe, load_recipe, parse_recipe, recipe_from_mapping

# each public name and the module it comes from
_MODULES = {
    "CheckReport": ".build",
    "build_products": ".build",
    "check_project": ".build",
    "Content": ".content",
    "load_content": ".content",
    "BuildError": ".errors",
    "ContentError": ".errors",
    "ListError": ".errors",
    "Problem": ".errors",
    "RecipeError": ".errors",
    "WerkboekError": ".errors",
    "PRODUCTS": ".products",
    "Product": ".products",
    "Target": ".products",
    "product_class": ".products",
    "Project": ".project",
    "Recipe": ".recipes",
    "load_recipe": ".recipes",
    "parse_recipe": ".recipes",
    "recipe_from_mapping": ".recipes",
}

__all__ = [
    "PRODUCTS",
    "BuildError",
    "CheckReport",
    "Content",
    "ContentError",
    "ListError",
    "Problem",
    "Product",
    "Project",
    "Recipe",
    "RecipeError",
    "Target",
    "WerkboekError",
    "build_products",
    "check_project",
    "load_content",
    "load_recipe",
    "parse_recipe",
    "product_class",
    "recipe_from_mapping",
]


__getattr__, __dir__ = _lazy_names(__name__, _MODULES)
