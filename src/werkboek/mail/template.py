"""The message template: mail headers, a blank line, and a Jinja2 body.

```text
Subject: Je werkboek, {{ naam }}
From: Anna de Vries <anna@voorbeeld.nl>
Reply-To: training@voorbeeld.nl

Beste {{ naam }},
...
```

* Headers and body are Jinja2 templates over the participant list's columns, in a
  sandbox, with ``StrictUndefined``: a name that is not a column is an error that
  points at its line before any message is composed, never an empty gap in a mail.
* A body in Markdown (a file ending in ``.md``, or ``Content-Type: text/markdown``) is
  sent as its source in plain text and rendered as an HTML alternative. The HTML part
  is autoescaped: Jinja2 escapes ``& < > " '`` in every value and :func:`markdown_literal`
  backslash-escapes the rest of Markdown's punctuation, so a participant's data is
  always text, never markup; markdown-it-py runs with raw HTML off, so HTML written in
  the template is shown as text too.
* Rendered headers may not contain a line break (header injection) and addresses are
  checked like the list's. The file's lines end only at ``\n`` (or ``\r\n``): any other
  line break (``\r``, U+2028, U+0085, …) or control character in a header line is a
  problem at its line, so the file can never carry a header the trainer did not write.
* Template work is bounded (:class:`_Sandbox`): at most :data:`MAX_STEPS` template lines
  and :data:`MAX_OUTPUT` characters a message, no huge numbers, strings or widths, no
  changing of lists; an error in an expression (``{{ 1 + 'a' }}``, ``{{ 10 // 0 }}``) is a
  problem at its line, in Dutch.

markdown-it-py renders the Markdown: it follows the CommonMark specification (so the
HTML is what the trainer's Markdown preview shows, except that a line break stays one, as
in the plain text part and as a letter is written), is well maintained (it is what rich
and MyST use), lets raw HTML be switched off, and refuses ``javascript:`` links.
"""

from __future__ import annotations

import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from email.policy import default as default_policy
from functools import cache
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup, escape

from ..errors import Problem, did_you_mean, display_path
from ..participants.lists import has_line_break, name_problem
from ..words import format_size
from .errors import SENDER, MailError
from .headers import ENCODED_WORD, header_value_problem
from .recipients import Recipient, address_problem

HEADERS = ("Subject", "From", "Reply-To", "Cc", "Content-Type")
MAX_BYTES = 256_000
"""The largest message file werkboek reads."""
MARKDOWN_SUFFIXES = (".md", ".markdown")
CONTENT_TYPES = ("text/plain", "text/markdown")
BODY = "body"

MAX_STEPS = 200_000
"""The most template lines run for one template of one participant's message."""
MAX_OUTPUT = 1_000_000
"""The most characters one template (a header, the text) may make, and the largest number
a template may compute with or give as a width."""
_BIG_WIDTH = re.compile(r"[%:][^a-zA-Z%{}]*?\d{7,}")
"""A format string with a width of a million or more (``%9999999d``, ``{:>9999999}``)."""

_HEADER_LINE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(?P<value>.*)$")
# Markdown's punctuation, less the five characters Jinja2's autoescape makes entities of.
_MARKDOWN_PUNCTUATION = re.compile(r"""([!#$%()*+,\-./:;=?@\[\\\]^_`{|}~])""")


class RenderError(MailError):
    """A template failed for one participant; ``where`` is the template's line, the same for
    every participant it fails for (so it is reported once)."""

    def __init__(self, where: Problem, recipient: Recipient) -> None:
        self.where = where
        self.recipient = recipient
        detail = f"{where.message} (bij {recipient.where}, {recipient.email})"
        super().__init__(replace(where, message=detail))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.where, self.recipient))


@dataclass(frozen=True)
class Header:
    name: str
    source: str
    line: int


@dataclass(frozen=True)
class Rendered:
    """One participant's message, rendered: headers, text and (for Markdown) HTML."""

    subject: str
    sender: Address
    reply_to: tuple[Address, ...]
    cc: tuple[Address, ...]
    text: str
    html: str | None


