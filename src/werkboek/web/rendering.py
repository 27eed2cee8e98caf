"""The one way the web app makes a workbook's PDF: the API, the composer's preview and its
download all call :func:`workbook_pdf`."""

from __future__ import annotations

from ..products import WorkbookOptions, WorkbookProduct
from ..recipes import Recipe
from .site import Site


def workbook_pdf(site: Site, recipe: Recipe) -> bytes:
    """The workbook of ``recipe`` (its edition as the recipe says), as PDF bytes."""
    product = WorkbookProduct(site.project, WorkbookOptions(recipe))
    return product.pdf(next(iter(product.targets())))
