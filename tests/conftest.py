from __future__ import annotations

import email
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
REPO = TESTS.parent
CONTENT = REPO / "content"
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session", autouse=True)
def qr_cache(tmp_path_factory) -> Iterator[Path]:
    """QR codes are kept in a folder of this test run's own (child processes inherit it)."""
    import os

    folder = tmp_path_factory.mktemp("qr-cache")
    previous = os.environ.get("WERKBOEK_QR_CACHE")
    os.environ["WERKBOEK_QR_CACHE"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["WERKBOEK_QR_CACHE"]
    else:
        os.environ["WERKBOEK_QR_CACHE"] = previous


@pytest.fixture(autouse=True)
def _user_data_folder(tmp_path_factory, monkeypatch) -> None:
    """No test writes to the user's own data folder (where werkboek keeps recipes and output
    outside a programme folder): platformdirs follows XDG_DATA_HOME, here and in
    subprocesses."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "gebruikersgegevens"))


EXPECTED = ("expected.txt", "streng.txt")
"""What a case of ``tests/roots`` says ``check`` prints (``streng.txt``: with ``--streng``)."""


def make_content(tmp_path: Path, case: str | None = None) -> Path:
    """A copy of the minimal content with the files of ``tests/roots/<case>`` laid over it.

    A case's ``recepten/`` becomes the recipes folder beside the content; the lines of a
    stylesheet in its ``stijlen/`` go at the top of that sheet in a copy of the styles
    (so the line numbers of the case's lines never move)."""
    target = tmp_path / "content"
    shutil.copytree(ROOTS / "minimal", target)
    if case is None:
        return target
    for path in sorted((ROOTS / case).rglob("*")):
        relative = path.relative_to(ROOTS / case)
        if path.is_dir() or path.name in EXPECTED:
            continue
        if relative.parts[0] == "stijlen":
            styles = tmp_path / "styles"
            if not styles.exists():
                shutil.copytree(REPO / "styles", styles)
            sheet = styles.joinpath(*relative.parts[1:])
            old = sheet.read_text(encoding="utf-8") if sheet.exists() else ""
            sheet.write_text(path.read_text(encoding="utf-8") + old, encoding="utf-8")
            continue
        folder = tmp_path if relative.parts[0] == "recepten" else target
        destination = folder / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return target


@pytest.fixture(scope="session")
def content():
    from werkboek import load_content

    return load_content(CONTENT)


def decode_qr_codes(pdf: Path, dpi: int = 150) -> list[tuple[int, str, float]]:
    """Every QR code in the PDF as (page number, decoded text, width in mm)."""
    return [(page, text, width) for page, text, width, _ in locate_qr_codes(pdf, dpi)]


def locate_qr_codes(pdf: Path, dpi: int = 150) -> list[tuple[int, str, float, tuple[float, float]]]:
    """Every QR code as (page number, decoded text, width in mm, centre (x, y) in mm from
    the top left corner of the page), decoded by a real decoder from the rendered page."""
    import pypdfium2
    import zxingcpp

    found = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            image = document[index].render(scale=dpi / 72).to_pil()
            for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                position = barcode.position
                width_px = abs(position.top_right.x - position.top_left.x)
                assert barcode.ec_level in ("M", "Q", "H"), barcode.ec_level
                corners = [position.top_left, position.top_right]
                corners += [position.bottom_left, position.bottom_right]
                centre = (
                    sum(c.x for c in corners) / 4 / dpi * 25.4,
                    sum(c.y for c in corners) / 4 / dpi * 25.4,
                )
                found.append((index + 1, barcode.text, width_px / dpi * 25.4, centre))
    finally:
        document.close()
    return found


def outline(reader, items=None) -> list[tuple[str, int, list]]:
    """A pypdf reader's outline as nested (title, page number, children) tuples."""
    items = reader.outline if items is None else items
    result: list[tuple[str, int, list]] = []
    for item in items:
        if isinstance(item, list):
            title, page, _ = result[-1]
            result[-1] = (title, page, outline(reader, item))
        else:
            result.append((item.title, reader.get_destination_page_number(item) + 1, []))
    return result


def reading_text(pdf: Path, skip_top_mm: float = 0, skip_bottom_mm: float = 0) -> list[str]:
    """The text of every page in reading order: lines (by baseline) top to bottom, characters
    left to right, whatever order the content stream draws them in (positioned boxes come
    last). ``skip_*`` leaves out the running header and footer. Hyphenation points are dropped.
    """
    import ctypes

    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            height = page.get_size()[1]
            top, bottom = height - skip_top_mm / 25.4 * 72, skip_bottom_mm / 25.4 * 72
            textpage = page.get_textpage()
            chars = []
            x, y = ctypes.c_double(), ctypes.c_double()
            for index in range(textpage.count_chars()):
                char = textpage.get_text_range(index, 1)
                if not char.strip() or char in ("\x02", "\ufffe"):  # hyphenation points
                    continue
                pdfium_c.FPDFText_GetCharOrigin(
                    textpage.raw, index, ctypes.byref(x), ctypes.byref(y)
                )
                if bottom <= y.value <= top:
                    chars.append((-y.value, x.value, char))
            lines: list[list[tuple[float, float, str]]] = []
            for char in sorted(chars):
                if lines and abs(char[0] - lines[-1][0][0]) <= 2:  # same baseline, within 2 pt
                    lines[-1].append(char)
                else:
                    lines.append([char])
            pages.append(
                "\n".join(
                    "".join(c for _, _, c in sorted(line, key=lambda c: c[1])) for line in lines
                )
            )
    finally:
        document.close()
    return pages


# ---------------------------------------------------------------- a real SMTP server


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message; hooks may refuse or break off."""

    received: list[Received] = field(default_factory=list)
    on_rcpt: Callable[[Any, str], str | None] | None = None
    on_data: Callable[[Any, Any], str | None] | None = None
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.on_rcpt(server, address) if self.on_rcpt else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        reply = self.on_data(server, envelope) if self.on_data else None
        return reply or "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


@dataclass
class Server:
    controller: Controller
    handler: Collector
    port: int

    def go_away(self) -> None:
        """Stop listening (from inside a handler): new connections are refused."""
        self.controller.server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[Callable[..., Server]]:
    """Start SMTP servers on loopback; all are stopped after the test."""
    started: list[Server] = []

    def start(**kwargs: Any) -> Server:
        handler = Collector()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        server = Server(controller, handler, port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.controller.stop()


RECIPE = "titel: Proefdag\nonderdelen:\n  - oefening: eerste-oefening\n"
"""A recipe of one exercise of the minimal content (:func:`make_content`)."""


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """The minimal content, the styles and a recipe in a fresh folder, as the current one."""
    make_content(tmp_path)
    shutil.copytree(REPO / "styles", tmp_path / "styles")
    (tmp_path / "recept.yaml").write_text(RECIPE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WERKBOEK_VERZENDLOG", str(tmp_path / "staat" / "verzendlog.sqlite"))
    monkeypatch.delenv("WERKBOEK_SMTP_PASSWORD", raising=False)
    return tmp_path