@dataclass
class MessageTemplate:
    path: Path
    headers: dict[str, Header]
    body: str
    body_line: int
    markdown: bool
    _sources: dict[str, str] = field(init=False, repr=False)
    _plain: jinja2.Environment = field(init=False, repr=False)
    _html: jinja2.Environment | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sources = {n: h.source for n, h in self.headers.items() if n != "Content-Type"}
        self._sources[BODY] = self.body
        self._plain = _environment(self._sources, html=False)
        self._html = _environment(self._sources, html=True) if self.markdown else None
        problems = []
        for name in self._sources:
            try:
                self._plain.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(self.problem(name, f"fout in sjabloon: {exc.message}", exc.lineno))
        if problems:
            raise MailError(*problems)

    @property
    def file(self) -> str:
        return display_path(self.path)

    def line(self, name: str, lineno: int | None = None) -> int:
        """The line in the file of a line of the named template (a header or the body)."""
        if name == BODY:
            return self.body_line + (lineno or 1) - 1
        return self.headers[name].line

    def where(self, name: str, lineno: int | None = None) -> str:
        """``BERICHT.txt:LINE`` for a line of the named template."""
        return f"{self.file}:{self.line(name, lineno)}"

    def problem(self, name: str, message: str, lineno: int | None = None) -> Problem:
        return Problem(self.file, self.line(name, lineno), 1, "", message)

    def check_names(self, columns: list[str]) -> None:
        """Every name a template uses is a column; raise :class:`MailError` otherwise."""
        problems = []
        known = set(columns) | set(self._plain.globals)
        for name, source in self._sources.items():
            tree = self._plain.parse(source)
            for variable in sorted(meta.find_undeclared_variables(tree) - known):
                line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == variable), 1)
                problems.append(
                    self.problem(
                        name,
                        f"onbekende naam {variable!r}{did_you_mean(variable, columns)} "
                        f"(kolommen: {', '.join(columns)})",
                        line,
                    )
                )
        if problems:
            raise MailError(*problems)

    def render(self, recipient: Recipient, *, sender: str | None = None) -> Rendered:
        """Render the message for one participant; ``sender`` when there is no ``From:``."""
        values = dict(recipient.fields)
        headers = {
            name: self._render(self._plain, name, values, recipient)
            for name in self._sources
            if name != BODY
        }
        for name, value in headers.items():
            if has_line_break(value):
                raise MailError(
                    recipient.problem(
                        "",
                        f"{name} krijgt met deze regel een regeleinde ({self.where(name)}); "
                        "een kopregel moet op één regel passen",
                    )
                )
            problem = header_value_problem(value)
            if problem:
                raise MailError(
                    recipient.problem("", f"{name} {problem} met deze regel ({self.where(name)})")
                )
        subject = headers.get("Subject", "").strip()
        if not subject:
            raise MailError(self.problem("Subject", "het onderwerp (Subject) is leeg"))
        if "From" not in headers and sender and (problem := header_value_problem(sender)):
            raise MailError(Problem("", 0, 0, SENDER, f"de afzender {problem}"))
        from_value = headers.get("From", sender or "")
        if not from_value.strip():
            raise MailError(
                Problem(
                    self.file,
                    1,
                    1,
                    SENDER,
                    "zet 'From: Naam <adres>' bovenaan het bericht of geef een afzender",
                )
            )
        where_from = (
            self.problem("From", "") if "From" in headers else Problem("", 0, 0, SENDER, "")
        )
        text = self._render(self._plain, BODY, values, recipient)
        html = None
        if self._html is not None:
            html = _html_document(subject, self._render(self._html, BODY, values, recipient))
        return Rendered(
            subject=subject,
            sender=_one_address(where_from, "From", from_value),
            reply_to=_addresses(self, headers, "Reply-To"),
            cc=_addresses(self, headers, "Cc"),
            text=text,
            html=html,
        )

    def _render(
        self, env: jinja2.Environment, name: str, values: Mapping[str, str], recipient: Recipient
    ) -> str:
        try:
            return _bounded(env.get_template(name), values)
        except Exception as exc:  # any error of an expression in the template is the trainer's
            lineno = _template_line(exc.__traceback__, name)
            raise RenderError(self.problem(name, _explain(exc), lineno), recipient) from None


