"""Workbook recipes: a trainer's choice of principles, parts, exercises, texts and own pages.

* :mod:`.model`: the items a recipe names and the :class:`Recipe` resolved against the content;
* :mod:`.resolve`: a recipe from a file, from text (YAML or JSON) or from a mapping, every
  problem located;
* :mod:`.own_pages`: a trainer's own pages (Markdown), checked and made safe HTML.
"""

from .model import EDITIONS, MAX_BYTES, MAX_ITEMS, Kind, Recipe, Selection
from .own_pages import OwnPage, OwnPageError, read_own_page
from .resolve import load_recipe, parse_recipe, recipe_from_mapping, recipe_yaml

__all__ = [
    "EDITIONS",
    "MAX_BYTES",
    "MAX_ITEMS",
    "Kind",
    "OwnPage",
    "OwnPageError",
    "Recipe",
    "Selection",
    "load_recipe",
    "parse_recipe",
    "read_own_page",
    "recipe_from_mapping",
    "recipe_yaml",
]
