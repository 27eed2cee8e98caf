"""Exercise cards and uitgangspunten cards: single cards and A4 sheets to print and cut.

* :mod:`.units`: what goes on a card, cut into units that never break;
* :mod:`.measure`: which units fit on which face;
* :mod:`.sheet`: card formats, and how cards sit on an A4 sheet (slots, bleed, marks);
* :mod:`.product`: the product that renders them.
"""

from .product import CardOptions, CardsProduct

__all__ = ["CardOptions", "CardsProduct"]
