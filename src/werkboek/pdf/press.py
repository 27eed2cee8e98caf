"""The print shop's PDF/X-4 file: a CMYK output intent, neutral colour in black ink alone.

WeasyPrint 70 writes PDF/X-4 (``pdf_variant="pdf/x-4"``) with the ``device-cmyk`` colour
profile of a stylesheet as its output intent; :func:`for_press` then goes over the written,
finished PDF with pikepdf:

- every neutral colour (text, rules, QR codes, crop marks: ``r = g = b``) becomes black ink
  alone (``0 0 0 k``), near-black (#333 and darker, the body text's #1a1a1a) 100 % K: no
  four-colour black under small text, nothing to register;
- the other RGB colour (the principles' colours, photographs) stays sRGB, declared so: every
  resource dictionary gets a ``/DefaultRGB`` (ICC-based sRGB), which the print shop's RIP
  converts through the output intent (werkboek's profile never gives more than 300 % ink);
- link annotations are not printed (PDF/X: nothing but the page is printed);
- every transparency group (a page's or a form's) blends in the output intent's CMYK, as the
  press will (WeasyPrint gives its groups the output intent's profile already; a group that
  says RGB, a page group among them, is given it), a soft mask's group aside;
- the output intent names its condition.

Then it checks what a PDF/X-4 file must be, and refuses to write one that is not
(:class:`BuildError`, one Dutch line): an output intent with a CMYK profile, the PDF/X
version in the metadata, a TrimBox inside a BleedBox inside the MediaBox on every page,
no RGB without its ICC profile, no transparency blended in RGB. Deterministic: the same PDF
in gives the same bytes out.

The profile, ``drukwerk-cmyk.icc``, is werkboek's own (see ``tools/cmyk_profile.py``): a
model of offset printing on coated paper (ISO 12647-2 paper type 1/2, FOGRA39) made with
LittleCMS, free to embed.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from ..errors import BuildError
from .internals import srgb_profile

PROFILE = Path(__file__).with_name("drukwerk-cmyk.icc")
"""werkboek's CMYK press profile (the output intent of every print-shop file)."""
CONDITION = (
    "Offsetdruk op gestreken papier (ISO 12647-2, papiertype 1/2, zoals FOGRA39); "
    "profiel: model van werkboek, max. 300% inkt"
)
NEAR_BLACK = 0.2
"""A grey this dark or darker (#333) prints as 100 % K."""
PRINT = 4
"""The Print flag of an annotation."""

_COLOUR = {"rg": "k", "RG": "K"}
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def black_ink(grey: float) -> float:
    """The K of a neutral sRGB grey (0 black … 1 white)."""
    return 1.0 if grey <= NEAR_BLACK else round(1.0 - grey, 4)


def _neutral(operands: list[Any]) -> float | None:
    values = [float(v) for v in operands]
    if len(values) == 3 and max(values) - min(values) <= 1 / 255:
        return sum(values) / 3
    return None


def _to_black(stream: pikepdf.Stream) -> None:
    """Neutral ``rg``/``RG`` in ``stream`` become ``k``/``K`` with black ink alone."""
    instructions = pikepdf.parse_content_stream(stream)
    changed = False
    rewritten: list[Any] = []
    for instruction in instructions:
        name = str(instruction.operator)
        if name in _COLOUR and (grey := _neutral(list(instruction.operands))) is not None:
            k = Decimal(str(black_ink(grey)))
            operands = [Decimal(0), Decimal(0), Decimal(0), k]
            rewritten.append(pikepdf.ContentStreamInstruction(operands, Operator(_COLOUR[name])))
            changed = True
        else:
            rewritten.append(instruction)
    if changed:
        stream.write(pikepdf.unparse_content_stream(rewritten))


