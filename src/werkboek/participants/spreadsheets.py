"""The rows of an ``.xlsx`` workbook, read with openpyxl: the one place werkboek uses it.

A participant list saved by Excel or LibreOffice as ``.xlsx`` is read as its first
(active) sheet, every cell as the text the trainer sees: a formula as its last
calculated value, a date as ``7-12-2026``, a whole number without ``.0``. The file is
untrusted, so it is bounded before openpyxl sees it (the unpacked size and number of
parts of the ZIP), read in openpyxl's read-only (streaming) mode with defusedxml
guarding its XML, and only as many rows and columns as a list may have are read.
An OpenDocument sheet (``.ods``) is refused with the way out.
"""

from __future__ import annotations

import datetime
import io
import threading
import warnings
import zipfile
from typing import Any

from ..errors import ListError, Problem

MAX_UNPACKED = 50_000_000
"""The most bytes the parts of a workbook may unpack to (a ZIP bomb is refused)."""
MAX_PARTS = 1_000
"""The most parts (files in the ZIP) a workbook may have."""
SAVE_AS = "sla het op als .xlsx of als CSV"
_WARNINGS = threading.Lock()
"""Held while openpyxl's warnings are silenced: the warning filters are the process's, and two
threads that each save and restore them could leave them silenced for good."""


def _refuse(file: str, message: str, row: int = 1) -> ListError:
    return ListError(Problem(file, row, 1, "", message))


def _check_container(data: bytes, file: str) -> None:
    """Refuse what is no .xlsx, or would unpack to too much, before openpyxl opens it.

    The sizes the ZIP declares bound what it unpacks to: Python's zipfile stops a part at
    its declared size (and then fails on the checksum), so they can be trusted here.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_UNPACKED:
                raise _refuse(file, "het werkblad is te groot om als deelnemerslijst te lezen")
            parts = {info.filename: info for info in infos}
            mimetype = parts.get("mimetype")
            if (
                mimetype is not None
                and mimetype.file_size < 200
                and b"opendocument" in archive.read(mimetype)
            ):
                raise _refuse(file, f"dit is een OpenDocument-werkblad (.ods); {SAVE_AS}")
    except zipfile.BadZipFile:
        raise _refuse(file, f"het werkblad is beschadigd; {SAVE_AS}") from None
    if "xl/workbook.xml" not in parts:
        raise _refuse(file, f"dit is een ZIP-bestand, geen .xlsx-werkblad; {SAVE_AS}")


def cell_text(value: Any) -> str:
    """A cell's value as the text a trainer sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return f"{value.day}-{value.month}-{value.year}"
        return f"{value.day}-{value.month}-{value.year} {value.hour}:{value.minute:02d}"
    if isinstance(value, datetime.date):
        return f"{value.day}-{value.month}-{value.year}"
    if isinstance(value, datetime.time):
        return f"{value.hour}:{value.minute:02d}"
    return str(value)


def sheet_rows(
    data: bytes, file: str, max_filled: int, max_columns: int
) -> list[tuple[int, list[str]]]:
    """The rows of the workbook's first sheet with their row numbers, as text.

    Reading stops after ``max_filled`` + 1 rows with a value (the header and one more
    than a list may have, so a list that is too long is told so), and at most
    ``max_columns`` + 1 columns are read (one more, for the same reason).
    """
    _check_container(data, file)
    import openpyxl

    result: list[tuple[int, list[str]]] = []
    try:
        with _WARNINGS, warnings.catch_warnings():
            # openpyxl warns about parts it does not read (data validation, styles): they
            # do not matter for a list.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            try:
                sheet = book.active
                if sheet is None or not hasattr(sheet, "iter_rows"):
                    raise _refuse(file, "het werkblad heeft geen tabel met deelnemers")
                filled = 0
                rows = sheet.iter_rows(max_col=max_columns + 1, values_only=True)
                for number, row in enumerate(rows, start=1):
                    texts = [cell_text(value) for value in row]
                    while texts and not texts[-1]:
                        texts.pop()
                    result.append((number, texts))
                    filled += any(text.strip() for text in texts)
                    if filled > max_filled + 1:
                        break
            finally:
                book.close()
    except ListError:
        raise
    except Exception:  # a damaged workbook: whatever openpyxl or its XML parser raises
        raise _refuse(file, f"het werkblad is beschadigd of niet te lezen; {SAVE_AS}") from None
    return result
