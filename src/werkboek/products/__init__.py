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
from .training_day import (
    AttendanceOptions,
    AttendanceProduct,
    CertificateOptions,
    CertificatesProduct,
)
from .workbook import (
    WorkbookOptions,
    WorkbookProduct,
    cached_preview,
    workbook_options,
    workbook_pdf,
    workbook_preview,
)

PRODUCTS: dict[str, type[Product]] = {
    cls.name: cls
    for cls in (
        DocumentProduct,
        HandoutsProduct,
        CardsProduct,
        WorkbookProduct,
        AttendanceProduct,
        CertificatesProduct,
    )
}
"""Every product, by name. ``attendance`` and ``certificates`` make nothing without a
recipe and a participant list in their options (so ``build all`` passes them by)."""


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
    "AttendanceOptions",
    "AttendanceProduct",
    "CardOptions",
    "CardsProduct",
    "CertificateOptions",
    "CertificatesProduct",
    "DocumentProduct",
    "HandoutsProduct",
    "Product",
    "ProductOptions",
    "Target",
    "WorkbookOptions",
    "WorkbookProduct",
    "cached_preview",
    "product_class",
    "workbook_options",
    "workbook_pdf",
    "workbook_preview",
]