def markdown_literal(value: Any) -> Any:
    """Finalize for the HTML part: a value is shown as text, never read as Markdown."""
    if isinstance(value, Markup) or value is None:
        return value
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(value))


class TooMuch(Exception):
    """A template would run or make more than a message may (see :data:`MAX_STEPS`)."""


class _BoundedNamespace(Namespace):
    """``namespace()`` whose values stay within :data:`MAX_OUTPUT` (no doubling a string)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _check_value(value)
        super().__setitem__(name, value)


def _check_value(value: Any) -> None:
    if isinstance(value, str | list | tuple | dict) and len(value) > MAX_OUTPUT:
        raise TooMuch("de uitkomst wordt te lang")
    if isinstance(value, int) and value.bit_length() > 256:
        raise TooMuch("het getal wordt te groot")
    if isinstance(value, float) and abs(value) > 1e18:
        raise TooMuch("het getal wordt te groot")


SIZED = frozenset(
    {"batch", "center", "expandtabs", "indent", "ljust", "rjust", "slice", "wordwrap", "zfill"}
)
"""The filters and string methods whose numbers are sizes of what they make."""


FORMATS = frozenset({"format", "format_map"})
"""The filter and string methods that read a format string (``%5d``, ``{:>5}``)."""


def _check_sizes(arguments: Any) -> None:
    """No number of a million or more given to a function that makes something that size."""
    for argument in arguments:
        if isinstance(argument, int | float) and abs(argument) > MAX_OUTPUT:
            raise TooMuch(f"het getal {argument} is te groot voor een bericht")


def _check_format(text: Any) -> None:
    """No format string with a width of a million or more."""
    if isinstance(text, str) and _BIG_WIDTH.search(text):
        raise TooMuch("de breedte in deze opmaak is te groot voor een bericht")


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox (lists and dicts cannot be changed either), with bounds on what
    one expression can make: numbers, repeats and widths; filters' and calls' results."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//", "/"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals["namespace"] = _BoundedNamespace

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            sequence, count = (
                (left, right) if isinstance(left, str | list | tuple) else (right, left)
            )
            too_long = isinstance(sequence, str | list | tuple) and isinstance(count, int)
            if too_long and len(sequence) * count > MAX_OUTPUT:
                raise TooMuch("de uitkomst wordt te lang")
        elif operator == "%":
            _check_format(left)
        elif operator == "**" and isinstance(right, int | float) and abs(right) > 256:
            raise TooMuch("het getal wordt te groot")
        result = super().call_binop(context, operator, left, right)
        _check_value(result)
        return result

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        receiver = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)  # "…".format
        name = getattr(obj, "__name__", "")
        if isinstance(receiver, str) and name in FORMATS:
            _check_format(receiver)
        if isinstance(receiver, str) and name in SIZED:
            _check_sizes((*args, *kwargs.values()))
        result = super().call(context, obj, *args, **kwargs)
        _check_value(result)
        return result


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    value = 1 if hasattr(function, "jinja_pass_arg") else 0  # after the context, if any

    def bounded(*args: Any, **kwargs: Any) -> Any:
        if name in FORMATS and len(args) > value:
            _check_format(args[value])
        if name in SIZED:
            _check_sizes((*args[value + 1 :], *kwargs.values()))
        result = function(*args, **kwargs)
        _check_value(result)
        return result

    # Jinja2 reads how a filter wants to be called from this mark
    if hasattr(function, "jinja_pass_arg"):
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def _bounded(template: jinja2.Template, values: Mapping[str, str]) -> str:
    """Render with a step budget: every line the template's code runs is counted (through
    the interpreter's trace hook, for this thread and the template's own code only), and
    the output is counted as it is made."""
    filename = template.filename
    steps = 0

    def line(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        if event == "line":
            steps += 1
            if steps > MAX_STEPS:
                raise TooMuch("het sjabloon doet te veel werk (een te grote lus?)")
        return line

    def call(frame: FrameType, event: str, arg: Any) -> Any:
        return line if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(call)
    try:
        parts: list[str] = []
        size = 0
        chunks: Iterator[str] = template.generate(values)
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TooMuch("het sjabloon maakt een te lange tekst")
            parts.append(chunk)
        return "".join(parts)
    finally:
        sys.settrace(previous)


def _explain(exc: Exception) -> str:
    """What went wrong in an expression of the template, in the trainer's words."""
    if isinstance(exc, jinja2.UndefinedError):
        return f"onbekende waarde: {exc.message or type(exc).__name__}"
    if isinstance(exc, TooMuch):
        return str(exc)
    if isinstance(exc, SecurityError):
        return "dat kan niet in het sjabloon van een bericht (het sjabloon mag niets veranderen)"
    if isinstance(exc, jinja2.TemplateError):
        return f"fout in sjabloon: {exc.message or type(exc).__name__}"
    if isinstance(exc, ZeroDivisionError):
        return "delen door nul kan niet"
    if isinstance(exc, TypeError):
        return (
            "deze waarden passen niet bij elkaar (bijvoorbeeld tekst en een getal optellen: "
            "schrijf {{ a ~ b }} om tekst samen te voegen)"
        )
    if isinstance(exc, OverflowError | MemoryError):
        return "het getal wordt te groot"
    if isinstance(exc, RecursionError):
        return "het sjabloon roept zichzelf te vaak aan"
    if isinstance(exc, ValueError):
        return "deze waarde kan hier niet (bijvoorbeeld tekst waar een getal hoort)"
    if isinstance(exc, LookupError):
        return "dit onderdeel bestaat niet (een te grote index of een onbekende sleutel)"
    return "deze uitdrukking geeft een fout in het sjabloon"