def _masks(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """The soft masks' groups: they draw no colour, only how much shows (left as they are)."""
    return {
        thing.SMask.G.objgen
        for thing in pdf.objects
        if isinstance(thing, Dictionary)
        and isinstance(thing.get("/SMask"), Dictionary)
        and isinstance(thing.SMask.get("/G"), pikepdf.Stream)
    }


def _drawn(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    """Every content stream: the pages', form XObjects' and tiling patterns'."""
    streams: list[pikepdf.Stream] = []
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Stream):
            streams.append(contents)
        elif isinstance(contents, Array):
            streams.extend(c for c in contents if isinstance(c, pikepdf.Stream))
    masks = _masks(pdf)
    for thing in pdf.objects:
        if (
            isinstance(thing, pikepdf.Stream)
            and (thing.get("/Subtype") == Name("/Form") or thing.get("/PatternType") == 1)
            and thing.objgen not in masks
        ):
            streams.append(thing)
    return streams


def _groups(pdf: pikepdf.Pdf) -> list[tuple[str, Dictionary]]:
    """Every transparency group that blends colour, with where it is: the pages' (``pagina
    n``) and the form XObjects' (``een vorm``), a soft mask's group aside."""
    found: list[tuple[str, Dictionary]] = []
    for number, page in enumerate(pdf.pages, 1):
        group = page.obj.get("/Group")
        if isinstance(group, Dictionary) and group.get("/S") == Name("/Transparency"):
            found.append((f"pagina {number}", group))
    masks = _masks(pdf)
    for thing in pdf.objects:
        if (
            isinstance(thing, pikepdf.Stream)
            and thing.get("/Subtype") == Name("/Form")
            and thing.objgen not in masks
            and isinstance(group := thing.get("/Group"), Dictionary)
            and group.get("/S") == Name("/Transparency")
        ):
            found.append(("een vorm", group))
    return found


def _blends_in_cmyk(group: Dictionary) -> bool:
    """Whether a transparency group blends in CMYK (or in its parent's space: no ``/CS``)."""
    space = group.get("/CS")
    if space is None or space == Name("/DeviceCMYK"):
        return True
    return (
        isinstance(space, Array)
        and len(space) == 2
        and space[0] == Name("/ICCBased")
        and int(space[1].get("/N", 0)) == 4
    )


def _resources(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """Every resource dictionary: the pages', form XObjects' and patterns'."""
    found: dict[tuple[int, int], Dictionary] = {}
    holders: list[Any] = [page.obj for page in pdf.pages]
    holders += [s for s in _drawn(pdf) if "/Resources" in s]
    for holder in holders:
        resources = holder.get("/Resources")
        if isinstance(resources, Dictionary):
            found.setdefault(
                resources.objgen if resources.is_indirect else (id(resources), -1), resources
            )
    return list(found.values())


def for_press(data: bytes, *, what: str) -> bytes:
    """The written PDF/X-4 ``data`` made ready for the press (see the module's docstring),
    or :class:`BuildError` when it cannot be a PDF/X-4 file."""
    with pikepdf.open(BytesIO(data)) as pdf:
        intents = pdf.Root.get("/OutputIntents")
        intent = intents[0] if isinstance(intents, Array) and len(intents) == 1 else None
        profile = intent.get("/DestOutputProfile") if intent is not None else None
        if (
            intent is None
            or intent.get("/S") != Name("/GTS_PDFX")
            or not isinstance(profile, pikepdf.Stream)
            or int(profile.get("/N", 0)) != 4
        ):
            raise BuildError(
                f"{what}: geen PDF/X-4 voor de drukkerij: het bestand heeft geen CMYK-"
                "uitvoerprofiel (is het kleurprofiel van werkboek meegeïnstalleerd?)"
            )
        intent.OutputCondition = pikepdf.String(CONDITION)
        _stable_document_id(pdf)
        for stream in _drawn(pdf):
            _to_black(stream)
        srgb = pdf.make_stream(srgb_profile(), N=3)
        default_rgb = Array([Name("/ICCBased"), srgb])
        for resources in _resources(pdf):
            spaces = resources.get("/ColorSpace")
            if not isinstance(spaces, Dictionary):
                spaces = resources.ColorSpace = Dictionary()
            spaces.DefaultRGB = default_rgb
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", Array()):
                annotation.F = int(annotation.get("/F", 0)) & ~PRINT
        for _, group in _groups(pdf):
            if not _blends_in_cmyk(group):
                group.CS = Array([Name("/ICCBased"), profile])
        _check(pdf, what)
        # the file's ID from its content alone (WeasyPrint's hashes the random DocumentID)
        if "/ID" in pdf.trailer:
            del pdf.trailer["/ID"]
        out = BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _stable_document_id(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint's PDF/X metadata has a random ``xmpMM:DocumentID``: made from the metadata
    itself instead (the same document, the same ID; another title, another ID)."""
    if "/Metadata" not in pdf.Root:
        return
    stream = pdf.Root.Metadata
    xmp = stream.read_bytes()
    blank = UUID.sub(b"0" * 36, xmp)
    if blank == xmp:
        return
    stable = str(uuid.UUID(bytes=hashlib.sha256(blank).digest()[:16], version=4)).encode()
    stream.write(UUID.sub(stable, xmp))


def _inside(inner: Any, outer: Any) -> bool:
    a = [float(v) for v in inner]
    b = [float(v) for v in outer]
    slack = 0.01
    return (
        a[0] >= b[0] - slack
        and a[1] >= b[1] - slack
        and a[2] <= b[2] + slack
        and a[3] <= b[3] + slack
    )


def _check(pdf: pikepdf.Pdf, what: str) -> None:
    """What a PDF/X-4 file must be, or one Dutch line saying what it is not."""
    metadata = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
    if b"GTS_PDFXVersion" not in metadata or b"PDF/X-4" not in metadata:
        raise BuildError(f"{what}: geen PDF/X-4 voor de drukkerij: de metadata noemen geen PDF/X-4")
    for number, page in enumerate(pdf.pages, 1):
        boxes = page.obj
        if "/TrimBox" not in boxes or "/BleedBox" not in boxes:
            raise BuildError(f"{what}: pagina {number} heeft geen snijmaat (TrimBox/BleedBox)")
        if not (_inside(boxes.TrimBox, boxes.BleedBox) and _inside(boxes.BleedBox, boxes.MediaBox)):
            raise BuildError(f"{what}: pagina {number}: snijmaat en afloop liggen niet goed")
    for where, group in _groups(pdf):
        if not _blends_in_cmyk(group):
            raise BuildError(f"{what}: {where} mengt transparantie in RGB, niet in CMYK")


def bleed_boxes(data: bytes, bleed_mm: float) -> bytes:
    """Every page whose MediaBox reaches further than ``bleed_mm`` beyond its TrimBox (room
    for crop marks outside the bleed) gets a BleedBox of exactly ``bleed_mm`` around the
    TrimBox (WeasyPrint makes it 10 pt or the whole bleed area); other PDFs are unchanged."""
    bleed = bleed_mm * 72 / 25.4
    with pikepdf.open(BytesIO(data)) as pdf:
        changed = False
        for page in pdf.pages:
            if "/TrimBox" not in page.obj:
                continue
            trim = [float(v) for v in page.obj.TrimBox]
            media = [float(v) for v in page.obj.MediaBox]
            if trim[0] - media[0] <= bleed + 0.5:
                continue
            grown = [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
            page.obj.BleedBox = Array([Decimal(f"{v:.4f}") for v in grown])
            changed = True
        if not changed:
            return data
        out = BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()
