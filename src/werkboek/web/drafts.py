"""The recipe a trainer is putting together in the composer, kept on the server.

A draft is a recipe as a mapping (the same keys as a recipe file), with the fields of
the form. It is kept per session in the output folder (``.web/concepten/``), so the
page holds no state of its own and a restart of the server keeps the work. Saving a
draft makes it a recipe file in the recipes folder, which the command line reads too.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..content.schema import PART_KEYS
from ..files.atomic import write_atomically
from ..recipes.own_pages import MAX_SOURCE

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


class Drafts:
    """The drafts of every session, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def _path(self, session: str) -> Path:
        if not SESSION_ID.match(session):
            raise ValueError("ongeldige sessie")
        return self.folder / f"{session}.json"

    def get(self, session: str) -> Draft:
        path = self._path(session)
        with self._lock:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return Draft()
        return Draft.from_mapping(data) if isinstance(data, dict) else Draft()

    def save(self, session: str, draft: Draft) -> None:
        path = self._path(session)
        data = json.dumps(asdict(draft), ensure_ascii=False, indent=1).encode()
        with self._lock:
            write_atomically(path, data)

    def replace(self, session: str, draft: Draft, why: str) -> bool:
        """Put ``draft`` in place of the session's draft, keeping that one to undo (with
        ``why``, what the page says about it), unless it held nothing; whether it was kept."""
        old = self.get(session)
        if not old.empty:
            data = {"waarom": why, "concept": asdict(old)}
            undo = json.dumps(data, ensure_ascii=False, indent=1).encode()
            with self._lock:
                write_atomically(self._undo_path(session), undo)
        self.save(session, draft)
        return not old.empty

    def _undo_path(self, session: str) -> Path:
        return self._path(session).with_suffix(".vorige.json")

    def undo_note(self, session: str) -> str:
        """What the page says about the draft kept to undo; empty when there is none."""
        data = self._read_undo(session)
        return str(data.get("waarom") or "") if data else ""

    def _read_undo(self, session: str) -> dict[str, Any] | None:
        with self._lock:
            try:
                data = json.loads(self._undo_path(session).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
        return data if isinstance(data, dict) and isinstance(data.get("concept"), dict) else None

    def undo(self, session: str) -> bool:
        """The draft kept to undo back in place (the current one kept in its turn)."""
        data = self._read_undo(session)
        if data is None:
            return False
        current = self.get(session)
        self.save(session, Draft.from_mapping(data["concept"]))
        if current.empty:
            with self._lock:
                self._undo_path(session).unlink(missing_ok=True)
        else:
            note = "Het werkboek van daarnet is weer terug."
            again = {"waarom": note, "concept": asdict(current)}
            with self._lock:
                write_atomically(
                    self._undo_path(session),
                    json.dumps(again, ensure_ascii=False, indent=1).encode(),
                )
        return True
