"""Certificates that differ only in a name: one certificate, the other names grafted in.

Laying out and writing thirty one-page certificates costs thirty layouts and thirty
tagged PDFs, while all but one line of them is the same. Instead one certificate is written
whole (tagged, finished) and every name is laid out once more, all of them together on pages
of their own in a column as wide as the certificate's (nothing else is drawn there); each
certificate is then the whole one with the text of its name taken out of the name's
marked-content sequence and one name's text, moved to the same place, put in. The structure
tree, the outline and everything else stay as they are; the name keeps its MCID, so the tags
still point at it. Each file is saved whole (not as an increment of the first), so no
certificate carries another participant's name.

A name is only grafted when its text is drawn from the same transformation as the whole
certificate's and nothing but text and colour is drawn for it; :meth:`NameGraft.certificate`
says ``None`` otherwise and the caller lays that certificate out whole. A certificate whose
name has no marked content to find (:class:`NotGraftable` at :class:`NameGraft`) takes no
name at all: every certificate is laid out whole.

Public pikepdf only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Dictionary, Name, Operator

from .structure import children_of, is_element, is_mcid

NAME_ID = "werkboek:naam"
"""The structure element ID the first certificate's name carries (``data-pdf-id="naam"``)."""

STATE = {
    "gs": "alpha",
    **dict.fromkeys(("rg", "g", "k", "sc", "scn"), "fill"),
    **dict.fromkeys(("RG", "G", "K", "SC", "SCN"), "stroke"),
    "cs": "fill space",
    "CS": "stroke space",
}
"""Operators that set colour and transparency (and paint nothing), by what they set."""
ORDER = ("alpha", "fill space", "fill", "stroke space", "stroke")
TEXT_STATE = {"Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Tr"}
SHOWS = {"TJ", "Tj"}
USES_RESOURCE = {"gs": "/ExtGState", "cs": "/ColorSpace", "CS": "/ColorSpace", "Tf": "/Font"}
PREFIX = "n"
_TITLE = re.compile(rb'(<dc:title><rdf:Alt><rdf:li xml:lang="x-default">)(.*?)(</rdf:li>)', re.S)

Instruction = tuple[list[Any], Operator]
Instructions = list[Instruction]
BEGIN: Instruction = ([], Operator("BT"))
END: Instruction = ([], Operator("ET"))
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class NotGraftable(Exception):
    """The first certificate cannot take other names (the caller renders each whole)."""


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """The product ``m × n`` of two PDF matrices (``cm`` multiplies the new one first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
        e * p + f * r + t, e * q + f * s + u,
    )  # fmt: skip


def _matrices(instructions: Instructions) -> list[Matrix]:
    """The current transformation matrix before each instruction."""
    stack: list[Matrix] = []
    current = IDENTITY
    found = []
    for operands, operator in instructions:
        found.append(current)
        name = str(operator)
        if name == "q":
            stack.append(current)
        elif name == "Q" and stack:
            current = stack.pop()
        elif name == "cm":
            current = _multiply(tuple(float(x) for x in operands), current)  # type: ignore[arg-type]
    return found


def _parse(page: pikepdf.Page) -> Instructions:
    return [(list(item.operands), item.operator) for item in pikepdf.parse_content_stream(page)]


def _same(m: Matrix, n: Matrix) -> bool:
    return all(abs(x - y) < 1e-6 for x, y in zip(m, n, strict=True))


def _mcids(element: Any) -> list[int]:
    """The marked-content IDs of ``element`` and the elements in it."""
    found = []
    for kid in children_of(element):
        if is_element(kid):
            found += _mcids(kid)
        elif isinstance(kid, Dictionary) and "/MCID" in kid:
            found.append(int(kid.MCID))
        elif is_mcid(kid):
            found.append(int(kid))
        else:
            raise NotGraftable("de naam bevat meer dan tekst")
    return found


def _find(element: Any) -> Any:
    """The structure element with the name's ID, below ``element``."""
    if str(element.get("/ID", "")) == NAME_ID:
        return element
    for kid in children_of(element):
        if is_element(kid) and (found := _find(kid)) is not None:
            return found
    return None


