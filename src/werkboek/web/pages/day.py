"""The training day: one participants' list, the attendance list and the certificates.

The list is pasted or uploaded once, shown as a table to correct, and kept as a CSV in the
session's day folder (``.web/dag/<sessie>/deelnemers.csv``); the copies and mail pages start
from it. Every file is made by the same products as the command line (``werkboek
attendance``, ``werkboek certificates``), from the composer's recipe and this list, so a
download is the same bytes as the command line writes.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from ...errors import Problem, WerkboekError
from ...files.atomic import write_atomically
from ...mail.recipients import parse_recipients
from ...participants.lists import MAX_BYTES, NAME, Person, parse_people
from ...participants.lists import list_text as bytes_as_csv
from ...products import (
    AttendanceOptions,
    AttendanceProduct,
    CertificateOptions,
    CertificatesProduct,
)
from ...products.training_day import (
    MAX_SIGNATURE,
    MAX_SIGNATURE_ALT,
    signature_alt_problem,
    signature_uri,
)
from ...recipes import Recipe
from ...store.day_lists import LIST_FILE
from ..daylist import (
    SIGNATURE_ALT_FILE,
    SIGNATURE_FILE,
    day_people,
    folder,
    list_text,
    save_list_text,
    signature_alt,
    signature_of,
)
from ..responses import Download, back, download, form_text
from ..site import Site, site_of
from .composer import check
from .mailing import state_of

ZIP_TIME = (2024, 2, 1, 0, 0, 0)
"""Every file in a ZIP gets the same time: the same list gives the same ZIP."""
COLUMNS = ("naam", "email", "organisatie")
"""The columns the table always shows (a list's other columns are kept as they are)."""
EXAMPLE = "naam,email,organisatie\nAnna de Vries,anna@voorbeeld.nl,Wijkteam Noord\n"


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def table(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """A list's text as columns and rows, as the table shows them (the usual columns first),
    and each row's line in the text (where the list's problems point)."""
    if not text.strip():
        return list(COLUMNS), [], []
    try:
        people = parse_people(text, LIST_FILE)
    except WerkboekError:
        return raw_table(text)
    found = list(people[0].fields)
    columns = [c for c in COLUMNS if c in found or c == NAME] + [
        c for c in found if c not in COLUMNS
    ]
    return (
        columns,
        [[p.fields.get(c, "") for c in columns] for p in people],
        [p.line for p in people],
    )


def raw_table(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """A list with problems, as it is, to correct: cell by cell, as its first line splits."""
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            if not columns:
                columns = [c.strip().lower() for c in row]
            elif any(value.strip() for value in row):
                rows.append((row + [""] * len(columns))[: len(columns)])
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error:  # (a field too long, a stray quote: the list's problems say where)
        pass
    return columns, rows, lines


def recipe_of(request: Request) -> Recipe | None:
    site = site_of(request)
    return check(site, site.draft(request)).recipe


def day_page(
    request: Request,
    status: int = 200,
    problems: Sequence[Problem] = (),
    signature_problems: Sequence[Problem] = (),
    text: str | None = None,
    alt: str | None = None,
    whole_file: bool = False,
) -> Response:
    """The day's page; ``problems`` beside the rows of ``text`` they point at (of the list
    kept when it is None), or above the table (all of them with ``whole_file``: a file
    that gave no list, whose lines are not the table's)."""
    site = site_of(request)
    text = list_text(request) if text is None else text
    columns, rows, lines = table(text)
    by_row: dict[int, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        if problem.line in lines and not whole_file:
            by_row.setdefault(lines.index(problem.line), []).append(problem.message)
        elif whole_file and problem.file:
            general.append(f"{problem.file}: {problem.message}")  # (the file the trainer chose)
        else:
            general.append(problem.message)
    by_row_mail: dict[int, list[str]] = {}
    if not problems and rows and "email" in columns:
        for problem in mail_problems(text):
            if problem.line in lines:
                message = as_numbered(problem.message, lines)
                by_row_mail.setdefault(lines.index(problem.line), []).append(message)
    checked = check(site, site.draft(request))
    return site.page(
        request,
        "dag.html",
        mail_notes=by_row_mail,
        mailing=state_of(request),
        status=status,
        active="dag",
        checked=checked,
        columns=columns,
        rows=rows,
        row_problems=by_row,
        list_problems=general,
        people=day_people(request),
        signature=(folder(request) / SIGNATURE_FILE).is_file(),
        signature_problems=[p.message for p in signature_problems if p.path != "beschrijving"],
        alt_problems=[p.message for p in signature_problems if p.path == "beschrijving"],
        signature_alt=alt if alt is not None else signature_alt(request, checked.recipe),
        max_alt=MAX_SIGNATURE_ALT,
        example=EXAMPLE,
    )


def as_numbered(message: str, lines: Sequence[int]) -> str:
    """A message that points at another line of the list ("staat ook op regel 2") pointing
    at its row as the table numbers it ("bij nr. 1"): the table shows no lines."""

    def row(match: re.Match[str]) -> str:
        line = int(match[1])
        return f"bij nr. {lines.index(line) + 1}" if line in lines else match[0]

    return re.sub(r"\bop regel (\d+)\b", row, message)


def mail_problems(text: str) -> list[Problem]:
    """What would stop mailing this list (an address empty, wrong or twice): said beside
    its row when the list is kept, not only later on the mail page. The list is kept all
    the same: the attendance list and the certificates need no address."""
    try:
        parse_recipients(text, LIST_FILE)
    except WerkboekError as exc:
        return list(exc.problems)
    return []


async def show(request: Request) -> Response:
    return await run_in_threadpool(day_page, request)  # (checks the draft)


def save_list(request: Request, text: str) -> Response:
    """Keep ``text`` as the day's list if it is a good list; otherwise its problems, beside
    the table (the text kept to correct)."""
    try:
        parse_people(text, LIST_FILE)
    except WerkboekError as exc:
        return day_page(request, 422, problems=exc.problems, text=text)
    save_list_text(request, text)
    return back(request, "day", query={"lijst": "bewaard"})


async def read_list(form: FormData) -> str:
    """A list pasted or uploaded, as the CSV text the day keeps."""
    upload = form.get("bestand")
    if isinstance(upload, UploadFile) and upload.filename:
        name = upload.filename.rsplit("/", 1)[-1][:100]
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise WerkboekError(Problem(name, 1, 1, "", "de deelnemerslijst is te groot"))
        text = bytes_as_csv(data, name)  # (an .xlsx's first sheet, as the mail page takes it)
    else:
        text = form_text(form, "lijst", MAX_BYTES)
    text = text.replace("\r\n", "\n")
    first = text.strip().splitlines()[0] if text.strip() else ""
    header = [cell.strip().strip('"').lower() for cell in re.split(r"[,;\t]", first)]
    if first and NAME not in header:
        # names only, one a line: a list with one column
        names = [line.strip() for line in text.splitlines() if line.strip()]
        text = csv_text([NAME], [[n] for n in names])
    return text


async def new_list(request: Request) -> Response:
    async with request.form() as form:
        try:
            text = await read_list(form)
        except WerkboekError as exc:  # (the list kept stays shown, the file's problem above it)
            return await run_in_threadpool(
                day_page, request, 422, problems=exc.problems, whole_file=True
            )
    return await run_in_threadpool(save_list, request, text)  # (parses the list)


async def corrected(request: Request) -> Response:
    """The table as the trainer corrected it: a row emptied is taken away."""
    async with request.form() as form:
        columns = [c for c in form.getlist("kolom") if isinstance(c, str)][:50]
        values = [[str(v) for v in form.getlist(f"waarde-{i}")] for i in range(len(columns))]
    count = max((len(v) for v in values), default=0)
    rows = [[v[r].strip() if r < len(v) else "" for v in values] for r in range(count)]
    rows = [row for row in rows if any(row)]
    return await run_in_threadpool(save_list, request, csv_text(columns, rows))


def signature_problems(data: bytes, stored: bool, alt: str) -> list[Problem]:
    """Why the signature and its description cannot be kept, every problem at once."""
    problems = []
    if not data and not stored:
        problems.append(
            Problem("", 0, 0, "handtekening", "kies een afbeelding van je handtekening")
        )
    if data:
        with tempfile.TemporaryDirectory() as scratch:
            trial = Path(scratch) / SIGNATURE_FILE
            trial.write_bytes(data)
            try:
                signature_uri(trial)  # the library's own check: PNG or JPEG, at most 1 MB
            except WerkboekError as exc:
                problems += [Problem("", 0, 0, "handtekening", p.message) for p in exc.problems]
    if wrong_alt := signature_alt_problem(alt):
        problems.append(Problem("", 0, 0, "beschrijving", wrong_alt))
    return problems


async def signature(request: Request) -> Response:
    async with request.form() as form:
        upload = form.get("handtekening")
        remove = form_text(form, "weghalen", 3) == "ja"
        # (a form without the field, as a script might post it: the description as it was)
        alt = (
            form_text(form, "beschrijving", MAX_SIGNATURE_ALT + 1)
            if "beschrijving" in form
            else signature_alt(request, recipe_of(request))
        )
        data = (
            await upload.read(MAX_SIGNATURE + 1)
            if isinstance(upload, UploadFile) and upload.filename
            else b""
        )
    path = folder(request) / SIGNATURE_FILE
    if remove:
        path.unlink(missing_ok=True)
        (folder(request) / SIGNATURE_ALT_FILE).unlink(missing_ok=True)
        return back(request, "day")
    problems = await run_in_threadpool(signature_problems, data, path.is_file(), alt)
    if problems:
        if data and all(p.path == "beschrijving" for p in problems):
            # the image is good: kept, so the trainer need not choose it again (until the
            # description is given, the certificates say "Handtekening van <trainer>")
            write_atomically(path, data)
        return await run_in_threadpool(day_page, request, 422, signature_problems=problems, alt=alt)
    if data:
        write_atomically(path, data)
    write_atomically(folder(request) / SIGNATURE_ALT_FILE, alt.strip().encode())
    return back(request, "day")


def need(request: Request) -> tuple[Recipe, list[Person]] | Response:
    """The recipe and the list a file is made from, or the day page that says what is
    missing."""
    recipe, people = recipe_of(request), day_people(request)
    if recipe is None or not people:
        return back(request, "day")
    return recipe, people


async def attendance(request: Request) -> Response:
    found = await run_in_threadpool(need, request)  # (checks the draft, reads the list)
    if isinstance(found, Response):
        return found
    recipe, people = found
    product = AttendanceProduct(site_of(request).project, AttendanceOptions(recipe, tuple(people)))
    [(path, data)] = await run_in_threadpool(product.made)
    return download(Download(f"presentielijst-{path.name}", data))


def certificates_zip(
    site: Site, recipe: Recipe, people: list[Person], sig: Path | None, alt: str
) -> Path:
    """Everyone's certificate in one ZIP, in a temporary file (streamed, then removed)."""
    options = CertificateOptions(recipe, tuple(people), signature=sig, signature_alt=alt)
    made = CertificatesProduct(site.project, options).made()
    with (
        tempfile.NamedTemporaryFile(prefix="werkboek-", suffix=".zip", delete=False) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for path, data in made:
            info = zipfile.ZipInfo(path.name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return Path(handle.name)


async def certificates(request: Request) -> Response:
    found = await run_in_threadpool(need, request)  # (checks the draft, reads the list)
    if isinstance(found, Response):
        return found
    recipe, people = found
    site = site_of(request)
    with tempfile.TemporaryDirectory() as scratch:
        own, alt = signature_of(request, Path(scratch) / SIGNATURE_FILE, recipe)
        path = await run_in_threadpool(certificates_zip, site, recipe, people, own, alt)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"bewijzen-{recipe.file_stem}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


ROUTES: list[BaseRoute] = [
    Route("/dag", show, methods=["GET"], name="day"),
    Route("/dag/lijst", new_list, methods=["POST"], name="day_list"),
    Route("/dag/tabel", corrected, methods=["POST"], name="day_table"),
    Route("/dag/handtekening", signature, methods=["POST"], name="day_signature"),
    Route("/dag/presentielijst.pdf", attendance, methods=["GET"], name="day_attendance"),
    Route("/dag/bewijzen.zip", certificates, methods=["GET"], name="day_certificates"),
]
