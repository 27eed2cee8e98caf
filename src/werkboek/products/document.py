"""The full document: cover, contents, introduction chapters, every principle, colofon."""

from __future__ import annotations

from collections.abc import Iterator

from .base import Product, Target


class DocumentProduct(Product):
    name = "document"
    folder = "document"
    description = "het hele document"

    def cost(self, target: Target) -> float:
        return 8.0

    def targets(self) -> Iterator[Target]:
        content = self.content
        linkable = {s.slug for _, s in content.stories()} | {
            s.slug for p in content.principles for s in p.leader_stories
        }
        yield Target(
            path=self.output_folder / f"{content.settings.document.file_name}.pdf",
            template="document.html.j2",
            title=content.source_name,
            context={"linkable": linkable},
            key="document",
        )
