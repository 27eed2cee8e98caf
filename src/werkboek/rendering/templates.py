"""HTML from templates: one Jinja environment per project.

* Templates come from the content set's own ``sjablonen/`` folder first (so a content
  set can override any of them) and then from the package (``ChoiceLoader``).
* Autoescape is on, undefined names fail loudly (``StrictUndefined``), and templates run
  in Jinja's sandbox: a template from a content folder can print data, not run code.
* Text from content passes through the ``inline`` filter, which escapes it first and
  only then renders the safe inline markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..content import Content, schema
from ..content.fonts import is_right_to_left, language_of
from ..content.markup import plain_text, render_inline
from ..errors import BuildError, Problem, display_path
from ..pdf import MARKER
from ..words import capital, dutch_date
from .qr import qr_image

OVERRIDES = "sjablonen"
"""The folder in a content set whose templates replace the package's."""


ENVIRONMENT: dict[str, Any] = {
    "autoescape": True,  # no text from content, recipes or forms can become HTML
    "undefined": jinja2.StrictUndefined,  # a misspelt name fails, not prints nothing
    "trim_blocks": True,
    "lstrip_blocks": True,
}
"""How every Jinja environment of werkboek is set up (the PDFs' and the web app's)."""


class FolderLoader(jinja2.FileSystemLoader):
    """Templates from one folder, and only from there: a symbolic link that leads out of
    the folder is not followed."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        roots = [os.path.realpath(folder) for folder in self.searchpath]
        real = os.path.realpath(filename)
        if not any(real.startswith(root + os.sep) for root in roots):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def _blocks_only(blocks: list[Any], trainer: bool) -> list[Any]:
    return [b for b in blocks if trainer or not isinstance(b, schema.TrainerOnly)]


def person_name(name: str, css_class: str = "", pdf_id: str = "") -> Markup:
    """A participant's name as HTML: in a script other than Latin, in a ``span`` with its
    language (the span's tag gets its ``/Lang``, so a screen reader says the name in a voice
    that can) and, right to left, its direction; ``pdf_id``: the ID of its structure
    element (where another name is grafted in, :mod:`werkboek.pdf.names`)."""
    language = language_of(name)
    attributes = f' class="{css_class}"' if css_class else ""
    if pdf_id:
        attributes += f' data-pdf-id="{Markup.escape(pdf_id)}"'
    if language is not None:
        attributes += f' lang="{language}"'
        if is_right_to_left(name):
            attributes += ' dir="rtl"'
    if not attributes:
        return Markup.escape(name)
    return Markup(f"<span{attributes}>{Markup.escape(name)}</span>")


def identity(content: Content) -> dict[str, Any]:
    """The programme's own names every template may use: the parts' titles, its words, its
    organisation and the logo's address (``None`` without one)."""
    logo = content.logo
    return {
        "PARTS": content.parts,
        "WORDS": content.words,
        "ORGANISATION": content.organisation,
        "LOGO": logo.resolve().as_uri() if logo is not None else None,
    }


def _kind(block: Any) -> str:
    return "alinea" if isinstance(block, str) else schema.block_tag(block) or "onbekend"


class Templates:
    """The templates of one project, with the project's own names as globals."""

    def __init__(self, overrides: Sequence[Path] = (), names: Mapping[str, Any] | None = None):
        loaders: list[jinja2.BaseLoader] = [
            FolderLoader(str(folder)) for folder in overrides if folder.is_dir()
        ]
        loaders.append(jinja2.PackageLoader("werkboek", "templates"))
        env = SandboxedEnvironment(loader=jinja2.ChoiceLoader(loaders), **ENVIRONMENT)
        env.filters["inline"] = render_inline
        env.filters["plain"] = plain_text
        env.filters["blocks_only"] = _blocks_only
        env.filters["kind"] = _kind
        env.filters["dutch_date"] = dutch_date
        env.filters["person_name"] = person_name
        env.filters["capital"] = capital
        env.globals["qr_image"] = qr_image
        env.globals["CHAPTER"] = Markup(MARKER)
        env.globals.update(names or {})
        self.environment = env

    def render(self, name: str, **context: Any) -> str:
        """``name`` rendered; a template that fails says where, in Dutch (a BuildError)."""
        try:
            return self.environment.get_template(name).render(**context)
        except TEMPLATE_FAILURES as exc:
            raise template_error(exc, name) from None

    def check(self, name: str) -> None:
        """Compile a template (and so find its syntax errors) without rendering it."""
        try:
            self.environment.get_template(name)
        except jinja2.TemplateError as exc:
            raise template_error(exc, name) from None


TEMPLATE_FAILURES = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    ArithmeticError,
    RecursionError,
)
"""What a template someone wrote can make go wrong while it renders."""


def package_templates() -> list[str]:
    """The names of werkboek's own templates (which a content set's may replace)."""
    return sorted(path.name for path in resources.files("werkboek").joinpath("templates").iterdir())


def _template_line(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template frame of the traceback: its file and line (Jinja rewrites a
    template's frames to its own file and line numbers)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    found = None
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def template_error(exc: BaseException, name: str) -> BuildError:
    """A failing template as one Dutch line at its file and line."""
    detail = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"het sjabloon klopt niet ({detail})"
    elif isinstance(exc, jinja2.UndefinedError):
        attribute = re.search(r"has no attribute '([^']*)'", detail or "")
        name_only = re.fullmatch(r"'([^']*)' is undefined", detail or "")
        if attribute:
            message = f"onbekende eigenschap {attribute.group(1)!r} in het sjabloon"
        elif name_only:
            message = f"onbekende naam {name_only.group(1)!r} in het sjabloon"
        else:
            message = f"onbekende naam in het sjabloon ({detail})"
    elif isinstance(exc, SecurityError):
        message = f"dat mag niet in een sjabloon ({detail})"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"sjabloon {detail!r} niet gevonden"
    else:
        message = f"het sjabloon gaat mis ({type(exc).__name__}: {detail})"
    where = _template_line(exc)
    if where is None:
        if not isinstance(exc, jinja2.TemplateError):
            raise exc
        return BuildError(Problem(name, 0, 0, "", message))
    filename, line = where
    return BuildError(Problem(display_path(Path(filename)), line, 0, "", message))
