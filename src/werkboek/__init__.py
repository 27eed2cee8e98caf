"""werkboek: print-ready PDFs from a programme's material, for trainers.

The flow, in the layout of the package: ``content`` (YAML → model) → ``recipes`` and
``people`` (what a trainer asks for) → ``products`` (which PDFs, and what goes into
each) → ``rendering`` (HTML → PDF) → ``mail``; ``build`` checks and schedules, ``cli``
is the command line.
"""

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
