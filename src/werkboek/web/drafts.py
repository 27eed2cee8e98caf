"""The recipe a trainer is putting together in the composer, kept on the server.

A draft is a recipe as a mapping (the same keys as a recipe file), with the fields of
the form. It is kept per session in the server's database, so the page holds no state of
its own, every worker process sees it, and a restart of the server keeps the work. Saving a
draft makes it a recipe file in the recipes folder, which the command line reads too.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..content.schema import PART_KEYS
from ..recipes.own_pages import MAX_SOURCE
from ..store.database import ReadsIn, connect, transaction

KINDS = ("principe", "oefening", "verhaal", "artikel", "notities", "eigen")
DAY_KEYS = ("datum", "uren", "locatie", "dagdelen")
"""The training day's keys: kept as the trainer wrote them, checked with the recipe."""
MAX_OWN = 100_000
"""The characters of an own page's text typed or uploaded in the composer (its images aside)."""
MAX_OWN_SOURCE = MAX_SOURCE
"""An own page with its images as ``data:`` URIs: never kept longer."""
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_ITEMS = 200


@dataclass
class Draft:
    titel: str = "Mijn training"
    ondertitel: str = ""
    trainer: str = ""
    editie: str = "deelnemer"
    onderdelen: list[dict[str, Any]] = field(default_factory=list)
    dag: dict[str, str] = field(default_factory=dict)
    """datum, uren, locatie, dagdelen: as typed (the recipe check says what is wrong)."""
    naam: str = ""
    """The saved recipe this draft was opened from: saving it again replaces that one."""
    plek: str = ""
    """Where that recipe is: ``mijn`` (the trainer's own) or ``organisatie`` (shared)."""

    def mapping(self) -> dict[str, Any]:
        """The draft as a recipe mapping (what ``recipe_from_mapping`` and a file hold)."""
        data: dict[str, Any] = {"titel": self.titel.strip()}
        if self.ondertitel.strip():
            data["ondertitel"] = self.ondertitel.strip()
        if self.trainer.strip():
            data["trainer"] = self.trainer.strip()
        data["editie"] = self.editie
        for key in DAY_KEYS:
            value = self.dag.get(key, "").strip()
            if value:
                data[key] = int(value) if key == "dagdelen" and value.isdigit() else value
        data["onderdelen"] = [dict(item) for item in self.onderdelen]
        return data

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Draft:
        items = [dict(i) for i in data.get("onderdelen") or [] if isinstance(i, dict)]
        return cls(
            titel=str(data.get("titel") or ""),
            ondertitel=str(data.get("ondertitel") or ""),
            trainer=str(data.get("trainer") or ""),
            editie=str(data.get("editie") or "deelnemer"),
            onderdelen=items[:MAX_ITEMS],
            naam=str(data.get("naam") or "")[:80],
            plek=str(data.get("plek") or "")[:20],
            dag={
                k: str(value)
                for k in DAY_KEYS
                # a recipe has them at the top; a saved draft under "dag"
                if (value := data.get(k, (data.get("dag") or {}).get(k))) not in (None, "")
            },
        )

    # ------------------------------------------------------------ changes

    def add(self, kind: str, slug: str = "", pages: int = 1) -> None:
        if kind not in KINDS or len(self.onderdelen) >= MAX_ITEMS:
            return
        item: dict[str, Any] = {kind: pages if kind == "notities" else slug}
        self.onderdelen.append(item)

    def add_own(self, text: str) -> None:
        """An own page typed in the composer (Markdown; its first heading is its title)."""
        text = text.replace("\r\n", "\n").strip()
        if text and len(self.onderdelen) < MAX_ITEMS:
            self.onderdelen.append({"eigen": text[:MAX_OWN_SOURCE] + "\n"})

    def contains(self, kind: str, slug: str) -> bool:
        return any(item.get(kind) == slug for item in self.onderdelen)

    def set_own(self, index: int, text: str) -> None:
        """Change the text of the own page at ``index`` (an empty text removes it)."""
        if 0 <= index < len(self.onderdelen) and "eigen" in self.onderdelen[index]:
            text = text.replace("\r\n", "\n").strip()
            if text:
                self.onderdelen[index] = {"eigen": text[:MAX_OWN_SOURCE] + "\n"}
            else:
                del self.onderdelen[index]

    @property
    def empty(self) -> bool:
        """Nothing of the trainer's in it: replacing it loses nothing."""
        return not self.onderdelen and self.mapping() == Draft().mapping()

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.onderdelen):
            del self.onderdelen[index]

    def move(self, index: int, to: int) -> None:
        """Move the item at ``index`` to position ``to`` (up/down buttons, drag and drop)."""
        if 0 <= index < len(self.onderdelen):
            to = max(0, min(to, len(self.onderdelen) - 1))
            self.onderdelen.insert(to, self.onderdelen.pop(index))

    def set_parts(self, index: int, parts: list[str]) -> None:
        if 0 <= index < len(self.onderdelen) and "principe" in self.onderdelen[index]:
            chosen = [p for p in PART_KEYS if p in parts]
            item = {"principe": self.onderdelen[index]["principe"]}
            if chosen and len(chosen) < len(PART_KEYS):
                item["delen"] = chosen
            elif not chosen:
                item["delen"] = []
            self.onderdelen[index] = item

    def set_pages(self, index: int, pages: int) -> None:
        if 0 <= index < len(self.onderdelen) and "notities" in self.onderdelen[index]:
            self.onderdelen[index] = {"notities": pages}