def _environment(sources: dict[str, str], *, html: bool) -> jinja2.Environment:
    loader = jinja2.FunctionLoader(lambda name: (sources[name], name, lambda: True))
    if html:
        return _Sandbox(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            finalize=markdown_literal,
            keep_trailing_newline=True,
        )
    return _Sandbox(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # a line break typed in a message is one in its HTML too, as in its plain text
    # ("Met vriendelijke groet,⏎Anna" was one line: CommonMark joins the lines of a paragraph)
    return MarkdownIt("commonmark", {"html": False, "breaks": True})


def _html_document(subject: str, markdown_source: str) -> str:
    body = _markdown().render(markdown_source)
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(subject)}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _template_line(tb: TracebackType | None, name: str) -> int | None:
    """The line of template ``name`` where rendering failed (Jinja2 rewrites tracebacks)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _parse_addresses(at: Problem, name: str, value: str) -> tuple[Address, ...]:
    header = default_policy.header_factory(name.lower(), value)
    addresses = tuple(header.addresses)
    if header.defects or not addresses:
        raise MailError(replace(at, message=f"ongeldig adres in {name}: {value!r}"))
    for address in addresses:
        problem = address_problem(address.addr_spec)
        if problem is None and address.display_name:
            problem = name_problem(address.display_name)
        if problem:
            raise MailError(replace(at, message=f"{name}: {problem}"))
    return addresses


def _one_address(at: Problem, name: str, value: str) -> Address:
    addresses = _parse_addresses(at, name, value)
    if len(addresses) != 1:
        message = f"{name} moet precies één adres zijn, niet {len(addresses)}"
        raise MailError(replace(at, message=message))
    return addresses[0]


def one_address_problem(value: str) -> str | None:
    """Why ``value`` is not one mail address (``Naam <adres>`` or an address alone), in a
    trainer's words; none: it is one."""
    problem = header_value_problem(value)
    if problem:
        return problem
    try:
        _one_address(Problem("", 0, 0, "", ""), "Reply-To", value)
    except MailError as exc:
        found = exc.problems[0].message.removeprefix("Reply-To: ")
        if found.startswith(("ongeldig adres", "ongeldig e-mailadres")):
            # (one answer for both: the list's "verwacht: alleen het adres" would contradict
            # a field that asks for "Naam <adres>")
            example = "Anna de Vries <anna@voorbeeld.nl>"
            return f"is geen geldig e-mailadres: {value!r} (zoals: {example})"
        if found.startswith("Reply-To moet precies"):
            return "moet precies één e-mailadres zijn"
        return found
    return None


def _addresses(
    template: MessageTemplate, headers: dict[str, str], name: str
) -> tuple[Address, ...]:
    if not headers.get(name, "").strip():
        return ()
    return _parse_addresses(template.problem(name, ""), name, headers[name])


