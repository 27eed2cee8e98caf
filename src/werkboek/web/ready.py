"""The ready products a trainer can download from the catalogue, and how to make one.

Each is one file of one product (the document, a handout, a card sheet, a single card),
named by an id made of the product's word, its options and the file name — never a
path. It is made by the same product classes as ``werkboek build``, as bytes, through
the build cache: the second trainer to ask gets it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.markup import plain_text
from ..products import PRODUCTS, CardOptions, ProductOptions
from ..project import Project


@dataclass(frozen=True)
class Ready:
    id: str
    group: str
    title: str
    product: str
    options: ProductOptions
    file: str

    @property
    def download_name(self) -> str:
        return self.file


def ready_products(project: Project) -> list[Ready]:
    """Everything the catalogue offers, in the order it shows them."""
    found: list[Ready] = []
    for name, options, group in [
        ("document", ProductOptions(), "Het hele document"),
        ("handouts", ProductOptions(), "Hand-outs"),
        ("cards", CardOptions("a5"), "Kaarten op A4-vellen, om te knippen"),
        ("cards", CardOptions("a6"), "Kaarten op A4-vellen, om te knippen"),
    ]:
        product = PRODUCTS[name](project, options)
        for target in product.targets():
            for path in target.files:
                size = getattr(options, "card_size", "")
                ident = f"{name}{'-' + size if size else ''}/{path.stem}"
                title = _title(project, name, size, path.stem, target.title)
                if name == "cards" and size == "a6" and path.stem != "oefenkaarten":
                    continue  # the small single cards: the sheet is what trainers print
                single = name == "cards" and path in target.also
                shown = "Losse oefenkaarten (A5, voor- en achterkant)" if single else group
                found.append(Ready(ident, shown, title, name, options, path.name))
    return found


def _title(project: Project, name: str, size: str, stem: str, target_title: str) -> str:
    content = project.content
    if name == "document":
        return content.source_name
    if name == "handouts":
        for principle in content.principles:
            if principle.slug == stem:
                return principle.plain_title
        return content.article(stem).plain_title if content.has_article(stem) else stem
    if stem == "oefenkaarten":
        return f"Alle oefenkaarten op A4-vellen ({size.upper()})"
    uitgangspunten = content.settings.cards.uitgangspunten
    if stem == "uitgangspunten" and uitgangspunten is not None:
        return f"Kaarten: {plain_text(uitgangspunten.band[0])}"
    for _, exercise in content.exercises():
        if exercise.slug == stem:
            return f"Oefenkaart: {exercise.plain_title}"
    return target_title


def grouped(project: Project) -> list[tuple[str, list[Ready]]]:
    """The ready products by group, sheets before single cards."""
    groups: dict[str, list[Ready]] = {}
    for ready in ready_products(project):
        groups.setdefault(ready.group, []).append(ready)
    return sorted(groups.items(), key=lambda g: g[0].startswith("Losse"))


def find(project: Project, ident: str) -> Ready | None:
    return next((r for r in ready_products(project) if r.id == ident), None)


def make(project: Project, ready: Ready) -> bytes:
    """The file's bytes (from the cache when nothing changed)."""
    product = PRODUCTS[ready.product](project, ready.options)
    for target in product.targets():
        names = [path.name for path in target.files]
        if ready.file in names:
            return product.pdfs([target])[0][names.index(ready.file)]
    raise KeyError(ready.id)
