"""Handouts: one principle, or one supplementary text, as a document of its own.

A principle handout is the principle as the document prints it (the opener and its six
parts, with the same templates and styles), with a first page that says where it comes
from, page numbers from 1 ("Gezinsgericht — 3 / 14"), its own outline and metadata, and
a last line with the source and the contact address. The supplementary texts (the
twelve praktische uitgangspunten and the other articles) get the same treatment.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..content.markup import plain_text
from ..words import dutch_date
from .base import Product, Target


class HandoutsProduct(Product):
    name = "handouts"
    folder = "handouts"
    description = "een hand-out per principe en per aanvullende tekst"
    stylesheets = ("werkboek.css", "handouts.css")

    def cost(self, target: Target) -> float:
        return 1.2 if target.context["principle"] else 0.2

    def targets(self) -> Iterator[Target]:
        content = self.content
        document = content.document
        origin = plain_text(content.settings.document.origin)
        # the date kept on one line: "2024" alone on the next read as a stray number
        date = dutch_date(document.version).replace(" ", "\N{NO-BREAK SPACE}")
        version = f"versie {date}"
        shared = {
            "context_line": f"Uit {origin}, {version}",
            "source_line": f"{content.source_name}, {version}",
            # every contact line of the organisation: address, website, e-mail
            "contact_lines": content.organisation.contact,
        }
        for number, principle in enumerate(content.principles, 1):
            linkable = {s.slug for s in principle.stories} | {
                s.slug for s in principle.leader_stories
            }
            yield Target(
                path=self.output_folder / f"{principle.slug}.pdf",
                template="handout.html.j2",
                title=f"{principle.plain_title}: hand-out uit {origin}",
                context={
                    "principle": principle,
                    "number": number,
                    "article": None,
                    "linkable": linkable,
                    **shared,
                },
                key=f"principe:{principle.slug}",
            )
        for article in content.articles:
            yield Target(
                path=self.output_folder / f"{article.slug}.pdf",
                template="handout.html.j2",
                title=f"{article.plain_title}: hand-out uit {origin}",
                context={"principle": None, "article": article, **shared},
                key=f"artikel:{article.slug}",
            )