# ---------------------------------------------------------------- reading


def read_message_template(path: Path) -> MessageTemplate:
    """Read a message file: headers, a blank line, the body. Raise :class:`MailError`."""
    file = display_path(path)

    def at(line: int, message: str) -> Problem:
        return Problem(file, line, 1, "", message)

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise MailError(at(1, "het bericht is geen gewoon bestand"))
        if info.st_size > MAX_BYTES:
            size, limit = format_size(info.st_size), format_size(MAX_BYTES)
            raise MailError(at(1, f"het bericht is te groot ({size}; hoogstens {limit})"))
        data = path.read_bytes()
    except OSError as exc:
        raise MailError(at(1, f"het bericht is niet te lezen: {exc.strerror or exc}")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MailError(at(line, "dit is geen UTF-8-tekst")) from None
    # only \n ends a line: str.splitlines() would also break at U+2028, a lone CR, …,
    # and a header line would become two headers
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    headers, problems, blank = _read_headers(at, lines)
    if blank is None and not problems:
        problems.append(at(len(lines) or 1, "na de kopregels hoort een lege regel en dan de tekst"))
    if "Subject" not in headers and not problems:
        problems.append(at(1, "de kopregel 'Subject: …' (het onderwerp) ontbreekt"))
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    if "Content-Type" in headers:
        content_type = headers["Content-Type"].source.split(";")[0].strip().lower()
        if content_type not in CONTENT_TYPES:
            problems.append(
                at(
                    headers["Content-Type"].line,
                    f"Content-Type {content_type!r} wordt niet ondersteund "
                    f"(wel: {', '.join(CONTENT_TYPES)})",
                )
            )
        markdown = content_type == "text/markdown"
    if problems:
        raise MailError(*problems)
    assert blank is not None
    body = "\n".join(lines[blank + 1 :]).strip("\n") + "\n"
    if not body.strip():
        raise MailError(at(blank + 2, "het bericht heeft geen tekst"))
    first_body_line = blank + 2 + _leading_blank_lines(lines[blank + 1 :])
    return MessageTemplate(
        path=path, headers=headers, body=body, body_line=first_body_line, markdown=markdown
    )


def _header_hint(name: str) -> str:
    """``"; bedoel je 'Subject'?"`` for a misspelt header, in any case."""
    hint = did_you_mean(name.lower(), [h.lower() for h in HEADERS])
    for header in HEADERS:
        hint = hint.replace(repr(header.lower()), repr(header))
    return hint


def _leading_blank_lines(lines: list[str]) -> int:
    count = 0
    for line in lines:
        if line.strip():
            break
        count += 1
    return count


def _read_headers(
    at: Callable[[int, str], Problem], lines: list[str]
) -> tuple[dict[str, Header], list[Problem], int | None]:
    """The headers, the problems with them, and the index of the blank line after them."""
    headers: dict[str, Header] = {}
    problems: list[Problem] = []
    canonical = {name.lower(): name for name in HEADERS}
    for index, line in enumerate(lines):
        number = index + 1
        if not line.strip(" \t"):
            return headers, problems, index
        problem = header_value_problem(line)
        if problem and not ENCODED_WORD.search(line):
            problems.append(at(number, f"de kopregel {problem}"))
            continue
        if line[0] in " \t":
            problems.append(
                at(
                    number,
                    "een kopregel moet op één regel passen (deze regel begint met een spatie)",
                )
            )
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            problems.append(
                at(
                    number,
                    f"geen kopregel: {line[:40]!r}; een bericht begint met kopregels zoals "
                    "'Subject: …', dan een lege regel, dan de tekst",
                )
            )
            return headers, problems, None
        name = canonical.get(match["name"].lower())
        if name is None:
            problems.append(
                at(
                    number,
                    f"onbekende kopregel {match['name']!r}{_header_hint(match['name'])} "
                    f"(wel: {', '.join(HEADERS)})",
                )
            )
        elif name in headers:
            problems.append(at(number, f"{name} staat er al op regel {headers[name].line}"))
        else:
            headers[name] = Header(name=name, source=match["value"].strip(), line=number)
    return headers, problems, None
