"""Participants' data kept only as long as needed: erasure after the retention period.

Names and addresses of participants reach the disk in a few places, all below the output
folder: the web app's mail folders (``.web/mail/<owner>/``: the list, the message, the
attachments and the recipe of the personal workbooks), the dry runs' messages
(``mail/<mailing>/*.eml``), messages staged for a run (``mail/.opgesteld-*``), and the
personal workbooks and certificates kept in the build cache (``.cache/``) and made by the
web app's jobs (``.web/taken/``), and the
training days' lists in the web server's database (``.web/werkboek.sqlite``). A file (or
a list) there that was last written longer ago than the retention period (:data:`DEFAULT_DAYS` days,
or what the organisation sets) is erased by :func:`erase_expired`: ``werkboek opschonen``
runs it, and the web server runs it every day. A send log an older werkboek kept in
``mail/`` (with plain addresses) is merged into the user's log, which knows recipients
only by a keyed hash (see :mod:`werkboek.mail.log`), and then removed. So exactly-once
holds after erasure: the same mailing to the same list again reaches nobody twice.

A trainer can erase their own mail folder at once (:func:`erase_mail_folder`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import Problem, WerkboekError
from .store.day_lists import erase_day_lists
from .words import plural

PERIOD_VARIABLE = "WERKBOEK_BEWAARTERMIJN"
DEFAULT_DAYS = 30
DAY = 24 * 3600
WEB_MAIL = Path(".web") / "mail"
MAIL = Path("mail")
CACHE = Path(".cache")
WEB_JOBS = Path(".web") / "taken"
"""The files the web app's jobs made (personal copies among them)."""
WEB_DATABASE = Path(".web") / "werkboek.sqlite"
"""The web server's database: the training days' participants' lists."""
STAGING_PREFIX = ".opgesteld-"
MAILINGS = "mailings.txt"
"""In a web mail folder: the mailings of its dry runs and sends, one a line."""
LAST_MAILING = "mailing.txt"


@dataclass
class Erased:
    """What was erased, by kind (counts: never a name)."""

    lists: int = 0
    messages: int = 0
    staged: int = 0
    copies: int = 0
    other: int = 0
    logs: int = 0

    def __iadd__(self, other: Erased) -> Erased:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
        return self

    @property
    def total(self) -> int:
        return sum(getattr(self, item.name) for item in fields(self))

    def lines(self) -> list[str]:
        """What was erased, in Dutch, for the trainer or the organisation."""
        if not self.total:
            return ["niets gewist: er waren geen gegevens van deelnemers ouder dan de termijn"]
        parts = [
            (self.lists, "deelnemerslijst", "deelnemerslijsten"),
            (self.messages, "bericht", "berichten"),
            (self.staged, "opgesteld bericht", "opgestelde berichten"),
            (
                self.copies,
                "PDF (eigen exemplaar of bewijs)",
                "PDF's (eigen exemplaren en bewijzen)",
            ),
            (self.other, "ander bestand", "andere bestanden"),
            (self.logs, "oud verzendlog (opgenomen in het verzendlog)", "oude verzendlogs"),
        ]
        return [f"gewist: {plural(count, one, many)}" for count, one, many in parts if count]


def retention_days(value: str | int | None) -> int:
    """The retention period in days, checked: a whole number of at least 1."""
    if value is None or value == "":
        return DEFAULT_DAYS
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise WerkboekError(
            Problem(
                "",
                0,
                0,
                PERIOD_VARIABLE,
                f"bewaartermijn {value!r}: geef een heel aantal dagen, minstens 1",
            )
        )
    return days


def _kind(path: Path) -> str:
    if any(part.startswith(STAGING_PREFIX) for part in path.parts):
        return "staged"
    name = path.name
    if name == "deelnemers.csv" or path.suffix in (".csv", ".xlsx"):
        return "lists"
    if name == "bericht.md" or path.suffix == ".eml":
        return "messages"
    if path.suffix == ".pdf":
        return "copies"
    return "other"


