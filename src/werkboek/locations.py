"""Where a command finds its folders when it is not told.

A *programme folder* is one with ``content/instellingen.yaml``: ``werkboek init`` makes one,
and the checkout is one. In a programme folder the content, the recipes and the output are
its ``content/``, ``recepten/`` and ``output/``; anywhere else werkboek uses the programme it
ships with (package data, :data:`SHIPPED`) and keeps recipes and output in the user's data
folder (platformdirs) — unless the command was told where the content is, when recipes and
output stay below the working folder, as they always did. The styles are the folder's own
``styles/`` when it has one, else the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SHIPPED = Path(__file__).parent / "shipped"
"""The shipped programme: ``content/``, ``styles/`` and the example ``recepten/``."""
STARTER = Path(__file__).parent / "starter"
"""The small programme ``werkboek init`` copies."""

CONTENT = "content"
STYLES = "styles"
RECIPES = "recepten"
OUTPUT = "output"
SETTINGS = "instellingen.yaml"


def is_programme_folder(folder: Path) -> bool:
    return (folder / CONTENT / SETTINGS).is_file()


def user_data_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_path("werkboek"))


@dataclass(frozen=True)
class Folders:
    """The default folders for a command run in one working folder."""

    content_dir: Path
    styles_dir: Path
    recipes_dir: Path
    output_dir: Path
    here: bool
    """Whether the working folder is a programme folder."""

    @property
    def announcement(self) -> str | None:
        """The line a command without a content folder says when it uses the shipped
        programme; nothing in a programme folder, where the content is the one in sight."""
        if self.here:
            return None
        return (
            f"inhoud: het meegeleverde programma (deze map heeft geen {CONTENT}/{SETTINGS}); "
            f"recepten en uitvoer in {self.recipes_dir.parent}"
        )


def default_folders(*, content_given: bool = False) -> Folders:
    """The folders to use in the working folder: relative paths when they are below it, so
    that messages show ``content/principes/…``. With ``content_given`` (a command told where
    the content is) the working folder counts as a programme folder: only the shipped
    programme keeps its recipes and output in the user's data folder."""
    here = content_given or is_programme_folder(Path.cwd())
    styles = Path(STYLES) if Path(STYLES).is_dir() else SHIPPED / STYLES
    if here:
        return Folders(Path(CONTENT), styles, Path(RECIPES), Path(OUTPUT), here=True)
    data = user_data_folder()
    return Folders(SHIPPED / CONTENT, styles, data / RECIPES, data / OUTPUT, here=False)


def init_programme(target: Path) -> list[Path]:
    """Write the starter programme (``content/``, ``recepten/``) into ``target``, a new or
    empty folder, and return the files written. Styles stay werkboek's own until the
    folder gets a ``styles/`` of its own."""
    import shutil

    from .errors import Problem, WerkboekError, display_path

    shown = display_path(target)
    if target.exists() and not target.is_dir():
        raise WerkboekError(Problem(shown, 1, 1, "", "geen map"))
    if target.is_dir() and any(target.iterdir()):
        raise WerkboekError(
            Problem(shown, 1, 1, "", "de map is niet leeg; kies een nieuwe of een lege map")
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(STARTER, target, dirs_exist_ok=True)
    except OSError as exc:
        message = f"kan hier geen programma maken: {exc.strerror or exc}"
        raise WerkboekError(Problem(shown, 1, 1, "", message)) from None
    return sorted(p for p in target.rglob("*") if p.is_file())