class Drafts(ReadsIn):
    """The drafts of every session, in the server's database (each with the one kept to
    undo), so every worker process sees the same draft. Drafts an older werkboek kept as
    JSON files in ``legacy`` (``.web/concepten/``) are read in on first start, and that
    folder is then renamed (``concepten-ingelezen``), nothing lost."""

    def read_in(self, folder: Path) -> None:
        import_files(self.database, folder)

    @staticmethod
    def _check(session: str) -> None:
        if not SESSION_ID.match(session):
            raise ValueError("ongeldige sessie")

    def get(self, session: str) -> Draft:
        self._check(session)
        with self._connect() as connection:
            row = connection.execute(
                "SELECT data FROM drafts WHERE owner = ?", (session,)
            ).fetchone()
        data = _json(row["data"]) if row is not None else None
        return Draft.from_mapping(data) if isinstance(data, dict) else Draft()

    def save(self, session: str, draft: Draft) -> None:
        self._check(session)
        with self._connect() as connection, transaction(connection):
            _put(connection, session, draft)

    def replace(self, session: str, draft: Draft, why: str) -> bool:
        """Put ``draft`` in place of the session's draft, keeping that one to undo (with
        ``why``, what the page says about it), unless it held nothing; whether it was kept."""
        self._check(session)
        with self._connect() as connection, transaction(connection):
            old = _current(connection, session)
            if not old.empty:
                undo = _dumps({"waarom": why, "concept": asdict(old)})
                _put(connection, session, old)
                connection.execute("UPDATE drafts SET undo = ? WHERE owner = ?", (undo, session))
            _put(connection, session, draft)
        return not old.empty

    def undo_note(self, session: str) -> str:
        """What the page says about the draft kept to undo; empty when there is none."""
        self._check(session)
        with self._connect() as connection:
            data = _undo(connection, session)
        return str(data.get("waarom") or "") if data else ""

    def undo(self, session: str) -> bool:
        """The draft kept to undo back in place (the current one kept in its turn)."""
        self._check(session)
        with self._connect() as connection, transaction(connection):
            data = _undo(connection, session)
            if data is None:
                return False
            current = _current(connection, session)
            _put(connection, session, Draft.from_mapping(data["concept"]))
            again = None
            if not current.empty:
                note = "Het werkboek van daarnet is weer terug."
                again = _dumps({"waarom": note, "concept": asdict(current)})
            connection.execute("UPDATE drafts SET undo = ? WHERE owner = ?", (again, session))
        return True


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _current(connection: sqlite3.Connection, session: str) -> Draft:
    row = connection.execute("SELECT data FROM drafts WHERE owner = ?", (session,)).fetchone()
    data = _json(row["data"]) if row is not None else None
    return Draft.from_mapping(data) if isinstance(data, dict) else Draft()


def _put(connection: sqlite3.Connection, session: str, draft: Draft) -> None:
    connection.execute(
        "INSERT INTO drafts (owner, data, changed) VALUES (?, ?, ?)"
        " ON CONFLICT (owner) DO UPDATE SET data = excluded.data, changed = excluded.changed",
        (session, _dumps(asdict(draft)), time.time()),
    )


def _undo(connection: sqlite3.Connection, session: str) -> dict[str, Any] | None:
    row = connection.execute("SELECT undo FROM drafts WHERE owner = ?", (session,)).fetchone()
    data = _json(row["undo"]) if row is not None else None
    return data if isinstance(data, dict) and isinstance(data.get("concept"), dict) else None


def import_files(database: Path, folder: Path) -> int:
    """Read the drafts an older werkboek kept as files in ``folder`` into the database (a
    draft already there is kept), then rename the folder; how many were read."""
    count = 0
    with contextlib.closing(connect(database)) as connection, transaction(connection):
        for path in sorted(folder.glob("*.json")):
            session = path.name.removesuffix(".json").removesuffix(".vorige")
            if not SESSION_ID.match(session):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict):
                continue
            if path.name.endswith(".vorige.json"):
                if not isinstance(data.get("concept"), dict):
                    continue
                connection.execute(
                    "INSERT INTO drafts (owner, data, changed) VALUES (?, ?, ?)"
                    " ON CONFLICT (owner) DO NOTHING",
                    (session, _dumps(asdict(Draft())), path.stat().st_mtime),
                )
                connection.execute(
                    "UPDATE drafts SET undo = ? WHERE owner = ? AND undo IS NULL",
                    (_dumps(data), session),
                )
            else:
                draft = Draft.from_mapping(data)
                connection.execute(
                    "INSERT INTO drafts (owner, data, changed) VALUES (?, ?, ?)"
                    " ON CONFLICT (owner) DO UPDATE SET data = excluded.data"
                    " WHERE drafts.data = ?",
                    (session, _dumps(asdict(draft)), path.stat().st_mtime, _dumps(asdict(Draft()))),
                )
            count += 1
        # (inside the transaction: a second process starting at once finds it gone)
        with contextlib.suppress(OSError):
            folder.rename(folder.with_name(f"{folder.name}-ingelezen"))
    return count
