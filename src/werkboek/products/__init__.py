"""Products: the PDFs werkboek makes, one class each (see :mod:`.base` for the contract).

The registry maps each product's ``name`` — the command-line word — to its class and
fails loudly on an unknown name.
"""

from __future__ import annotations

from ..errors import WerkboekError, did_you_mean
from .base import Product, ProductOptions, Target
from .cards import CardOptions, CardsProduct
from .document import DocumentProduct
from .handouts import HandoutsProduct
from .workbook import WorkbookOptions, WorkbookProduct

PRODUCTS: dict[str, type[Product]] = {
    cls.name: cls for cls in (DocumentProduct, HandoutsProduct, CardsProduct, WorkbookProduct)
}


def product_class(name: str) -> type[Product]:
    try:
        return PRODUCTS[name]
    except KeyError:
        raise WerkboekError(
            f"onbekend product {name!r}{did_you_mean(name, PRODUCTS)} "
            f"(producten: {', '.join(PRODUCTS)}, all)"
        ) from None


__all__ = [
    "PRODUCTS",
    "CardOptions",
    "CardsProduct",
    "DocumentProduct",
    "HandoutsProduct",
    "Product",
    "ProductOptions",
    "Target",
    "WorkbookOptions",
    "WorkbookProduct",
    "product_class",
]
