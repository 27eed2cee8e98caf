"""werkboek: print-ready PDFs from the Inspiratiedocument Toekomstscenario kind- en
gezinsbescherming."""

from .errors import BuildError, ContentError, Problem, RecipeError, WerkboekError
from .loader import Content, load_content

__all__ = [
    "BuildError",
    "Content",
    "ContentError",
    "Problem",
    "RecipeError",
    "WerkboekError",
    "load_content",
]
