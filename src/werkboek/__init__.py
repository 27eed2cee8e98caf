"""werkboek: print-ready PDFs from the Inspiratiedocument Toekomstscenario kind- en
gezinsbescherming."""

from .errors import BuildError, ContentError, Problem, RecipeError, WerkboekError
from .loader import Content, load_content

# products before the product modules (they subclass Product; products registers them)
from .products import PRODUCTS, Project, build_products  # isort: skip

__all__ = [
    "PRODUCTS",
    "BuildError",
    "Content",
    "ContentError",
    "Problem",
    "Project",
    "RecipeError",
    "WerkboekError",
    "build_products",
    "load_content",
]