class NameGraft:
    """A whole certificate (``base``, one tagged page whose name element has
    :data:`NAME_ID`) and pages with only names (``names``, written untagged from the same
    layout), and ``top``, where the whole certificate's name stands (CSS pixels):
    :meth:`certificate` gives the whole certificate with one of those names."""

    def __init__(self, base: bytes, names: bytes, top: float) -> None:
        self.pdf = pikepdf.open(BytesIO(base))
        self.names = pikepdf.open(BytesIO(names))
        root = self.pdf.Root.get("/StructTreeRoot")
        element = _find(root) if root is not None else None
        if element is None or len(self.pdf.pages) != 1:
            raise NotGraftable("geen naam gevonden")
        del element["/ID"]
        mcids = _mcids(element)
        if len(mcids) != 1:
            raise NotGraftable("de naam staat niet in één stuk")
        self.page = self.pdf.pages[0]
        instructions = _parse(self.page)
        start, end = self._section(instructions, mcids[0])
        begin = self._only_text(instructions[start + 1 : end])
        if begin is None:
            raise NotGraftable("voor de naam wordt meer getekend dan tekst")
        self.matrix = _matrices(instructions)[start + 1 + begin]
        self.top = top
        self.before = pikepdf.unparse_content_stream(instructions[: start + 1])
        self.after = pikepdf.unparse_content_stream(instructions[end:])
        kept = [*instructions[: start + 1], *instructions[end:]]
        self.resources = self._used(self.page.obj.Resources, kept)
        self._pages: dict[int, list[tuple[float, Instructions]] | None] = {}

    @staticmethod
    def _section(instructions: Instructions, mcid: int) -> tuple[int, int]:
        """The indexes of the name's BDC and of its EMC."""
        for index, (operands, operator) in enumerate(instructions):
            if (
                str(operator) == "BDC"
                and isinstance(operands[1], Dictionary)
                and int(operands[1].get("/MCID", -1)) == mcid
            ):
                depth = 0
                for end in range(index + 1, len(instructions)):
                    name = str(instructions[end][1])
                    if name in ("BDC", "BMC"):
                        depth += 1
                    elif name == "EMC":
                        if depth == 0:
                            return index, end
                        depth -= 1
        raise NotGraftable("de naam staat niet op de pagina")

    @staticmethod
    def _only_text(section: Instructions) -> int | None:
        """Where the first text object of ``section`` begins, if it holds text objects and
        colours only; else ``None``."""
        begin = None
        inside = False
        for index, (_, operator) in enumerate(section):
            name = str(operator)
            if name == "BT":
                inside = True
                begin = index if begin is None else begin
            elif name == "ET":
                inside = False
            elif not inside and name not in STATE:
                return None
        return begin

    @staticmethod
    def _used(resources: Any, instructions: Instructions) -> Dictionary:
        """``resources`` without the fonts and states only the name used."""
        used: dict[str, set[str]] = {}
        for operands, operator in instructions:
            kind = USES_RESOURCE.get(str(operator))
            if kind is not None:
                name = operands[0]
                used.setdefault(kind, set()).add(str(name))
        kept = Dictionary()
        for kind, entries in resources.items():
            if kind in ("/Font", "/ExtGState") and isinstance(entries, Dictionary):
                kept[kind] = Dictionary(
                    {key: value for key, value in entries.items() if key in used.get(kind, ())}
                )
            else:
                kept[kind] = entries
        return kept

    def certificate(self, page: int, top: float, bottom: float, title: str) -> bytes | None:
        """The whole certificate with the name that stands between ``top`` and ``bottom``
        (CSS pixels) on page ``page`` of ``names`` instead of its own, moved to where the
        whole certificate has its name, titled ``title``; ``None`` when that name cannot be
        grafted."""
        grafted = self._grafted(page, top, bottom)
        if grafted is None:
            return None
        return self._save(*grafted, title)

    def pages(
        self, names: Sequence[tuple[int, float, float] | None]
    ) -> tuple[bytes, list[int | None]]:
        """The whole page once for each of ``names`` (a page of ``names``, a top and a bottom,
        as :meth:`certificate` takes them) with that name, all in one PDF (saved once, for
        :mod:`.covers` to graft); and for each name its page there, ``None`` when that name
        cannot be grafted (or is ``None``). The first page is the whole one as it was."""
        found: list[int | None] = []
        for name in names:
            grafted = None if name is None else self._grafted(*name)
            if grafted is None:
                found.append(None)
                continue
            contents, resources = grafted
            self.pdf.pages.append(self.page)
            copy = self.pdf.pages[-1].obj
            copy.Contents = self.pdf.make_stream(contents)
            copy.Resources = resources
            found.append(len(self.pdf.pages) - 1)
        if "/ID" in self.pdf.trailer:
            del self.pdf.trailer["/ID"]
        out = BytesIO()
        self.pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue(), found

    def _grafted(self, page: int, top: float, bottom: float) -> tuple[bytes, Dictionary] | None:
        """The whole page's content with the name between ``top`` and ``bottom`` on page
        ``page`` of ``names`` instead of its own, and the resources it needs."""
        lines = self._lines(page)
        if lines is None:
            return None
        chosen = [line for y, line in lines if top <= y < bottom]
        if not chosen:
            return None
        shift = self.top - top
        resources = Dictionary(dict(self.resources.items()))
        own = self.names.pages[page].obj.Resources
        instructions: Instructions = []
        for original_operands, operator in (item for line in chosen for item in line):
            operands = list(original_operands)
            name = str(operator)
            if name == "Tm":
                operands[5] = Decimal(f"{float(operands[5]) + shift:.6f}")
            elif (kind := USES_RESOURCE.get(name)) is not None:
                operands[0] = self._resource(own, kind, str(operands[0]), resources)
            instructions.append((operands, operator))
        grafted = pikepdf.unparse_content_stream(instructions)
        return self.before + b"\n" + grafted + b"\n" + self.after, resources

    def _lines(self, page: int) -> list[tuple[float, Instructions]] | None:
        """Every line of text on page ``page`` of ``names``: where it stands (its baseline,
        CSS pixels from the top) and a text object that draws it alone, with the colour,
        transparency and text state it is drawn with. ``None`` when anything but text is
        drawn there, or text from another transformation than the whole certificate's."""
        if page not in self._pages:
            self._pages[page] = self._read_lines(_parse(self.names.pages[page]))
        return self._pages[page]

    def _read_lines(self, instructions: Instructions) -> list[tuple[float, Instructions]] | None:
        matrices = _matrices(instructions)
        lines: list[tuple[float, Instructions]] = []
        state: dict[str, Instruction] = {}  # colour and transparency, as q and Q keep them
        saved: list[dict[str, Instruction]] = []
        text: dict[str, Instruction] = {}  # the text state in the current text object
        line: tuple[float, Instructions, Instructions] | None = None  # (y, colour, drawing)
        inside = False

        def close() -> None:
            if line is not None:
                y, colour, drawing = line
                lines.append((y, [*colour, BEGIN, *drawing, END]))

        for at, instruction in enumerate(instructions):
            name = str(instruction[1])
            if inside:
                if name == "ET":
                    close()
                    line, inside = None, False
                    continue
                if name == "Tm":  # (every line of text is placed by a Tm of its own)
                    close()
                    colour = [state[k] for k in ORDER if k in state]
                    y = float(instruction[0][5])
                    line = (y, colour, [*text.values(), instruction])
                    continue
                if name in STATE:
                    self._set(state, name, instruction)
                elif name in TEXT_STATE:
                    text[name] = instruction
                elif name not in SHOWS or line is None:
                    return None  # text placed otherwise: not ours to move
                if line is not None:
                    line[2].append(instruction)
            elif name == "BT":
                if not _same(matrices[at], self.matrix):
                    return None
                inside, text = True, {}
            elif name in STATE:
                self._set(state, name, instruction)
            elif name == "q":
                saved.append(dict(state))
            elif name == "Q":
                state = saved.pop() if saved else {}
            elif name != "cm":
                return None  # something else is drawn: not names alone
        return lines

    @staticmethod
    def _set(state: dict[str, Instruction], name: str, instruction: Instruction) -> None:
        what = STATE[name]
        if what in ("fill space", "stroke space"):  # (a space resets its colour)
            state.pop(what.split()[0], None)
        elif name in ("rg", "g", "k", "RG", "G", "K"):  # (these set a space too)
            state.pop(f"{what} space", None)
        state[what] = instruction

    def _resource(self, own: Any, kind: str, original: str, resources: Dictionary) -> Name:
        """``own``'s resource ``original`` in ``resources``, under a name of its own."""
        taken = self.resources.get(kind, Dictionary())
        renamed = f"/{PREFIX}{original[1:]}"
        while renamed in taken:  # (not one of the certificate's own)
            renamed = f"/{PREFIX}{renamed[1:]}"
        value = own[kind][original]
        if not value.is_indirect:  # (only an object of its own can cross)
            value = self.names.make_indirect(value)
        entries = resources.get(kind)
        entries = Dictionary() if entries is None else Dictionary(dict(entries.items()))
        entries[renamed] = self.pdf.copy_foreign(value)
        resources[kind] = entries
        return Name(renamed)

    def _save(self, contents: bytes, resources: Dictionary, title: str) -> bytes:
        page = self.page.obj
        page.Contents = self.pdf.make_stream(contents)
        page.Resources = resources
        self.pdf.docinfo.Title = title
        metadata = self.pdf.Root.Metadata
        packet = metadata.read_bytes()
        text = escape(title).encode()
        metadata.write(_TITLE.sub(lambda m: m.group(1) + text + m.group(3), packet, count=1))
        if "/ID" in self.pdf.trailer:  # (qpdf keeps the first part from the last save)
            del self.pdf.trailer["/ID"]
        out = BytesIO()
        self.pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()

    def close(self) -> None:
        self.pdf.close()
        self.names.close()