def _erase_files(root: Path, older_than: float | None, skip: tuple[str, ...] = ()) -> Erased:
    """Every file below ``root`` last written before ``older_than`` (all: None), and the
    folders left empty (not ``root`` itself)."""
    erased = Erased()
    if not root.is_dir():
        return erased
    for folder, subfolders, files in os.walk(root, topdown=False):
        here = Path(folder)
        for name in files:
            path = here / name
            if here == root and name in skip:
                continue
            try:
                if older_than is not None and path.lstat().st_mtime >= older_than:
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            kind = _kind(path.relative_to(root))
            setattr(erased, kind, getattr(erased, kind) + 1)
        for name in subfolders:
            with contextlib.suppress(OSError):  # not empty: something younger is there
                (here / name).rmdir()
    return erased


def _merge_legacy_log(output_dir: Path, log_path: Path | None) -> int:
    """Merge the send log an older werkboek kept in ``output/mail/`` into the user's log
    (which hashes its addresses) and remove it; 1 when there was one."""
    from .mail.log import SendLog, default_log_path
    from .mail.mailing import legacy_log_path

    legacy = legacy_log_path(output_dir)
    path = log_path or default_log_path()
    if not legacy.is_file() and not path.is_file():
        return 0
    with SendLog(path) as log:  # (opening hashes the addresses a log of an older werkboek kept)
        if not legacy.is_file() or legacy.resolve() == log.path.resolve():
            return 0
        log.merge(legacy)
    for suffix in ("", "-journal", "-wal", "-shm"):
        legacy.with_name(legacy.name + suffix).unlink(missing_ok=True)
    return 1


def erase_expired(
    output_dir: Path,
    days: int = DEFAULT_DAYS,
    *,
    now: float | None = None,
    log_path: Path | None = None,
) -> Erased:
    """Erase the participants' data below ``output_dir`` last written more than ``days``
    days before ``now`` (the clock by default); see the module's description."""
    cutoff = (time.time() if now is None else now) - days * DAY
    erased = Erased()
    erased.logs += _merge_legacy_log(output_dir, log_path)
    erased += _erase_files(output_dir / WEB_MAIL, cutoff)
    erased += _erase_files(output_dir / MAIL, cutoff, skip=("verzendlog.sqlite",))
    erased += _erase_files(output_dir / CACHE, cutoff)
    erased += _erase_files(output_dir / WEB_JOBS, cutoff)
    erased.lists += erase_day_lists(output_dir / WEB_DATABASE, cutoff)
    return erased


def remember_mailing(base: Path, name: str) -> None:
    """Note in a web mail folder that its dry runs and sends are ``name`` (the last one
    for its state, every one for :func:`erase_mail_folder`)."""
    from .files.atomic import write_atomically

    write_atomically(base / LAST_MAILING, name.encode())
    with (base / MAILINGS).open("a", encoding="utf-8") as file:
        file.write(name + "\n")


def erase_mail_folder(base: Path, output_dir: Path) -> Erased:
    """Erase a trainer's mail folder at once: the list, the message, the attachments, and
    the messages of every dry run made from it. The send log keeps what exactly-once needs."""
    names: set[str] = set()
    for note in (MAILINGS, LAST_MAILING):
        with contextlib.suppress(OSError):
            names |= set((base / note).read_text(encoding="utf-8").split())
    erased = Erased()
    for name in sorted(names):
        if name and "/" not in name and not name.startswith("."):
            erased += _erase_files(output_dir / MAIL / name, None)
            with contextlib.suppress(OSError):
                (output_dir / MAIL / name).rmdir()
    erased += _erase_files(base, None)
    with contextlib.suppress(OSError):
        shutil.rmtree(base)
    return erased


SPACE_FOLDERS = ("recepten", "mail", "dag")
"""The folders below the server's ``.web/`` with one folder for each account's space."""


def erase_space(state: Path, space: str, jobs: list[str]) -> None:
    """The files of a removed account's space below the server's ``.web/`` folder
    (``state``): its own recipes, mail folder and training day, and its jobs' files."""
    if not space or "/" in space or space.startswith("."):
        return
    for folder in SPACE_FOLDERS:
        shutil.rmtree(state / folder / space, ignore_errors=True)
    for job in jobs:
        if job and "/" not in job and not job.startswith("."):
            shutil.rmtree(state / "taken" / job, ignore_errors=True)
